#!/usr/bin/env python3
"""Combines the benchmark drivers' output into one markdown table and checks the issue's targets.

usage: report.py OUT_DIR RESULTS_MD

OUT_DIR holds time-<bin>.tsv (lines T, trace, op, row, ns), calls-<bin>-<trace>.tsv (lines C, trace,
op, row, function, calls) and cg-<bin>-<trace>.out (callgrind). Instructions per operation = the
inclusive Ir of all calls to the row's entry function / the number of those calls (both from
callgrind's call records). Baselines: "raw libc" for
the allocators, "hand-written" for the layout functions.
"""
import datetime
import glob
import os
import re
import subprocess
import sys

out, results_md = sys.argv[1], sys.argv[2]

times, order = {}, []
for path in sorted(glob.glob(os.path.join(out, "time-*.tsv")),
                   key=lambda p: (not p.endswith("memapi.tsv"), p)):
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if f[0] == "T":
            key = (f[1], f[2], f[3])
            times[key] = float(f[4])
            order.append(key)

NAME = re.compile(r"\((\d+)\)(?: (.*))?$")


def callee_costs(path):
    """Inclusive Ir and call count of every called function, from the calls= records of a callgrind
    output file: robust against inlining, which splits a function's own lines across files."""
    names, cost, calls = {}, {}, {}
    cfn, pending = None, None
    for line in open(path):
        if line.startswith(("fn=", "cfn=")):
            key, val = line.rstrip("\n").split("=", 1)
            m = NAME.match(val)
            if m:
                if m.group(2):
                    names[m.group(1)] = m.group(2)
                val = names[m.group(1)]
            if key == "cfn":
                cfn = val.split(".")[0]  # gcc clones: f.constprop.0 is f
            pending = None
        elif line.startswith("calls="):
            pending = (cfn, int(line[6:].split()[0]))
        elif pending and line[:1] in "0123456789+-*":
            fn, n = pending
            cost[fn] = cost.get(fn, 0) + int(line.split()[-1])
            calls[fn] = calls.get(fn, 0) + n
            pending = None
    return cost, calls


instr = {}
for path in glob.glob(os.path.join(out, "calls-*.tsv")):
    cost, ncalls = callee_costs(path.replace("calls-", "cg-").replace(".tsv", ".out"))
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if f[0] == "C" and ncalls.get(f[4], 0) > 0:
            instr[(f[1], f[2], f[3])] = cost[f[4]] / ncalls[f[4]]
            if (f[1], f[2], f[3]) not in times:
                order.append((f[1], f[2], f[3]))


def baseline(key):
    trace, op, row = key
    if trace == "layout":
        return (trace, op, "hand-written")
    if trace in ("mixed", "small"):
        return (trace, "free" if op.startswith("free") else op, "raw libc")
    return None


def fmt(v, spec):
    return "–" if v is None else format(v, spec)


lines = ["| trace | operation | allocator | ns/op (median) | × raw | instr/op | Δ instr vs raw |",
         "|---|---|---|---:|---:|---:|---:|"]
for key in order:
    b = baseline(key)
    t, i = times.get(key), instr.get(key)
    bt = times.get(b) if b and b != key else None
    bi = instr.get(b) if b and b != key else None
    lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
        key[0], key[1], key[2], fmt(t, ".1f"),
        fmt(t / bt if t is not None and bt else None, ".2f"), fmt(i, ".1f"),
        fmt(i - bi if i is not None and bi is not None else None, "+.1f")))
table = "\n".join(lines)

targets = []


def target(text, key, kind, limit, base=None):
    """kind: 'di' (instr - base instr <= limit), 'ri' (time ratio <= limit), 'ai' (instr <= limit),
    'speed' (base time / time >= limit)."""
    v = None
    if kind == "di" and key in instr and base in instr:
        v = instr[key] - instr[base]
        ok = v <= limit
        shown = "%+.1f instr" % v
    elif kind == "ri" and key in times and base in times:
        v = times[key] / times[base]
        ok = v <= limit
        shown = "%.2fx" % v
    elif kind == "ai" and key in instr:
        v = instr[key]
        ok = v <= limit
        shown = "%.1f instr" % v
    elif kind == "speed" and key in times and base in times:
        v = times[base] / times[key]
        ok = v >= limit
        shown = "%.1fx faster" % v
    if v is None:
        targets.append("| %s | not measured (row absent) | – |" % text)
    else:
        targets.append("| %s | %s | %s |" % (text, shown, "met" if ok else "**missed**"))


D, R = "memapi default", "raw libc"
for op in ("alloc", "free"):
    target("default %s ≤ raw + 16 instr" % op, ("mixed", op, D), "di", 16, ("mixed", op, R))
    target("default %s ≤ 1.10x raw time (mixed)" % op, ("mixed", op, D), "ri", 1.10, ("mixed", op, R))
for op in ("grow", "shrink"):
    target("default %s ≤ 1.10x realloc time (mixed)" % op, ("mixed", op, D), "ri", 1.10, ("mixed", op, R))
target("default aligned alloc ≤ posix_memalign + 16 instr", ("mixed", "alloc_aligned", D), "di", 16,
       ("mixed", "alloc_aligned", R))
for op in ("from_size_align", "from_size_align (const)", "array", "array (const elem)"):
    target("%s within 2 instr of hand-written" % op, ("layout", op, "memapi"), "di", 2,
           ("layout", op, "hand-written"))
target("bump direct API, const layout ≤ 12 instr", ("bump", "alloc (const layout)", "bump direct API"), "ai", 12)
target("bump via interface, const layout ≤ 30 instr", ("bump", "alloc (const layout)", "bump via memapi_alloc"),
       "ai", 30)
target("bump via interface, small trace ≤ 30 instr", ("small", "alloc", "bump arena"), "ai", 30)
target("bump ≥ 5x faster than glibc malloc (small trace, alloc+free)", ("small", "alloc+free", "bump arena"),
       "speed", 5, ("small", "alloc+free", R))
target_table = "\n".join(["| target | measured | status |", "|---|---|---|"] + targets)

print(table)
print()
print(target_table)

cpu = "unknown"
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
except OSError:
    pass
cc = subprocess.run([os.environ.get("CC", "cc"), "--version"], capture_output=True, text=True).stdout.split("\n")[0]
with open(results_md, "w") as f:
    f.write("# Benchmark results (written by `make bench`)\n\n")
    f.write("- date: %s\n- machine: %s, nproc %d\n- compiler: %s\n\n" % (
        datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), cpu, os.cpu_count() or 0, cc))
    f.write("ns/op: median of 9 interleaved runs (CLOCK_MONOTONIC). instr/op: callgrind inclusive instructions "
            "of the row's entry function divided by its calls (a short pass: 2 rounds of 1000 blocks, "
            "4 rounds of 1024 small blocks, 20k layout calls). × raw and Δ compare with raw libc (layout: the "
            "hand-written check) measured in the same run; the mimalloc and jemalloc rows come from their own "
            "binaries and are compared with the glibc row.\n\n")
    f.write(table + "\n\n## Targets\n\n" + target_table + "\n")
