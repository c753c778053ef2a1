/*
 * Threads on a shared locked allocator (issue 23): the input picks an allocator under
 * memapi_locked and two to four threads, and gives each thread its own slice of the input as an
 * operation list. The threads allocate, zero-allocate, resize, free, ask owns, run scoped
 * allocations, and hand blocks to each other through mutex-protected mailboxes, so that a block is
 * often freed or resized by another thread than the one that allocated it. Each thread checks its
 * own blocks (alignment, zeros, its fill pattern kept over every resize and every hand-over) and
 * the exact result of every call. After joining, the main thread compares the allocator's shared
 * state with a model that does not depend on the interleaving (sums of what each thread did and
 * holds), frees everything and requires the counters back at zero.
 *
 * Input: [b0][b1], then the operations, 4 bytes each, cut into one contiguous slice per thread
 * (at most 64 operations per thread).
 *   b0 bits 0-2: the allocator (below), bits 3-4: threads - 2 (3 reads as 2), bits 5-7: the
 *      memapi_locked_init error case run first on the main thread (0 none, 7 all of them);
 *   b1: the failing layer's nth call (bits 0-5, 0: never) or the guard's quarantine (bits 0-1) and
 *      mprotect mode (bit 2); bits 5-7 pick the error code of an injected pthread failure.
 *   operation: [op][slot / target][size low][size high 2 bits | alignment log2 << 2].
 *
 * Allocators: 0 locked(default); 1 locked(tracking(default)); 2 locked(bump over a static
 * buffer); 3 locked(guard); 4 locked(locked(probe(tracking(default)))); 5 locked(probe(tracking(
 * default))); 6 locked(nofree(bump)); 7 locked(failing(tracking(default))) with an nth-call rule.
 * probe is this harness's own exclusive allocator: plain (unsynchronised) counters over
 * tracking, with alloc, try_dealloc, dealloc, owns and alloc_temp entries; asked to (a thread-local
 * flag), its alloc calls back into every locked wrapper above it, which must answer `lock failed`
 * (locked.h: the mutex is error-checking) for alloc, zalloc, try_dealloc, realloc, owns and
 * alloc_temp. nofree is a bump arena seen through alloc and the five resize entries only: a locked
 * wrapper over an allocator without try_dealloc.
 *
 * memapi_locked_init's errors (locked.h) are checked on the main thread before the threads start:
 * a NULL wrapper, an inner allocator without a vtable or without alloc, and each of its three
 * pthread calls failing through the OS seam (fuzz/os_faults.h; the seam is pointed back at the
 * platform before any thread starts, its counters are not synchronised).
 *
 * Built with -DFUZZ_THREADS_BYPASS_LOCK=1 (mk/fuzz-tsan.mk's self-check), allocator 5's threads
 * call probe directly, without the lock: ThreadSanitizer must report that race.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include "fuzz_oracle.h"
#include "os_faults.h"

#ifndef FUZZ_THREADS_BYPASS_LOCK
#define FUZZ_THREADS_BYPASS_LOCK 0
#endif

enum { MAX_THREADS = 4, NSLOT = 6, BOX_CAP = 4, MAX_OPS = 64, OP_BYTES = 4, MAX_SIZE = 1024 };
enum { BUMP_CAP = 1u << 20, WATCHDOG_SECONDS = 5 };

enum choice { C_DEFAULT, C_TRACKING, C_BUMP, C_GUARD, C_LOCKED2_PROBE, C_PROBE, C_NOFREE, C_FAILING, C_COUNT };
static const char *const choice_names[C_COUNT] = {
    "locked(default)", "locked(tracking)", "locked(bump)", "locked(guard)", "locked(locked(probe(tracking)))",
    "locked(probe(tracking))", "locked(nofree(bump))", "locked(failing(tracking))"};

/* ---- the probe allocator --------------------------------------------------------------------- */

typedef struct probe {
    memapi_allocator inner;
    memapi_allocator above[2]; /* the locked wrappers over it, which a re-entrant call must find held */
    int n_above;
    long allocs, frees, resizes, live; /* plain fields: correct only under a lock */
    size_t bytes;
} probe;

static _Thread_local bool reenter_request;
static _Thread_local unsigned reentries;

static char fake_block[64] __attribute__((aligned(64)));

static void require_lock_failed(const char *what, const memapi_error *e)
{
    memapi_error want = fuzz_err_zero(MEMAPI_E_OTHER);
    want.msg = "lock failed";
    fuzz_require_err(what, e, &want);
}

static void never_called(void *ctx, void *mem)
{
    (void)ctx;
    (void)mem;
    fuzz_fail("re-entrant alloc_temp", "the callback ran although the lock failed");
}

/* From inside the inner allocator, with every wrapper above held by this thread: each entry of
 * each wrapper must fail with `lock failed` before anything reaches the inner allocator. */
