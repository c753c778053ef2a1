#!/usr/bin/env python3
"""Proof ledger of `make prove` (proofs/README.md).

    ledger.py check  LEDGER RUNDIR   gate a WP run against the committed ledger
    ledger.py update LEDGER RUNDIR   rewrite the ledger from a complete WP run

RUNDIR is the output directory of `proofs/prove.py run`: its file `runs` lists one directory per
Frama-C process with that process's exit status, each holding `wp-report.json` (written by
`-wp-report-json`) and `wp.log`; its file `digest` is the digest of the proof inputs. LEDGER is a
TSV file with one line per function (or lemma section): name, goals proved, goals total, and the
index of the Frama-C process that proved it (proofs/prove.py keeps that split, since WP's tasks, and
so the cache keys, depend on which functions a process selects), after a comment line
`# inputs <digest>` naming the inputs of the run that wrote it. `check` fails (exit 1)
when
- a Frama-C process exited non-zero (the report plugin's gate: an unknown or invalid property),
  except for the one consequence of splitting the functions between processes that
  `split_preconditions` below accepts, on its stated conditions,
- any goal of the run is not proved (valid != total, summed over the processes),
- a WP log shows a failed smoke test or a goal that is not valid,
- a function is in two processes' reports, or a function of the ledger is missing from the run or
  has fewer proved goals than recorded.
Functions new in the run are reported and accepted; `update` records them. `update` refuses to
write a ledger from a run that is not 100% proved.
"""
import json
import re
import sys

HEADER = "# function\tproved\ttotal\tprocess"
DIGEST = "# inputs "


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


