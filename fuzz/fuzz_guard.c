/*
 * The guard allocator (include/memapi2/guard.h) against a shadow model of what its header
 * documents: up to three guards registered at once (one may be another's fallback), fallbacks with
 * and without owns (default, tracking(default), a probe allocator of this file whose entries the
 * input picks, another guard), the slot model (never-used slots first, then the free FIFO, the
 * quarantine ring), exact block addresses (placement at the end, at the start, alternating), the
 * fill bytes, the canary, statistics after every operation, the misuse table (try_dealloc, owns,
 * memapi_dealloc through a recording fatal hook, memapi_checked_dealloc), block_layout, sampling,
 * invalid options, and the OS seam (fuzz/os_faults.h) failing mmap, mprotect, munmap, madvise,
 * sysconf and getentropy in init, allocation, free and destroy.
 *
 * Faults are checked in forked children, at most FORKS_PER_INPUT per input: a child touches a
 * guard page, an unused page of a slot or a freed block's page; the parent reads the child's
 * standard error through a pipe and requires the exact line guard.h documents and death by
 * SIGSEGV. The chaining to the handler installed before the guard's (SA_SIGINFO, plain, SIG_DFL,
 * SIG_IGN) needs a process whose first guard init comes after that handler: a "zygote" forked on the
 * first input, before this process initialises any guard, forks such grandchildren on request.
 * A child also reaches the default fatal hook (memapi_dealloc of a damaged block: message, abort).
 *
 * Input: [guard count - 1][teardown order][3 config bytes per guard], then operations [op][arguments] (see
 * fuzz/README.md, "The guard harness"). FUZZ_GUARD_TRACE=1 prints each operation.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "memapi2.h"
#include "fuzz_input.h"
#include "fuzz_oracle.h"
#include "os_faults.h"

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

#define NG 3               /* guards alive at once */
#define NH 16              /* block handles */
#define MAXPS 80           /* model's largest pool */
#define MAX_OPS 160
#define FORKS_PER_INPUT 2
#define PROBE_CAP 48

/* ---- failure reporting and tracing ---------------------------------------------------------- */

static bool trace_on;

