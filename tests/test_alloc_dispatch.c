/*
 * Dispatch-level behaviour checked through a logging allocator that records every call
 * (spec 4.4-4.9, 7.8 call sequences, DESIGN.md decisions 2-4).
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "memapi2.h"

typedef enum call_kind { CALL_ALLOC, CALL_DEALLOC, CALL_OWNS } call_kind;

typedef struct call {
    call_kind kind;
    void *ptr;
    memapi_layout layout;
    bool failed;
} call;

typedef struct log_alloc {
    call calls[32];
    size_t n;
    int fail_deallocs; /* this many next try_dealloc calls fail (and free nothing) */
    bool fail_alloc;
    void *live[8];     /* blocks handed out, for owns */
    memapi_layout live_layout[8];
} log_alloc;

static void record(log_alloc *s, call_kind k, void *ptr, memapi_layout l, bool failed)
{
    cr_assert(s->n < sizeof s->calls / sizeof s->calls[0], "log overflow");
    s->calls[s->n++] = (call){k, ptr, l, failed};
}

static void set_err(memapi_error *err, memapi_error_kind kind)
{
    if (err != NULL) {
        memset(err, 0, sizeof *err);
        err->kind = kind;
    }
}

static void *log_alloc_fn(void *self, memapi_layout l, memapi_error *err)
{
    log_alloc *s = self;
    if (s->fail_alloc) {
        record(s, CALL_ALLOC, NULL, l, true);
        if (err != NULL) {
            memset(err, 0, sizeof *err);
            err->kind = MEMAPI_E_ALLOC_FAILED;
            err->layout = l;
            err->cause.kind = MEMAPI_CAUSE_OUT_OF_MEMORY;
        }
        return NULL;
    }
    void *p = memapi_alloc(memapi_default(), l, err);
    record(s, CALL_ALLOC, p, l, p == NULL);
    for (size_t i = 0; i < 8 && p != NULL; i++)
        if (s->live[i] == NULL) {
            s->live[i] = p;
            s->live_layout[i] = l;
            break;
        }
    return p;
}

static memapi_status log_try_dealloc(void *self, void *ptr, memapi_layout l, memapi_error *err)
{
    log_alloc *s = self;
    if (s->fail_deallocs > 0) {
        s->fail_deallocs--;
        record(s, CALL_DEALLOC, ptr, l, true);
        set_err(err, MEMAPI_E_UNSUPPORTED);
        return MEMAPI_ERROR;
    }
    record(s, CALL_DEALLOC, ptr, l, false);
    for (size_t i = 0; i < 8; i++)
        if (s->live[i] == ptr)
            s->live[i] = NULL;
    return memapi_try_dealloc(memapi_default(), ptr, l, err);
}

static const memapi_alloc_vtable log_vtable = {
    .name = "log", .caps = MEMAPI_CAP_DEALLOC, .alloc = log_alloc_fn, .try_dealloc = log_try_dealloc};
static log_alloc state;

static memapi_allocator logger(void)
{
    return (memapi_allocator){&log_vtable, &state};
}

static memapi_layout L(size_t size, size_t align)
{
    return (memapi_layout){size, align};
}

static void expect_call(size_t i, call_kind k, const void *ptr, memapi_layout l, bool failed)
{
    cr_assert(i < state.n, "call %zu missing (log has %zu)", i, state.n);
    const call *c = &state.calls[i];
    cr_assert_eq(c->kind, k, "call %zu: kind %d, expected %d", i, (int)c->kind, (int)k);
    if (ptr != NULL)
        cr_assert_eq(c->ptr, ptr, "call %zu: ptr %p, expected %p", i, c->ptr, ptr);
    cr_assert(memapi_layout_eq(c->layout, l), "call %zu: layout (%zu,%zu), expected (%zu,%zu)", i, c->layout.size,
              c->layout.align, l.size, l.align);
    cr_assert_eq(c->failed, failed, "call %zu: failed=%d", i, (int)c->failed);
}

static void *alloc_fresh(memapi_layout l)
{
    void *p = memapi_alloc(logger(), l, NULL);
    cr_assert_not_null(p);
    state.n = 0;
    return p;
}

