/*
 * Unit tests of include/memapi2/arith.h against the spec (reference-behaviour.md sections 3 and 7.4).
 *
 * Spec 7.4 #1-3 (byte_sub on the stack and the heap, slice pointers from parts) test Rust helpers
 * that have no C function: C pointer arithmetic replaces them, so there is nothing of the library
 * to test there.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>
#include "memapi2/arith.h"

/* Expected values are the spec's 64-bit ones, written with SIZE_MAX, MAX, HIGH, BITS and HALF where
 * they can be; the few that depend on the width have a 32-bit counterpart (make test-32). */
_Static_assert(SIZE_MAX == UINT64_MAX || SIZE_MAX == UINT32_MAX, "size_t of 32 or 64 bits");

#define MAX MEMAPI_USIZE_MAX_NO_HIGH_BIT
#define HIGH MEMAPI_USIZE_HIGH_BIT
#define BITS (sizeof(size_t) * 8)
#define HALF ((size_t)1 << (BITS / 2)) /* 2^32, or 2^16 where size_t has 32 bits */
#define POISON 0x5A
#define SENTINEL ((size_t)0x5E5E5E5E)

static void poison(memapi_error *e)
{
    memset(e, POISON, sizeof *e);
}

static int untouched(const memapi_error *e)
{
    const unsigned char *p = (const unsigned char *)e;
    for (size_t i = 0; i < sizeof *e; i++)
        if (p[i] != POISON)
            return 0;
    return 1;
}

static const char *op_label(memapi_arith_op op)
{
    static const char *const names[] = {"add", "sub", "mul", "div", "rem", "div_ceil", "pow"};
    return (unsigned)op < 7u ? names[op] : "invalid";
}

static void expect_value(size_t l, memapi_arith_op op, size_t r, size_t want)
{
    memapi_error err;
    poison(&err);
    size_t out = SENTINEL;
    memapi_status st = memapi_checked_op(l, op, r, &out, &err);
    cr_assert_eq(st, MEMAPI_OK, "%zu.%s(%zu) failed", l, op_label(op), r);
    cr_assert_eq(out, want, "%zu.%s(%zu) = %zu, expected %zu", l, op_label(op), r, out, want);
    cr_assert(untouched(&err), "%zu.%s(%zu): err written on success", l, op_label(op), r);

    out = SENTINEL;
    cr_assert_eq(memapi_checked_op(l, op, r, &out, NULL), MEMAPI_OK);
    cr_assert_eq(out, want);
}

/* Failure: MEMAPI_E_ARITH with ArithErr(l, op, r), the original operands, and `out` untouched. */
static void expect_overflow(size_t l, memapi_arith_op op, size_t r)
{
    memapi_error err;
    poison(&err);
    size_t out = SENTINEL;
    memapi_status st = memapi_checked_op(l, op, r, &out, &err);
    cr_assert_eq(st, MEMAPI_ERROR, "%zu.%s(%zu) should fail", l, op_label(op), r);
    cr_assert_eq(out, SENTINEL, "%zu.%s(%zu): out written on failure", l, op_label(op), r);
    cr_assert_eq(err.kind, MEMAPI_E_ARITH, "%zu.%s(%zu): kind %d", l, op_label(op), r, (int)err.kind);
    cr_assert_eq(err.arith.l, l, "arith.l %zu, expected %zu", err.arith.l, l);
    cr_assert_eq(err.arith.op, op, "arith.op %d, expected %d", (int)err.arith.op, (int)op);
    cr_assert_eq(err.arith.r, r, "arith.r %zu, expected %zu", err.arith.r, r);
    cr_assert_eq(err.layout_err.kind, MEMAPI_LE_ZERO_SIZE, "unused layout_err is zero");
    cr_assert_null(err.msg);

    cr_assert_eq(memapi_checked_op(l, op, r, &out, NULL), MEMAPI_ERROR);
    cr_assert_eq(out, SENTINEL);
}

