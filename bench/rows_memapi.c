/*
 * Rows of the main benchmark binary: raw libc (the baseline) and the library's allocators behind
 * `memapi_allocator`. A row whose header does not exist in this checkout is compiled out.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include "bench.h"
#include "memapi2/alloc.h"
#include "memapi2/default.h"

#if __has_include("memapi2/c_alloc.h")
#include "memapi2/c_alloc.h"
#define HAVE_C_ALLOC 1
#endif
#if __has_include("memapi2/locked.h")
#include "memapi2/locked.h"
#define HAVE_LOCKED 1
#endif
#if __has_include("memapi2/bump.h")
#include "memapi2/bump.h"
#define HAVE_BUMP 1
#endif
#if __has_include("memapi2/tracking.h")
#include "memapi2/tracking.h"
#define HAVE_TRACKING 1
#endif
#if __has_include("memapi2/failing.h")
#include "memapi2/failing.h"
#define HAVE_FAILING 1
#endif
#if __has_include("memapi2/guard.h")
#include "memapi2/guard.h"
#define HAVE_GUARD 1
#endif

/* ---- raw libc: the calls the default allocator makes, with its decisions, made directly -------- */

static bool servable(memapi_layout l)
{
    return l.align <= MEMAPI_MIN_ALIGN && l.size >= l.align;
}

static void *aligned(memapi_layout l)
{
    void *p = NULL;
    return posix_memalign(&p, l.align < sizeof(void *) ? sizeof(void *) : l.align, l.size) == 0 ? p : NULL;
}

static BENCH_NOINLINE void *row_raw_alloc(void *c, memapi_layout l)
{
    (void)c;
    return malloc(l.size);
}

static BENCH_NOINLINE void *row_raw_alloc_al(void *c, memapi_layout l)
{
    (void)c;
    return aligned(l);
}

static BENCH_NOINLINE void *row_raw_zalloc(void *c, memapi_layout l)
{
    (void)c;
    if (servable(l))
        return calloc(1, l.size);
    void *p = aligned(l);
    if (p != NULL)
        memset(p, 0, l.size);
    return p;
}

static void *raw_resize(void *p, memapi_layout o, memapi_layout n)
{
    if (servable(n))
        return realloc(p, n.size);
    void *q = aligned(n);
    if (q == NULL)
        return NULL;
    memcpy(q, p, o.size < n.size ? o.size : n.size);
    free(p);
    return q;
}

static BENCH_NOINLINE void *row_raw_grow(void *c, void *p, memapi_layout o, memapi_layout n)
{
    (void)c;
    return raw_resize(p, o, n);
}

static BENCH_NOINLINE void *row_raw_shrink(void *c, void *p, memapi_layout o, memapi_layout n)
{
    (void)c;
    return raw_resize(p, o, n);
}

static BENCH_NOINLINE void row_raw_free(void *c, void *p, memapi_layout l)
{
    (void)c;
    (void)l;
    free(p);
}

/* ---- memapi rows: the dispatch functions a user calls, one set of entry points per row --------- */

/*
 * Every call passes an error to fill, as a caller that reports failures does: the price measured
 * is that of the structured-error interface, not of its cheaper err == NULL form.
 */
static memapi_error bench_err;

#define MEMAPI_ROW_FNS_ERR(tag, errp)                                                                           \
    static BENCH_NOINLINE void *row_##tag##_alloc(void *c, memapi_layout l)                                           \
    {                                                                                                           \
        return memapi_alloc(*(memapi_allocator *)c, l, (errp));                                                 \
    }                                                                                                           \
    static BENCH_NOINLINE void *row_##tag##_alloc_al(void *c, memapi_layout l)                                        \
    {                                                                                                           \
        return memapi_alloc(*(memapi_allocator *)c, l, (errp));                                                 \
    }                                                                                                           \
    static BENCH_NOINLINE void *row_##tag##_zalloc(void *c, memapi_layout l)                                          \
    {                                                                                                           \
        return memapi_zalloc(*(memapi_allocator *)c, l, (errp));                                                \
    }                                                                                                           \
    static BENCH_NOINLINE void *row_##tag##_grow(void *c, void *p, memapi_layout o, memapi_layout n)                  \
    {                                                                                                           \
        return memapi_grow(*(memapi_allocator *)c, p, o, n, (errp));                                            \
    }                                                                                                           \
    static BENCH_NOINLINE void *row_##tag##_shrink(void *c, void *p, memapi_layout o, memapi_layout n)                \
    {                                                                                                           \
        return memapi_shrink(*(memapi_allocator *)c, p, o, n, (errp));                                          \
    }                                                                                                           \
    static BENCH_NOINLINE void row_##tag##_free(void *c, void *p, memapi_layout l)                                    \
    {                                                                                                           \
        memapi_dealloc(*(memapi_allocator *)c, p, l);                                                           \
    }

