#!/usr/bin/env python3
"""Deterministic starting seeds for the harnesses, encoded for fuzz/fuzz_input.h's decoder:
the spec's examples (reference-behaviour.md sections 1-3) and every error kind; for fuzz_alloc.c,
operation sequences over every allocator and mode (encoded for its decoder, see Seq below). They were grown by
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


# ---- fuzz_alloc.c: allocator operation sequences -------------------------------------------------
(A_DEFAULT, A_SYSTEM, A_C_ALLOC, A_STACK, A_LOCKED, A_BUMP, A_FAILING, A_TRACKING, A_TRACKING_TABLE,
 A_GUARD) = range(10)
(OP_ALLOC, OP_ZALLOC, OP_DEALLOC, OP_TRY_DEALLOC, OP_GROW, OP_ZGROW, OP_SHRINK, OP_REALLOC, OP_REZALLOC,
 OP_TEMP, OP_ZTEMP, OP_CHECKED_DEALLOC, OP_CHECKED_RESIZE, OP_NEGATIVE, OP_VERIFY, OP_SPECIAL) = range(16)
GROW, ZGROW, SHRINK, REALLOC, REZALLOC = range(5)


A_SIZE_EDGE_BIG = {4097: 31, 8192: 32, 12289: 33, 65536: 34, 65537: 35, 1 << 20: 36}


def a_size(v):
    """rd_size: 0..63 in one byte, 64..319 in two, anything up to 4096 in three, the larger edge
    sizes of rd_size's table (A_SIZE_EDGE_BIG) in one."""
    if v in A_SIZE_EDGE_BIG:
        return bytes([0xC0 | A_SIZE_EDGE_BIG[v]])
    if v < 64:
        return bytes([v])
    if v < 320:
        return bytes([0x40, v - 64])
    return bytes([0x80, v & 0xFF, v >> 8])


def a_align(a):
    return bytes([a.bit_length() - 1])


def a_layout(s, a):
    return bytes([0]) + a_size(s) + a_align(a)


def a_forged(kind):
    """rd_forged behind the marker byte: align 0, align 6, or (MAX - 7 + 1, 8)."""
    if kind == 0:
        return bytes([0x0F, 0, 1, 0, 40])
    if kind == 1:
        return bytes([0x0F, 1, 1, 0, 6]) + a_size(24)
    return bytes([0x0F, 2, 3, 0])


def a_new(rel, d=0, s=0, a=1, forged=0):
    """rd_new_layout: 0 same, 1 size + d + 1, 2 size - d - 1, 3 align * 2, 4 align / 2, 5 (s, a), 6 forged, 7 size 0."""
    head = bytes([rel, d])
    if rel == 5:
        return head + a_size(s) + a_align(a)
    if rel == 6:
        return head + a_forged(forged)[1:]
    return head


class Seq:
    """One input: header, then operations; in fault mode each operation starts with its fault byte."""

    def __init__(self, alloc, fault=False, c1=0, c2=0, rules=None, os_faults=None, init=None):
        """os_faults: OS-fault mode (flags bit 1), each operation's OS fault byte taken in turn from
        this list; init: the guard's initialisation fault byte in that mode."""
        self.fault = fault
        self.os = list(os_faults) if os_faults is not None else None
        self.b = bytes([alloc, (1 if fault else 0) | (2 if self.os is not None else 0), c1, c2])
        if alloc == A_FAILING and not fault:
            self.b += bytes(rules or [0, 0, 0, 0])
        if self.os is not None and alloc in (A_GUARD, A_LOCKED):
            self.b += bytes([(OS_NONE if alloc == A_GUARD else LOCKED_INIT_NONE) if init is None else init])
        self.fb = 0
        self.ob = 0

    def op(self, code, slot=0, args=b"", fb=None, ob=None):
        if self.fault:
            self.b += bytes([self.fb if fb is None else fb])
            self.fb = (self.fb + 1) % 4
        if self.os is not None:
            self.b += bytes([(self.os[self.ob % len(self.os)] if self.os else OS_NONE) if ob is None else ob])
            self.ob += 1
        self.b += bytes([code, slot]) + args
        return self

    def alloc(self, slot, s, a, zero=False):
        return self.op(OP_ZALLOC if zero else OP_ALLOC, slot, a_layout(s, a))

    def resize(self, kind, slot, new, empty_align=None, checked=False):
        args = a_align(empty_align) if empty_align else b""
        if checked:
            return self.op(OP_CHECKED_RESIZE, slot, bytes([kind]) + args + new)
        return self.op(OP_GROW + kind, slot, args + new)


