/*
 * The product test that compilers other than GCC and Clang get (include/memapi2/arith.h: the
 * division test instead of __builtin_mul_overflow), compiled here by GCC and Clang all the same:
 * MEMAPI_PROOF_PORTABLE selects it in this translation unit only (it is the configuration
 * `portable` of `make prove`, which proves it). The array layouts at and past the limit are the
 * spec's (reference-behaviour.md, Layout::array), as in test_layout.c.
 */
#define MEMAPI_PROOF_PORTABLE 1
#include <criterion/criterion.h>
#include <stdint.h>
#include "memapi2/layout.h"

#define MAX MEMAPI_USIZE_MAX_NO_HIGH_BIT
#define HIGH MEMAPI_USIZE_HIGH_BIT

Test(arith_portable, product_and_its_overflow)
{
    size_t r = 7;
    cr_assert(!memapi__mul_overflow(3, 5, &r));
    cr_assert_eq(r, 15);
    cr_assert(!memapi__mul_overflow(SIZE_MAX, 1, &r));
    cr_assert_eq(r, SIZE_MAX);
    cr_assert(!memapi__mul_overflow(0, SIZE_MAX, &r));
    cr_assert_eq(r, 0);
    cr_assert(!memapi__mul_overflow(SIZE_MAX, 0, &r));
    cr_assert_eq(r, 0);
    cr_assert(!memapi__mul_overflow(HIGH, 1, &r));
    cr_assert_eq(r, HIGH);
    cr_assert(memapi__mul_overflow(HIGH, 2, &r)); /* 2^N: one past SIZE_MAX */
    cr_assert(memapi__mul_overflow(2, HIGH, &r));
    cr_assert(memapi__mul_overflow(SIZE_MAX, SIZE_MAX, &r));
}

Test(arith_portable, array_at_and_past_the_limit)
{
    memapi_layout out = {0, 0};
    memapi_error err;
    cr_assert_eq(memapi_layout_array(4, 4, (HIGH - 4) / 4, &out, &err), MEMAPI_OK);
    cr_assert_eq(out.size, MAX - 3);
    cr_assert_eq(out.align, 4);
    cr_assert_eq(memapi_layout_array(1, 1, MAX, &out, &err), MEMAPI_OK);
    cr_assert_eq(out.size, MAX);
    cr_assert_eq(memapi_layout_array(0, 1, SIZE_MAX, &out, &err), MEMAPI_OK);
    cr_assert_eq(out.size, 0);

    /* One element more than fits, and a product that wraps around: EXCEEDS_MAX with the operands. */
    cr_assert_eq(memapi_layout_array(4, 4, (HIGH - 4) / 4 + 1, &out, &err), MEMAPI_ERROR);
    cr_assert_eq(err.kind, MEMAPI_E_LAYOUT);
    cr_assert_eq(err.layout_err.kind, MEMAPI_LE_EXCEEDS_MAX);
    cr_assert_eq(memapi_layout_array(SIZE_MAX, 1, 2, &out, &err), MEMAPI_ERROR);
    cr_assert_eq(err.kind, MEMAPI_E_LAYOUT);
    cr_assert_eq(err.layout_err.kind, MEMAPI_LE_EXCEEDS_MAX);
    cr_assert_eq(memapi_layout_array(HIGH, 1, 2, &out, &err), MEMAPI_ERROR);
    cr_assert_eq(err.layout_err.kind, MEMAPI_LE_EXCEEDS_MAX);
}
