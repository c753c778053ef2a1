/*
 * The bump arena (bump.h): init errors, the inline and outline allocation paths, exhaustion, LIFO
 * free, in-place and fallback resizes, mark/rewind/reset, owns, the counters, the allocator value
 * through the dispatch (the conformance behaviours), and ASan poisoning of the free arena space.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>
#include "memapi2.h"

#define MAX MEMAPI_USIZE_MAX_NO_HIGH_BIT
#define NOT_OWNED "pointer not owned by this allocator"

static _Alignas(4096) char arena_buf[1 << 20];

static memapi_layout L(size_t size, size_t align)
{
    memapi_layout l = {size, align};
    return l;
}

static memapi_bump fresh(char *buf, size_t cap)
{
    memapi_bump b;
    memapi_error e;
    cr_assert_eq(memapi_bump_init(&b, buf, cap, &e), MEMAPI_OK);
    cr_assert(memapi_bump_is_valid(&b));
    return b;
}

static void fill(void *p, size_t n, unsigned char v)
{
    memset(p, v, n);
}

static bool all_eq(const void *p, size_t n, unsigned char v)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        if (c[i] != v)
            return false;
    return true;
}

static size_t off_of(const memapi_bump *b, const void *p)
{
    return (size_t)((const char *)p - b->base);
}

static void expect_bad_ptr(const memapi_error *e, const void *ptr, const char *msg)
{
    cr_assert_eq(e->kind, MEMAPI_E_INVALID_POINTER);
    cr_assert_eq(e->ptr, ptr);
    cr_assert_str_eq(e->msg, msg);
}

static void expect_oom(const memapi_error *e, memapi_layout l)
{
    cr_assert_eq(e->kind, MEMAPI_E_ALLOC_FAILED);
    cr_assert_eq(e->layout.size, l.size);
    cr_assert_eq(e->layout.align, l.align);
    cr_assert_eq(e->cause.kind, MEMAPI_CAUSE_OUT_OF_MEMORY);
}

Test(bump, init_errors_leave_the_arena_untouched)
{
    memapi_bump b = {0};
    memapi_error e;
    cr_assert_eq(memapi_bump_init(&b, NULL, 16, &e), MEMAPI_ERROR);
    expect_bad_ptr(&e, NULL, "null buffer");
    cr_assert_eq(memapi_bump_init(&b, arena_buf, MAX + 1, &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_LAYOUT);
    cr_assert_eq(e.layout_err.kind, MEMAPI_LE_EXCEEDS_MAX);
    cr_assert_eq(e.layout_err.size, MAX + 1);
    cr_assert_eq(e.layout_err.align, 1);
    cr_assert_eq(e.layout_err.n, 1);
    void *high = (void *)(UINTPTR_MAX - 15);
    cr_assert_eq(memapi_bump_init(&b, high, 64, &e), MEMAPI_ERROR);
    expect_bad_ptr(&e, high, "buffer wraps around the address space");
    cr_assert_null(b.base);
    cr_assert_eq(b.cap, 0);
}

Test(bump, empty_arena_from_null_buffer)
{
    memapi_bump b = fresh(NULL, 0);
    memapi_error e;
    cr_assert_eq(memapi_bump_alloc(&b, L(0, 8), &e), (void *)8);
    cr_assert_null(memapi_bump_alloc(&b, L(1, 1), &e));
    expect_oom(&e, L(1, 1));
    cr_assert_eq(memapi_bump_remaining(&b), 0);
}

Test(bump, allocates_in_order_with_address_alignment)
{
    /* base + 1 is odd: alignment must come from the address, not from the offset. */
    memapi_bump b = fresh(arena_buf + 1, 16384);
    memapi_error e;
    char *p1 = memapi_bump_alloc(&b, L(3, 1), &e);
    cr_assert_eq(p1, arena_buf + 1);
    cr_assert_eq(memapi_bump_used(&b), 3);
    char *p2 = memapi_bump_alloc(&b, L(8, 8), &e);
    cr_assert_eq(p2, arena_buf + 8);
    cr_assert_eq(memapi_bump_used(&b), 15);
    for (size_t align = 1; align <= 4096; align *= 2) {
        char *p = memapi_bump_alloc(&b, L(5, align), &e);
        cr_assert_not_null(p, "align %zu", align);
        cr_assert_eq((uintptr_t)p % align, 0, "align %zu", align);
        cr_assert_eq(off_of(&b, p) + 5, memapi_bump_used(&b));
    }
    cr_assert_eq(memapi_bump_used(&b) + memapi_bump_remaining(&b), 16384);
    cr_assert(memapi_bump_is_valid(&b));
}