Test(arith, add_sub_mul)
{
    expect_value(2, MEMAPI_OP_ADD, 3, 5);
    expect_value(SIZE_MAX, MEMAPI_OP_ADD, 0, SIZE_MAX);
    expect_value(SIZE_MAX - 1, MEMAPI_OP_ADD, 1, SIZE_MAX);
    expect_value(MAX, MEMAPI_OP_ADD, HIGH, SIZE_MAX);
    expect_overflow(SIZE_MAX, MEMAPI_OP_ADD, 1);
    expect_overflow(1, MEMAPI_OP_ADD, SIZE_MAX);
    expect_overflow(HIGH, MEMAPI_OP_ADD, HIGH);

    expect_value(10, MEMAPI_OP_SUB, 3, 7);
    expect_value(5, MEMAPI_OP_SUB, 5, 0);
    expect_value(SIZE_MAX, MEMAPI_OP_SUB, SIZE_MAX, 0);
    expect_overflow(0, MEMAPI_OP_SUB, 1);
    expect_overflow(3, MEMAPI_OP_SUB, 10);

    expect_value(4, MEMAPI_OP_MUL, 5, 20);
    expect_value(0, MEMAPI_OP_MUL, SIZE_MAX, 0);
    expect_value(SIZE_MAX, MEMAPI_OP_MUL, 0, 0);
    expect_value(SIZE_MAX, MEMAPI_OP_MUL, 1, SIZE_MAX);
    expect_value(MAX, MEMAPI_OP_MUL, 2, SIZE_MAX - 1);
    expect_value(HALF, MEMAPI_OP_MUL, HALF - 1, SIZE_MAX - (HALF - 1));
    expect_overflow(HIGH, MEMAPI_OP_MUL, 2);
    expect_overflow(HALF, MEMAPI_OP_MUL, HALF);
    expect_overflow(SIZE_MAX, MEMAPI_OP_MUL, SIZE_MAX);
}

Test(arith, div_rem_div_ceil)
{
    expect_value(10, MEMAPI_OP_DIV, 3, 3);
    expect_value(0, MEMAPI_OP_DIV, 7, 0);
    expect_value(SIZE_MAX, MEMAPI_OP_DIV, 1, SIZE_MAX);
    expect_overflow(10, MEMAPI_OP_DIV, 0);
    expect_overflow(0, MEMAPI_OP_DIV, 0);

    expect_value(10, MEMAPI_OP_REM, 3, 1);
    expect_value(9, MEMAPI_OP_REM, 3, 0);
    expect_overflow(10, MEMAPI_OP_REM, 0);
    expect_overflow(0, MEMAPI_OP_REM, 0);

    expect_value(7, MEMAPI_OP_DIV_CEIL, 2, 4);
    expect_value(6, MEMAPI_OP_DIV_CEIL, 2, 3);
    expect_value(0, MEMAPI_OP_DIV_CEIL, 5, 0);
    expect_value(1, MEMAPI_OP_DIV_CEIL, SIZE_MAX, 1);
    /* (2^64 - 1) / 2 rounded up is 2^63 (HIGH): computed without overflowing */
    expect_value(SIZE_MAX, MEMAPI_OP_DIV_CEIL, 2, HIGH);
    expect_value(SIZE_MAX, MEMAPI_OP_DIV_CEIL, 1, SIZE_MAX);
    expect_overflow(7, MEMAPI_OP_DIV_CEIL, 0);
    expect_overflow(0, MEMAPI_OP_DIV_CEIL, 0);
}

Test(arith, pow)
{
    expect_value(2, MEMAPI_OP_POW, BITS - 1, HIGH);
    expect_overflow(2, MEMAPI_OP_POW, BITS);
    expect_value(7, MEMAPI_OP_POW, 0, 1);
    expect_value(SIZE_MAX, MEMAPI_OP_POW, 0, 1);
    expect_value(0, MEMAPI_OP_POW, 0, 1);
    expect_value(0, MEMAPI_OP_POW, 5, 0);
    expect_value(0, MEMAPI_OP_POW, UINT32_MAX, 0);
    expect_value(1, MEMAPI_OP_POW, UINT32_MAX, 1);
    expect_value(SIZE_MAX, MEMAPI_OP_POW, 1, SIZE_MAX);
#if SIZE_MAX == UINT64_MAX
    expect_value(10, MEMAPI_OP_POW, 19, (size_t)10000000000000000000u);
    expect_overflow(10, MEMAPI_OP_POW, 20);
    /* exponents above u32::MAX fail whatever the base */
    expect_overflow(2, MEMAPI_OP_POW, (size_t)UINT32_MAX + 1);
    expect_overflow(1, MEMAPI_OP_POW, (size_t)UINT32_MAX + 1);
    expect_overflow(0, MEMAPI_OP_POW, (size_t)UINT32_MAX + 1);
    expect_overflow(0, MEMAPI_OP_POW, SIZE_MAX);
#else
    expect_value(10, MEMAPI_OP_POW, 9, (size_t)1000000000u);
    expect_overflow(10, MEMAPI_OP_POW, 10);
    /* no size_t exceeds u32::MAX here: the largest exponent is an ordinary one */
    expect_overflow(2, MEMAPI_OP_POW, UINT32_MAX);
    expect_value(0, MEMAPI_OP_POW, SIZE_MAX, 0);
#endif
    expect_overflow(MAX, MEMAPI_OP_POW, 2);
    expect_overflow(SIZE_MAX, MEMAPI_OP_POW, 2);
#if SIZE_MAX == UINT64_MAX
    /* 3^40 = 12157665459056928801 < 2^64; 3^41 = 36472996377170786403 > 2^64 - 1 */
    expect_value(3, MEMAPI_OP_POW, 40, (size_t)12157665459056928801u);
    expect_overflow(3, MEMAPI_OP_POW, 41);
#else
    /* 3^20 = 3486784401 < 2^32; 3^21 = 10460353203 > 2^32 - 1 */
    expect_value(3, MEMAPI_OP_POW, 20, (size_t)3486784401u);
    expect_overflow(3, MEMAPI_OP_POW, 21);
#endif
    /* HALF squared is 2^BITS */
    expect_value(HALF, MEMAPI_OP_POW, 1, HALF);
    expect_overflow(HALF, MEMAPI_OP_POW, 2);
}

