/*
 * Unit tests of include/memapi2/error.h: the Display texts of spec section 2 byte for byte, the
 * texts of this library's hardening kinds as documented in error.h, snprintf semantics of every
 * formatter, and the numeric discriminants of spec section 2 / 10.1.
 *
 * This file is also built alone against src/error.c with MEMAPI_OS_ERR_REPORTING=0 (make test-noos),
 * so it uses only what error.c defines; the OS error texts are chosen with #if below.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include "memapi2/error.h"

/* Expected texts are the spec's 64-bit ones; the numbers that depend on the width of size_t are
 * spelled by the macros below, with their 32-bit values for make test-32. */
#define MAX MEMAPI_USIZE_MAX_NO_HIGH_BIT
#define HIGH MEMAPI_USIZE_HIGH_BIT
#if SIZE_MAX == UINT64_MAX
#define MAX_TEXT "9223372036854775807"
#define HIGH_TEXT "9223372036854775808"
#define SIZE_MAX_TEXT "18446744073709551615"
#define MAX_MINUS_6_TEXT "9223372036854775801"
#define MAX_MINUS_100_TEXT "9223372036854775707"
#define PTR_TEXT "8"
#elif SIZE_MAX == UINT32_MAX
#define MAX_TEXT "2147483647"
#define HIGH_TEXT "2147483648"
#define SIZE_MAX_TEXT "4294967295"
#define MAX_MINUS_6_TEXT "2147483641"
#define MAX_MINUS_100_TEXT "2147483547"
#define PTR_TEXT "4"
#else
#error "size_t of 32 or 64 bits"
#endif
#define CANARY ((char)0x7E)

static memapi_error make(memapi_error_kind kind)
{
    memapi_error e;
    memset(&e, 0, sizeof e);
    e.kind = kind;
    return e;
}

static memapi_error alloc_failed(size_t size, size_t align, memapi_cause_kind ck, int os_errno, const char *msg)
{
    memapi_error e = make(MEMAPI_E_ALLOC_FAILED);
    e.layout.size = size;
    e.layout.align = align;
    e.cause.kind = ck;
    e.cause.os_errno = os_errno;
    e.cause.msg = msg;
    return e;
}

static memapi_layout_err layout_err(memapi_layout_err_kind kind, size_t size, size_t align, size_t n)
{
    memapi_layout_err le;
    memset(&le, 0, sizeof le);
    le.kind = kind;
    le.size = size;
    le.align = align;
    le.n = n;
    return le;
}

static memapi_error layout_error(memapi_layout_err le)
{
    memapi_error e = make(MEMAPI_E_LAYOUT);
    e.layout_err = le;
    return e;
}

static memapi_arith_err arith_err(size_t l, memapi_arith_op op, size_t r)
{
    memapi_arith_err a;
    memset(&a, 0, sizeof a);
    a.l = l;
    a.op = op;
    a.r = r;
    return a;
}

/* ---- snprintf-semantics harness shared by every formatter ------------------------------------ */

typedef size_t (*format_fn)(const void *obj, char *buf, size_t cap);

static size_t fmt_error(const void *o, char *b, size_t c) { return memapi_error_format(o, b, c); }
static size_t fmt_cause(const void *o, char *b, size_t c) { return memapi_cause_format(o, b, c); }
static size_t fmt_layout_err(const void *o, char *b, size_t c) { return memapi_layout_err_format(o, b, c); }
static size_t fmt_arith(const void *o, char *b, size_t c) { return memapi_arith_err_format(o, b, c); }
static size_t fmt_debug(const void *o, char *b, size_t c)
{
    return memapi_layout_debug_format(*(const memapi_layout *)o, b, c);
}

/*
 * The formatter prints exactly `want`, and behaves like snprintf: with cap 0 and a NULL buffer it
 * returns the full length; for every cap from 1 to len + 1 it stores the prefix of length
 * min(cap - 1, len) followed by a NUL, returns len, and leaves the byte after cap alone.
 */