__attribute__((format(printf, 1, 2))) static void tracef(const char *fmt, ...)
{
    if (!trace_on)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

FUZZ_DEFINE_FAILF(NULL)

/* ---- expected errors (error.h: every field not documented for the kind is zero) -------------- */

/* The shared builders (fuzz_oracle.h), with the pool's addresses as integers. */
static memapi_error x_ptr(memapi_error_kind k, uintptr_t p, const char *msg)
{
    return fuzz_err_ptr(k, (const void *)p, msg);
}

static memapi_error x_mismatch(uintptr_t p, memapi_layout given, memapi_layout rec)
{
    return fuzz_err_mismatch((const void *)p, given, rec);
}

#define NOT_OWNED FUZZ_NOT_OWNED
#define PROBE_NOT_MINE "probe: pointer not mine"

/* error.h's Display texts of the kinds these checks meet, written from the header. */
static void err_text(const memapi_error *e, char *buf, size_t cap)
{
    switch (e->kind) {
    case MEMAPI_E_INVALID_POINTER:
        snprintf(buf, cap, "invalid pointer 0x%" PRIxPTR ": %s", (uintptr_t)e->ptr, e->msg);
        break;
    case MEMAPI_E_CORRUPTION:
        snprintf(buf, cap, "memory corruption detected at 0x%" PRIxPTR ": %s", (uintptr_t)e->ptr, e->msg);
        break;
    case MEMAPI_E_LAYOUT_MISMATCH:
        snprintf(buf, cap,
                 "layout mismatch for block at 0x%" PRIxPTR ": given Layout(size: %zu, align: %zu), allocated "
                 "with Layout(size: %zu, align: %zu)",
                 (uintptr_t)e->ptr, e->layout.size, e->layout.align, e->recorded.size, e->recorded.align);
        break;
    case MEMAPI_E_UNSUPPORTED: snprintf(buf, cap, "unsupported operation"); break;
    default: failf("err_text", "no text model for kind %u", (unsigned)e->kind);
    }
}

/* alloc.h, memapi_dealloc: the fatal message for a failed deallocation. */
static void fatal_text(uintptr_t p, memapi_layout l, const memapi_error *e, char *buf, size_t cap)
{
    char t[384];
    err_text(e, t, sizeof t);
    snprintf(buf, cap, "deallocation of block at 0x%" PRIxPTR " with layout Layout { size: %zu, align: %zu } failed: %s",
             p, l.size, l.align, t);
}

/* ---- the probe: a fallback allocator whose entries the input picks, counting its calls ------- */

enum { P_ALLOC, P_ZALLOC, P_TRY, P_OWNS, P_DEALLOC, P_CALLS };

typedef struct probe {
    memapi_alloc_vtable vt;
    struct {
        void *p;
        memapi_layout l;
    } b[PROBE_CAP];
    size_t n;
    unsigned long calls[P_CALLS];
} probe;

static int probe_find(const probe *pr, const void *p)
{
    for (size_t i = 0; i < pr->n; i++)
        if (pr->b[i].p == p)
            return (int)i;
    return -1;
}

static void *probe_any_alloc(probe *pr, memapi_layout l, bool zero, memapi_error *err)
{
    void *p = NULL;
    size_t a = l.align < sizeof(void *) ? sizeof(void *) : l.align;
    if (pr->n == PROBE_CAP || posix_memalign(&p, a, l.size) != 0) {
        if (err)
            *err = fuzz_err_alloc(l, MEMAPI_CAUSE_OTHER, "probe full");
        return NULL;
    }
    if (zero)
        memset(p, 0, l.size);
    pr->b[pr->n].p = p;
    pr->b[pr->n].l = l;
    pr->n++;
    return p;
}

static void *probe_alloc(void *self, memapi_layout l, memapi_error *err)
{
    probe *pr = self;
    pr->calls[P_ALLOC]++;
    return probe_any_alloc(pr, l, false, err);
}

static void *probe_zalloc(void *self, memapi_layout l, memapi_error *err)
{
    probe *pr = self;
    pr->calls[P_ZALLOC]++;
    return probe_any_alloc(pr, l, true, err);
}

static memapi_status probe_check(probe *pr, const void *p, memapi_layout l, memapi_error *err, int *at)
{
    *at = probe_find(pr, p);
    if (*at < 0) {
        if (err)
            *err = x_ptr(MEMAPI_E_INVALID_POINTER, (uintptr_t)p, PROBE_NOT_MINE);
        return MEMAPI_ERROR;
    }
    if (!memapi_layout_eq(pr->b[*at].l, l)) {
        if (err)
            *err = x_mismatch((uintptr_t)p, l, pr->b[*at].l);
        return MEMAPI_ERROR;
    }
    return MEMAPI_OK;
}

static void probe_remove(probe *pr, int at)
{
    free(pr->b[at].p);
    pr->b[at] = pr->b[--pr->n];
}

static memapi_status probe_try_dealloc(void *self, void *p, memapi_layout l, memapi_error *err)
{
    probe *pr = self;
    int at;
    pr->calls[P_TRY]++;
    if (probe_check(pr, p, l, err, &at) != MEMAPI_OK)
        return MEMAPI_ERROR;
    probe_remove(pr, at);
    return MEMAPI_OK;
}

static memapi_status probe_owns(void *self, const void *p, memapi_layout l, memapi_error *err)
{
    probe *pr = self;
    int at;
    pr->calls[P_OWNS]++;
    return probe_check(pr, p, l, err, &at);
}

static void probe_dealloc(void *self, void *p, memapi_layout l)
{
    probe *pr = self;
    int at;
    pr->calls[P_DEALLOC]++;
    memapi_error e;
    if (probe_check(pr, p, l, &e, &at) != MEMAPI_OK)
        fuzz_fail("probe", "the guard sent a block that is not the probe's to its non-failing dealloc entry");
    probe_remove(pr, at);
}

/* entries: bit 0 zalloc, bit 1 owns, bit 2 dealloc; bad: 0 none, 1 no alloc, 2 no try_dealloc */
static void probe_init(probe *pr, unsigned entries, int bad)
{
    memset(pr, 0, sizeof *pr);
    pr->vt.name = "probe";
    pr->vt.caps = MEMAPI_CAP_DEALLOC;
    pr->vt.alloc = bad == 1 ? NULL : probe_alloc;
    pr->vt.zalloc = (entries & 1u) ? probe_zalloc : NULL;
    pr->vt.try_dealloc = bad == 2 ? NULL : probe_try_dealloc;
    pr->vt.owns = (entries & 2u) ? probe_owns : NULL;
    pr->vt.dealloc = (entries & 4u) ? probe_dealloc : NULL;
}

/* ---- the model ------------------------------------------------------------------------------- */

enum { SLOT_EMPTY, SLOT_LIVE, SLOT_FREED };
enum { FB_DEFAULT, FB_TRACKING, FB_PROBE, FB_GUARD, FB_NULL_VT };

typedef struct mrec {
    int state;
    uintptr_t ptr;
    memapi_layout l;
    bool dirty;   /* a close failed on this slot: its pages may hold old bytes */
    bool damaged; /* a canary byte is changed right now */
} mrec;

typedef struct mguard {
    bool alive;
    memapi_guard g;
    memapi_guard_options o;
    int fb, fb_guard;
    probe pr;
    memapi_tracking trk;
    size_t page, stride, data, pool_bytes, meta_bytes;
    uintptr_t pool; /* 0 until learnt from the first guarded block */
    bool mprot;
    size_t fresh, armed;
    size_t fifo[MAXPS], fifo_head, fifo_n;
    size_t ring[MAXPS], ring_head;
    size_t countdown, placements;
    memapi_guard_statistics st;
    mrec rec[MAXPS];
} mguard;

/* Where a block lives: a guard's slot, or a guard's fallback (default, tracking, probe). */
enum { H_NONE, H_POOL, H_DEFAULT, H_TRACK, H_PROBE, H_DANGLING };

typedef struct handle {
    bool live, freed; /* freed: a pointer kept for misuse checks */
    int via;          /* the guard it was allocated through */
    int home, hg;     /* where it lives: kind and guard */
    size_t slot;
    uintptr_t ptr;
    memapi_layout l;
    uint8_t seed;
} handle;

static struct {
    mguard G[NG];
    handle h[NH];
    int forks;
    bool os_armed;
    os_call os_call;
    unsigned os_nth;
    int os_code;
    unsigned long want_calls[OS_CALL_COUNT];
    bool fired;
} S;

static size_t PAGE;
static bool kernel_guard_regions;

static uintptr_t page_down(uintptr_t v, size_t page) { return v & ~(uintptr_t)(page - 1); }
static uintptr_t page_up(uintptr_t v, size_t page) { return (v + page - 1) & ~(uintptr_t)(page - 1); }

static memapi_layout lay(size_t s, size_t a)
{
    memapi_layout l = {s, a};
    return l;
}

static memapi_allocator gal(int k)
{
    return memapi_guard_allocator(&S.G[k].g);
}

static bool in_pool(int k, uintptr_t p)
{
    mguard *G = &S.G[k];
    return memapi_guard_contains(&G->g, (const void *)p);
}

/* guard.h: anything outside the pool may be the fallback's once sample_every > 1 or once any
 * allocation has gone to it. */
static bool may_own(const mguard *G)
{
    return G->o.sample_every > 1 || G->st.sampled_out_allocs + G->st.capacity_fallbacks + G->st.oversize_fallbacks > 0;
}

/* A platform call the model predicts: counted, and true when it is the armed failing one. */
static bool m_call(os_call c)
{
    S.want_calls[c]++;
    if (S.os_armed && c == S.os_call && S.want_calls[c] == S.os_nth) {
        S.fired = true;
        return true;
    }
    return false;
}

static void os_begin(bool arm, uint8_t b)
{
    static const os_call calls[8] = {OS_MADVISE, OS_MPROTECT, OS_MADVISE, OS_MPROTECT,
                                     OS_MMAP,    OS_MUNMAP,   OS_SYSCONF, OS_GETENTROPY};
    memset(S.want_calls, 0, sizeof S.want_calls);
    S.fired = false;
    S.os_armed = arm;
    S.os_call = calls[b & 7u];
    S.os_nth = 1u + ((b >> 3) & 1u);
    S.os_code = os_faults_code(S.os_call, (unsigned)(b >> 4));
    if (arm)
        os_faults_arm(S.os_call, S.os_nth, S.os_code);
    else
        os_faults_arm(OS_CALL_COUNT, 0, 0);
}

/* The mapping calls (and init's sysconf and getentropy) as predicted, and the fault fired as predicted. */
static void os_end(const char *what)
{
    static const os_call checked[] = {OS_MMAP, OS_MPROTECT, OS_MUNMAP, OS_MADVISE, OS_SYSCONF, OS_GETENTROPY};
    for (size_t i = 0; i < sizeof checked / sizeof checked[0]; i++)
        if (os_faults_calls(checked[i]) != S.want_calls[checked[i]])
            failf(what, "%lu calls of %s, the model predicts %lu", os_faults_calls(checked[i]),
                  os_faults_name(checked[i]), S.want_calls[checked[i]]);
    if (os_faults_fired() != S.fired)
        failf(what, "the armed %s fault %s", os_faults_name(S.os_call), S.fired ? "did not fire" : "fired unpredicted");
    os_faults_arm(OS_CALL_COUNT, 0, 0);
    S.os_armed = false;
}

static void check_stats(const char *what)
{
    for (int k = 0; k < NG; k++) {
        mguard *G = &S.G[k];
        if (!G->alive)
            continue;
        memapi_guard_statistics st = memapi_guard_stats(&G->g), w = G->st;
        if (st.live_blocks != w.live_blocks || st.accessible_bytes != w.accessible_bytes ||
            st.quarantined_blocks != w.quarantined_blocks || st.guarded_allocs != w.guarded_allocs ||
            st.sampled_out_allocs != w.sampled_out_allocs || st.capacity_fallbacks != w.capacity_fallbacks ||
            st.oversize_fallbacks != w.oversize_fallbacks || st.pool_bytes != w.pool_bytes ||
            st.metadata_bytes != w.metadata_bytes || st.uses_mprotect != w.uses_mprotect)
            failf(what,
                  "guard %d statistics live %zu/%zu accessible %zu/%zu quarantined %zu/%zu guarded %zu/%zu sampled %zu/%zu "
                  "capacity %zu/%zu oversize %zu/%zu pool %zu/%zu meta %zu/%zu mprotect %d/%d (got/model)",
                  k, st.live_blocks, w.live_blocks, st.accessible_bytes, w.accessible_bytes, st.quarantined_blocks,
                  w.quarantined_blocks, st.guarded_allocs, w.guarded_allocs, st.sampled_out_allocs,
                  w.sampled_out_allocs, st.capacity_fallbacks, w.capacity_fallbacks, st.oversize_fallbacks,
                  w.oversize_fallbacks, st.pool_bytes, w.pool_bytes, st.metadata_bytes, w.metadata_bytes,
                  st.uses_mprotect, w.uses_mprotect);
    }
}

static int handle_at(int home, int hg, uintptr_t p)
{
    for (int i = 0; i < NH; i++)
        if (S.h[i].live && S.h[i].home == home && S.h[i].hg == hg && S.h[i].ptr == p)
            return i;
    return -1;
}

static void handle_gone(int i)
{
    S.h[i].live = false;
    S.h[i].freed = true;
}

/* ---- the model's allocation ----------------------------------------------------------------- */

typedef struct outcome {
    bool ok;
    memapi_error err;
    int home, hg;
    size_t slot;
    bool at_start;
} outcome;

static outcome m_alloc(int k, memapi_layout l, bool zero);

/* Handle i now holds block p of layout l, allocated through guard k where the model placed it (o). */
static handle *handle_new(int i, int k, const outcome *o, void *p, memapi_layout l)
{
    handle *h = &S.h[i];
    memset(h, 0, sizeof *h);
    h->via = k;
    h->home = o->home;
    h->hg = o->hg;
    h->slot = o->slot;
    h->ptr = (uintptr_t)p;
    h->l = l;
    h->live = true;
    return h;
}

static outcome m_fb_alloc(int k, memapi_layout l, bool zero)
{
    mguard *G = &S.G[k];
    outcome o;
    memset(&o, 0, sizeof o);
    o.ok = true;
    o.hg = k;
    switch (G->fb) {
    case FB_DEFAULT: o.home = H_DEFAULT; break;
    case FB_TRACKING: o.home = H_TRACK; break;
    case FB_PROBE: o.home = H_PROBE; break;
    case FB_GUARD: return m_alloc(G->fb_guard, l, zero);
    default: fuzz_fail("model", "allocation sent to an invalid fallback");
    }
    return o;
}

/* guard.h, capacity: with sample_every 1 an error, else the fallback's, counted. */
static outcome m_cannot_hold(int k, memapi_layout l, bool zero, bool oversize)
{
    mguard *G = &S.G[k];
    if (G->o.sample_every == 1) {
        outcome o;
        memset(&o, 0, sizeof o);
        o.err = fuzz_err_alloc(l, MEMAPI_CAUSE_OTHER, oversize ? "block larger than a guard slot" : "guard pool full");
        return o;
    }
    if (oversize)
        G->st.oversize_fallbacks++;
    else
        G->st.capacity_fallbacks++;
    return m_fb_alloc(k, l, zero);
}

static void m_push_free(mguard *G, size_t slot)
{
    G->fifo[(G->fifo_head + G->fifo_n) % G->o.pool_slots] = slot;
    G->fifo_n++;
}

static void m_evict(mguard *G)
{
    m_push_free(G, G->ring[G->ring_head]);
    G->ring_head = (G->ring_head + 1) % G->o.quarantine;
    G->st.quarantined_blocks--;
}

/*
 * guard.h: never-used slots first (armed in order: guard regions installed, then read-write, a
 * doubling run at a time from 1 MiB of address space, at most 64 MiB per step), then the FIFO of
 * free slots, and when it is empty the oldest quarantined slot. A run that cannot be armed leaves
 * the never-used slots untaken; *code is the refusal.
 */
static size_t m_take_slot(mguard *G, int *code)
{
    if (G->fresh < G->o.pool_slots) {
        if (G->fresh < G->armed)
            return G->fresh++;
        size_t lo = ((size_t)1 << 20) / G->stride, hi = ((size_t)64 << 20) / G->stride;
        size_t n = G->armed < lo ? lo : G->armed > hi ? hi : G->armed;
        if (n == 0)
            n = 1;
        if (n > G->o.pool_slots - G->armed)
            n = G->o.pool_slots - G->armed;
        if (m_call(OS_MADVISE) || m_call(OS_MPROTECT)) {
            *code = S.os_code;
        } else {
            G->armed += n;
            return G->fresh++;
        }
    }
    if (G->fifo_n == 0 && G->st.quarantined_blocks > 0)
        m_evict(G);
    if (G->fifo_n == 0)
        return SIZE_MAX;
    size_t s = G->fifo[G->fifo_head];
    G->fifo_head = (G->fifo_head + 1) % G->o.pool_slots;
    G->fifo_n--;
    return s;
}

static outcome m_alloc(int k, memapi_layout l, bool zero)
{
    mguard *G = &S.G[k];
    outcome o;
    memset(&o, 0, sizeof o);
    if (l.size == 0) {
        o.ok = true;
        o.home = H_DANGLING;
        return o;
    }
    /* guard.h: one allocation in sample_every is guarded, the first (since init or set_sample_every) included */
    if (--G->countdown != 0) {
        G->st.sampled_out_allocs++;
        return m_fb_alloc(k, l, zero);
    }
    G->countdown = G->o.sample_every;
    if (page_up(l.size, G->page) + (l.align > G->page ? l.align - G->page : 0) > G->data)
        return m_cannot_hold(k, l, zero, true);
    int code = 0;
    size_t slot = m_take_slot(G, &code);
    if (slot == SIZE_MAX) {
        if (code != 0 && code != ENOMEM) {
            o.err = fuzz_err_os(l, code);
            return o;
        }
        return m_cannot_hold(k, l, zero, false);
    }
    o.at_start = G->o.placement == MEMAPI_GUARD_PLACE_START ||
                 (G->o.placement == MEMAPI_GUARD_PLACE_ALTERNATE && (G->placements++ & 1u) != 0);
    /* opening the block's pages: mprotect, or removing the guard regions (madvise) */
    if (m_call(G->mprot ? OS_MPROTECT : OS_MADVISE)) {
        m_push_free(G, slot);
        if (S.os_code == ENOMEM && G->mprot)
            return m_cannot_hold(k, l, zero, false);
        o.err = fuzz_err_os(l, S.os_code);
        return o;
    }
    o.ok = true;
    o.home = H_POOL;
    o.hg = k;
    o.slot = slot;
    G->st.live_blocks++;
    G->st.guarded_allocs++;
    G->rec[slot].state = SLOT_LIVE;
    G->rec[slot].l = l;
    G->rec[slot].ptr = 0; /* set once the address is checked */
    return o;
}

/* The lowest address of the pool, from a pointer inside it: memapi_guard_contains is one range test. */
static uintptr_t learn_pool(int k, uintptr_t inside)
{
    mguard *G = &S.G[k];
    uintptr_t lo = inside - (G->pool_bytes - 1), hi = inside; /* contains(hi); the answer is in [lo, hi] */
    while (lo < hi) {
        uintptr_t mid = lo + (hi - lo) / 2;
        if (in_pool(k, mid))
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* guard.h, placement: at the end, the largest multiple of align with ptr + size <= end of the data
 * pages; at the start, the first data page rounded up to align. */
static uintptr_t m_place(const mguard *G, size_t slot, memapi_layout l, bool at_start)
{
    uintptr_t dstart = G->pool + slot * G->stride + G->page;
    if (at_start)
        return (dstart + l.align - 1) & ~(uintptr_t)(l.align - 1);
    return (dstart + G->data - l.size) & ~(uintptr_t)(l.align - 1);
}

static uint8_t pat(uint8_t seed, size_t i)
{
    return (uint8_t)(seed + i * 29u + (i >> 8));
}

static void fill_pattern(handle *h)
{
    unsigned char *p = (unsigned char *)h->ptr;
    for (size_t i = 0; i < h->l.size; i++)
        p[i] = pat(h->seed, i);
}

static void check_pattern(const char *what, const handle *h)
{
    const unsigned char *p = (const unsigned char *)h->ptr;
    for (size_t i = 0; i < h->l.size; i++)
        if (p[i] != pat(h->seed, i))
            failf(what, "block 0x%" PRIxPTR " byte %zu is 0x%02x, written 0x%02x", h->ptr, i, p[i], pat(h->seed, i));
}

/* After a successful guarded allocation: the address, the initial bytes, the slack. */
static void commit_pool_block(const char *what, const outcome *o, uintptr_t got, memapi_layout l, bool zero)
{
    mguard *G = &S.G[o->hg];
    if (!in_pool(o->hg, got))
        failf(what, "guarded block 0x%" PRIxPTR " is not in guard %d's pool", got, o->hg);
    if (G->pool == 0)
        G->pool = learn_pool(o->hg, got);
    uintptr_t want = m_place(G, o->slot, l, o->at_start);
    if (got != want)
        failf(what, "guard %d slot %zu (%s): block at 0x%" PRIxPTR ", the model places it at 0x%" PRIxPTR, o->hg,
              o->slot, o->at_start ? "start" : "end", got, want);
    mrec *r = &G->rec[o->slot];
    r->ptr = got;
    uintptr_t first = page_down(got, G->page), last = page_up(got + l.size, G->page);
    G->st.accessible_bytes += last - first;
    const unsigned char *b = (const unsigned char *)got;
    int fill = zero ? 0 : G->o.fill_byte;
    if (fill >= 0 || !r->dirty) {
        unsigned char want_b = (unsigned char)(fill >= 0 ? fill : 0); /* guard.h: freed pages are discarded */
        for (size_t i = 0; i < l.size; i++)
            if (b[i] != want_b)
                failf(what, "new block byte %zu is 0x%02x, guard.h promises 0x%02x", i, b[i], want_b);
    }
    /* the slack of the block's pages: the canary (no zero byte), or without it untouched zeros */
    for (uintptr_t a = first; a < last; a++) {
        if (a >= got && a < got + l.size)
            continue;
        unsigned char c = *(const unsigned char *)a;
        if (G->o.canary ? c == 0 : (!r->dirty && c != 0))
            failf(what, "slack byte at 0x%" PRIxPTR " is 0x%02x (canary %s)", a, c, G->o.canary ? "on" : "off");
    }
}

/* ---- the model's free, owns and dealloc routing ----------------------------------------------- */

typedef struct verdict {
    bool ok;
    memapi_error err;
    bool safe; /* false: the call would be undefined (a foreign pointer reaching default's free) */
} verdict;

static verdict v_ok(void)
{
    verdict v;
    memset(&v, 0, sizeof v);
    v.ok = v.safe = true;
    return v;
}

static verdict v_err(memapi_error e)
{
    verdict v;
    memset(&v, 0, sizeof v);
    v.safe = true;
    v.err = e;
    return v;
}

static verdict v_unsafe(void)
{
    verdict v;
    memset(&v, 0, sizeof v);
    return v;
}

/* guard.h: free_fill, the pages closed (madvise; or mprotect then madvise DONTNEED), the record
 * FREED, the quarantine. Returns whether the pages stay readable (a close that failed). */
static bool m_release(int k, size_t slot, bool apply)
{
    mguard *G = &S.G[k];
    mrec *r = &G->rec[slot];
    bool readable = false;
    if (!apply)
        return false;
    if (!G->mprot) {
        if (m_call(OS_MADVISE))
            r->dirty = readable = true;
    } else if (m_call(OS_MPROTECT)) {
        r->dirty = readable = true;
    } else if (m_call(OS_MADVISE)) {
        r->dirty = true;
    }
    r->state = SLOT_FREED;
    G->st.live_blocks--;
    G->st.accessible_bytes -= page_up(r->ptr + r->l.size, G->page) - page_down(r->ptr, G->page);
    size_t depth = G->o.quarantine;
    if (depth == 0) {
        m_push_free(G, slot);
    } else {
        if (G->st.quarantined_blocks == depth)
            m_evict(G);
        G->ring[(G->ring_head + G->st.quarantined_blocks) % depth] = slot;
        G->st.quarantined_blocks++;
    }
    return readable;
}

static bool last_release_readable;

static verdict m_pool_check(int k, uintptr_t p, memapi_layout l, bool owns_query, size_t *slot)
{
    mguard *G = &S.G[k];
    if (G->pool == 0) /* no block was ever placed: every slot is empty */
        return v_err(x_ptr(MEMAPI_E_INVALID_POINTER, p, NOT_OWNED));
    *slot = (p - G->pool) / G->stride;
    mrec *r = &G->rec[*slot];
    if (r->state == SLOT_EMPTY)
        return v_err(x_ptr(MEMAPI_E_INVALID_POINTER, p, NOT_OWNED));
    if (r->ptr != p)
        return v_err(x_ptr(MEMAPI_E_INVALID_POINTER, p, "interior pointer"));
    if (r->state == SLOT_FREED)
        return v_err(x_ptr(MEMAPI_E_INVALID_POINTER, p, owns_query ? "block already freed" : "double free"));
    if (!memapi_layout_eq(r->l, l))
        return v_err(x_mismatch(p, l, r->l));
    if (G->o.canary && r->damaged)
        return v_err(x_ptr(MEMAPI_E_CORRUPTION, p, "canary overwritten"));
    return v_ok();
}

/* tracking.h, the tracking fallback of guard k: p must be a live block of it (its handle in *index)
 * with exactly layout l. */
static verdict m_tracked(int k, uintptr_t p, memapi_layout l, int *index)
{
    int i = handle_at(H_TRACK, k, p);
    *index = i;
    if (i < 0)
        return v_err(x_ptr(MEMAPI_E_INVALID_POINTER, p, NOT_OWNED));
    if (!memapi_layout_eq(S.h[i].l, l))
        return v_err(x_mismatch(p, l, S.h[i].l));
    return v_ok();
}

/* guard.h try_dealloc at the guard's entry (the dispatch's checks already passed). */
static verdict m_try(int k, uintptr_t p, memapi_layout l, bool apply)
{
    mguard *G = &S.G[k];
    if (in_pool(k, p)) {
        size_t slot;
        verdict v = m_pool_check(k, p, l, false, &slot);
        if (v.ok && apply) {
            int i = handle_at(H_POOL, k, p);
            last_release_readable = m_release(k, slot, apply);
            if (i >= 0)
                handle_gone(i);
        }
        return v;
    }
    if (l.size == 0 || p == (uintptr_t)memapi_layout_dangling(l))
        return v_ok();
    if (!may_own(G))
        return v_err(x_ptr(MEMAPI_E_INVALID_POINTER, p, NOT_OWNED));
    switch (G->fb) {
    case FB_DEFAULT: {
        int i = handle_at(H_DEFAULT, k, p);
        if (i < 0 || !memapi_layout_eq(S.h[i].l, l))
            return v_unsafe();
        if (apply)
            handle_gone(i);
        return v_ok();
    }
    case FB_TRACKING: {
        int i;
        verdict v = m_tracked(k, p, l, &i);
        if (v.ok && apply)
            handle_gone(i);
        return v;
    }
    case FB_PROBE: {
        int at = probe_find(&G->pr, (void *)p);
        if (at < 0)
            return v_err(x_ptr(MEMAPI_E_INVALID_POINTER, p, PROBE_NOT_MINE));
        if (!memapi_layout_eq(G->pr.b[at].l, l))
            return v_err(x_mismatch(p, l, G->pr.b[at].l));
        if (apply) {
            int i = handle_at(H_PROBE, k, p);
            if (i >= 0)
                handle_gone(i);
        }
        return v_ok();
    }
    case FB_GUARD: return m_try(G->fb_guard, p, l, apply);
    default: return v_unsafe();
    }
}

/* guard.h owns at the guard's entry. */
static verdict m_owns(int k, uintptr_t p, memapi_layout l)
{
    mguard *G = &S.G[k];
    if (in_pool(k, p)) {
        size_t slot;
        return m_pool_check(k, p, l, true, &slot);
    }
    if (l.size == 0 && p == (uintptr_t)memapi_layout_dangling(l))
        return v_ok();
    if (!may_own(G))
        return v_err(x_ptr(MEMAPI_E_INVALID_POINTER, p, NOT_OWNED));
    switch (G->fb) {
    case FB_DEFAULT: return v_err(fuzz_err_zero(MEMAPI_E_UNSUPPORTED)); /* default.h: no owns entry */
    case FB_TRACKING: {
        int i;
        return m_tracked(k, p, l, &i);
    }
    case FB_PROBE: {
        if (G->pr.vt.owns == NULL)
            return v_err(fuzz_err_zero(MEMAPI_E_UNSUPPORTED));
        int at = probe_find(&G->pr, (const void *)p);
        if (at < 0)
            return v_err(x_ptr(MEMAPI_E_INVALID_POINTER, p, PROBE_NOT_MINE));
        if (!memapi_layout_eq(G->pr.b[at].l, l))
            return v_err(x_mismatch(p, l, G->pr.b[at].l));
        return v_ok();
    }
    case FB_GUARD: return m_owns(G->fb_guard, p, l);
    default: return v_unsafe();
    }
}

/* The probe entries an operation at guard k reaches (predicted), for try_dealloc / owns / dealloc. */
static void probe_route(int k, uintptr_t p, memapi_layout l, int what, unsigned long want[NG][P_CALLS])
{
    mguard *G = &S.G[k];
    if (in_pool(k, p))
        return;
    if (what != 1 && (l.size == 0 || p == (uintptr_t)memapi_layout_dangling(l)))
        return;
    if (what == 1 && l.size == 0 && p == (uintptr_t)memapi_layout_dangling(l))
        return;
    if (!may_own(G))
        return;
    if (G->fb == FB_GUARD) {
        probe_route(G->fb_guard, p, l, what, want);
        return;
    }
    if (G->fb != FB_PROBE)
        return;
    if (what == 0)
        want[k][P_TRY]++;
    else if (what == 1)
        want[k][P_OWNS] += G->pr.vt.owns != NULL;
    else
        want[k][G->pr.vt.dealloc != NULL ? P_DEALLOC : P_TRY]++;
}

/*
 * memapi_dealloc at guard k (guard.h: the fallback's own dealloc entry for a pointer outside the pool
 * once the fallback may own it; otherwise try_dealloc, whose failure stops the program through the
 * fatal hook). Returns the verdict; a failure is the fatal hook's message.
 */
static verdict m_dealloc(int k, uintptr_t p, memapi_layout l, bool apply)
{
    mguard *G = &S.G[k];
    if (!in_pool(k, p) && may_own(G)) {
        switch (G->fb) {
        case FB_DEFAULT: return m_try(k, p, l, apply);
        case FB_TRACKING: return m_try(k, p, l, apply); /* tracking's dealloc: its try_dealloc's verdict */
        case FB_PROBE: {
            if (G->pr.vt.dealloc != NULL) {
                verdict v = m_try(k, p, l, false);
                if (!v.ok)
                    return v_unsafe(); /* the non-failing entry must get only its blocks */
            }
            return m_try(k, p, l, apply);
        }
        case FB_GUARD: return m_dealloc(G->fb_guard, p, l, apply);
        default: return v_unsafe();
        }
    }
    return m_try(k, p, l, apply);
}

/* ---- real calls against the model ---------------------------------------------------------- */

static void poison(memapi_error *e)
{
    memset(e, FUZZ_POISON, sizeof *e);
}

static void snap_probes(unsigned long out[NG][P_CALLS])
{
    for (int k = 0; k < NG; k++)
        memcpy(out[k], S.G[k].pr.calls, sizeof out[k]);
}

static void check_probes(const char *what, unsigned long before[NG][P_CALLS], unsigned long want[NG][P_CALLS])
{
    static const char *const names[P_CALLS] = {"alloc", "zalloc", "try_dealloc", "owns", "dealloc"};
    for (int k = 0; k < NG; k++)
        for (int c = 0; c < P_CALLS; c++)
            if (S.G[k].pr.calls[c] - before[k][c] != want[k][c])
                failf(what, "guard %d's probe fallback: %lu calls of %s, the model predicts %lu", k,
                      S.G[k].pr.calls[c] - before[k][c], names[c], want[k][c]);
}

static void require_status(const char *what, memapi_status st, memapi_error *e, const verdict *v)
{
    if (v->ok) {
        if (st != MEMAPI_OK) {
            fuzz_print_err("got", e);
            failf(what, "failed; the model expects success");
        }
        if (!fuzz_is_poisoned(e, sizeof *e))
            failf(what, "*err written on success");
        return;
    }
    if (st == MEMAPI_OK)
        failf(what, "succeeded; the model expects an error");
    fuzz_require_err(what, e, &v->err);
}

/* The fatal hook records and jumps back; the message must be exactly the model's. */
static void require_fatal(const char *what, memapi_allocator a, uintptr_t p, memapi_layout l, const verdict *v,
                          bool checked)
{
    char want[768];
    if (!v->ok)
        fatal_text(p, l, &v->err, want, sizeof want);
    memapi_fatal_hook prev = memapi_set_fatal_hook(fuzz_fatal_hook);
    fuzz_fatal_msg[0] = '\0';
    if (setjmp(fuzz_fatal_env) == 0) {
        if (checked) {
            memapi_error e;
            poison(&e);
            memapi_status st = memapi_checked_dealloc(a, (void *)p, l, &e);
            (void)memapi_set_fatal_hook(prev);
            if (st != MEMAPI_OK)
                failf(what, "checked_dealloc failed after owns agreed");
        } else {
            memapi_dealloc(a, (void *)p, l);
            (void)memapi_set_fatal_hook(prev);
        }
        if (!v->ok)
            failf(what, "memapi_dealloc returned; the model expects the fatal hook with \"%s\"", want);
        return;
    }
    (void)memapi_set_fatal_hook(prev);
    if (v->ok)
        failf(what, "fatal hook called with \"%s\"; the model expects success", fuzz_fatal_msg);
    size_t keep = sizeof fuzz_fatal_msg - 1u;
    if (strncmp(fuzz_fatal_msg, want, keep) != 0 || strlen(fuzz_fatal_msg) != (strlen(want) < keep ? strlen(want) : keep)) {
        fprintf(stderr, "  got  \"%s\"\n  want \"%s\"\n", fuzz_fatal_msg, want);
        failf(what, "the fatal message differs from the model");
    }
    tracef("  fatal hook: \"%s\"\n", fuzz_fatal_msg);
}

/* Frees (p, l) through guard k by one of four entries; the model decides and applies. */
enum { FREE_TRY, FREE_TRY_NULL_ERR, FREE_DEALLOC, FREE_CHECKED, FREE_MODES };

static bool do_free(const char *what, int k, uintptr_t p, memapi_layout l, int mode, bool os, uint8_t osb)
{
    verdict v, o = v_ok();
    unsigned long before[NG][P_CALLS], want[NG][P_CALLS];
    memset(want, 0, sizeof want);
    bool misaligned = l.align > 1 && (p & (l.align - 1)) != 0;
    bool dangling = p == (uintptr_t)memapi_layout_dangling(l);
    if (misaligned && mode == FREE_CHECKED)
        return false;
    /* what the model decides, without applying, to know whether the call is defined */
    if (misaligned) {
        /* alloc.h: the dispatch rejects it before the allocator */
        v = v_err(x_ptr(MEMAPI_E_INVALID_POINTER, p, "pointer not aligned to its layout"));
    } else if (dangling) {
        v = v_ok();
    } else if (mode == FREE_CHECKED) {
        /* alloc.h: owns first, its error returned; then memapi_dealloc */
        o = m_owns(k, p, l);
        if (!o.safe)
            return false;
        v = o.ok ? m_dealloc(k, p, l, false) : o;
        probe_route(k, p, l, 1, want);
        if (o.ok)
            probe_route(k, p, l, 2, want);
    } else {
        v = mode == FREE_DEALLOC ? m_dealloc(k, p, l, false) : m_try(k, p, l, false);
        probe_route(k, p, l, mode == FREE_DEALLOC ? 2 : 0, want);
    }
    if (!v.safe)
        return false;
    snap_probes(before);
    os_begin(os, osb);
    last_release_readable = false;
    if (!misaligned && !dangling && v.ok)
        v = mode == FREE_DEALLOC || mode == FREE_CHECKED ? m_dealloc(k, p, l, true) : m_try(k, p, l, true);
    tracef("  free 0x%" PRIxPTR " (%zu, %zu) via guard %d mode %d: model %s\n", p, l.size, l.align, k, mode,
           v.ok ? "ok" : "error");
    memapi_error e;
    poison(&e);
    switch (mode) {
    case FREE_TRY: require_status(what, memapi_try_dealloc(gal(k), (void *)p, l, &e), &e, &v); break;
    case FREE_TRY_NULL_ERR:
        if ((memapi_try_dealloc(gal(k), (void *)p, l, NULL) == MEMAPI_OK) != v.ok)
            failf(what, "try_dealloc (err NULL) %s", v.ok ? "failed" : "succeeded");
        break;
    case FREE_DEALLOC: require_fatal(what, gal(k), p, l, &v, false); break;
    default:
        if (!o.ok)
            require_status(what, memapi_checked_dealloc(gal(k), (void *)p, l, &e), &e, &o);
        else
            require_fatal(what, gal(k), p, l, &v, true);
        break;
    }
    os_end(what);
    check_probes(what, before, want);
    return true;
}

/* ---- guards: init and destroy ---------------------------------------------------------------- */

static void free_everything_of(int k);

static void guard_destroy(int k, bool os, uint8_t osb)
{
    mguard *G = &S.G[k];
    if (!G->alive)
        return;
    /* a guard that is another's fallback goes after it (its blocks are the other's too) */
    for (int j = 0; j < NG; j++)
        if (j != k && S.G[j].alive && S.G[j].fb == FB_GUARD && S.G[j].fb_guard == k)
            guard_destroy(j, false, 0);
    free_everything_of(k);
    /* guard.h: destroy unmaps the pool and the metadata: two munmap calls */
    memset(S.want_calls, 0, sizeof S.want_calls);
    bool fail_pool = os && G->pool != 0;
    long maps = os_faults_live_maps();
    if (fail_pool)
        os_faults_arm(OS_MUNMAP, 1, EINVAL);
    else
        os_faults_arm(OS_CALL_COUNT, 0, 0);
    (void)osb;
    uintptr_t pool = G->pool;
    size_t pool_bytes = G->pool_bytes;
    memapi_guard_destroy(&G->g);
    if (os_faults_calls(OS_MUNMAP) != 2)
        failf("destroy", "%lu munmap calls, the model predicts 2 (pool and metadata)", os_faults_calls(OS_MUNMAP));
    if (os_faults_live_maps() != maps - (fail_pool ? 1 : 2))
        failf("destroy", "%ld mappings left, %ld before", os_faults_live_maps(), maps);
    os_faults_arm(OS_CALL_COUNT, 0, 0);
    if (fail_pool && munmap((void *)pool, pool_bytes) != 0) /* the pool the failed munmap left */
        failf("destroy", "the pool is not one mapping of %zu bytes at 0x%" PRIxPTR, pool_bytes, pool);
    if (G->fb == FB_TRACKING)
        memapi_tracking_destroy(&G->trk);
    if (G->fb == FB_PROBE && G->pr.n != 0)
        failf("destroy", "the probe fallback holds %zu blocks after every block was freed", G->pr.n);
    G->alive = false;
    tracef("  guard %d destroyed\n", k);
}

/*
 * Config bytes: c0 bits 0-2 pool slots {1,2,3,4,6,8,12,16}, bits 3-4 slot pages 1-4, bit 5 the large
 * layout (70 slots of 255 pages: each slot over 1 MiB, so that arming starts at one slot and doubles
 * past 64 MiB), bits 6-7 placement {end, start, alternate, end}; c1 bits 0-2 quarantine {0,1,2,3,
 * 4,16,pool,0} (at most the pool), bit 3 canary off, bits 4-5 fill {0xAA,-1,0,0x11}, bit 6 free fill
 * 0x5A, bit 7 force_mprotect; c2 bits 0-1 sample_every {1,1,2,3}, bits 2-3 fallback {default,
 * tracking, probe, the previous guard}, bits 4-6 the probe's zalloc/owns/dealloc entries, bit 7 with
 * sample_every 1: an unusable fallback (NULL vtable, no alloc, no try_dealloc by bits 4-5).
 */
static void decode_opts(int k, uint8_t c0, uint8_t c1, uint8_t c2, memapi_guard_options *o, int *fb, int *bad)
{
    static const size_t slots[8] = {1, 2, 3, 4, 6, 8, 12, 16};
    static const memapi_guard_placement place[4] = {MEMAPI_GUARD_PLACE_END, MEMAPI_GUARD_PLACE_START,
                                                    MEMAPI_GUARD_PLACE_ALTERNATE, MEMAPI_GUARD_PLACE_END};
    static const int fill[4] = {0xAA, -1, 0, 0x11};
    static const size_t sample[4] = {1, 1, 2, 3};
    *o = memapi_guard_options_default();
    o->pool_slots = slots[c0 & 7u];
    o->slot_pages = 1u + ((c0 >> 3) & 3u);
    if (c0 & 32u) {
        o->pool_slots = 70;
        o->slot_pages = 255;
    }
    o->placement = place[c0 >> 6];
    size_t q[8] = {0, 1, 2, 3, 4, 16, o->pool_slots, 0};
    o->quarantine = q[c1 & 7u] < o->pool_slots ? q[c1 & 7u] : o->pool_slots;
    o->canary = (c1 & 8u) == 0;
    o->fill_byte = fill[(c1 >> 4) & 3u];
    o->free_fill = (c1 & 64u) ? 0x5A : -1;
    o->force_mprotect = (c1 & 128u) != 0;
    o->sample_every = sample[c2 & 3u];
    *fb = (c2 >> 2) & 3;
    if (*fb == FB_GUARD && (k == 0 || !S.G[k - 1].alive))
        *fb = FB_DEFAULT;
    *bad = 0;
    if ((c2 & 128u) && o->sample_every == 1) {
        *bad = 1 + ((c2 >> 4) & 3) % 3; /* 1 NULL vtable, 2 no alloc, 3 no try_dealloc */
        *fb = *bad == 1 ? FB_NULL_VT : FB_PROBE;
    }
}

static bool guard_init(int k, uint8_t c0, uint8_t c1, uint8_t c2, bool os, uint8_t osb)
{
    const char *what = "guard_init";
    mguard *G = &S.G[k];
    guard_destroy(k, false, 0);
    int fb, bad;
    memapi_guard_options o;
    decode_opts(k, c0, c1, c2, &o, &fb, &bad);
    memset(G, 0, sizeof *G);
    G->fb = fb;
    G->fb_guard = k - 1;
    memapi_error e;
    switch (fb) {
    case FB_DEFAULT: o.fallback = memapi_default(); break;
    case FB_TRACKING:
        if (memapi_tracking_init(&G->trk, memapi_default(), &e) != MEMAPI_OK)
            fuzz_fail(what, "memapi_tracking_init failed");
        o.fallback = memapi_tracking_allocator(&G->trk);
        break;
    case FB_PROBE: {
        probe_init(&G->pr, (unsigned)(c2 >> 4) & 7u, bad == 2 ? 1 : bad == 3 ? 2 : 0);
        memapi_allocator a = {&G->pr.vt, &G->pr};
        o.fallback = a;
        break;
    }
    case FB_GUARD: o.fallback = gal(k - 1); break;
    default: o.fallback.vt = NULL; o.fallback.self = NULL; break;
    }
    G->o = o;
    G->page = PAGE;
    /* init's platform calls (guard.h): the page size, the metadata mapping (its body made read-write,
     * an inaccessible page each side), the pool reservation, the guard-region probe unless forced,
     * the secret. A mapping that fails: ALLOC_FAILED({its bytes, page}, os error), nothing mapped. */
    os_begin(os, osb);
    long maps = os_faults_live_maps();
    poison(&e);
    memapi_status st = memapi_guard_init(&G->g, &o, &e);
    bool fired = os_faults_fired();
    unsigned long nmmap = os_faults_calls(OS_MMAP);
    size_t page = (os && S.os_call == OS_SYSCONF && S.os_nth == 1) ? 4096u : PAGE; /* guard.c falls back to 4096 */
    G->page = page;
    G->stride = (o.slot_pages + 2u) * page;
    G->data = o.slot_pages * page;
    G->pool_bytes = G->stride * o.pool_slots;
    bool fails = os && ((S.os_call == OS_MMAP && S.os_nth <= 2) || (S.os_call == OS_MPROTECT && S.os_nth == 1));
    tracef("  init guard %d: slots %zu pages %zu place %d q %zu canary %d fill %d free %d mprot %d sample %zu fb %d%s\n",
           k, o.pool_slots, o.slot_pages, (int)o.placement, o.quarantine, o.canary, o.fill_byte, o.free_fill,
           o.force_mprotect, o.sample_every, fb, os ? " (os fault)" : "");
    if (fails) {
        if (st == MEMAPI_OK)
            failf(what, "init succeeded although the %s (call %u) failed", os_faults_name(S.os_call), S.os_nth);
        memapi_layout ml;
        if (S.os_call == OS_MPROTECT) /* the metadata's body: the mapping less its two pages */
            ml = lay(os_faults_last_len(OS_MPROTECT) + 2u * page, page);
        else /* the mapping that failed: the pool ((slot_pages + 2) pages a slot) or the metadata */
            ml = lay(os_faults_last_len(OS_MMAP), page);
        if (S.os_call == OS_MMAP && nmmap != S.os_nth)
            failf(what, "%lu mmap calls; the failing one was call %u", nmmap, S.os_nth);
        if (S.os_call == OS_MMAP && S.os_nth == 2 && ml.size != G->pool_bytes)
            failf(what, "the second mapping has %zu bytes, the pool %zu", ml.size, G->pool_bytes);
        if (ml.size % page != 0 || ml.size < 3u * page)
            failf(what, "a mapping of %zu bytes is not whole pages with an inaccessible page each side", ml.size);
        memapi_error want = fuzz_err_os(ml, S.os_code);
        fuzz_require_err(what, &e, &want);
        if (os_faults_live_maps() != maps)
            failf(what, "%ld mappings left by the failed init, %ld before", os_faults_live_maps(), maps);
        os_faults_arm(OS_CALL_COUNT, 0, 0);
        if (fb == FB_TRACKING)
            memapi_tracking_destroy(&G->trk);
        G->alive = false;
        return false;
    }
    if (st != MEMAPI_OK) {
        fuzz_print_err("got", &e);
        failf(what, "init failed");
    }
    if (!fuzz_is_poisoned(&e, sizeof e))
        failf(what, "*err written on success");
    bool probe_failed = !o.force_mprotect && (!kernel_guard_regions || (os && S.os_call == OS_MADVISE && S.os_nth == 1));
    G->mprot = o.force_mprotect || probe_failed;
    unsigned long want[6] = {1, 2, 1, 0, o.force_mprotect ? 0u : 1u, 1};
    static const os_call calls[6] = {OS_SYSCONF, OS_MMAP, OS_MPROTECT, OS_MUNMAP, OS_MADVISE, OS_GETENTROPY};
    for (int i = 0; i < 6; i++)
        if (os_faults_calls(calls[i]) != want[i])
            failf(what, "%lu calls of %s, the model predicts %lu", os_faults_calls(calls[i]), os_faults_name(calls[i]),
                  want[i]);
    bool fires = os && S.os_nth == 1 &&
                 (S.os_call == OS_SYSCONF || S.os_call == OS_GETENTROPY || (S.os_call == OS_MADVISE && !o.force_mprotect));
    if (fired != fires)
        failf(what, "the %s fault %s", os_faults_name(S.os_call), fired ? "fired unpredicted" : "did not fire");
    if (os_faults_live_maps() != maps + 2)
        failf(what, "%ld mappings after init, %ld before: the model predicts two more", os_faults_live_maps(), maps);
    G->meta_bytes = os_faults_last_len(OS_MPROTECT) + 2u * page;
    os_faults_arm(OS_CALL_COUNT, 0, 0);
    G->alive = true;
    G->countdown = 1;
    G->armed = G->mprot ? o.pool_slots : 0; /* guard.h: with mprotect no arming, each block's pages are opened */
    G->st.pool_bytes = G->pool_bytes;
    G->st.metadata_bytes = G->meta_bytes;
    G->st.uses_mprotect = G->mprot;
    memapi_guard_statistics gs = memapi_guard_stats(&G->g);
    if (gs.metadata_bytes % page != 0 || gs.metadata_bytes < 3u * page)
        failf(what, "metadata of %zu bytes: not whole pages with a guard page each side", gs.metadata_bytes);
    check_stats(what);
    /* a pointer nobody allocated is outside the pool */
    static char outside[16];
    if (memapi_guard_contains(&G->g, outside))
        failf(what, "a static buffer is inside the pool");
    return true;
}

/* ---- invalid options ---------------------------------------------------------------------- */

static void op_bad_options(fuzz_in *in)
{
    const char *what = "guard_init (invalid options)";
    uint8_t kind = fin_u8(in), v = fin_u8(in);
    memapi_guard_options o = memapi_guard_options_default();
    o.pool_slots = 4;
    o.quarantine = 2;
    probe pr;
    probe_init(&pr, 0, 0);
    const char *msg = NULL;
    switch (kind % 8u) {
    case 0: o.sample_every = 0; msg = "guard options: sample_every must be at least 1"; break;
    case 1: {
        static const int badv[4] = {-2, 256, INT32_MIN, 1000};
        if (v & 1u)
            o.fill_byte = badv[(v >> 1) % 4u];
        else
            o.free_fill = badv[(v >> 1) % 4u];
        msg = "guard options: fill_byte and free_fill must be -1 or 0..255";
        break;
    }
    case 2: {
        o.sample_every = 2u + v % 5u;
        int b = (v >> 3) % 3;
        probe_init(&pr, 0, b == 0 ? 0 : b);
        if (b == 0) {
            o.fallback.vt = NULL;
            o.fallback.self = NULL;
        } else {
            memapi_allocator a = {&pr.vt, &pr};
            o.fallback = a;
        }
        msg = "guard options: the fallback needs alloc and try_dealloc";
        break;
    }
    case 3:
        switch (v % 4u) {
        case 0: o.pool_slots = 0; o.quarantine = 0; break;
        case 1: o.pool_slots = (size_t)4294967295u + 1u + (v >> 2); break;
        case 2: o.slot_pages = 0; break;
        default: o.slot_pages = 65537u + (v >> 2); break;
        }
        msg = "guard options: pool_slots must be 1 .. 4294967295 and slot_pages 1 .. 65536";
        break;
    case 4: o.quarantine = o.pool_slots + 1u + v; msg = "guard options: quarantine must be at most pool_slots"; break;
    case 5: o.placement = (memapi_guard_placement)(3 + v % 8u); msg = "guard options: unknown placement"; break;
    default: {
        /* a pool one slot over 2^46 bytes (guard.h): slots of (slot_pages + 2) pages */
        o.slot_pages = 3u + (size_t)v * 256u; /* over 4 pages a slot: the slot count stays valid */
        size_t stride = (o.slot_pages + 2u) * PAGE;
        o.pool_slots = ((size_t)1 << 46) / stride + 1u + (kind >> 3);
        o.quarantine = 0;
        msg = "guard options: the pool would exceed 2^46 bytes";
        break;
    }
    }
    memapi_guard g;
    memapi_error e;
    poison(&e);
    bool null_err = (kind & 128u) != 0;
    memapi_status st = memapi_guard_init(&g, &o, null_err ? NULL : &e);
    tracef("  invalid options %u: \"%s\"\n", kind % 8u, msg);
    if (st == MEMAPI_OK)
        failf(what, "init with invalid options succeeded (\"%s\" expected)", msg);
    if (!null_err) {
        memapi_error want = fuzz_err_other(msg);
        fuzz_require_err(what, &e, &want);
    }
}

/* ---- operations on blocks ------------------------------------------------------------------ */

static memapi_layout read_layout(fuzz_in *in, size_t max_pages)
{
    size_t size = (size_t)fin_le(in, 2) % (max_pages * PAGE + 64u);
    size_t align = (size_t)1 << (fin_u8(in) % 15u); /* 1 .. 16 KiB: over a page too */
    return lay(size, align);
}

static void op_alloc(fuzz_in *in)
{
    const char *what = "alloc";
    int k = fin_u8(in) % NG;
    int i = fin_u8(in) % NH;
    memapi_layout l = read_layout(in, 5);
    uint8_t flags = fin_u8(in);
    uint8_t osb = (flags & 2u) ? fin_u8(in) : 0;
    if (!S.G[k].alive)
        return;
    if (S.h[i].live) {
        handle *h = &S.h[i];
        do_free("free before alloc", h->via, h->ptr, h->l, FREE_TRY, false, 0);
    }
    bool zero = (flags & 1u) != 0;
    unsigned long before[NG][P_CALLS], want[NG][P_CALLS];
    memset(want, 0, sizeof want);
    snap_probes(before);
    os_begin((flags & 2u) != 0, osb);
    outcome o = m_alloc(k, l, zero);
    if (o.ok && o.home == H_PROBE)
        want[o.hg][zero && S.G[o.hg].pr.vt.zalloc != NULL ? P_ZALLOC : P_ALLOC]++;
    memapi_error e;
    poison(&e);
    void *p = zero ? memapi_zalloc(gal(k), l, &e) : memapi_alloc(gal(k), l, &e);
    tracef("  %s guard %d (%zu, %zu) -> %p (model: %s home %d/%d slot %zu)\n", zero ? "zalloc" : "alloc", k, l.size,
           l.align, p, o.ok ? "ok" : "error", o.home, o.hg, o.slot);
    os_end(what);
    check_probes(what, before, want);
    if (!o.ok) {
        if (p != NULL)
            failf(what, "allocation succeeded; the model expects an error");
        fuzz_require_err(what, &e, &o.err);
        check_stats(what);
        return;
    }
    if (p == NULL) {
        fuzz_print_err("got", &e);
        failf(what, "allocation failed; the model expects success");
    }
    if (!fuzz_is_poisoned(&e, sizeof e))
        failf(what, "*err written on success");
    if (((uintptr_t)p & (l.align - 1)) != 0)
        failf(what, "block %p not aligned to %zu", p, l.align);
    handle *h = handle_new(i, k, &o, p, l);
    h->seed = (uint8_t)(flags ^ (uint8_t)i);
    if (o.home == H_DANGLING) {
        if (p != memapi_layout_dangling(l))
            failf(what, "size 0 gave %p, not the dangling pointer", p);
        h->live = false;
        h->freed = false;
        /* guard.h: freeing it is a no-op */
        poison(&e);
        verdict v = v_ok();
        require_status("free of size 0", memapi_try_dealloc(gal(k), p, l, &e), &e, &v);
        check_stats(what);
        return;
    }
    if (o.home == H_POOL) {
        commit_pool_block(what, &o, (uintptr_t)p, l, zero);
    } else {
        for (int j = 0; j < NG; j++)
            if (S.G[j].alive && in_pool(j, (uintptr_t)p))
                failf(what, "a fallback block %p lies in guard %d's pool", p, j);
        if (zero)
            for (size_t b = 0; b < l.size; b++)
                if (((unsigned char *)p)[b] != 0)
                    failf(what, "zalloc through the fallback: byte %zu not zero", b);
    }
    for (int j = 0; j < NH; j++)
        if (j != i && S.h[j].live && S.h[j].ptr < h->ptr + l.size && h->ptr < S.h[j].ptr + S.h[j].l.size)
            failf(what, "block %p overlaps the live block 0x%" PRIxPTR, p, S.h[j].ptr);
    fill_pattern(h);
    check_stats(what);
}

static void check_readable_freed(const char *what, int k, const handle *h)
{
    /* guard.h: free_fill is written over the block before it is protected; a close that failed
     * leaves the pages readable, with the fill (or the bytes written before the free) */
    const unsigned char *b = (const unsigned char *)h->ptr;
    int ff = S.G[k].o.free_fill;
    for (size_t i = 0; i < h->l.size; i++) {
        unsigned char want = ff >= 0 ? (unsigned char)ff : pat(h->seed, i);
        if (b[i] != want)
            failf(what, "freed block (pages left open) byte %zu is 0x%02x, the model has 0x%02x", i, b[i], want);
    }
}

static void op_free(fuzz_in *in)
{
    const char *what = "free";
    int i = fin_u8(in) % NH;
    uint8_t mode = fin_u8(in);
    uint8_t osb = (mode & 0x80u) ? fin_u8(in) : 0;
    handle *h = &S.h[i];
    if (!h->live)
        return;
    check_pattern(what, h);
    handle copy = *h;
    if (!do_free(what, h->via, h->ptr, h->l, (mode & 0x7Fu) % FREE_MODES, (mode & 0x80u) != 0, osb))
        failf(what, "a live block's free is undefined for the model");
    if (h->live) /* checked_dealloc of a block whose fallback has no owns: UNSUPPORTED, the block kept */
        do_free(what, copy.via, copy.ptr, copy.l, FREE_TRY, false, 0);
    if (h->live)
        failf(what, "the model kept a freed block live");
    if (last_release_readable && copy.home == H_POOL)
        check_readable_freed(what, copy.hg, &copy);
    check_stats(what);
}

/* A pointer for a misuse: kinds 0 interior, 1 misaligned, 2 a static buffer, 3 a block of another
 * guard (through this one), 4 the block itself. */
static _Alignas(4096) uint8_t foreign_buf[256];

static void op_misuse(fuzz_in *in)
{
    const char *what = "misuse";
    int i = fin_u8(in) % NH;
    uint8_t kind = fin_u8(in), x = fin_u8(in), mode = fin_u8(in);
    handle *h = &S.h[i];
    if (!h->live && !h->freed)
        return;
    if (!S.G[h->via].alive)
        return;
    int k = h->via;
    uintptr_t p = h->ptr;
    memapi_layout l = h->l;
    switch (kind >= 0xF0u ? 6u : kind % 6u) {
    case 6: { /* the data start of a slot no block ever took (guard.h: not owned) */
        mguard *G = &S.G[k];
        if (G->pool == 0)
            return;
        size_t n = G->o.pool_slots, s0 = x % n, j = 0;
        while (j < n && G->rec[(s0 + j) % n].state != SLOT_EMPTY)
            j++;
        if (j == n)
            return;
        p = G->pool + ((s0 + j) % n) * G->stride + G->page;
        l = lay(16, 16);
        break;
    }
    case 0: /* interior: an aligned pointer inside the block */
        if (l.size <= l.align)
            return;
        p += l.align * (1u + x % ((l.size - 1) / l.align));
        break;
    case 1: /* misaligned */
        if (l.align == 1)
            return;
        p += 1u + x % (l.align - 1);
        break;
    case 2: p = (uintptr_t)foreign_buf + (x & 0xF0u); l = lay(1u + x % 16u, 16); break;
    case 3: {
        int j = (int)(x % NG);
        if (j == k || !S.G[j].alive)
            return;
        k = j; /* the same block through another guard */
        break;
    }
    case 4: /* a wrong layout */
        l = (x & 1u) ? lay(l.size + 1u + x % 7u, l.align) : lay(l.size, l.align * 2u);
        break;
    default: break; /* the pointer as it is: a double free when freed */
    }
    int m = mode % (FREE_MODES + 2);
    if (m < FREE_MODES) {
        do_free(what, k, p, l, m, false, 0);
    } else if (m == FREE_MODES) {
        /* owns through the vtable entry */
        if (l.align > 1 && (p & (l.align - 1)) != 0)
            return;
        verdict v = m_owns(k, p, l);
        if (!v.safe)
            return;
        unsigned long before[NG][P_CALLS], want[NG][P_CALLS];
        memset(want, 0, sizeof want);
        probe_route(k, p, l, 1, want);
        snap_probes(before);
        memapi_error e;
        poison(&e);
        memapi_allocator a = gal(k);
        require_status("owns", a.vt->owns(a.self, (const void *)p, l, &e), &e, &v);
        check_probes("owns", before, want);
    } else {
        /* guard.h block_layout: the layout a slot records, live or freed */
        memapi_layout out = lay(12345, 1);
        memapi_error e;
        poison(&e);
        memapi_status st = memapi_guard_block_layout(&S.G[k].g, (const void *)p, &out, &e);
        mguard *G = &S.G[k];
        verdict v;
        memapi_layout wl = lay(0, 0);
        if (!in_pool(k, p)) {
            v = v_err(x_ptr(MEMAPI_E_INVALID_POINTER, p, NOT_OWNED));
        } else if (G->pool == 0 || G->rec[(p - G->pool) / G->stride].state == SLOT_EMPTY) {
            v = v_err(x_ptr(MEMAPI_E_INVALID_POINTER, p, NOT_OWNED));
        } else {
            mrec *r = &G->rec[(p - G->pool) / G->stride];
            if (r->ptr != p)
                v = v_err(x_ptr(MEMAPI_E_INVALID_POINTER, p, "interior pointer"));
            else {
                v = v_ok();
                wl = r->l;
            }
        }
        require_status("block_layout", st, &e, &v);
        if (v.ok && !memapi_layout_eq(out, wl))
            failf("block_layout", "layout (%zu, %zu), the slot's (%zu, %zu)", out.size, out.align, wl.size, wl.align);
        if (!v.ok && (out.size != 12345 || out.align != 1))
            failf("block_layout", "*out written on failure");
    }
    check_stats(what);
}

/* ---- canary damage ---------------------------------------------------------------------- */

static void op_canary(fuzz_in *in)
{
    const char *what = "canary";
    int i = fin_u8(in) % NH;
    size_t pos = (size_t)fin_le(in, 2);
    uint8_t x = fin_u8(in), mode = fin_u8(in);
    handle *h = &S.h[i];
    if (!h->live || h->home != H_POOL || !S.G[h->hg].alive)
        return;
    mguard *G = &S.G[h->hg];
    int k = h->via;
    uintptr_t first = page_down(h->ptr, G->page), last = page_up(h->ptr + h->l.size, G->page);
    size_t before_n = h->ptr - first, after_n = last - (h->ptr + h->l.size);
    if (before_n + after_n == 0)
        return;
    /* a byte of the slack: before the block in its first page, or after it in its last page */
    size_t off = pos % (before_n + after_n);
    uintptr_t a = off < before_n ? first + off : h->ptr + h->l.size + (off - before_n);
    unsigned char *b = (unsigned char *)a;
    unsigned char saved = *b;
    *b = (unsigned char)(saved ^ (1u + x % 255u));
    G->rec[h->slot].damaged = true;
    tracef("  canary: byte 0x%" PRIxPTR " of block 0x%" PRIxPTR " changed, detection %u\n", a, h->ptr, mode % 5u);
    memapi_error e;
    poison(&e);
    switch (mode % 5u) {
    case 0: do_free(what, k, h->ptr, h->l, FREE_TRY, false, 0); break;
    case 1: do_free(what, k, h->ptr, h->l, FREE_DEALLOC, false, 0); break;
    case 2: do_free(what, k, h->ptr, h->l, FREE_CHECKED, false, 0); break;
    case 3: {
        verdict v = m_owns(k, h->ptr, h->l);
        memapi_allocator al = gal(k);
        require_status("owns (damaged canary)", al.vt->owns(al.self, (const void *)h->ptr, h->l, &e), &e, &v);
        break;
    }
    default: {
        /* guard.h: a resize to the identical layout asks owns, which checks the canary */
        verdict v = m_owns(k, h->ptr, h->l);
        void *r = memapi_realloc(gal(k), (void *)h->ptr, h->l, h->l, &e);
        if (v.ok && r != (void *)h->ptr)
            failf(what, "identical resize gave %p, not the block", r);
        if (!v.ok) {
            if (r != NULL)
                failf(what, "identical resize of a damaged block succeeded");
            fuzz_require_err(what, &e, &v.err);
        }
        break;
    }
    }
    G->rec[h->slot].damaged = false;
    if (h->live) {
        *b = saved;
        check_pattern(what, h);
    }
    check_stats(what);
}

/* ---- faults in children ----------------------------------------------------------------------- */

static size_t read_all(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    ssize_t r;
    while (n < cap - 1 && (r = read(fd, buf + n, cap - 1 - n)) != 0) {
        if (r < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        n += (size_t)r;
    }
    buf[n] = '\0';
    return n;
}

/* guard.h: the line the handler writes for a fault in a slot that holds or held a block. */
static const char *m_classify(int k, uintptr_t addr, mrec *out)
{
    mguard *G = &S.G[k];
    mrec *r = &G->rec[(addr - G->pool) / G->stride];
    *out = *r;
    if (r->state == SLOT_EMPTY)
        return NULL;
    uintptr_t end = r->ptr + r->l.size;
    if (r->state == SLOT_FREED && addr >= page_down(r->ptr, G->page) && addr < page_up(end, G->page))
        return "use after free of";
    if (addr < r->ptr)
        return "underflow before";
    if (addr >= end)
        return "overflow past";
    return NULL;
}

typedef void (*child_fn)(void *ctx);

/* Forks; the child's stderr goes to a pipe. Returns the wait status and the child's output. */
static int run_child(child_fn fn, void *ctx, char *out, size_t cap)
{
    int fds[2];
    if (pipe(fds) != 0)
        fuzz_fail("fork", "pipe failed");
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        fuzz_fail("fork", "fork failed");
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], STDERR_FILENO);
        close(fds[1]);
        fn(ctx);
        _exit(77);
    }
    close(fds[1]);
    read_all(fds[0], out, cap);
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

typedef struct touch {
    volatile unsigned char *addr;
    bool write;
} touch;

static void child_touch(void *ctx)
{
    touch *t = ctx;
    if (t->write)
        *t->addr = 0x42;
    else
        (void)*t->addr;
    _exit(78); /* no fault */
}

static void op_fork_fault(fuzz_in *in)
{
    const char *what = "fault in a child";
    int i = fin_u8(in) % NH;
    uint8_t kind = fin_u8(in);
    size_t off = (size_t)fin_le(in, 2);
    handle *h = &S.h[i];
    if (S.forks >= FORKS_PER_INPUT || h->home != H_POOL || !(h->live || h->freed) || !S.G[h->hg].alive)
        return;
    int k = h->hg;
    mguard *G = &S.G[k];
    mrec *r = &G->rec[h->slot];
    uintptr_t slot_start = G->pool + h->slot * G->stride, slot_end = slot_start + G->stride;
    uintptr_t first = page_down(r->ptr, G->page), last = page_up(r->ptr + r->l.size, G->page);
    if (r->dirty) /* a close failed there: which pages are open is not the model's */
        return;
    bool all = r->state == SLOT_FREED; /* every page of the slot is inaccessible */
    uintptr_t addr;
    switch (kind % 4u) {
    case 0: addr = last + off % (slot_end - last); break;               /* past the block's pages */
    case 1: addr = slot_start + off % (first - slot_start); break;       /* before them */
    case 2: if (!all) return; addr = first + off % (last - first); break; /* the freed block's pages */
    default: if (!all) return; addr = r->ptr + off % (r->l.size ? r->l.size : 1u); break;
    }
    mrec rc;
    const char *kind_text = m_classify(k, addr, &rc);
    if (kind_text == NULL)
        return;
    char want[200], got[1024];
    snprintf(want, sizeof want, "memapi guard: %s block 0x%" PRIxPTR " (Layout(size: %zu, align: %zu))\n", kind_text,
             rc.ptr, rc.l.size, rc.l.align);
    touch t = {(volatile unsigned char *)addr, (kind & 4u) != 0};
    S.forks++;
    tracef("  child %s 0x%" PRIxPTR ": expects \"%.*s\"\n", t.write ? "writes" : "reads", addr, (int)strlen(want) - 1,
           want);
    int status = run_child(child_touch, &t, got, sizeof got);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSEGV)
        failf(what, "the child touching 0x%" PRIxPTR " did not die of SIGSEGV (status 0x%x); its stderr: %s", addr,
              (unsigned)status, got);
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "  got  \"%s\"\n  want \"%s\"\n", got, want);
        failf(what, "the guard's report differs from guard.h's line");
    }
}