def tour(alloc, fault=False, c1=0, c2=0, rules=None, os_faults=None):
    """Every operation once or twice on a handful of blocks."""
    q = Seq(alloc, fault, c1, c2, rules, os_faults)
    q.alloc(0, 24, 8).alloc(1, 100, 16, zero=True).alloc(2, 0, 4).alloc(3, 4096, 4096 if alloc != A_STACK else 64)
    q.resize(GROW, 0, a_new(1, 40)).resize(ZGROW, 1, a_new(1, 200)).resize(SHRINK, 0, a_new(2, 10))
    q.resize(REALLOC, 1, a_new(3)).resize(REZALLOC, 0, a_new(5, s=300, a=64)).resize(REALLOC, 3, a_new(7))
    q.resize(GROW, 4, a_new(1, 16), empty_align=8).resize(REZALLOC, 5, a_new(5, s=17, a=32), empty_align=16)
    q.resize(GROW, 0, a_new(0)).resize(SHRINK, 1, a_new(1, 5)).resize(GROW, 1, a_new(2, 5))
    q.resize(GROW, 1, a_new(4)).resize(SHRINK, 0, a_new(6, forged=1))
    q.op(OP_TEMP, 0, a_layout(64, 8) + b"\x00").op(OP_ZTEMP, 0, a_layout(64, 64) + b"\x00")
    q.op(OP_TEMP, 0, a_layout(0, 16) + b"\x00").op(OP_TEMP, 0, a_layout(8, 8) + b"\x1f")
    q.op(OP_ZTEMP, 0, a_forged(2) + b"\x00")
    q.resize(GROW, 0, a_new(1, 8), checked=True).resize(SHRINK, 1, a_new(2, 8), checked=True)
    q.resize(ZGROW, 6, a_new(1, 8), empty_align=8, checked=True)
    q.op(OP_ALLOC, 7, a_forged(0)).op(OP_ZALLOC, 7, a_forged(1)).op(OP_ALLOC, 7, a_forged(2))
    q.op(OP_NEGATIVE, 0, bytes([0, 0]) + a_layout(8, 8)).op(OP_NEGATIVE, 0, bytes([0, 0]) + a_forged(1))
    q.op(OP_NEGATIVE, 0, bytes([1, 0x40]) + a_new(1, 4)).op(OP_NEGATIVE, 0, bytes([1, 0xC1]) + a_new(1, 4))
    q.op(OP_NEGATIVE, 1, bytes([2, 3]) + a_forged(0)[1:] + a_new(1, 4))
    q.op(OP_NEGATIVE, 0, bytes([3, 1]) + a_forged(2)[1:]).op(OP_NEGATIVE, 1, bytes([3, 2]))
    q.op(OP_NEGATIVE, 0, bytes([4, 0])).op(OP_NEGATIVE, 0, bytes([4, 0x82]) + a_new(1, 4))
    q.op(OP_NEGATIVE, 0, bytes([5, 1])).op(OP_NEGATIVE, 1, bytes([5, 0x80]) + a_new(1, 4))
    q.op(OP_NEGATIVE, 0, bytes([7, 3]) + a_align(16)).op(OP_NEGATIVE, 0, bytes([8, 0]) + a_align(32))
    q.op(OP_SPECIAL, 0, b"\x01").op(OP_SPECIAL, 1, b"\x02").op(OP_VERIFY, 0)
    q.op(OP_NEGATIVE, 1, bytes([6, 1])).op(OP_NEGATIVE, 0, bytes([6, 0x80]) + a_new(1, 4))
    q.op(OP_CHECKED_DEALLOC, 2).op(OP_DEALLOC, 3).op(OP_TRY_DEALLOC, 4).alloc(0, 3000, 2)
    return q.b


def lifo(alloc, fault=False, c1=0, c2=0):
    """Bump-friendly: the most recent block resized in place, freed, and the space reused."""
    q = Seq(alloc, fault, c1, c2)
    q.alloc(0, 10, 1).alloc(1, 33, 32).resize(GROW, 1, a_new(1, 100)).resize(SHRINK, 1, a_new(2, 50))
    q.resize(REALLOC, 1, a_new(3)).op(OP_TRY_DEALLOC, 1).alloc(2, 7, 8).op(OP_DEALLOC, 2)
    q.alloc(3, 4000, 16).alloc(4, 4000, 16).op(OP_NEGATIVE, 4, bytes([6, 0])).op(OP_NEGATIVE, 3, bytes([6, 0]))
    q.op(OP_TEMP, 0, a_layout(500, 128) + b"\x00").op(OP_SPECIAL, 0, b"\x00")
    return q.b


def fill_up(alloc, n, fault=False, c1=0, c2=0):
    """Allocate until a fixed table (or an arena) is full, then resize from size 0 both ways."""
    q = Seq(alloc, fault, c1, c2)
    for i in range(n):
        q.alloc(i, 16 + i, 8)
    q.resize(GROW, 15, a_new(1, 8), empty_align=8).resize(GROW, 15, a_new(3), empty_align=8)
    q.op(OP_TEMP, 0, a_layout(16, 8) + b"\x00").op(OP_TRY_DEALLOC, 0).alloc(14, 16, 8)
    return q.b


# fuzz_alloc.c's OS fault byte (os_decode): call in bits 0-3, bit 4 the second call, bits 5-7 the code.
(OS_MALLOC, OS_CALLOC, OS_REALLOC, OS_MEMALIGN, OS_MMAP, OS_MPROTECT, OS_MUNMAP, OS_MADVISE, OS_SYSCONF,
 OS_GETENTROPY, OS_STRERROR_R) = range(11)
OS_NONE = 0x0F
# c_alloc and locked(default) decode the call bits their own way (fuzz_alloc.c, os_pick)
C_MALLOC, C_CALLOC, C_REALLOC, C_POSIX_MEMALIGN = range(4)
L_MALLOC, L_CALLOC, L_REALLOC, L_MEMALIGN, L_LOCK = range(5)
# locked's init byte: 0 pthread_mutexattr_init, 1 pthread_mutexattr_settype, 2 pthread_mutex_init, 3 none
L_ATTR_INIT, L_SETTYPE, L_MUTEX_INIT, LOCKED_INIT_NONE = range(4)


def osb(call, second=False, code=0):
    return call | (0x10 if second else 0) | (code << 5)


