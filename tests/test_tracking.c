/*
 * The tracking allocator (tracking.h): counters, layout-mismatch and foreign-pointer detection
 * before the inner allocator sees the call, owns and the checked operations, both table storages
 * (caller's array, grown from the inner allocator) and their failures, the leak callback and
 * report, and the conformance behaviours through tracking(default).
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "memapi2.h"

#define NOT_OWNED "pointer not owned by this allocator"

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

/* An inner allocator over the default one that counts the frees it receives. */
static int inner_frees;
static void *count_alloc(void *self, memapi_layout l, memapi_error *err)
{
    (void)self;
    return memapi_alloc(memapi_default(), l, err);
}
static memapi_status count_free(void *self, void *p, memapi_layout l, memapi_error *err)
{
    (void)self;
    inner_frees++;
    return memapi_try_dealloc(memapi_default(), p, l, err);
}
static const memapi_alloc_vtable counting_vt = {
    .name = "counting", .caps = MEMAPI_CAP_DEALLOC, .alloc = count_alloc, .try_dealloc = count_free};

static memapi_tracking make(memapi_allocator inner)
{
    memapi_tracking t;
    cr_assert_eq(memapi_tracking_init(&t, inner, NULL), MEMAPI_OK);
    return t;
}

static void expect_bad_ptr(const memapi_error *e, const void *ptr)
{
    cr_assert_eq(e->kind, MEMAPI_E_INVALID_POINTER);
    cr_assert_eq(e->ptr, ptr);
    cr_assert_str_eq(e->msg, NOT_OWNED);
}

static void expect_mismatch(const memapi_error *e, const void *ptr, memapi_layout given, memapi_layout rec)
{
    cr_assert_eq(e->kind, MEMAPI_E_LAYOUT_MISMATCH);
    cr_assert_eq(e->ptr, ptr);
    cr_assert(memapi_layout_eq(e->layout, given));
    cr_assert(memapi_layout_eq(e->recorded, rec));
}

