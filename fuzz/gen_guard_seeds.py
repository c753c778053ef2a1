#!/usr/bin/env python3
"""Seeds of the guard harness (fuzz/fuzz_guard.c); writes fuzz/corpus/guard/ (or the directory given).

Input: [guard count - 1][teardown order][c0 c1 c2 per guard], then operations (fuzz/README.md,
"The guard harness"). Each seed is named for what it reaches; fuzz/README.md lists them.
"""
import os
import sys

ALLOC, FREE, MISUSE, CANARY, FORK, CHAIN, SAMPLE, REINIT, BADOPT, REALLOC, BURST, DESTROY, FATALCHILD = range(13)


def cfg(slots=5, pages=1, big=False, place=0, q=2, canary=True, fill=0, free_fill=False, mprot=False,
        sample=0, fb=0, probe=0, bad=None):
    """slots: index into {1,2,3,4,6,8,12,16}; pages 1-4; place 0 end 1 start 2 alternate; q: index into
    {0,1,2,3,4,16,pool,0}; fill: index into {0xAA,-1,0,0x11}; sample: index into {1,1,2,3}; fb: default,
    tracking, probe, previous guard; probe: zalloc/owns/dealloc bits; bad: 0 NULL vtable, 1 no alloc, 2 no try."""
    c0 = slots | ((pages - 1) << 3) | (32 if big else 0) | (place << 6)
    c1 = q | (0 if canary else 8) | (fill << 4) | (64 if free_fill else 0) | (128 if mprot else 0)
    c2 = sample | (fb << 2) | (probe << 4)
    if bad is not None:
        c2 = 0 | (bad << 4) | 128
    return [c0, c1, c2]


def head(*cfgs, order=0):
    out = [len(cfgs) - 1, order]
    for c in cfgs:
        out += c
    return out


def alloc(k, i, size, alog=3, zero=False, osb=None):
    f = (1 if zero else 0) | (2 if osb is not None else 0)
    out = [ALLOC, k, i, size & 255, size >> 8, alog, f]
    return out + ([osb] if osb is not None else [])


def free(i, mode=0, osb=None):
    return [FREE, i, mode | (0x80 if osb is not None else 0)] + ([osb] if osb is not None else [])


def misuse(i, kind, x=0, mode=0):
    return [MISUSE, i, kind, x, mode]


def canary(i, pos, x=1, mode=0):
    return [CANARY, i, pos & 255, pos >> 8, x, mode]


def fork(i, kind, off=0):
    return [FORK, i, kind, off & 255, off >> 8]


def reinit(k, c, osb=None):
    return [REINIT, k] + c + [1 | (osb << 1) if osb is not None else 0]


def os_byte(call, nth=1, code=0):
    """call: 0 madvise 1 mprotect 4 mmap 5 munmap 6 sysconf 7 getentropy; code: index into POSIX's list"""
    return call | ((nth - 1) << 3) | (code << 4)


# free modes: 0 try_dealloc, 1 try_dealloc err NULL, 2 memapi_dealloc (recording hook), 3 checked_dealloc;
# misuse modes 4 owns, 5 block_layout. misuse kinds: 0 interior, 1 misaligned, 2 static buffer,
# 3 through another guard, 4 wrong layout, 5 the pointer as is (double free when freed), 0xF0 and up
# the data start of a slot no block ever took.
def tour_ops(k=0):
    ops = []
    ops += alloc(k, 0, 24, 3) + alloc(k, 1, 100, 4, zero=True) + alloc(k, 2, 5000, 6) + alloc(k, 3, 0, 0)
    ops += alloc(k, 4, 4096, 12) + alloc(k, 5, 13, 0)
    for m in range(6):
        for kind in (0, 1, 2, 4, 5):
            ops += misuse(0 if kind != 1 else 1, kind, 3, m)
    ops += canary(0, 7, 1, 0) + canary(1, 4000, 0x80, 1) + canary(2, 2, 3, 2) + canary(5, 4090, 9, 3)
    ops += canary(4, 100, 5, 4)
    ops += free(0, 0) + free(1, 1) + free(2, 2) + free(5, 3)
    for m in range(6):
        ops += misuse(0, 5, 0, m) + misuse(2, 0, 1, m)
    ops += alloc(k, 6, 64, 3) + free(6, 0) + alloc(k, 7, 3000, 0) + free(7, 2) + free(4, 0)
    ops += [REALLOC, 0, 200, 0, 3, 0] + alloc(k, 8, 40, 3) + [REALLOC, 8, 0, 16, 4, 0] + [REALLOC, 8, 0, 0, 0, 1]
    return ops


