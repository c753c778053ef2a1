#!/usr/bin/env python3
"""Per-file line and branch coverage of the library's sources (src/) from an `llvm-cov export
-summary-only` JSON summary, as a markdown table (file, lines %, branches %, then the totals over
src/). With --min-lines / --min-branches, exits 1 when the totals are under either threshold.

    usage: coverage.py SUMMARY.json [--min-lines PCT] [--min-branches PCT]

Used by `make fuzz-coverage` (table only) and `make fuzz-coverage-gate` (table and thresholds).
Headers (include/) are left out: their inline functions are counted in every harness that inlines
them, and the gate is about the library's own files."""
import argparse
import json
import os
import sys


def pct(covered, count):
    return 100.0 * covered / count if count else 100.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("summary")
    ap.add_argument("--min-lines", type=float, default=None)
    ap.add_argument("--min-branches", type=float, default=None)
    args = ap.parse_args()
    with open(args.summary, encoding="utf-8") as f:
        data = json.load(f)
    rows = []
    for export in data["data"]:
        for fi in export["files"]:
            name = os.path.relpath(fi["filename"])
            if not name.startswith("src" + os.sep):
                continue
            s = fi["summary"]
            rows.append((name, s["lines"]["covered"], s["lines"]["count"], s["branches"]["covered"],
                         s["branches"]["count"]))
    if not rows:
        print("coverage.py: no src/ file in " + args.summary, file=sys.stderr)
        return 2
    rows.sort()
    lc = sum(r[1] for r in rows)
    ln = sum(r[2] for r in rows)
    bc = sum(r[3] for r in rows)
    bn = sum(r[4] for r in rows)
    print("| file | lines % | branches % | lines | branches |")
    print("|---|---:|---:|---:|---:|")
    for name, c, n, b, m in rows:
        print(f"| {name} | {pct(c, n):.1f} | {pct(b, m):.1f} | {c}/{n} | {b}/{m} |")
    tl, tb = pct(lc, ln), pct(bc, bn)
    print(f"| **total** | **{tl:.1f}** | **{tb:.1f}** | {lc}/{ln} | {bc}/{bn} |")
    failed = []
    if args.min_lines is not None and tl < args.min_lines:
        failed.append(f"lines {tl:.1f}% < {args.min_lines:g}%")
    if args.min_branches is not None and tb < args.min_branches:
        failed.append(f"branches {tb:.1f}% < {args.min_branches:g}%")
    if failed:
        print("fuzz coverage gate: FAILED: " + ", ".join(failed), file=sys.stderr)
        return 1
    wanted = [f"{k} >= {v:g}%" for k, v in (("lines", args.min_lines), ("branches", args.min_branches))
              if v is not None]
    if wanted:
        print("fuzz coverage gate: passed (" + ", ".join(wanted) + ")")
    return 0


if __name__ == "__main__":
    sys.exit(main())
