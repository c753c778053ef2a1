#!/usr/bin/env python3
"""Deterministic starting seeds for the core harnesses, encoded for fuzz/fuzz_input.h's decoder:
the spec's examples (reference-behaviour.md sections 1-3) and every error kind. They were grown by
fuzzing and merge-minimised (`make fuzz-merge`) into fuzz/corpus/; this script only documents and
reproduces the starting point:  python3 fuzz/gen_seeds.py OUTDIR  (writes OUTDIR/<harness>/)."""
import hashlib
import os
import struct
import sys

MAX = (1 << 63) - 1
HIGH = 1 << 63
SMAX = (1 << 64) - 1


def size(v):
    """fin_size, raw form: tag 0, the unused k byte, 8 little-endian bytes."""
    return bytes([0, 0]) + struct.pack("<Q", v)


def align(v):
    """fin_align, raw form (any value, not only powers of two)."""
    return bytes([0]) + size(v)


def layout(s, a):
    """read_layout with flags 0: taken as is, possibly forged."""
    return bytes([0]) + size(s) + align(a)


def layout_round(s=0, a=1, n=0, off=0, l=(0, 1), m=(0, 1)):
    return size(s) + align(a) + size(n) + size(off) + layout(*l) + layout(*m)


def layout_seeds():
    rounds = [
        # from_size_align, check, posix_from, array: (s, a, n)
        dict(s=0, a=1), dict(s=MAX - 7, a=8), dict(s=MAX - 6, a=8), dict(s=MAX, a=1), dict(s=HIGH, a=1),
        dict(s=8, a=0), dict(s=8, a=3), dict(s=0, a=HIGH), dict(s=1, a=HIGH), dict(s=10, a=2),
        dict(s=MAX, a=2), dict(s=1, a=1, n=MAX), dict(s=1, a=1, n=HIGH),
        dict(s=4, a=4, n=(HIGH - 4) // 4), dict(s=4, a=4, n=(HIGH - 4) // 4 + 1), dict(s=0, a=8, n=SMAX),
        # fam: offset + n * elem
        dict(s=4, a=8, n=3, off=12), dict(s=SMAX, a=8, n=2, off=0), dict(s=1, a=8, n=SMAX, off=1),
        dict(s=1, a=16, n=MAX, off=0),
        # padding_needed_for, align_to, align_to_multiple_of: (l, a)
        dict(l=(6, 8), a=8), dict(l=(6, 8), a=2), dict(l=(6, 8), a=0), dict(l=(6, 8), a=3),
        dict(l=(MAX, 1), a=2), dict(l=(16, 8), a=12), dict(l=(16, 8), a=32), dict(l=(30, 8), a=16),
        dict(l=(30, 16), a=8), dict(l=(16, 8), a=4),
        # repeat, repeat_packed: (l, n)
        dict(l=(3, 2), n=3), dict(l=(3, 2), n=0), dict(l=(3, 2), n=SMAX), dict(l=(4, 2), n=MAX // 4 + 1),
        # extend: (l, m)
        dict(l=(4, 4), m=(8, 8)), dict(l=(8, 8), m=(100, 1)), dict(l=(100, 1), m=(8, 8)),
        dict(l=(MAX // 2 + 1, 1), m=(0, 1)), dict(l=(MAX, 1), m=(0, 2)), dict(l=(MAX - 15, 16), m=(16, 1)),
        # to_posix and forged layouts
        dict(l=(10, 1)), dict(l=(10, 32)), dict(l=(MAX, 1)), dict(l=(1, 0)), dict(l=(1, 6)), dict(l=(HIGH, 1)),
        dict(l=(0, HIGH), m=(0, HIGH)),
    ]
    return [layout_round(**r) for r in rounds]


ADD, SUB, MUL, DIV, REM, DIV_CEIL, POW = range(7)


def arith(op, l, r):
    if op >= 7:
        return bytes([7]) + size(l) + size(r) + struct.pack("<I", op)
    return bytes([op]) + size(l) + size(r)


def arith_seeds():
    cases = [
        (ADD, 1, 2), (ADD, SMAX, 1), (ADD, MAX, HIGH), (SUB, 5, 3), (SUB, 3, 5), (MUL, 1 << 32, 1 << 32),
        (MUL, (1 << 32) - 1, 1 << 32), (MUL, 0, SMAX), (DIV, 10, 0), (DIV, 10, 3), (REM, 10, 0), (REM, 10, 3),
        (DIV_CEIL, 7, 2), (DIV_CEIL, 6, 2), (DIV_CEIL, 0, 5), (DIV_CEIL, SMAX, 2), (DIV_CEIL, 1, 0),
        (POW, 2, 63), (POW, 2, 64), (POW, 0, 0), (POW, 0, 5), (POW, 1, 1 << 32), (POW, 3, 40), (POW, 3, 41),
        (POW, 7, (1 << 32) - 1), (POW, SMAX, 1), (POW, SMAX, 2), (7, 1, 2), (255, 1, 2), (0x7FFFFFFE, 0, 0),
        # align_up_checked / is_multiple_of / ptr_max_align see the same (l, r)
        (ADD, 7, 8), (ADD, MAX - 7, 8), (ADD, MAX - 6, 8), (ADD, 0x1000, 0), (ADD, 0, 0), (ADD, HIGH, 3),
    ]
    return [arith(*c) for c in cases]


def err_input(kind, cause=0, errno_sel=0, msg=2, le_kind=3, le=(5, 8), n_sel=0, arith=(10, 3, 0),
              vals=(16, 8), ptr=0x1000, rec=(32, 16), lay=(16, 8)):
    """read_error's fields in order; kinds >= count are written as forged (0xF0 + index)."""
    def arith_bytes(a):
        return size(a[0]) + bytes([a[1]]) + size(a[2])
    return (bytes([kind]) + size(lay[0]) + size(lay[1]) + bytes([cause, errno_sel, msg, le_kind]) +
            size(le[0]) + size(le[1]) + bytes([n_sel]) + (size(7) if n_sel % 4 >= 2 else b"") + arith_bytes(arith) + size(vals[0]) + size(vals[1]) +
            arith_bytes(arith) + bytes([msg]) + size(ptr) + size(rec[0]) + size(rec[1]))


def error_format_seeds():
    seeds = [err_input(k) for k in range(12)]
    seeds += [err_input(0, cause=c, msg=m) for c in range(4) for m in (0, 5)]
    seeds += [err_input(0, cause=3, errno_sel=e) for e in range(10)]
    seeds += [err_input(1, le_kind=k, n_sel=n) for k in range(6) for n in (0, 1, 2)]
    seeds += [err_input(1, le_kind=3, le=(MAX, HIGH), n_sel=1), err_input(5, arith=(SMAX, 6, SMAX))]
    seeds += [err_input(8, msg=m) for m in range(7)] + [err_input(9, msg=0, ptr=0), err_input(11, ptr=SMAX)]
    seeds += [err_input(0xF0 + i) for i in range(6)] + [err_input(0, cause=0xF3), err_input(1, le_kind=0xF5)]
    seeds += [err_input(5, arith=(1, 0xF0, 2))]
    return seeds


def main(out):
    for name, seeds in (("layout", layout_seeds()), ("arith", arith_seeds()),
                        ("error_format", error_format_seeds())):
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        for s in seeds:
            with open(os.path.join(d, hashlib.sha1(s).hexdigest()), "wb") as f:
                f.write(s)
        print(f"{d}: {len(seeds)} seeds")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "fuzz/seeds")