static void reenter(const probe *p)
{
    const memapi_layout l = {8, 8}, big = {16, 8};
    for (int k = 0; k < p->n_above; k++) {
        memapi_allocator w = p->above[k];
        memapi_error e;
        FUZZ_REQUIRE("re-entrant alloc", memapi_alloc(w, l, &e) == NULL);
        require_lock_failed("re-entrant alloc", &e);
        FUZZ_REQUIRE("re-entrant zalloc", memapi_zalloc(w, l, &e) == NULL);
        require_lock_failed("re-entrant zalloc", &e);
        FUZZ_REQUIRE("re-entrant try_dealloc", memapi_try_dealloc(w, fake_block, l, &e) == MEMAPI_ERROR);
        require_lock_failed("re-entrant try_dealloc", &e);
        FUZZ_REQUIRE("re-entrant realloc", memapi_realloc(w, fake_block, l, big, &e) == NULL);
        require_lock_failed("re-entrant realloc", &e);
        FUZZ_REQUIRE("re-entrant owns", w.vt->owns != NULL);
        FUZZ_REQUIRE("re-entrant owns", w.vt->owns(w.self, fake_block, l, &e) == MEMAPI_ERROR);
        require_lock_failed("re-entrant owns", &e);
#if MEMAPI_ALLOC_TEMP
        FUZZ_REQUIRE("re-entrant alloc_temp", memapi_alloc_temp(w, l, never_called, NULL, &e) == MEMAPI_ERROR);
        require_lock_failed("re-entrant alloc_temp", &e);
#endif
        FUZZ_REQUIRE("re-entrant alloc, err NULL", memapi_alloc(w, l, NULL) == NULL);
        reentries++;
    }
}

static void *probe_alloc(void *self, memapi_layout l, memapi_error *err)
{
    probe *p = self;
    if (reenter_request) {
        reenter_request = false;
        reenter(p);
    }
    void *r = memapi_alloc(p->inner, l, err);
    if (r != NULL) {
        p->allocs++;
        p->live++;
        p->bytes += l.size;
    }
    return r;
}

static memapi_status probe_try_dealloc(void *self, void *ptr, memapi_layout l, memapi_error *err)
{
    probe *p = self;
    memapi_status s = memapi_try_dealloc(p->inner, ptr, l, err);
    if (s == MEMAPI_OK) {
        p->frees++;
        p->live--;
        p->bytes -= l.size;
    }
    return s;
}

static void probe_dealloc(void *self, void *ptr, memapi_layout l)
{
    probe *p = self;
    memapi_dealloc(p->inner, ptr, l);
    p->frees++;
    p->live--;
    p->bytes -= l.size;
}

static memapi_status probe_owns(void *self, const void *ptr, memapi_layout l, memapi_error *err)
{
    const probe *p = self;
    return p->inner.vt->owns(p->inner.self, ptr, l, err);
}

#if MEMAPI_ALLOC_TEMP
static memapi_status probe_alloc_temp(void *self, memapi_layout l, memapi_temp_cb cb, void *ctx, memapi_error *err)
{
    const probe *p = self;
    return memapi_alloc_temp(p->inner, l, cb, ctx, err);
}
#endif

static const memapi_alloc_vtable probe_vt = {
    .name = "probe",
    .caps = MEMAPI_CAP_DEALLOC | MEMAPI_CAP_CHECKED_DEALLOC,
    .alloc = probe_alloc,
    .try_dealloc = probe_try_dealloc,
    .owns = probe_owns,
#if MEMAPI_ALLOC_TEMP
    .alloc_temp = probe_alloc_temp,
#endif
    .dealloc = probe_dealloc,
};

/* nofree: the arena's alloc and resizes, without try_dealloc (nor owns, dealloc, alloc_temp). */
static void *nofree_alloc(void *self, memapi_layout l, memapi_error *err)
{
    probe *p = self;
    void *r = memapi_alloc(p->inner, l, err);
    p->allocs += r != NULL;
    return r;
}

typedef void *(*resize_fn)(memapi_allocator a, void *ptr, memapi_layout o, memapi_layout n, memapi_error *err);

static void *nofree_resize(probe *p, resize_fn f, void *ptr, memapi_layout o, memapi_layout n, memapi_error *err)
{
    void *r = f(p->inner, ptr, o, n, err);
    p->resizes += r != NULL;
    return r;
}

#define NOFREE_RESIZE(name)                                                                            \
    static void *nofree_##name(void *self, void *ptr, memapi_layout o, memapi_layout n, memapi_error *err) \
    {                                                                                                  \
        return nofree_resize(self, memapi_##name, ptr, o, n, err);                                     \
    }
NOFREE_RESIZE(grow)
NOFREE_RESIZE(zgrow)
NOFREE_RESIZE(shrink)
NOFREE_RESIZE(realloc)
NOFREE_RESIZE(rezalloc)

static const memapi_alloc_vtable nofree_vt = {
    .name = "nofree",
    .caps = MEMAPI_CAP_REALLOC,
    .alloc = nofree_alloc,
    .grow = nofree_grow,
    .zgrow = nofree_zgrow,
    .shrink = nofree_shrink,
    .realloc = nofree_realloc,
    .rezalloc = nofree_rezalloc,
};

/* ---- state ----------------------------------------------------------------------------------- */

typedef struct blk {
    char *ptr;
    memapi_layout l;
    unsigned seed;
} blk;

typedef struct mailbox {
    pthread_mutex_t m;
    blk b[BOX_CAP];
    size_t n;
} mailbox;

typedef struct worker {
    int id;
    pthread_t t;
    const uint8_t *ops;
    size_t nops;
    blk s[NSLOT];
    bool live[NSLOT];
    unsigned seq;
    /* what this thread did, for the model after the join */
    uint64_t allocs, resizes, frees, temps, f_req, f_fail, reentries;
    size_t own_bytes, own_peak, bytes_made;
} worker;

static struct {
    enum choice c;
    int nthreads;
    memapi_allocator top; /* the outer locked wrapper */
    memapi_allocator use; /* what the threads call: top, or probe itself in the bypass build */
    memapi_locked lk[2];
    int nlk;
    memapi_tracking trk;
    bool has_trk;
    memapi_bump bump;
    bool has_bump;
    memapi_guard guard;
    memapi_failing fail;
    uint64_t nth;
    probe pr;
    bool has_probe;
    mailbox box[MAX_THREADS];
    worker w[MAX_THREADS];
    pthread_barrier_t start;
} G;

/* The watchdog: a thread that fails the input when it has not finished within WATCHDOG_SECONDS (a
 * lock left held makes the other threads, or the main thread's teardown, wait for ever). It is
 * outside G, which each input clears. */
static struct {
    pthread_mutex_t m;
    pthread_cond_t cv;
    bool finished;
    pthread_t t;
} W = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, 0};

