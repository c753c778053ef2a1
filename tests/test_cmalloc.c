/*
 * The malloc front end (include/memapi2/cmalloc.h). Each expected value is C's documented one
 * (C17 7.22.3, POSIX posix_memalign, glibc's manual pages for malloc(0), realloc(p, 0),
 * reallocarray and malloc_usable_size) or the header's documented layout, quoted at the test.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "memapi2.h"

#define MINA _Alignof(max_align_t)

static bool aligned_to(const void *p, size_t a)
{
    return ((uintptr_t)p & (a - 1)) == 0;
}

static bool all_bytes(const void *p, size_t n, unsigned char v)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != v)
            return false;
    return true;
}

/* ---- malloc ---------------------------------------------------------------------------------- */

/* C17 7.22.3.4: suitably aligned for any type with fundamental alignment. */
Test(cmalloc, malloc_is_aligned_and_usable)
{
    memapi_allocator a = memapi_default();
    for (size_t n = 1; n < 300; n += 7) {
        unsigned char *p = memapi_cmalloc_malloc(a, n, NULL);
        cr_assert(p != NULL);
        cr_assert(aligned_to(p, MINA), "malloc(%zu) = %p not aligned to %zu", n, (void *)p, MINA);
        memset(p, 0x5A, n);
        cr_assert_eq(memapi_cmalloc_usable_size(a, p, NULL), n);
        memapi_cmalloc_free(a, p);
    }
}

/* glibc: malloc(0) returns a unique pointer that can be passed to free (one of C17's two choices). */
Test(cmalloc, malloc_zero_is_unique_and_freeable)
{
    memapi_allocator a = memapi_default();
    void *p = memapi_cmalloc_malloc(a, 0, NULL);
    void *q = memapi_cmalloc_malloc(a, 0, NULL);
    cr_assert(p != NULL && q != NULL);
    cr_assert(p != q, "two malloc(0) results must be distinct");
    cr_assert_eq(memapi_cmalloc_usable_size(a, p, NULL), 0);
    cr_assert_eq(memapi_cmalloc_try_free(a, p, NULL), MEMAPI_OK);
    cr_assert_eq(memapi_cmalloc_try_free(a, q, NULL), MEMAPI_OK);
}

/* C: a request that cannot be served gives NULL and errno ENOMEM. */
Test(cmalloc, malloc_too_large_is_enomem)
{
    memapi_allocator a = memapi_default();
    memapi_error e;
    errno = 0;
    cr_assert_null(memapi_cmalloc_malloc(a, SIZE_MAX, &e));
    cr_assert_eq(errno, ENOMEM);
    cr_assert(memapi_cmalloc_is_oom(&e));
    cr_assert(!memapi_cmalloc_is_misuse(&e));
    /* The header's documented error: ArithErr(H, +, size) for a sum that overflows. */
    cr_assert_eq(e.kind, MEMAPI_E_ARITH);
    cr_assert_eq(e.arith.l, MEMAPI_CMALLOC_HEADER);
    cr_assert_eq(e.arith.op, MEMAPI_OP_ADD);
    cr_assert_eq(e.arith.r, SIZE_MAX);

    errno = 0;
    cr_assert_null(memapi_cmalloc_malloc(a, (size_t)PTRDIFF_MAX, NULL));
    cr_assert_eq(errno, ENOMEM);
}

/* An allocator's own failure: NULL, ENOMEM, and the allocator's error in *err. */
Test(cmalloc, allocator_failure_is_enomem_with_its_error)
{
    memapi_failing f;
    cr_assert_eq(memapi_failing_init(&f, memapi_default(), NULL), MEMAPI_OK);
    memapi_failing_set_nth(&f, 1);
    memapi_allocator a = memapi_failing_allocator(&f);
    memapi_error e;
    errno = 0;
    cr_assert_null(memapi_cmalloc_malloc(a, 10, &e));
    cr_assert_eq(errno, ENOMEM);
    cr_assert_eq(e.kind, MEMAPI_E_ALLOC_FAILED);
    cr_assert_eq(e.cause.kind, MEMAPI_CAUSE_OUT_OF_MEMORY);
    /* cmalloc.h: the allocator is asked for {H + n, MEMAPI_MIN_ALIGN}. */
    cr_assert_eq(e.layout.size, MEMAPI_CMALLOC_HEADER + 10);
    cr_assert_eq(e.layout.align, MINA);
    cr_assert(memapi_cmalloc_is_oom(&e));
}

