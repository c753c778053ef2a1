#!/usr/bin/env python3
"""Starting seeds of the threads harness (fuzz/fuzz_threads.c), encoded for its decoder:
[b0][b1] then 4-byte operations [op][slot | target << 4 | flags][size low][size high | align log2 << 2],
cut into one equal slice per thread. Each seed gives every thread a tour of every operation, with
blocks handed to the next thread and taken back; fuzz/corpus/threads is these seeds grown by
fuzzing and merge-minimised. Usage: python3 fuzz/gen_threads_seeds.py OUTDIR (writes OUTDIR/threads/)."""
import os
import sys

ALLOCATORS = ["default", "tracking", "bump", "guard", "locked2-probe", "probe", "nofree", "failing"]
(ALLOC, ZALLOC, GROW, ZGROW, SHRINK, REALLOC, REZALLOC, TRY_DEALLOC, DEALLOC, OWNS, GIVE, _GIVE2, TAKE,
 TEMP) = range(14)
REENTER = 0x80  # flag of the slot byte of an alloc: the probe calls back into the wrappers
ZERO_TEMP = 0x40  # flag of the slot byte of a scoped allocation: zalloc_temp


def op(code, slot=0, size=1, align_log2=3, target=0, flags=0):
    size = (size - 1) % 1024
    return bytes([code, slot | (target << 4) | flags, size & 0xFF, (size >> 8) | (align_log2 << 2)])


def tour(tid, nthreads):
    """One thread's operations: every kind, a hand-over to the next thread, a take."""
    nxt = (tid + 1) % nthreads
    ops = [
        op(ALLOC, 0, 24 + tid, 3), op(ZALLOC, 1, 100, 4), op(ALLOC, 2, 7, 0, flags=REENTER),
        op(ALLOC, 3, 1000, 6), op(GROW, 0, 40), op(ZGROW, 1, 200, 5), op(SHRINK, 3, 300, 6),
        op(REALLOC, 2, 513, 2), op(REZALLOC, 0, 900, 3), op(OWNS), op(GIVE, 1, target=nxt),
        op(GIVE, 3, target=nxt), op(TEMP, 0, 64, 3), op(TEMP, 0, 33, 5, flags=ZERO_TEMP), op(TAKE, 4),
        op(TAKE, 5), op(OWNS), op(REALLOC, 4, 16, 1), op(TRY_DEALLOC, 0), op(DEALLOC, 2), op(ALLOC, 0, 5, 1),
        op(ALLOC, 5, 64, 6, flags=REENTER), op(SHRINK, 5, 1, 6), op(GIVE, 5, target=nxt), op(TAKE, 1),
    ]
    return b"".join(ops)


def seq(alloc, nthreads, init_case=0, b1=0, repeat=1):
    b0 = alloc | ((nthreads - 2) << 3) | (init_case << 5)
    slices = [tour(t, nthreads) * repeat for t in range(nthreads)]
    return bytes([b0, b1]) + b"".join(slices)


def threads_seeds():
    seeds = []
    for a, name in enumerate(ALLOCATORS):
        for n in (2, 3, 4):
            seeds.append((f"threads-{name}-{n}", seq(a, n)))
    # the failing layer's nth call reached by one thread or another; guard quarantine and mprotect
    for nth in (1, 7, 40):
        seeds.append((f"threads-failing-nth{nth}", seq(7, 4, b1=nth)))
    seeds.append(("threads-guard-quarantine-mprotect", seq(3, 4, b1=7)))
    # memapi_locked_init's errors (each case, then all with each pthread failure code)
    for case in range(1, 8):
        seeds.append((f"threads-init-error-{case}", seq(case % 8, 2, init_case=case, b1=case << 5)))
    # longer runs: the tour twice per thread
    for a in (1, 4, 5):
        seeds.append((f"threads-{ALLOCATORS[a]}-4-long", seq(a, 4, repeat=2)))
    return seeds


def main(out):
    d = os.path.join(out, "threads")
    os.makedirs(d, exist_ok=True)
    seeds = threads_seeds()
    for name, s in seeds:
        with open(os.path.join(d, name), "wb") as f:
            f.write(s)
    print(f"{d}: {len(seeds)} named seeds")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "fuzz/seeds")
