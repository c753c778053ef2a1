#!/usr/bin/env python3
"""Tests of the proof gate in proofs/ledger.py (run by `make prove` before Frama-C).

Each test builds the output of a small WP run (the files proofs/prove.py writes: runs, digest,
s<k>/{wp.log,wp-report.json,report.json}) and checks the verdict of `ledger.py check`, above all
that the one tolerance of a split run (split_preconditions) accepts nothing but what it states.
"""
import contextlib
import io
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ledger  # noqa: E402
import prove  # noqa: E402

REPORT_ABORT_LOG = "[report] User Error: Classified errors found\n" \
                   "[kernel] Plug-in report aborted: invalid user input.\n"


def wp_report(functions):
    """A -wp-report-json document: functions {name: (valid, total)}."""
    valid = sum(v for v, _ in functions.values())
    total = sum(t for _, t in functions.values())
    return {"wp:global": {"wp:main": {"total": total, "valid": valid}},
            "wp:functions": {n: {"wp:section": {"wp:main": {"total": t, "valid": v}}}
                             for n, (v, t) in functions.items()}}


def unknown(title, line, file="src/x.c", classid="unclassified.unknown", descr="Unknown status"):
    return {"classid": classid, "action": "ERROR", "title": title, "descr": descr,
            "file": file, "line": line}


class Run:
    """A fake run directory with one entry per process: (rc, functions, log, flagged)."""

    def __init__(self, root, procs, digest="sha256:0"):
        self.dir = root
        with open(os.path.join(root, "runs"), "w", encoding="utf-8") as runs:
            for k, (rc, functions, log, flagged) in enumerate(procs):
                sdir = os.path.join(root, f"s{k}")
                os.makedirs(sdir)
                with open(os.path.join(sdir, "wp-report.json"), "w", encoding="utf-8") as f:
                    json.dump(wp_report(functions), f)
                with open(os.path.join(sdir, "wp.log"), "w", encoding="utf-8") as f:
                    f.write(log + (REPORT_ABORT_LOG if flagged else ""))
                if flagged is not None:
                    with open(os.path.join(sdir, "report.json"), "w", encoding="utf-8") as f:
                        json.dump(flagged, f)
                runs.write(f"{sdir}\t{rc}\n")
        with open(os.path.join(root, "digest"), "w", encoding="utf-8") as f:
            f.write(digest + "\n")


def check(procs, ledger_lines=("f\t1\t1", "g\t1\t1")):
    """(exit status of `ledger.py check`, its output) on a fake run."""
    with tempfile.TemporaryDirectory() as root:
        run = Run(root, procs)
        path = os.path.join(root, "ledger.tsv")
        with open(path, "w", encoding="utf-8") as f:
            f.write(ledger.HEADER + "\n" + "\n".join(ledger_lines) + "\n")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            rc = ledger.main(["ledger.py", "check", path, run.dir])
        return rc, out.getvalue()


F_CALLS_H = "[wp] [Qed] Goal typed_f_call_h_h_requires : Valid (1ms)\n"
G_CALLS_H = "[wp] [Z3 4.8.12] Goal typed_g_call_h_h_requires_part1 : Valid (10ms)\n"


