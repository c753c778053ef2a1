#!/usr/bin/env python3
"""Combines the benchmark drivers' output into one markdown table, and prints the interface's budgets
(instructions from callgrind, times as ratios against the raw call of the same run), each with what
the run measured and whether it is met.

usage: report.py OUT_DIR RESULTS_MD

OUT_DIR holds time-<bin>.tsv (lines T, trace, op, row, ns), and per callgrind run calls-<run>.tsv
(lines C, trace, op, row, function, calls) with its callgrind files cg-<run>.out[.N]. The mixed and
small runs hold one row each and one dump per phase, labelled "trace/op" (driver.c); the extra run
(layout micro-benchmarks) is a single file.

Per operation, from the calls= records of the dumps with that label:
  instr/op    inclusive Ir of the row's entry function / its calls
  heap/op     inclusive Ir of the calls from the program into the heap functions of another object
              (malloc, free, calloc, realloc, posix_memalign; mi_*, mallocx/rallocx/sdallocx; the
              mem* copies and fills), made inside the entry function, / the entry's calls
  overhead/op instr/op - heap/op: the entry function itself, the dispatch, the allocator's entry,
              everything but the heap's own work (the price of the checks and the indirect calls)
Baselines: "raw libc" for the allocators, "hand-written" for the layout functions.
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
HEAP = re.compile(r"^(malloc|free|calloc|realloc|posix_memalign|aligned_alloc|memalign|mi_\w+|mallocx|rallocx|"
                  r"sdallocx|dallocx|(__)?mem(set|cpy|move)\w*)$")


class Part:
    """One callgrind dump: per called function, keyed by (its source file, its name), inclusive Ir
    and calls; and the heap calls' Ir. Keying by file keeps a benchmark row's entry function apart
    from a library function of the same name (a static `locked_alloc` in src/locked.c and a row
    `locked_alloc` were once summed together); the rows' functions are also named `row_<tag>_<op>`,
    which no library function is."""

    def __init__(self):
        self.label, self.cost, self.calls, self.heap = None, {}, {}, 0


def is_lib(obj):
    return obj is not None and ".so" in os.path.basename(obj)


def read_parts(path):
    """Parses a callgrind file (string compression on or off) into a Part. Heap calls are the calls
    from the program (not a shared object) into a heap function of a shared object."""
    part, names = Part(), {}
    ob = cob = cfn = None
    fl = cfl = None
    pending = None

    def name(val):
        m = NAME.match(val)
        if not m:
            return val
        if m.group(2):
            names[(m.group(1))] = m.group(2)
        return names[m.group(1)]

    for line in open(path):
        if line.startswith("desc: Trigger: Client Request: "):
            part.label = line.rstrip("\n").split(": ", 2)[2].split("Client Request: ", 1)[-1]
        elif line.startswith("ob="):
            ob = cob = name_ob(line[3:], names)
        elif line.startswith("fl="):
            fl = cfl = name_ob(line[3:], names, "fl")
        elif line.startswith(("fi=", "fe=")):
            name_ob(line[3:], names, "fl")  # an inlined file's name, kept for later references
        elif line.startswith(("cfi=", "cfl=")):
            cfl = name_ob(line[4:], names, "fl")
        elif line.startswith("cob="):
            cob = name_ob(line[4:], names)
        elif line.startswith(("fn=", "cfn=")):
            key, val = line.rstrip("\n").split("=", 1)
            val = name(val)
            if key == "cfn":
                cfn = val.split(".")[0]  # gcc clones: f.constprop.0 is f
            else:
                cob, cfl = ob, fl
            pending = None
        elif line.startswith("calls="):
            pending = (cfn, cob, int(line[6:].split()[0]))
        elif pending and line[:1] in "0123456789+-*":
            fn, callee_ob, n = pending
            c = int(line.split()[-1])
            where = (cfl, fn)
            part.cost[where] = part.cost.get(where, 0) + c
            part.calls[where] = part.calls.get(where, 0) + n
            if not is_lib(ob) and is_lib(callee_ob) and HEAP.match(fn):
                part.heap += c
            pending = None
            cob, cfl = ob, fl
    return part


def name_ob(val, names, space="ob"):
    """Object names, and file names, each have their own compression table (keys prefixed so as
    not to clash with fn)."""
    val = val.rstrip("\n")
    m = NAME.match(val)
    if not m:
        return val
    if m.group(2):
        names[space + m.group(1)] = m.group(2)
    return names[space + m.group(1)]


def is_bench_file(path):
    """A source file of the benchmark itself (bench/...), where every row's entry function is."""
    return path is not None and os.path.basename(os.path.dirname(path)) == "bench"