/* ---- the layout helper ----------------------------------------------------------------------- */

Test(cmalloc, layout_is_header_plus_size)
{
    memapi_layout l;
    cr_assert_eq(memapi_cmalloc_layout(10, 0, &l, NULL), MEMAPI_OK);
    cr_assert_eq(l.size, MEMAPI_CMALLOC_HEADER + 10);
    cr_assert_eq(l.align, MINA);
    cr_assert_eq(memapi_cmalloc_layout(0, 1, &l, NULL), MEMAPI_OK);
    cr_assert_eq(l.size, MINA);
    cr_assert_eq(l.align, MINA);
    cr_assert_eq(memapi_cmalloc_layout(10, 64, &l, NULL), MEMAPI_OK);
    cr_assert_eq(l.size, 64 + 10);
    cr_assert_eq(l.align, 64);
    memapi_error e;
    l.size = 7;
    cr_assert_eq(memapi_cmalloc_layout(10, 48, &l, &e), MEMAPI_ERROR);
    cr_assert_eq(l.size, 7, "out is untouched on failure");
    cr_assert_eq(e.kind, MEMAPI_E_LAYOUT);
    cr_assert_eq(e.layout_err.kind, MEMAPI_LE_NON_POW2_ALIGN);
    cr_assert_eq(e.layout_err.align, 48);
}

/* The tracking allocator sees the documented layout, and the header makes free use it exactly. */
Test(cmalloc, allocator_sees_the_documented_layout)
{
    memapi_tracking t;
    cr_assert_eq(memapi_tracking_init(&t, memapi_default(), NULL), MEMAPI_OK);
    memapi_allocator a = memapi_tracking_allocator(&t);
    unsigned char *p = memapi_cmalloc_malloc(a, 10, NULL);
    cr_assert(p != NULL);
    memapi_layout l;
    cr_assert_eq(memapi_tracking_layout_of(&t, p - MEMAPI_CMALLOC_HEADER, &l, NULL), MEMAPI_OK);
    cr_assert_eq(l.size, MEMAPI_CMALLOC_HEADER + 10);
    cr_assert_eq(l.align, MINA);
    cr_assert_eq(memapi_tracking_live_bytes(&t), MEMAPI_CMALLOC_HEADER + 10);
    memapi_cmalloc_free(a, p);
    cr_assert_eq(memapi_tracking_live_blocks(&t), 0);
    memapi_tracking_destroy(&t);
}

/* ---- calloc ---------------------------------------------------------------------------------- */

/* C17 7.22.3.2: space for nmemb objects of size bytes, all bits zero. */
Test(cmalloc, calloc_zeroes)
{
    memapi_guard g; /* fills new blocks with 0xAA: zeros cannot be left over by chance */
    cr_assert_eq(memapi_guard_init(&g, NULL, NULL), MEMAPI_OK);
    memapi_allocator a = memapi_guard_allocator(&g);
    unsigned char *p = memapi_cmalloc_calloc(a, 7, 13, NULL);
    cr_assert(p != NULL);
    cr_assert(all_bytes(p, 91, 0));
    cr_assert_eq(memapi_cmalloc_usable_size(a, p, NULL), 91);
    memapi_cmalloc_free(a, p);
    void *z = memapi_cmalloc_calloc(a, 0, 13, NULL);
    cr_assert(z != NULL, "calloc with a zero count is malloc(0): a unique pointer (glibc)");
    memapi_cmalloc_free(a, z);
    memapi_guard_destroy(&g);
}