static _Alignas(4096) char bump_buf[BUMP_CAP];

static void threads_context(void)
{
    fprintf(stderr, "threads: %s, %d threads\n", choice_names[G.c], G.nthreads);
}

FUZZ_DEFINE_FAILF(threads_context)

static uint8_t pat(unsigned seed, size_t i)
{
    return (uint8_t)((seed * 7u + (seed >> 8) + (unsigned)(i % 251u) * 13u) & 0xFFu);
}

static void fill(const blk *b, size_t from)
{
    for (size_t i = from; i < b->l.size; i++)
        b->ptr[i] = (char)pat(b->seed, i);
}

static void require_pattern(const char *what, const blk *b, size_t upto)
{
    for (size_t i = 0; i < upto; i++)
        if ((uint8_t)b->ptr[i] != pat(b->seed, i))
            failf(what, "fill pattern damaged at byte %zu of a block of %zu", i, b->l.size);
}

static bool must_succeed(void)
{
    return G.c != C_FAILING;
}

static void require_alloc_failed(const char *what, const memapi_error *e, memapi_layout l)
{
    memapi_error want = fuzz_err_zero(MEMAPI_E_ALLOC_FAILED);
    want.layout = l;
    want.cause.kind = MEMAPI_CAUSE_OUT_OF_MEMORY;
    fuzz_require_err(what, e, &want);
}

static void require_unsupported(const char *what, const memapi_error *e)
{
    memapi_error want = fuzz_err_zero(MEMAPI_E_UNSUPPORTED);
    fuzz_require_err(what, e, &want);
}

/* A failed allocating call: only the failing layer may fail, with its documented error. */
static void failed_call(worker *w, const char *what, const memapi_error *e, memapi_layout l)
{
    if (must_succeed())
        failf(what, "thread %d: the call failed (kind %u)", w->id, (unsigned)e->kind);
    require_alloc_failed(what, e, l);
    w->f_fail++;
}

static void require_block(const char *what, const char *p, memapi_layout l)
{
    if (p == NULL || (uintptr_t)p % l.align != 0)
        failf(what, "block %p not aligned to %zu", (const void *)p, l.align);
    if ((G.c == C_BUMP || G.c == C_NOFREE) && (p < bump_buf || p + l.size > bump_buf + BUMP_CAP))
        failf(what, "block %p outside the arena", (const void *)p);
    if (G.c == C_GUARD && !memapi_guard_contains(&G.guard, p))
        failf(what, "block %p outside the guard's pool", (const void *)p);
}

static void own_add(worker *w, size_t add, size_t sub)
{
    w->own_bytes = w->own_bytes + add - sub;
    if (w->own_bytes > w->own_peak)
        w->own_peak = w->own_bytes;
}

static void check_own(worker *w, const char *what)
{
    for (size_t i = 0; i < NSLOT; i++)
        if (w->live[i])
            require_pattern(what, &w->s[i], w->s[i].l.size);
}

/* ---- the operations of one thread ------------------------------------------------------------ */

static memapi_layout rd_layout(const uint8_t *op)
{
    size_t size = 1u + ((size_t)op[2] | (size_t)(op[3] & 3u) << 8) % MAX_SIZE;
    return (memapi_layout){size, (size_t)1 << ((op[3] >> 2) % 7u)};
}

static void do_free(worker *w, blk *b, bool via_dealloc)
{
    memapi_error e;
    if (G.c == C_NOFREE) {
        /* locked.h: no try_dealloc entry without the inner one; the dispatch reports UNSUPPORTED. */
        FUZZ_REQUIRE("nofree try_dealloc", memapi_try_dealloc(G.use, b->ptr, b->l, &e) == MEMAPI_ERROR);
        require_unsupported("nofree try_dealloc", &e);
        require_pattern("nofree try_dealloc", b, b->l.size);
        return; /* the arena keeps it; it is no longer this thread's */
    }
    if (via_dealloc) {
        memapi_dealloc(G.use, b->ptr, b->l);
    } else if (memapi_try_dealloc(G.use, b->ptr, b->l, &e) != MEMAPI_OK) {
        failf("try_dealloc", "thread %d: failed (kind %u)", w->id, (unsigned)e.kind);
    }
    w->frees++;
}

