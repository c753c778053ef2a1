/* c_alloc specifics (spec 5.3, 7.3, 7.8 "CAlloc specifics", DESIGN.md decision 3). */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "memapi2.h"

#if MEMAPI_C_ALLOC
#define MAX MEMAPI_USIZE_MAX_NO_HIGH_BIT
#define PTR MEMAPI_PTR_SIZE

/*
 * The huge requests below must come back as NULL from the sanitizer's heap, as they do from
 * glibc's, instead of stopping the process: the tests check the error those NULLs produce.
 * mk/test.mk sets no allocator option, so this binary sets it here (only once in the binary).
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}

static memapi_layout L(size_t size, size_t align)
{
    return (memapi_layout){size, align};
}

static void expect_alloc_failed(const memapi_error *e, memapi_layout l, int os_errno)
{
    cr_assert_eq(e->kind, MEMAPI_E_ALLOC_FAILED, "kind %d", (int)e->kind);
    cr_assert_eq(e->layout.size, l.size, "error layout size %zu, expected %zu", e->layout.size, l.size);
    cr_assert_eq(e->layout.align, l.align, "error layout align %zu, expected %zu", e->layout.align, l.align);
    cr_assert_eq(e->cause.kind, MEMAPI_CAUSE_OS_ERR, "cause %d", (int)e->cause.kind);
    cr_assert_eq(e->cause.os_errno, os_errno, "errno %d", e->cause.os_errno);
}

/* (MAX-100, 1) is adjusted to (MAX-100, 8) and fails in malloc; the error carries the ADJUSTED layout. */
Test(c_alloc, huge_request_error_carries_adjusted_layout)
{
    memapi_error e;
    errno = 0;
    cr_assert_null(memapi_alloc(memapi_c_alloc(), L(MAX - 100, 1), &e));
#if MEMAPI_OS_ERR_REPORTING
    expect_alloc_failed(&e, L(MAX - 100, 8), 12);
    char buf[200];
    memapi_error_format(&e, buf, sizeof buf);
    char want[200];
    snprintf(want, sizeof want,
             "allocation failed: Layout(size: %zu, align: 8), cause: os error: Cannot allocate memory (os error 12)",
             (size_t)(MAX - 100));
    cr_assert_str_eq(buf, want);
#else
    cr_assert_eq(e.kind, MEMAPI_E_ALLOC_FAILED);
    cr_assert(e.layout.size == MAX - 100 && e.layout.align == 8);
    cr_assert_eq(e.cause.kind, MEMAPI_CAUSE_UNKNOWN);
#endif
    cr_assert_null(memapi_zalloc(memapi_c_alloc(), L(MAX - 100, 2), &e));
    cr_assert_eq(e.kind, MEMAPI_E_ALLOC_FAILED);
    cr_assert(e.layout.size == MAX - 100 && e.layout.align == 8, "zalloc error layout (%zu, %zu)", e.layout.size,
              e.layout.align);
}

/* posix_memalign's status is reported as OSErr whatever MEMAPI_OS_ERR_REPORTING says. */
Test(c_alloc, posix_memalign_status_is_os_error)
{
    memapi_error e;
    cr_assert_null(memapi_alloc(memapi_c_alloc(), L(MAX - 4096, 4096), &e));
    expect_alloc_failed(&e, L(MAX - 4096, 4096), 12);
    cr_assert_null(memapi_zalloc(memapi_c_alloc(), L(MAX - 4096, 4096), &e));
    expect_alloc_failed(&e, L(MAX - 4096, 4096), 12);
}

static void expect_exceeds_max_ptr(const memapi_error *e)
{
    cr_assert_eq(e->kind, MEMAPI_E_LAYOUT, "kind %d", (int)e->kind);
    cr_assert_eq(e->layout_err.kind, MEMAPI_LE_EXCEEDS_MAX);
    cr_assert_eq(e->layout_err.size, MAX);
    cr_assert_eq(e->layout_err.align, PTR);
    cr_assert_eq(e->layout_err.n, 1);
}

