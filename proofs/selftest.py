#!/usr/bin/env python3
"""Self-tests of the proof gate (run by `make prove` before the proof; proofs/README.md).

A gate that passes anything proves nothing. Each test below copies the proved tree into a
temporary directory, applies one mutation a careless or dishonest change could make, runs the
gate there (proofs/prove.py run, on the mutated function only where provers must run) and
requires it to FAIL, for the stated reason:

  weakened-ensures     an ensures weakened with the same goal count      -> its contract digest
  admit                an `admit` that hides a wrong assignment          -> the ACSL scan
  false-axiom          a consistent but false axiom                      -> the ACSL scan
  overflow-bug         an off-by-one in an overflow check (code only)    -> WP: goals not proved
  dead-behavior        a precondition that makes a behavior dead         -> the smoke tests
  contradictory-pre    a precondition that contradicts itself            -> the smoke tests

The last two change a contract; the test also rewrites the copy's ledger entry for it, as
someone updating the ledger with the change would, so that what must catch them is the proof.
Each mutation must match the source exactly once: a test whose mutation no longer applies fails
(it would otherwise pass by testing nothing).
"""
import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import program as prog  # noqa: E402
import prove  # noqa: E402

REPEAT_PACKED_OK = "ensures out->size == memapi_mul(l.size, count) && out->align == l.align;"
CHECK_CONTRACT = ("/*@ requires err == \\null || \\valid(err);\n    assigns *err;\n    behavior zero_align:\n"
                  "      assumes align == 0;")
TESTS = [
    dict(name="weakened-ensures", file="src/layout.c",
         old=REPEAT_PACKED_OK,
         new="ensures out->size <= memapi_max && out->align == l.align;",
         expect="(contract) memapi_layout_repeat_packed: its contract differs"),
    dict(name="admit", file="src/layout.c",
         old="    out->align = align;\n",
         new="    out->align = size | 1;\n    //@ admit out->align == align;\n",
         expect="admit (a property assumed, not proved)"),
    dict(name="false-axiom", file="include/memapi2/acsl.h",
         old="  axiomatic MemapiProofHeap {",
         new="  axiomatic MemapiK { logic integer memapi_k; axiom memapi_k_is: memapi_k == 3; }\n"
             "  axiomatic MemapiProofHeap {",
         expect="axiom (a fact assumed, not proved)"),
    dict(name="overflow-bug", file="src/layout.c",
         old="if (align - 1 > MAX || size > MAX - (align - 1))",
         new="if (align - 1 > MAX || size > MAX - align)",
         only="memapi_layout_check",
         expect="goal typed_memapi_layout_check_"),
    dict(name="dead-behavior", file="src/layout.c",
         old=CHECK_CONTRACT,
         new=CHECK_CONTRACT.replace("requires err", "requires align != 0;\n    requires err"),
         only="memapi_layout_check", repin=True,
         expect="smoke test of memapi_layout_check failed"),
    dict(name="contradictory-pre", file="src/layout.c",
         old=CHECK_CONTRACT,
         new=CHECK_CONTRACT.replace("requires err", "requires size < align && align < size;\n    requires err"),
         only="memapi_layout_check", repin=True,
         expect="smoke test of memapi_layout_check failed"),
]


def copy_tree(dst):
    for d in ("src", "include", "proofs", "examples"):
        shutil.copytree(os.path.join(ROOT, d), os.path.join(dst, d),
                        ignore=shutil.ignore_patterns("__pycache__", "*.tar.xz"))