static void op_alloc(worker *w, size_t i, const uint8_t *op, bool zero)
{
    memapi_layout l = rd_layout(op);
    const char *what = zero ? "zalloc" : "alloc";
    if (w->live[i]) {
        do_free(w, &w->s[i], false);
        w->live[i] = false;
        own_add(w, 0, w->s[i].l.size);
    }
    bool reent = !zero && (op[1] & 0x80u) != 0 && G.has_probe && G.pr.n_above > 0 && !FUZZ_THREADS_BYPASS_LOCK;
    reenter_request = reent;
    unsigned before = reentries;
    w->f_req++;
    memapi_error e;
    char *p = zero ? memapi_zalloc(G.use, l, &e) : memapi_alloc(G.use, l, &e);
    if (reent && reenter_request)
        failf(what, "thread %d: the probe's alloc did not run", w->id);
    reenter_request = false;
    if (reent && reentries != before + (unsigned)G.pr.n_above)
        failf(what, "thread %d: %u re-entries, %d wrappers above the probe", w->id, reentries - before, G.pr.n_above);
    if (p == NULL) {
        failed_call(w, what, &e, l);
        return;
    }
    require_block(what, p, l);
    for (size_t k = 0; zero && k < l.size; k++)
        if (p[k] != 0)
            failf(what, "byte %zu of a zalloc block is not zero", k);
    /* guard.h: a new, not zeroed block is filled with fill_byte (default 0xAA) */
    for (size_t k = 0; !zero && G.c == C_GUARD && k < l.size; k++)
        if ((uint8_t)p[k] != 0xAAu)
            failf(what, "byte %zu of a guarded block is not the fill byte", k);
    w->allocs++;
    w->bytes_made += l.size;
    w->s[i] = (blk){p, l, (unsigned)w->id << 12 | (w->seq++ & 0xFFFu)};
    w->live[i] = true;
    fill(&w->s[i], 0);
    own_add(w, l.size, 0);
}

/* kind: 0 grow, 1 zgrow, 2 shrink, 3 realloc, 4 rezalloc */
static void op_resize(worker *w, size_t i, const uint8_t *op, int kind)
{
    static const char *const names[5] = {"grow", "zgrow", "shrink", "realloc", "rezalloc"};
    static const resize_fn fns[5] = {memapi_grow, memapi_zgrow, memapi_shrink, memapi_realloc, memapi_rezalloc};
    if (!w->live[i])
        return;
    blk *b = &w->s[i];
    memapi_layout o = b->l, n = rd_layout(op);
    if (n.align < o.align)
        n.align = o.align; /* a smaller alignment is an error, not this harness's subject */
    if (kind <= 1) {
        n.size = o.size + n.size > 2u * MAX_SIZE ? 2u * MAX_SIZE : o.size + n.size;
    } else if (kind == 2) {
        if (o.size == 1)
            return;
        n.size = 1u + n.size % (o.size - 1u);
    }
    if (n.size == o.size && n.align == o.align)
        return; /* the identical layout reaches no allocator */
    w->f_req++;
    memapi_error e;
    char *r = fns[kind](G.use, b->ptr, o, n, &e);
    if (r == NULL) {
        failed_call(w, names[kind], &e, n);
        require_pattern(names[kind], b, o.size);
        return;
    }
    require_block(names[kind], r, n);
    b->ptr = r;
    b->l = n;
    size_t kept = o.size < n.size ? o.size : n.size;
    require_pattern(names[kind], b, kept);
    if (kind == 1 || kind == 4)
        for (size_t k = kept; k < n.size; k++)
            if (r[k] != 0)
                failf(names[kind], "byte %zu of the grown part is not zero", k);
    fill(b, kept);
    w->resizes++;
    w->bytes_made += n.size;
    own_add(w, n.size, o.size);
}

static void op_free(worker *w, size_t i, bool via_dealloc)
{
    if (!w->live[i])
        return;
    require_pattern("free", &w->s[i], w->s[i].l.size);
    do_free(w, &w->s[i], via_dealloc);
    w->live[i] = false;
    own_add(w, 0, w->s[i].l.size);
}

static void op_owns(worker *w)
{
    const memapi_alloc_vtable *vt = G.top.vt;
    if (vt->owns == NULL)
        return;
    for (size_t i = 0; i < NSLOT; i++) {
        if (!w->live[i])
            continue;
        memapi_error e;
        memapi_status s = G.use.vt->owns(G.use.self, w->s[i].ptr, w->s[i].l, &e);
        if (s != MEMAPI_OK)
            failf("owns", "thread %d: a live block is not owned (kind %u)", w->id, (unsigned)e.kind);
    }
}

static void op_give(worker *w, size_t i, const uint8_t *op)
{
    if (!w->live[i])
        return;
    mailbox *m = &G.box[(size_t)(op[1] >> 4) % (size_t)G.nthreads];
    bool sent = false;
    if (pthread_mutex_lock(&m->m) != 0)
        fuzz_fail("give", "mailbox lock failed");
    if (m->n < BOX_CAP) {
        m->b[m->n++] = w->s[i];
        sent = true;
    }
    (void)pthread_mutex_unlock(&m->m);
    if (sent) {
        w->live[i] = false;
        own_add(w, 0, w->s[i].l.size);
    }
}