/* alloc.h, memapi_dealloc with the default fatal hook: the message and a newline on stderr, then
 * abort. The child damages its copy of a canary (or frees a freed block again). */
typedef struct fatal_ctx {
    memapi_allocator a;
    uintptr_t p;
    memapi_layout l;
    unsigned char *damage;
} fatal_ctx;

static void child_fatal(void *ctx)
{
    fatal_ctx *c = ctx;
    signal(SIGABRT, SIG_DFL); /* the engine's crash handler is the parent's business */
    (void)memapi_set_fatal_hook(NULL);
    if (c->damage != NULL)
        *c->damage ^= 0x5A;
    memapi_dealloc(c->a, (void *)c->p, c->l);
    _exit(79);
}

static void op_fatal_child(fuzz_in *in)
{
    const char *what = "default fatal hook in a child";
    int i = fin_u8(in) % NH;
    handle *h = &S.h[i];
    if (S.forks >= FORKS_PER_INPUT || h->home != H_POOL || !S.G[h->hg].alive || h->via != h->hg)
        return;
    mguard *G = &S.G[h->hg];
    mrec *r = &G->rec[h->slot];
    fatal_ctx c = {gal(h->via), h->ptr, h->l, NULL};
    verdict v;
    if (h->live) {
        uintptr_t last = page_up(h->ptr + h->l.size, G->page);
        if (!G->o.canary || last == h->ptr + h->l.size)
            return;
        c.damage = (unsigned char *)(last - 1);
        r->damaged = true;
        v = m_dealloc(h->via, h->ptr, h->l, false);
        r->damaged = false;
    } else {
        v = m_dealloc(h->via, h->ptr, h->l, false);
    }
    if (v.ok || !v.safe)
        return;
    char want[800], got[1024];
    fatal_text(h->ptr, h->l, &v.err, want, sizeof want - 1);
    strcat(want, "\n");
    S.forks++;
    int status = run_child(child_fatal, &c, got, sizeof got);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
        failf(what, "the child did not die of SIGABRT (status 0x%x); its stderr: %s", (unsigned)status, got);
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "  got  \"%s\"\n  want \"%s\"\n", got, want);
        failf(what, "the default hook's message differs");
    }
}