def os_seeds():
    """Named seeds of the OS-fault mode: (name, input)."""
    seeds = []
    for a, name in ((A_DEFAULT, "default"), (A_SYSTEM, "system")):
        # each heap call fails once (and a second-call fault that never fires), with and without *err;
        # slot bytes are 2 * index (bit 0 would call the exported functions), op | 0xF0 passes err NULL
        q = Seq(a, os_faults=[])
        q.op(OP_ALLOC, 0, a_layout(24, 8), ob=OS_NONE).op(OP_ALLOC, 2, a_layout(24, 8), ob=osb(OS_MALLOC))
        q.op(OP_ZALLOC, 2, a_layout(100, 16), ob=osb(OS_CALLOC))
        q.op(OP_ALLOC, 2, a_layout(4096, 4096), ob=osb(OS_MEMALIGN))
        q.op(OP_ALLOC, 2, a_layout(64, 64), ob=osb(OS_MEMALIGN, code=1))
        q.op(OP_ZALLOC, 2, a_layout(8, 32), ob=osb(OS_MEMALIGN)).op(OP_ALLOC, 2, a_layout(100, 16), ob=OS_NONE)
        for kind in (GROW, SHRINK, ZGROW, REALLOC, REZALLOC):
            q.op(OP_GROW + kind, 0, a_new(1 if kind != SHRINK else 2, 3), ob=osb(OS_REALLOC))
        q.op(OP_REZALLOC, 0, a_new(5, s=300, a=64), ob=osb(OS_MEMALIGN))
        q.op(OP_GROW, 0, a_new(5, s=200, a=32), ob=osb(OS_MEMALIGN, code=1))
        q.op(OP_GROW, 4, a_align(8) + a_new(1, 16), ob=osb(OS_MALLOC))
        q.op(OP_ZGROW, 4, a_align(8) + a_new(1, 16), ob=osb(OS_CALLOC))
        q.op(OP_GROW, 0, a_new(1, 8), ob=osb(OS_REALLOC, second=True))
        q.op(0xF0 | OP_ALLOC, 6, a_layout(32, 8), ob=osb(OS_MALLOC))
        q.op(0xF0 | OP_ZALLOC, 6, a_layout(32, 8), ob=osb(OS_CALLOC))
        q.op(0xF0 | OP_ALLOC, 6, a_layout(32, 128), ob=osb(OS_MEMALIGN, code=1))
        q.op(0xF0 | OP_GROW, 0, a_new(1, 8), ob=osb(OS_REALLOC))
        q.op(0xF0 | OP_ZGROW, 0, a_new(1, 8), ob=osb(OS_REALLOC))
        q.op(OP_CHECKED_RESIZE, 0, bytes([GROW]) + a_new(1, 8), ob=osb(OS_REALLOC))
        seeds.append((f"os-{name}-heap-faults", q.b))
        seeds.append((f"os-{name}-tour", tour(a, os_faults=[osb(c, n, k) for c in range(4) for n in (False, True)
                                                           for k in (0, 1)] + [OS_NONE])))
    # guard: each call of the initialisation fails (with several codes), then the guard runs
    inits = [("mmap-meta", osb(OS_MMAP)), ("mmap-pool", osb(OS_MMAP, True, 1)),
             ("mprotect-meta", osb(OS_MPROTECT, code=2)), ("mprotect-second", osb(OS_MPROTECT, True)),
             ("madvise-probe", osb(OS_MADVISE, code=4)), ("sysconf", osb(OS_SYSCONF)),
             ("getentropy", osb(OS_GETENTROPY, code=1)), ("mmap-meta-eperm", osb(OS_MMAP, code=3))]
    for label, init in inits:
        for c2 in (0x00, 0x80):  # guard regions where the kernel has them; forced mprotect
            q = Seq(A_GUARD, c1=0x01, c2=c2, os_faults=[], init=init)
            q.alloc(0, 24, 8).alloc(1, 5000, 16).op(OP_DEALLOC, 0).op(OP_TRY_DEALLOC, 1)
            seeds.append((f"os-guard-init-{label}{'-mprotect' if c2 else ''}", q.b))
    # guard: the arming (guard regions), the opening of a block's pages (both modes) and the
    # fallback's heap call fail, with ENOMEM (a full pool) and with other codes (an OS error)
    faults = [osb(OS_MADVISE, code=0), osb(OS_MADVISE, code=2), osb(OS_MPROTECT, code=1),
              osb(OS_MADVISE, True, 1), OS_NONE, osb(OS_MADVISE, code=3), osb(OS_MPROTECT, code=0),
              osb(OS_MPROTECT, code=2), osb(OS_MALLOC), osb(OS_CALLOC), osb(OS_MEMALIGN, code=1)]
    for c1, c2, label in ((0x01, 0x00, "regions"), (0x01, 0x80, "mprotect"), (0x41, 0x00, "regions-sampled"),
                          (0x61, 0x80, "mprotect-sampled"), (0x05, 0x20, "regions-small-pool")):
        q = Seq(A_GUARD, c1=c1, c2=c2, os_faults=faults, init=OS_NONE)
        for k in range(14):
            q.alloc(2 * (k % 4), (24, 5000, 100, 64)[k % 4], (8, 16, 64, 4096)[k % 4], zero=k % 3 == 1)
        q.op(OP_DEALLOC, 0).op(OP_TRY_DEALLOC, 2)
        for k in range(8):
            q.alloc(2 * (k % 4), 40, 8, zero=k % 2 == 1)
        seeds.append((f"os-guard-alloc-{label}", q.b))
    seeds += c_alloc_os_seeds() + locked_os_seeds()
    return seeds