def read_digest(path):
    """The `# inputs <digest>` line of a ledger, or None."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith(DIGEST):
                return line[len(DIGEST):].strip()
    return None


def read_ledger(path, with_process=False):
    """{name: (proved, total)}, or {name: (proved, total, process)} (process None if not recorded)."""
    ledger = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            name, proved, total = fields[0], int(fields[1]), int(fields[2])
            process = int(fields[3]) if len(fields) > 3 else None
            ledger[name] = (proved, total, process) if with_process else (proved, total)
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


REQUIRES = re.compile(r"^([A-Za-z_]\w*?)_requires(?:_\d+)?$")
REPORT_ABORT = ("[report] User Error: Classified errors found",
                "[kernel] Plug-in report aborted: invalid user input.")


def report_entries(sdir):
    """The properties the report plugin flagged in one process (its report.json), or None."""
    try:
        with open(f"{sdir}/report.json", encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def split_preconditions(procs):
    """Which flagged properties of a split run are explained by the split alone.

    WP proves a callee's precondition at each call site, in the process that selects the caller;
    Frama-C consolidates the precondition's status over all its call sites, so when the callers
    of f are divided between two processes, each process has proved only its own call sites and
    the report plugin calls the precondition "Unknown status" in both. Together the processes
    select every function exactly once (prove.py: the last one skips exactly the others; read_run
    rejects a function reported by two processes), so together they generate every call-site goal
    an unsplit run would, and read_run requires every goal of every process to be valid. Such a
    precondition is therefore proved. A flagged property is accepted as one only when
    - its class is "unclassified.unknown" with "Unknown status" (nothing was found invalid),
    - it is a precondition clause `<f>_requires[_<n>]` (Frama-C's name for an unnamed requires),
    - the WP log of the same process shows a valid call-site goal of it, named
      `typed_<caller>_call_<callee>_<f>_requires...` (<f> is the callee's name as Frama-C spells
      it in property names, e.g. memapi_fail for memapi__fail),
    - another process flags the same clause (same file and line): its call sites really are split.
    Anything else flagged (a postcondition, an assertion, a named clause, an invalid status, a
    clause flagged by one process only) keeps the report plugin's verdict: the run fails.

    procs: [(sdir, entries)] for the processes whose report plugin flagged something.
    Returns {sdir: [entries not accepted]}."""
    flagged = {}
    for sdir, entries in procs:
        for e in entries:
            flagged.setdefault((e.get("file"), e.get("line")), set()).add(sdir)
    rejected = {}
    for sdir, entries in procs:
        with open(f"{sdir}/wp.log", encoding="utf-8", errors="replace") as f:
            log = f.read()
        bad = []
        for e in entries:
            m = REQUIRES.match(e.get("title", ""))
            ok = (e.get("classid") == "unclassified.unknown" and e.get("descr") == "Unknown status"
                  and m is not None
                  and re.search(r"^\[wp\] \[[^]]+\] Goal typed_\w+_call_(?:\w*_)?" + re.escape(m.group(1)) +
                                r"_requires\w* : Valid", log, re.M) is not None
                  and len(flagged[(e.get("file"), e.get("line"))]) >= 2)
            if not ok:
                bad.append(e)
        rejected[sdir] = bad
    return rejected


def report_gate(procs):
    """Problems of the report plugin's verdicts [(sdir, rc)] over the processes of one run."""
    problems, flagged = [], []
    for sdir, rc in procs:
        if rc == "0":
            continue
        entries = report_entries(sdir)
        try:
            with open(f"{sdir}/wp.log", encoding="utf-8", errors="replace") as f:
                errors = [line.rstrip() for line in f
                          if "User Error" in line or "aborted" in line or "[kernel] Failure" in line]
        except OSError:
            errors = ["no wp.log"]
        # rc 1 with the report plugin's own abort and nothing else: the verdict is in report.json.
        if rc != "1" or not entries or any(line not in REPORT_ABORT for line in errors):
            problems.append(f"{sdir}: frama-c exit status {rc} (the run failed or the report "
                            "plugin found an unknown or invalid property: see its wp.log)")
            continue
        flagged.append((sdir, entries))
    if len(procs) > 1:
        rejected = split_preconditions(flagged)
        accepted = sum(len(e) - len(rejected[s]) for s, e in flagged)
        if accepted:
            print(f"prove: note: {accepted} 'Unknown status' verdict(s) on preconditions accepted: "
                  "their call sites are proved in separate processes (ledger.py split_preconditions)")
    else:
        rejected = {s: e for s, e in flagged}
    for sdir, bad in rejected.items():
        for e in bad:
            problems.append(f"{sdir}: report: {e.get('title')} ({e.get('file')}:{e.get('line')}): "
                            f"{e.get('descr')} [{e.get('classid')}]")
    return problems


def read_run(rundir):
    """(valid, total, {function: (proved, total)}, problems) over every process of a run."""
    valid = total = 0
    run, problems = {}, []
    with open(f"{rundir}/runs", encoding="utf-8") as f:
        procs = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    if not procs:
        problems.append("no Frama-C process recorded in " + rundir)
    problems += report_gate(procs)
    for index, (sdir, rc) in enumerate(procs):
        try:
            with open(f"{sdir}/wp-report.json", encoding="utf-8") as f:
                report = json.load(f)
        except (OSError, ValueError) as e:
            problems.append(f"{sdir}: no WP report ({e})")
            continue
        main_stats = report["wp:global"]["wp:main"]
        valid += main_stats.get("valid", 0)
        total += main_stats.get("total", 0)
        for name, counts in per_function(report).items():
            if name in run:
                problems.append(f"{name}: in the reports of two processes")
            run[name] = counts + (index,)
        problems += log_problems(f"{sdir}/wp.log")
    return valid, total, run, problems


def main(argv):
    args = argv[1:]
    if len(args) != 3 or args[0] not in ("check", "update"):
        sys.stderr.write(__doc__)
        return 2
    mode, ledger_path, rundir = args
    try:
        valid, total, run, problems = read_run(rundir)
        with open(f"{rundir}/digest", encoding="utf-8") as f:
            digest = f.read().strip()
    except OSError as e:
        print(f"prove: FAIL: no complete WP run in {rundir} ({e})")
        return 1
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
            f.write(DIGEST + digest + "\n")
            for name in sorted(run):
                f.write(f"{name}\t{run[name][0]}\t{run[name][1]}\t{run[name][2]}\n")
        print(f"prove: ledger {ledger_path} written ({len(run)} entries, inputs {digest[:19]}...)")
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
        proved, tot = run[name][:2]
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