/*
 * The zygote: forked before this process initialises any guard, it forks a grandchild per request
 * in which the handler the guard finds at its first init is the one the request names, so that
 * on_segv's chaining is reached: a fault the guard does not own goes to that handler.
 */
static int zyg_req = -1, zyg_resp = -1;

static volatile uintptr_t gc_target;
static char gc_line[160];
static size_t gc_len;

static void gc_siginfo(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    if (sig == SIGSEGV && (uintptr_t)si->si_addr == gc_target)
        (void)!write(STDERR_FILENO, gc_line, gc_len);
    else
        (void)!write(STDERR_FILENO, "wrong signal or address\n", 24);
    _exit(41);
}

static void gc_plain(int sig)
{
    if (sig == SIGSEGV)
        (void)!write(STDERR_FILENO, gc_line, gc_len);
    _exit(42);
}

/* v: bits 0-2 the handler before the guard's (SA_SIGINFO, plain, SIG_DFL, SIG_IGN, SA_SIGINFO with
 * no function), bit 3 an alternate stack already there, bits 4-5 the fault (a page of no guard, a
 * never-used slot of the first guard, past a live block of the first guard). */
static void grandchild(uint8_t v, int expfd)
{
    int handler = (int)((v & 7u) % 5u), target = (int)(((v >> 4) & 3u) % 3u);
    if (v & 8u) {
        static char alt[65536];
        stack_t ss;
        memset(&ss, 0, sizeof ss);
        ss.ss_sp = alt;
        ss.ss_size = sizeof alt;
        if (sigaltstack(&ss, NULL) != 0)
            _exit(30);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    switch (handler) {
    case 0: sa.sa_sigaction = gc_siginfo; sa.sa_flags = SA_SIGINFO; break;
    case 1: sa.sa_handler = gc_plain; break;
    case 2: sa.sa_handler = SIG_DFL; break;
    case 3: sa.sa_handler = SIG_IGN; break;
    default: sa.sa_sigaction = NULL; sa.sa_flags = SA_SIGINFO; break;
    }
    if (sigaction(SIGSEGV, &sa, NULL) != 0)
        _exit(31);
    memapi_guard_options o = memapi_guard_options_default();
    o.pool_slots = 2;
    o.slot_pages = 1;
    o.quarantine = 0;
    static memapi_guard g1, g2;
    memapi_error e;
    if (memapi_guard_init(&g1, &o, &e) != MEMAPI_OK || memapi_guard_init(&g2, &o, &e) != MEMAPI_OK)
        _exit(32);
    memapi_layout l = {24, 8};
    unsigned char *b = memapi_alloc(memapi_guard_allocator(&g1), l, &e);
    if (b == NULL)
        _exit(33);
    uintptr_t lo = (uintptr_t)b - (memapi_guard_stats(&g1).pool_bytes - 1), hi = (uintptr_t)b;
    while (lo < hi) {
        uintptr_t mid = lo + (hi - lo) / 2;
        if (memapi_guard_contains(&g1, (void *)mid))
            hi = mid;
        else
            lo = mid + 1;
    }
    uintptr_t stride = 3u * PAGE;
    char expect[300];
    int code; /* 0..255: exit status; 256 + n: killed by signal n */
    if (target == 2) {
        gc_target = (uintptr_t)b + 24u; /* guard.h: end placement, flush against the trailing guard page */
        snprintf(expect, sizeof expect, "memapi guard: overflow past block 0x%" PRIxPTR " (Layout(size: 24, align: 8))\n",
                 (uintptr_t)b);
        code = 256 + SIGSEGV;
    } else {
        if (target == 0) {
            void *m = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (m == MAP_FAILED)
                _exit(34);
            gc_target = (uintptr_t)m + 8u;
        } else {
            gc_target = lo + stride + PAGE + 8u; /* slot 1's data page: never used */
        }
        if (handler == 0)
            snprintf(gc_line, sizeof gc_line, "chained SA_SIGINFO handler: SIGSEGV at 0x%" PRIxPTR "\n", (uintptr_t)gc_target);
        else
            snprintf(gc_line, sizeof gc_line, "chained plain handler: SIGSEGV\n");
        gc_len = strlen(gc_line);
        if (handler <= 1) {
            snprintf(expect, sizeof expect, "%s", gc_line);
            code = 41 + handler;
        } else {
            expect[0] = '\0';
            code = 256 + SIGSEGV;
        }
    }
    char msg[320];
    int n = snprintf(msg, sizeof msg, "%d\n%s", code, expect);
    (void)!write(expfd, msg, (size_t)n);
    close(expfd);
    *(volatile unsigned char *)gc_target = 1;
    _exit(43);
}

static void zygote_serve(int req, int resp)
{
    uint8_t v;
    while (read(req, &v, 1) == 1) {
        int ep[2], sp[2];
        if (pipe(ep) != 0 || pipe(sp) != 0)
            _exit(20);
        pid_t pid = fork();
        if (pid < 0)
            _exit(21);
        if (pid == 0) {
            close(ep[0]);
            close(sp[0]);
            close(req);
            close(resp);
            dup2(sp[1], STDERR_FILENO);
            close(sp[1]);
            grandchild(v, ep[1]);
        }
        close(ep[1]);
        close(sp[1]);
        char exp[512], got[512];
        read_all(ep[0], exp, sizeof exp);
        read_all(sp[0], got, sizeof got);
        close(ep[0]);
        close(sp[0]);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        char out[1100];
        int n = snprintf(out, sizeof out, "%d\n%s%c%s", status, exp, '\0', got);
        uint32_t len = n < 0 ? 0u : (size_t)n < sizeof out ? (uint32_t)n : (uint32_t)sizeof out - 1u;
        if (write(resp, &len, sizeof len) != (ssize_t)sizeof len || write(resp, out, len) != (ssize_t)len)
            _exit(22);
    }
    _exit(0);
}

static void zygote_start(void)
{
    int rq[2], rs[2];
    if (pipe(rq) != 0 || pipe(rs) != 0)
        return;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return;
    if (pid == 0) {
        close(rq[1]);
        close(rs[0]);
        zygote_serve(rq[0], rs[1]);
    }
    close(rq[0]);
    close(rs[1]);
    zyg_req = rq[1];
    zyg_resp = rs[0];
}

static bool read_exact(int fd, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        got += (size_t)r;
    }
    return true;
}

