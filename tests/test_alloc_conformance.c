/*
 * Conformance suite: the same behavioural tests (spec 7.1, 7.2, 7.3, 7.8 and DESIGN.md section 3)
 * run against every allocator of one table. Each failure message starts with the allocator's name.
 *
 * Each row makes a fresh allocator for every test and, where it has one, checks it afterwards
 * (`finish`): a tracking row must hold no live block, a guard no live guarded block, a failing row
 * must have injected no failure, an arena must still satisfy its invariant. Where an allocator's
 * header documents a behaviour that differs from the common one, the row says so in a flag and the
 * test's expectation follows the flag; the comment at the flag quotes the header.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "memapi2.h"

#define MAX MEMAPI_USIZE_MAX_NO_HIGH_BIT
#define PTR MEMAPI_PTR_SIZE
#define NOT_OWNED "pointer not owned by this allocator"

/* ---- the user-written allocator of spec 7.2: only alloc and try_dealloc ---------------------- */
static void *mut_only_alloc(void *self, memapi_layout l, memapi_error *err)
{
    (void)self;
    return memapi_alloc(memapi_default(), l, err);
}

static memapi_status mut_only_try_dealloc(void *self, void *ptr, memapi_layout l, memapi_error *err)
{
    (void)self;
    return memapi_try_dealloc(memapi_default(), ptr, l, err);
}

static const memapi_alloc_vtable mut_only_vtable = {
    .name = "MutOnlyAlloc",
    .caps = MEMAPI_CAP_DEALLOC,
    .alloc = mut_only_alloc,
    .try_dealloc = mut_only_try_dealloc,
};

/* ---- the rows: constructors and end-of-test checks ------------------------------------------- */
static memapi_allocator make_default(void) { return memapi_default(); }
static memapi_allocator make_system(void) { return memapi_system(); }
#if MEMAPI_C_ALLOC
static memapi_allocator make_c_alloc(void) { return memapi_c_alloc(); }
#endif
static memapi_allocator make_mut_only(void) { return (memapi_allocator){&mut_only_vtable, NULL}; }

static memapi_allocator make_locked_default(void)
{
    static memapi_locked state;
    static bool ready;
    if (!ready) {
        cr_assert_eq(memapi_locked_init(&state, memapi_default(), NULL), MEMAPI_OK);
        ready = true;
    }
    return memapi_locked_allocator(&state);
}

/* The arena's buffer: every test but freed_space_is_reused fits in it many times over (that one
 * exhausts it on purpose). Aligned to 512, so that blocks of (512, 16) need no padding. */
#define BUMP_CAP ((size_t)64 * 1024)
static _Alignas(512) unsigned char bump_buf[BUMP_CAP];
static memapi_bump bump_state;

static memapi_allocator make_bump(void)
{
    memapi_error e;
    cr_assert_eq(memapi_bump_init(&bump_state, bump_buf, sizeof bump_buf, &e), MEMAPI_OK);
    return memapi_bump_allocator(&bump_state);
}

static void finish_bump(const char *who)
{
    cr_assert(memapi_bump_is_valid(&bump_state), "%s: arena invariant broken", who);
    memapi_bump_release(&bump_state);
}

static memapi_failing failing_state;

static memapi_allocator make_failing(void)
{
    memapi_error e;
    cr_assert_eq(memapi_failing_init(&failing_state, memapi_default(), &e), MEMAPI_OK);
    return memapi_failing_allocator(&failing_state); /* "A fresh memapi_failing_init fails nothing." */
}

static void finish_failing(const char *who)
{
    cr_assert_eq(memapi_failing_failures(&failing_state), 0, "%s: a failure was injected", who);
}

static memapi_tracking tracking_state;
static memapi_tracking_entry tracking_entries[8]; /* no test holds more than 2 blocks at once */

static memapi_allocator make_tracking(void)
{
    memapi_error e;
    cr_assert_eq(memapi_tracking_init(&tracking_state, memapi_default(), &e), MEMAPI_OK);
    return memapi_tracking_allocator(&tracking_state);
}

static memapi_allocator make_tracking_table(void)
{
    memapi_error e;
    cr_assert_eq(memapi_tracking_init_table(&tracking_state, memapi_default(), tracking_entries,
                                            sizeof tracking_entries / sizeof tracking_entries[0], &e),
                 MEMAPI_OK);
    return memapi_tracking_allocator(&tracking_state);
}

/* Every test frees what it allocated: nothing may be left in the table. */
static void finish_tracking(const char *who)
{
    cr_assert_eq(memapi_tracking_live_blocks(&tracking_state), 0, "%s: %zu blocks still live", who,
                 memapi_tracking_live_blocks(&tracking_state));
    cr_assert_eq(memapi_tracking_live_bytes(&tracking_state), 0, "%s: %zu bytes still live", who,
                 memapi_tracking_live_bytes(&tracking_state));
    memapi_tracking_destroy(&tracking_state);
}

static memapi_guard guard_state;

static memapi_allocator make_guard(void)
{
    memapi_error e;
    cr_assert_eq(memapi_guard_init(&guard_state, NULL, &e), MEMAPI_OK);
    return memapi_guard_allocator(&guard_state);
}

static void finish_guard(const char *who)
{
    size_t live = memapi_guard_stats(&guard_state).live_blocks;
    cr_assert_eq(live, 0, "%s: %zu guarded blocks still live", who, live);
    memapi_guard_destroy(&guard_state);
}

/* ---- the table ------------------------------------------------------------------------------- */
typedef struct alloc_case {
    const char *name;
    memapi_allocator (*make)(void); /* a fresh allocator for one test */
    void (*finish)(const char *who); /* optional: checks after a test that freed everything, teardown */
    /*
     * Nonzero for an arena of this many bytes whose frees give space back only for the most recent
     * block, so that freed space is not reused in general (bump.h: "Freeing the most recent block
     * gives its space back, alignment padding included. Freeing any other block of the arena is a
     * no-op"). Zero: freed memory is reused.
     */
    size_t arena_cap;
    /* Misuse the allocator detects (NULL/false: undefined behaviour for it, not exercised): */
    const char *foreign_free_msg; /* msg of the INVALID_POINTER error for a pointer it never returned */
    const char *double_free_msg;  /* msg of the INVALID_POINTER error for freeing a block twice */
    bool detects_layout_mismatch; /* freeing with another layout is LAYOUT_MISMATCH(ptr, given, recorded) */
} alloc_case;