def run_one(t, args):
    with tempfile.TemporaryDirectory(prefix=f"memapi-selftest-{t['name']}-") as tmp:
        copy_tree(tmp)
        pin_ledger_to_tree(tmp, args)
        path = os.path.join(tmp, t["file"])
        with open(path, encoding="utf-8") as f:
            src = f.read()
        if src.count(t["old"]) != 1:
            return t, False, f"the mutation matches {src.count(t['old'])} times in {t['file']} (must be once)", 0
        with open(path, "w", encoding="utf-8") as f:
            f.write(src.replace(t["old"], t["new"]))
        pa = prove_args(args)
        if t.get("repin"):
            led = prove.Ledger.read(os.path.join(tmp, "proofs/ledger.tsv"))
            p = prog.Program(prog.print_program(args.framac, pa["kernel"], pa["srcs"], cwd=tmp))
            led.fns[t["only"]]["contract"] = p.contract_digest(t["only"])
            led.logic.update(p.logic_digests())
            led.write(os.path.join(tmp, "proofs/ledger.tsv"))
        cmd = [sys.executable, "proofs/prove.py", "run", "--ledger", "proofs/ledger.tsv",
               "--trusted", "proofs/trusted.tsv", "--framac", args.framac,
               "--kernel-flags", args.kernel_flags, "--wp-flags", mutant_wp_flags(args.wp_flags), "--srcs", args.srcs,
               "--dir", os.path.join(tmp, "build"), "--why3conf", args.why3conf,
               "--jobs", "1", "--par", str(args.par), "--no-retry"]
        if args.smoke_flags:
            cmd += ["--smoke-flags", args.smoke_flags]
        cmd += ["--provers", args.provers, "--retry-provers", args.retry_provers,
                "--cvc4-logic", args.cvc4_logic, "--smoke-provers", args.smoke_provers]
        for c in args.config:
            cmd += ["--config", c]
        for u in args.user_program:
            cmd += ["--user-program", u]
        if t.get("only"):
            cmd += ["--only", t["only"]]
        t0 = time.time()
        # Frama-C resolves relative paths against $PWD, not the working directory: both must
        # name the copy, or the gate would read the unmutated tree.
        out = subprocess.run(cmd, cwd=tmp, env=dict(os.environ, PWD=tmp), capture_output=True, text=True,
                             check=False)
        text = out.stdout + out.stderr
        ok = out.returncode != 0 and t["expect"] in text
        detail = "" if ok else f"exit {out.returncode}; expected {t['expect']!r} in:\n{text[-3000:]}"
        return t, ok, detail, time.time() - t0


def pin_ledger_to_tree(tmp, args):
    """Make the copy's ledger pin the copy's own (unmutated) contracts and logic, as
    `make prove-update-ledger` would: the mutation is then the only difference the gate can see,
    also while the working tree has a contract the committed ledger does not pin yet."""
    pa = prove_args(args)
    path = os.path.join(tmp, "proofs/ledger.tsv")
    led = prove.Ledger.read(path)
    p = prog.Program(prog.print_program(args.framac, pa["kernel"], pa["srcs"], cwd=tmp))
    fns = set(p.proved_functions())
    for name in [n for n in led.fns if "@" not in n and n not in fns]:
        del led.fns[name]
    for f in fns:
        e = led.fns.setdefault(f, dict(proved=0, total=0, smoke=0, key="-", contract="-"))
        e["contract"] = p.contract_digest(f)
    led.logic.update(p.logic_digests())
    led.copies = dict(p.copies)
    led.write(path)


def mutant_wp_flags(flags):
    """The proof's flags with a 5-second prover timeout: a mutant's unprovable goal then fails in
    5 s instead of the proof's 40, and memapi_layout_check's goals (the only ones a mutant proves)
    take milliseconds, so no goal fails for lack of time."""
    return re.sub(r"-wp-timeout\s+\d+", "-wp-timeout 5", flags)


def prove_args(args):
    import shlex
    return dict(kernel=shlex.split(args.kernel_flags), srcs=args.srcs.split())


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--why3conf", required=True)
    ap.add_argument("--framac", default="frama-c")
    ap.add_argument("--kernel-flags", required=True)
    ap.add_argument("--wp-flags", required=True)
    ap.add_argument("--srcs", required=True)
    ap.add_argument("--smoke-flags", default="", help="as prove.py run --smoke-flags")
    ap.add_argument("--provers", default="cvc4", help="as prove.py run --provers")
    ap.add_argument("--retry-provers", default="cvc4,z3", help="as prove.py run --retry-provers")
    ap.add_argument("--cvc4-logic", default="", help="as prove.py run --cvc4-logic")
    ap.add_argument("--smoke-provers", default="z3", help="as prove.py run --smoke-provers")
    ap.add_argument("--config", action="append", default=[], help="as prove.py run --config")
    ap.add_argument("--user-program", action="append", default=[], help="as prove.py run --user-program")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--par", type=int, default=2)
    args = ap.parse_args(argv)
    t0 = time.time()
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for t, ok, detail, secs in pool.map(lambda t: run_one(t, args), TESTS):
            print(f"prove-selftest: {t['name']}: {'the gate fails, as it must' if ok else 'FAIL'}"
                  f" ({secs:.0f} s){'' if ok else ': ' + detail}", flush=True)
            failed += not ok
    print(f"prove-selftest: {len(TESTS) - failed} / {len(TESTS)} mutations caught in {time.time() - t0:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