def c_alloc_os_seeds():
    """c_alloc: each C call fails in alloc, zalloc, the default resize and shrink, with the layouts
    the posix adjustment changes (align 1 becomes 8; a size below 8 goes to posix_memalign)."""
    q = Seq(A_C_ALLOC, os_faults=[])
    q.op(OP_ALLOC, 0, a_layout(24, 8), ob=OS_NONE).op(OP_ALLOC, 2, a_layout(24, 1), ob=osb(C_MALLOC))
    q.op(OP_ALLOC, 2, a_layout(24, 8), ob=osb(C_MALLOC)).op(OP_ZALLOC, 2, a_layout(100, 2), ob=osb(C_CALLOC))
    q.op(OP_ALLOC, 2, a_layout(4, 1), ob=osb(C_POSIX_MEMALIGN)).op(OP_ZALLOC, 2, a_layout(3, 2), ob=osb(C_POSIX_MEMALIGN))
    q.op(OP_ALLOC, 2, a_layout(64, 64), ob=osb(C_POSIX_MEMALIGN, code=1))
    q.op(OP_ZALLOC, 2, a_layout(8, 32), ob=osb(C_POSIX_MEMALIGN))
    for kind in (GROW, ZGROW, REALLOC, REZALLOC):
        q.op(OP_GROW + kind, 0, a_new(1, 3), ob=osb(C_CALLOC if kind in (ZGROW, REZALLOC) else C_MALLOC))
    q.op(OP_REZALLOC, 0, a_new(5, s=300, a=64), ob=osb(C_POSIX_MEMALIGN))
    q.op(OP_GROW, 4, a_align(8) + a_new(1, 16), ob=osb(C_MALLOC))
    # shrink: under half kept (realloc, failing and not), more than half kept (no call), to size 0,
    # to an alignment the block does not have (the default resize: posix_memalign)
    q.op(OP_ALLOC, 1, a_layout(1000, 8), ob=OS_NONE).op(OP_SHRINK, 1, a_new(2, 147), ob=osb(C_REALLOC))
    q.op(OP_SHRINK, 1, a_new(2, 10), ob=osb(C_REALLOC)).op(OP_SHRINK, 1, a_new(2, 140), ob=OS_NONE)
    q.op(OP_ALLOC, 1, a_layout(2000, 16), ob=OS_NONE).op(OP_SHRINK, 1, a_new(2, 160), ob=OS_NONE)
    q.op(OP_ALLOC, 5, a_layout(1000, 64), ob=OS_NONE).op(OP_SHRINK, 5, a_new(2, 147), ob=osb(C_REALLOC))
    q.op(OP_ALLOC, 3, a_layout(1000, 16), ob=OS_NONE).op(OP_SHRINK, 3, a_new(5, s=100, a=4096), ob=osb(C_POSIX_MEMALIGN))
    q.op(OP_SHRINK, 3, a_new(5, s=100, a=4096), ob=osb(C_POSIX_MEMALIGN, code=1)).op(OP_SHRINK, 3, a_new(7), ob=osb(C_MALLOC))
    q.op(OP_CHECKED_RESIZE, 0, bytes([GROW]) + a_new(1, 8), ob=osb(C_MALLOC))
    q.op(0xF0 | OP_ALLOC, 6, a_layout(32, 8), ob=osb(C_MALLOC)).op(0xF0 | OP_ZALLOC, 6, a_layout(32, 1), ob=osb(C_CALLOC))
    q.op(0xF0 | OP_ALLOC, 6, a_layout(32, 128), ob=osb(C_POSIX_MEMALIGN, code=1))
    q.op(0xF0 | OP_GROW, 0, a_new(1, 8), ob=osb(C_MALLOC)).op(OP_GROW, 0, a_new(1, 8), ob=osb(C_MALLOC, second=True))
    return [("os-c_alloc-faults", q.b),
            ("os-c_alloc-tour", tour(A_C_ALLOC, os_faults=[osb(c, n, k) for c in range(4) for n in (False, True)
                                                           for k in (0, 1)] + [OS_NONE]))]


def locked_os_seeds():
    """locked(default): each pthread call of the init fails; the lock and the default's heap calls
    fail under the lock in every operation kind."""
    seeds = []
    for label, init in (("attr-init", L_ATTR_INIT), ("settype", L_SETTYPE), ("mutex-init", L_MUTEX_INIT),
                        ("mutex-init-eperm", L_MUTEX_INIT | (2 << 5)), ("mutex-init-enomem", L_MUTEX_INIT | (1 << 5))):
        q = Seq(A_LOCKED, os_faults=[], init=init)
        q.alloc(0, 24, 8).op(OP_DEALLOC, 0)
        seeds.append((f"os-locked-init-{label}", q.b))
    q = Seq(A_LOCKED, os_faults=[])
    q.op(OP_ALLOC, 0, a_layout(24, 8), ob=OS_NONE).op(OP_ALLOC, 2, a_layout(24, 8), ob=osb(L_LOCK))
    q.op(OP_ALLOC, 2, a_layout(0, 8), ob=osb(L_LOCK, code=1)).op(OP_ZALLOC, 2, a_layout(24, 8), ob=osb(L_LOCK, code=2))
    q.op(OP_ALLOC, 2, a_layout(24, 8), ob=osb(L_MALLOC)).op(OP_ZALLOC, 2, a_layout(24, 8), ob=osb(L_CALLOC))
    q.op(OP_ALLOC, 2, a_layout(64, 64), ob=osb(L_MEMALIGN))
    for kind in (GROW, ZGROW, SHRINK, REALLOC, REZALLOC):
        q.op(OP_GROW + kind, 0, a_new(1 if kind != SHRINK else 2, 3), ob=osb(L_LOCK))
        q.op(OP_GROW + kind, 0, a_new(1 if kind != SHRINK else 2, 3), ob=osb(L_REALLOC))
    q.op(OP_CHECKED_RESIZE, 0, bytes([GROW]) + a_new(1, 8), ob=osb(L_LOCK))
    q.op(OP_GROW, 0, a_new(1, 8), ob=osb(L_LOCK, second=True)).op(OP_GROW, 0, a_new(0), ob=osb(L_LOCK))
    q.op(0xF0 | OP_ALLOC, 6, a_layout(32, 8), ob=osb(L_LOCK)).op(0xF0 | OP_GROW, 0, a_new(1, 8), ob=osb(L_LOCK))
    q.op(OP_ALLOC, 7, a_forged(0), ob=osb(L_LOCK))
    # the free and try_dealloc with the lock failing (memapi_dealloc stops through the fatal hook)
    q.op(OP_ALLOC, 8, a_layout(40, 8), ob=OS_NONE).op(OP_DEALLOC, 8, ob=osb(L_LOCK)).op(OP_DEALLOC, 9, ob=osb(L_LOCK, code=2))
    q.op(OP_TRY_DEALLOC, 8, ob=osb(L_LOCK, code=1)).op(0xF0 | OP_TRY_DEALLOC, 8, ob=osb(L_LOCK))
    q.op(OP_TRY_DEALLOC, 8, ob=osb(L_LOCK, second=True)).op(OP_ALLOC, 8, a_layout(40, 8), ob=OS_NONE)
    q.op(OP_DEALLOC, 8, ob=OS_NONE)
    seeds.append(("os-locked-faults", q.b))
    seeds.append(("os-locked-tour", tour(A_LOCKED, os_faults=[osb(c, n, k) for c in range(5) for n in (False, True)
                                                               for k in (0, 1, 2)] + [OS_NONE])))
    return seeds