static const alloc_case ALLOCS[] = {
    {.name = "default", .make = make_default},
    {.name = "System", .make = make_system},
#if MEMAPI_C_ALLOC
    {.name = "c_alloc", .make = make_c_alloc},
#endif
    {.name = "locked(default)", .make = make_locked_default},
    {.name = "MutOnlyAlloc", .make = make_mut_only},
    /*
     * bump.h, memapi_bump_try_dealloc: "`MEMAPI_E_INVALID_POINTER` (msg `pointer not owned by this
     * allocator`) when `ptr` lies outside the used part of the arena": a foreign pointer, and the
     * most recent block freed a second time (its space was given back). The arena records no layout
     * ("An arena cannot tell a live block from a freed one inside that range").
     */
    {.name = "bump",
     .make = make_bump,
     .finish = finish_bump,
     .arena_cap = BUMP_CAP,
     .foreign_free_msg = NOT_OWNED,
     .double_free_msg = NOT_OWNED},
    {.name = "failing(default)", .make = make_failing, .finish = finish_failing},
    /* tracking.h: INVALID_POINTER (msg `pointer not owned by this allocator`) for a pointer "never
     * returned, or already freed"; "`MEMAPI_E_LAYOUT_MISMATCH(ptr, given, recorded)`: the layout
     * differs from the one the block was allocated (or last resized) with". */
    {.name = "tracking(default)",
     .make = make_tracking,
     .finish = finish_tracking,
     .foreign_free_msg = NOT_OWNED,
     .double_free_msg = NOT_OWNED,
     .detects_layout_mismatch = true},
    {.name = "tracking(default, caller table)",
     .make = make_tracking_table,
     .finish = finish_tracking,
     .foreign_free_msg = NOT_OWNED,
     .double_free_msg = NOT_OWNED,
     .detects_layout_mismatch = true},
    /* guard.h, misuse table: "double free", "pointer not owned by this allocator" (only when
     * `sample_every == 1`, the default), "layout mismatch for block at ...". */
    {.name = "guard",
     .make = make_guard,
     .finish = finish_guard,
     .foreign_free_msg = NOT_OWNED,
     .double_free_msg = "double free",
     .detects_layout_mismatch = true},
};
#define N_ALLOCS (sizeof ALLOCS / sizeof ALLOCS[0])

typedef void (*row_body)(const alloc_case *row, memapi_allocator a);

static void run_rows(const alloc_case *rows, size_t n, row_body body)
{
    for (size_t i = 0; i < n; i++) {
        memapi_allocator a = rows[i].make();
        body(&rows[i], a);
        if (rows[i].finish != NULL)
            rows[i].finish(rows[i].name);
    }
}

/* Defines Test(conformance, name) running the body that follows once per row of ALLOCS. */
#define CONFORMANCE_TEST(tname)                                                                    \
    static void tname##_body(const alloc_case *row, memapi_allocator a);                           \
    Test(conformance, tname) { run_rows(ALLOCS, N_ALLOCS, tname##_body); }                         \
    static void tname##_body(const alloc_case *row, memapi_allocator a)

/* ---- helpers --------------------------------------------------------------------------------- */
static memapi_layout L(size_t size, size_t align)
{
    memapi_layout l = {size, align};
    return l;
}

static void fill(void *p, size_t n, unsigned char v)
{
    memset(p, v, n);
}

static bool all_eq(const void *p, size_t n, unsigned char v)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != v)
            return false;
    return true;
}

static bool aligned(const void *p, size_t align)
{
    return ((uintptr_t)p & (align - 1)) == 0;
}

static size_t max_sz(size_t x, size_t y)
{
    return x > y ? x : y;
}

static void *must_alloc(const char *who, memapi_allocator a, memapi_layout l, bool zero)
{
    memapi_error e;
    void *p = zero ? memapi_zalloc(a, l, &e) : memapi_alloc(a, l, &e);
    cr_assert(p != NULL, "%s: alloc(%zu, %zu) failed with kind %d", who, l.size, l.align, (int)e.kind);
    cr_assert(aligned(p, l.align), "%s: %p not aligned to %zu", who, p, l.align);
    return p;
}

static void expect_resize_err(const char *who, const memapi_error *e, memapi_error_kind kind, size_t o, size_t n)
{
    cr_assert_eq(e->kind, kind, "%s: kind %d, expected %d", who, (int)e->kind, (int)kind);
    cr_assert_eq(e->old_val, o, "%s: old value %zu, expected %zu", who, e->old_val, o);
    cr_assert_eq(e->new_val, n, "%s: new value %zu, expected %zu", who, e->new_val, n);
}

static void expect_layout_err(const char *who, const memapi_error *e, memapi_layout_err_kind k)
{
    cr_assert_eq(e->kind, MEMAPI_E_LAYOUT, "%s: kind %d, expected LAYOUT", who, (int)e->kind);
    cr_assert_eq(e->layout_err.kind, k, "%s: layout error %d, expected %d", who, (int)e->layout_err.kind, (int)k);
}

static void expect_bad_ptr(const char *who, const memapi_error *e, const void *ptr, const char *msg)
{
    cr_assert_eq(e->kind, MEMAPI_E_INVALID_POINTER, "%s: kind %d, expected INVALID_POINTER", who, (int)e->kind);
    cr_assert_eq(e->ptr, ptr, "%s: pointer payload", who);
    cr_assert_str_eq(e->msg, msg, "%s: message", who);
}

static void expect_mismatch(const char *who, const memapi_error *e, const void *ptr, memapi_layout given,
                            memapi_layout recorded)
{
    cr_assert_eq(e->kind, MEMAPI_E_LAYOUT_MISMATCH, "%s: kind %d, expected LAYOUT_MISMATCH", who, (int)e->kind);
    cr_assert_eq(e->ptr, ptr, "%s: pointer payload", who);
    cr_assert(e->layout.size == given.size && e->layout.align == given.align, "%s: given layout payload", who);
    cr_assert(e->recorded.size == recorded.size && e->recorded.align == recorded.align,
              "%s: recorded layout payload", who);
}