/* C: calloc must fail when nmemb * size overflows (glibc: ENOMEM), not allocate a wrapped size. */
Test(cmalloc, calloc_overflow_is_enomem)
{
    memapi_tracking t;
    cr_assert_eq(memapi_tracking_init(&t, memapi_default(), NULL), MEMAPI_OK);
    memapi_allocator a = memapi_tracking_allocator(&t);
    memapi_error e;
    size_t half = SIZE_MAX / 2 + 1;
    errno = 0;
    cr_assert_null(memapi_cmalloc_calloc(a, half, 2, &e));
    cr_assert_eq(errno, ENOMEM);
    cr_assert_eq(e.kind, MEMAPI_E_ARITH);
    cr_assert_eq(e.arith.l, half);
    cr_assert_eq(e.arith.op, MEMAPI_OP_MUL);
    cr_assert_eq(e.arith.r, 2);
    cr_assert(memapi_cmalloc_is_oom(&e));
    cr_assert_eq(memapi_tracking_total_allocs(&t), 0, "the allocator was not called");
    errno = 0;
    cr_assert_null(memapi_cmalloc_calloc(a, 2, half, NULL));
    cr_assert_eq(errno, ENOMEM);
    memapi_tracking_destroy(&t);
}

/* ---- realloc --------------------------------------------------------------------------------- */

/* C17 7.22.3.5: the contents are kept up to the lesser of the new and old sizes. */
Test(cmalloc, realloc_keeps_contents_both_ways)
{
    memapi_allocator a = memapi_default();
    unsigned char *p = memapi_cmalloc_malloc(a, 40, NULL);
    cr_assert(p != NULL);
    memset(p, 0x11, 40);
    p = memapi_cmalloc_realloc(a, p, 5000, NULL);
    cr_assert(p != NULL);
    cr_assert(aligned_to(p, MINA));
    cr_assert(all_bytes(p, 40, 0x11));
    cr_assert_eq(memapi_cmalloc_usable_size(a, p, NULL), 5000);
    memset(p, 0x22, 5000);
    p = memapi_cmalloc_realloc(a, p, 3, NULL);
    cr_assert(p != NULL);
    cr_assert(all_bytes(p, 3, 0x22));
    cr_assert_eq(memapi_cmalloc_usable_size(a, p, NULL), 3);
    memapi_cmalloc_free(a, p);
}

/* C17 7.22.3.5: "If ptr is a null pointer, the realloc function behaves like malloc". */
Test(cmalloc, realloc_null_is_malloc)
{
    memapi_allocator a = memapi_default();
    void *p = memapi_cmalloc_realloc(a, NULL, 24, NULL);
    cr_assert(p != NULL);
    cr_assert_eq(memapi_cmalloc_usable_size(a, p, NULL), 24);
    memapi_cmalloc_free(a, p);
    void *z = memapi_cmalloc_realloc(a, NULL, 0, NULL);
    cr_assert(z != NULL, "realloc(NULL, 0) is malloc(0): a unique pointer (glibc)");
    memapi_cmalloc_free(a, z);
}

/* glibc: realloc(p, 0) with p != NULL frees p and returns NULL; errno is not an error report. */
Test(cmalloc, realloc_zero_frees_and_returns_null)
{
    memapi_tracking t;
    cr_assert_eq(memapi_tracking_init(&t, memapi_default(), NULL), MEMAPI_OK);
    memapi_allocator a = memapi_tracking_allocator(&t);
    void *p = memapi_cmalloc_malloc(a, 64, NULL);
    cr_assert(p != NULL);
    cr_assert_eq(memapi_tracking_live_blocks(&t), 1);
    memapi_error e = {.kind = MEMAPI_E_OTHER};
    errno = 1234;
    cr_assert_null(memapi_cmalloc_realloc(a, p, 0, &e));
    cr_assert_eq(errno, 1234, "not a failure: errno untouched");
    cr_assert_eq(e.kind, MEMAPI_E_OTHER, "not a failure: *err untouched");
    cr_assert_eq(memapi_tracking_live_blocks(&t), 0, "the block was freed");
    memapi_tracking_destroy(&t);
}

/* C17 7.22.3.5: "If memory for the new object cannot be allocated, the old object is not
 * deallocated and its value is unchanged." */
