#!/usr/bin/env python3
"""The mutation stage of the proofs (`make prove-mutants`; proofs/README.md, "The mutation stage").

Does the proof catch a realistic bug in each allocator? proofs/mutants.tsv lists planted bugs: a
file, a text that must occur in it exactly once, its replacement, the functions whose proof must
then fail, and what the bug is. For each selected mutant, in a copy of the tree (src/, include/,
proofs/, examples/: as the gate's self-tests, proofs/selftest.py, never the tree itself):

  1. the replacement is applied (the stage stops, exit 2, when the text does not occur exactly
     once: every mutant's text is checked against the tree before any proof runs);
  2. `proofs/prove.py run --only <functions> --all` proves those functions, every one of them again
     (the ledger replays nothing), with the proof's own flags, provers and retry: what
     `make prove PROVE_ONLY=<functions> PROVE_CACHE=none` would do;
  3. the run must FAIL on a goal or a smoke test. The first goal (or smoke test) it names is the
     mutant's "caught by"; a run that fails otherwise (Frama-C cannot parse the mutant, a crash)
     is an error of the stage, not a catch.

    proofs/mutants.py --why3conf W --dir D [--mutants a,b] [--table T] -- <prove.py run options>

The prove.py options (everything after `--`: kernel and WP flags, sources, provers, --split,
--cast, configurations, ...) are `make prove`'s own. Output: a markdown table (mutation,
caught by, seconds) on stdout and in --table. Exit status: 0 when every mutant was caught,
1 when one was not, 2 when the stage could not do its job.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import selftest  # noqa: E402  (copy_tree: the same copy of the tree as the gate's self-tests)

COLUMNS = ("name", "file", "functions", "what", "find", "replace")


def unescape(text):
    """The TSV's escapes: \\n a newline, \\t a tab, \\\\ a backslash (anything else is kept)."""
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "\\": "\\"}.get(m.group(1), m.group(0)), text)


def read_mutants(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for k, line in enumerate(f, 1):
            if line.startswith("#") or not line.strip():
                continue
            c = line.rstrip("\n").split("\t")
            if len(c) != len(COLUMNS) or not all(c[:5]):
                raise ValueError(f"{path}:{k}: {len(c)} columns (need {len(COLUMNS)}: "
                                 f"{', '.join(COLUMNS)}; only the replacement may be empty)")
            m = dict(zip(COLUMNS, c))
            m["find"], m["replace"] = unescape(m["find"]), unescape(m["replace"])
            out.append(m)
    names = [m["name"] for m in out]
    if len(set(names)) != len(names):
        raise ValueError(f"{path}: two mutants share a name")
    return out


def apply(root, m, write):
    """Checks (and with `write`, applies) mutant m in the tree under root; None or the problem."""
    path = os.path.join(root, m["file"])
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        return f"{m['name']}: {e}"
    n = text.count(m["find"])
    if n != 1:
        return f"{m['name']}: its text occurs {n} times in {m['file']} (exactly once needed):\n{m['find']}"
    if write:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace(m["find"], m["replace"]))
    return None


# What prove.py prints for a goal or a smoke test that failed.
CAUGHT = re.compile(r"^prove: FAIL \[[^]]*\] (?:goal (\S+): (\w+)|smoke test of (\w+) failed \((\w+)\))", re.M)


def caught_by(output):
    """The first goal (or smoke test) a failed run names, as "goal (verdict)", or None."""
    m = CAUGHT.search(output)
    if not m:
        return None
    if m.group(1):
        return f"{m.group(1)} ({m.group(2)})"
    return f"smoke test of {m.group(3)} ({m.group(4)})"


def run_one(m, args, prove_args):
    with tempfile.TemporaryDirectory(prefix=f"memapi-mutant-{m['name']}-") as tmp:
        selftest.copy_tree(tmp)
        problem = apply(tmp, m, True)
        if problem:
            return "error", problem, 0.0, ""
        cmd = ([sys.executable, "proofs/prove.py", "run"] + prove_args
               + ["--dir", os.path.join(tmp, "build"), "--why3conf", args.why3conf,
                  "--jobs", "1", "--par", str(args.par), "--only", m["functions"], "--all"])
        t0 = time.time()
        # Frama-C resolves relative paths against $PWD: it must name the copy.
        out = subprocess.run(cmd, cwd=tmp, env=dict(os.environ, PWD=tmp), capture_output=True, text=True,
                             check=False)
        secs = time.time() - t0
        text = out.stdout + out.stderr
        with open(os.path.join(args.dir, f"{m['name']}.log"), "w", encoding="utf-8") as f:
            f.write(text)
        if out.returncode == 0:
            return "missed", "the proof passed", secs, text
        by = caught_by(text)
        if by is None:
            return "error", f"the run failed without naming a goal (exit {out.returncode})", secs, text
        return "caught", by, secs, text


def main(argv):
    if "--" in argv:
        k = argv.index("--")
        argv, prove_args = argv[:k], argv[k + 1:]
    else:
        prove_args = []
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mutants-file", default=os.path.join(HERE, "mutants.tsv"))
    ap.add_argument("--mutants", default="", help="comma-separated names (default: every mutant)")
    ap.add_argument("--why3conf", required=True)
    ap.add_argument("--dir", required=True, help="where each mutant's log goes")
    ap.add_argument("--par", type=int, default=3, help="-wp-par of each proof")
    ap.add_argument("--table", default="", help="also write the markdown table here")
    args = ap.parse_args(argv)
    try:
        mutants = read_mutants(args.mutants_file)
    except (OSError, ValueError) as e:
        print(f"prove-mutants: {e}", file=sys.stderr)
        return 2
    if args.mutants:
        want = args.mutants.replace(" ", ",").split(",")
        unknown = [w for w in want if w and w not in {m["name"] for m in mutants}]
        if unknown:
            print(f"prove-mutants: no mutant named {', '.join(unknown)} (mutants: "
                  f"{', '.join(m['name'] for m in mutants)})", file=sys.stderr)
            return 2
        mutants = [m for m in mutants if m["name"] in want]
    problems = [p for p in (apply(ROOT, m, False) for m in mutants) if p]
    if problems:
        for p in problems:
            print(f"prove-mutants: {p}", file=sys.stderr)
        return 2
    os.makedirs(args.dir, exist_ok=True)
    rows, status = [], 0
    t0 = time.time()
    for m in mutants:
        verdict, detail, secs, text = run_one(m, args, prove_args)
        print(f"prove-mutants: {m['name']}: {verdict}: {detail} ({secs:.0f} s)", flush=True)
        if verdict == "missed":
            status = max(status, 1)
        elif verdict == "error":
            status = 2
            print(text[-3000:])
        rows.append((m, verdict, detail, secs))
    lines = ["| mutation | file | functions proved | caught by (first unproved goal) | seconds |",
             "|---|---|---|---|---|"]
    for m, verdict, detail, secs in rows:
        by = f"`{detail}`" if verdict == "caught" else f"**{verdict.upper()}**: {detail}"
        lines.append(f"| `{m['name']}`: {m['what']} | `{m['file']}` | `{m['functions']}` | {by} | {secs:.0f} |")
    table = "\n".join(lines)
    print(table)
    caught = sum(1 for _, v, _, _ in rows if v == "caught")
    print(f"prove-mutants: {caught} / {len(rows)} mutants caught by the proof in {time.time() - t0:.0f} s")
    if args.table:
        with open(args.table, "w", encoding="utf-8") as f:
            f.write(table + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