/* ---- spec 7.1 / 7.2 / 7.3 #1-6 --------------------------------------------------------------- */
CONFORMANCE_TEST(alloc_and_dealloc)
{
    unsigned char *p = must_alloc(row->name, a, L(16, 8), false);
    fill(p, 16, 0xAB);
    cr_assert(all_eq(p, 16, 0xAB), "%s: readback", row->name);
    memapi_dealloc(a, p, L(16, 8));
}

CONFORMANCE_TEST(alloc_zeroed)
{
    void *p = must_alloc(row->name, a, L(32, 8), true);
    cr_assert(all_eq(p, 32, 0), "%s: zalloc not zero", row->name);
    memapi_dealloc(a, p, L(32, 8));
}

/* 7.1 #3 with (old, new) = (8,1)/(4,1) and the c_alloc variant (32,PTR)/(16,PTR), for everyone. */
static void shrink_and_error_cases(const char *who, memapi_allocator a, memapi_layout old_l, memapi_layout new_l)
{
    memapi_error e;
    unsigned char *p = must_alloc(who, a, old_l, false);
    fill(p, old_l.size, 0xCC);
    unsigned char *s = memapi_shrink(a, p, old_l, new_l, &e);
    cr_assert(s != NULL, "%s: shrink failed", who);
    cr_assert(all_eq(s, new_l.size, 0xCC), "%s: shrink lost the prefix", who);
    cr_assert_null(memapi_shrink(a, s, new_l, old_l, &e), "%s: shrink to larger succeeded", who);
    expect_resize_err(who, &e, MEMAPI_E_SHRINK_LARGER, new_l.size, old_l.size);
    /* The "old" layout here does not describe the block: the error comes before any use of it. */
    cr_assert_null(memapi_grow(a, s, old_l, new_l, &e), "%s: grow to smaller succeeded", who);
    expect_resize_err(who, &e, MEMAPI_E_GROW_SMALLER, old_l.size, new_l.size);
    cr_assert(all_eq(s, new_l.size, 0xCC), "%s: failed resizes touched the block", who);
    memapi_dealloc(a, s, new_l);
}

CONFORMANCE_TEST(shrink_and_error_cases)
{
    shrink_and_error_cases(row->name, a, L(8, 1), L(4, 1));
    shrink_and_error_cases(row->name, a, L(32, PTR), L(16, PTR));
}

/* 7.1 #4-6: one resize of a block filled with `pat`; the kept prefix and, for zgrow, a zero tail. */
static void resize_keeps_prefix(const char *who, memapi_allocator a,
                                void *(*op)(memapi_allocator, void *, memapi_layout, memapi_layout, memapi_error *),
                                const char *op_name, memapi_layout old_l, memapi_layout new_l, unsigned char pat,
                                bool zero_tail)
{
    memapi_error e;
    unsigned char *p = must_alloc(who, a, old_l, false);
    fill(p, old_l.size, pat);
    unsigned char *r = op(a, p, old_l, new_l, &e);
    cr_assert(r != NULL, "%s: %s failed", who, op_name);
    cr_assert(aligned(r, new_l.align), "%s: %s result misaligned", who, op_name);
    size_t keep = old_l.size < new_l.size ? old_l.size : new_l.size;
    cr_assert(all_eq(r, keep, pat), "%s: %s lost the prefix", who, op_name);
    if (zero_tail)
        cr_assert(all_eq(r + old_l.size, new_l.size - old_l.size, 0), "%s: %s tail not zero", who, op_name);
    memapi_dealloc(a, r, new_l);
}

CONFORMANCE_TEST(grow_preserves_prefix)
{
    resize_keeps_prefix(row->name, a, memapi_grow, "grow", L(8, 8), L(16, 8), 0x11, false);
}

CONFORMANCE_TEST(zgrow_zeros_new_region)
{
    resize_keeps_prefix(row->name, a, memapi_zgrow, "zgrow", L(8, 8), L(16, 8), 0x22, true);
}

CONFORMANCE_TEST(shrink_preserves_prefix)
{
    resize_keeps_prefix(row->name, a, memapi_shrink, "shrink", L(16, 8), L(8, 8), 0xAB, false);
}

/* Resizes in either direction through realloc and rezalloc (7.8: rezalloc shrink keeps the prefix). */
CONFORMANCE_TEST(realloc_and_rezalloc_both_directions)
{
    const char *who = row->name;
    memapi_error e;
    unsigned char *p = must_alloc(who, a, L(24, 8), false);
    fill(p, 24, 0x5A);
    p = memapi_realloc(a, p, L(24, 8), L(40, 8), &e);
    cr_assert(p != NULL && all_eq(p, 24, 0x5A), "%s: realloc grow", who);
    fill(p, 40, 0x5A);
    p = memapi_realloc(a, p, L(40, 8), L(12, 8), &e);
    cr_assert(p != NULL && all_eq(p, 12, 0x5A), "%s: realloc shrink", who);
    p = memapi_rezalloc(a, p, L(12, 8), L(48, 16), &e);
    cr_assert(p != NULL && aligned(p, 16), "%s: rezalloc grow", who);
    cr_assert(all_eq(p, 12, 0x5A) && all_eq(p + 12, 36, 0), "%s: rezalloc grow contents", who);
    p = memapi_rezalloc(a, p, L(48, 16), L(6, 16), &e);
    cr_assert(p != NULL && all_eq(p, 6, 0x5A), "%s: rezalloc shrink keeps the prefix", who);
    memapi_dealloc(a, p, L(6, 16));
}