#define MEMAPI_ROW_FNS(tag) MEMAPI_ROW_FNS_ERR(tag, &bench_err)

#define MEMAPI_ROW(label, tag_, traces_, ctx_, open_, close_, reset_, div_)                                     \
    {                                                                                                           \
        .name = label, .tag = #tag_, .traces = traces_, .small_div = div_, .ctx = ctx_,                         \
        .open = open_, .close = close_, .alloc = row_##tag_##_alloc, .alloc_al = row_##tag_##_alloc_al,                     \
        .zalloc = row_##tag_##_zalloc, .grow = row_##tag_##_grow, .shrink = row_##tag_##_shrink, .free = row_##tag_##_free,             \
        .reset = reset_                                                                                         \
    }

static memapi_allocator a_default;
static void open_default(bench_row *r)
{
    a_default = memapi_default();
    r->ctx = &a_default;
}
MEMAPI_ROW_FNS(mdefault)
/* The same allocator for a caller that passes no error object: what the structured error costs. */
MEMAPI_ROW_FNS_ERR(mdefault_noerr, NULL)

#ifdef HAVE_C_ALLOC
static memapi_allocator a_c;
static void open_c(bench_row *r)
{
    a_c = memapi_c_alloc();
    r->ctx = &a_c;
}
MEMAPI_ROW_FNS(c_alloc)
#endif

#ifdef HAVE_LOCKED
static memapi_locked locked_state;
static memapi_allocator a_locked;
static void open_locked(bench_row *r)
{
    if (memapi_locked_init(&locked_state, memapi_default(), NULL) != MEMAPI_OK)
        bench_die(r->name, "memapi_locked_init");
    a_locked = memapi_locked_allocator(&locked_state);
    r->ctx = &a_locked;
}
static void close_locked(bench_row *r)
{
    (void)r;
    memapi_locked_destroy(&locked_state);
}
MEMAPI_ROW_FNS(locked)
#endif

#ifdef HAVE_TRACKING
static memapi_tracking tracking_state;
static memapi_allocator a_tracking;
static void open_tracking(bench_row *r)
{
    if (memapi_tracking_init(&tracking_state, memapi_default(), NULL) != MEMAPI_OK)
        bench_die(r->name, "memapi_tracking_init");
    a_tracking = memapi_tracking_allocator(&tracking_state);
    r->ctx = &a_tracking;
}
static void close_tracking(bench_row *r)
{
    (void)r;
    memapi_tracking_destroy(&tracking_state);
}
MEMAPI_ROW_FNS(tracking)
#endif

#ifdef HAVE_FAILING
/* Every rule off: the row measures what the wrapper's counting and rule checks cost on each call. */
static memapi_failing failing_state;
static memapi_allocator a_failing;
static void open_failing(bench_row *r)
{
    if (memapi_failing_init(&failing_state, memapi_default(), NULL) != MEMAPI_OK)
        bench_die(r->name, "memapi_failing_init");
    a_failing = memapi_failing_allocator(&failing_state);
    r->ctx = &a_failing;
}
MEMAPI_ROW_FNS(failing)
#endif

#ifdef HAVE_BUMP
/* 1024 blocks of at most 256 B plus their padding fit with room to spare. */
#define ARENA_CAP (1024u * 512u)
static _Alignas(4096) char arena_buf[ARENA_CAP];
static memapi_bump arena;
static memapi_allocator a_bump;
static void open_bump(bench_row *r)
{
    if (memapi_bump_init(&arena, arena_buf, sizeof arena_buf, NULL) != MEMAPI_OK)
        bench_die(r->name, "memapi_bump_init");
    a_bump = memapi_bump_allocator(&arena);
    r->ctx = &a_bump;
}
static BENCH_NOINLINE void row_bump_reset(void *c)
{
    (void)c;
    memapi_bump_reset(&arena);
}
MEMAPI_ROW_FNS(bump)
#endif

#ifdef HAVE_GUARD
static memapi_guard guard_state;
static memapi_allocator a_guard;
static void open_guard(bench_row *r)
{
    if (memapi_guard_init(&guard_state, NULL, NULL) != MEMAPI_OK)
        bench_die(r->name, "memapi_guard_init");
    a_guard = memapi_guard_allocator(&guard_state);
    r->ctx = &a_guard;
}
static void close_guard(bench_row *r)
{
    (void)r;
    memapi_guard_destroy(&guard_state);
}
MEMAPI_ROW_FNS(guard)