Test(c_alloc, max_size_align_1_fails_before_any_c_call)
{
    memapi_error e;
    cr_assert_null(memapi_alloc(memapi_c_alloc(), L(MAX, 1), &e));
    expect_exceeds_max_ptr(&e);
    cr_assert_null(memapi_zalloc(memapi_c_alloc(), L(MAX, 1), &e));
    expect_exceeds_max_ptr(&e);
}

Test(c_alloc, try_dealloc_with_unadjustable_layout_fails_without_freeing)
{
    memapi_error e;
    unsigned char *p = memapi_alloc(memapi_c_alloc(), L(16, 1), &e);
    cr_assert_not_null(p);
    memset(p, 0x21, 16);
    cr_assert_eq(memapi_try_dealloc(memapi_c_alloc(), p, L(MAX, 1), &e), MEMAPI_ERROR);
    expect_exceeds_max_ptr(&e);
    /* Not freed: ASan would report this read as a use after free and the dealloc as a double free. */
    cr_assert_eq(p[15], 0x21);
    memapi_dealloc(memapi_c_alloc(), p, L(16, 1));
}

static char dealloc_msg[300];

static void expect_dealloc_msg(const char *msg)
{
    if (strcmp(msg, dealloc_msg) == 0)
        abort();
    fprintf(stderr, "unexpected fatal message:\n  got:      %s\n  expected: %s\n", msg, dealloc_msg);
    exit(3);
}

Test(c_alloc, dealloc_with_unadjustable_layout_aborts, .signal = SIGABRT)
{
    snprintf(dealloc_msg, sizeof dealloc_msg,
             "deallocation of block at 0x10 with layout Layout { size: %zu, align: 1 } failed: layout error: size "
             "%zu would exceed %zu when rounded up to a multiple of %zu",
             (size_t)MAX, (size_t)MAX, (size_t)MAX, (size_t)PTR);
    memapi_set_fatal_hook(expect_dealloc_msg);
    memapi_dealloc(memapi_c_alloc(), (void *)0x10, L(MAX, 1));
    exit(4);
}

/* DESIGN decision 3: the caller's dangling pointer, not the adjusted layout's, and no C call. */
Test(c_alloc, zero_size_returns_callers_dangling_pointer)
{
    memapi_error e;
    cr_assert_eq(memapi_alloc(memapi_c_alloc(), L(0, 1), &e), (void *)1);
    cr_assert_eq(memapi_zalloc(memapi_c_alloc(), L(0, 2), &e), (void *)2);
    cr_assert_eq(memapi_alloc(memapi_c_alloc(), L(0, 4096), &e), (void *)4096);
    cr_assert_eq(memapi_try_dealloc(memapi_c_alloc(), (void *)1, L(0, 1), &e), MEMAPI_OK);
    /* A zero-size layout with a non-dangling pointer is a no-op too (nothing to free). */
    cr_assert_eq(memapi_try_dealloc(memapi_c_alloc(), (void *)0x40, L(0, 8), &e), MEMAPI_OK);
}

/* Both paths: malloc for (size >= adjusted align <= MIN_ALIGN), posix_memalign otherwise. */
Test(c_alloc, both_paths_align_and_zero)
{
    const size_t sizes[] = {1, 3, 4, 7, 8, 15, 16, 17, 100, 4096};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        for (size_t align = 1; align <= 4096; align <<= 1) {
            memapi_error e;
            memapi_layout l = L(sizes[s], align);
            unsigned char *p = memapi_alloc(memapi_c_alloc(), l, &e);
            cr_assert_not_null(p, "(%zu, %zu)", l.size, l.align);
            cr_assert_eq((uintptr_t)p % (align < PTR ? PTR : align), 0, "(%zu, %zu) at %p", l.size, l.align, p);
            memset(p, 0xFF, l.size);
            memapi_dealloc(memapi_c_alloc(), p, l);
            unsigned char *z = memapi_zalloc(memapi_c_alloc(), l, &e);
            cr_assert_not_null(z);
            for (size_t i = 0; i < l.size; i++)
                cr_assert_eq(z[i], 0, "(%zu, %zu) byte %zu", l.size, l.align, i);
            memapi_dealloc(memapi_c_alloc(), z, l);
        }
    }
}

