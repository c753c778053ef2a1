/*
 * Conformance suite: the same behavioural tests (spec 7.1, 7.2, 7.3, 7.8 and DESIGN.md section 3)
 * run against every allocator of one table. Each failure message starts with the allocator's name.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "memapi2.h"

#define MAX MEMAPI_USIZE_MAX_NO_HIGH_BIT
#define PTR MEMAPI_PTR_SIZE

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

/* ---- the table ------------------------------------------------------------------------------- */
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

typedef struct alloc_case {
    const char *name;
    memapi_allocator (*make)(void);
} alloc_case;

static const alloc_case ALLOCS[] = {
    {"default", make_default},
    {"System", make_system},
#if MEMAPI_C_ALLOC
    {"c_alloc", make_c_alloc},
#endif
    {"locked(default)", make_locked_default},
    {"MutOnlyAlloc", make_mut_only},
};
#define N_ALLOCS (sizeof ALLOCS / sizeof ALLOCS[0])
#define FOR_EACH_ALLOC(i) for (size_t i = 0; i < N_ALLOCS; i++)

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

/* ---- spec 7.1 / 7.2 / 7.3 #1-6 --------------------------------------------------------------- */
Test(conformance, alloc_and_dealloc)
{
    FOR_EACH_ALLOC(i) {
        memapi_allocator a = ALLOCS[i].make();
        unsigned char *p = must_alloc(ALLOCS[i].name, a, L(16, 8), false);
        fill(p, 16, 0xAB);
        cr_assert(all_eq(p, 16, 0xAB), "%s: readback", ALLOCS[i].name);
        memapi_dealloc(a, p, L(16, 8));
    }
}