Test(arith, invalid_op_is_other)
{
    static const int bad_ops[] = {7, 99, -1};
    for (size_t i = 0; i < sizeof bad_ops / sizeof bad_ops[0]; i++) {
        memapi_error err;
        poison(&err);
        size_t out = SENTINEL;
        memapi_status st = memapi_checked_op(2, (memapi_arith_op)bad_ops[i], 3, &out, &err);
        cr_assert_eq(st, MEMAPI_ERROR, "op %d", bad_ops[i]);
        cr_assert_eq(out, SENTINEL, "op %d: out written", bad_ops[i]);
        cr_assert_eq(err.kind, MEMAPI_E_OTHER, "op %d: kind %d", bad_ops[i], (int)err.kind);
        cr_assert_not_null(err.msg);
        cr_assert_str_eq(err.msg, "invalid arithmetic operation");
        cr_assert_eq(memapi_checked_op(2, (memapi_arith_op)bad_ops[i], 3, &out, NULL), MEMAPI_ERROR);
        cr_assert_eq(out, SENTINEL);
    }
}

Test(arith, align_up)
{
    cr_assert_eq(memapi_align_up(7, 8), 8);
    cr_assert_eq(memapi_align_up(8, 8), 8);
    cr_assert_eq(memapi_align_up(9, 8), 16);
    cr_assert_eq(memapi_align_up(0, 1), 0);
    cr_assert_eq(memapi_align_up(0, HIGH), 0);
    cr_assert_eq(memapi_align_up(1, HIGH), HIGH);
    /* the precondition bound is SIZE_MAX, not MAX: v + align - 1 == SIZE_MAX is allowed */
    cr_assert_eq(memapi_align_up(SIZE_MAX - 8, 8), SIZE_MAX - 7);
    cr_assert_eq(memapi_align_up(SIZE_MAX, 1), SIZE_MAX);
}

static void expect_align_up_checked_err(size_t v, size_t align, memapi_layout_err_kind kind, size_t e_size,
                                        size_t e_align, size_t e_n)
{
    memapi_error err;
    poison(&err);
    size_t out = SENTINEL;
    memapi_status st = memapi_align_up_checked(v, align, &out, &err);
    cr_assert_eq(st, MEMAPI_ERROR, "align_up_checked(%zu, %zu)", v, align);
    cr_assert_eq(out, SENTINEL, "align_up_checked(%zu, %zu): out written", v, align);
    cr_assert_eq(err.kind, MEMAPI_E_LAYOUT);
    cr_assert_eq(err.layout_err.kind, kind, "kind %d, expected %d", (int)err.layout_err.kind, (int)kind);
    cr_assert_eq(err.layout_err.size, e_size);
    cr_assert_eq(err.layout_err.align, e_align);
    cr_assert_eq(err.layout_err.n, e_n);
    cr_assert_eq(memapi_align_up_checked(v, align, &out, NULL), MEMAPI_ERROR);
    cr_assert_eq(out, SENTINEL);
}

