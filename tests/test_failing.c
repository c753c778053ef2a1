/*
 * The failing allocator (failing.h): each rule, the counters, what is counted (allocating calls,
 * resizes as one allocation) and what is forwarded (try_dealloc, owns), the injected error and its
 * text, and the conformance behaviours through failing(default).
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

static memapi_failing make(memapi_allocator inner)
{
    memapi_failing f;
    cr_assert_eq(memapi_failing_init(&f, inner, NULL), MEMAPI_OK);
    return f;
}

static void expect_injected(const memapi_error *e, memapi_layout l)
{
    cr_assert_eq(e->kind, MEMAPI_E_ALLOC_FAILED);
    cr_assert_eq(e->layout.size, l.size);
    cr_assert_eq(e->layout.align, l.align);
    cr_assert_eq(e->cause.kind, MEMAPI_CAUSE_OUT_OF_MEMORY);
}

/* Allocates and frees (size, 8) through `a`; true when the allocation succeeded. */
static bool try_one(memapi_allocator a, size_t size)
{
    memapi_error e;
    void *p = memapi_alloc(a, L(size, 8), &e);
    if (p == NULL) {
        expect_injected(&e, L(size, 8));
        return false;
    }
    memapi_dealloc(a, p, L(size, 8));
    return true;
}