def is_header(path):
    """One of the library's installed headers. Callgrind names a call's callee by the file of the
    callee's first instruction: a bench function that begins with inlined header code (the layout
    micro-benchmarks, the bump arena's direct calls) is named by that header's file."""
    return path is not None and os.path.basename(os.path.dirname(path)) == "memapi2"


def bench_fn(counts, fn):
    """The count of the benchmark's own function `fn` in a Part's table, whatever else shares its
    name: the callee's file is the benchmark's, or a header inlined at its start. A library
    function's file is under src/; the rows' own functions are named row_<tag>_<op> besides, which
    no library function is."""
    return sum(v for (fl, f), v in counts.items() if f == fn and (is_bench_file(fl) or is_header(fl)))


instr, heap = {}, {}
for path in sorted(glob.glob(os.path.join(out, "calls-*.tsv"))):
    run = os.path.basename(path)[len("calls-"):-len(".tsv")]
    parts = [read_parts(f) for f in glob.glob(os.path.join(out, "cg-%s.out*" % run))]
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if f[0] != "C":
            continue
        key, fn = (f[1], f[2], f[3]), f[4]
        label = "%s/%s" % (f[1], f[2])
        mine = [p for p in parts if p.label == label] or [p for p in parts if p.label is None]
        cost = sum(bench_fn(p.cost, fn) for p in mine)
        calls = sum(bench_fn(p.calls, fn) for p in mine)
        if calls > 0:
            instr[key] = cost / calls
            if f[1] in ("mixed", "small"):  # one phase per dump: the heap calls are the entry's
                heap[key] = sum(p.heap for p in mine) / calls
            if key not in times:
                order.append(key)


def baseline(key):
    trace, op, row = key
    if trace == "layout":
        return (trace, op, "hand-written")
    if trace in ("mixed", "small"):
        return (trace, "free" if op.startswith("free") else op, "raw libc")
    return None


def fmt(v, spec):
    return "–" if v is None else format(v, spec)


def overhead(key):
    return instr[key] - heap[key] if key in instr and key in heap else None


lines = ["| trace | operation | allocator | ns/op (median) | × raw | instr/op | Δ instr vs raw | heap instr/op "
         "| overhead/op | Δ overhead vs raw |",
         "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
for key in order:
    b = baseline(key)
    t, i, o = times.get(key), instr.get(key), overhead(key)
    bt = times.get(b) if b and b != key else None
    bi = instr.get(b) if b and b != key else None
    bo = overhead(b) if b and b != key else None
    lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
        key[0], key[1], key[2], fmt(t, ".1f"),
        fmt(t / bt if t is not None and bt else None, ".2f"), fmt(i, ".1f"),
        fmt(i - bi if i is not None and bi is not None else None, "+.1f"),
        fmt(heap.get(key), ".1f"), fmt(o, ".1f"),
        fmt(o - bo if o is not None and bo is not None else None, "+.1f")))
table = "\n".join(lines)

# The instruction budgets of the interface (issue "The price of the interface"): one row per budget,
# with what this run measured and whether it meets it. Instruction budgets compare the "Δ overhead"
# column (the heap's own instructions excluded, raw libc's subtracted), unless said otherwise.
budgets = []
D, R, DN = "memapi default", "raw libc", "memapi default, err NULL"
MUTEX = ("mutex", "lock+unlock", "pthread, error-checking")