/* ---- spec 7.3 #7-10, for every allocator ----------------------------------------------------- */
CONFORMANCE_TEST(alloc_dealloc_var_alignments)
{
    for (size_t size = 0; size <= 64; size++) {
        for (size_t align = 1; align <= 32; align <<= 1) {
            unsigned char pat = (unsigned char)((align * 3 + 1) % 256);
            unsigned char *p = must_alloc(row->name, a, L(size, align), false);
            fill(p, size, pat);
            cr_assert(all_eq(p, size, pat), "%s: (%zu, %zu) readback", row->name, size, align);
            memapi_dealloc(a, p, L(size, align));
        }
    }
}

/*
 * 7.3 #8-10: for each (old_align, new_align) in {1..32}^2, one resize of a block filled with `pat`.
 * When new_align < old_align it fails with REALLOC_SMALLER_ALIGN(old_align, new_align) and the old
 * block is intact; otherwise the result is aligned and keeps min(old, new) bytes (and, for zgrow,
 * the tail is zero).
 */
static void resize_with_alignments(const char *who, memapi_allocator a,
                                   void *(*op)(memapi_allocator, void *, memapi_layout, memapi_layout,
                                               memapi_error *),
                                   const char *op_name, size_t oa, size_t na, memapi_layout old_l,
                                   memapi_layout new_l, unsigned char pat, bool zero_tail)
{
    memapi_error e;
    unsigned char *p = must_alloc(who, a, old_l, false);
    fill(p, old_l.size, pat);
    unsigned char *r = op(a, p, old_l, new_l, &e);
    if (na < oa) {
        cr_assert_null(r, "%s: %s %zu->%zu align should fail", who, op_name, oa, na);
        expect_resize_err(who, &e, MEMAPI_E_REALLOC_SMALLER_ALIGN, oa, na);
        cr_assert(all_eq(p, old_l.size, pat), "%s: old block damaged", who);
        memapi_dealloc(a, p, old_l);
        return;
    }
    cr_assert(r != NULL, "%s: %s (%zu,%zu)->(%zu,%zu) failed", who, op_name, old_l.size, oa, new_l.size, na);
    size_t keep = old_l.size < new_l.size ? old_l.size : new_l.size;
    cr_assert(aligned(r, na) && all_eq(r, keep, pat), "%s: %s result", who, op_name);
    if (zero_tail)
        cr_assert(all_eq(r + old_l.size, new_l.size - old_l.size, 0), "%s: %s tail", who, op_name);
    memapi_dealloc(a, r, new_l);
}

CONFORMANCE_TEST(grow_var_alignments_combinations)
{
    for (size_t oa = 1; oa <= 32; oa <<= 1)
        for (size_t na = 1; na <= 32; na <<= 1)
            resize_with_alignments(row->name, a, memapi_grow, "grow", oa, na, L(oa, oa),
                                   L(max_sz(oa + 1, 2 * na), na), (unsigned char)(((oa + na) * 7) % 256), false);
}

CONFORMANCE_TEST(zgrow_var_alignments_combinations)
{
    for (size_t oa = 1; oa <= 32; oa <<= 1)
        for (size_t na = 1; na <= 32; na <<= 1)
            resize_with_alignments(row->name, a, memapi_zgrow, "zgrow", oa, na, L(oa, oa),
                                   L(max_sz(oa + 1, 4 * na), na), (unsigned char)((oa + na + 11) % 256), true);
}

CONFORMANCE_TEST(shrink_var_alignments_combinations)
{
    for (size_t oa = 1; oa <= 32; oa <<= 1)
        for (size_t na = 1; na <= 32; na <<= 1)
            resize_with_alignments(row->name, a, memapi_shrink, "shrink", oa, na, L(max_sz(na + 1, 4 * oa), oa),
                                   L(na, na), (unsigned char)(((oa ^ na) + 5) % 256), false);
}

/* ---- spec 7.8: resize check order and payloads ------------------------------------------------ */
CONFORMANCE_TEST(resize_check_order_and_payloads)
{
    const char *who = row->name;
    memapi_error e;
    unsigned char *p = must_alloc(who, a, L(16, 8), false);
    fill(p, 16, 0x3C);
    /* The alignment check comes first, even when the size check would also fail. */
    cr_assert_null(memapi_grow(a, p, L(16, 8), L(8, 4), &e));
    expect_resize_err(who, &e, MEMAPI_E_REALLOC_SMALLER_ALIGN, 8, 4);
    cr_assert_null(memapi_shrink(a, p, L(8, 8), L(16, 8), &e));
    expect_resize_err(who, &e, MEMAPI_E_SHRINK_LARGER, 8, 16);
    cr_assert_null(memapi_grow(a, p, L(16, 8), L(8, 8), &e));
    expect_resize_err(who, &e, MEMAPI_E_GROW_SMALLER, 16, 8);
    cr_assert_null(memapi_zgrow(a, p, L(16, 8), L(8, 8), &e));
    expect_resize_err(who, &e, MEMAPI_E_GROW_SMALLER, 16, 8);
    cr_assert_null(memapi_realloc(a, p, L(8, 8), L(8, 4), &e));
    expect_resize_err(who, &e, MEMAPI_E_REALLOC_SMALLER_ALIGN, 8, 4);
    cr_assert_null(memapi_rezalloc(a, p, L(16, 8), L(32, 1), &e));
    expect_resize_err(who, &e, MEMAPI_E_REALLOC_SMALLER_ALIGN, 8, 1);
    cr_assert(all_eq(p, 16, 0x3C), "%s: rejected resizes touched the block", who);
    memapi_dealloc(a, p, L(16, 8));
}

/* DESIGN decision 2: an identical layout returns the same pointer; no copy, no free. ASan would
 * report the final dealloc as a double free if any of the calls had freed the block. */
CONFORMANCE_TEST(same_layout_returns_same_pointer)
{
    const char *who = row->name;
    memapi_error e;
    memapi_layout l = L(24, 8);
    unsigned char *p = must_alloc(who, a, l, false);
    fill(p, 24, 0x77);
    cr_assert_eq(memapi_grow(a, p, l, l, &e), p, "%s: grow", who);
    cr_assert_eq(memapi_zgrow(a, p, l, l, &e), p, "%s: zgrow", who);
    cr_assert_eq(memapi_shrink(a, p, l, l, &e), p, "%s: shrink", who);
    cr_assert_eq(memapi_realloc(a, p, l, l, &e), p, "%s: realloc", who);
    cr_assert_eq(memapi_rezalloc(a, p, l, l, &e), p, "%s: rezalloc", who);
    cr_assert(all_eq(p, 24, 0x77), "%s: contents changed", who);
    memapi_dealloc(a, p, l);
}