def alloc_seeds():
    seeds = []
    plain = [A_DEFAULT, A_SYSTEM, A_C_ALLOC, A_LOCKED, A_TRACKING]
    for a in plain:
        seeds += [tour(a), tour(a, fault=True)]
    seeds += [tour(A_STACK), tour(A_STACK, c1=0, c2=0) + bytes([OP_TEMP, 0, 0x0E]) + a_size(8) + a_align(8) + b"\x00"]
    seeds.append(Seq(A_STACK).op(OP_TEMP, 0, bytes([0x8E]) + a_size(8) + a_align(1) + b"\x00").b)
    seeds.append(Seq(A_LOCKED).op(OP_TEMP, 0, a_layout(32, 8) + b"\x1e").b)
    for c1 in (0x06, 0x17, 0x34, 0x47):  # caps 16384, BUMP_BYTES - 7, 4096, BUMP_BYTES; base offsets
        seeds += [tour(A_BUMP, c1=c1, c2=0x21), lifo(A_BUMP, c1=c1, c2=0x10 if c1 & 1 else 0x21)]
    seeds += [tour(A_BUMP, fault=True, c1=0x06), lifo(A_BUMP, fault=True, c1=0x17, c2=1)]
    seeds += [fill_up(A_BUMP, 14, c1=0x03), tour(A_BUMP, c1=0x08), tour(A_BUMP, c1=0x01)]
    for rules in ([0, 0, 0, 0], [3, 0, 0, 0], [0, 140, 0, 0], [0, 0, 8, 0], [5, 0, 0, 0x9F]):
        seeds.append(tour(A_FAILING, rules=rules))
    seeds.append(tour(A_FAILING, fault=True))
    for cap in (0, 1, 3, 8):
        seeds += [tour(A_TRACKING_TABLE, c1=cap), fill_up(A_TRACKING_TABLE, cap, c1=cap)]
    seeds += [tour(A_TRACKING_TABLE, fault=True, c1=4), fill_up(A_TRACKING, 15), fill_up(A_TRACKING, 15, fault=True)]
    # the first tracked block comes from a resize of a size-0 block, and allocating the table fails
    seeds.append(Seq(A_TRACKING, fault=True).op(OP_GROW, 0, a_align(8) + a_new(1, 8), fb=1).alloc(1, 8, 8).b)
    # guard: quarantine {0,1,16,100}, guard before, no guard after, no canary, sampling; fill bytes
    for c1, c2 in ((0x00, 0x00), (0x01, 0x01), (0x06, 0x02), (0x0B, 0x07), (0x13, 0x03), (0x40, 0x00),
                   (0x62, 0x04)):
        seeds.append(tour(A_GUARD, c1=c1, c2=c2))
    seeds += [tour(A_GUARD, fault=True, c1=0x01), lifo(A_GUARD, c1=0x02)]
    return seeds


def tracking_burst_seeds():
    """fuzz_alloc.c's tracking burst (a special operation with bit 7 of its argument): 24 to 72
    blocks live at once besides the slots, so the table grows with live entries and bucket chains
    form whatever the addresses; bits 0-1 pick the order of the frees, bits 2-6 the count."""
    def burst(q, arg, slot=0):
        return q.op(OP_SPECIAL, slot, bytes([0x80 | arg]))
    seeds = []
    for arg, label in ((0x00, "oldest-first"), (0x01, "newest-first"), (0x7E, "interleaved-72")):
        seeds.append((f"tracking-burst-{label}", burst(Seq(A_TRACKING), arg).b))
    # fifteen slots live first: the burst's growths (16, 32, 64) rehash live entries
    q = Seq(A_TRACKING)
    for i in range(15):
        q.alloc(i, 16 + i, 8)
    seeds.append(("tracking-burst-over-15-live", burst(q, 0x22).op(OP_VERIFY, 0).b))
    # the failing allocator inside tracking: each rule in turn, table growths failing among them
    q = Seq(A_TRACKING, fault=True)
    for fb in range(4):
        burst(q, 0x40 + fb).op(OP_VERIFY, 0, fb=fb)
    seeds.append(("tracking-burst-faults", q.b))
    # a caller's table of 8 entries: the burst runs into "tracking table full"
    seeds.append(("tracking-burst-table-full", burst(Seq(A_TRACKING_TABLE, c1=8).alloc(0, 8, 8), 0x05).b))
    # a caller's table of 1 entry, full: growing a size-0 block cannot be recorded, so it fails first
    seeds.append(("tracking-table-full-grow-from-empty",
                  Seq(A_TRACKING_TABLE, c1=1).alloc(0, 8, 8).resize(GROW, 2, a_new(1, 8), empty_align=8).b))
    # the leak report into buffers of 0 to 15 bytes, and init's errors
    q = Seq(A_TRACKING).alloc(0, 24, 8).alloc(1, 300, 16)
    for cap in (0, 1, 7, 15):
        q.op(OP_SPECIAL, 0, bytes([cap]))
    seeds.append(("tracking-report-small-buffers", q.b))
    return seeds