Test(cmalloc, failed_realloc_leaves_the_block)
{
    memapi_failing f;
    cr_assert_eq(memapi_failing_init(&f, memapi_default(), NULL), MEMAPI_OK);
    memapi_allocator a = memapi_failing_allocator(&f);
    unsigned char *p = memapi_cmalloc_malloc(a, 32, NULL);
    cr_assert(p != NULL);
    memset(p, 0x3C, 32);
    memapi_failing_set_after(&f, 0);
    memapi_error e;
    errno = 0;
    cr_assert_null(memapi_cmalloc_realloc(a, p, 4096, &e));
    cr_assert_eq(errno, ENOMEM);
    cr_assert(memapi_cmalloc_is_oom(&e));
    cr_assert(all_bytes(p, 32, 0x3C));
    cr_assert_eq(memapi_cmalloc_usable_size(a, p, NULL), 32);
    errno = 0;
    cr_assert_null(memapi_cmalloc_realloc(a, p, SIZE_MAX, &e), "a size that cannot be represented");
    cr_assert_eq(errno, ENOMEM);
    cr_assert(all_bytes(p, 32, 0x3C));
    memapi_failing_clear(&f);
    memapi_cmalloc_free(a, p);
}

/* glibc reallocarray: fails with ENOMEM when nmemb * size overflows, the block untouched. */
Test(cmalloc, reallocarray_overflow_leaves_the_block)
{
    memapi_allocator a = memapi_default();
    unsigned char *p = memapi_cmalloc_reallocarray(a, NULL, 4, 8, NULL);
    cr_assert(p != NULL);
    cr_assert_eq(memapi_cmalloc_usable_size(a, p, NULL), 32);
    memset(p, 0x77, 32);
    memapi_error e;
    errno = 0;
    cr_assert_null(memapi_cmalloc_reallocarray(a, p, SIZE_MAX / 4 + 1, 4, &e));
    cr_assert_eq(errno, ENOMEM);
    cr_assert_eq(e.kind, MEMAPI_E_ARITH);
    cr_assert(all_bytes(p, 32, 0x77));
    p = memapi_cmalloc_reallocarray(a, p, 10, 8, NULL);
    cr_assert(p != NULL);
    cr_assert(all_bytes(p, 32, 0x77));
    memapi_cmalloc_free(a, p);
}

/* The friction: a realloc-shaped callback (an interpreter's allocator hook) written over
 * the front end needs no special case for size 0 and no alignment choice. */
static void *hook(memapi_allocator a, void *ptr, size_t nsize)
{
    return memapi_cmalloc_realloc(a, ptr, nsize, NULL);
}

Test(cmalloc, realloc_shaped_hook_needs_no_special_case)
{
    memapi_tracking t;
    cr_assert_eq(memapi_tracking_init(&t, memapi_default(), NULL), MEMAPI_OK);
    memapi_allocator a = memapi_tracking_allocator(&t);
    unsigned char *p = hook(a, NULL, 100);
    cr_assert(p != NULL);
    memset(p, 1, 100);
    p = hook(a, p, 10); /* a shrink: no REALLOC_SMALLER_ALIGN */
    cr_assert(p != NULL);
    cr_assert(all_bytes(p, 10, 1));
    cr_assert_null(hook(a, p, 0), "size 0 frees and gives NULL");
    cr_assert_eq(memapi_tracking_live_blocks(&t), 0);
    memapi_tracking_destroy(&t);
}

/* ---- aligned_alloc and posix_memalign --------------------------------------------------------- */

Test(cmalloc, aligned_alloc_aligns_and_realloc_keeps_it)
{
    memapi_allocator a = memapi_default();
    for (size_t al = 1; al <= 4096; al *= 2) {
        unsigned char *p = memapi_cmalloc_aligned_alloc(a, al, 100, NULL);
        cr_assert(p != NULL);
        cr_assert(aligned_to(p, al), "aligned_alloc(%zu) = %p", al, (void *)p);
        cr_assert(aligned_to(p, MINA));
        memset(p, 0x42, 100);
        p = memapi_cmalloc_realloc(a, p, 10, NULL);
        cr_assert(p != NULL);
        cr_assert(aligned_to(p, al), "realloc keeps the alignment %zu (cmalloc.h)", al);
        cr_assert(all_bytes(p, 10, 0x42));
        p = memapi_cmalloc_realloc(a, p, 9000, NULL);
        cr_assert(p != NULL);
        cr_assert(aligned_to(p, al));
        cr_assert(all_bytes(p, 10, 0x42));
        memapi_cmalloc_free(a, p);
    }
    void *z = memapi_cmalloc_aligned_alloc(a, 64, 0, NULL);
    cr_assert(z != NULL);
    memapi_cmalloc_free(a, z);
}