/* ---- zero size (DESIGN decision 3) ------------------------------------------------------------ */
CONFORMANCE_TEST(zero_size_is_dangling)
{
    const char *who = row->name;
    memapi_error e;
    for (size_t align = 1; align <= 4096; align <<= 1) {
        void *p = memapi_alloc(a, L(0, align), &e);
        cr_assert_eq(p, (void *)(uintptr_t)align, "%s: alloc(0, %zu) gave %p", who, align, p);
        void *z = memapi_zalloc(a, L(0, align), &e);
        cr_assert_eq(z, (void *)(uintptr_t)align, "%s: zalloc(0, %zu) gave %p", who, align, z);
        cr_assert_eq(memapi_try_dealloc(a, p, L(0, align), &e), MEMAPI_OK, "%s: try_dealloc", who);
        memapi_dealloc(a, z, L(0, align));
    }
    /* The dangling pointer of a nonzero layout is also accepted and ignored (alloc.h, DESIGN
     * decision 3; tracking.h forwards it to the inner allocator). */
    memapi_status st = memapi_try_dealloc(a, (void *)16, L(32, 16), &e);
    cr_assert_eq(st, MEMAPI_OK, "%s: dangling (32,16)", who);
    /* memapi_dealloc skips the dangling pointer itself (alloc.h), whatever the allocator. */
    memapi_dealloc(a, (void *)16, L(32, 16));
}

/* D3: for the heap allocators a size-0 layout is a no-op whatever the pointer, also a live block's
 * pointer given with the wrong (size-0) layout: both frees leave the block live, and its own
 * dealloc afterwards is not a double free (glibc aborts on one, ASan reports it). */
Test(conformance, heap_size_zero_free_of_a_live_block_is_a_no_op)
{
    const memapi_allocator heaps[] = {memapi_default(), memapi_system(), memapi_c_alloc()};
    for (size_t i = 0; i < sizeof heaps / sizeof heaps[0]; i++) {
        memapi_error e;
        unsigned char *p = must_alloc(heaps[i].vt->name, heaps[i], L(64, 8), false);
        fill(p, 64, 0x5A);
        cr_assert_eq(memapi_try_dealloc(heaps[i], p, L(0, 8), &e), MEMAPI_OK, "%s: try_dealloc (0,8)",
                     heaps[i].vt->name);
        memapi_dealloc(heaps[i], p, L(0, 8));
        cr_assert(all_eq(p, 64, 0x5A), "%s: the block changed", heaps[i].vt->name);
        memapi_dealloc(heaps[i], p, L(64, 8));
    }
}

CONFORMANCE_TEST(shrink_and_realloc_to_zero)
{
    const char *who = row->name;
    memapi_error e;
    void *p = must_alloc(who, a, L(16, 8), false);
    void *s = memapi_shrink(a, p, L(16, 8), L(0, 8), &e);
    cr_assert_eq(s, (void *)8, "%s: shrink to (0,8) gave %p", who, s);
    memapi_dealloc(a, s, L(0, 8));
    p = must_alloc(who, a, L(16, 8), false);
    void *r = memapi_realloc(a, p, L(16, 8), L(0, 16), &e);
    cr_assert_eq(r, (void *)16, "%s: realloc to (0,16) gave %p", who, r);
    cr_assert_eq(memapi_try_dealloc(a, r, L(0, 16), &e), MEMAPI_OK, "%s", who);
}

CONFORMANCE_TEST(grow_from_zero_size_dangling)
{
    const char *who = row->name;
    memapi_error e;
    void *d = memapi_alloc(a, L(0, 8), &e);
    cr_assert_eq(d, (void *)8, "%s", who);
    unsigned char *g = memapi_grow(a, d, L(0, 8), L(16, 8), &e);
    cr_assert(g != NULL && aligned(g, 8), "%s: grow from dangling failed", who);
    fill(g, 16, 0x42);
    memapi_dealloc(a, g, L(16, 8));
    unsigned char *z = memapi_zgrow(a, (void *)32, L(0, 32), L(64, 32), &e);
    cr_assert(z != NULL && aligned(z, 32), "%s: zgrow from dangling failed", who);
    cr_assert(all_eq(z, 64, 0), "%s: zgrow from dangling not zero", who);
    memapi_dealloc(a, z, L(64, 32));
}

/* ---- freed memory comes back --------------------------------------------------------------------- */
/*
 * Two blocks of (512, 16) per cycle, freed oldest first, for twice as many cycles as the arena row
 * could hold. Every allocator that reuses freed memory runs them all. An arena (`arena_cap`) keeps
 * the older block's space (its free is a no-op) and gets back only the newer one's, so cycle k
 * puts its blocks at offsets 512k and 512(k+1): the first cycle that does not fit is
 * k = cap / 512 - 1, whose second allocation fails with ALLOC_FAILED(layout, out of memory)
 * (bump.h, memapi_bump_alloc) and leaves the first block intact.
 */
CONFORMANCE_TEST(freed_space_is_reused)
{
    const char *who = row->name;
    const memapi_layout l = L(512, 16);
    const size_t cycles = 2 * BUMP_CAP / l.size;
    for (size_t k = 0; k < cycles; k++) {
        memapi_error e;
        unsigned char *p = must_alloc(who, a, l, false);
        fill(p, l.size, (unsigned char)k);
        unsigned char *q = memapi_alloc(a, l, &e);
        if (row->arena_cap != 0 && k == row->arena_cap / l.size - 1) {
            cr_assert_null(q, "%s: cycle %zu did not run out of space", who, k);
            cr_assert_eq(e.kind, MEMAPI_E_ALLOC_FAILED, "%s: kind %d", who, (int)e.kind);
            cr_assert(e.layout.size == l.size && e.layout.align == l.align, "%s: layout payload", who);
            cr_assert_eq(e.cause.kind, MEMAPI_CAUSE_OUT_OF_MEMORY, "%s: cause %d", who, (int)e.cause.kind);
            cr_assert(all_eq(p, l.size, (unsigned char)k), "%s: failed alloc touched the older block", who);
            memapi_dealloc(a, p, l);
            return;
        }
        cr_assert(q != NULL, "%s: cycle %zu: alloc failed with kind %d", who, k, (int)e.kind);
        fill(q, l.size, (unsigned char)~k);
        cr_assert(all_eq(p, l.size, (unsigned char)k), "%s: cycle %zu: blocks overlap", who, k);
        memapi_dealloc(a, p, l);
        memapi_dealloc(a, q, l);
    }
    cr_assert_eq(row->arena_cap, 0, "%s: the arena never ran out of space", who);
}