static void expect_text(format_fn f, const void *obj, const char *want)
{
    size_t len = strlen(want);
    cr_assert_eq(f(obj, NULL, 0), len, "cap 0 returned %zu, expected %zu for \"%s\"", f(obj, NULL, 0), len, want);

    char full[1024];
    cr_assert_lt(len, sizeof full);
    memset(full, CANARY, sizeof full);
    size_t got = f(obj, full, sizeof full);
    cr_assert_eq(got, len, "returned %zu, expected %zu", got, len);
    cr_assert_str_eq(full, want);

    char buf[1024];
    for (size_t cap = 1; cap <= len + 1; cap++) {
        memset(buf, CANARY, sizeof buf);
        size_t r = f(obj, buf, cap);
        cr_assert_eq(r, len, "cap %zu: returned %zu, expected %zu", cap, r, len);
        size_t keep = cap - 1 < len ? cap - 1 : len;
        cr_assert_eq(memcmp(buf, want, keep), 0, "cap %zu: wrong prefix for \"%s\"", cap, want);
        cr_assert_eq(buf[keep], '\0', "cap %zu: no NUL at %zu", cap, keep);
        for (size_t i = keep + 1; i < cap; i++)
            cr_assert_eq(buf[i], CANARY, "cap %zu: byte %zu inside cap written after the NUL", cap, i);
        cr_assert_eq(buf[cap], CANARY, "cap %zu: canary after cap overwritten", cap);
    }
}

static void expect_error_text(memapi_error e, const char *want)
{
    expect_text(fmt_error, &e, want);
}

/* ---- Error variants --------------------------------------------------------------------------- */

Test(error, alloc_failed_texts)
{
    expect_error_text(alloc_failed(16, 8, MEMAPI_CAUSE_UNKNOWN, 0, NULL),
                      "allocation failed: Layout(size: 16, align: 8), cause: unknown");
    expect_error_text(alloc_failed(0, 1, MEMAPI_CAUSE_OUT_OF_MEMORY, 0, NULL),
                      "allocation failed: Layout(size: 0, align: 1), cause: out of memory");
    expect_error_text(alloc_failed(MAX - 100, 8, MEMAPI_CAUSE_OTHER, 0, "pool exhausted"),
                      "allocation failed: Layout(size: " MAX_MINUS_100_TEXT ", align: 8), cause: pool exhausted");
#if MEMAPI_OS_ERR_REPORTING
    expect_error_text(alloc_failed(32, 16, MEMAPI_CAUSE_OS_ERR, 12, NULL),
                      "allocation failed: Layout(size: 32, align: 16), cause: os error: Cannot allocate memory "
                      "(os error 12)");
#else
    expect_error_text(alloc_failed(32, 16, MEMAPI_CAUSE_OS_ERR, 12, NULL),
                      "allocation failed: Layout(size: 32, align: 16), cause: os error code: 12");
#endif
}

Test(error, cause_texts)
{
    memapi_cause c;
    memset(&c, 0, sizeof c);
    c.kind = MEMAPI_CAUSE_UNKNOWN;
    expect_text(fmt_cause, &c, "unknown");
    c.kind = MEMAPI_CAUSE_OUT_OF_MEMORY;
    expect_text(fmt_cause, &c, "out of memory");
    c.kind = MEMAPI_CAUSE_OTHER;
    c.msg = "lock failed";
    expect_text(fmt_cause, &c, "lock failed");
    c.msg = NULL;
    c.kind = MEMAPI_CAUSE_OS_ERR;
    c.os_errno = 12;
#if MEMAPI_OS_ERR_REPORTING
    expect_text(fmt_cause, &c, "os error: Cannot allocate memory (os error 12)");
    c.os_errno = 0;
    expect_text(fmt_cause, &c, "os error: Success (os error 0)");
#else
    expect_text(fmt_cause, &c, "os error code: 12");
    c.os_errno = 0;
    expect_text(fmt_cause, &c, "os error code: 0");
    c.os_errno = -1;
    expect_text(fmt_cause, &c, "os error code: -1");
    c.os_errno = INT_MIN;
    expect_text(fmt_cause, &c, "os error code: -2147483648");
#endif
}

