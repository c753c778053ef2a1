/*
 * Fault sweep: every library path that allocates more than once or allocates internally is run
 * once through the failing allocator to count its allocations K, then K more times with the i-th
 * allocation failing (i = 1..K). Each failing run must report a structured error
 * (ALLOC_FAILED, out of memory), leave the caller's old block intact (each scenario checks its own
 * blocks' contents), and leak nothing: the stack is scenario -> failing -> tracking(default), and the
 * tracking allocator must hold zero live blocks at the end (LeakSanitizer checks the rest).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>
#include "memapi2.h"

static memapi_layout L(size_t size, size_t align)
{
    memapi_layout l = {size, align};
    return l;
}

static bool all_eq(const void *p, size_t n, unsigned char v)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        if (c[i] != v)
            return false;
    return true;
}

/* A basic allocator (alloc and try_dealloc only) forwarding to the allocator `self` points at, so
 * that the dispatch runs its own default resize and default temp allocation. */
static void *basic_alloc(void *self, memapi_layout l, memapi_error *err)
{
    return memapi_alloc(*(memapi_allocator *)self, l, err);
}
static memapi_status basic_free(void *self, void *p, memapi_layout l, memapi_error *err)
{
    return memapi_try_dealloc(*(memapi_allocator *)self, p, l, err);
}
static const memapi_alloc_vtable basic_vt = {
    .name = "basic", .caps = MEMAPI_CAP_DEALLOC, .alloc = basic_alloc, .try_dealloc = basic_free};

/* A scenario allocates through `a`, checks its blocks, frees everything it holds and returns the
 * status of the operation under test (with *err filled on failure). */
typedef memapi_status (*scenario_fn)(memapi_allocator a, memapi_error *err);

static memapi_status resize_scenario(memapi_allocator a, memapi_error *err,
                                     void *(*op)(memapi_allocator, void *, memapi_layout, memapi_layout,
                                                 memapi_error *),
                                     memapi_layout old_l, memapi_layout new_l, bool zero_tail)
{
    char *p = memapi_alloc(a, old_l, err);
    if (p == NULL)
        return MEMAPI_ERROR;
    memset(p, 0xA5, old_l.size);
    char *q = op(a, p, old_l, new_l, err);
    if (q == NULL) {
        cr_assert(all_eq(p, old_l.size, 0xA5), "old block damaged by a failed resize");
        memapi_dealloc(a, p, old_l);
        return MEMAPI_ERROR;
    }
    size_t keep = old_l.size < new_l.size ? old_l.size : new_l.size;
    cr_assert(all_eq(q, keep, 0xA5));
    if (zero_tail && new_l.size > old_l.size)
        cr_assert(all_eq(q + old_l.size, new_l.size - old_l.size, 0));
    memapi_dealloc(a, q, new_l);
    return MEMAPI_OK;
}

static memapi_status grow_s(memapi_allocator a, memapi_error *err)
{
    return resize_scenario(a, err, memapi_grow, L(24, 8), L(200, 64), false);
}
static memapi_status zgrow_s(memapi_allocator a, memapi_error *err)
{
    return resize_scenario(a, err, memapi_zgrow, L(24, 8), L(200, 8), true);
}
static memapi_status shrink_s(memapi_allocator a, memapi_error *err)
{
    return resize_scenario(a, err, memapi_shrink, L(200, 8), L(24, 4096), false);
}
static memapi_status realloc_s(memapi_allocator a, memapi_error *err)
{
    return resize_scenario(a, err, memapi_realloc, L(40, 16), L(4000, 16), false);
}
static memapi_status rezalloc_s(memapi_allocator a, memapi_error *err)
{
    return resize_scenario(a, err, memapi_rezalloc, L(40, 16), L(4000, 256), true);
}

typedef struct temp_ctx {
    int calls;
    bool zeroed;
} temp_ctx;

static void temp_cb(void *ctx, void *mem)
{
    temp_ctx *t = ctx;
    t->calls++;
    t->zeroed = all_eq(mem, 128, 0);
    memset(mem, 0xFF, 128);
}

static memapi_status temp_s(memapi_allocator a, memapi_error *err, bool zero)
{
    temp_ctx t = {0, false};
    memapi_status st = zero ? memapi_zalloc_temp(a, L(128, 16), temp_cb, &t, err)
                            : memapi_alloc_temp(a, L(128, 16), temp_cb, &t, err);
    cr_assert_eq(t.calls, st == MEMAPI_OK ? 1 : 0, "the callback runs exactly when the allocation succeeded");
    if (st == MEMAPI_OK && zero)
        cr_assert(t.zeroed);
    return st;
}
static memapi_status alloc_temp_s(memapi_allocator a, memapi_error *err)
{
    return temp_s(a, err, false);
}
static memapi_status zalloc_temp_s(memapi_allocator a, memapi_error *err)
{
    return temp_s(a, err, true);
}

