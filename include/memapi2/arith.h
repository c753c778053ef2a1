/**
 * @file memapi2/arith.h
 * @brief Checked arithmetic and alignment helpers (the reference's `helpers` module).
 */
#ifndef MEMAPI2_ARITH_H
#define MEMAPI2_ARITH_H

#include <limits.h>
#include <stdbool.h>
#include "types.h"
#include "error.h"

#ifdef __FRAMAC__
/* The ACSL predicates of the contracts below (proofs only; compilers never include it). */
#include "acsl.h"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** @cond MEMAPI_INTERNAL */
/*
 * MEMAPI__MUL_OVERFLOW(a, b, &r): r = a * b (mod 2^N) in a memapi__mul_t, a size-wide unsigned
 * type, and true when the exact product does not fit. GCC's and Clang's builtin for the type of
 * size_t's width, one `mul; jo` on x86-64 (a division before it, tens of cycles); Frama-C reads
 * the builtin's contract in its own __fc_gcc_builtins.h (listed in proofs/trusted.tsv). Other
 * compilers get the division test (the product written only when it fits, which is all a caller
 * reads), proved in `make prove`'s configuration `portable` (MEMAPI_PROOF_PORTABLE).
 */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(MEMAPI_PROOF_PORTABLE)
#if SIZE_MAX == ULONG_MAX
typedef unsigned long memapi__mul_t;
#define MEMAPI__MUL_OVERFLOW(a, b, res) __builtin_umull_overflow((a), (b), (res))
#elif SIZE_MAX == ULLONG_MAX
typedef unsigned long long memapi__mul_t;
#define MEMAPI__MUL_OVERFLOW(a, b, res) __builtin_umulll_overflow((a), (b), (res))
#else
typedef unsigned memapi__mul_t;
#define MEMAPI__MUL_OVERFLOW(a, b, res) __builtin_umul_overflow((a), (b), (res))
#endif
#else
typedef size_t memapi__mul_t;
/*@ requires \valid(res);
    assigns *res;
    ensures \result == 0 <==> a * b <= SIZE_MAX;
    ensures \result == 0 ==> *res == a * b;
*/
static inline bool memapi__mul_overflow(size_t a, size_t b, size_t *res)
{
    if (b != 0 && a > SIZE_MAX / b)
        return true;
    *res = a * b;
    return false;
}
#define MEMAPI__MUL_OVERFLOW(a, b, res) memapi__mul_overflow((a), (b), (res))
#endif
/** @endcond */

/**
 * @brief `l op r` without overflow (reference `checked_op`).
 *
 * ADD, SUB, MUL fail when the exact result is outside `[0, SIZE_MAX]`. DIV, REM and DIV_CEIL fail
 * when `r == 0`; DIV_CEIL is the ceiling of `l / r` (7/2 = 4, 6/2 = 3, 0/5 = 0). POW fails when
 * `r > UINT32_MAX` or the power exceeds SIZE_MAX; `x^0 = 1` for every x, `0^0` included.
 *
 * @param l the left operand
 * @param op the operation
 * @param r the right operand
 * @param out receives the result on success; untouched on failure. Must not be NULL.
 * @param err on failure: `MEMAPI_E_ARITH` with `arith = {l, op, r}` (the original operands);
 *            `MEMAPI_E_OTHER` with `msg = "invalid arithmetic operation"` for an op outside the enum.
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status
memapi_checked_op(size_t l, memapi_arith_op op, size_t r, size_t *out, memapi_error *err);

/** @brief True when `x` is a nonzero power of two. */
/*@ assigns \nothing;
    behavior pow2:
      assumes memapi_pow2(x);
      ensures \result == 1;
    behavior not_pow2:
      assumes !memapi_pow2(x);
      ensures \result == 0;
    complete behaviors;
    disjoint behaviors;
*/
static inline bool memapi_is_pow2(size_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

/**
 * @brief Rounds `v` up to a multiple of `align` after checking it the way layouts are checked.
 *
 * Errors (`MEMAPI_E_LAYOUT`), in this order: `ZERO_ALIGN`; `NON_POW2_ALIGN(align)`;
 * `EXCEEDS_MAX(v, align, 1)` when `v > MEMAPI_USIZE_MAX_NO_HIGH_BIT - (align - 1)`.
 * @param v the value to round up
 * @param align the alignment, checked as a layout's
 * @param out receives the result on success; untouched on failure. Must not be NULL.
 * @param err receives the error on failure; may be NULL
 * @return `MEMAPI_OK`, or `MEMAPI_ERROR` with `*err` set
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status
memapi_align_up_checked(size_t v, size_t align, size_t *out, memapi_error *err);

/**
 * @brief `(v + align - 1) & ~(align - 1)` with no checks (reference `align_up`).
 *
 * Precondition (checked only in debug builds, through `MEMAPI_PRECONDITION`): `align` is a nonzero
 * power of two and `v + align - 1 <= SIZE_MAX`. Example: `memapi_align_up(7, 8) == 8`.
 */
/*@ requires memapi_pow2(align) && v + (align - 1) <= SIZE_MAX;
    assigns \nothing;
    ensures \result == ((v + (align - 1)) & (size_t)~(size_t)(align - 1));
*/
static inline size_t memapi_align_up(size_t v, size_t align)
{
    /* Both tests always run (`&`, not `&&`): under the precondition no branch of the check is dead
     * code, which the proof's smoke tests would report. So the second cannot wrap for align == 0:
     * align - (align != 0) is align - 1, or 0. */
    /* cppcheck-suppress bitwiseOnBoolean */
    MEMAPI_PRECONDITION(memapi_is_pow2(align) & (align - (size_t)(align != 0) <= SIZE_MAX - v),
                        "memapi_align_up requires a power-of-two align and v + align - 1 <= SIZE_MAX");
    return (v + (align - 1)) & ~(align - 1);
}

/**
 * @brief The largest power of two dividing the address of `p` (`addr & -addr`):
 * 0x1000 gives 4096, 0x1 gives 1. A NULL pointer gives 0 (every power divides 0; there is no largest).
 */
/*@ assigns \nothing;
    ensures (uintptr_t)p == 0 ==> \result == 0;
*/
static inline size_t memapi_ptr_max_align(const void *p)
{
    uintptr_t a = (uintptr_t)p;
    /* a & -a, written so that no unsigned operation wraps: for a != 0, -a == ~(a - 1). */
    return a == 0 ? 0 : (size_t)(a & ~(a - 1));
}

/** @brief `lhs` is a multiple of `rhs`; for `rhs == 0` only 0 is (so (0,0) is true, (1,0) false). */
/*@ assigns \nothing;
    behavior zero_rhs:
      assumes rhs == 0;
      ensures \result == (lhs == 0 ? 1 : 0);
    behavior nonzero_rhs:
      assumes rhs != 0;
      ensures \result == (lhs % rhs == 0 ? 1 : 0);
    complete behaviors;
    disjoint behaviors;
*/
static inline bool memapi_is_multiple_of(size_t lhs, size_t rhs)
{
    return rhs == 0 ? lhs == 0 : lhs % rhs == 0;
}

#ifdef __cplusplus
}
#endif

#endif /* MEMAPI2_ARITH_H */