/* ---- 7.8 resize call sequences ---------------------------------------------------------------- */
Test(dispatch, same_size_bigger_align_allocates_then_frees_old)
{
    unsigned char *p = alloc_fresh(L(16, 8));
    memset(p, 0x31, 16);
    unsigned char *q = memapi_realloc(logger(), p, L(16, 8), L(16, 32), NULL);
    cr_assert_not_null(q);
    cr_assert_eq(state.n, 2);
    expect_call(0, CALL_ALLOC, q, L(16, 32), false);
    expect_call(1, CALL_DEALLOC, p, L(16, 8), false);
    for (size_t i = 0; i < 16; i++)
        cr_assert_eq(q[i], 0x31);
    memapi_dealloc(logger(), q, L(16, 32));
}

Test(dispatch, grow_from_zero_size_dangling)
{
    state.n = 0;
    void *q = memapi_grow(logger(), (void *)8, L(0, 8), L(16, 8), NULL);
    cr_assert_not_null(q);
    cr_assert_eq(state.n, 2);
    expect_call(0, CALL_ALLOC, q, L(16, 8), false);
    expect_call(1, CALL_DEALLOC, (void *)8, L(0, 8), false);
    memapi_dealloc(logger(), q, L(16, 8));
}

Test(dispatch, shrink_to_zero)
{
    void *p = alloc_fresh(L(16, 8));
    void *q = memapi_shrink(logger(), p, L(16, 8), L(0, 8), NULL);
    cr_assert_eq(q, (void *)8, "the log allocator delegates to default: size 0 gives the dangling pointer");
    cr_assert_eq(state.n, 2);
    expect_call(0, CALL_ALLOC, (void *)8, L(0, 8), false);
    expect_call(1, CALL_DEALLOC, p, L(16, 8), false);
}

Test(dispatch, identical_layout_makes_no_call)
{
    void *p = alloc_fresh(L(16, 8));
    cr_assert_eq(memapi_grow(logger(), p, L(16, 8), L(16, 8), NULL), p);
    cr_assert_eq(memapi_rezalloc(logger(), p, L(16, 8), L(16, 8), NULL), p);
    cr_assert_eq(state.n, 0);
    memapi_dealloc(logger(), p, L(16, 8));
}

/* ---- 4.5 default dealloc ------------------------------------------------------------------------ */
Test(dispatch, dealloc_skips_dangling_without_calling_try_dealloc)
{
    state.n = 0;
    memapi_dealloc(logger(), (void *)8, L(0, 8));
    memapi_dealloc(logger(), (void *)64, L(128, 64));
    cr_assert_eq(state.n, 0);
}

Test(dispatch, dealloc_calls_try_dealloc_for_non_dangling_zero_size)
{
    state.n = 0;
    memapi_dealloc(logger(), (void *)0x40, L(0, 8));
    cr_assert_eq(state.n, 1);
    expect_call(0, CALL_DEALLOC, (void *)0x40, L(0, 8), false);
}

static void abort_on_expected(const char *msg)
{
    if (strcmp(msg, "deallocation of block at 0x40 with layout Layout { size: 0, align: 8 } failed: "
                    "unsupported operation") == 0)
        abort();
    fprintf(stderr, "unexpected fatal message: %s\n", msg);
    exit(3);
}

Test(dispatch, dealloc_aborts_when_try_dealloc_fails, .signal = SIGABRT)
{
    state.fail_deallocs = 1;
    memapi_set_fatal_hook(abort_on_expected);
    memapi_dealloc(logger(), (void *)0x40, L(0, 8));
    exit(4);
}

Test(dispatch, dealloc_does_not_abort_for_dangling_even_if_try_dealloc_would_fail)
{
    state.fail_deallocs = 1;
    memapi_set_fatal_hook(abort_on_expected);
    memapi_dealloc(logger(), (void *)8, L(0, 8));
    cr_assert_eq(state.n, 0);
    cr_assert_eq(state.fail_deallocs, 1);
}