static void op_chain(fuzz_in *in)
{
    const char *what = "chained handler (grandchild)";
    uint8_t v = fin_u8(in);
    if (S.forks >= FORKS_PER_INPUT || zyg_req < 0)
        return;
    S.forks++;
    uint32_t len = 0;
    static char buf[1200];
    ssize_t w;
    while ((w = write(zyg_req, &v, 1)) < 0 && errno == EINTR) {
    }
    /* the engine's timer signal may interrupt the reads: retried */
    if (w != 1 || !read_exact(zyg_resp, &len, sizeof len) || len >= sizeof buf || !read_exact(zyg_resp, buf, len))
        fuzz_fail(what, "the zygote does not answer");
    buf[len] = '\0';
    int status = atoi(buf);
    char *exp = strchr(buf, '\n');
    if (exp == NULL)
        fuzz_fail(what, "malformed answer");
    exp++;
    int code = atoi(exp);
    char *exp_text = strchr(exp, '\n');
    if (exp_text == NULL) {
        fprintf(stderr, "  grandchild status 0x%x, stderr: %s\n", (unsigned)status, exp + strlen(exp) + 1);
        fuzz_fail(what, "the grandchild stopped before its fault");
    }
    exp_text++;
    const char *got = exp + strlen(exp) + 1;
    tracef("  grandchild %u: status 0x%x, expected code %d\n", v, (unsigned)status, code);
    bool status_ok = code >= 256 ? (WIFSIGNALED(status) && WTERMSIG(status) == code - 256)
                                 : (WIFEXITED(status) && WEXITSTATUS(status) == code);
    if (!status_ok)
        failf(what, "variant %u: status 0x%x, expected %s %d; stderr: %s", v, (unsigned)status,
              code >= 256 ? "signal" : "exit", code >= 256 ? code - 256 : code, got);
    if (strcmp(got, exp_text) != 0) {
        fprintf(stderr, "  got  \"%s\"\n  want \"%s\"\n", got, exp_text);
        failf(what, "the grandchild's stderr differs");
    }
}