Test(failing, init_needs_an_allocating_inner)
{
    memapi_failing f;
    memapi_error e;
    memapi_allocator none = {NULL, NULL};
    cr_assert_eq(memapi_failing_init(&f, none, &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
    static const memapi_alloc_vtable no_alloc = {.name = "none"};
    memapi_allocator empty = {&no_alloc, NULL};
    cr_assert_eq(memapi_failing_init(&f, empty, &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
}

Test(failing, fresh_wrapper_fails_nothing_and_counts_calls)
{
    memapi_failing f = make(memapi_default());
    memapi_allocator a = memapi_failing_allocator(&f);
    for (int i = 0; i < 10; i++)
        cr_assert(try_one(a, 32));
    memapi_error e;
    void *z = memapi_zalloc(a, L(64, 16), &e);
    cr_assert(all_eq(z, 64, 0));
    memapi_dealloc(a, z, L(64, 16));
    cr_assert_eq(memapi_failing_calls(&f), 11);
    cr_assert_eq(memapi_failing_failures(&f), 0);
}

Test(failing, nth_call_fails_once)
{
    memapi_failing f = make(memapi_default());
    memapi_allocator a = memapi_failing_allocator(&f);
    memapi_failing_set_nth(&f, 3);
    cr_assert(try_one(a, 8));
    cr_assert(try_one(a, 8));
    cr_assert(!try_one(a, 8));
    cr_assert(try_one(a, 8));
    cr_assert_eq(memapi_failing_calls(&f), 4);
    cr_assert_eq(memapi_failing_failures(&f), 1);
    /* Counting restarts: the 3rd call after the reset fails again. */
    memapi_failing_reset_counters(&f);
    cr_assert_eq(memapi_failing_calls(&f), 0);
    cr_assert(try_one(a, 8));
    cr_assert(try_one(a, 8));
    cr_assert(!try_one(a, 8));
    memapi_failing_set_nth(&f, 0);
    cr_assert(try_one(a, 8));
}

Test(failing, every_call_after_n_fails)
{
    memapi_failing f = make(memapi_default());
    memapi_allocator a = memapi_failing_allocator(&f);
    memapi_failing_set_after(&f, 2);
    cr_assert(try_one(a, 8));
    cr_assert(try_one(a, 8));
    cr_assert(!try_one(a, 8));
    cr_assert(!try_one(a, 8));
    cr_assert_eq(memapi_failing_failures(&f), 2);
    memapi_failing_set_after(&f, 0);
    cr_assert(!try_one(a, 8));
    memapi_failing_set_after(&f, UINT64_MAX);
    cr_assert(try_one(a, 8));
    cr_assert_eq(memapi_failing_calls(&f), 6);
}

Test(failing, size_limit)
{
    memapi_failing f = make(memapi_default());
    memapi_allocator a = memapi_failing_allocator(&f);
    memapi_failing_set_max_size(&f, 64);
    cr_assert(try_one(a, 64));
    cr_assert(!try_one(a, 72));
    cr_assert(try_one(a, 0));
    memapi_failing_clear(&f);
    cr_assert(try_one(a, 72));
}

Test(failing, probability_is_seeded_and_reproducible)
{
    memapi_failing f = make(memapi_default());
    memapi_failing g = make(memapi_default());
    memapi_allocator a = memapi_failing_allocator(&f);
    memapi_allocator b = memapi_failing_allocator(&g);
    memapi_failing_set_probability(&f, 250000, 42);
    memapi_failing_set_probability(&g, 250000, 42);
    for (int i = 0; i < 2000; i++)
        cr_assert_eq(try_one(a, 16), try_one(b, 16), "call %d", i);
    uint64_t fails = memapi_failing_failures(&f);
    cr_assert(fails > 400 && fails < 600, "%llu failures of 2000 at 25%%", (unsigned long long)fails);
    /* Another seed gives another sequence. */
    memapi_failing_set_probability(&g, 250000, 43);
    int differ = 0;
    for (int i = 0; i < 200; i++)
        differ += try_one(a, 16) != try_one(b, 16);
    cr_assert(differ > 0);
    /* 1000000 ppm and above: always; 0: never. */
    memapi_failing_set_probability(&f, 2000000, 0);
    for (int i = 0; i < 50; i++)
        cr_assert(!try_one(a, 16));
    memapi_failing_set_probability(&f, 0, 7);
    for (int i = 0; i < 50; i++)
        cr_assert(try_one(a, 16));
}

Test(failing, injected_error_text)
{
    memapi_failing f = make(memapi_default());
    memapi_failing_set_nth(&f, 1);
    memapi_error e;
    cr_assert_null(memapi_alloc(memapi_failing_allocator(&f), L(32, 8), &e));
    char buf[128];
    memapi_error_format(&e, buf, sizeof buf);
    cr_assert_str_eq(buf, "allocation failed: Layout(size: 32, align: 8), cause: out of memory");
}

Test(failing, resize_is_one_counted_allocation_and_keeps_old_block_on_failure)
{
    memapi_failing f = make(memapi_default());
    memapi_allocator a = memapi_failing_allocator(&f);
    memapi_error e;
    char *p = memapi_alloc(a, L(16, 8), &e);
    memset(p, 0x3C, 16);
    memapi_failing_set_nth(&f, 2);
    cr_assert_null(memapi_grow(a, p, L(16, 8), L(64, 8), &e));
    expect_injected(&e, L(64, 8));
    cr_assert(all_eq(p, 16, 0x3C));
    cr_assert_eq(memapi_failing_calls(&f), 2);
    char *g = memapi_zgrow(a, p, L(16, 8), L(64, 8), &e);
    cr_assert_not_null(g);
    cr_assert(all_eq(g, 16, 0x3C));
    cr_assert(all_eq(g + 16, 48, 0));
    cr_assert_eq(memapi_failing_calls(&f), 3);
    /* Frees are forwarded and not counted. */
    cr_assert_eq(memapi_try_dealloc(a, g, L(64, 8), &e), MEMAPI_OK);
    cr_assert_eq(memapi_failing_calls(&f), 3);
}

Test(failing, capabilities_and_owns_follow_the_inner_allocator)
{
    memapi_failing f = make(memapi_default());
    memapi_allocator a = memapi_failing_allocator(&f);
    cr_assert_str_eq(a.vt->name, "failing");
    cr_assert_eq(memapi_caps(a), MEMAPI_CAP_DEALLOC | MEMAPI_CAP_REALLOC);
    cr_assert(memapi_is_full_alloc(a));
    memapi_error e;
    void *p = memapi_alloc(a, L(8, 8), &e);
    cr_assert_eq(memapi_checked_dealloc(a, p, L(8, 8), &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
    memapi_dealloc(a, p, L(8, 8));

    static _Alignas(64) char buf[256];
    memapi_bump b;
    cr_assert_eq(memapi_bump_init(&b, buf, sizeof buf, NULL), MEMAPI_OK);
    memapi_failing g = make(memapi_bump_allocator(&b));
    memapi_allocator ga = memapi_failing_allocator(&g);
    cr_assert_eq(memapi_caps(ga), 0xFFu);
    void *q = memapi_alloc(ga, L(8, 8), &e);
    cr_assert_eq(memapi_checked_dealloc(ga, q, L(8, 8), &e), MEMAPI_OK);
    int local;
    cr_assert_eq(memapi_checked_dealloc(ga, &local, L(4, 4), &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_INVALID_POINTER);
    cr_assert_str_eq(e.msg, "pointer not owned by this allocator");
}

Test(failing, inner_failure_passes_through_uncounted_as_injected)
{
    static char buf[64];
    memapi_bump b;
    cr_assert_eq(memapi_bump_init(&b, buf, sizeof buf, NULL), MEMAPI_OK);
    memapi_failing f = make(memapi_bump_allocator(&b));
    memapi_error e;
    cr_assert_null(memapi_alloc(memapi_failing_allocator(&f), L(100, 1), &e));
    expect_injected(&e, L(100, 1));
    cr_assert_eq(memapi_failing_calls(&f), 1);
    cr_assert_eq(memapi_failing_failures(&f), 0);
}

/* The conformance behaviours through failing(default), alignment 1..4096 both sides. */
Test(failing, conformance_behaviours_all_alignments)
{
    memapi_failing f = make(memapi_default());
    memapi_allocator a = memapi_failing_allocator(&f);
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
}

/* ---- every rule off: the one-test path counts exactly as the rules' path --------------------- */
Test(failing, counters_are_exact_whether_rules_are_on_or_off)
{
    memapi_failing f = make(memapi_default());
    memapi_allocator a = memapi_failing_allocator(&f);
    /* Rules off: every allocating call is counted, none fails. */
    for (int i = 0; i < 3; i++)
        cr_assert(try_one(a, 16));
    cr_assert_eq(memapi_failing_calls(&f), 3);
    /* The 5th call fails: numbering went on through the calls made with every rule off. */
    memapi_failing_set_nth(&f, 5);
    cr_assert(try_one(a, 16));
    cr_assert(!try_one(a, 16));
    cr_assert_eq(memapi_failing_calls(&f), 5);
    cr_assert_eq(memapi_failing_failures(&f), 1);
    /* Off again: counted, not failed, and failures kept. */
    memapi_failing_clear(&f);
    for (int i = 0; i < 4; i++)
        cr_assert(try_one(a, 1 << 20));
    cr_assert_eq(memapi_failing_calls(&f), 9);
    cr_assert_eq(memapi_failing_failures(&f), 1);
    /* Each rule set to its "off" value leaves every rule off. */
    memapi_failing_set_nth(&f, 0);
    memapi_failing_set_after(&f, UINT64_MAX);
    memapi_failing_set_probability(&f, 0, 77);
    memapi_failing_set_max_size(&f, SIZE_MAX);
    cr_assert(try_one(a, 64));
    cr_assert_eq(memapi_failing_calls(&f), 10);
    cr_assert_eq(memapi_failing_failures(&f), 1);
    /* Turning one rule on and another off keeps the first one on. */
    memapi_failing_set_max_size(&f, 100);
    memapi_failing_set_nth(&f, 0);
    cr_assert(!try_one(a, 101));
    cr_assert(try_one(a, 100));
    cr_assert_eq(memapi_failing_calls(&f), 12);
    cr_assert_eq(memapi_failing_failures(&f), 2);
    /* zalloc and a resize's allocation count once each with every rule off, frees never. */
    memapi_failing_clear(&f);
    memapi_failing_reset_counters(&f);
    memapi_error e;
    unsigned char *z = memapi_zalloc(a, L(32, 8), &e);
    cr_assert(all_eq(z, 32, 0));
    z = memapi_grow(a, z, L(32, 8), L(96, 8), &e);
    cr_assert_not_null(z);
    memapi_dealloc(a, z, L(96, 8));
    cr_assert_eq(memapi_failing_calls(&f), 2);
    cr_assert_eq(memapi_failing_failures(&f), 0);
}

/* An inner allocator without a dealloc entry, counting its frees. */
static int plain_frees;
static void *plain_alloc(void *self, memapi_layout l, memapi_error *err)
{
    (void)self;
    return memapi_alloc(memapi_default(), l, err);
}
static memapi_status plain_free(void *self, void *p, memapi_layout l, memapi_error *err)
{
    (void)self;
    plain_frees++;
    return memapi_try_dealloc(memapi_default(), p, l, err);
}
static const memapi_alloc_vtable plain_vt = {
    .name = "plain", .caps = MEMAPI_CAP_DEALLOC, .alloc = plain_alloc, .try_dealloc = plain_free};

Test(failing, dealloc_entry_present_iff_the_inner_allocator_has_one)
{
    memapi_failing d = make(memapi_default());
    cr_assert_not_null(memapi_failing_allocator(&d).vt->dealloc);
    memapi_failing p = make((memapi_allocator){&plain_vt, NULL});
    memapi_allocator a = memapi_failing_allocator(&p);
    cr_assert_null(a.vt->dealloc);
    plain_frees = 0;
    cr_assert(try_one(a, 48));
    cr_assert_eq(plain_frees, 1, "memapi_dealloc frees through try_dealloc");
    cr_assert_eq(memapi_failing_calls(&p), 1);
}
