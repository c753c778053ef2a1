#!/usr/bin/env python3
"""The Eva stage (proofs/README.md, "Eva"): one Frama-C Eva run per driver, in parallel, then the gate.

A driver passes when Frama-C ran to its end and every property Eva reached (its alarms, the
preconditions of the C library's functions and of the models in proofs/eva/) is valid or dead,
except the alarms proofs/eva/accepted.tsv lists with their reason (matched on file, function, kind
and property text). It writes, in the output directory, <driver>.log, <driver>.csv (-report-csv),
<driver>.cover (the statements Eva reached, per function) and covered.tsv: one line
`<src file>\\t<function>` per library function that some driver reached and in which no driver has
an alarm (accepted or not).
"""
import argparse
import concurrent.futures
import csv
import os
import re
import subprocess
import sys
import time

# The library's files every driver analyses: the dispatch, the errors, the fatal hook.
CORE = ["src/layout.c", "src/arith.c", "src/error.c", "src/os_error.c", "src/fatal.c", "src/alloc.c",
        "src/resize.c", "src/alloc_temp.c", "src/checked.c", "src/forward.c", "src/default.c"]
# Per driver: the allocator's own files (the default allocator is in CORE: it is every wrapper's inner).
DRIVERS = {
    "default": [],
    "c_alloc": ["src/c_alloc.c"],
    "stack": ["src/stack.c"],
    "bump": ["src/bump.c"],
    "failing": ["src/failing.c"],
    "locked": ["src/locked.c"],
    "tracking": ["src/tracking.c"],
    "guard": ["src/guard.c", "src/bump.c"],
    "guard_fault": ["src/guard.c"],
    "cmalloc": ["src/cmalloc.c"],
}
# Per driver: Eva options of its own (proofs/README.md, "Eva", "Options"); --driver-flags adds to
# them. The guard drivers keep apart, in the function that calls memapi_guard_init, the states that
# call returns (about 50 in guard_fault: each previous SIGSEGV action, times init's outcomes), where
# the default slevel (35 at precision 3) joined those where init failed before writing the
# allocator with those where it succeeded: every later read of the allocator was then an
# "uninitialized" alarm.
DRIVER_FLAGS = {
    "guard": ["-eva-slevel-function", "with_guard:400", "-eva-unroll-recursive-calls", "3"],
    "guard_fault": ["-eva-slevel-function", "eva_main:400"],
}
OK_STATUS = {"Valid", "Considered valid", "Dead", "Valid under hypotheses", "Valid but dead",
             "Unknown but dead", "Invalid but dead"}
LIB_SOURCES = ["src", "src/internal", "include/memapi2", "include"]


def norm_fn(name):
    """A header inline function is printed once per including file: f, f_0, f_1, ..."""
    return re.sub(r"_\d+$", "", name)


def parse_driver_flags(text):
    out = {}
    for part in text.split(";"):
        if part.strip():
            name, _, opts = part.partition("=")
            out[name.strip()] = opts.split()
    return out


def load_accepted(path):
    acc = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 5 or not parts[4].strip():
                sys.exit(f"{path}:{n}: want 5 tab-separated fields (file, function, kind, property, reason)")
            acc.append(tuple(parts[:4]))
    return acc