static void op_take(worker *w, size_t i)
{
    mailbox *m = &G.box[w->id];
    blk got;
    bool have = false;
    if (pthread_mutex_lock(&m->m) != 0)
        fuzz_fail("take", "mailbox lock failed");
    if (m->n > 0) {
        got = m->b[--m->n];
        have = true;
    }
    (void)pthread_mutex_unlock(&m->m);
    if (!have)
        return;
    require_pattern("take", &got, got.l.size);
    op_free(w, i, false);
    w->s[i] = got;
    w->live[i] = true;
    own_add(w, got.l.size, 0);
}

#if MEMAPI_ALLOC_TEMP
typedef struct temp_ctx {
    worker *w;
    memapi_layout l;
    bool zero, ran;
} temp_ctx;

/* Runs with every lock released (locked.h): the wrapper itself may be called from here. */
static void temp_cb(void *arg, void *mem)
{
    temp_ctx *c = arg;
    worker *w = c->w;
    c->ran = true;
    require_block("alloc_temp", mem, c->l);
    const char *p = mem;
    for (size_t k = 0; c->zero && k < c->l.size; k++)
        if (p[k] != 0)
            failf("zalloc_temp", "byte %zu is not zero", k);
    memset(mem, 0x5A, c->l.size);
    const memapi_layout l = {32, 8};
    w->f_req++;
    memapi_error e;
    char *q = memapi_alloc(G.use, l, &e);
    if (q == NULL) {
        failed_call(w, "alloc in an alloc_temp callback", &e, l);
        return;
    }
    require_block("alloc in an alloc_temp callback", q, l);
    memset(q, 0x33, l.size);
    w->allocs++;
    w->bytes_made += l.size;
    own_add(w, l.size, 0);
    blk b = {q, l, 0};
    do_free(w, &b, false);
    if (G.c != C_NOFREE)
        own_add(w, 0, l.size);
}

static void op_temp(worker *w, const uint8_t *op)
{
    bool zero = (op[1] & 0x40u) != 0;
    temp_ctx c = {w, rd_layout(op), zero, false};
    memapi_error e;
    w->f_req++;
    memapi_status s = zero ? memapi_zalloc_temp(G.use, c.l, temp_cb, &c, &e)
                           : memapi_alloc_temp(G.use, c.l, temp_cb, &c, &e);
    if (G.c == C_NOFREE) {
        /* alloc.h: neither an alloc_temp entry nor alloc + try_dealloc */
        FUZZ_REQUIRE("alloc_temp", s == MEMAPI_ERROR && !c.ran);
        require_unsupported("alloc_temp", &e);
        w->f_req--;
        return;
    }
    if (s != MEMAPI_OK) {
        FUZZ_REQUIRE("alloc_temp", !c.ran);
        failed_call(w, "alloc_temp", &e, c.l);
        return;
    }
    FUZZ_REQUIRE("alloc_temp", c.ran);
    w->temps++;
    w->bytes_made += c.l.size;
}
#endif

static void *worker_main(void *arg)
{
    worker *w = arg;
    int rc = pthread_barrier_wait(&G.start);
    if (rc != 0 && rc != PTHREAD_BARRIER_SERIAL_THREAD)
        fuzz_fail("worker", "pthread_barrier_wait failed");
    reentries = 0;
    for (size_t k = 0; k < w->nops; k++) {
        const uint8_t *op = w->ops + k * OP_BYTES;
        size_t i = (size_t)(op[1] & 7u) % NSLOT;
        switch (op[0] % 14u) {
        case 0: op_alloc(w, i, op, false); break;
        case 1: op_alloc(w, i, op, true); break;
        case 2: op_resize(w, i, op, 0); break;
        case 3: op_resize(w, i, op, 1); break;
        case 4: op_resize(w, i, op, 2); break;
        case 5: op_resize(w, i, op, 3); break;
        case 6: op_resize(w, i, op, 4); break;
        case 7: op_free(w, i, false); break;
        case 8: op_free(w, i, true); break;
        case 9: op_owns(w); break;
        case 10:
        case 11: op_give(w, i, op); break;
        case 12: op_take(w, i); break;
        default:
#if MEMAPI_ALLOC_TEMP
            op_temp(w, op);
#endif
            break;
        }
        check_own(w, "after an operation");
    }
    w->reentries = reentries;
    return NULL;
}

/* ---- memapi_locked_init's errors (main thread, no other thread running) ---------------------- */

static void require_untouched(const char *what, const memapi_locked *l)
{
    const unsigned char *b = (const unsigned char *)l;
    for (size_t k = 0; k < sizeof *l; k++)
        if (b[k] != FUZZ_POISON)
            failf(what, "byte %zu of the wrapper was written", k);
}

static const memapi_alloc_vtable no_alloc_vt = {.name = "no alloc", .try_dealloc = probe_try_dealloc};