def api_and_fatal_seeds():
    """memapi_dealloc(NULL) in a forked child: the default fatal hook (message and newline on
    stderr, abort) and a hook that returns (abort follows), over default and tracking; the special
    operation's checks of the failing allocator's and the bump arena's own APIs; the OS's own out
    of memory and alignments above the page for each heap allocator."""
    seeds = []
    for alloc, name in ((A_DEFAULT, "default"), (A_TRACKING, "tracking")):
        q = Seq(alloc).op(OP_NEGATIVE, 0, bytes([0, 0x20]) + a_layout(8, 8))
        q.op(OP_NEGATIVE, 0, bytes([0, 0x30]) + a_layout(0, 4096))
        seeds.append((f"fatal-abort-child-{name}", q.b))
    # the failing allocator's own API on a local one: init errors, the size rule alone, ppm above 1000000
    q = Seq(A_FAILING)
    for arg in (0, 1, 0x7F, 0xFE):
        q.op(OP_SPECIAL, 0, bytes([arg]))
    seeds.append(("failing-local-rules", q.b))
    # the bump arena's own API: a foreign block's resize, the out-of-line entry, the invariant's fields
    for c1 in (0x06, 0x17, 0x34):
        q = Seq(A_BUMP, c1=c1, c2=0x21).alloc(0, 24, 8)
        for arg in (0, 3, 0x44, 0xFF):
            q.op(OP_SPECIAL, 0, bytes([arg]) + a_forged(0)[1:])
        seeds.append((f"bump-own-api-{c1:02x}", q.b))
    # the OS's own out of memory (2 TiB requests) and alignments above the page, for each heap allocator
    for alloc, name in ((A_DEFAULT, "default"), (A_SYSTEM, "system"), (A_C_ALLOC, "c_alloc"), (A_LOCKED, "locked")):
        q = Seq(alloc)
        for arg in (0, 3, 12, 13, 16):
            q.op(OP_SPECIAL, 0, bytes([arg]))
        q.alloc(1, 4097, 8192).alloc(2, 65537, 65536).resize(REALLOC, 2, a_new(5, s=12289, a=16384))
        q.resize(GROW, 4, a_new(5, s=1 << 20, a=32768)).op(OP_VERIFY, 0)
        seeds.append((f"os-out-of-memory-and-large-alignments-{name}", q.b))
    return seeds


# ---- fuzz_stack.c: stacks of wrappers over a leaf ---------------------------------------------------
S_DEFAULT, S_BUMP, S_GUARD, S_C_ALLOC = range(4)
K_TRACKING, K_LOCKED, K_FAILING = range(3)
S_ALLOC, S_ZALLOC, S_FREE, S_REALLOC, S_OWNS = range(5)


def s_layer(kind, nth=0):
    return kind | (nth << 2)


def s_layout(size, align):
    return bytes([(size - 1) & 0xFF, (size - 1) >> 8, align.bit_length() - 1])


def stack_seq(leaf, layers, cfg=0):
    """One stack (layers top first) and a walk through every operation: allocations that fill the
    slots, frees of the most recent block and of an older one, resizes up and down (in place for
    bump), owns, and enough requests that a failing layer's nth call comes."""
    b = bytes([leaf, len(layers) - 1]) + bytes(layers) + bytes([cfg])
    ops = [(S_ALLOC, 0, s_layout(24, 8)), (S_ZALLOC, 1, s_layout(100, 16)), (S_ALLOC, 2, s_layout(1000, 64)),
           (S_REALLOC, 2, s_layout(1500, 64)), (S_REALLOC, 2, s_layout(200, 64)), (S_OWNS, 0, b""),
           (S_FREE, 2, b""), (S_ALLOC, 3, s_layout(7, 1)), (S_REALLOC, 0, s_layout(300, 32)),
           (S_ALLOC, 4, s_layout(2048, 2)), (S_ZALLOC, 5, s_layout(64, 64)), (S_FREE, 1, b""),
           (S_REALLOC, 5, s_layout(64, 64)), (S_ALLOC, 6, s_layout(500, 4)), (S_ALLOC, 7, s_layout(1, 1)),
           (S_OWNS, 0, b""), (S_REALLOC, 3, s_layout(2000, 8)), (S_ALLOC, 0, s_layout(33, 16)),
           (S_FREE, 7, b""), (S_FREE, 6, b""), (S_REALLOC, 4, s_layout(10, 2))]
    for op, slot, args in ops:
        b += bytes([op, slot]) + args
    return b