/* ---- forged layouts and bad pointers: documented kinds, nothing touched ------------------------ */
CONFORMANCE_TEST(forged_layouts_are_rejected)
{
    const char *who = row->name;
    memapi_error e;
    cr_assert_null(memapi_alloc(a, L(8, 3), &e), "%s", who);
    expect_layout_err(who, &e, MEMAPI_LE_NON_POW2_ALIGN);
    cr_assert_eq(e.layout_err.align, 3);
    cr_assert_null(memapi_zalloc(a, L(8, 0), &e), "%s", who);
    expect_layout_err(who, &e, MEMAPI_LE_ZERO_ALIGN);
    cr_assert_null(memapi_alloc(a, L(MAX - 6, 8), &e), "%s", who);
    expect_layout_err(who, &e, MEMAPI_LE_EXCEEDS_MAX);
    cr_assert(e.layout_err.size == MAX - 6 && e.layout_err.align == 8 && e.layout_err.n == 1, "%s", who);

    unsigned char *p = must_alloc(who, a, L(16, 8), false);
    fill(p, 16, 0x99);
    cr_assert_eq(memapi_try_dealloc(a, p, L(16, 6), &e), MEMAPI_ERROR, "%s", who);
    expect_layout_err(who, &e, MEMAPI_LE_NON_POW2_ALIGN);
    cr_assert_null(memapi_grow(a, p, L(16, 8), L(32, 24), &e), "%s", who);
    expect_layout_err(who, &e, MEMAPI_LE_NON_POW2_ALIGN);
    cr_assert_null(memapi_shrink(a, p, L(16, 0), L(8, 8), &e), "%s", who);
    expect_layout_err(who, &e, MEMAPI_LE_ZERO_ALIGN);
    cr_assert_null(memapi_realloc(a, p, L(16, 8), L(MAX, 16), &e), "%s", who);
    expect_layout_err(who, &e, MEMAPI_LE_EXCEEDS_MAX);
    cr_assert(all_eq(p, 16, 0x99), "%s: rejected calls touched the block", who);
    memapi_dealloc(a, p, L(16, 8));
}

CONFORMANCE_TEST(null_and_misaligned_pointers_are_rejected)
{
    const char *who = row->name;
    memapi_error e;
    cr_assert_eq(memapi_try_dealloc(a, NULL, L(8, 8), &e), MEMAPI_ERROR, "%s", who);
    expect_bad_ptr(who, &e, NULL, "null pointer");
    cr_assert_null(memapi_grow(a, NULL, L(8, 8), L(16, 8), &e), "%s", who);
    expect_bad_ptr(who, &e, NULL, "null pointer");

    unsigned char *p = must_alloc(who, a, L(32, 16), false);
    fill(p, 32, 0x5E);
    cr_assert_eq(memapi_try_dealloc(a, p + 8, L(16, 16), &e), MEMAPI_ERROR, "%s", who);
    expect_bad_ptr(who, &e, p + 8, "pointer not aligned to its layout");
    cr_assert_null(memapi_shrink(a, p + 4, L(16, 8), L(8, 8), &e), "%s", who);
    expect_bad_ptr(who, &e, p + 4, "pointer not aligned to its layout");
    cr_assert_null(memapi_rezalloc(a, p + 1, L(8, 2), L(64, 2), &e), "%s", who);
    expect_bad_ptr(who, &e, p + 1, "pointer not aligned to its layout");
    cr_assert(all_eq(p, 32, 0x5E), "%s: rejected calls touched the block", who);
    memapi_dealloc(a, p, L(32, 16));
}

/* ---- misuse that an allocator documents as detected: structured errors, nothing changed -------- */
static _Alignas(16) unsigned char foreign_obj[64]; /* never returned by any allocator of the table */

CONFORMANCE_TEST(detected_misuse_is_reported)
{
    const char *who = row->name;
    memapi_error e;
    if (row->foreign_free_msg != NULL) {
        cr_assert_eq(memapi_try_dealloc(a, foreign_obj, L(16, 8), &e), MEMAPI_ERROR, "%s: foreign free", who);
        expect_bad_ptr(who, &e, foreign_obj, row->foreign_free_msg);
    }
    unsigned char *p = must_alloc(who, a, L(16, 8), false);
    fill(p, 16, 0x6D);
    if (row->detects_layout_mismatch) {
        cr_assert_eq(memapi_try_dealloc(a, p, L(24, 8), &e), MEMAPI_ERROR, "%s: mismatched free", who);
        expect_mismatch(who, &e, p, L(24, 8), L(16, 8));
        /* tracking checks the old layout itself; the guard's resizes are the library default, whose
         * free of the old block fails, so the new block is freed again (alloc.h). */
        cr_assert_null(memapi_grow(a, p, L(8, 8), L(32, 8), &e), "%s: mismatched grow", who);
        expect_mismatch(who, &e, p, L(8, 8), L(16, 8));
        cr_assert(all_eq(p, 16, 0x6D), "%s: rejected calls touched the block", who);
    }
    memapi_dealloc(a, p, L(16, 8)); /* the block is still allocated: this free succeeds */
    if (row->double_free_msg != NULL) {
        cr_assert_eq(memapi_try_dealloc(a, p, L(16, 8), &e), MEMAPI_ERROR, "%s: double free", who);
        expect_bad_ptr(who, &e, p, row->double_free_msg);
    }
}