static void init_errors(unsigned which, uint8_t b1)
{
    memapi_locked l;
    memapi_error e, want;
    memapi_allocator def = memapi_default();
    for (unsigned k = 1; k <= 6; k++) {
        if (which != 7 && which != k)
            continue;
        memset(&l, FUZZ_POISON, sizeof l);
        memset(&e, FUZZ_POISON, sizeof e);
        switch (k) {
        case 1:
            FUZZ_REQUIRE("locked_init(NULL)", memapi_locked_init(NULL, def, &e) == MEMAPI_ERROR);
            want = fuzz_err_zero(MEMAPI_E_INVALID_POINTER);
            want.msg = "null pointer";
            fuzz_require_err("locked_init(NULL)", &e, &want);
            FUZZ_REQUIRE("locked_init(NULL), err NULL", memapi_locked_init(NULL, def, NULL) == MEMAPI_ERROR);
            break;
        case 2:
        case 3: {
            memapi_allocator bad = {k == 2 ? NULL : &no_alloc_vt, &G.pr};
            FUZZ_REQUIRE("locked_init(no alloc)", memapi_locked_init(&l, bad, &e) == MEMAPI_ERROR);
            want = fuzz_err_zero(MEMAPI_E_UNSUPPORTED);
            fuzz_require_err("locked_init(no alloc)", &e, &want);
            FUZZ_REQUIRE("locked_init(no alloc), err NULL", memapi_locked_init(&l, bad, NULL) == MEMAPI_ERROR);
            require_untouched("locked_init(no alloc)", &l);
            break;
        }
        default: {
            static const os_call calls[3] = {OS_MUTEXATTR_INIT, OS_MUTEXATTR_SETTYPE, OS_MUTEX_INIT};
            os_call c = calls[k - 4];
            int code = os_faults_code(c, (unsigned)(b1 >> 5));
            os_faults_install();
            os_faults_arm(c, 1, code);
            memapi_status s = memapi_locked_init(&l, def, &e);
            bool fired = os_faults_fired();
            unsigned long later = c == OS_MUTEX_INIT ? 0 : os_faults_calls(OS_MUTEX_INIT);
            unsigned long settype = os_faults_calls(OS_MUTEXATTR_SETTYPE);
            os_faults_uninstall();
            FUZZ_REQUIRE("locked_init, pthread failing", s == MEMAPI_ERROR && fired);
            want = fuzz_err_zero(MEMAPI_E_OTHER);
            want.msg = "mutex initialisation failed";
            fuzz_require_err(os_faults_name(c), &e, &want);
            FUZZ_REQUIRE("no call after the failed one", later == 0 && (c != OS_MUTEXATTR_INIT || settype == 0));
            require_untouched(os_faults_name(c), &l);
            break;
        }
        }
    }
}

/* ---- setup, the join's model, teardown ------------------------------------------------------- */

/* locked.h: which entries the wrapper offers over `in`, and its capabilities. */
static void check_wrapper(const memapi_locked *l, const memapi_alloc_vtable *in)
{
    const memapi_alloc_vtable *vt = &l->vt;
    bool can_free = in->try_dealloc != NULL;
    FUZZ_REQUIRE("wrapper", strcmp(vt->name, "locked") == 0 && vt->caps == (in->caps | MEMAPI_CAP_SHARED));
    FUZZ_REQUIRE("wrapper", vt->alloc != NULL && vt->zalloc != NULL);
    FUZZ_REQUIRE("wrapper", (vt->try_dealloc != NULL) == can_free);
    FUZZ_REQUIRE("wrapper", (vt->grow != NULL) == (can_free || in->grow != NULL));
    FUZZ_REQUIRE("wrapper", (vt->zgrow != NULL) == (can_free || in->zgrow != NULL));
    FUZZ_REQUIRE("wrapper", (vt->shrink != NULL) == (can_free || in->shrink != NULL));
    FUZZ_REQUIRE("wrapper", (vt->realloc != NULL) == (can_free || in->realloc != NULL));
    FUZZ_REQUIRE("wrapper", (vt->rezalloc != NULL) == (can_free || in->rezalloc != NULL));
    FUZZ_REQUIRE("wrapper", (vt->owns != NULL) == (in->owns != NULL));
    FUZZ_REQUIRE("wrapper", (vt->dealloc != NULL) == (can_free && in->dealloc != NULL));
#if MEMAPI_ALLOC_TEMP
    FUZZ_REQUIRE("wrapper", (vt->alloc_temp != NULL) == (in->alloc_temp != NULL));
#endif
}

static void wrap(memapi_allocator inner)
{
    memapi_locked *l = &G.lk[G.nlk++];
    memapi_error e;
    if (memapi_locked_init(l, inner, &e) != MEMAPI_OK)
        failf("setup", "memapi_locked_init failed (kind %u)", (unsigned)e.kind);
    check_wrapper(l, inner.vt);
    G.top = memapi_locked_allocator(l);
}