def stack_seeds():
    T, L, F = K_TRACKING, K_LOCKED, K_FAILING
    seeds = []
    stacks = [
        ("failing-over-tracking", S_DEFAULT, [s_layer(F, 3), s_layer(T)]),
        ("locked-over-tracking", S_DEFAULT, [s_layer(L), s_layer(T)]),
        ("tracking-over-bump", S_BUMP, [s_layer(T)]),
        ("tracking-over-guard", S_GUARD, [s_layer(T)]),
        ("locked-over-bump", S_BUMP, [s_layer(L)]),
        ("locked-over-guard", S_GUARD, [s_layer(L)]),
        ("locked-over-tracking-over-bump", S_BUMP, [s_layer(L), s_layer(T)]),
        ("tracking-over-failing-over-bump", S_BUMP, [s_layer(T), s_layer(F, 5)]),
        ("failing-over-tracking-over-bump", S_BUMP, [s_layer(F, 4), s_layer(T)]),
        ("tracking-over-locked-over-failing-over-guard", S_GUARD, [s_layer(T), s_layer(L), s_layer(F, 6)]),
        ("locked-over-failing-over-tracking-over-c_alloc", S_C_ALLOC, [s_layer(L), s_layer(F, 7), s_layer(T)]),
        ("tracking-over-tracking-over-locked-over-locked", S_DEFAULT, [s_layer(T), s_layer(T), s_layer(L), s_layer(L)]),
        ("failing-over-failing-over-locked-over-bump", S_BUMP, [s_layer(F, 9), s_layer(F, 2), s_layer(L)]),
    ]
    for name, leaf, layers in stacks:
        seeds.append((f"stack-{name}", stack_seq(leaf, layers, cfg=1 if leaf == S_BUMP else 0)))
    # a small arena: out of memory at the leaf under the wrappers; the guard with quarantine and mprotect
    seeds.append(("stack-tracking-over-locked-over-bump-256", stack_seq(S_BUMP, [s_layer(T), s_layer(L)], cfg=0)))
    seeds.append(("stack-locked-over-tracking-over-guard-quarantine", stack_seq(S_GUARD, [s_layer(L), s_layer(T)], cfg=6)))
    # every resize kind (op 3 + 5 * kind: realloc, grow, zgrow, shrink, rezalloc) through each wrapper over each
    # leaf: the wrappers' forwarders of grow, zgrow, shrink and rezalloc, over leaves that have the entry
    # (bump: in place) and leaves that take the library default (c_alloc's grow, the guard)
    for leaf, lname in ((S_DEFAULT, "default"), (S_BUMP, "bump"), (S_GUARD, "guard"), (S_C_ALLOC, "c_alloc")):
        for layers, name in (([T, F, L], "tracking-over-failing-over-locked"), ([L, F, T], "locked-over-failing-over-tracking"),
                             ([T, L], "tracking-over-locked"), ([F, L], "failing-over-locked")):
            b = bytes([leaf, len(layers) - 1]) + bytes(s_layer(k) for k in layers) + bytes([1 if leaf == S_BUMP else 0])
            for kind in range(5):
                b += bytes([S_ALLOC, kind]) + s_layout(40 + kind, 8)
                b += bytes([S_REALLOC + 5 * kind, kind]) + s_layout(80 if kind != 3 else 9, 16 if kind != 3 else 8)
            for kind in range(5):
                b += bytes([S_FREE, kind])
            seeds.append((f"stack-resize-kinds-{name}-over-{lname}", b))
    return seeds


# --- cmalloc (fuzz_cmalloc.c): [allocator][rule] then [op][slot byte][arguments]. Op bytes below 216
# are op % 9 (malloc, calloc, aligned_alloc, posix_memalign, realloc, reallocarray, free, misuse,
# usable_size); 216 + i is the new op i (header byte, C's free refused, any alignment, foreign
# block, OS fault, classification, guard canary, layout). The slot byte: bits 0-3 the slot, bit 4
# err == NULL first, bit 5 C's free (free op) / bits 5-7 the action (misuse op).
CM_DEFAULT, CM_TRACKING, CM_GUARD, CM_FAILING, CM_BUMP, CM_GUARD_SAMPLED = 0, 1, 2, 3, 4, 250
CM_HEADER, CM_FREE_FATAL, CM_ALIGN, CM_FOREIGN, CM_OS, CM_CLASS, CM_CANARY, CM_LAYOUT = range(216, 224)


def cm_size(v):
    """pick_size: a small size (< 3000) as is."""
    return bytes([0]) + struct.pack("<H", v)


def cm_huge(k, shifted=False):
    """pick_size: SIZE_MAX - k, or SIZE_MAX - k << 50."""
    return bytes([0xFE if shifted else 0xFF, k])


def cm_any_align(v):
    """pick_any_align: a byte value as is (0, 3, 24, ...)."""
    return bytes([0, v])