Test(bump, zero_size_returns_dangling_and_uses_nothing)
{
    memapi_bump b = fresh(arena_buf, 64);
    memapi_error e;
    cr_assert_eq(memapi_bump_alloc(&b, L(0, 1), &e), (void *)1);
    cr_assert_eq(memapi_bump_alloc(&b, L(0, 4096), &e), (void *)4096);
    cr_assert_eq(memapi_bump_zalloc(&b, L(0, 16), &e), (void *)16);
    cr_assert_eq(memapi_bump_used(&b), 0);
    cr_assert_eq(memapi_bump_try_dealloc(&b, (void *)16, L(0, 16), &e), MEMAPI_OK);
}

Test(bump, invalid_layout_is_a_layout_error)
{
    memapi_bump b = fresh(arena_buf, 64);
    memapi_error e;
    cr_assert_null(memapi_bump_alloc(&b, L(8, 3), &e));
    cr_assert_eq(e.kind, MEMAPI_E_LAYOUT);
    cr_assert_eq(e.layout_err.kind, MEMAPI_LE_NON_POW2_ALIGN);
    cr_assert_null(memapi_bump_zalloc(&b, L(8, 0), &e));
    cr_assert_eq(e.layout_err.kind, MEMAPI_LE_ZERO_ALIGN);
    cr_assert_null(memapi_bump_alloc(&b, L(MAX, 2), &e));
    cr_assert_eq(e.layout_err.kind, MEMAPI_LE_EXCEEDS_MAX);
    cr_assert_eq(memapi_bump_try_dealloc(&b, arena_buf, L(1, 3), &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_LAYOUT);
    cr_assert_eq(memapi_bump_owns(&b, arena_buf, L(1, 0), &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_LAYOUT);
    cr_assert_eq(memapi_bump_used(&b), 0);
}

Test(bump, exhaustion_is_out_of_memory_and_changes_nothing)
{
    memapi_bump b = fresh(arena_buf, 64);
    memapi_error e;
    cr_assert_not_null(memapi_bump_alloc(&b, L(60, 1), &e));
    cr_assert_null(memapi_bump_alloc(&b, L(5, 1), &e));
    expect_oom(&e, L(5, 1));
    /* 4 bytes remain but the padding to 8 does not fit. */
    cr_assert_null(memapi_bump_zalloc(&b, L(4, 8), &e));
    expect_oom(&e, L(4, 8));
    cr_assert_eq(memapi_bump_used(&b), 60);
    cr_assert_not_null(memapi_bump_alloc(&b, L(4, 4), &e));
    cr_assert_eq(memapi_bump_remaining(&b), 0);
    cr_assert_null(memapi_bump_alloc(&b, L(MAX, 1), &e));
    expect_oom(&e, L(MAX, 1));
}

Test(bump, zalloc_zeroes_reused_space)
{
    memapi_bump b = fresh(arena_buf, 256);
    memapi_error e;
    char *p = memapi_bump_alloc(&b, L(100, 4), &e);
    fill(p, 100, 0xAB);
    cr_assert_eq(memapi_bump_try_dealloc(&b, p, L(100, 4), &e), MEMAPI_OK);
    char *q = memapi_bump_zalloc(&b, L(100, 4), &e);
    cr_assert_eq(q, p);
    cr_assert(all_eq(q, 100, 0));
}

Test(bump, lifo_dealloc_gives_back_only_the_most_recent_block)
{
    memapi_bump b = fresh(arena_buf + 1, 1024);
    memapi_error e;
    char *a = memapi_bump_alloc(&b, L(10, 1), &e);
    char *c = memapi_bump_alloc(&b, L(32, 16), &e);
    size_t after_a = off_of(&b, a) + 10;
    /* An older block: no-op. */
    cr_assert_eq(memapi_bump_try_dealloc(&b, a, L(10, 1), &e), MEMAPI_OK);
    cr_assert_eq(memapi_bump_used(&b), off_of(&b, c) + 32);
    /* The most recent block: its space and its padding come back. */
    cr_assert_eq(memapi_bump_try_dealloc(&b, c, L(32, 16), &e), MEMAPI_OK);
    cr_assert_eq(memapi_bump_used(&b), after_a);
    /* Freeing it twice: it lies past the used part now. Freeing a now changes nothing. */
    cr_assert_eq(memapi_bump_try_dealloc(&b, c, L(32, 16), &e), MEMAPI_ERROR);
    expect_bad_ptr(&e, c, NOT_OWNED);
    cr_assert_eq(memapi_bump_try_dealloc(&b, a, L(10, 1), &e), MEMAPI_OK);
    cr_assert_eq(memapi_bump_used(&b), after_a);
    /* A wrong layout for the most recent block is not taken for it. */
    char *d = memapi_bump_alloc(&b, L(32, 16), &e);
    cr_assert_eq(d, c);
    cr_assert_eq(memapi_bump_try_dealloc(&b, d, L(31, 16), &e), MEMAPI_OK);
    cr_assert_eq(memapi_bump_used(&b), off_of(&b, d) + 32);
    cr_assert_eq(memapi_bump_peak(&b), off_of(&b, c) + 32);
}

Test(bump, dealloc_of_a_foreign_pointer_is_invalid)
{
    memapi_bump b = fresh(arena_buf, 128);
    memapi_error e;
    char *p = memapi_bump_alloc(&b, L(16, 8), &e);
    char other[16];
    cr_assert_eq(memapi_bump_try_dealloc(&b, other, L(16, 1), &e), MEMAPI_ERROR);
    expect_bad_ptr(&e, other, NOT_OWNED);
    /* Inside the buffer but past the used part. */
    cr_assert_eq(memapi_bump_try_dealloc(&b, p + 16, L(8, 8), &e), MEMAPI_ERROR);
    expect_bad_ptr(&e, p + 16, NOT_OWNED);
    cr_assert_eq(memapi_bump_used(&b), 16);
}

Test(bump, mark_rewind_reset_and_peak)
{
    memapi_bump b = fresh(arena_buf, 4096);
    memapi_error e;
    cr_assert_not_null(memapi_bump_alloc(&b, L(100, 1), &e));
    size_t m = memapi_bump_mark(&b);
    cr_assert_eq(m, 100);
    cr_assert_not_null(memapi_bump_alloc(&b, L(200, 8), &e));
    cr_assert_not_null(memapi_bump_alloc(&b, L(300, 64), &e));
    size_t high = memapi_bump_used(&b);
    size_t m2 = memapi_bump_mark(&b);
    cr_assert_eq(memapi_bump_rewind(&b, m, &e), MEMAPI_OK);
    cr_assert_eq(memapi_bump_used(&b), 100);
    cr_assert_eq(memapi_bump_peak(&b), high);
    /* The later mark now lies beyond the offset. */
    cr_assert_eq(memapi_bump_rewind(&b, m2, &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_OTHER);
    cr_assert_str_eq(e.msg, "bump mark beyond the current offset");
    cr_assert_eq(memapi_bump_used(&b), 100);
    /* Rewinding to the current offset is allowed and changes nothing. */
    cr_assert_eq(memapi_bump_rewind(&b, 100, &e), MEMAPI_OK);
    char *p = memapi_bump_alloc(&b, L(1, 1), &e);
    cr_assert_eq(p, arena_buf + 100);
    memapi_bump_reset(&b);
    cr_assert_eq(memapi_bump_used(&b), 0);
    cr_assert_eq(memapi_bump_remaining(&b), 4096);
    cr_assert_eq(memapi_bump_peak(&b), high);
    cr_assert_eq(memapi_bump_alloc(&b, L(8, 8), &e), arena_buf);
    cr_assert(memapi_bump_is_valid(&b));
    memapi_bump_release(&b);
    cr_assert_eq(memapi_bump_remaining(&b), 0);
    cr_assert(memapi_bump_is_valid(&b));
}

Test(bump, owns_checks_range_and_alignment)
{
    memapi_bump b = fresh(arena_buf, 256);
    memapi_error e;
    char *p = memapi_bump_alloc(&b, L(32, 16), &e);
    char *q = memapi_bump_alloc(&b, L(8, 8), &e);
    cr_assert_eq(memapi_bump_owns(&b, p, L(32, 16), &e), MEMAPI_OK);
    cr_assert_eq(memapi_bump_owns(&b, q, L(8, 8), &e), MEMAPI_OK);
    cr_assert_eq(memapi_bump_owns(&b, (void *)16, L(0, 16), &e), MEMAPI_OK);
    cr_assert_eq(memapi_bump_owns(&b, p + 1, L(4, 2), &e), MEMAPI_ERROR);
    expect_bad_ptr(&e, p + 1, NOT_OWNED);
    cr_assert_eq(memapi_bump_owns(&b, q, L(16, 8), &e), MEMAPI_ERROR);
    expect_bad_ptr(&e, q, NOT_OWNED);
    cr_assert_eq(memapi_bump_owns(&b, q + 8, L(1, 1), &e), MEMAPI_ERROR);
    expect_bad_ptr(&e, q + 8, NOT_OWNED);
    int local;
    cr_assert_eq(memapi_bump_owns(&b, &local, L(4, 4), &e), MEMAPI_ERROR);
    expect_bad_ptr(&e, &local, NOT_OWNED);
}

Test(bump, allocator_value_and_capabilities)
{
    memapi_bump b = fresh(arena_buf, 256);
    memapi_allocator a = memapi_bump_allocator(&b);
    cr_assert_str_eq(a.vt->name, "bump");
    cr_assert_eq(memapi_caps(a), 0xFFu);
    cr_assert_eq(memapi_caps(a) & MEMAPI_CAP_SHARED, 0);
    cr_assert(memapi_is_basic_alloc(a));
    cr_assert(memapi_is_full_alloc(a));
    memapi_error e;
    void *p = memapi_alloc(a, L(24, 8), &e);
    cr_assert_eq(p, arena_buf);
    cr_assert_eq(memapi_checked_dealloc(a, p, L(24, 8), &e), MEMAPI_OK);
    cr_assert_eq(memapi_bump_used(&b), 0);
    int local;
    cr_assert_eq(memapi_checked_dealloc(a, &local, L(4, 4), &e), MEMAPI_ERROR);
    expect_bad_ptr(&e, &local, NOT_OWNED);
    cr_assert_null(memapi_checked_grow(a, &local, L(4, 4), L(8, 4), &e));
    expect_bad_ptr(&e, &local, NOT_OWNED);
}

Test(bump, most_recent_block_resizes_in_place)
{
    memapi_bump b = fresh(arena_buf, 1024);
    memapi_allocator a = memapi_bump_allocator(&b);
    memapi_error e;
    char *p = memapi_alloc(a, L(16, 8), &e);
    fill(p, 16, 0x5A);
    char *g = memapi_grow(a, p, L(16, 8), L(64, 8), &e);
    cr_assert_eq(g, p);
    cr_assert(all_eq(g, 16, 0x5A));
    cr_assert_eq(memapi_bump_used(&b), 64);
    fill(g + 16, 48, 0xEE);
    char *z = memapi_zgrow(a, g, L(64, 8), L(128, 8), &e);
    cr_assert_eq(z, p);
    cr_assert(all_eq(z, 16, 0x5A));
    cr_assert(all_eq(z + 16, 48, 0xEE));
    cr_assert(all_eq(z + 64, 64, 0));
    char *s = memapi_shrink(a, z, L(128, 8), L(8, 8), &e);
    cr_assert_eq(s, p);
    cr_assert(all_eq(s, 8, 0x5A));
    cr_assert_eq(memapi_bump_used(&b), 8);
    cr_assert_eq(memapi_bump_peak(&b), 128);
    /* A higher alignment the address already has stays in place. */
    char *r = memapi_realloc(a, s, L(8, 8), L(32, 1024), &e);
    cr_assert_eq(r, p);
    char *rz = memapi_rezalloc(a, r, L(32, 1024), L(40, 1024), &e);
    cr_assert_eq(rz, p);
    cr_assert(all_eq(rz + 32, 8, 0));
    /* Too big to stay: out of memory with the new layout, the block intact. */
    cr_assert_null(memapi_grow(a, rz, L(40, 1024), L(2048, 1024), &e));
    expect_oom(&e, L(2048, 1024));
    cr_assert(all_eq(rz, 8, 0x5A));
    cr_assert_eq(memapi_bump_used(&b), 40);
    /* After the in-place resizes it is still the most recent block, under its latest layout. */
    cr_assert_eq(memapi_bump_owns(&b, rz, L(40, 1024), &e), MEMAPI_OK);
    cr_assert_eq(memapi_bump_try_dealloc(&b, rz, L(40, 1024), &e), MEMAPI_OK);
    cr_assert_eq(memapi_bump_used(&b), 0);
}

Test(bump, other_blocks_resize_by_moving)
{
    memapi_bump b = fresh(arena_buf, 1024);
    memapi_allocator a = memapi_bump_allocator(&b);
    memapi_error e;
    char *p = memapi_alloc(a, L(16, 8), &e);
    char *q = memapi_alloc(a, L(16, 8), &e);
    fill(p, 16, 0x11);
    fill(q, 16, 0x22);
    char *g = memapi_zgrow(a, p, L(16, 8), L(48, 8), &e);
    cr_assert_eq(g, q + 16);
    cr_assert(all_eq(g, 16, 0x11));
    cr_assert(all_eq(g + 16, 32, 0));
    cr_assert(all_eq(q, 16, 0x22));
    /* The most recent block at an address without the new alignment moves too. */
    char *h = memapi_realloc(a, g, L(48, 8), L(48, 512), &e);
    cr_assert_neq(h, g);
    cr_assert_eq((uintptr_t)h % 512, 0);
    cr_assert(all_eq(h, 16, 0x11));
    /* A move that does not fit: out of memory, old block intact. */
    cr_assert_null(memapi_grow(a, q, L(16, 8), L(1000, 8), &e));
    expect_oom(&e, L(1000, 8));
    cr_assert(all_eq(q, 16, 0x22));
    /* Shrinking to size 0 returns the dangling pointer. */
    cr_assert_eq(memapi_shrink(a, q, L(16, 8), L(0, 8), &e), (void *)8);
    /* Growing from size 0 allocates. */
    char *n = memapi_zgrow(a, (void *)8, L(0, 8), L(8, 8), &e);
    cr_assert_not_null(n);
    cr_assert(all_eq(n, 8, 0));
}

/* The conformance behaviours through the dispatch, alignment 1..4096 both sides. */
Test(bump, conformance_behaviours_all_alignments)
{
    memapi_bump b = fresh(arena_buf, sizeof arena_buf);
    memapi_allocator a = memapi_bump_allocator(&b);
    memapi_error e;
    for (size_t oa = 1; oa <= 4096; oa *= 2) {
        for (size_t na = oa; na <= 4096; na *= 2) {
            char *p = memapi_zalloc(a, L(24, oa), &e);
            cr_assert_not_null(p);
            cr_assert_eq((uintptr_t)p % oa, 0);
            cr_assert(all_eq(p, 24, 0));
            fill(p, 24, 0x77);
            char *other = memapi_alloc(a, L(1, 1), &e); /* so that p is not the most recent block */
            char *g = memapi_zgrow(a, p, L(24, oa), L(100, na), &e);
            cr_assert_not_null(g);
            cr_assert_eq((uintptr_t)g % na, 0);
            cr_assert(all_eq(g, 24, 0x77));
            cr_assert(all_eq(g + 24, 76, 0));
            char *s = memapi_shrink(a, g, L(100, na), L(10, na), &e);
            cr_assert(all_eq(s, 10, 0x77));
            char *r = memapi_realloc(a, s, L(10, na), L(30, na), &e);
            cr_assert(all_eq(r, 10, 0x77));
            memapi_dealloc(a, r, L(30, na));
            memapi_dealloc(a, other, L(1, 1));
            memapi_bump_reset(&b);
        }
    }
}

Test(bump, resize_of_a_foreign_pointer_is_invalid)
{
    memapi_bump b = fresh(arena_buf, 128);
    memapi_allocator a = memapi_bump_allocator(&b);
    memapi_error e;
    cr_assert_not_null(memapi_alloc(a, L(8, 8), &e));
    _Alignas(8) char other[8];
    cr_assert_null(memapi_grow(a, other, L(8, 8), L(16, 8), &e));
    expect_bad_ptr(&e, other, NOT_OWNED);
    cr_assert_eq(memapi_bump_used(&b), 8);
}

#if MEMAPI__BUMP_ASAN
#include <sanitizer/asan_interface.h>
#include <unistd.h>

Test(bump, asan_poisons_free_space)
{
    memapi_bump b = fresh(arena_buf, 256);
    memapi_error e;
    cr_assert(__asan_address_is_poisoned(arena_buf));
    char *p = memapi_bump_alloc(&b, L(32, 8), &e);
    cr_assert(!__asan_address_is_poisoned(p));
    cr_assert(!__asan_address_is_poisoned(p + 31));
    cr_assert(__asan_address_is_poisoned(p + 32));
    char *q = memapi_bump_alloc(&b, L(16, 8), &e);
    cr_assert(!__asan_address_is_poisoned(q + 15));
    cr_assert_eq(memapi_bump_try_dealloc(&b, q, L(16, 8), &e), MEMAPI_OK);
    cr_assert(__asan_address_is_poisoned(q));
    char *g = memapi_bump_alloc(&b, L(8, 8), &e);
    cr_assert(!__asan_address_is_poisoned(g + 7));
    cr_assert(__asan_address_is_poisoned(g + 8));
    memapi_bump_reset(&b);
    cr_assert(__asan_address_is_poisoned(p));
    memapi_bump_release(&b);
    cr_assert(!__asan_address_is_poisoned(arena_buf + 100));
}

static void exit_42(void)
{
    _exit(42);
}

/* A write one byte past a block lands in free arena space: ASan must stop the program. */
Test(bump, asan_reports_overflow_into_free_space, .exit_code = 42)
{
    __asan_set_death_callback(exit_42);
    memapi_bump b = fresh(arena_buf, 256);
    memapi_error e;
    volatile char *p = memapi_bump_alloc(&b, L(32, 8), &e);
    p[0] = 1;
    p[32] = 1;
}
#endif