/* Sampling at 1/1000 with many guarded blocks held: a sampled-out allocation or free must cost the
 * fallback's price plus a constant, whatever the number of live guarded blocks (issue 18). The live
 * blocks are made with sample_every 1 first (no canary or fill: no page touched), then the rate is
 * set; the pool keeps room for the trace's own guarded allocations. */
static memapi_guard guard_1k_state, guard_1m_state;
static memapi_allocator a_guard_1k, a_guard_1m;
static void open_sampled(bench_row *r, memapi_guard *g, memapi_allocator *a, size_t live)
{
    memapi_guard_options o = memapi_guard_options_default();
    o.pool_slots = live + 65536;
    o.slot_pages = 1;
    o.quarantine = 0;
    o.canary = false;
    o.fill_byte = -1;
    if (memapi_guard_init(g, &o, NULL) != MEMAPI_OK)
        bench_die(r->name, "memapi_guard_init");
    *a = memapi_guard_allocator(g);
    memapi_layout l = {32, 8};
    for (size_t i = 0; i < live; i++)
        if (memapi_alloc(*a, l, NULL) == NULL)
            bench_die(r->name, "prefill of the live guarded blocks");
    if (memapi_guard_set_sample_every(g, 1000, NULL) != MEMAPI_OK)
        bench_die(r->name, "memapi_guard_set_sample_every");
    r->ctx = a;
}
static void open_guard_1k(bench_row *r)
{
    open_sampled(r, &guard_1k_state, &a_guard_1k, 1000);
}
static void open_guard_1m(bench_row *r)
{
    open_sampled(r, &guard_1m_state, &a_guard_1m, 1000000);
}
static void close_guard_1k(bench_row *r)
{
    (void)r;
    memapi_guard_destroy(&guard_1k_state);
}
static void close_guard_1m(bench_row *r)
{
    (void)r;
    memapi_guard_destroy(&guard_1m_state);
}
MEMAPI_ROW_FNS(guard_1k)
MEMAPI_ROW_FNS(guard_1m)
#endif

bench_row bench_rows[] = {
    {.name = "raw libc", .tag = "raw", .traces = BENCH_MIXED | BENCH_SMALL, .alloc = row_raw_alloc,
     .alloc_al = row_raw_alloc_al, .zalloc = row_raw_zalloc, .grow = row_raw_grow, .shrink = row_raw_shrink, .free = row_raw_free},
    MEMAPI_ROW("memapi default", mdefault, BENCH_MIXED | BENCH_SMALL, NULL, open_default, NULL, NULL, 0),
    MEMAPI_ROW("memapi default, err NULL", mdefault_noerr, BENCH_MIXED | BENCH_SMALL, NULL, open_default, NULL,
               NULL, 0),
#ifdef HAVE_C_ALLOC
    MEMAPI_ROW("c_alloc", c_alloc, BENCH_MIXED | BENCH_SMALL, NULL, open_c, NULL, NULL, 0),
#endif
#ifdef HAVE_LOCKED
    MEMAPI_ROW("locked(default)", locked, BENCH_MIXED | BENCH_SMALL, NULL, open_locked, close_locked, NULL, 0),
#endif
#ifdef HAVE_TRACKING
    MEMAPI_ROW("tracking(default)", tracking, BENCH_MIXED | BENCH_SMALL, NULL, open_tracking, close_tracking,
               NULL, 0),
#endif
#ifdef HAVE_FAILING
    MEMAPI_ROW("failing(default)", failing, BENCH_MIXED | BENCH_SMALL, NULL, open_failing, NULL, NULL, 0),
#endif
#ifdef HAVE_BUMP
    MEMAPI_ROW("bump arena", bump, BENCH_SMALL, NULL, open_bump, NULL, row_bump_reset, 0),
#endif
#ifdef HAVE_GUARD
    MEMAPI_ROW("guard", guard, BENCH_SMALL, NULL, open_guard, close_guard, NULL, 100),
    MEMAPI_ROW("guard(sample 1/1000), 1,000 live", guard_1k, BENCH_SMALL, NULL, open_guard_1k, close_guard_1k, NULL,
               0),
    MEMAPI_ROW("guard(sample 1/1000), 1,000,000 live", guard_1m, BENCH_SMALL, NULL, open_guard_1m, close_guard_1m,
               NULL, 0),
#endif
};
const size_t bench_nrows = sizeof bench_rows / sizeof bench_rows[0];