/* ---- the malloc front end over every allocator (cmalloc.h) ------------------------------------ */
/* C's semantics hold whatever the allocator: contents kept by realloc up to the lesser size (C17
 * 7.22.3.5), calloc's zeros (7.22.3.2), alignment to max_align_t or aligned_alloc's alignment,
 * usable_size equal to the size asked for (cmalloc.h), and every block freed (the row's finish
 * checks that nothing is left live). */
CONFORMANCE_TEST(cmalloc_front_end)
{
    const char *who = row->name;
    memapi_error e;
    unsigned char *p = memapi_cmalloc_malloc(a, 24, &e);
    cr_assert(p != NULL, "%s: malloc(24) failed with kind %d", who, (int)e.kind);
    cr_assert(aligned(p, _Alignof(max_align_t)), "%s: malloc not aligned", who);
    fill(p, 24, 0x31);
    unsigned char *z = memapi_cmalloc_calloc(a, 5, 7, &e);
    cr_assert(z != NULL, "%s: calloc failed", who);
    cr_assert(all_eq(z, 35, 0), "%s: calloc not zero", who);
    unsigned char *q = memapi_cmalloc_aligned_alloc(a, 64, 40, &e);
    cr_assert(q != NULL, "%s: aligned_alloc failed", who);
    cr_assert(aligned(q, 64), "%s: aligned_alloc(64) not aligned", who);
    fill(q, 40, 0x32);
    p = memapi_cmalloc_realloc(a, p, 200, &e);
    cr_assert(p != NULL, "%s: realloc up failed with kind %d", who, (int)e.kind);
    cr_assert(all_eq(p, 24, 0x31), "%s: realloc up lost contents", who);
    cr_assert_eq(memapi_cmalloc_usable_size(a, p, NULL), 200, "%s", who);
    p = memapi_cmalloc_realloc(a, p, 8, &e);
    cr_assert(p != NULL, "%s: realloc down failed with kind %d", who, (int)e.kind);
    cr_assert(all_eq(p, 8, 0x31), "%s: realloc down lost contents", who);
    q = memapi_cmalloc_realloc(a, q, 20, &e);
    cr_assert(q != NULL && aligned(q, 64), "%s: realloc of an aligned block", who);
    cr_assert(all_eq(q, 20, 0x32), "%s: realloc of an aligned block lost contents", who);
    cr_assert_eq(memapi_cmalloc_try_free(a, q, &e), MEMAPI_OK, "%s: free failed with kind %d", who, (int)e.kind);
    cr_assert_eq(memapi_cmalloc_try_free(a, z, &e), MEMAPI_OK, "%s", who);
    cr_assert_null(memapi_cmalloc_realloc(a, p, 0, &e), "%s: realloc(p, 0) frees", who);
}

#if MEMAPI_ALLOC_TEMP
/* ---- scoped allocation -------------------------------------------------------------------------- */
typedef struct temp_ctx {
    int result;
    int calls;
    size_t size;
    size_t align;
    bool aligned_ok;
    bool zero_ok;
} temp_ctx;

static void temp_cb(void *ctx, void *mem)
{
    temp_ctx *t = ctx;
    t->calls++;
    t->aligned_ok = aligned(mem, t->align);
    t->zero_ok = all_eq(mem, t->size, 0);
    memset(mem, 0xEE, t->size);
    t->result = 42;
}

#if MEMAPI_STACK_ALLOC
static memapi_allocator make_stack(void) { return memapi_stack(); }

static memapi_allocator make_locked_stack(void)
{
    static memapi_locked state;
    static bool ready;
    if (!ready) {
        cr_assert_eq(memapi_locked_init(&state, memapi_stack(), NULL), MEMAPI_OK);
        ready = true;
    }
    return memapi_locked_allocator(&state);
}

/* Scoped allocation only (stack.h): these rows join the temp tests, not the others. */
static const alloc_case STACK_ALLOCS[] = {
    {.name = "stack", .make = make_stack},
    {.name = "locked(stack)", .make = make_locked_stack},
};
#endif