class SplitGate(unittest.TestCase):
    def test_unsplit_clean_run_passes(self):
        rc, out = check([("0", {"f": (1, 1), "g": (1, 1)}, F_CALLS_H + G_CALLS_H, None)])
        self.assertEqual(rc, 0, out)

    def test_precondition_split_between_processes_is_accepted(self):
        rc, out = check([("1", {"f": (1, 1)}, F_CALLS_H, [unknown("h_requires_3", 7)]),
                         ("1", {"g": (1, 1)}, G_CALLS_H, [unknown("h_requires", 7)])])
        self.assertEqual(rc, 0, out)
        self.assertIn("2 'Unknown status' verdict(s) on preconditions accepted", out)

    def test_unsplit_run_accepts_no_unknown(self):
        rc, out = check([("1", {"f": (1, 1), "g": (1, 1)}, F_CALLS_H + G_CALLS_H,
                          [unknown("h_requires", 7)])])
        self.assertEqual(rc, 1, out)
        self.assertIn("h_requires (src/x.c:7): Unknown status", out)

    def test_clause_flagged_by_one_process_only_fails(self):
        rc, out = check([("1", {"f": (1, 1)}, F_CALLS_H, [unknown("h_requires", 7)]),
                         ("0", {"g": (1, 1)}, G_CALLS_H, None)])
        self.assertEqual(rc, 1, out)

    def test_different_clauses_are_not_matched(self):
        rc, out = check([("1", {"f": (1, 1)}, F_CALLS_H, [unknown("h_requires", 7)]),
                         ("1", {"g": (1, 1)}, G_CALLS_H, [unknown("h_requires_2", 8)])])
        self.assertEqual(rc, 1, out)

    def test_postcondition_is_never_accepted(self):
        rc, out = check([("1", {"f": (1, 1)}, F_CALLS_H, [unknown("h_ensures", 9)]),
                         ("1", {"g": (1, 1)}, G_CALLS_H, [unknown("h_ensures", 9)])])
        self.assertEqual(rc, 1, out)

    def test_invalid_status_is_never_accepted(self):
        bad = unknown("h_requires", 7, classid="unclassified.invalid", descr="Invalid property")
        rc, out = check([("1", {"f": (1, 1)}, F_CALLS_H, [bad]),
                         ("1", {"g": (1, 1)}, G_CALLS_H, [bad])])
        self.assertEqual(rc, 1, out)

    def test_precondition_without_a_valid_call_goal_fails(self):
        rc, out = check([("1", {"f": (1, 1)}, "", [unknown("h_requires", 7)]),
                         ("1", {"g": (1, 1)}, G_CALLS_H, [unknown("h_requires", 7)])])
        self.assertEqual(rc, 1, out)

    def test_unproved_goal_fails_even_when_the_verdicts_match(self):
        rc, out = check([("1", {"f": (0, 1)}, F_CALLS_H, [unknown("h_requires", 7)]),
                         ("1", {"g": (1, 1)}, G_CALLS_H, [unknown("h_requires", 7)])])
        self.assertEqual(rc, 1, out)
        self.assertIn("1 goal(s) not proved", out)

    def test_other_failure_of_frama_c_fails(self):
        log = F_CALLS_H + "[kernel] User Error: cannot find function q\n"
        rc, out = check([("1", {"f": (1, 1)}, log, [unknown("h_requires", 7)]),
                         ("1", {"g": (1, 1)}, G_CALLS_H, [unknown("h_requires", 7)])])
        self.assertEqual(rc, 1, out)
        self.assertIn("frama-c exit status 1", out)

    def test_exit_status_other_than_the_report_plugins_fails(self):
        rc, out = check([("125", {"f": (1, 1)}, F_CALLS_H, [unknown("h_requires", 7)]),
                         ("1", {"g": (1, 1)}, G_CALLS_H, [unknown("h_requires", 7)])])
        self.assertEqual(rc, 1, out)

    def test_function_in_two_processes_fails(self):
        rc, out = check([("0", {"f": (1, 1), "g": (1, 1)}, "", None),
                         ("0", {"g": (1, 1)}, "", None)])
        self.assertEqual(rc, 1, out)
        self.assertIn("g: in the reports of two processes", out)

    def test_failed_smoke_test_in_log_fails(self):
        log = "[wp] [Failed] Smoke-test typed_f_wp_smoke_default_requires\n"
        rc, out = check([("0", {"f": (1, 1), "g": (1, 1)}, log, None)])
        self.assertEqual(rc, 1, out)

    def test_function_missing_from_the_run_fails(self):
        rc, out = check([("0", {"f": (1, 1)}, "", None)])
        self.assertEqual(rc, 1, out)
        self.assertIn("g: in the ledger (1/1) but not in this run", out)


class LiveResults(unittest.TestCase):
    """prove.py's account of the prover answers a wide replay obtained instead of replaying."""

    def test_only_entries_written_during_the_run_count(self):
        with tempfile.TemporaryDirectory() as cache:
            def put(name, text, mtime):
                path = os.path.join(cache, name)
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
                os.utime(path, ns=(mtime, mtime))
            put("old.json", '{ "prover": "Z3:4.8.12", "verdict": "timeout", "time": 40. }', 0)
            put("promoted.json", '{ "prover": "Z3:4.8.12", "verdict": "timeout", "time": 3. }', 0)
            before = prove.cache_snapshot(cache)
            put("won.json", '{ "prover": "CVC4:1.8", "verdict": "valid", "time": 0.5 }', 10**18)
            put("starved.json", '{ "prover": "CVC4:1.8", "verdict": "timeout", "time": 2. }', 10**18)
            put("promoted.json", '{ "prover": "Z3:4.8.12", "verdict": "unknown", "time": 1. }', 10**18)
            put("garbled.json", "{", 10**18)
            self.assertEqual(prove.live_results(cache, before),
                             {"won.json": "valid", "starved.json": "timeout",
                              "promoted.json": "unknown", "garbled.json": "?"})


if __name__ == "__main__":
    unittest.main()