/* ---- DESIGN decision 4 and failure paths ------------------------------------------------------- */
Test(dispatch, grow_with_failing_dealloc_frees_new_block_and_keeps_old)
{
    unsigned char *p = alloc_fresh(L(16, 8));
    memset(p, 0x6B, 16);
    state.fail_deallocs = 1;
    memapi_error e;
    cr_assert_null(memapi_grow(logger(), p, L(16, 8), L(64, 8), &e));
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
    cr_assert_eq(state.n, 3);
    void *fresh = state.calls[0].ptr;
    cr_assert_not_null(fresh);
    expect_call(0, CALL_ALLOC, fresh, L(64, 8), false);
    expect_call(1, CALL_DEALLOC, p, L(16, 8), true);
    expect_call(2, CALL_DEALLOC, fresh, L(64, 8), false);
    for (size_t i = 0; i < 16; i++)
        cr_assert_eq(p[i], 0x6B, "old block changed");
    memapi_dealloc(logger(), p, L(16, 8)); /* still ours: LeakSanitizer checks nothing leaked */
}

Test(dispatch, allocation_failure_leaves_old_block_intact)
{
    unsigned char *p = alloc_fresh(L(16, 8));
    memset(p, 0x4D, 16);
    state.fail_alloc = true;
    memapi_error e;
    cr_assert_null(memapi_zgrow(logger(), p, L(16, 8), L(32, 8), &e));
    cr_assert_eq(e.kind, MEMAPI_E_ALLOC_FAILED);
    cr_assert(memapi_layout_eq(e.layout, L(32, 8)));
    cr_assert_eq(e.cause.kind, MEMAPI_CAUSE_OUT_OF_MEMORY);
    cr_assert_eq(state.n, 1);
    expect_call(0, CALL_ALLOC, NULL, L(32, 8), true);
    for (size_t i = 0; i < 16; i++)
        cr_assert_eq(p[i], 0x4D);
    state.fail_alloc = false;
    memapi_dealloc(logger(), p, L(16, 8));
}

#if MEMAPI_ALLOC_TEMP
typedef struct temp_ctx {
    int result;
    int calls;
} temp_ctx;

static void temp_cb(void *ctx, void *mem)
{
    temp_ctx *t = ctx;
    memset(mem, 1, 8);
    t->calls++;
    t->result = 42;
}

