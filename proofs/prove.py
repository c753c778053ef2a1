#!/usr/bin/env python3
"""Run Frama-C WP for `make prove` (mk/prove.mk, proofs/README.md).

    prove.py digest --flags FLAGS --srcs SRCS [--ledger LEDGER]
                                              print the digest of the proof inputs (and whether
                                              the ledger records the same; exit 1 if not)
    prove.py run --mode replay|none ...       run WP (see `prove.py run --help`)

Why this exists. Replaying the committed result cache is bound by Frama-C itself, not by the
provers: WP still generates every goal and simplifies it with Qed (tens of milliseconds each, on
one core), and its task scheduler sleeps 50 ms between rounds, so one process with `-wp-par 2`
replayed the whole core in about 25 minutes. So:

- the functions are split into `--jobs` groups balanced by their goal counts, each proved by its
  own Frama-C process (one per core). Every group but the last is selected with `-wp-fct`, the
  last with `-wp-skip-fct` of all the others, so every function is in exactly one group,
  including functions that are not in the ledger yet. WP generates no lemma goal under either
  selection, so one more small process proves the lemmas (`-wp-prop=@lemma`). WP's tasks, and so
  the cache keys, depend on the selection (it numbers string literals in the order it meets
  them), so the split is recorded in the ledger and every run, from scratch or replay, uses it;
- a from-scratch run, and a replay whose inputs differ from the recorded ones, run the processes
  one after the other with `--par` prover jobs each, as the proofs were timed with: WP gives a goal
  one scheduler slot per prover, so with one slot Z3 would have to time out before CVC4 starts;
- a replay of exactly the recorded inputs runs the processes side by side and schedules
  `--replay-par` goals at a time in each, so a round of the scheduler moves many cached results.

A wide scheduler also means many provers at once for a task that is *not* in the cache, and a
prover sharing the CPU may time out: a goal would then fail (safe), but a smoke test would pass
without having had its time. Two things keep that from happening:

- the wide replay needs the recorded inputs: the digest of the AST WP proves (Frama-C's print of
  the sources, headers and annotations), the WP flags and the tool versions must equal the one in
  the ledger, written by the
  complete from-scratch run that filled the cache, so every smoke test and goal has its result
  there, obtained at full prover strength;
- it is checked, not assumed: the wide replay writes what the provers answer into the build
  directory's copy of the cache, and every answer obtained during the run must be "valid" (a
  prover proving a goal the cache already had from the other prover, which contention cannot make
  wrong). Any other answer (timeout, unknown, failure) is removed from the copy and the whole run
  is done again one process at a time with `--par`, as a from-scratch run.
"""
import argparse
import hashlib
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ledger  # noqa: E402  (proofs/ledger.py)

VERDICT = re.compile(r'"verdict"\s*:\s*"(\w+)"')
TOOLS = (["frama-c", "-version"], ["why3", "--version"], ["z3", "--version"],
         ["cvc4", "--version"])


def tool_versions(framac):
    out = []
    for cmd in TOOLS:
        if cmd[0] == "frama-c":
            cmd = [framac] + cmd[1:]
        try:
            text = subprocess.run(cmd, capture_output=True, text=True, check=False).stdout
        except OSError:
            text = "missing"
        out.append(cmd[0] + ": " + (text.strip().splitlines() or ["?"])[0])
    return out


def proof_ast(flags, srcs, framac="frama-c"):
    """The program WP proves: Frama-C's own print of the parsed sources and their annotations.

    Run with the kernel options of `flags` (those before `-wp`: the C dialect, the machine and the
    preprocessor arguments), so that it is exactly the AST the proof starts from, with every
    contract, lemma and ghost in it, and nothing that the preprocessor removes under `__FRAMAC__`
    (code compiled only outside the proof, such as the inline fast paths of the headers) nor
    comments or layout. Returns None if Frama-C cannot print it (the digest then matches nothing).
    """
    kernel = []
    for f in shlex.split(flags):
        if f == "-wp":
            break
        kernel.append(f)
    with tempfile.TemporaryDirectory() as tmp:
        ast = os.path.join(tmp, "ast.c")
        try:
            r = subprocess.run([framac] + kernel + list(srcs) + ["-print", "-ocode", ast],
                               capture_output=True, check=False)
        except OSError:
            return None
        if r.returncode != 0 or not os.path.exists(ast):
            return None
        with open(ast, "rb") as f:
            return f.read()


def digest(flags, srcs, framac="frama-c"):
    """sha256 over the WP flags, the tool versions and the AST WP proves (proof_ast).

    The AST rather than the files' bytes: a change to code the proof never sees (under
    `#ifndef __FRAMAC__`), to a comment or to the layout leaves every proof task as it was, and
    needs no new from-scratch run; any change to what WP proves (code, contracts, lemmas, the
    libc specifications through the Frama-C version) changes the digest.
    """
    h = hashlib.sha256()
    h.update(("flags: " + " ".join(shlex.split(flags)) + "\n").encode())
    for line in tool_versions(framac):
        h.update((line + "\n").encode())
    ast = proof_ast(flags, sorted(set(srcs)), framac)
    if ast is None:
        return "sha256:unavailable"
    h.update(f"ast {len(ast)}\n".encode())
    h.update(ast)
    return "sha256:" + h.hexdigest()


