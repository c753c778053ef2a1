#!/usr/bin/env python3
"""Proof ledger of `make prove` (proofs/README.md).

    ledger.py check  REPORT LEDGER [--log WP_LOG]   gate a WP run against the committed ledger
    ledger.py update REPORT LEDGER [--log WP_LOG]   rewrite the ledger from a complete WP run

REPORT is the file written by `frama-c -wp-report-json`. LEDGER is a TSV file with one line per
function (or lemma section): name, goals proved, goals total. `check` fails (exit 1) when
- any goal of the run is not proved (global valid != total),
- the WP log shows a failed smoke test or a goal that is not valid,
- a function of the ledger is missing from the run or has fewer proved goals than recorded.
Functions new in the run are reported and accepted; `update` records them.
`update` refuses to write a ledger from a run that is not 100% proved.
"""
import json
import re
import sys

HEADER = "# function\tproved\ttotal"


def per_function(report):
    """{section name: (proved, total)} from a WP JSON report."""
    out = {}
    for group in ("wp:functions", "wp:axiomatics"):
        for name, props in report.get(group, {}).items():
            main = props.get("wp:section", {}).get("wp:main")
            if main is None:
                continue
            key = name if group == "wp:functions" else "axiomatic:" + name
            out[key] = (main.get("valid", 0), main.get("total", 0))
    return out


def read_ledger(path):
    ledger = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            name, proved, total = line.split("\t")
            ledger[name] = (int(proved), int(total))
    return ledger


def log_problems(path):
    """Lines of the WP log that reveal an unproved goal or a failed smoke test."""
    bad = []
    if path is None:
        return bad
    status = re.compile(r"^\[wp\] \[(Failed|Unknown|Timeout|Stepout|Invalid|Doomed)\]")
    smoke = re.compile(r"[Ss]moke")
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            passed_smoke = line.startswith("[wp] [Passed] Smoke-test")
            if status.search(line) or (smoke.search(line) and not passed_smoke):
                bad.append(line.rstrip())
    return bad


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    log = None
    if "--log" in argv:
        log = argv[argv.index("--log") + 1]
        args.remove(log)
    if len(args) != 3 or args[0] not in ("check", "update"):
        sys.stderr.write(__doc__)
        return 2
    mode, report_path, ledger_path = args
    with open(report_path, encoding="utf-8") as f:
        report = json.load(f)
    main_stats = report["wp:global"]["wp:main"]
    valid, total = main_stats.get("valid", 0), main_stats.get("total", 0)
    run = per_function(report)
    problems = log_problems(log)
    complete = valid == total and total > 0 and not problems
    print(f"prove: {valid} / {total} goals proved in {len(run)} functions")
    for line in problems:
        print("prove: " + line)

    if mode == "update":
        if not complete:
            print("prove: refusing to record a ledger from an incomplete proof")
            return 1
        with open(ledger_path, "w", encoding="utf-8") as f:
            f.write(HEADER + "\n")
            for name in sorted(run):
                f.write(f"{name}\t{run[name][0]}\t{run[name][1]}\n")
        print(f"prove: ledger {ledger_path} written ({len(run)} entries)")
        return 0

    failed = not complete
    if valid != total:
        print(f"prove: FAIL: {total - valid} goal(s) not proved")
    try:
        ledger = read_ledger(ledger_path)
    except FileNotFoundError:
        print(f"prove: FAIL: no ledger {ledger_path}; record one with `make prove-update-ledger`")
        ledger = {}
        failed = True
    for name in sorted(ledger):
        want_proved, want_total = ledger[name]
        if name not in run:
            print(f"prove: FAIL: {name}: in the ledger ({want_proved}/{want_total}) but not in this run")
            failed = True
            continue
        proved, tot = run[name]
        if proved < want_proved:
            print(f"prove: FAIL: {name}: {proved}/{tot} proved, the ledger says {want_proved}/{want_total}")
            failed = True
        elif (proved, tot) != (want_proved, want_total):
            print(f"prove: note: {name}: {proved}/{tot} (ledger {want_proved}/{want_total}); "
                  "run `make prove-update-ledger`")
    for name in sorted(set(run) - set(ledger)):
        print(f"prove: note: {name}: {run[name][0]}/{run[name][1]} is not in the ledger yet")
    if failed:
        print("prove: FAILED")
        return 1
    print("prove: OK (every goal proved, ledger respected)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