/* ---- sampling, resizes, bursts ---------------------------------------------------------------- */

static void op_sample(fuzz_in *in)
{
    const char *what = "set_sample_every";
    int k = fin_u8(in) % NG;
    uint8_t b = fin_u8(in);
    mguard *G = &S.G[k];
    if (!G->alive)
        return;
    size_t n = b % 5u;
    memapi_error e;
    poison(&e);
    bool null_err = (b & 0x80u) != 0;
    memapi_status st = memapi_guard_set_sample_every(&G->g, n, null_err ? NULL : &e);
    verdict v;
    if (n == 0)
        v = v_err(fuzz_err_other("guard options: sample_every must be at least 1"));
    else if (n > 1 && (G->fb == FB_NULL_VT || G->o.fallback.vt->alloc == NULL || G->o.fallback.vt->try_dealloc == NULL))
        v = v_err(fuzz_err_other("guard options: the fallback needs alloc and try_dealloc"));
    else
        v = v_ok();
    tracef("  set_sample_every(guard %d, %zu): model %s\n", k, n, v.ok ? "ok" : "error");
    if (null_err) {
        if ((st == MEMAPI_OK) != v.ok)
            failf(what, "status differs from the model (err NULL)");
    } else {
        require_status(what, st, &e, &v);
    }
    if (v.ok) {
        G->o.sample_every = n;
        G->countdown = 1;
    }
    check_stats(what);
}