def budget(text, key, kind, limit, base=None, limit_text=None):
    """kind: 'do' (Δ overhead vs base <= limit), 'di' (Δ instr vs base <= limit), 'ai' (instr <= limit),
    'ri' (time ratio to base <= limit), 'speed' (base time / time >= limit). A limit of None: its
    reference row is missing, so the budget cannot be judged."""
    v, shown = None, None
    if limit is None:
        pass
    elif kind == "do" and key in heap and base in heap:
        v = overhead(key) - overhead(base)
        shown = "%+.1f instr" % v
    elif kind == "di" and key in instr and base in instr:
        v = instr[key] - instr[base]
        shown = "%+.1f instr" % v
    elif kind == "ai" and key in instr:
        v = instr[key]
        shown = "%.1f instr" % v
    elif kind == "ri" and key in times and base in times:
        v = times[key] / times[base]
        shown = "%.2fx" % v
    elif kind == "speed" and key in times and base in times:
        v = times[base] / times[key]
        shown = "%.1fx faster" % v
    lim = limit_text or {"do": "%+g instr", "di": "%+g instr", "ai": "≤ %g instr", "ri": "≤ %.2fx",
                         "speed": "≥ %gx"}[kind] % (limit if limit is not None else float("nan"))
    if v is None:
        budgets.append("| %s | %s | not measured (row absent) | – |" % (text, lim))
    else:
        ok = v >= limit if kind == "speed" else v <= limit
        budgets.append("| %s | %s | %s | %s |" % (text, lim, shown, "met" if ok else "**missed**"))


M = lambda op, row: ("mixed", op, row)  # noqa: E731
budget("default alloc, `err` given", M("alloc", D), "do", 24, M("alloc", R))
budget("default alloc, `err` NULL", M("alloc", DN), "do", 16, M("alloc", R))
budget("default free", M("free", D), "do", 16, M("free", R))
budget("default aligned alloc vs `posix_memalign`", M("alloc_aligned", D), "do", 16, M("alloc_aligned", R))
budget("default grow vs `realloc` (mixed trace)", M("grow", D), "do", 24, M("grow", R))
budget("default shrink vs `realloc` (mixed trace)", M("shrink", D), "do", 24, M("shrink", R))
budget("`MEMAPI_LAYOUT_ARRAY`, variable element size, vs the hand-written check",
       ("layout", "array (variable size)", "memapi"), "di", 2, ("layout", "array (variable size)", "hand-written"))
budget("bump alloc, direct, constant layout", ("bump", "alloc (const layout)", "bump direct API"), "ai", 12)
budget("bump alloc through `memapi_alloc`, constant layout", ("bump", "alloc (const layout)", "bump via memapi_alloc"),
       "ai", 30)
budget("bump alloc through `memapi_alloc`, small trace", ("small", "alloc", "bump arena"), "ai", 30)
budget("bump vs glibc malloc, small trace, alloc+free, same run", ("small", "alloc+free", "bump arena"), "speed", 5,
       ("small", "alloc+free", R))
pair = instr.get(MUTEX)
for op in ("alloc", "free"):
    budget("locked(default) %s" % op, M(op, "locked(default)"), "do", None if pair is None else pair + 24,
           M(op, R), limit_text="≤ mutex pair + 24 = %s" % ("%+.1f instr" % (pair + 24) if pair is not None else "?"))
for op in ("alloc", "free"):
    budget("tracking(default) %s" % op, M(op, "tracking(default)"), "do", 80, M(op, R))
for op in ("alloc", "free"):
    budget("failing(default), every rule off, %s" % op, M(op, "failing(default)"), "do", 24, M(op, R))
budget("c_alloc shrink, time vs `realloc` (mixed trace)", M("shrink", "c_alloc"), "ri", 1.10, M("shrink", R))
budget_table = "\n".join(["| operation | budget | measured | met |", "|---|---|---|---|"] + budgets)

print(table)
print()
print(budget_table)

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
            "4 rounds of 1024 small blocks, 20k layout calls), each row in a fresh process on the same trace, "
            "one callgrind dump per phase. heap instr/op: the part of it spent in the heap's functions "
            "(malloc, free, calloc, realloc, posix_memalign, mem*; mimalloc's and jemalloc's entries). "
            "overhead/op = instr/op - heap instr/op: the entry function, the dispatch, the allocator's entry. "
            "× raw and Δ compare with raw libc (layout: the hand-written check); the budgets on instructions "
            "use Δ overhead. The mutex rows are one uncontended pthread lock+unlock pair per call, the unit of "
            "the locked wrapper's budget (its own kind: error-checking). The mimalloc and jemalloc rows come from their own binaries and are compared "
            "with the glibc row.\n\n")
    f.write(table + "\n\n## Budgets\n\n" + budget_table + "\n")