/* C17 7.22.3.1: an alignment that is not a valid supported alignment fails with a null pointer
 * (glibc >= 2.38 and this front end: errno EINVAL). */
Test(cmalloc, aligned_alloc_bad_alignment_is_einval)
{
    memapi_allocator a = memapi_default();
    memapi_error e;
    errno = 0;
    cr_assert_null(memapi_cmalloc_aligned_alloc(a, 24, 48, &e));
    cr_assert_eq(errno, EINVAL);
    cr_assert_eq(e.kind, MEMAPI_E_LAYOUT);
    cr_assert_eq(e.layout_err.kind, MEMAPI_LE_NON_POW2_ALIGN);
    cr_assert(!memapi_cmalloc_is_oom(&e));
    cr_assert(!memapi_cmalloc_is_misuse(&e));
    errno = 0;
    cr_assert_null(memapi_cmalloc_aligned_alloc(a, 0, 48, &e));
    cr_assert_eq(errno, EINVAL);
    cr_assert_eq(e.layout_err.kind, MEMAPI_LE_ZERO_ALIGN);
}

/* POSIX posix_memalign: EINVAL unless the alignment is a power of two multiple of sizeof(void *);
 * on failure *memptr is not a new block; errno is not the report (the return value is). */
Test(cmalloc, posix_memalign_follows_posix)
{
    memapi_allocator a = memapi_default();
    void *sentinel = (void *)&sentinel;
    void *p = sentinel;
    memapi_error e;
    errno = 77;
    cr_assert_eq(memapi_cmalloc_posix_memalign(a, &p, sizeof(void *) / 2, 16, &e), EINVAL);
    cr_assert_eq(p, sentinel);
    cr_assert_eq(e.kind, MEMAPI_E_OTHER);
    cr_assert_eq(memapi_cmalloc_posix_memalign(a, &p, 3 * sizeof(void *), 16, NULL), EINVAL);
    cr_assert_eq(memapi_cmalloc_posix_memalign(a, &p, 0, 16, NULL), EINVAL);
    cr_assert_eq(p, sentinel);
    cr_assert_eq(memapi_cmalloc_posix_memalign(a, &p, SIZE_MAX / 2 + 1, 16, &e), ENOMEM,
                 "a power of two too large to serve");
    cr_assert_eq(memapi_cmalloc_posix_memalign(a, &p, 64, SIZE_MAX - 8, &e), ENOMEM);
    cr_assert(memapi_cmalloc_is_oom(&e));
    cr_assert_eq(p, sentinel);
    cr_assert_eq(errno, 77, "posix_memalign does not set errno");
    cr_assert_eq(memapi_cmalloc_posix_memalign(a, &p, sizeof(void *), 24, NULL), 0);
    cr_assert(p != sentinel && aligned_to(p, sizeof(void *)));
    memapi_cmalloc_free(a, p);
    cr_assert_eq(memapi_cmalloc_posix_memalign(a, &p, 256, 0, NULL), 0, "size 0: a unique pointer");
    cr_assert(aligned_to(p, 256));
    memapi_cmalloc_free(a, p);
}

/* ---- free and misuse ------------------------------------------------------------------------- */

/* C17 7.22.3.3: "If ptr is a null pointer, no action occurs." */
Test(cmalloc, free_null_does_nothing)
{
    memapi_allocator a = memapi_default();
    memapi_cmalloc_free(a, NULL);
    memapi_error e = {.kind = MEMAPI_E_OTHER};
    cr_assert_eq(memapi_cmalloc_try_free(a, NULL, &e), MEMAPI_OK);
    cr_assert_eq(e.kind, MEMAPI_E_OTHER);
    cr_assert_eq(memapi_cmalloc_usable_size(a, NULL, &e), 0, "glibc: malloc_usable_size(NULL) is 0");
}

static _Alignas(64) unsigned char foreign[256];