Test(error, layout_error_texts)
{
    expect_error_text(layout_error(layout_err(MEMAPI_LE_ZERO_SIZE, 0, 0, 0)), "layout error: size is zero");
    expect_error_text(layout_error(layout_err(MEMAPI_LE_ZERO_ALIGN, 0, 0, 0)), "layout error: alignment is zero");
    expect_error_text(layout_error(layout_err(MEMAPI_LE_NON_POW2_ALIGN, 0, 3, 0)),
                      "layout error: alignment 3 isn't a power of two");
    expect_error_text(layout_error(layout_err(MEMAPI_LE_EXCEEDS_MAX, MAX - 6, 8, 1)),
                      "layout error: size " MAX_MINUS_6_TEXT " would exceed " MAX_TEXT
                      " when rounded up to a multiple of 8");
    expect_error_text(layout_error(layout_err(MEMAPI_LE_EXCEEDS_MAX, 4, 4, 0)),
                      "layout error: array with 0 elements of size 4 would have its total size exceed " MAX_TEXT
                      " when rounded up to a multiple of 4");
    expect_error_text(layout_error(layout_err(MEMAPI_LE_EXCEEDS_MAX, 4, 4, 5)),
                      "layout error: array with 5 elements of size 4 would have its total size exceed " MAX_TEXT
                      " when rounded up to a multiple of 4");

    memapi_layout_err le = layout_err(MEMAPI_LE_ARITH, 0, 0, 0);
    le.arith = arith_err(4, MEMAPI_OP_MUL, SIZE_MAX);
    expect_error_text(layout_error(le), "layout error: arithmetic operation would overflow: 4.mul(" SIZE_MAX_TEXT ")");

    expect_error_text(layout_error(layout_err(MEMAPI_LE_C_ROUND_UP, 0, SIZE_MAX, 0)),
                      "layout error: alignment " SIZE_MAX_TEXT " would overflow `usize::MAX` when rounded up "
                      "to a multiple of " PTR_TEXT);
}

Test(error, layout_err_texts_without_prefix)
{
    memapi_layout_err le = layout_err(MEMAPI_LE_ZERO_SIZE, 0, 0, 0);
    expect_text(fmt_layout_err, &le, "size is zero");
    le = layout_err(MEMAPI_LE_ZERO_ALIGN, 0, 0, 0);
    expect_text(fmt_layout_err, &le, "alignment is zero");
    le = layout_err(MEMAPI_LE_NON_POW2_ALIGN, 0, 12, 0);
    expect_text(fmt_layout_err, &le, "alignment 12 isn't a power of two");
    le = layout_err(MEMAPI_LE_EXCEEDS_MAX, 1, HIGH, 1);
    expect_text(fmt_layout_err, &le,
                "size 1 would exceed " MAX_TEXT " when rounded up to a multiple of " HIGH_TEXT);
    le = layout_err(MEMAPI_LE_EXCEEDS_MAX, 1, 1, HIGH);
    expect_text(fmt_layout_err, &le,
                "array with " HIGH_TEXT " elements of size 1 would have its total size exceed " MAX_TEXT
                " when rounded up to a multiple of 1");
    le = layout_err(MEMAPI_LE_ARITH, 0, 0, 0);
    le.arith = arith_err(10, MEMAPI_OP_DIV, 0);
    expect_text(fmt_layout_err, &le, "arithmetic operation would overflow: 10.div(0)");
    le = layout_err(MEMAPI_LE_C_ROUND_UP, 0, SIZE_MAX, 0);
    expect_text(fmt_layout_err, &le,
                "alignment " SIZE_MAX_TEXT " would overflow `usize::MAX` when rounded up to a multiple of " PTR_TEXT);
}