def shard(goals, jobs):
    """Split {function: goals} into `jobs` groups of near-equal goal totals (largest first)."""
    groups = [[0, []] for _ in range(jobs)]
    for name in sorted(goals, key=lambda n: (-goals[n], n)):
        g = min(groups, key=lambda x: x[0])
        g[0] += goals[name]
        g[1].append(name)
    return [sorted(g[1]) for g in groups]


def split(ledger_path, jobs):
    """Function groups of processes 0 .. jobs-2 (process jobs-1 takes every other function).

    The split recorded in the ledger is kept when it has this many processes: WP names some
    objects of a task (string literals, for one) in the order it meets them, so the same goal
    proved under another selection of functions is a different task for the cache."""
    if jobs == 1:
        return []
    entries = ledger.read_ledger(ledger_path, with_process=True) if os.path.exists(ledger_path) else {}
    fns = {n: e for n, e in entries.items() if not n.startswith("axiomatic:")}
    procs = {e[2] for e in fns.values()}
    if fns and None not in procs and max(procs) == jobs - 1 and \
            entries.get("axiomatic:", (0, 0, jobs))[2] == jobs:
        return [sorted(n for n, e in fns.items() if e[2] == k) for k in range(jobs - 1)]
    return shard({n: e[1] for n, e in fns.items()}, jobs)[:-1]


def cache_snapshot(cache):
    """{entry: mtime} of a WP cache directory."""
    return {e.name: e.stat().st_mtime_ns for e in os.scandir(cache)}


def live_results(cache, before):
    """{entry: verdict} of the cache entries written since `before` (a cache_snapshot)."""
    out = {}
    for name, mtime in cache_snapshot(cache).items():
        if before.get(name) == mtime:
            continue
        # WP writes entries such as { "prover": "Z3:4.8.12", "verdict": "timeout", "time": 2. },
        # not always valid JSON: read the verdict field only. Unreadable counts as not valid.
        try:
            with open(os.path.join(cache, name), encoding="utf-8") as f:
                m = VERDICT.search(f.read())
        except OSError:
            m = None
        out[name] = m.group(1) if m else "?"
    return out