Test(cmalloc, foreign_pointer_is_a_misuse)
{
    memset(foreign, 0x5C, sizeof foreign);
    memapi_allocator a = memapi_default();
    memapi_error e;
    cr_assert_eq(memapi_cmalloc_try_free(a, foreign + 64, &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_INVALID_POINTER);
    cr_assert_str_eq(e.msg, "no memapi_cmalloc header before the pointer");
    cr_assert_eq(e.ptr, foreign + 64);
    cr_assert(memapi_cmalloc_is_misuse(&e));
    cr_assert(!memapi_cmalloc_is_oom(&e));
    errno = 0;
    cr_assert_null(memapi_cmalloc_realloc(a, foreign + 64, 8, &e));
    cr_assert_eq(errno, EINVAL);
    cr_assert_eq(memapi_cmalloc_usable_size(a, foreign + 64, &e), 0);
    cr_assert_eq(e.kind, MEMAPI_E_INVALID_POINTER);
    cr_assert_eq(memapi_cmalloc_try_free(a, foreign + 65, &e), MEMAPI_ERROR);
    cr_assert_str_eq(e.msg, "pointer not aligned to its layout");
}

/* An underflow that overwrites the header is caught before the allocator sees the free. */
Test(cmalloc, overwritten_header_is_caught)
{
    memapi_allocator a = memapi_default();
    unsigned char *p = memapi_cmalloc_malloc(a, 16, NULL);
    cr_assert(p != NULL);
    p[-1] ^= 0x40;
    memapi_error e;
    cr_assert_eq(memapi_cmalloc_try_free(a, p, &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_INVALID_POINTER);
    cr_assert_str_eq(e.msg, "no memapi_cmalloc header before the pointer");
    p[-1] ^= 0x40;
    cr_assert_eq(memapi_cmalloc_try_free(a, p, &e), MEMAPI_OK, "restored, it frees");
}

/* Every byte of the two header words (cmalloc.h: the size and the tag, which holds log2 of the
 * alignment and a check value), changed to any other value, is caught: the alignment byte too,
 * which once was not part of the check value (fuzz_cmalloc found it: a log2 changed from 6 to 5
 * passed, and free gave C's free a pointer 32 bytes off). */
Test(cmalloc, every_header_byte_is_checked)
{
    memapi_allocator a = memapi_default();
    const size_t aligns[] = {0, 16, 64, 4096}; /* 0: malloc's block */
    for (size_t k = 0; k < sizeof aligns / sizeof aligns[0]; k++) {
        unsigned char *p = aligns[k] == 0 ? memapi_cmalloc_malloc(a, 24, NULL)
                                          : memapi_cmalloc_aligned_alloc(a, aligns[k], aligns[k], NULL);
        cr_assert(p != NULL);
        for (size_t i = 1; i <= 2 * sizeof(size_t); i++) {
            unsigned char saved = p[-(ptrdiff_t)i];
            for (unsigned d = 1; d < 256; d++) {
                p[-(ptrdiff_t)i] = (unsigned char)(saved ^ d);
                memapi_error e;
                cr_assert_eq(memapi_cmalloc_usable_size(a, p, &e), 0, "byte -%zu ^ 0x%02x (align %zu) passed", i, d,
                             aligns[k]);
                cr_assert_eq(e.kind, MEMAPI_E_INVALID_POINTER);
                cr_assert_str_eq(e.msg, "no memapi_cmalloc header before the pointer");
            }
            p[-(ptrdiff_t)i] = saved;
        }
        memapi_error e;
        cr_assert_eq(memapi_cmalloc_try_free(a, p, &e), MEMAPI_OK, "restored, it frees");
    }
}

/* A double free over an allocator that detects it (tracking over an arena, whose freed memory
 * stays readable): the allocator's own error. */
Test(cmalloc, double_free_is_the_allocators_error)
{
    static _Alignas(64) unsigned char arena[4096];
    memapi_bump b;
    cr_assert_eq(memapi_bump_init(&b, arena, sizeof arena, NULL), MEMAPI_OK);
    memapi_tracking t;
    cr_assert_eq(memapi_tracking_init(&t, memapi_bump_allocator(&b), NULL), MEMAPI_OK);
    memapi_allocator a = memapi_tracking_allocator(&t);
    unsigned char *keep = memapi_cmalloc_malloc(a, 8, NULL); /* so the arena is not rewound */
    unsigned char *p = memapi_cmalloc_malloc(a, 8, NULL);
    unsigned char *q = memapi_cmalloc_malloc(a, 8, NULL);
    cr_assert(keep != NULL && p != NULL && q != NULL);
    cr_assert_eq(memapi_cmalloc_try_free(a, p, NULL), MEMAPI_OK);
    memapi_error e;
    cr_assert_eq(memapi_cmalloc_try_free(a, p, &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_INVALID_POINTER);
    cr_assert_str_eq(e.msg, "pointer not owned by this allocator");
    cr_assert(memapi_cmalloc_is_misuse(&e));
    cr_assert_eq(memapi_cmalloc_usable_size(a, p, &e), 0, "owns rejects the freed block");
    cr_assert_eq(e.kind, MEMAPI_E_INVALID_POINTER);
    memapi_cmalloc_free(a, q);
    memapi_cmalloc_free(a, keep);
    cr_assert_eq(memapi_tracking_live_blocks(&t), 0);
    memapi_tracking_destroy(&t);
}

static char expected_fatal[256];

static void check_then_abort(const char *msg)
{
    if (strcmp(msg, expected_fatal) == 0)
        abort();
    fprintf(stderr, "unexpected fatal message:\n  got:      %s\n  expected: %s\n", msg, expected_fatal);
    exit(3);
}

/* cmalloc.h: free's failure stops the program with `memapi_cmalloc_free(0xADDR) failed: <text>`. */
Test(cmalloc, free_of_foreign_pointer_is_fatal, .signal = SIGABRT)
{
    memset(foreign, 0, sizeof foreign);
    void *p = foreign + 128;
    snprintf(expected_fatal, sizeof expected_fatal,
             "memapi_cmalloc_free(0x%" PRIxPTR ") failed: invalid pointer 0x%" PRIxPTR
             ": no memapi_cmalloc header before the pointer",
             (uintptr_t)p, (uintptr_t)p);
    memapi_set_fatal_hook(check_then_abort);
    memapi_cmalloc_free(memapi_default(), p);
}

/* Over the guard allocator the front end keeps its block flush against the trailing guard page
 * (for sizes that are multiples of MEMAPI_MIN_ALIGN): writing one byte past it faults at once. */
Test(cmalloc, overflow_over_guard_faults, .signal = SIGSEGV)
{
    static memapi_guard g;
    cr_assert_eq(memapi_guard_init(&g, NULL, NULL), MEMAPI_OK);
    memapi_allocator a = memapi_guard_allocator(&g);
    volatile unsigned char *p = memapi_cmalloc_malloc(a, 64, NULL);
    cr_assert(p != NULL);
    p[64] = 1;
}

/* ---- the error classification helpers --------------------------------------------------------- */

Test(cmalloc, oom_and_misuse_classification)
{
    cr_assert(!memapi_cmalloc_is_oom(NULL));
    cr_assert(!memapi_cmalloc_is_misuse(NULL));
    memapi_error e;
    memset(&e, 0, sizeof e);
    const struct {
        memapi_error_kind kind;
        memapi_layout_err_kind lkind;
        bool oom, misuse;
    } rows[] = {
        {MEMAPI_E_ALLOC_FAILED, 0, true, false},
        {MEMAPI_E_ARITH, 0, true, false},
        {MEMAPI_E_LAYOUT, MEMAPI_LE_EXCEEDS_MAX, true, false},
        {MEMAPI_E_LAYOUT, MEMAPI_LE_ARITH, true, false},
        {MEMAPI_E_LAYOUT, MEMAPI_LE_NON_POW2_ALIGN, false, false},
        {MEMAPI_E_LAYOUT, MEMAPI_LE_ZERO_ALIGN, false, false},
        {MEMAPI_E_INVALID_POINTER, 0, false, true},
        {MEMAPI_E_LAYOUT_MISMATCH, 0, false, true},
        {MEMAPI_E_CORRUPTION, 0, false, true},
        {MEMAPI_E_UNSUPPORTED, 0, false, false},
        {MEMAPI_E_OTHER, 0, false, false},
        {MEMAPI_E_REALLOC_SMALLER_ALIGN, 0, false, false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        e.kind = rows[i].kind;
        e.layout_err.kind = rows[i].lkind;
        cr_assert_eq(memapi_cmalloc_is_oom(&e), rows[i].oom, "row %zu", i);
        cr_assert_eq(memapi_cmalloc_is_misuse(&e), rows[i].misuse, "row %zu", i);
    }
}