def cm_tour(which, rule=0, null=0):
    o = bytearray([which, rule])
    n = 0x10 if null else 0
    o += bytes([0, 0 | n]) + cm_size(100)                    # malloc
    o += bytes([1, 1 | n]) + cm_size(40) + bytes([3])        # calloc 3 x 40
    o += bytes([1 + 9 * 15, 9 | n]) + cm_size(2) + bytes([0])  # calloc with a huge count
    o += bytes([2, 2 | n]) + cm_size(200) + bytes([6])       # aligned_alloc 64
    o += bytes([3, 3 | n]) + cm_size(50) + bytes([0x85])     # posix_memalign 8
    o += bytes([3, 4 | n]) + cm_size(50) + bytes([12])       # posix_memalign 12: EINVAL
    o += bytes([0, 5 | n]) + cm_huge(7)                      # malloc(SIZE_MAX - 7)
    o += bytes([0, 5 | n]) + cm_huge(3, True)                # EXCEEDS_MAX
    o += bytes([4, 0 | n]) + cm_size(300)                    # realloc grow
    o += bytes([5, 1 | n]) + cm_size(10) + bytes([2])        # reallocarray
    o += bytes([5 + 9 * 14, 1 | n]) + cm_size(3) + bytes([1]) # reallocarray overflow
    o += bytes([4, 2 | n]) + cm_huge(1)                      # realloc refused
    o += bytes([8, 0]) + bytes([8, 6])                       # usable_size
    for act in range(6):
        o += bytes([7, 0 | act << 5]) + bytes([7 + 9 * 15, 0 | act << 5])  # interior, misaligned
    for pos, v, act in ((0, 1, 0), (7, 0x40, 1), (8, 63, 2), (8, 62, 3), (8, 50, 4), (8, 2, 5),
                        (8, 0x80, 0), (15, 0, 1), (8, 5, 0), (8, 5, 1), (8, 7, 4), (12, 9, 2)):
        o += bytes([CM_HEADER, 0 | n, pos, v, act])
    o += bytes([CM_FREE_FATAL, 0, 1]) + bytes([CM_FREE_FATAL, 1, 2]) + bytes([CM_FREE_FATAL, 7, 0])
    for al, how in ((0, 0), (0, 1), (3, 0), (24, 1), (4, 1), (2, 0), (128, 0), (128, 1)):
        o += bytes([CM_ALIGN, 7 | n]) + cm_any_align(al) + cm_size(64) + bytes([how])
        o += bytes([6, 7 | 0x20])
    o += bytes([CM_ALIGN, 7 | n, 3, 0]) + cm_huge(0) + bytes([0])  # 2^k + 0: non-power of two
    o += bytes([CM_FOREIGN, 8 | n, 8, 0]) + bytes([CM_FOREIGN, 8, 4, 1]) + bytes([CM_FOREIGN, 8, 4, 3])
    for act in range(3):
        o += bytes([CM_CANARY, 0 | n, act])
    o += bytes([CM_LAYOUT, 0]) + cm_huge(20) + cm_any_align(48)
    o += bytes([CM_LAYOUT, 0x10]) + cm_size(7) + cm_any_align(64)
    o += bytes([6, 0 | 0x20]) + bytes([6, 1]) + bytes([6, 2 | 0x10]) + bytes([6, 0 | 0x20])
    o += bytes([4, 3]) + cm_size(0)                          # realloc(p, 0)
    return bytes(o)


def cm_os_seed():
    o = bytearray([CM_DEFAULT, 0])
    o += bytes([0, 0]) + cm_size(100) + bytes([2, 1]) + cm_size(200) + bytes([6])
    for sel in (0, 1, 2, 3, 4, 2 + 5 * 3, 3 + 32, 2 + 32, 4 + 32):
        for slot in (0, 1):
            o += bytes([CM_OS, slot, sel]) + struct.pack("<H", 40 * slot + sel)
    return bytes(o)


def cm_classes_seed():
    o = bytearray([CM_DEFAULT, 0])
    for k in range(12):
        for lk in range(6) if k == 1 else (0,):
            o += bytes([CM_CLASS, 0, k, lk])
    return bytes(o)


def cm_fill_seed(which, rule=0):
    """Fills the allocator (guard: 8 one-page slots) so that requests fail, then retries."""
    o = bytearray([which, rule])
    for i in range(12):
        o += bytes([0, i | (0x10 if i % 2 else 0)]) + cm_size(3000)
    o += bytes([4, 0]) + cm_size(2900) + bytes([4, 15 | 0x10]) + cm_size(100)
    o += bytes([CM_ALIGN, 13, 1, 5]) + cm_size(100) + bytes([0])
    return bytes(o)


def cmalloc_seeds():
    seeds = []
    for name, which in (("default", CM_DEFAULT), ("tracking", CM_TRACKING), ("guard", CM_GUARD),
                        ("bump", CM_BUMP), ("guard-sampled", CM_GUARD_SAMPLED)):
        seeds.append((f"cm-tour-{name}", cm_tour(which)))
        seeds.append((f"cm-tour-{name}-nullerr", cm_tour(which, null=1)))
    seeds.append(("cm-tour-failing-nth", cm_tour(CM_FAILING, rule=7)))
    seeds.append(("cm-tour-failing-prob", cm_tour(CM_FAILING, rule=40, null=1)))
    seeds.append(("cm-tour-guard-quarantine", cm_tour(CM_GUARD, rule=3)))
    seeds.append(("cm-os-faults", cm_os_seed()))
    seeds.append(("cm-classes", cm_classes_seed()))
    for name, which in (("guard", CM_GUARD), ("bump", CM_BUMP), ("guard-sampled", CM_GUARD_SAMPLED)):
        seeds.append((f"cm-fill-{name}", cm_fill_seed(which)))
    return seeds


def main(out):
    for name, seeds in (("layout", layout_seeds()), ("arith", arith_seeds()),
                        ("error_format", error_format_seeds()), ("alloc", alloc_seeds())):
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        for s in seeds:
            with open(os.path.join(d, hashlib.sha1(s).hexdigest()), "wb") as f:
                f.write(s)
        print(f"{d}: {len(seeds)} seeds")
    named = [("stack", stack_seeds(), "named seeds"), ("alloc", os_seeds(), "named seeds of the OS-fault mode (os-*)"),
             ("alloc", tracking_burst_seeds(), "named seeds of the tracking burst (tracking-burst-*)"),
             ("alloc", api_and_fatal_seeds(), "named seeds of the fatal paths and the allocators' own APIs"),
             ("cmalloc", cmalloc_seeds(), "named seeds (cm-*)")]
    for name, seeds, label in named:
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        for seed_name, s in seeds:
            with open(os.path.join(d, seed_name), "wb") as f:
                f.write(s)
        print(f"{d}: {len(seeds)} {label}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "fuzz/seeds")