Test(error, resize_texts)
{
    memapi_error e = make(MEMAPI_E_GROW_SMALLER);
    e.old_val = 8;
    e.new_val = 4;
    expect_error_text(e, "attempted to grow from size 8 to smaller size 4");
    e = make(MEMAPI_E_SHRINK_LARGER);
    e.old_val = 4;
    e.new_val = 8;
    expect_error_text(e, "attempted to shrink from size 4 to larger size 8");
    e = make(MEMAPI_E_REALLOC_SMALLER_ALIGN);
    e.old_val = 8;
    e.new_val = 4;
    expect_error_text(e, "attempted to reallocate from align 8 to smaller align 4");
}

Test(error, arith_texts_every_op)
{
    static const struct {
        memapi_arith_op op;
        const char *name;
    } ops[] = {
        {MEMAPI_OP_ADD, "add"}, {MEMAPI_OP_SUB, "sub"},           {MEMAPI_OP_MUL, "mul"}, {MEMAPI_OP_DIV, "div"},
        {MEMAPI_OP_REM, "rem"}, {MEMAPI_OP_DIV_CEIL, "div_ceil"}, {MEMAPI_OP_POW, "pow"},
    };
    char want[128];
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        cr_assert_str_eq(memapi_arith_op_name(ops[i].op), ops[i].name);
        memapi_arith_err a = arith_err(10, ops[i].op, 0);
        strcpy(want, "arithmetic operation would overflow: 10.");
        strcat(want, ops[i].name);
        strcat(want, "(0)");
        expect_text(fmt_arith, &a, want);
        memapi_error e = make(MEMAPI_E_ARITH);
        e.arith = a;
        expect_error_text(e, want);
    }
    memapi_arith_err a = arith_err(2, MEMAPI_OP_POW, UINT32_MAX);
    expect_text(fmt_arith, &a, "arithmetic operation would overflow: 2.pow(4294967295)");
    a = arith_err(SIZE_MAX, MEMAPI_OP_ADD, 1);
    expect_text(fmt_arith, &a, "arithmetic operation would overflow: " SIZE_MAX_TEXT ".add(1)");
    cr_assert_str_eq(memapi_arith_op_name((memapi_arith_op)7), "?", "documented: ? for a forged value");
}

Test(error, payloadless_and_other_texts)
{
    expect_error_text(make(MEMAPI_E_CAUGHT_UNWIND), "unwind caught in unsupported function");
    expect_error_text(make(MEMAPI_E_UNSUPPORTED), "unsupported operation");
    memapi_error e = make(MEMAPI_E_OTHER);
    e.msg = "lock failed";
    expect_error_text(e, "lock failed");
    e.msg = "";
    expect_error_text(e, "");
    e.msg = NULL;
    expect_error_text(e, "");
}

Test(error, hardening_kind_texts)
{
    memapi_error e = make(MEMAPI_E_INVALID_POINTER);
    e.ptr = (const void *)(uintptr_t)0x1000;
    e.msg = "not allocated by this allocator";
    expect_error_text(e, "invalid pointer 0x1000: not allocated by this allocator");

    e = make(MEMAPI_E_LAYOUT_MISMATCH);
    e.ptr = (const void *)(uintptr_t)0x20;
    e.layout.size = 16;
    e.layout.align = 8;
    e.recorded.size = 32;
    e.recorded.align = 8;
    expect_error_text(e, "layout mismatch for block at 0x20: given Layout(size: 16, align: 8), allocated with "
                         "Layout(size: 32, align: 8)");

    e = make(MEMAPI_E_CORRUPTION);
    e.ptr = (const void *)(uintptr_t)0x1000;
    e.msg = "canary damaged";
    expect_error_text(e, "memory corruption detected at 0x1000: canary damaged");

    expect_error_text(make((memapi_error_kind)42), "unknown error kind 42");
}

Test(error, layout_debug_format)
{
    memapi_layout l = {16, 8};
    expect_text(fmt_debug, &l, "Layout { size: 16, align: 8 }");
    memapi_layout z = {0, 1};
    expect_text(fmt_debug, &z, "Layout { size: 0, align: 1 }");
    memapi_layout m = {MAX, 1};
    expect_text(fmt_debug, &m, "Layout { size: " MAX_TEXT ", align: 1 }");
}