/* The tracking table grows from `a`: 40 blocks need the table allocated once and reallocated twice. */
static memapi_status tracking_table_s(memapi_allocator a, memapi_error *err)
{
    memapi_tracking t;
    cr_assert_eq(memapi_tracking_init(&t, a, NULL), MEMAPI_OK);
    memapi_allocator ta = memapi_tracking_allocator(&t);
    char *blocks[40];
    size_t n = 0;
    memapi_status st = MEMAPI_OK;
    for (; n < 40; n++) {
        blocks[n] = memapi_alloc(ta, L(n + 1, 1), err);
        if (blocks[n] == NULL) {
            st = MEMAPI_ERROR;
            break;
        }
        memset(blocks[n], (int)n, n + 1);
    }
    cr_assert_eq(memapi_tracking_live_blocks(&t), n);
    for (size_t i = 0; i < n; i++) {
        cr_assert(all_eq(blocks[i], i + 1, (unsigned char)i), "block %zu damaged", i);
        memapi_dealloc(ta, blocks[i], L(i + 1, 1));
    }
    cr_assert_eq(memapi_tracking_live_blocks(&t), 0);
    memapi_tracking_destroy(&t);
    return st;
}

/*
 * Resizes through a tracking allocator whose table grows from `a` (tracking.h: "Resizes are
 * forwarded to the inner allocator's dispatch (`memapi_grow` ...) and the entry is updated on
 * success"). A failed resize must leave the block live in the table with its old layout: the final
 * free with that layout then succeeds, and the table is empty afterwards.
 */
static memapi_status tracked_resize_scenario(memapi_allocator a, memapi_error *err,
                                             void *(*op)(memapi_allocator, void *, memapi_layout, memapi_layout,
                                                         memapi_error *),
                                             memapi_layout old_l, memapi_layout new_l, bool zero_tail)
{
    memapi_tracking t;
    cr_assert_eq(memapi_tracking_init(&t, a, NULL), MEMAPI_OK);
    memapi_status st = resize_scenario(memapi_tracking_allocator(&t), err, op, old_l, new_l, zero_tail);
    cr_assert_eq(memapi_tracking_live_blocks(&t), 0);
    cr_assert_eq(memapi_tracking_live_bytes(&t), 0);
    memapi_tracking_destroy(&t);
    return st;
}
static memapi_status tracked_grow_s(memapi_allocator a, memapi_error *err)
{
    return tracked_resize_scenario(a, err, memapi_grow, L(24, 8), L(200, 64), false);
}
static memapi_status tracked_rezalloc_s(memapi_allocator a, memapi_error *err)
{
    return tracked_resize_scenario(a, err, memapi_rezalloc, L(40, 16), L(4000, 16), true);
}

/* Growing a size-0 dangling block through a fresh tracking allocator: the first recorded block, so
 * the table is allocated too ("the table starts empty, is allocated on the first allocation"). */
static memapi_status tracked_grow_from_dangling_s(memapi_allocator a, memapi_error *err)
{
    memapi_tracking t;
    cr_assert_eq(memapi_tracking_init(&t, a, NULL), MEMAPI_OK);
    memapi_allocator ta = memapi_tracking_allocator(&t);
    memapi_status st = MEMAPI_OK;
    char *g = memapi_zgrow(ta, (void *)16, L(0, 16), L(96, 16), err);
    if (g == NULL) {
        st = MEMAPI_ERROR;
        cr_assert_eq(memapi_tracking_live_blocks(&t), 0, "a failed grow recorded a block");
    } else {
        cr_assert_eq(memapi_tracking_live_blocks(&t), 1);
        cr_assert(all_eq(g, 96, 0));
        memapi_dealloc(ta, g, L(96, 16));
    }
    cr_assert_eq(memapi_tracking_live_blocks(&t), 0);
    memapi_tracking_destroy(&t);
    return st;
}

/* The example workload: a vector of 100 ints grown by doubling with memapi_realloc. */
static memapi_status vector_s(memapi_allocator a, memapi_error *err)
{
    size_t cap = 4, len = 0;
    int *v = memapi_alloc(a, L(cap * sizeof(int), _Alignof(int)), err);
    if (v == NULL)
        return MEMAPI_ERROR;
    memapi_status st = MEMAPI_OK;
    while (len < 100) {
        if (len == cap) {
            int *w = memapi_realloc(a, v, L(cap * sizeof(int), _Alignof(int)),
                                    L(2 * cap * sizeof(int), _Alignof(int)), err);
            if (w == NULL) {
                st = MEMAPI_ERROR;
                break;
            }
            v = w;
            cap *= 2;
        }
        v[len] = (int)(len * 3);
        len++;
    }
    for (size_t i = 0; i < len; i++)
        cr_assert_eq(v[i], (int)(i * 3), "element %zu lost", i);
    memapi_dealloc(a, v, L(cap * sizeof(int), _Alignof(int)));
    return st;
}

