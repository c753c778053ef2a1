/*
 * The default allocator's failure paths and its promise to leave *err alone on success
 * (include/memapi2/default.h: ALLOC_FAILED with the caller's layout, the new layout for a resize,
 * cause `os error` with errno; alloc.h: "*err is untouched on success"; a failed resize leaves the
 * old block intact). These run through the inline fast paths of alloc.h, the way a caller's code
 * reaches the default allocator's reporting functions.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include "memapi2.h"

#define MAX MEMAPI_USIZE_MAX_NO_HIGH_BIT

#if !MEMAPI_C_ALLOC
/* The huge requests below must come back as NULL from the sanitizer's heap instead of stopping the
   process. tests/test_c_alloc.c sets the option for the whole test binary when it is compiled in. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}
#endif

static memapi_layout L(size_t size, size_t align)
{
    return (memapi_layout){size, align};
}

/* ALLOC_FAILED(l, os error ENOMEM), or cause unknown without OS error reporting (default.h). */
static void expect_alloc_failed(const memapi_error *e, memapi_layout l)
{
    cr_assert_eq(e->kind, MEMAPI_E_ALLOC_FAILED, "kind %d", (int)e->kind);
    cr_assert_eq(e->layout.size, l.size, "error layout size %zu, expected %zu", e->layout.size, l.size);
    cr_assert_eq(e->layout.align, l.align, "error layout align %zu, expected %zu", e->layout.align, l.align);
#if MEMAPI_OS_ERR_REPORTING
    cr_assert_eq(e->cause.kind, MEMAPI_CAUSE_OS_ERR, "cause %d", (int)e->cause.kind);
    cr_assert_eq(e->cause.os_errno, ENOMEM, "errno %d", e->cause.os_errno);
#else
    cr_assert_eq(e->cause.kind, MEMAPI_CAUSE_UNKNOWN, "cause %d", (int)e->cause.kind);
#endif
}

/* malloc's path (align <= MEMAPI_MIN_ALIGN, size >= align), calloc's, and the over-aligned one. */
Test(default_alloc, failed_heap_calls_report_the_callers_layout)
{
    const memapi_allocator a = memapi_default();
    memapi_error e;
    cr_assert_null(memapi_alloc(a, L(MAX - 100, 8), &e));
    expect_alloc_failed(&e, L(MAX - 100, 8));
    cr_assert_null(memapi_zalloc(a, L(MAX - 200, 4), &e));
    expect_alloc_failed(&e, L(MAX - 200, 4));
    cr_assert_null(memapi_alloc(a, L(MAX - 8191, 4096), &e));
    expect_alloc_failed(&e, L(MAX - 8191, 4096));
    cr_assert_null(memapi_zalloc(a, L(MAX - 8191, 4096), &e));
    expect_alloc_failed(&e, L(MAX - 8191, 4096));
    /* Without an error object the same requests just fail. */
    cr_assert_null(memapi_alloc(a, L(MAX - 100, 8), NULL));
    cr_assert_null(memapi_alloc(a, L(MAX - 8191, 4096), NULL));
}

/* realloc's path: the error carries the new layout, the old block stays as it was. */
Test(default_alloc, failed_grow_reports_the_new_layout_and_keeps_the_block)
{
    const memapi_allocator a = memapi_default();
    memapi_error e;
    unsigned char *p = memapi_alloc(a, L(64, 8), &e);
    cr_assert_not_null(p);
    memset(p, 0x5A, 64);
    cr_assert_null(memapi_grow(a, p, L(64, 8), L(MAX - 100, 8), &e));
    expect_alloc_failed(&e, L(MAX - 100, 8));
    cr_assert_null(memapi_grow(a, p, L(64, 8), L(MAX - 300, 16), NULL));
    for (size_t i = 0; i < 64; i++)
        cr_assert_eq(p[i], 0x5A, "byte %zu of the old block changed", i);
    memapi_dealloc(a, p, L(64, 8));
}

/* alloc.h: on success *err is untouched, on every path of the default allocator. */
Test(default_alloc, success_leaves_err_untouched)
{
    const memapi_allocator a = memapi_default();
    memapi_error e, before;
    memset(&e, 0xA5, sizeof e);
    memcpy(&before, &e, sizeof e);
    void *p = memapi_alloc(a, L(40, 8), &e);
    void *z = memapi_zalloc(a, L(24, 4), &e);
    void *q = memapi_alloc(a, L(100, 64), &e);
    void *d = memapi_alloc(a, L(0, 32), &e);
    cr_assert(p != NULL && z != NULL && q != NULL);
    cr_assert_eq(d, (void *)32, "size 0 gives the dangling pointer");
    p = memapi_grow(a, p, L(40, 8), L(4000, 8), &e);
    cr_assert_not_null(p);
    p = memapi_shrink(a, p, L(4000, 8), L(16, 8), &e);
    cr_assert_not_null(p);
    q = memapi_grow(a, q, L(100, 64), L(300, 64), &e);
    cr_assert_not_null(q);
    cr_assert(memcmp(&e, &before, sizeof e) == 0, "a successful call wrote to *err");
    memapi_dealloc(a, p, L(16, 8));
    memapi_dealloc(a, z, L(24, 4));
    memapi_dealloc(a, q, L(300, 64));
}