def seeds():
    s = {}
    for place in (0, 1, 2):
        for canary_on in (True, False):
            for fill in (0, 1, 2, 3):
                name = "guard-tour-%s-%s-fill%d" % (("end", "start", "alternate")[place],
                                                     "canary" if canary_on else "nocanary", fill)
                s[name] = head(cfg(place=place, canary=canary_on, fill=fill, free_fill=fill == 3, pages=2)) + tour_ops()
    s["guard-tour-mprotect"] = head(cfg(mprot=True, pages=3, place=2, free_fill=True)) + tour_ops()
    s["guard-tour-quarantine0"] = head(cfg(q=0, slots=2)) + tour_ops()
    s["guard-tour-quarantine-pool"] = head(cfg(q=6, slots=3)) + tour_ops()
    # faults in children: overflow past, underflow before, use after free (reads and writes)
    s["guard-fault-overflow"] = head(cfg()) + alloc(0, 0, 24) + fork(0, 0, 0) + fork(0, 4, 77)
    s["guard-fault-underflow"] = head(cfg(place=1)) + alloc(0, 0, 100) + fork(0, 1, 4095) + fork(0, 5, 9)
    s["guard-fault-uaf"] = head(cfg()) + alloc(0, 0, 300) + free(0) + fork(0, 2, 5) + fork(0, 7, 299)
    s["guard-fault-freed-slot"] = head(cfg(pages=3, q=0, slots=1)) + alloc(0, 0, 10) + free(0) + fork(0, 1, 5) + fork(0, 0, 9)
    s["guard-fault-multi"] = (head(cfg(), cfg(place=1), cfg(place=2), order=4) + alloc(0, 0, 24) + alloc(1, 1, 24)
                              + alloc(2, 2, 24) + [DESTROY, 1] + fork(0, 0, 3) + fork(2, 1, 7))
    # chaining: the handler installed before the guard's
    for v, name in ((0x00, "siginfo-foreign"), (0x11, "plain-emptyslot"), (0x02, "dfl-foreign"),
                    (0x13, "ign-emptyslot"), (0x04, "siginfo-null"), (0x08, "altstack-siginfo"),
                    (0x20, "siginfo-guardfault"), (0x19, "altstack-plain-emptyslot")):
        s["guard-chain-" + name] = head(cfg()) + [CHAIN, v]
    s["guard-fatal-child-canary"] = head(cfg()) + alloc(0, 0, 24) + [FATALCHILD, 0]
    s["guard-fatal-child-double-free"] = head(cfg()) + alloc(0, 0, 24) + free(0) + [FATALCHILD, 0]
    # fallbacks
    for fbname, fb, probe in (("default", 0, 0), ("tracking", 1, 0), ("probe-none", 2, 0), ("probe-all", 2, 7),
                              ("probe-zalloc", 2, 1), ("probe-owns", 2, 2), ("probe-dealloc", 2, 4)):
        for sample in (2, 3):
            ops = []
            for i in range(6):
                ops += alloc(0, i, 32 + i * 100, 3, zero=i % 2 == 1)
            for m in range(6):
                ops += misuse(1, 2, 5, m) + misuse(2, 4, 1, m) + misuse(3, 0, 1, m)
            for i in range(6):
                ops += free(i, i % 4)
            for m in range(6):
                ops += misuse(0, 5, 0, m) + misuse(1, 5, 0, m)
            s["guard-fallback-%s-sample%d" % (fbname, sample)] = head(cfg(sample=sample, fb=fb, probe=probe)) + ops
    s["guard-fallback-guard"] = (head(cfg(slots=3), cfg(sample=2, fb=3, slots=2)) + alloc(1, 0, 24) + alloc(1, 1, 24)
                                 + alloc(1, 2, 24) + alloc(1, 3, 24) + alloc(0, 4, 50)
                                 + misuse(4, 3, 1, 0) + misuse(0, 3, 0, 4) + misuse(1, 3, 0, 4)
                                 + free(1, 2) + free(0, 3) + misuse(1, 5, 0, 0) + misuse(1, 5, 0, 4)
                                 + [REINIT, 0] + cfg() + [0] + alloc(1, 5, 10))
    s["guard-fallback-capacity"] = (head(cfg(slots=1, sample=2, fb=2, probe=7, q=0))
                                    + alloc(0, 0, 10) + alloc(0, 1, 10) + alloc(0, 2, 10) + alloc(0, 3, 20000)
                                    + alloc(0, 4, 20000) + free(0) + free(2, 2) + free(3, 2) + free(1))
    s["guard-sample-set"] = (head(cfg(fb=1)) + [SAMPLE, 0, 3] + alloc(0, 0, 8) + alloc(0, 1, 8) + alloc(0, 2, 8)
                             + [SAMPLE, 0, 1] + alloc(0, 3, 8) + misuse(0, 2, 0, 0) + [SAMPLE, 0, 0] + [SAMPLE, 0, 0x80]
                             + [SAMPLE, 0, 4] + alloc(0, 4, 8) + alloc(0, 5, 8))
    for bad in (0, 1, 2):
        s["guard-bad-fallback-%d" % bad] = (head(cfg(bad=bad)) + [SAMPLE, 0, 2] + [SAMPLE, 0, 0x83] + alloc(0, 0, 8)
                                            + misuse(0, 2, 0, 0) + misuse(0, 2, 0, 4) + misuse(0, 2, 0, 2) + free(0))
    # invalid options
    ops = []
    for kind in range(8):
        for v in (0, 1, 2, 3, 9, 255):
            ops += [BADOPT, kind | (0x80 if v == 9 else 0), v]
    s["guard-options-invalid"] = head(cfg()) + ops
    # capacity
    s["guard-pool-full"] = (head(cfg(slots=1, q=0)) + alloc(0, 0, 10) + alloc(0, 1, 10) + alloc(0, 2, 20000)
                            + alloc(0, 3, 4096, 14) + free(0) + alloc(0, 1, 10))
    s["guard-quarantine-cycle"] = head(cfg(slots=2, q=1)) + [BURST, 0, 20, 3] + [BURST, 0, 0x85, 40]
    s["guard-arming-doubling"] = head(cfg(big=True, q=0)) + [BURST, 0, 69, 1] + alloc(0, 0, 100) + fork(0, 0, 1)
    s["guard-arming-doubling-mprotect"] = head(cfg(big=True, q=0, mprot=True)) + [BURST, 0, 9, 1]
    # OS faults: init
    for name, b in (("mmap-first", os_byte(4, 1, 0)), ("mmap-second", os_byte(4, 2, 1)), ("mprotect", os_byte(1, 1, 1)),
                    ("madvise-probe", os_byte(0, 1, 2)), ("sysconf", os_byte(6)), ("getentropy", os_byte(7, 1, 1)),
                    ("munmap", os_byte(5)), ("mprotect-second", os_byte(1, 2))):
        for mp in (False, True):
            s["guard-os-init-%s%s" % (name, "-mprotect" if mp else "")] = (
                head(cfg()) + reinit(1, cfg(mprot=mp), b) + alloc(1, 0, 100) + canary(0, 5, 1, 0) + free(0))
    # OS faults: allocation and free
    ops = []
    for i, b in enumerate((os_byte(0, 1, 0), os_byte(0, 1, 1), os_byte(1, 1, 0), os_byte(1, 1, 3), os_byte(0, 2, 0),
                           os_byte(0, 2, 4))):
        ops += alloc(0, i, 50 + i, 3, osb=b)
    for i in range(6):
        ops += alloc(0, i, 60, 3)
    ops += free(0, 0, os_byte(0, 1, 0)) + free(1, 2, os_byte(0, 1, 1)) + free(2, 0, os_byte(1, 1))
    ops += alloc(0, 0, 60, 3) + fork(0, 0, 1)
    s["guard-os-alloc-regions"] = head(cfg(slots=6, q=2, free_fill=True)) + ops
    s["guard-os-alloc-regions-sampled"] = head(cfg(slots=2, q=0, sample=2, fb=1)) + ops
    ops = []
    for i, b in enumerate((os_byte(1, 1, 0), os_byte(1, 1, 1), os_byte(0, 1, 0), os_byte(1, 1, 2))):
        ops += alloc(0, i, 70, 3, osb=b)
    for i in range(4):
        ops += alloc(0, i, 70, 3)
    ops += free(0, 0, os_byte(1, 1, 0)) + free(1, 0, os_byte(0, 1, 0)) + free(2, 3, os_byte(1, 1, 1)) + free(3, 0)
    ops += alloc(0, 0, 70, 3) + alloc(0, 1, 70, 3) + alloc(0, 2, 70, 3)
    s["guard-os-alloc-mprotect"] = head(cfg(slots=4, q=1, mprot=True, free_fill=True, fill=1)) + ops
    s["guard-os-alloc-mprotect-sampled"] = head(cfg(slots=4, q=1, mprot=True, sample=3, fb=2, probe=3)) + ops
    s["guard-os-destroy-munmap"] = head(cfg()) + alloc(0, 0, 10) + free(0) + [DESTROY, 0x80]
    # misuse kind 0xF0 and up: the data start of a slot no block ever took, freed (try, dealloc,
    # checked), asked through owns and block_layout: not owned
    s["guard-misuse-empty-slot"] = head(cfg(slots=5)) + alloc(0, 0, 24) + sum(
        (misuse(0, 0xF0, x, m) for m in range(6) for x in (1, 3)), [])
    return s


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "guard")
    os.makedirs(out, exist_ok=True)
    for name, data in seeds().items():
        assert all(0 <= b < 256 for b in data), name
        with open(os.path.join(out, name), "wb") as f:
            f.write(bytes(data))
    print("gen_guard_seeds: %d seeds in %s" % (len(seeds()), out))


if __name__ == "__main__":
    main()