def run_driver(name, args):
    out = args.out
    srcs = CORE + DRIVERS[name] + ["proofs/eva/libc.c", f"proofs/eva/d_{name}.c"]
    cmd = [args.framac, "-c11", "-machdep", "gcc_x86_64",
           "-cpp-command", os.path.abspath("proofs/eva/cpp.sh"), "-cpp-frama-c-compliant",
           "-cpp-extra-args=-Iinclude -Isrc -Iproofs/eva -include " + os.path.abspath("proofs/eva/prelude.h")
           + (" " + args.cpp_defs if args.cpp_defs else ""),
           "-kernel-warn-key", "typing:implicit-function-declaration=error",
           *srcs, "-eva", "-main", "eva_main", "-eva-precision", str(args.precision),
           *args.eva_flags.split(), *DRIVER_FLAGS.get(name, []),
           *args.driver_flags.get(name, []),
           "-eva-no-show-progress", "-eva-msg-key=-final-states",
           "-then", "-report-csv", f"{out}/{name}.csv",
           "-then", "-metrics", "-metrics-eva-cover"]
    t0 = time.time()
    with open(f"{out}/{name}.log", "w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        # Its own CPU time (user + system), which a loaded machine does not inflate as it does the wall time.
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    return name, proc.returncode, time.time() - t0, usage.ru_utime + usage.ru_stime


def fn_files(srcs):
    """{function: file} for the functions defined in srcs and in the library's headers (a definition
    starts a line: `type name(`, attributes aside; a source's over a header's). A name defined in
    two sources (a static function of the same name in both) is left out: which one Eva reached is
    not known."""
    cands = {}
    pat = re.compile(r"^[A-Za-z_][\w \*]*?\b([A-Za-z_]\w*)\s*\([^;]*$")
    files = list(srcs)
    for d in ["include/memapi2", "include", "src/internal"]:
        if os.path.isdir(d):
            files += sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".h"))
    for path in files:
        if not path.startswith(("src/", "include/")) or not os.path.exists(path):
            continue
        with open(path) as f:
            for line in f:
                line = re.sub(r"__attribute__\(\(.*?\)\)\s*", "", line)
                m = pat.match(line)
                if m and not line.startswith(("typedef", "return", "#")):
                    cands.setdefault(m.group(1), set()).add(path)
    where = {}
    for name, paths in cands.items():
        # A source's definition over a header's declaration (which may span lines too).
        srcs_ = [p for p in paths if p.endswith(".c")]
        pick = srcs_ if srcs_ else list(paths)
        if len(pick) == 1:
            where[name] = pick[0]
    return where


# The planted bugs of the self-check (make prove-eva-selftest): each is applied to a copy of the
# tree, where the driver named must then fail with an alarm in the function named.
MUTATIONS = [
    ("zalloc-aligned-zeroes-one-past", "src/default.c", "default", "heap_zalloc_aligned",
     "memset(p, 0, l.size);",
     "memset(p, 0, l.size + 1);"),
    ("zgrow-realloc-zeroes-one-past", "src/default.c", "default", "heap_realloc_zero",
     "memset((char *)p + old_l.size, 0, new_l.size - old_l.size);",
     "memset((char *)p + old_l.size, 0, new_l.size - old_l.size + 1);"),
    ("default-resize-copies-one-more", "src/resize.c", "default", "memapi__copy",
     "memapi__copy(fresh, ptr, old_layout.size < new_layout.size ? old_layout.size : new_layout.size);",
     "memapi__copy(fresh, ptr, (old_layout.size < new_layout.size ? old_layout.size : new_layout.size) + 1);"),
    ("guard-pattern-past-its-array", "src/guard.c", "guard_fault", "block_pattern",
     "for (unsigned i = 0; i < 8; i++) {",
     "for (unsigned i = 0; i <= 8; i++) {"),
]