typedef struct stack {
    memapi_tracking leak;
    memapi_failing fail;
    memapi_allocator fail_a;
} stack;

static memapi_allocator build(stack *s, bool via_basic)
{
    cr_assert_eq(memapi_tracking_init(&s->leak, memapi_default(), NULL), MEMAPI_OK);
    cr_assert_eq(memapi_failing_init(&s->fail, memapi_tracking_allocator(&s->leak), NULL), MEMAPI_OK);
    s->fail_a = memapi_failing_allocator(&s->fail);
    if (!via_basic)
        return s->fail_a;
    memapi_allocator b = {&basic_vt, &s->fail_a};
    return b;
}

static void teardown(stack *s)
{
    cr_assert_eq(memapi_tracking_live_blocks(&s->leak), 0, "leaked %zu blocks",
                 memapi_tracking_live_blocks(&s->leak));
    memapi_tracking_destroy(&s->leak);
}

/* Returns K, the number of allocations of the scenario. */
static uint64_t sweep(const char *name, scenario_fn fn, bool via_basic)
{
    stack s;
    memapi_error e;
    memapi_allocator a = build(&s, via_basic);
    cr_assert_eq(fn(a, &e), MEMAPI_OK, "%s: the unfailing run failed", name);
    uint64_t k = memapi_failing_calls(&s.fail);
    teardown(&s);
    cr_assert_geq(k, 1);
    for (uint64_t i = 1; i <= k; i++) {
        a = build(&s, via_basic);
        memapi_failing_set_nth(&s.fail, i);
        memset(&e, 0, sizeof e);
        cr_assert_eq(fn(a, &e), MEMAPI_ERROR, "%s: failing allocation %llu of %llu went unnoticed", name,
                     (unsigned long long)i, (unsigned long long)k);
        cr_assert_eq(e.kind, MEMAPI_E_ALLOC_FAILED, "%s #%llu: kind %d", name, (unsigned long long)i, (int)e.kind);
        cr_assert_eq(e.cause.kind, MEMAPI_CAUSE_OUT_OF_MEMORY);
        cr_assert_eq(memapi_failing_failures(&s.fail), 1);
        teardown(&s);
    }
    return k;
}

Test(fault_sweep, default_resizes_through_a_basic_allocator)
{
    cr_assert_eq(sweep("grow", grow_s, true), 2);
    cr_assert_eq(sweep("zgrow", zgrow_s, true), 2);
    cr_assert_eq(sweep("shrink", shrink_s, true), 2);
    cr_assert_eq(sweep("realloc", realloc_s, true), 2);
    cr_assert_eq(sweep("rezalloc", rezalloc_s, true), 2);
}

Test(fault_sweep, resizes_through_the_failing_allocator_itself)
{
    cr_assert_eq(sweep("grow", grow_s, false), 2);
    cr_assert_eq(sweep("rezalloc", rezalloc_s, false), 2);
}

Test(fault_sweep, alloc_temp_and_zalloc_temp)
{
    cr_assert_eq(sweep("alloc_temp", alloc_temp_s, true), 1);
    cr_assert_eq(sweep("zalloc_temp", zalloc_temp_s, true), 1);
}

Test(fault_sweep, tracking_table_growth)
{
    /* 40 blocks + the first table (16 entries) + two reallocations (32, 64). */
    cr_assert_eq(sweep("tracking table", tracking_table_s, false), 43);
}

/*
 * Counted allocations (failing.h: "Every allocating call counts as one call"; "a resize is exactly
 * one counted allocation"): the block and the first table (tracking.h: allocated "on the first
 * allocation"), then the resize; from a dangling block, the table and the resize.
 */
Test(fault_sweep, resizes_through_a_tracking_allocator)
{
    cr_assert_eq(sweep("tracked grow", tracked_grow_s, false), 3);
    cr_assert_eq(sweep("tracked rezalloc", tracked_rezalloc_s, false), 3);
    cr_assert_eq(sweep("tracked zgrow from dangling", tracked_grow_from_dangling_s, false), 2);
}

Test(fault_sweep, vector_of_100_with_realloc)
{
    /* The first allocation (4) and reallocations to 8, 16, 32, 64, 128. */
    cr_assert_eq(sweep("vector", vector_s, false), 6);
    cr_assert_eq(sweep("vector via basic", vector_s, true), 6);
}