static void setup(uint8_t b0, uint8_t b1)
{
    memapi_error e;
    G.c = (enum choice)(b0 & 7u);
    G.nthreads = 2 + (int)(((b0 >> 3) & 3u) % 3u);
    memapi_allocator base = memapi_default();
    if (G.c == C_TRACKING || G.c == C_LOCKED2_PROBE || G.c == C_PROBE || G.c == C_FAILING) {
        if (memapi_tracking_init(&G.trk, memapi_default(), &e) != MEMAPI_OK)
            failf("setup", "memapi_tracking_init failed");
        G.has_trk = true;
        base = memapi_tracking_allocator(&G.trk);
    }
    if (G.c == C_BUMP || G.c == C_NOFREE) {
        if (memapi_bump_init(&G.bump, bump_buf, BUMP_CAP, &e) != MEMAPI_OK)
            failf("setup", "memapi_bump_init failed");
        G.has_bump = true;
        base = memapi_bump_allocator(&G.bump);
    }
    if (G.c == C_GUARD) {
        memapi_guard_options o = memapi_guard_options_default();
        /* more than the live blocks, the mailboxes, a resize's second block and the quarantine */
        o.pool_slots = 64;
        o.slot_pages = 1;
        o.quarantine = b1 & 3u;
        o.force_mprotect = (b1 & 4u) != 0;
        if (memapi_guard_init(&G.guard, &o, &e) != MEMAPI_OK)
            failf("setup", "memapi_guard_init failed");
        base = memapi_guard_allocator(&G.guard);
    }
    if (G.c == C_FAILING) {
        if (memapi_failing_init(&G.fail, base, &e) != MEMAPI_OK)
            failf("setup", "memapi_failing_init failed");
        G.nth = b1 & 63u;
        memapi_failing_set_nth(&G.fail, G.nth);
        base = memapi_failing_allocator(&G.fail);
    }
    if (G.c == C_LOCKED2_PROBE || G.c == C_PROBE || G.c == C_NOFREE) {
        G.pr.inner = base;
        G.has_probe = G.c != C_NOFREE;
        base = (memapi_allocator){G.c == C_NOFREE ? &nofree_vt : &probe_vt, &G.pr};
    }
    memapi_allocator probe_value = base;
    wrap(base);
    if (G.c == C_LOCKED2_PROBE)
        wrap(G.top);
    for (int k = G.nlk - 1; G.has_probe && k >= 0; k--)
        G.pr.above[G.pr.n_above++] = memapi_locked_allocator(&G.lk[k]);
    G.use = FUZZ_THREADS_BYPASS_LOCK && G.c == C_PROBE ? probe_value : G.top;
    for (int t = 0; t < MAX_THREADS; t++)
        if (pthread_mutex_init(&G.box[t].m, NULL) != 0)
            fuzz_fail("setup", "pthread_mutex_init failed");
}

typedef struct sums {
    uint64_t allocs, resizes, frees, temps, f_req, f_fail, reentries;
    size_t live, bytes, own_peak, made;
} sums;

static void live_block(sums *s, const blk *b, const blk **all, size_t *n)
{
    s->live++;
    s->bytes += b->l.size;
    require_pattern("after the join", b, b->l.size);
    for (size_t k = 0; k < *n; k++)
        if (b->ptr < all[k]->ptr + all[k]->l.size && all[k]->ptr < b->ptr + b->l.size)
            failf("after the join", "two live blocks overlap");
    all[(*n)++] = b;
}

static void check_model(void)
{
    sums s = {0};
    const blk *all[MAX_THREADS * (NSLOT + BOX_CAP)];
    size_t n = 0;
    for (int t = 0; t < G.nthreads; t++) {
        const worker *w = &G.w[t];
        s.allocs += w->allocs;
        s.resizes += w->resizes;
        s.frees += w->frees;
        s.temps += w->temps;
        s.f_req += w->f_req;
        s.f_fail += w->f_fail;
        s.reentries += w->reentries;
        s.made += w->bytes_made;
        if (w->own_peak > s.own_peak)
            s.own_peak = w->own_peak;
        for (size_t i = 0; i < NSLOT; i++)
            if (w->live[i])
                live_block(&s, &w->s[i], all, &n);
        for (size_t i = 0; i < G.box[t].n; i++)
            live_block(&s, &G.box[t].b[i], all, &n);
    }
    if (G.has_trk) {
        const memapi_tracking *k = &G.trk;
        /* resizes through probe (no resize entry) and failing (failing.h) allocate anew */
        uint64_t total = s.allocs + s.temps + (G.c == C_TRACKING ? 0 : s.resizes);
        if (memapi_tracking_live_blocks(k) != s.live || memapi_tracking_live_bytes(k) != s.bytes ||
            memapi_tracking_total_allocs(k) != total)
            failf("tracking", "live %zu, bytes %zu, total %llu; the threads hold %zu blocks, %zu bytes, made %llu",
                  memapi_tracking_live_blocks(k), memapi_tracking_live_bytes(k),
                  (unsigned long long)memapi_tracking_total_allocs(k), s.live, s.bytes, (unsigned long long)total);
        size_t peak = memapi_tracking_peak_bytes(k);
        if (peak < s.own_peak || peak < s.bytes || peak > s.made)
            failf("tracking", "peak %zu outside [%zu, %zu]", peak, s.own_peak > s.bytes ? s.own_peak : s.bytes, s.made);
    }
    if (G.has_probe) {
        if (G.pr.live != (long)s.live || G.pr.bytes != s.bytes || G.pr.allocs != (long)(s.allocs + s.resizes) ||
            G.pr.frees != (long)(s.frees + s.resizes))
            failf("probe", "live %ld, bytes %zu, allocs %ld, frees %ld; the model: %zu, %zu, %llu, %llu", G.pr.live,
                  G.pr.bytes, G.pr.allocs, G.pr.frees, s.live, s.bytes, (unsigned long long)(s.allocs + s.resizes),
                  (unsigned long long)(s.frees + s.resizes));
    }
    if (G.c == C_NOFREE && (G.pr.allocs != (long)s.allocs || G.pr.resizes != (long)s.resizes))
        failf("nofree", "allocs %ld, resizes %ld; the model: %llu, %llu", G.pr.allocs, G.pr.resizes,
              (unsigned long long)s.allocs, (unsigned long long)s.resizes);
    if (G.c == C_GUARD) {
        memapi_guard_statistics st = memapi_guard_stats(&G.guard);
        if (st.live_blocks != s.live || st.guarded_allocs != s.allocs + s.resizes + s.temps)
            failf("guard", "live %zu, guarded allocs %zu; the model: %zu, %llu", st.live_blocks, st.guarded_allocs,
                  s.live, (unsigned long long)(s.allocs + s.resizes + s.temps));
    }
    if (G.c == C_FAILING) {
        uint64_t calls = memapi_failing_calls(&G.fail), fails = memapi_failing_failures(&G.fail);
        uint64_t want = G.nth != 0 && s.f_req >= G.nth ? 1u : 0u;
        if (calls != s.f_req || fails != want || s.f_fail != want)
            failf("failing", "calls %llu, failures %llu, seen by the threads %llu; the model: %llu, %llu",
                  (unsigned long long)calls, (unsigned long long)fails, (unsigned long long)s.f_fail,
                  (unsigned long long)s.f_req, (unsigned long long)want);
    }
    if (G.has_bump && memapi_bump_used(&G.bump) > BUMP_CAP)
        failf("bump", "used %zu above the capacity", memapi_bump_used(&G.bump));
}