Test(conformance, alloc_zeroed)
{
    FOR_EACH_ALLOC(i) {
        memapi_allocator a = ALLOCS[i].make();
        void *p = must_alloc(ALLOCS[i].name, a, L(32, 8), true);
        cr_assert(all_eq(p, 32, 0), "%s: zalloc not zero", ALLOCS[i].name);
        memapi_dealloc(a, p, L(32, 8));
    }
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

Test(conformance, shrink_and_error_cases)
{
    FOR_EACH_ALLOC(i) {
        shrink_and_error_cases(ALLOCS[i].name, ALLOCS[i].make(), L(8, 1), L(4, 1));
        shrink_and_error_cases(ALLOCS[i].name, ALLOCS[i].make(), L(32, PTR), L(16, PTR));
    }
}

Test(conformance, grow_preserves_prefix)
{
    FOR_EACH_ALLOC(i) {
        memapi_allocator a = ALLOCS[i].make();
        memapi_error e;
        unsigned char *p = must_alloc(ALLOCS[i].name, a, L(8, 8), false);
        fill(p, 8, 0x11);
        unsigned char *g = memapi_grow(a, p, L(8, 8), L(16, 8), &e);
        cr_assert(g != NULL, "%s: grow failed", ALLOCS[i].name);
        cr_assert(aligned(g, 8), "%s: grown block misaligned", ALLOCS[i].name);
        cr_assert(all_eq(g, 8, 0x11), "%s: grow lost the prefix", ALLOCS[i].name);
        memapi_dealloc(a, g, L(16, 8));
    }
}

Test(conformance, zgrow_zeros_new_region)
{
    FOR_EACH_ALLOC(i) {
        memapi_allocator a = ALLOCS[i].make();
        memapi_error e;
        unsigned char *p = must_alloc(ALLOCS[i].name, a, L(8, 8), false);
        fill(p, 8, 0x22);
        unsigned char *g = memapi_zgrow(a, p, L(8, 8), L(16, 8), &e);
        cr_assert(g != NULL, "%s: zgrow failed", ALLOCS[i].name);
        cr_assert(all_eq(g, 8, 0x22), "%s: zgrow lost the prefix", ALLOCS[i].name);
        cr_assert(all_eq(g + 8, 8, 0), "%s: zgrow tail not zero", ALLOCS[i].name);
        memapi_dealloc(a, g, L(16, 8));
    }
}

Test(conformance, shrink_preserves_prefix)
{
    FOR_EACH_ALLOC(i) {
        memapi_allocator a = ALLOCS[i].make();
        memapi_error e;
        unsigned char *p = must_alloc(ALLOCS[i].name, a, L(16, 8), false);
        fill(p, 16, 0xAB);
        unsigned char *s = memapi_shrink(a, p, L(16, 8), L(8, 8), &e);
        cr_assert(s != NULL, "%s: shrink failed", ALLOCS[i].name);
        cr_assert(all_eq(s, 8, 0xAB), "%s: shrink lost the prefix", ALLOCS[i].name);
        memapi_dealloc(a, s, L(8, 8));
    }
}

/* Resizes in either direction through realloc and rezalloc (7.8: rezalloc shrink keeps the prefix). */
Test(conformance, realloc_and_rezalloc_both_directions)
{
    FOR_EACH_ALLOC(i) {
        const char *who = ALLOCS[i].name;
        memapi_allocator a = ALLOCS[i].make();
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
}

/* ---- spec 7.3 #7-10, for every allocator ----------------------------------------------------- */
Test(conformance, alloc_dealloc_var_alignments)
{
    FOR_EACH_ALLOC(i) {
        memapi_allocator a = ALLOCS[i].make();
        for (size_t size = 0; size <= 64; size++) {
            for (size_t align = 1; align <= 32; align <<= 1) {
                unsigned char pat = (unsigned char)((align * 3 + 1) % 256);
                unsigned char *p = must_alloc(ALLOCS[i].name, a, L(size, align), false);
                fill(p, size, pat);
                cr_assert(all_eq(p, size, pat), "%s: (%zu, %zu) readback", ALLOCS[i].name, size, align);
                memapi_dealloc(a, p, L(size, align));
            }
        }
    }
}

static size_t max_sz(size_t x, size_t y)
{
    return x > y ? x : y;
}

Test(conformance, grow_var_alignments_combinations)
{
    FOR_EACH_ALLOC(i) {
        const char *who = ALLOCS[i].name;
        memapi_allocator a = ALLOCS[i].make();
        for (size_t oa = 1; oa <= 32; oa <<= 1) {
            for (size_t na = 1; na <= 32; na <<= 1) {
                memapi_layout old_l = L(oa, oa), new_l = L(max_sz(oa + 1, 2 * na), na);
                unsigned char pat = (unsigned char)(((oa + na) * 7) % 256);
                memapi_error e;
                unsigned char *p = must_alloc(who, a, old_l, false);
                fill(p, old_l.size, pat);
                unsigned char *g = memapi_grow(a, p, old_l, new_l, &e);
                if (na < oa) {
                    cr_assert_null(g, "%s: grow %zu->%zu align should fail", who, oa, na);
                    expect_resize_err(who, &e, MEMAPI_E_REALLOC_SMALLER_ALIGN, oa, na);
                    cr_assert(all_eq(p, old_l.size, pat), "%s: old block damaged", who);
                    memapi_dealloc(a, p, old_l);
                } else {
                    cr_assert(g != NULL, "%s: grow (%zu,%zu)->(%zu,%zu) failed", who, old_l.size, oa,
                              new_l.size, na);
                    cr_assert(aligned(g, na) && all_eq(g, old_l.size, pat), "%s: grow result", who);
                    memapi_dealloc(a, g, new_l);
                }
            }
        }
    }
}

Test(conformance, zgrow_var_alignments_combinations)
{
    FOR_EACH_ALLOC(i) {
        const char *who = ALLOCS[i].name;
        memapi_allocator a = ALLOCS[i].make();
        for (size_t oa = 1; oa <= 32; oa <<= 1) {
            for (size_t na = 1; na <= 32; na <<= 1) {
                memapi_layout old_l = L(oa, oa), new_l = L(max_sz(oa + 1, 4 * na), na);
                unsigned char pat = (unsigned char)((oa + na + 11) % 256);
                memapi_error e;
                unsigned char *p = must_alloc(who, a, old_l, false);
                fill(p, old_l.size, pat);
                unsigned char *g = memapi_zgrow(a, p, old_l, new_l, &e);
                if (na < oa) {
                    cr_assert_null(g, "%s: zgrow should fail", who);
                    expect_resize_err(who, &e, MEMAPI_E_REALLOC_SMALLER_ALIGN, oa, na);
                    cr_assert(all_eq(p, old_l.size, pat), "%s: old block damaged", who);
                    memapi_dealloc(a, p, old_l);
                } else {
                    cr_assert(g != NULL, "%s: zgrow failed", who);
                    cr_assert(aligned(g, na) && all_eq(g, old_l.size, pat), "%s: zgrow prefix", who);
                    cr_assert(all_eq(g + old_l.size, new_l.size - old_l.size, 0), "%s: zgrow tail", who);
                    memapi_dealloc(a, g, new_l);
                }
            }
        }
    }
}

Test(conformance, shrink_var_alignments_combinations)
{
    FOR_EACH_ALLOC(i) {
        const char *who = ALLOCS[i].name;
        memapi_allocator a = ALLOCS[i].make();
        for (size_t oa = 1; oa <= 32; oa <<= 1) {
            for (size_t na = 1; na <= 32; na <<= 1) {
                memapi_layout new_l = L(na, na), old_l = L(max_sz(na + 1, 4 * oa), oa);
                unsigned char pat = (unsigned char)(((oa ^ na) + 5) % 256);
                memapi_error e;
                unsigned char *p = must_alloc(who, a, old_l, false);
                fill(p, old_l.size, pat);
                unsigned char *s = memapi_shrink(a, p, old_l, new_l, &e);
                if (na < oa) {
                    cr_assert_null(s, "%s: shrink should fail", who);
                    expect_resize_err(who, &e, MEMAPI_E_REALLOC_SMALLER_ALIGN, oa, na);
                    cr_assert(all_eq(p, old_l.size, pat), "%s: old block damaged", who);
                    memapi_dealloc(a, p, old_l);
                } else {
                    cr_assert(s != NULL, "%s: shrink failed", who);
                    cr_assert(aligned(s, na) && all_eq(s, new_l.size, pat), "%s: shrink result", who);
                    memapi_dealloc(a, s, new_l);
                }
            }
        }
    }
}

/* ---- spec 7.8: resize check order and payloads ------------------------------------------------ */
Test(conformance, resize_check_order_and_payloads)
{
    FOR_EACH_ALLOC(i) {
        const char *who = ALLOCS[i].name;
        memapi_allocator a = ALLOCS[i].make();
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
}

/* DESIGN decision 2: an identical layout returns the same pointer; no copy, no free. ASan would
 * report the final dealloc as a double free if any of the calls had freed the block. */
Test(conformance, same_layout_returns_same_pointer)
{
    FOR_EACH_ALLOC(i) {
        const char *who = ALLOCS[i].name;
        memapi_allocator a = ALLOCS[i].make();
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
}

/* ---- zero size (DESIGN decision 3) ------------------------------------------------------------ */
Test(conformance, zero_size_is_dangling)
{
    FOR_EACH_ALLOC(i) {
        const char *who = ALLOCS[i].name;
        memapi_allocator a = ALLOCS[i].make();
        memapi_error e;
        for (size_t align = 1; align <= 4096; align <<= 1) {
            void *p = memapi_alloc(a, L(0, align), &e);
            cr_assert_eq(p, (void *)(uintptr_t)align, "%s: alloc(0, %zu) gave %p", who, align, p);
            void *z = memapi_zalloc(a, L(0, align), &e);
            cr_assert_eq(z, (void *)(uintptr_t)align, "%s: zalloc(0, %zu) gave %p", who, align, z);
            cr_assert_eq(memapi_try_dealloc(a, p, L(0, align), &e), MEMAPI_OK, "%s: try_dealloc", who);
            memapi_dealloc(a, z, L(0, align));
        }
        /* The dangling pointer of a nonzero layout is also accepted and ignored. */
        cr_assert_eq(memapi_try_dealloc(a, (void *)16, L(32, 16), &e), MEMAPI_OK, "%s: dangling (32,16)", who);
        memapi_dealloc(a, (void *)16, L(32, 16));
    }
}

Test(conformance, shrink_and_realloc_to_zero)
{
    FOR_EACH_ALLOC(i) {
        const char *who = ALLOCS[i].name;
        memapi_allocator a = ALLOCS[i].make();
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
}

Test(conformance, grow_from_zero_size_dangling)
{
    FOR_EACH_ALLOC(i) {
        const char *who = ALLOCS[i].name;
        memapi_allocator a = ALLOCS[i].make();
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
}

/* ---- forged layouts and bad pointers: documented kinds, nothing touched ------------------------ */
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

Test(conformance, forged_layouts_are_rejected)
{
    FOR_EACH_ALLOC(i) {
        const char *who = ALLOCS[i].name;
        memapi_allocator a = ALLOCS[i].make();
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
}

Test(conformance, null_and_misaligned_pointers_are_rejected)
{
    FOR_EACH_ALLOC(i) {
        const char *who = ALLOCS[i].name;
        memapi_allocator a = ALLOCS[i].make();
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
#endif

/* Every heap allocator through the default alloc/call/try_dealloc, plus the stack allocator. */
static const alloc_case TEMP_ALLOCS[] = {
    {"default", make_default},
    {"System", make_system},
#if MEMAPI_C_ALLOC
    {"c_alloc", make_c_alloc},
#endif
    {"locked(default)", make_locked_default},
    {"MutOnlyAlloc", make_mut_only},
#if MEMAPI_STACK_ALLOC
    {"stack", make_stack},
    {"locked(stack)", make_locked_stack},
#endif
};

Test(conformance, alloc_temp_result_travels_through_ctx)
{
    for (size_t i = 0; i < sizeof TEMP_ALLOCS / sizeof TEMP_ALLOCS[0]; i++) {
        const char *who = TEMP_ALLOCS[i].name;
        temp_ctx t = {.size = 24, .align = 8};
        memapi_error e;
        cr_assert_eq(memapi_alloc_temp(TEMP_ALLOCS[i].make(), L(24, 8), temp_cb, &t, &e), MEMAPI_OK, "%s", who);
        cr_assert_eq(t.result, 42, "%s", who);
        cr_assert_eq(t.calls, 1, "%s: callback ran %d times", who, t.calls);
        cr_assert(t.aligned_ok, "%s", who);
    }
}

Test(conformance, zalloc_temp_zeroes_64_bytes_align_64)
{
    for (size_t i = 0; i < sizeof TEMP_ALLOCS / sizeof TEMP_ALLOCS[0]; i++) {
        const char *who = TEMP_ALLOCS[i].name;
        for (int round = 0; round < 2; round++) { /* the second round reuses memory dirtied by the first */
            temp_ctx t = {.size = 64, .align = 64};
            memapi_error e;
            cr_assert_eq(memapi_zalloc_temp(TEMP_ALLOCS[i].make(), L(64, 64), temp_cb, &t, &e), MEMAPI_OK, "%s",
                         who);
            cr_assert_eq(t.calls, 1, "%s", who);
            cr_assert(t.aligned_ok && t.zero_ok, "%s: not aligned or not zero", who);
            cr_assert_eq(t.result, 42, "%s", who);
        }
    }
}

Test(conformance, alloc_temp_rejects_forged_layout_and_null_callback)
{
    for (size_t i = 0; i < sizeof TEMP_ALLOCS / sizeof TEMP_ALLOCS[0]; i++) {
        const char *who = TEMP_ALLOCS[i].name;
        temp_ctx t = {.size = 8, .align = 8};
        memapi_error e;
        cr_assert_eq(memapi_alloc_temp(TEMP_ALLOCS[i].make(), L(8, 5), temp_cb, &t, &e), MEMAPI_ERROR, "%s", who);
        expect_layout_err(who, &e, MEMAPI_LE_NON_POW2_ALIGN);
        cr_assert_eq(memapi_zalloc_temp(TEMP_ALLOCS[i].make(), L(8, 8), NULL, &t, &e), MEMAPI_ERROR, "%s", who);
        expect_bad_ptr(who, &e, NULL, "null callback");
        cr_assert_eq(t.calls, 0, "%s: callback ran", who);
    }
}

#endif /* MEMAPI_ALLOC_TEMP */

/* ---- death tests: memapi_dealloc failure paths and their exact messages ----------------------- */
static const char *expected_fatal;
static const char *dying_alloc;

static void check_then_abort(const char *msg)
{
    if (expected_fatal != NULL && strcmp(msg, expected_fatal) == 0)
        abort();
    fprintf(stderr, "%s: unexpected fatal message:\n  got:      %s\n  expected: %s\n", dying_alloc, msg,
            expected_fatal ? expected_fatal : "(none)");
    exit(3);
}

static struct criterion_test_params alloc_indices(void)
{
    static size_t idx[N_ALLOCS];
    for (size_t i = 0; i < N_ALLOCS; i++)
        idx[i] = i;
    return cr_make_param_array(size_t, idx, N_ALLOCS);
}

ParameterizedTestParameters(conformance, dealloc_null_pointer_aborts) { return alloc_indices(); }
ParameterizedTest(size_t *i, conformance, dealloc_null_pointer_aborts, .signal = SIGABRT)
{
    expected_fatal = "deallocation of block at 0x0 with layout Layout { size: 8, align: 8 } failed: "
                     "invalid pointer 0x0: null pointer";
    dying_alloc = ALLOCS[*i].name;
    memapi_set_fatal_hook(check_then_abort);
    memapi_dealloc(ALLOCS[*i].make(), NULL, L(8, 8));
    cr_log_error("%s: memapi_dealloc returned", ALLOCS[*i].name);
    exit(4);
}

ParameterizedTestParameters(conformance, dealloc_misaligned_pointer_aborts) { return alloc_indices(); }
ParameterizedTest(size_t *i, conformance, dealloc_misaligned_pointer_aborts, .signal = SIGABRT)
{
    expected_fatal = "deallocation of block at 0x1001 with layout Layout { size: 8, align: 8 } failed: "
                     "invalid pointer 0x1001: pointer not aligned to its layout";
    dying_alloc = ALLOCS[*i].name;
    memapi_set_fatal_hook(check_then_abort);
    memapi_dealloc(ALLOCS[*i].make(), (void *)0x1001, L(8, 8));
    cr_log_error("%s: memapi_dealloc returned", ALLOCS[*i].name);
    exit(4);
}

ParameterizedTestParameters(conformance, dealloc_forged_layout_aborts) { return alloc_indices(); }
ParameterizedTest(size_t *i, conformance, dealloc_forged_layout_aborts, .signal = SIGABRT)
{
    expected_fatal = "deallocation of block at 0x1000 with layout Layout { size: 8, align: 3 } failed: "
                     "layout error: alignment 3 isn't a power of two";
    dying_alloc = ALLOCS[*i].name;
    memapi_set_fatal_hook(check_then_abort);
    memapi_dealloc(ALLOCS[*i].make(), (void *)0x1000, L(8, 3));
    cr_log_error("%s: memapi_dealloc returned", ALLOCS[*i].name);
    exit(4);
}