static void op_realloc(fuzz_in *in)
{
    const char *what = "realloc";
    int i = fin_u8(in) % NH;
    memapi_layout n = read_layout(in, 4);
    uint8_t f = fin_u8(in);
    handle *h = &S.h[i];
    if (!h->live || !S.G[h->via].alive)
        return;
    check_pattern(what, h);
    int k = h->via;
    if (f & 1u)
        n = h->l; /* the identical layout */
    if (n.align < h->l.align)
        n.align = h->l.align;
    if (n.size == 0)
        n.size = 1;
    memapi_error e;
    poison(&e);
    if (memapi_layout_eq(n, h->l)) {
        /* alloc.h: an identical layout returns the block once owns confirmed it (UNSUPPORTED: as is) */
        verdict v = m_owns(k, h->ptr, h->l);
        bool ok = v.ok || v.err.kind == MEMAPI_E_UNSUPPORTED;
        void *r = memapi_realloc(gal(k), (void *)h->ptr, h->l, n, &e);
        if (ok ? r != (void *)h->ptr : r != NULL)
            failf(what, "identical resize gave %p", r);
        if (!ok)
            fuzz_require_err(what, &e, &v.err);
        check_stats(what);
        return;
    }
    /* the library default: allocate, copy min(old, new), free the old block */
    verdict fv = m_try(k, h->ptr, h->l, false);
    if (!fv.ok || !fv.safe)
        failf(what, "a live block's free is refused by the model");
    os_begin(false, 0);
    outcome o = m_alloc(k, n, false);
    handle old = *h;
    if (o.ok)
        (void)m_try(k, old.ptr, old.l, true);
    void *r = memapi_realloc(gal(k), (void *)h->ptr, h->l, n, &e);
    os_end(what);
    if (!o.ok) {
        if (r != NULL)
            failf(what, "resize succeeded; the model expects an error");
        fuzz_require_err(what, &e, &o.err);
        h->live = true;
        h->freed = false;
        check_pattern(what, h);
        check_stats(what);
        return;
    }
    if (r == NULL) {
        fuzz_print_err("got", &e);
        failf(what, "resize failed; the model expects success");
    }
    handle *nh = h;
    memset(nh, 0, sizeof *nh);
    nh->via = k;
    nh->home = o.home;
    nh->hg = o.hg;
    nh->slot = o.slot;
    nh->ptr = (uintptr_t)r;
    nh->l = n;
    nh->seed = old.seed;
    nh->live = true;
    if (o.home == H_POOL) {
        mguard *G = &S.G[o.hg];
        if (!in_pool(o.hg, (uintptr_t)r))
            failf(what, "guarded block outside the pool");
        if (G->pool == 0)
            G->pool = learn_pool(o.hg, (uintptr_t)r);
        uintptr_t want = m_place(G, o.slot, n, o.at_start);
        if ((uintptr_t)r != want)
            failf(what, "resized block at %p, the model places it at 0x%" PRIxPTR, r, want);
        G->rec[o.slot].ptr = want;
        G->st.accessible_bytes += page_up(want + n.size, G->page) - page_down(want, G->page);
    }
    size_t keep = old.l.size < n.size ? old.l.size : n.size;
    for (size_t b = 0; b < keep; b++)
        if (((unsigned char *)r)[b] != pat(old.seed, b))
            failf(what, "byte %zu not kept by the resize", b);
    fill_pattern(nh);
    check_stats(what);
}