/* Every allocator of ALLOCS through the default alloc/call/try_dealloc, plus the stack allocator. */
#if MEMAPI_STACK_ALLOC
#define TEMP_TEST(tname)                                                                           \
    static void tname##_body(const alloc_case *row, memapi_allocator a);                           \
    Test(conformance, tname)                                                                       \
    {                                                                                              \
        run_rows(ALLOCS, N_ALLOCS, tname##_body);                                                  \
        run_rows(STACK_ALLOCS, sizeof STACK_ALLOCS / sizeof STACK_ALLOCS[0], tname##_body);        \
    }                                                                                              \
    static void tname##_body(const alloc_case *row, memapi_allocator a)
#else
#define TEMP_TEST(tname) CONFORMANCE_TEST(tname)
#endif

TEMP_TEST(alloc_temp_result_travels_through_ctx)
{
    temp_ctx t = {.size = 24, .align = 8};
    memapi_error e;
    cr_assert_eq(memapi_alloc_temp(a, L(24, 8), temp_cb, &t, &e), MEMAPI_OK, "%s", row->name);
    cr_assert_eq(t.result, 42, "%s", row->name);
    cr_assert_eq(t.calls, 1, "%s: callback ran %d times", row->name, t.calls);
    cr_assert(t.aligned_ok, "%s", row->name);
}

TEMP_TEST(zalloc_temp_zeroes_64_bytes_align_64)
{
    for (int round = 0; round < 2; round++) { /* the second round reuses memory dirtied by the first */
        temp_ctx t = {.size = 64, .align = 64};
        memapi_error e;
        cr_assert_eq(memapi_zalloc_temp(a, L(64, 64), temp_cb, &t, &e), MEMAPI_OK, "%s", row->name);
        cr_assert_eq(t.calls, 1, "%s", row->name);
        cr_assert(t.aligned_ok && t.zero_ok, "%s: not aligned or not zero", row->name);
        cr_assert_eq(t.result, 42, "%s", row->name);
    }
}

TEMP_TEST(alloc_temp_rejects_forged_layout_and_null_callback)
{
    temp_ctx t = {.size = 8, .align = 8};
    memapi_error e;
    cr_assert_eq(memapi_alloc_temp(a, L(8, 5), temp_cb, &t, &e), MEMAPI_ERROR, "%s", row->name);
    expect_layout_err(row->name, &e, MEMAPI_LE_NON_POW2_ALIGN);
    cr_assert_eq(memapi_zalloc_temp(a, L(8, 8), NULL, &t, &e), MEMAPI_ERROR, "%s", row->name);
    expect_bad_ptr(row->name, &e, NULL, "null callback");
    cr_assert_eq(t.calls, 0, "%s: callback ran", row->name);
}

#endif /* MEMAPI_ALLOC_TEMP */

/* ---- death tests: memapi_dealloc failure paths and their exact messages ----------------------- */
static char expected_fatal[512];
static const char *dying_alloc;

static void check_then_abort(const char *msg)
{
    if (strcmp(msg, expected_fatal) == 0)
        abort();
    fprintf(stderr, "%s: unexpected fatal message:\n  got:      %s\n  expected: %s\n", dying_alloc, msg,
            expected_fatal);
    exit(3);
}

/* Arms the fatal hook for the reference's message (spec 4.5) about freeing `ptr` with `l`, whose
 * error text is `error_text`. */
static void expect_dealloc_fatal(size_t row, const void *ptr, memapi_layout l, const char *error_text)
{
    snprintf(expected_fatal, sizeof expected_fatal,
             "deallocation of block at 0x%" PRIxPTR " with layout Layout { size: %zu, align: %zu } failed: %s",
             (uintptr_t)ptr, l.size, l.align, error_text);
    dying_alloc = ALLOCS[row].name;
    memapi_set_fatal_hook(check_then_abort);
}

/* The rows of ALLOCS that `keep` selects, as Criterion parameters (indices into ALLOCS). */
static struct criterion_test_params rows_where(size_t *idx, bool (*keep)(const alloc_case *))
{
    size_t n = 0;
    for (size_t i = 0; i < N_ALLOCS; i++)
        if (keep(&ALLOCS[i]))
            idx[n++] = i;
    return cr_make_param_array(size_t, idx, n);
}

static bool any_row(const alloc_case *row)
{
    (void)row;
    return true;
}

static bool detects_foreign(const alloc_case *row)
{
    return row->foreign_free_msg != NULL;
}

static bool detects_double(const alloc_case *row)
{
    return row->double_free_msg != NULL;
}

static bool detects_mismatch(const alloc_case *row)
{
    return row->detects_layout_mismatch;
}

/* One death test over the rows that `keep` selects; the body ends in the fatal call. */
#define DEATH_TEST(tname, keep)                                                                    \
    ParameterizedTestParameters(conformance, tname)                                                \
    {                                                                                              \
        static size_t idx[N_ALLOCS];                                                               \
        return rows_where(idx, keep);                                                              \
    }                                                                                              \
    static void tname##_body(size_t row, memapi_allocator a);                                      \
    ParameterizedTest(size_t *i, conformance, tname, .signal = SIGABRT)                            \
    {                                                                                              \
        tname##_body(*i, ALLOCS[*i].make());                                                       \
        cr_log_error("%s: memapi_dealloc returned", ALLOCS[*i].name);                              \
        exit(4);                                                                                   \
    }                                                                                              \
    static void tname##_body(size_t row, memapi_allocator a)

DEATH_TEST(dealloc_null_pointer_aborts, any_row)
{
    expect_dealloc_fatal(row, NULL, L(8, 8), "invalid pointer 0x0: null pointer");
    memapi_dealloc(a, NULL, L(8, 8));
}

DEATH_TEST(dealloc_misaligned_pointer_aborts, any_row)
{
    expect_dealloc_fatal(row, (void *)0x1001, L(8, 8), "invalid pointer 0x1001: pointer not aligned to its layout");
    memapi_dealloc(a, (void *)0x1001, L(8, 8));
}

DEATH_TEST(dealloc_forged_layout_aborts, any_row)
{
    expect_dealloc_fatal(row, (void *)0x1000, L(8, 3), "layout error: alignment 3 isn't a power of two");
    memapi_dealloc(a, (void *)0x1000, L(8, 3));
}

/* error.h: INVALID_POINTER prints `invalid pointer 0xADDR: <msg>`. */
static void expect_bad_ptr_fatal(size_t row, const void *ptr, memapi_layout l, const char *msg)
{
    char text[256];
    snprintf(text, sizeof text, "invalid pointer 0x%" PRIxPTR ": %s", (uintptr_t)ptr, msg);
    expect_dealloc_fatal(row, ptr, l, text);
}

DEATH_TEST(dealloc_foreign_pointer_aborts, detects_foreign)
{
    expect_bad_ptr_fatal(row, foreign_obj, L(16, 8), ALLOCS[row].foreign_free_msg);
    memapi_dealloc(a, foreign_obj, L(16, 8));
}

DEATH_TEST(double_dealloc_aborts, detects_double)
{
    void *p = must_alloc(ALLOCS[row].name, a, L(16, 8), false);
    memapi_dealloc(a, p, L(16, 8));
    expect_bad_ptr_fatal(row, p, L(16, 8), ALLOCS[row].double_free_msg);
    memapi_dealloc(a, p, L(16, 8));
}

/* error.h: LAYOUT_MISMATCH prints `layout mismatch for block at 0xADDR: given Layout(size: S,
 * align: A), allocated with Layout(size: S2, align: A2)`. */
DEATH_TEST(dealloc_with_wrong_layout_aborts, detects_mismatch)
{
    void *p = must_alloc(ALLOCS[row].name, a, L(32, 8), false);
    char text[256];
    snprintf(text, sizeof text,
             "layout mismatch for block at 0x%" PRIxPTR
             ": given Layout(size: 16, align: 8), allocated with Layout(size: 32, align: 8)",
             (uintptr_t)p);
    expect_dealloc_fatal(row, p, L(16, 8), text);
    memapi_dealloc(a, p, L(16, 8));
}