static void teardown(void)
{
    for (int t = 0; t < G.nthreads; t++) {
        worker *w = &G.w[t];
        for (size_t i = 0; i < NSLOT; i++)
            op_free(w, i, false);
        while (G.box[t].n > 0) {
            blk b = G.box[t].b[--G.box[t].n];
            do_free(w, &b, false);
        }
    }
    for (int t = 0; t < MAX_THREADS; t++)
        (void)pthread_mutex_destroy(&G.box[t].m);
    if (G.has_trk && (memapi_tracking_live_blocks(&G.trk) != 0 || memapi_tracking_live_bytes(&G.trk) != 0))
        failf("teardown", "tracking still counts %zu blocks", memapi_tracking_live_blocks(&G.trk));
    if (G.has_probe && (G.pr.live != 0 || G.pr.bytes != 0))
        failf("teardown", "probe still counts %ld blocks", G.pr.live);
    if (G.c == C_GUARD && memapi_guard_stats(&G.guard).live_blocks != 0)
        failf("teardown", "the guard still counts live blocks");
    for (int k = G.nlk - 1; k >= 0; k--)
        memapi_locked_destroy(&G.lk[k]);
    if (G.has_trk)
        memapi_tracking_destroy(&G.trk);
    if (G.c == C_GUARD)
        memapi_guard_destroy(&G.guard);
    if (G.has_bump)
        memapi_bump_release(&G.bump);
}

static void *watchdog_main(void *arg)
{
    (void)arg;
    struct timespec deadline;
    if (clock_gettime(CLOCK_REALTIME, &deadline) != 0)
        fuzz_fail("watchdog", "clock_gettime failed");
    deadline.tv_sec += WATCHDOG_SECONDS;
    if (pthread_mutex_lock(&W.m) != 0)
        fuzz_fail("watchdog", "lock failed");
    int rc = 0;
    while (!W.finished && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&W.cv, &W.m, &deadline);
    if (!W.finished) {
        fprintf(stderr, "threads: %s, %d threads\n", choice_names[G.c], G.nthreads);
        fuzz_fail("watchdog", "the input has not finished within its time: a thread waits for a lock nobody releases?");
    }
    (void)pthread_mutex_unlock(&W.m);
    return NULL;
}

static void watchdog(bool start)
{
    if (start) {
        W.finished = false;
        if (pthread_create(&W.t, NULL, watchdog_main, NULL) != 0)
            fuzz_fail("watchdog", "pthread_create failed");
        return;
    }
    if (pthread_mutex_lock(&W.m) != 0)
        fuzz_fail("watchdog", "lock failed");
    W.finished = true;
    (void)pthread_cond_signal(&W.cv);
    (void)pthread_mutex_unlock(&W.m);
    if (pthread_join(W.t, NULL) != 0)
        fuzz_fail("watchdog", "pthread_join failed");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    memset(&G, 0, sizeof G);
    uint8_t b0 = data[0], b1 = data[1];
    init_errors(b0 >> 5, b1);
    setup(b0, b1);
    watchdog(true);
    size_t nops = (size - 2) / OP_BYTES / (size_t)G.nthreads;
    if (nops > MAX_OPS)
        nops = MAX_OPS;
    if (pthread_barrier_init(&G.start, NULL, (unsigned)G.nthreads) != 0)
        fuzz_fail("threads", "pthread_barrier_init failed");
    for (int t = 0; t < G.nthreads; t++) {
        worker *w = &G.w[t];
        w->id = t;
        w->ops = data + 2 + (size_t)t * nops * OP_BYTES;
        w->nops = nops;
        if (pthread_create(&w->t, NULL, worker_main, w) != 0)
            fuzz_fail("threads", "pthread_create failed");
    }
    for (int t = 0; t < G.nthreads; t++)
        if (pthread_join(G.w[t].t, NULL) != 0)
            fuzz_fail("threads", "pthread_join failed");
    (void)pthread_barrier_destroy(&G.start);
    check_model();
    teardown();
    watchdog(false);
    return 0;
}