Test(arith, align_up_checked)
{
    static const struct {
        size_t v, align, want;
    } ok[] = {{7, 8, 8}, {8, 8, 8}, {0, 1, 0}, {MAX, 1, MAX}, {MAX - 7, 8, MAX - 7}, {MAX - 8, 8, MAX - 7},
              {0, HIGH, 0}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        memapi_error err;
        poison(&err);
        size_t out = SENTINEL;
        cr_assert_eq(memapi_align_up_checked(ok[i].v, ok[i].align, &out, &err), MEMAPI_OK, "case %zu", i);
        cr_assert_eq(out, ok[i].want, "case %zu: %zu, expected %zu", i, out, ok[i].want);
        cr_assert(untouched(&err));
    }
    expect_align_up_checked_err(7, 0, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0);
    expect_align_up_checked_err(7, 3, MEMAPI_LE_NON_POW2_ALIGN, 0, 3, 0);
    expect_align_up_checked_err(MAX - 6, 8, MEMAPI_LE_EXCEEDS_MAX, MAX - 6, 8, 1);
    expect_align_up_checked_err(MAX + 1, 1, MEMAPI_LE_EXCEEDS_MAX, MAX + 1, 1, 1);
    expect_align_up_checked_err(1, HIGH, MEMAPI_LE_EXCEEDS_MAX, 1, HIGH, 1);
}

Test(arith, ptr_max_align)
{
    cr_assert_eq(memapi_ptr_max_align((void *)(uintptr_t)0x1000), 4096);
    cr_assert_eq(memapi_ptr_max_align((void *)(uintptr_t)0x1), 1);
    cr_assert_eq(memapi_ptr_max_align((void *)(uintptr_t)0x18), 8);
    cr_assert_eq(memapi_ptr_max_align((void *)(uintptr_t)0x1234), 4);
    cr_assert_eq(memapi_ptr_max_align((void *)(uintptr_t)HIGH), HIGH);
    cr_assert_eq(memapi_ptr_max_align(NULL), 0, "documented: NULL gives 0");
    _Alignas(64) unsigned char block[128];
    cr_assert_geq(memapi_ptr_max_align(block), 64);
    cr_assert_eq(memapi_ptr_max_align(block + 1), 1);
}

Test(arith, is_multiple_of)
{
    cr_assert(memapi_is_multiple_of(0, 0));
    cr_assert_not(memapi_is_multiple_of(1, 0));
    cr_assert(memapi_is_multiple_of(0, 5));
    cr_assert(memapi_is_multiple_of(10, 5));
    cr_assert_not(memapi_is_multiple_of(10, 3));
    cr_assert(memapi_is_multiple_of(SIZE_MAX, 1));
    cr_assert_not(memapi_is_multiple_of(SIZE_MAX, 0));
    cr_assert(memapi_is_multiple_of(SIZE_MAX, SIZE_MAX));
}

Test(arith, is_pow2)
{
    cr_assert_not(memapi_is_pow2(0));
    cr_assert(memapi_is_pow2(1));
    cr_assert(memapi_is_pow2(2));
    cr_assert_not(memapi_is_pow2(3));
    cr_assert(memapi_is_pow2(4096));
    cr_assert_not(memapi_is_pow2(12));
    cr_assert(memapi_is_pow2(HIGH));
    cr_assert_not(memapi_is_pow2(HIGH + 1));
    cr_assert_not(memapi_is_pow2(MAX));
    cr_assert_not(memapi_is_pow2(SIZE_MAX));
    for (unsigned k = 0; k < BITS; k++) {
        cr_assert(memapi_is_pow2((size_t)1 << k), "2^%u", k);
        if (k >= 2)
            cr_assert_not(memapi_is_pow2(((size_t)1 << k) - 1), "2^%u - 1", k);
    }
}

Test(arith, limit_constants)
{
#if SIZE_MAX == UINT64_MAX
    cr_assert_eq(MEMAPI_USIZE_MAX_NO_HIGH_BIT, (size_t)9223372036854775807u);
    cr_assert_eq(MEMAPI_USIZE_HIGH_BIT, (size_t)9223372036854775808u);
#else
    cr_assert_eq(MEMAPI_USIZE_MAX_NO_HIGH_BIT, (size_t)2147483647u);
    cr_assert_eq(MEMAPI_USIZE_HIGH_BIT, (size_t)2147483648u);
#endif
    cr_assert_eq(MEMAPI_USIZE_MAX_NO_HIGH_BIT, SIZE_MAX >> 1);
    cr_assert_eq(MEMAPI_USIZE_HIGH_BIT, MEMAPI_USIZE_MAX_NO_HIGH_BIT + 1);
    cr_assert_eq(MEMAPI_USIZE_HIGH_BIT | MEMAPI_USIZE_MAX_NO_HIGH_BIT, SIZE_MAX);
    cr_assert_eq(MEMAPI_PTR_SIZE, sizeof(void *));
}