def selftest(args):
    """Each planted bug must fail its driver, with an alarm in the function it is in."""
    import shutil
    import tempfile
    ok = True
    root = os.getcwd()
    for name, path, driver, fn, old, new in MUTATIONS:
        tmp = tempfile.mkdtemp(prefix=f"eva-{name}-")
        try:
            for d in ["src", "include", "proofs/eva"]:
                shutil.copytree(os.path.join(root, d), os.path.join(tmp, d))
            text = open(os.path.join(tmp, path)).read()
            if text.count(old) != 1:
                print(f"eva-selftest: {name}: the mutation does not match {path} exactly once")
                ok = False
                continue
            open(os.path.join(tmp, path), "w").write(text.replace(old, new))
            out = os.path.abspath(os.path.join(args.out, name))
            cmd = [sys.executable, os.path.join(tmp, "proofs/eva/eva.py"), "--framac", args.framac,
                   "--out", out, "--jobs", "1", "--precision", str(args.precision),
                   "--eva-flags", args.eva_flags, "--drivers", driver]
            res = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True)
            caught = res.returncode != 0 and re.search(rf": {re.escape(fn)}(_\d+)?: ", res.stdout)
            print(f"eva-selftest: {name} ({path}, driver {driver}): "
                  + ("caught" if caught else "NOT CAUGHT"))
            if not caught:
                print(res.stdout[-3000:])
                ok = False
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--framac", default="frama-c")
    ap.add_argument("--out", required=True)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--precision", type=int, default=3)
    ap.add_argument("--eva-flags", default="")
    ap.add_argument("--driver-flags", default="", type=parse_driver_flags,
                    help="extra Eva options of some drivers: driver=opts;driver=opts (measurements)")
    ap.add_argument("--cpp-defs", default="", help="extra -D flags (the mutation self-check)")
    ap.add_argument("--accepted", default="proofs/eva/accepted.tsv")
    ap.add_argument("--drivers", default=",".join(DRIVERS))
    ap.add_argument("--selftest", action="store_true", help="the planted bugs instead of the drivers")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if args.selftest:
        return selftest(args)
    accepted = load_accepted(args.accepted)
    drivers = [d for d in args.drivers.split(",") if d]
    for d in drivers:
        if d not in DRIVERS:
            sys.exit(f"eva: unknown driver {d}")
    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
        results = list(ex.map(lambda d: run_driver(d, args), drivers))
    failed = []
    reached, alarmed = {}, set()
    used_acc = set()
    for name, rc, secs, cpu in results:
        log = open(f"{args.out}/{name}.log").read()
        problems = []
        if rc != 0 or "ANALYSIS SUMMARY" not in log:
            problems.append(f"Frama-C failed (rc={rc}), see {args.out}/{name}.log")
        for pat, what in [(r"Neither code nor specification for function (\w+)", "no code nor specification"),
                          (r"NON TERMINATING FUNCTION", "a function that never terminates"),
                          (r"Degeneration occurred", "the analysis degenerated"),
                          (r"is currently not supported by Eva", "a libc specification Eva does not support")]:
            for m in re.finditer(pat, log):
                problems.append(f"{what}: {m.group(0)}")
        alarms, acc_here = [], 0
        if os.path.exists(f"{args.out}/{name}.csv"):
            with open(f"{args.out}/{name}.csv") as f:
                for row in csv.DictReader(f, delimiter="\t"):
                    if row["status"] in OK_STATUS:
                        continue
                    # A C library function's own precondition, consolidated over its call sites:
                    # each call site where it is not valid has its row ("precondition of f").
                    if row["property kind"] == "precondition" and row["directory"].endswith(("FRAMAC_SHARE/libc", "/frama-c/libc")):
                        continue
                    key = (row["file"], norm_fn(row["function"]), row["property kind"], row["property"])
                    alarmed.add(norm_fn(row["function"]))
                    if key in accepted:
                        used_acc.add(key)
                        acc_here += 1
                        continue
                    alarms.append(f"{row['file']}:{row['line']}: {row['function']}: {row['property kind']} "
                                  f"{row['status']}: {row['property']}")
        where = fn_files(CORE + DRIVERS[name])
        for m in re.finditer(r"^  (\w+): (\d+) stmts out of (\d+)", log, re.M):
            fn = norm_fn(m.group(1))
            if fn in where:
                reached[(where[fn], fn)] = True
        status = "ok" if not problems and not alarms else "FAIL"
        print(f"eva: {name}: {status}, {len(alarms)} alarm(s), {acc_here} accepted (proofs/eva/accepted.tsv), "
              f"{secs:.0f} s, {cpu:.0f} CPU-s")
        for p in problems + alarms:
            print(f"  {p}")
        if status != "ok":
            failed.append(name)
    with open(f"{args.out}/covered.tsv", "w") as f:
        rows = sorted(k for k in reached if k[1] not in alarmed)
        for path, fn in rows:
            f.write(f"{path}\t{fn}\n")
    print(f"eva: {len(drivers) - len(failed)} / {len(drivers)} drivers without an alarm, "
          f"{len(rows)} library functions covered ({args.out}/covered.tsv), {time.time() - t0:.0f} s, "
          f"{sum(r[3] for r in results):.0f} CPU-s")
    if failed:
        print("eva: FAIL: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