Test(tracking, init_errors)
{
    memapi_tracking t;
    memapi_error e;
    memapi_allocator none = {NULL, NULL};
    cr_assert_eq(memapi_tracking_init(&t, none, &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
    static const memapi_alloc_vtable no_free = {.name = "nofree", .alloc = count_alloc};
    memapi_allocator nf = {&no_free, NULL};
    cr_assert_eq(memapi_tracking_init(&t, nf, &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
    cr_assert_eq(memapi_tracking_init_table(&t, memapi_default(), NULL, 4, &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_INVALID_POINTER);
    cr_assert_str_eq(e.msg, "null table");
}

Test(tracking, counts_blocks_bytes_peak_and_allocations)
{
    memapi_tracking t = make(memapi_default());
    memapi_allocator a = memapi_tracking_allocator(&t);
    cr_assert_str_eq(a.vt->name, "tracking");
    cr_assert_eq(memapi_caps(a), 0xFFu);
    memapi_error e;
    void *p = memapi_alloc(a, L(32, 8), &e);
    void *q = memapi_zalloc(a, L(100, 16), &e);
    cr_assert(all_eq(q, 100, 0));
    cr_assert_eq(memapi_tracking_live_blocks(&t), 2);
    cr_assert_eq(memapi_tracking_live_bytes(&t), 132);
    memapi_dealloc(a, q, L(100, 16));
    cr_assert_eq(memapi_tracking_live_blocks(&t), 1);
    cr_assert_eq(memapi_tracking_live_bytes(&t), 32);
    cr_assert_eq(memapi_tracking_peak_bytes(&t), 132);
    void *g = memapi_grow(a, p, L(32, 8), L(64, 8), &e);
    cr_assert_eq(memapi_tracking_live_bytes(&t), 64);
    /* Size 0 is counted as an allocation but owns nothing. */
    cr_assert_eq(memapi_alloc(a, L(0, 8), &e), (void *)8);
    cr_assert_eq(memapi_tracking_live_blocks(&t), 1);
    cr_assert_eq(memapi_try_dealloc(a, (void *)8, L(0, 8), &e), MEMAPI_OK);
    cr_assert_eq(memapi_tracking_total_allocs(&t), 3);
    memapi_dealloc(a, g, L(64, 8));
    cr_assert_eq(memapi_tracking_live_blocks(&t), 0);
    cr_assert_eq(memapi_tracking_live_bytes(&t), 0);
    cr_assert_eq(memapi_tracking_peak_bytes(&t), 132);
    memapi_tracking_destroy(&t);
}

Test(tracking, mismatched_free_is_caught_before_the_inner_allocator)
{
    memapi_allocator inner = {&counting_vt, NULL};
    memapi_tracking t = make(inner);
    memapi_allocator a = memapi_tracking_allocator(&t);
    memapi_error e;
    void *p = memapi_alloc(a, L(32, 8), &e);
    inner_frees = 0;
    cr_assert_eq(memapi_try_dealloc(a, p, L(16, 8), &e), MEMAPI_ERROR);
    expect_mismatch(&e, p, L(16, 8), L(32, 8));
    cr_assert_eq(inner_frees, 0);
    char text[200], want[200];
    memapi_error_format(&e, text, sizeof text);
    snprintf(want, sizeof want,
             "layout mismatch for block at 0x%" PRIxPTR
             ": given Layout(size: 16, align: 8), allocated with Layout(size: 32, align: 8)",
             (uintptr_t)p);
    cr_assert_str_eq(text, want);
    cr_assert_eq(memapi_try_dealloc(a, p, L(32, 16), &e), MEMAPI_ERROR);
    expect_mismatch(&e, p, L(32, 16), L(32, 8));
    cr_assert_eq(memapi_tracking_live_blocks(&t), 1);
    cr_assert_eq(memapi_try_dealloc(a, p, L(32, 8), &e), MEMAPI_OK);
    cr_assert_eq(inner_frees, 1);
    /* Now freed: a second free is a foreign pointer. */
    cr_assert_eq(memapi_try_dealloc(a, p, L(32, 8), &e), MEMAPI_ERROR);
    expect_bad_ptr(&e, p);
    cr_assert_eq(inner_frees, 1);
    memapi_tracking_destroy(&t);
}

Test(tracking, foreign_pointer_and_resize_checks)
{
    memapi_tracking t = make(memapi_default());
    memapi_allocator a = memapi_tracking_allocator(&t);
    memapi_error e;
    _Alignas(8) char local[16];
    cr_assert_eq(memapi_try_dealloc(a, local, L(16, 8), &e), MEMAPI_ERROR);
    expect_bad_ptr(&e, local);
    cr_assert_null(memapi_grow(a, local, L(16, 8), L(32, 8), &e));
    expect_bad_ptr(&e, local);
    char *p = memapi_alloc(a, L(16, 8), &e);
    memset(p, 0x42, 16);
    cr_assert_null(memapi_grow(a, p, L(8, 8), L(32, 8), &e));
    expect_mismatch(&e, p, L(8, 8), L(16, 8));
    cr_assert(all_eq(p, 16, 0x42));
    char *g = memapi_zgrow(a, p, L(16, 8), L(48, 8), &e);
    cr_assert(all_eq(g, 16, 0x42));
    cr_assert(all_eq(g + 16, 32, 0));
    /* The entry follows the resize. */
    cr_assert_eq(memapi_try_dealloc(a, g, L(16, 8), &e), MEMAPI_ERROR);
    expect_mismatch(&e, g, L(16, 8), L(48, 8));
    char *s = memapi_shrink(a, g, L(48, 8), L(0, 8), &e);
    cr_assert_eq(s, (void *)8);
    cr_assert_eq(memapi_tracking_live_blocks(&t), 0);
    char *n = memapi_zgrow(a, s, L(0, 8), L(24, 8), &e);
    cr_assert(all_eq(n, 24, 0));
    cr_assert_eq(memapi_tracking_live_blocks(&t), 1);
    cr_assert_eq(memapi_tracking_live_bytes(&t), 24);
    memapi_dealloc(a, n, L(24, 8));
    memapi_tracking_destroy(&t);
}

/* A resize to the identical layout gets the same checks as any other resize: a foreign pointer, a
 * freed block and a wrong layout are reported, not handed back as a success. */
Test(tracking, identical_layout_resize_checks_the_block)
{
    memapi_tracking t = make(memapi_default());
    memapi_allocator a = memapi_tracking_allocator(&t);
    memapi_error e;
    _Alignas(8) char local[16];
    cr_assert_null(memapi_realloc(a, local, L(16, 8), L(16, 8), &e));
    expect_bad_ptr(&e, local);
    cr_assert_null(memapi_grow(a, local, L(16, 8), L(16, 8), &e));
    expect_bad_ptr(&e, local);
    char *p = memapi_alloc(a, L(16, 8), &e);
    cr_assert_not_null(p);
    cr_assert_null(memapi_shrink(a, p, L(8, 8), L(8, 8), &e));
    expect_mismatch(&e, p, L(8, 8), L(16, 8));
    cr_assert_eq(memapi_rezalloc(a, p, L(16, 8), L(16, 8), &e), p);
    cr_assert_eq(memapi_tracking_live_blocks(&t), 1);
    memapi_dealloc(a, p, L(16, 8));
    cr_assert_null(memapi_zgrow(a, p, L(16, 8), L(16, 8), &e));
    expect_bad_ptr(&e, p);
    memapi_tracking_destroy(&t);
}

Test(tracking, owns_and_checked_operations)
{
    memapi_tracking t = make(memapi_default());
    memapi_allocator a = memapi_tracking_allocator(&t);
    memapi_error e;
    void *p = memapi_alloc(a, L(40, 8), &e);
    cr_assert_null(memapi_checked_realloc(a, p, L(40, 4), L(80, 8), &e));
    expect_mismatch(&e, p, L(40, 4), L(40, 8));
    int local;
    cr_assert_eq(memapi_checked_dealloc(a, &local, L(4, 4), &e), MEMAPI_ERROR);
    expect_bad_ptr(&e, &local);
    cr_assert_eq(memapi_checked_dealloc(a, (void *)4, L(0, 4), &e), MEMAPI_OK);
    void *r = memapi_checked_realloc(a, p, L(40, 8), L(80, 8), &e);
    cr_assert_not_null(r);
    cr_assert_eq(memapi_checked_dealloc(a, r, L(80, 8), &e), MEMAPI_OK);
    cr_assert_eq(memapi_tracking_live_blocks(&t), 0);
    memapi_tracking_destroy(&t);
}

Test(tracking, table_grows_from_the_inner_allocator)
{
    memapi_tracking t = make(memapi_default());
    memapi_allocator a = memapi_tracking_allocator(&t);
    memapi_error e;
    void *blocks[100];
    for (size_t i = 0; i < 100; i++) {
        blocks[i] = memapi_alloc(a, L(i + 1, 1), &e);
        cr_assert_not_null(blocks[i]);
    }
    cr_assert_eq(memapi_tracking_live_blocks(&t), 100);
    cr_assert_eq(memapi_tracking_live_bytes(&t), 5050);
    cr_assert_eq(t.cap, 128);
    for (size_t i = 0; i < 100; i += 2)
        memapi_dealloc(a, blocks[i], L(i + 1, 1));
    for (size_t i = 1; i < 100; i += 2)
        cr_assert_eq(memapi_try_dealloc(a, blocks[i], L(i + 1, 1), &e), MEMAPI_OK);
    cr_assert_eq(memapi_tracking_live_blocks(&t), 0);
    memapi_tracking_destroy(&t);
    cr_assert_null(t.table);
}

Test(tracking, table_growth_failure_frees_the_block)
{
    memapi_failing f;
    cr_assert_eq(memapi_failing_init(&f, memapi_default(), NULL), MEMAPI_OK);
    memapi_tracking t = make(memapi_failing_allocator(&f));
    memapi_allocator a = memapi_tracking_allocator(&t);
    memapi_failing_set_nth(&f, 2); /* call 1: the block; call 2: the first table */
    memapi_error e;
    cr_assert_null(memapi_alloc(a, L(32, 8), &e));
    cr_assert_eq(e.kind, MEMAPI_E_ALLOC_FAILED);
    cr_assert_eq(e.cause.kind, MEMAPI_CAUSE_OUT_OF_MEMORY);
    cr_assert_eq(e.layout.size, 16 * sizeof(memapi_tracking_entry));
    cr_assert_eq(memapi_tracking_live_blocks(&t), 0);
    cr_assert_eq(memapi_tracking_total_allocs(&t), 0);
    void *p = memapi_alloc(a, L(32, 8), &e);
    cr_assert_not_null(p);
    memapi_dealloc(a, p, L(32, 8));
    memapi_tracking_destroy(&t);
}

Test(tracking, caller_table_full)
{
    memapi_tracking_entry entries[2];
    memapi_tracking t;
    memapi_error e;
    cr_assert_eq(memapi_tracking_init_table(&t, memapi_default(), entries, 2, &e), MEMAPI_OK);
    memapi_allocator a = memapi_tracking_allocator(&t);
    void *p = memapi_alloc(a, L(8, 8), &e);
    void *q = memapi_alloc(a, L(8, 8), &e);
    cr_assert_null(memapi_alloc(a, L(24, 8), &e));
    cr_assert_eq(e.kind, MEMAPI_E_ALLOC_FAILED);
    cr_assert(memapi_layout_eq(e.layout, L(24, 8)));
    cr_assert_eq(e.cause.kind, MEMAPI_CAUSE_OTHER);
    cr_assert_str_eq(e.cause.msg, "tracking table full");
    cr_assert_eq(entries[0].ptr, p); /* tracking.h: the lowest slot is taken first */
    cr_assert_eq(entries[1].ptr, q);
    memapi_dealloc(a, p, L(8, 8));
    cr_assert_null(entries[0].ptr, "a free slot's ptr is NULL");
    cr_assert_eq(entries[1].ptr, q, "no entry moves");
    void *r = memapi_alloc(a, L(24, 8), &e);
    cr_assert_not_null(r);
    cr_assert_eq(entries[0].ptr, r); /* the freed slot is reused */
    cr_assert(memapi_layout_eq(entries[0].layout, L(24, 8)));
    cr_assert_eq(entries[1].ptr, q);
    memapi_dealloc(a, q, L(8, 8));
    memapi_dealloc(a, r, L(24, 8));
    memapi_tracking_destroy(&t);
    cr_assert_eq(memapi_tracking_live_blocks(&t), 0);
}

/* An inner allocator that returns a block of its own (not the dangling pointer) for size 0. */
static _Alignas(64) char zero_block[64];
static int zero_block_frees;
static void *zero_block_alloc(void *self, memapi_layout l, memapi_error *err)
{
    (void)self;
    return l.size == 0 ? (void *)zero_block : memapi_alloc(memapi_default(), l, err);
}
static memapi_status zero_block_free(void *self, void *p, memapi_layout l, memapi_error *err)
{
    (void)self;
    if (p == zero_block) {
        zero_block_frees++;
        return MEMAPI_OK;
    }
    return memapi_try_dealloc(memapi_default(), p, l, err);
}
static const memapi_alloc_vtable zero_block_vt = {
    .name = "zero-block", .caps = MEMAPI_CAP_DEALLOC, .alloc = zero_block_alloc, .try_dealloc = zero_block_free};

/* tracking.h: growing a size-0 dangling block records the result when it is not a dangling pointer,
 * even a size-0 one; when the table has no room for it, the block is freed back to the inner
 * allocator and the grow fails with the table's error. */
Test(tracking, a_size0_block_from_a_dangling_grow_is_recorded_or_freed_back)
{
    memapi_tracking_entry entries[2];
    memapi_tracking t;
    memapi_error e;
    memapi_allocator inner = {&zero_block_vt, NULL};
    cr_assert_eq(memapi_tracking_init_table(&t, inner, entries, 2, &e), MEMAPI_OK);
    memapi_allocator a = memapi_tracking_allocator(&t);
    void *p = memapi_alloc(a, L(8, 8), &e);
    cr_assert_not_null(p);
    void *q = memapi_grow(a, (void *)(uintptr_t)8, L(0, 8), L(0, 16), &e);
    cr_assert_eq(q, (void *)zero_block);
    cr_assert_eq(memapi_tracking_live_blocks(&t), 2, "the size-0 block of the inner allocator is recorded");
    memapi_layout got;
    cr_assert_eq(memapi_tracking_layout_of(&t, q, &got, NULL), MEMAPI_OK);
    cr_assert(memapi_layout_eq(got, L(0, 16)));
    /* The table is full: the next such block goes back to the inner allocator. */
    zero_block_frees = 0;
    cr_assert_null(memapi_grow(a, (void *)(uintptr_t)8, L(0, 8), L(0, 32), &e));
    cr_assert_eq(e.kind, MEMAPI_E_ALLOC_FAILED);
    cr_assert(memapi_layout_eq(e.layout, L(0, 32)));
    cr_assert_eq(e.cause.kind, MEMAPI_CAUSE_OTHER);
    cr_assert_str_eq(e.cause.msg, "tracking table full");
    cr_assert_eq(zero_block_frees, 1, "the block went back to the inner allocator");
    cr_assert_eq(memapi_tracking_live_blocks(&t), 2);
    memapi_dealloc(a, q, L(0, 16));
    memapi_dealloc(a, p, L(8, 8));
    cr_assert_eq(memapi_tracking_live_blocks(&t), 0);
    memapi_tracking_destroy(&t);
}

typedef struct seen {
    size_t n;
    size_t bytes;
} seen;

static void on_leak(void *ctx, void *ptr, memapi_layout l)
{
    seen *s = ctx;
    cr_assert_not_null(ptr);
    s->n++;
    s->bytes += l.size;
}

Test(tracking, leak_callback_and_report)
{
    memapi_tracking t = make(memapi_default());
    memapi_allocator a = memapi_tracking_allocator(&t);
    memapi_error e;
    char empty[64];
    cr_assert_eq(memapi_tracking_report(&t, empty, sizeof empty), strlen("0 leaked blocks, 0 bytes\n"));
    cr_assert_str_eq(empty, "0 leaked blocks, 0 bytes\n");
    void *p = memapi_alloc(a, L(24, 8), &e);
    void *q = memapi_alloc(a, L(7, 1), &e);
    seen s = {0, 0};
    cr_assert_eq(memapi_tracking_leaks(&t, on_leak, &s), 2);
    cr_assert_eq(s.n, 2);
    cr_assert_eq(s.bytes, 31);
    char want[256], got[256];
    int n = snprintf(want, sizeof want,
                     "2 leaked blocks, 31 bytes\n  0x%" PRIxPTR " Layout(size: 24, align: 8)\n  0x%" PRIxPTR
                     " Layout(size: 7, align: 1)\n",
                     (uintptr_t)p, (uintptr_t)q);
    cr_assert_eq(memapi_tracking_report(&t, got, sizeof got), (size_t)n);
    cr_assert_str_eq(got, want);
    /* snprintf semantics: full length returned, truncated text NUL-terminated. */
    char small[10];
    cr_assert_eq(memapi_tracking_report(&t, small, sizeof small), (size_t)n);
    cr_assert_str_eq(small, "2 leaked ");
    cr_assert_eq(memapi_tracking_report(&t, NULL, 0), (size_t)n);
    /* destroy frees the table, not the leaked blocks. */
    memapi_tracking_destroy(&t);
    memapi_dealloc(memapi_default(), p, L(24, 8));
    memapi_dealloc(memapi_default(), q, L(7, 1));
}

/* The conformance behaviours through tracking(default), alignment 1..4096 both sides. */
Test(tracking, conformance_behaviours_all_alignments)
{
    memapi_tracking t = make(memapi_default());
    memapi_allocator a = memapi_tracking_allocator(&t);
    memapi_error e;
    for (size_t oa = 1; oa <= 4096; oa *= 2) {
        for (size_t na = oa; na <= 4096; na *= 2) {
            char *p = memapi_zalloc(a, L(24, oa), &e);
            cr_assert_eq((uintptr_t)p % oa, 0);
            cr_assert(all_eq(p, 24, 0));
            memset(p, 0x77, 24);
            char *g = memapi_zgrow(a, p, L(24, oa), L(100, na), &e);
            cr_assert_eq((uintptr_t)g % na, 0);
            cr_assert(all_eq(g, 24, 0x77));
            cr_assert(all_eq(g + 24, 76, 0));
            char *s = memapi_shrink(a, g, L(100, na), L(10, na), &e);
            cr_assert(all_eq(s, 10, 0x77));
            char *r = memapi_realloc(a, s, L(10, na), L(30, na), &e);
            cr_assert(all_eq(r, 10, 0x77));
            char *z = memapi_rezalloc(a, r, L(30, na), L(40, na), &e);
            cr_assert(all_eq(z, 10, 0x77));
            cr_assert(all_eq(z + 30, 10, 0));
            memapi_dealloc(a, z, L(40, na));
        }
    }
    cr_assert_eq(memapi_tracking_live_blocks(&t), 0);
    memapi_tracking_destroy(&t);
}

/* tracking.h: the recorded layout of a live block, `pointer not owned by this allocator` otherwise. */
Test(tracking, layout_of_a_live_block)
{
    memapi_tracking t;
    cr_assert_eq(memapi_tracking_init(&t, memapi_default(), NULL), MEMAPI_OK);
    memapi_allocator a = memapi_tracking_allocator(&t);
    char *p = memapi_alloc(a, L(40, 8), NULL);
    char *q = memapi_alloc(a, L(3, 1), NULL);
    cr_assert(p != NULL && q != NULL);
    memapi_layout l = {0, 0};
    memapi_error e;
    cr_assert_eq(memapi_tracking_layout_of(&t, p, &l, &e), MEMAPI_OK);
    cr_assert(memapi_layout_eq(l, L(40, 8)));
    p = memapi_realloc(a, p, L(40, 8), L(100, 16), NULL);
    cr_assert(p != NULL);
    cr_assert_eq(memapi_tracking_layout_of(&t, p, &l, &e), MEMAPI_OK);
    cr_assert(memapi_layout_eq(l, L(100, 16)), "the layout of the last resize");
    cr_assert_eq(memapi_tracking_layout_of(&t, p + 1, &l, &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_INVALID_POINTER);
    cr_assert_str_eq(e.msg, NOT_OWNED);
    memapi_dealloc(a, p, L(100, 16));
    l = L(1, 1);
    cr_assert_eq(memapi_tracking_layout_of(&t, p, &l, &e), MEMAPI_ERROR, "freed: not live");
    cr_assert(memapi_layout_eq(l, L(1, 1)), "untouched on failure");
    memapi_dealloc(a, q, L(3, 1));
    memapi_tracking_destroy(&t);
}

/*
 * Frees and resizes in every chain position: a caller table of 8 entries (8 hash buckets, so chains
 * of several entries are common) driven by a fixed pseudo-random sequence of allocations, frees
 * (memapi_dealloc and try_dealloc) and moving reallocations, checked after each step against a
 * model of the table tracking.h documents: 8 slots, each free or holding one live block; the free
 * slots a stack, slot 0 on top at init; a new block takes the top slot, a free puts its slot on
 * top, a resize keeps the block's slot; the leak walk visits the live slots in ascending order.
 * Every live block is found with its layout, every freed one is not, the counts are exact and the
 * leak walk follows the model's order.
 */
#define MODEL_SLOTS 8
typedef struct model {
    void *ptr[MODEL_SLOTS];        /* slot s's block, NULL when the slot is free */
    memapi_layout l[MODEL_SLOTS];
    size_t stack[MODEL_SLOTS];     /* the free slots, stack[top - 1] on top */
    size_t top;
} model;

static void model_init(model *m)
{
    for (size_t s = 0; s < MODEL_SLOTS; s++) {
        m->ptr[s] = NULL;
        m->stack[s] = MODEL_SLOTS - 1 - s; /* slot 0 on top */
    }
    m->top = MODEL_SLOTS;
}

static size_t model_live(const model *m)
{
    return MODEL_SLOTS - m->top;
}

/* The slot of the live block with rank `pick` in slot order. */
static size_t model_slot_of(const model *m, size_t pick)
{
    for (size_t s = 0; s < MODEL_SLOTS; s++) {
        if (m->ptr[s] != NULL && pick-- == 0)
            return s;
    }
    cr_assert_fail("no live block of rank %zu", pick);
    return 0;
}

typedef struct walk {
    void *ptr[MODEL_SLOTS];
    memapi_layout l[MODEL_SLOTS];
    size_t n;
} walk;

static void on_walk(void *ctx, void *ptr, memapi_layout l)
{
    walk *w = ctx;
    cr_assert_lt(w->n, MODEL_SLOTS);
    w->ptr[w->n] = ptr;
    w->l[w->n] = l;
    w->n++;
}

static void check_against(const memapi_tracking *t, const model *m, void *const *gone, size_t ngone)
{
    walk walked = {{NULL}, {{0, 0}}, 0};
    cr_assert_eq(memapi_tracking_leaks(t, on_walk, &walked), model_live(m));
    cr_assert_eq(walked.n, model_live(m));
    size_t bytes = 0, i = 0;
    for (size_t s = 0; s < MODEL_SLOTS; s++) {
        if (m->ptr[s] == NULL)
            continue;
        cr_assert_eq(walked.ptr[i], m->ptr[s], "walk order: entry %zu is the block of slot %zu", i, s);
        cr_assert(memapi_layout_eq(walked.l[i], m->l[s]));
        memapi_layout got;
        cr_assert_eq(memapi_tracking_layout_of(t, m->ptr[s], &got, NULL), MEMAPI_OK, "slot %zu found", s);
        cr_assert(memapi_layout_eq(got, m->l[s]));
        bytes += m->l[s].size;
        i++;
    }
    for (size_t g = 0; g < ngone; g++) {
        memapi_layout got;
        bool live = false;
        for (size_t s = 0; s < MODEL_SLOTS; s++)
            live = live || m->ptr[s] == gone[g];
        if (!live)
            cr_assert_eq(memapi_tracking_layout_of(t, gone[g], &got, NULL), MEMAPI_ERROR, "freed block not found");
    }
    cr_assert_eq(memapi_tracking_live_blocks(t), model_live(m));
    cr_assert_eq(memapi_tracking_live_bytes(t), bytes);
}

Test(tracking, frees_and_resizes_in_every_chain_position_keep_the_table_exact)
{
    memapi_tracking_entry entries[MODEL_SLOTS];
    memapi_tracking t;
    cr_assert_eq(memapi_tracking_init_table(&t, memapi_default(), entries, MODEL_SLOTS, NULL), MEMAPI_OK);
    memapi_allocator a = memapi_tracking_allocator(&t);
    model m;
    model_init(&m);
    void *gone[4000];
    size_t ngone = 0;
    uint32_t x = 12345;
    for (unsigned step = 0; step < 4000; step++) {
        x = x * 1103515245u + 12345u;
        unsigned op = (x >> 16) % 4;
        size_t n = model_live(&m);
        size_t pick = n ? model_slot_of(&m, (x >> 8) % n) : 0;
        if (op <= 1 && m.top > 0) {
            memapi_layout l = L(8 + (x >> 20) % 64, op ? 16 : 8);
            void *p = memapi_alloc(a, l, NULL);
            cr_assert_not_null(p);
            size_t s = m.stack[--m.top];
            m.ptr[s] = p;
            m.l[s] = l;
        } else if (op == 2 && n > 0) {
            gone[ngone++] = m.ptr[pick];
            if (x & 1)
                memapi_dealloc(a, m.ptr[pick], m.l[pick]);
            else
                cr_assert_eq(memapi_try_dealloc(a, m.ptr[pick], m.l[pick], NULL), MEMAPI_OK);
            m.ptr[pick] = NULL;
            m.stack[m.top++] = pick;
        } else if (op == 3 && n > 0) {
            /* a growth well past the block's size: the block usually moves, its slot stays */
            memapi_layout nl = L(m.l[pick].size + 4096, m.l[pick].align);
            void *q = memapi_realloc(a, m.ptr[pick], m.l[pick], nl, NULL);
            cr_assert_not_null(q);
            if (q != m.ptr[pick])
                gone[ngone++] = m.ptr[pick];
            m.ptr[pick] = q;
            m.l[pick] = nl;
            /* and back down, in place or not */
            nl = L(8 + (x >> 24) % 64, m.l[pick].align);
            q = memapi_shrink(a, m.ptr[pick], m.l[pick], nl, NULL);
            cr_assert_not_null(q);
            if (q != m.ptr[pick])
                gone[ngone++] = m.ptr[pick];
            m.ptr[pick] = q;
            m.l[pick] = nl;
        }
        check_against(&t, &m, gone + (ngone > 16 ? ngone - 16 : 0), ngone > 16 ? 16 : ngone);
        if (ngone > 3900)
            ngone = 0;
    }
    for (size_t s = MODEL_SLOTS; s-- > 0;) {
        if (m.ptr[s] != NULL) {
            memapi_dealloc(a, m.ptr[s], m.l[s]);
            m.ptr[s] = NULL;
            m.stack[m.top++] = s;
            check_against(&t, &m, NULL, 0);
        }
    }
    memapi_tracking_destroy(&t);
}

typedef struct big_walk {
    void *ptr[21];
    memapi_layout l[21];
    size_t n;
} big_walk;

static void on_walk_big(void *ctx, void *ptr, memapi_layout l)
{
    big_walk *w = ctx;
    cr_assert_lt(w->n, 21);
    w->ptr[w->n] = ptr;
    w->l[w->n] = l;
    w->n++;
}

/* tracking.h: a grown table keeps every block in its slot, the slots it adds are taken lowest
 * first, a freed slot is taken again before them (the most recently freed first), and the walk and
 * the report go in slot order. */
Test(tracking, grown_table_walks_in_slot_order)
{
    memapi_tracking t;
    cr_assert_eq(memapi_tracking_init(&t, memapi_default(), NULL), MEMAPI_OK);
    memapi_allocator a = memapi_tracking_allocator(&t);
    enum { N = 20 };
    void *blk[N + 3];
    memapi_layout lay[N + 3];
    for (size_t i = 0; i < N; i++) {
        lay[i] = L(8 * (i + 1), 8);
        blk[i] = memapi_alloc(a, lay[i], NULL); /* block i in slot i; the 17th grows 16 to 32 */
        cr_assert_not_null(blk[i]);
    }
    memapi_dealloc(a, blk[3], lay[3]);   /* slot 3 free */
    memapi_dealloc(a, blk[17], lay[17]); /* slot 17 free, on top */
    void *expect[N + 1];
    memapi_layout expect_l[N + 1];
    for (size_t i = 0; i < N; i++) {
        expect[i] = blk[i];
        expect_l[i] = lay[i];
    }
    for (size_t k = 0; k < 3; k++) {
        lay[N + k] = L(1000 + k, 16);
        blk[N + k] = memapi_alloc(a, lay[N + k], NULL);
        cr_assert_not_null(blk[N + k]);
    }
    /* slot 17 (freed last), then slot 3, then slot 20 (the lowest never taken) */
    expect[17] = blk[N];
    expect_l[17] = lay[N];
    expect[3] = blk[N + 1];
    expect_l[3] = lay[N + 1];
    expect[20] = blk[N + 2];
    expect_l[20] = lay[N + 2];
    big_walk got = {{NULL}, {{0, 0}}, 0};
    cr_assert_eq(memapi_tracking_leaks(&t, on_walk_big, &got), N + 1);
    cr_assert_eq(got.n, N + 1);
    char line[128];
    char report[4096];
    size_t len = memapi_tracking_report(&t, report, sizeof report);
    cr_assert_lt(len, sizeof report);
    const char *at = strchr(report, '\n');
    cr_assert_not_null(at);
    at++;
    size_t bytes = 0;
    for (size_t s = 0; s <= N; s++) {
        cr_assert_eq(got.ptr[s], expect[s], "walk: slot %zu", s);
        cr_assert(memapi_layout_eq(got.l[s], expect_l[s]));
        snprintf(line, sizeof line, "  0x%" PRIxPTR " Layout(size: %zu, align: %zu)\n", (uintptr_t)expect[s],
                 expect_l[s].size, expect_l[s].align);
        cr_assert_eq(strncmp(at, line, strlen(line)), 0, "report line %zu", s);
        at += strlen(line);
        bytes += expect_l[s].size;
    }
    cr_assert_eq(*at, '\0');
    snprintf(line, sizeof line, "%d leaked blocks, %zu bytes\n", N + 1, bytes);
    cr_assert_eq(strncmp(report, line, strlen(line)), 0);
    for (size_t s = 0; s <= N; s++)
        memapi_dealloc(a, expect[s], expect_l[s]);
    memapi_tracking_destroy(&t);
}

/* ---- the dealloc entry: memapi_dealloc without an error object, the same reports -------------- */
Test(tracking, dealloc_entry_frees_a_recorded_block_and_keeps_the_counts_exact)
{
    memapi_allocator inner = {&counting_vt, NULL};
    memapi_tracking t = make(inner);
    memapi_allocator a = memapi_tracking_allocator(&t);
    cr_assert_not_null(a.vt->dealloc);
    inner_frees = 0;
    void *p[5];
    for (size_t i = 0; i < 5; i++)
        p[i] = memapi_alloc(a, L(8 * (i + 1), 8), NULL);
    cr_assert_eq(memapi_tracking_live_bytes(&t), 8 + 16 + 24 + 32 + 40);
    memapi_dealloc(a, p[1], L(16, 8));
    memapi_dealloc(a, p[4], L(40, 8));
    cr_assert_eq(inner_frees, 2, "the inner allocator freed each block once (its try_dealloc: no dealloc entry)");
    cr_assert_eq(memapi_tracking_live_blocks(&t), 3);
    cr_assert_eq(memapi_tracking_live_bytes(&t), 8 + 24 + 32);
    memapi_layout got;
    cr_assert_eq(memapi_tracking_layout_of(&t, p[1], &got, NULL), MEMAPI_ERROR, "no longer recorded");
    cr_assert_eq(memapi_tracking_layout_of(&t, p[3], &got, NULL), MEMAPI_OK, "the moved entry is still found");
    cr_assert(memapi_layout_eq(got, L(32, 8)));
    memapi_dealloc(a, p[0], L(8, 8));
    memapi_dealloc(a, p[2], L(24, 8));
    memapi_dealloc(a, p[3], L(32, 8));
    cr_assert_eq(memapi_tracking_live_blocks(&t), 0);
    cr_assert_eq(memapi_tracking_live_bytes(&t), 0);
    cr_assert_eq(memapi_tracking_peak_bytes(&t), 120);
    cr_assert_eq(inner_frees, 5);
    /* A size-0 layout with a non-dangling pointer is not recorded: forwarded, a no-op. */
    memapi_dealloc(a, (void *)0x40, L(0, 8));
    cr_assert_eq(inner_frees, 6);
    memapi_tracking_destroy(&t);
}

static char expected_fatal[300];
static void abort_on_expected(const char *msg)
{
    if (strcmp(msg, expected_fatal) == 0)
        abort();
    fprintf(stderr, "unexpected fatal message: %s\n", msg);
    exit(3);
}

Test(tracking, dealloc_with_a_wrong_layout_stops_with_the_mismatch_report, .signal = SIGABRT)
{
    static memapi_tracking t;
    cr_assert_eq(memapi_tracking_init(&t, memapi_default(), NULL), MEMAPI_OK);
    memapi_allocator a = memapi_tracking_allocator(&t);
    void *p = memapi_alloc(a, L(32, 8), NULL);
    snprintf(expected_fatal, sizeof expected_fatal,
             "deallocation of block at 0x%" PRIxPTR " with layout Layout { size: 16, align: 8 } failed: "
             "layout mismatch for block at 0x%" PRIxPTR
             ": given Layout(size: 16, align: 8), allocated with Layout(size: 32, align: 8)",
             (uintptr_t)p, (uintptr_t)p);
    memapi_set_fatal_hook(abort_on_expected);
    memapi_dealloc(a, p, L(16, 8));
    exit(4);
}

Test(tracking, double_dealloc_stops_with_the_not_owned_report, .signal = SIGABRT)
{
    static memapi_tracking t;
    cr_assert_eq(memapi_tracking_init(&t, memapi_default(), NULL), MEMAPI_OK);
    memapi_allocator a = memapi_tracking_allocator(&t);
    void *p = memapi_alloc(a, L(32, 8), NULL);
    void *keep = memapi_alloc(a, L(32, 8), NULL); /* the table is not empty on the second free */
    cr_assert_not_null(keep);
    memapi_dealloc(a, p, L(32, 8));
    snprintf(expected_fatal, sizeof expected_fatal,
             "deallocation of block at 0x%" PRIxPTR " with layout Layout { size: 32, align: 8 } failed: "
             "invalid pointer 0x%" PRIxPTR ": " NOT_OWNED,
             (uintptr_t)p, (uintptr_t)p);
    memapi_set_fatal_hook(abort_on_expected);
    memapi_dealloc(a, p, L(32, 8));
    exit(4);
}