def run_processes(args, flags, gate, srcs, jobs, functions, par, parallel, cache_mode):
    """Run the Frama-C processes of one WP run; [(output directory, exit status)]."""
    out = args.dir
    print(f"prove: {jobs} Frama-C process(es) for the functions"
          f"{' and one for the lemmas' if jobs > 1 else ''}, -wp-par {par} each, "
          f"{'side by side' if parallel else 'one after the other'}")
    procs = []
    runs = jobs + 1 if jobs > 1 else 1
    for k in range(runs):
        sdir = os.path.join(out, f"s{k}")
        os.makedirs(sdir, exist_ok=True)
        for stale in ("wp.log", "wp-report.json", "report.json", "rc"):
            if os.path.exists(os.path.join(sdir, stale)):
                os.remove(os.path.join(sdir, stale))
        if jobs == 1:
            select = []
        elif k < jobs - 1:
            select = ["-wp-fct", ",".join(functions[k])]
        elif k == jobs - 1:
            select = ["-wp-skip-fct", ",".join(f for grp in functions for f in grp)]
        else:
            select = ["-wp-prop=@lemma"]
        gate_k = [g.replace("@REPORT@", os.path.join(sdir, "report.json")) for g in gate]
        cmd = ([args.framac] + flags + ["-wp-par", str(par)] + select +
               ["-wp-report-json", os.path.join(sdir, "wp-report.json"),
                "-wp-cache", cache_mode, "-wp-cache-dir", args.cache] + srcs + gate_k)
        log = open(os.path.join(sdir, "wp.log"), "w", encoding="utf-8")
        env = dict(os.environ, WHY3CONFIG=args.why3conf)
        procs.append((k, sdir, subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env),
                      log))
        if not parallel:
            procs[-1][2].wait()
    result = []
    for k, sdir, p, log in procs:
        rc = p.wait()
        log.close()
        with open(os.path.join(sdir, "rc"), "w", encoding="utf-8") as f:
            f.write(f"{rc}\n")
        what = ("every function and lemma" if jobs == 1 else
                f"{len(functions[k])} functions" if k < jobs - 1 else
                "the other functions" if k == jobs - 1 else "the lemmas")
        print(f"prove: [{k}] {what}: frama-c exit status {rc}, log {sdir}/wp.log")
        with open(os.path.join(sdir, "wp.log"), encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
        show = False
        for line in lines:
            if line.startswith("[wp] Proved goals") or line.startswith("[wp] [Cache]"):
                show = True
            elif line.startswith("["):
                show = False
            if show or "User Error" in line or line.startswith("[kernel] User Error"):
                print(f"prove: [{k}] {line}")
        result.append((sdir, rc))
    return result


def run(args):
    out = args.dir
    os.makedirs(out, exist_ok=True)
    flags = shlex.split(args.flags)
    gate = shlex.split(args.gate)
    srcs = shlex.split(args.srcs)
    # Taken before the run, so that it names what the provers saw even if a file changes meanwhile.
    want = digest(args.flags, srcs, args.framac)
    recorded = ledger.read_digest(args.ledger) if os.path.exists(args.ledger) else None
    jobs = args.jobs
    selecting = [f for f in flags if f.split("=")[0] in ("-wp-fct", "-wp-skip-fct", "-wp-prop")]
    if selecting and jobs > 1:
        print(f"prove: note: the flags select goals ({selecting[0]}): one Frama-C process")
        jobs = 1
    par, parallel = args.par, False
    if args.mode == "replay":
        if recorded == want:
            par, parallel = args.replay_par, True
            print(f"prove: proof inputs match the ledger ({want[:19]}...): replaying with "
                  f"{par} goals scheduled at a time in each Frama-C process")
        else:
            print("prove: note: proof inputs differ from the ledger's "
                  f"({'none recorded' if recorded is None else recorded[:19] + '...'} "
                  f"!= {want[:19]}...): replaying as a from-scratch run does (one process at a time, "
                  f"-wp-par {args.par}), tasks missing from the cache go to the provers; "
                  "`make prove-update-ledger` records a new run")
    functions = split(args.ledger, jobs)
    start = time.time()
    if parallel:
        # Written into the build directory's copy of the cache, so that what the provers answered
        # during this run can be told from what was replayed.
        before = cache_snapshot(args.cache)
        procs = run_processes(args, flags, gate, srcs, jobs, functions, par, True, "update")
        live = live_results(args.cache, before)
        suspect = {n: v for n, v in live.items() if v != "valid"}
        print(f"prove: {len(live)} task(s) were not in the cache and went to the provers, "
              f"{len(live) - len(suspect)} of them valid")
        if suspect:
            # A "valid" answer is the same under contention; any other may be a prover starved of
            # the CPU, and a smoke test would pass on it. Drop those answers and run again as a
            # from-scratch run does.
            for name in suspect:
                os.remove(os.path.join(args.cache, name))
            print(f"prove: {len(suspect)} of them not valid (" +
                  ", ".join(sorted(set(suspect.values()))) + "), obtained with the CPU shared: "
                  f"running again one process at a time with -wp-par {args.par}")
            procs = run_processes(args, flags, gate, srcs, jobs, functions, args.par, False, "replay")
    else:
        procs = run_processes(args, flags, gate, srcs, jobs, functions, par, False,
                              "replay" if args.mode == "replay" else "update")
    with open(os.path.join(out, "runs"), "w", encoding="utf-8") as f:
        for sdir, rc in procs:
            f.write(f"{sdir}\t{rc}\n")
    with open(os.path.join(out, "digest"), "w", encoding="utf-8") as f:
        f.write(want + "\n")
    print(f"prove: wall {int(time.time() - start)} s")
    return 0


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("digest")
    d.add_argument("--flags", required=True)
    d.add_argument("--framac", default="frama-c")
    d.add_argument("--srcs", required=True)
    d.add_argument("--ledger")
    r = sub.add_parser("run")
    r.add_argument("--mode", choices=("replay", "none"), required=True)
    r.add_argument("--jobs", type=int, default=2, help="Frama-C processes for the functions (one more proves the lemmas)")
    r.add_argument("--par", type=int, default=2, help="-wp-par of each process when proving")
    r.add_argument("--replay-par", type=int, default=8, help="-wp-par of each process replaying the recorded inputs")
    r.add_argument("--dir", required=True, help="output directory (s<k>/ per process)")
    r.add_argument("--cache", required=True, help="WP cache directory")
    r.add_argument("--ledger", required=True)
    r.add_argument("--why3conf", required=True)
    r.add_argument("--framac", default="frama-c")
    r.add_argument("--flags", required=True, help="WP flags, without -wp-par and selection")
    r.add_argument("--gate", required=True, help="options after the WP run (@REPORT@: JSON path)")
    r.add_argument("--srcs", required=True, help="the files proved")
    a = p.parse_args(argv[1:])
    if a.cmd == "digest":
        now = digest(a.flags, shlex.split(a.srcs), a.framac)
        print(f"proof inputs now:     {now}")
        if a.ledger is None:
            return 0
        recorded = ledger.read_digest(a.ledger) if os.path.exists(a.ledger) else None
        print(f"recorded in {a.ledger}: {recorded}")
        print("same inputs: make prove replays in parallel" if now == recorded else
              "different: make prove replays with one process; make prove-update-ledger records")
        return 0 if now == recorded else 1
    if a.jobs < 1 or a.par < 1 or a.replay_par < 1:
        p.error("--jobs, --par and --replay-par must be at least 1")
    return run(a)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