Test(dispatch, alloc_temp_with_failing_dealloc_returns_error_after_callback)
{
    state.n = 0;
    state.fail_deallocs = 1;
    temp_ctx t = {0, 0};
    memapi_error e;
    cr_assert_eq(memapi_alloc_temp(logger(), L(8, 8), temp_cb, &t, &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
    cr_assert_eq(t.calls, 1);
    cr_assert_eq(t.result, 42);
    cr_assert_eq(state.n, 2);
    void *mem = state.calls[0].ptr;
    expect_call(0, CALL_ALLOC, mem, L(8, 8), false);
    expect_call(1, CALL_DEALLOC, mem, L(8, 8), true);
    memapi_dealloc(memapi_default(), mem, L(8, 8));
}

Test(dispatch, alloc_temp_allocation_failure_skips_callback)
{
    state.n = 0;
    state.fail_alloc = true;
    temp_ctx t = {0, 0};
    memapi_error e;
    cr_assert_eq(memapi_zalloc_temp(logger(), L(8, 8), temp_cb, &t, &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_ALLOC_FAILED);
    cr_assert_eq(t.calls, 0);
    cr_assert_eq(state.n, 1);
}
#endif

/* ---- an allocator with neither try_dealloc nor resize entries --------------------------------- */
static void *alloc_only_fn(void *self, memapi_layout l, memapi_error *err)
{
    (void)self;
    return memapi_alloc(memapi_default(), l, err);
}

static const memapi_alloc_vtable alloc_only_vtable = {.name = "alloc-only", .caps = 0, .alloc = alloc_only_fn};

Test(dispatch, no_try_dealloc_means_unsupported)
{
    memapi_allocator a = {&alloc_only_vtable, NULL};
    memapi_error e;
    void *p = memapi_zalloc(a, L(16, 8), &e);
    cr_assert_not_null(p);
    cr_assert_eq(memapi_try_dealloc(a, p, L(16, 8), &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
    cr_assert_null(memapi_grow(a, p, L(16, 8), L(32, 8), &e));
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
#if MEMAPI_ALLOC_TEMP
    temp_ctx t = {0, 0};
    cr_assert_eq(memapi_alloc_temp(a, L(8, 8), temp_cb, &t, &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
    cr_assert_eq(t.calls, 0);
#endif
    memapi_dealloc(memapi_default(), p, L(16, 8));
}

/* ---- allocators with an owns entry ---- */
static memapi_status log_owns(void *self, const void *ptr, memapi_layout l, memapi_error *err)
{
    log_alloc *s = self;
    record(s, CALL_OWNS, (void *)(uintptr_t)ptr, l, false);
    for (size_t i = 0; i < 8; i++)
        if (s->live[i] == ptr && memapi_layout_eq(s->live_layout[i], l))
            return MEMAPI_OK;
    s->calls[s->n - 1].failed = true;
    if (err != NULL) {
        memset(err, 0, sizeof *err);
        err->kind = MEMAPI_E_INVALID_POINTER;
        err->ptr = ptr;
        err->msg = "not a live block of this allocator";
    }
    return MEMAPI_ERROR;
}

static const memapi_alloc_vtable log_owns_vtable = {.name = "log+owns",
                                                    .caps = MEMAPI_CAP_CHECKED_REALLOC | MEMAPI_CAP_CHECKED_DEALLOC,
                                                    .alloc = log_alloc_fn,
                                                    .try_dealloc = log_try_dealloc,
                                                    .owns = log_owns};

/* An identical layout still returns the pointer without a copy, but only once the allocator has
 * confirmed it owns the block: a freed or foreign pointer gets the allocator's own error. */
Test(dispatch, identical_layout_asks_owns_first)
{
    memapi_allocator a = {&log_owns_vtable, &state};
    void *p = memapi_alloc(a, L(16, 8), NULL);
    cr_assert_not_null(p);
    state.n = 0;
    memapi_error e;
    memset(&e, 0, sizeof e);
    cr_assert_eq(memapi_grow(a, p, L(16, 8), L(16, 8), &e), p);
    cr_assert_eq(memapi_shrink(a, p, L(16, 8), L(16, 8), &e), p);
    cr_assert_eq(memapi_zgrow(a, p, L(16, 8), L(16, 8), &e), p);
    cr_assert_eq(memapi_realloc(a, p, L(16, 8), L(16, 8), &e), p);
    cr_assert_eq(memapi_rezalloc(a, p, L(16, 8), L(16, 8), &e), p);
    cr_assert_eq(e.kind, 0, "a confirmed block leaves *err as it was");
    cr_assert_eq(state.n, 5);
    for (size_t i = 0; i < state.n; i++)
        expect_call(i, CALL_OWNS, p, L(16, 8), false);
    memapi_dealloc(a, p, L(16, 8));
}

Test(dispatch, identical_layout_refuses_a_block_the_allocator_does_not_own)
{
    memapi_allocator a = {&log_owns_vtable, &state};
    void *p = memapi_alloc(a, L(16, 8), NULL);
    cr_assert_not_null(p);
    memapi_dealloc(a, p, L(16, 8));             /* p is now a freed block */
    static _Alignas(8) unsigned char foreign[16];
    void *(*const ops[])(memapi_allocator, void *, memapi_layout, memapi_layout, memapi_error *) = {
        (memapi_grow), (memapi_zgrow), (memapi_shrink), (memapi_realloc), (memapi_rezalloc)};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        void *const blocks[] = {p, foreign};
        for (size_t b = 0; b < 2; b++) {
            state.n = 0;
            memapi_error e;
            memset(&e, 0, sizeof e);
            cr_assert_null(ops[i](a, blocks[b], L(16, 8), L(16, 8), &e), "op %zu block %zu", i, b);
            cr_assert_eq(e.kind, MEMAPI_E_INVALID_POINTER);
            cr_assert_eq(e.ptr, blocks[b]);
            cr_assert_str_eq(e.msg, "not a live block of this allocator");
            /* Asked into a local error, then again into the caller's (resize.c, same_layout_resize). */
            cr_assert_eq(state.n, 2, "only the owns check ran");
            expect_call(0, CALL_OWNS, blocks[b], L(16, 8), true);
            expect_call(1, CALL_OWNS, blocks[b], L(16, 8), true);
        }
    }
    /* The inline fast paths of memapi_grow and memapi_shrink go the same way. */
    cr_assert_null(memapi_grow(a, foreign, L(16, 8), L(16, 8), NULL));
    cr_assert_null(memapi_shrink(a, foreign, L(16, 8), L(16, 8), NULL));
}

/* An owns entry that refuses a block, then accepts it when asked again into the caller's error: the
 * dispatch cannot work with it, and says so (UNSUPPORTED) rather than report a success or a stale
 * error. */
static int flip_calls;
static memapi_status flip_owns(void *self, const void *ptr, memapi_layout l, memapi_error *err)
{
    (void)self;
    (void)l;
    if (flip_calls++ % 2 == 1)
        return MEMAPI_OK;
    if (err != NULL) {
        memset(err, 0, sizeof *err);
        err->kind = MEMAPI_E_INVALID_POINTER;
        err->ptr = ptr;
        err->msg = "refused";
    }
    return MEMAPI_ERROR;
}
static const memapi_alloc_vtable flip_vtable = {.name = "flip", .alloc = log_alloc_fn,
                                                .try_dealloc = log_try_dealloc, .owns = flip_owns};

Test(dispatch, identical_layout_with_an_owns_that_changes_its_answer)
{
    static _Alignas(8) unsigned char block[16];
    memapi_allocator a = {&flip_vtable, &state};
    memapi_error e;
    memset(&e, 0, sizeof e);
    flip_calls = 0;
    cr_assert_null((memapi_realloc)(a, block, L(16, 8), L(16, 8), &e));
    cr_assert_eq(flip_calls, 2);
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
    cr_assert_null(e.ptr);
    /* Without err the first answer decides: refused. */
    flip_calls = 0;
    cr_assert_null((memapi_realloc)(a, block, L(16, 8), L(16, 8), NULL));
    cr_assert_eq(flip_calls, 1);
}

#if MEMAPI_CHECKED_OPS
/* ---- checked operations ---- */

Test(dispatch, checked_ops_accept_owned_blocks)
{
    memapi_allocator a = {&log_owns_vtable, &state};
    unsigned char *p = memapi_alloc(a, L(16, 8), NULL);
    cr_assert_not_null(p);
    memset(p, 0x12, 16);
    state.n = 0;
    memapi_error e;
    unsigned char *q = memapi_checked_grow(a, p, L(16, 8), L(32, 8), &e);
    cr_assert_not_null(q);
    expect_call(0, CALL_OWNS, p, L(16, 8), false);
    expect_call(1, CALL_ALLOC, q, L(32, 8), false);
    expect_call(2, CALL_DEALLOC, p, L(16, 8), false);
    cr_assert_eq(q[15], 0x12);
    q = memapi_checked_zgrow(a, q, L(32, 8), L(48, 8), &e);
    cr_assert(q != NULL && q[47] == 0 && q[0] == 0x12);
    q = memapi_checked_shrink(a, q, L(48, 8), L(8, 8), &e);
    cr_assert(q != NULL && q[7] == 0x12);
    q = memapi_checked_realloc(a, q, L(8, 8), L(24, 8), &e);
    cr_assert(q != NULL && q[0] == 0x12);
    q = memapi_checked_rezalloc(a, q, L(24, 8), L(40, 8), &e);
    cr_assert(q != NULL && q[39] == 0);
    cr_assert_eq(memapi_checked_dealloc(a, q, L(40, 8), &e), MEMAPI_OK);
    cr_assert_eq(state.calls[state.n - 1].kind, CALL_DEALLOC);
}

Test(dispatch, checked_ops_refuse_foreign_blocks_before_touching_them)
{
    memapi_allocator a = {&log_owns_vtable, &state};
    unsigned char *p = memapi_alloc(a, L(16, 8), NULL);
    cr_assert_not_null(p);
    state.n = 0;
    memapi_error e;
    static unsigned char foreign[64];
    cr_assert_null(memapi_checked_grow(a, foreign, L(16, 8), L(32, 8), &e));
    cr_assert_eq(e.kind, MEMAPI_E_INVALID_POINTER);
    cr_assert_str_eq(e.msg, "not a live block of this allocator");
    /* The right pointer with the wrong layout is refused too. */
    cr_assert_null(memapi_checked_shrink(a, p, L(32, 8), L(8, 8), &e));
    cr_assert_eq(e.kind, MEMAPI_E_INVALID_POINTER);
    cr_assert_null(memapi_checked_realloc(a, p, L(16, 16), L(8, 16), &e));
    cr_assert_null(memapi_checked_zgrow(a, foreign, L(16, 8), L(32, 8), &e));
    cr_assert_null(memapi_checked_rezalloc(a, foreign, L(16, 8), L(32, 8), &e));
    cr_assert_eq(memapi_checked_dealloc(a, foreign, L(16, 8), &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_INVALID_POINTER);
    for (size_t i = 0; i < state.n; i++)
        cr_assert_eq(state.calls[i].kind, CALL_OWNS, "call %zu was not an owns check", i);
    cr_assert_eq(state.n, 6);
    memapi_dealloc(a, p, L(16, 8));
}

Test(dispatch, checked_ops_without_owns_are_unsupported)
{
    memapi_allocator a = memapi_default();
    void *p = memapi_alloc(a, L(16, 8), NULL);
    cr_assert_not_null(p);
    memapi_error e;
    cr_assert_null(memapi_checked_grow(a, p, L(16, 8), L(32, 8), &e));
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
    cr_assert_null(memapi_checked_zgrow(a, p, L(16, 8), L(32, 8), &e));
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
    cr_assert_null(memapi_checked_shrink(a, p, L(16, 8), L(8, 8), &e));
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
    cr_assert_null(memapi_checked_realloc(a, p, L(16, 8), L(8, 8), &e));
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
    cr_assert_null(memapi_checked_rezalloc(a, p, L(16, 8), L(8, 8), &e));
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
    cr_assert_eq(memapi_checked_dealloc(a, p, L(16, 8), &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
    memapi_dealloc(a, p, L(16, 8));
}

#endif /* MEMAPI_CHECKED_OPS */

/* ---- capabilities ------------------------------------------------------------------------------ */
Test(dispatch, capability_bit_values)
{
    cr_assert_eq(MEMAPI_CAP_DEALLOC, 0x01u);
    cr_assert_eq(MEMAPI_CAP_GROW, 0x02u);
    cr_assert_eq(MEMAPI_CAP_SHRINK, 0x04u);
    cr_assert_eq(MEMAPI_CAP_REALLOC, 0x0Eu);
    cr_assert_eq(MEMAPI_CAP_CHECKED_DEALLOC, 0x11u);
    cr_assert_eq(MEMAPI_CAP_CHECKED_GROW, 0x22u);
    cr_assert_eq(MEMAPI_CAP_CHECKED_SHRINK, 0x44u);
    cr_assert_eq(MEMAPI_CAP_CHECKED_REALLOC, 0xEEu);
    cr_assert_eq(MEMAPI_CAP_SHARED & 0xFFu, 0u, "our bits stay above the reference's byte");
}

Test(dispatch, basic_and_full_predicates)
{
    memapi_allocator none = {NULL, NULL};
    memapi_allocator alloc_only = {&alloc_only_vtable, NULL};
    memapi_allocator log = logger();
    cr_assert(!memapi_is_basic_alloc(none) && !memapi_is_full_alloc(none));
    cr_assert_eq(memapi_caps(none), 0u);
    cr_assert(!memapi_is_basic_alloc(alloc_only) && !memapi_is_full_alloc(alloc_only));
    cr_assert(memapi_is_basic_alloc(log) && !memapi_is_full_alloc(log), "DEALLOC only: basic, not full");
    cr_assert(memapi_is_basic_alloc(memapi_default()) && memapi_is_full_alloc(memapi_default()));
#if MEMAPI_C_ALLOC
    cr_assert(memapi_is_full_alloc(memapi_c_alloc()));
    cr_assert_eq(memapi_caps(memapi_c_alloc()), MEMAPI_CAP_DEALLOC | MEMAPI_CAP_REALLOC | MEMAPI_CAP_SHARED);
#endif
#if MEMAPI_STACK_ALLOC
    cr_assert(!memapi_is_basic_alloc(memapi_stack()));
    cr_assert_eq(memapi_caps(memapi_stack()), MEMAPI_CAP_SHARED);
#endif
}