/* Allocates and frees `count` blocks through guard k (quarantine, the free FIFO, arming runs). */
static void op_burst(fuzz_in *in)
{
    const char *what = "burst";
    int k = fin_u8(in) % NG;
    uint8_t c = fin_u8(in);
    memapi_layout l = lay(1u + (size_t)fin_u8(in) * 9u, 8);
    if (!S.G[k].alive)
        return;
    unsigned count = 1u + c % 80u;
    for (unsigned n = 0; n < count; n++) {
        int i = NH - 1;
        if (S.h[i].live)
            do_free(what, S.h[i].via, S.h[i].ptr, S.h[i].l, FREE_TRY, false, 0);
        os_begin(false, 0);
        outcome o = m_alloc(k, l, false);
        memapi_error e;
        poison(&e);
        void *p = memapi_alloc(gal(k), l, &e);
        os_end(what);
        if (!o.ok) {
            if (p != NULL)
                failf(what, "allocation succeeded; the model expects an error");
            fuzz_require_err(what, &e, &o.err);
            continue;
        }
        if (p == NULL)
            failf(what, "allocation failed; the model expects success");
        handle *h = handle_new(i, k, &o, p, l);
        if (o.home == H_POOL)
            commit_pool_block(what, &o, (uintptr_t)p, l, false);
        fill_pattern(h);
        if (!(c & 0x80u))
            do_free(what, k, h->ptr, l, FREE_TRY, false, 0);
    }
    check_stats(what);
}

/* ---- teardown ---------------------------------------------------------------------------------- */

static void free_everything_of(int k)
{
    for (int i = 0; i < NH; i++) {
        handle *h = &S.h[i];
        bool mine = h->via == k || h->hg == k;
        if (h->live && mine) {
            check_pattern("teardown", h);
            if (!do_free("teardown", h->via, h->ptr, h->l, FREE_TRY, false, 0))
                fuzz_fail("teardown", "a live block cannot be freed");
        }
        if (mine)
            memset(h, 0, sizeof *h);
    }
}

enum { OP_ALLOC, OP_FREE, OP_MISUSE, OP_CANARY, OP_FORK, OP_CHAIN, OP_SAMPLE, OP_REINIT, OP_BAD_OPTIONS,
       OP_REALLOC, OP_BURST, OP_DESTROY, OP_FATAL_CHILD, OP_COUNT };

static void setup_once(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    trace_on = getenv("FUZZ_GUARD_TRACE") != NULL;
    long ps = sysconf(_SC_PAGESIZE);
    PAGE = ps > 0 ? (size_t)ps : 4096u;
    /* guard.h: guard regions where the kernel has them (Linux 6.13); asked here independently */
    void *m = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    kernel_guard_regions = m != MAP_FAILED && madvise(m, PAGE, MADV_GUARD_INSTALL) == 0;
    if (m != MAP_FAILED)
        munmap(m, PAGE);
    /* before this process initialises any guard */
    zygote_start();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup_once();
    os_faults_install();
    memset(&S, 0, sizeof S);
    fuzz_in in = {data, size};
    int ng = 1 + fin_u8(&in) % NG;
    uint8_t order = fin_u8(&in);
    for (int k = 0; k < ng; k++) {
        uint8_t c0 = fin_u8(&in), c1 = fin_u8(&in), c2 = fin_u8(&in);
        (void)guard_init(k, c0, c1, c2, false, 0);
    }
    tracef("input of %zu bytes, %d guards\n", size, ng);
    for (int n = 0; n < MAX_OPS && in.n > 0; n++) {
        uint8_t op = fin_u8(&in);
        tracef("op %d: %u\n", n, op % OP_COUNT);
        switch (op % OP_COUNT) {
        case OP_ALLOC: op_alloc(&in); break;
        case OP_FREE: op_free(&in); break;
        case OP_MISUSE: op_misuse(&in); break;
        case OP_CANARY: op_canary(&in); break;
        case OP_FORK: op_fork_fault(&in); break;
        case OP_CHAIN: op_chain(&in); break;
        case OP_SAMPLE: op_sample(&in); break;
        case OP_REINIT: {
            int k = fin_u8(&in) % NG;
            uint8_t c0 = fin_u8(&in), c1 = fin_u8(&in), c2 = fin_u8(&in), f = fin_u8(&in);
            (void)guard_init(k, c0, c1, c2, (f & 1u) != 0, (uint8_t)(f >> 1));
            break;
        }
        case OP_BAD_OPTIONS: op_bad_options(&in); break;
        case OP_REALLOC: op_realloc(&in); break;
        case OP_BURST: op_burst(&in); break;
        case OP_DESTROY: {
            uint8_t b = fin_u8(&in);
            guard_destroy(b % NG, (b & 0x80u) != 0, 0);
            break;
        }
        default: op_fatal_child(&in); break;
        }
    }
    /* everything freed, every guard destroyed, in an order the input picks */
    static const int perms[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    for (int j = 0; j < NG; j++)
        guard_destroy(perms[order % 6u][j], false, 0);
    for (int i = 0; i < NH; i++)
        if (S.h[i].live)
            fuzz_fail("teardown", "a block outlived its guard");
    os_faults_uninstall();
    return 0;
}