/* ---- shrink keeps the block when it can (c_alloc.h) --------------------------------------------- */
static void fill(unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(i * 7 + 1);
}

static bool filled(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(i * 7 + 1))
            return false;
    return true;
}

Test(c_alloc, shrink_keeps_the_block_and_it_is_freed_with_the_new_layout)
{
    memapi_allocator c = memapi_c_alloc();
    memapi_error e;
    unsigned char *p = memapi_alloc(c, L(200, 8), &e);
    cr_assert_not_null(p);
    fill(p, 200);
    /* At least half stays in use, the block is aligned to the new alignment: the same block. */
    unsigned char *q = memapi_shrink(c, p, L(200, 8), L(120, 8), &e);
    cr_assert_eq(q, p);
    cr_assert(filled(q, 120));
    /* The alignment may grow when the block already has it (malloc's blocks are 16-aligned). */
    q = memapi_shrink(c, q, L(120, 8), L(100, 16), &e);
    cr_assert_eq(q, p);
    cr_assert(filled(q, 100));
    /* Owned with the new layout: try_dealloc with it frees the block (LeakSanitizer checks it). */
    cr_assert_eq(memapi_try_dealloc(c, q, L(100, 16), &e), MEMAPI_OK);
}

Test(c_alloc, shrink_to_less_than_half_returns_the_tail_and_keeps_the_bytes)
{
    memapi_allocator c = memapi_c_alloc();
    memapi_error e;
    unsigned char *p = memapi_alloc(c, L(4096, 8), &e);
    cr_assert_not_null(p);
    fill(p, 4096);
    unsigned char *q = memapi_shrink(c, p, L(4096, 8), L(100, 8), &e);
    cr_assert_not_null(q);
    cr_assert_eq((uintptr_t)q % 8, 0);
    cr_assert(filled(q, 100));
    cr_assert_eq(memapi_try_dealloc(c, q, L(100, 8), &e), MEMAPI_OK);
}

Test(c_alloc, shrink_over_aligned_blocks_and_to_size_zero)
{
    memapi_allocator c = memapi_c_alloc();
    memapi_error e;
    /* posix_memalign's block: kept as it is, even when less than half stays in use. */
    unsigned char *p = memapi_alloc(c, L(8192, 4096), &e);
    cr_assert_not_null(p);
    fill(p, 8192);
    unsigned char *q = memapi_shrink(c, p, L(8192, 4096), L(64, 4096), &e);
    cr_assert_eq(q, p);
    cr_assert(filled(q, 64));
    /* A larger alignment the block does not have: a fresh block with it, the bytes copied. */
    unsigned char *r = memapi_shrink(c, q, L(64, 4096), L(32, (size_t)1 << 16), &e);
    cr_assert_not_null(r);
    cr_assert_eq((uintptr_t)r % ((size_t)1 << 16), 0);
    cr_assert(filled(r, 32));
    /* To size 0: the dangling pointer, and the old block freed (else LeakSanitizer reports it). */
    void *z = memapi_shrink(c, r, L(32, (size_t)1 << 16), L(0, (size_t)1 << 16), &e);
    cr_assert_eq(z, (void *)((size_t)1 << 16));
    cr_assert_eq(memapi_try_dealloc(c, z, L(0, (size_t)1 << 16), &e), MEMAPI_OK);
}

Test(c_alloc, vtable_shape)
{
    const memapi_alloc_vtable *vt = memapi_c_alloc().vt;
    cr_assert_str_eq(vt->name, "c_alloc");
    cr_assert_null(memapi_c_alloc().self);
    cr_assert(vt->alloc && vt->zalloc && vt->try_dealloc);
    cr_assert(vt->shrink, "shrink keeps the block when it can");
    cr_assert(!vt->grow && !vt->zgrow && !vt->realloc && !vt->rezalloc, "the other resizes are the defaults");
    cr_assert(!vt->owns && !vt->alloc_temp);
}
#endif /* MEMAPI_C_ALLOC */