Test(error, discriminants)
{
    cr_assert_eq(MEMAPI_E_ALLOC_FAILED, 0);
    cr_assert_eq(MEMAPI_E_LAYOUT, 1);
    cr_assert_eq(MEMAPI_E_GROW_SMALLER, 2);
    cr_assert_eq(MEMAPI_E_SHRINK_LARGER, 3);
    cr_assert_eq(MEMAPI_E_REALLOC_SMALLER_ALIGN, 4);
    cr_assert_eq(MEMAPI_E_ARITH, 5);
    cr_assert_eq(MEMAPI_E_CAUGHT_UNWIND, 6);
    cr_assert_eq(MEMAPI_E_UNSUPPORTED, 7);
    cr_assert_eq(MEMAPI_E_OTHER, 8);
    /* this library's hardening kinds, as numbered in error.h */
    cr_assert_eq(MEMAPI_E_INVALID_POINTER, 9);
    cr_assert_eq(MEMAPI_E_LAYOUT_MISMATCH, 10);
    cr_assert_eq(MEMAPI_E_CORRUPTION, 11);

    cr_assert_eq(MEMAPI_CAUSE_UNKNOWN, 0);
    cr_assert_eq(MEMAPI_CAUSE_OUT_OF_MEMORY, 1);
    cr_assert_eq(MEMAPI_CAUSE_OTHER, 2);
    cr_assert_eq(MEMAPI_CAUSE_OS_ERR, 3);

    cr_assert_eq(MEMAPI_LE_ZERO_SIZE, 0);
    cr_assert_eq(MEMAPI_LE_ZERO_ALIGN, 1);
    cr_assert_eq(MEMAPI_LE_NON_POW2_ALIGN, 2);
    cr_assert_eq(MEMAPI_LE_EXCEEDS_MAX, 3);
    cr_assert_eq(MEMAPI_LE_ARITH, 4);
    cr_assert_eq(MEMAPI_LE_C_ROUND_UP, 5);

    cr_assert_eq(MEMAPI_OP_ADD, 0);
    cr_assert_eq(MEMAPI_OP_SUB, 1);
    cr_assert_eq(MEMAPI_OP_MUL, 2);
    cr_assert_eq(MEMAPI_OP_DIV, 3);
    cr_assert_eq(MEMAPI_OP_REM, 4);
    cr_assert_eq(MEMAPI_OP_DIV_CEIL, 5);
    cr_assert_eq(MEMAPI_OP_POW, 6);

    cr_assert_eq(MEMAPI_OK, 0);
}

#if MEMAPI_OS_ERR_REPORTING
#include <errno.h>
#include "internal/error_set.h"

/* The OS description behind "os error: ..." (src/os_error.c, proved against the contract in
   internal/error_set.h): the whole text when it fits, else the text cut at cap - 1 and terminated,
   nothing written when cap is 0. ENOMEM's text is glibc's, as in the cause texts above. */
Test(os_strerror, whole_text_when_it_fits)
{
    char buf[64];
    cr_assert_eq(memapi__os_strerror(ENOMEM, buf, sizeof buf), strlen("Cannot allocate memory"));
    cr_assert_str_eq(buf, "Cannot allocate memory");
}

Test(os_strerror, short_buffer_gets_the_text_cut_and_terminated)
{
    char buf[8];
    memset(buf, '#', sizeof buf);
    cr_assert_eq(memapi__os_strerror(ENOMEM, buf, sizeof buf), 7);
    cr_assert_str_eq(buf, "Cannot ");
}

Test(os_strerror, one_byte_buffer_holds_the_empty_text)
{
    char buf[1] = {'#'};
    cr_assert_eq(memapi__os_strerror(ENOMEM, buf, sizeof buf), 0);
    cr_assert_eq(buf[0], '\0');
}

Test(os_strerror, zero_capacity_writes_nothing)
{
    char buf[2] = {'#', '#'};
    cr_assert_eq(memapi__os_strerror(ENOMEM, buf, 0), 0);
    cr_assert_eq(buf[0], '#');
    cr_assert_eq(buf[1], '#');
}
#endif
