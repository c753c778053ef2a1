/**
 * @file memapi2/layout.h
 * @brief `memapi_layout` and its algebra (the reference's `Layout`), with arithmetic that cannot
 * overflow.
 *
 * Conventions for every function here:
 * - Layout errors are reported as `MEMAPI_E_LAYOUT` with the reference's `LayoutErr` payload in
 *   `err->layout_err` (the reference returns `LayoutErr` and callers lift it into
 *   `Error::LayoutError`; C has one error type, so the lift is done here).
 * - A layout argument is re-checked first: a forged (invalid) layout fails with the error its
 *   construction would have given (`ZERO_ALIGN`, `NON_POW2_ALIGN(align)` or
 *   `EXCEEDS_MAX(size, align, 1)`), before anything else is looked at.
 * - On failure, out-parameters are left untouched.
 * - Every size computation is checked; no input makes these functions overflow.
 *
 * MAX below is `MEMAPI_USIZE_MAX_NO_HIGH_BIT` (`SIZE_MAX >> 1`) and HIGH is `MEMAPI_USIZE_HIGH_BIT`.
 */
#ifndef MEMAPI2_LAYOUT_H
#define MEMAPI2_LAYOUT_H

#include <stdbool.h>
#include "types.h"
#include "error.h"
#include "arith.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief True when `l` satisfies the layout invariant: `align` is a nonzero power of two and
 * `size <= MAX - (align - 1)`. The C mirror of the ACSL predicate `valid_layout`.
 */
/*@ assigns \nothing;
    behavior valid:
      assumes memapi_valid_layout(l);
      ensures \result == 1;
    behavior invalid:
      assumes !memapi_valid_layout(l);
      ensures \result == 0;
    complete behaviors;
    disjoint behaviors;
*/
static inline bool memapi_layout_is_valid(memapi_layout l)
{
    /*
     * size <= MAX - (align - 1) is size <= HIGH - align. `align - 1 < HIGH` always holds for a
     * power of two; it keeps the subtraction visibly in range. Written on align - 1, the value the
     * power-of-two test and a caller's pointer test (ptr & (align - 1)) need too, so that GCC
     * computes align - 1 once and tests its sign for align != 0 && align <= HIGH: 9 instructions on
     * x86-64. With memapi_is_pow2(align) && align <= HIGH, a caller that also tested a pointer
     * (memapi_dealloc, the resizes) got align != 0 and align <= HIGH as two compares of their own.
     */
    return l.align != 0 && l.align - 1 < MEMAPI_USIZE_HIGH_BIT && memapi_is_pow2(l.align) &&
           l.size <= MEMAPI_USIZE_HIGH_BIT - l.align;
}

/**
 * @brief Checks `(size, align)` as a layout, reporting why it is invalid.
 *
 * Errors, in the reference's order: `ZERO_ALIGN`; `NON_POW2_ALIGN(align)`;
 * `EXCEEDS_MAX(size, align, 1)` when `size > MAX - (align - 1)`.
 * @return `MEMAPI_OK` when the pair is a valid layout. `*err` is untouched on success.
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status memapi_layout_check(size_t size, size_t align, memapi_error *err);

/**
 * @brief Builds a layout (reference `from_size_align`). Inline, so that a constant layout folds.
 *
 * Errors as `memapi_layout_check`. Examples (64-bit): `(0,1)` ok; `(MAX-7, 8)` ok;
 * `(MAX-6, 8)` gives `EXCEEDS_MAX(MAX-6, 8, 1)`; `(8,0)` gives `ZERO_ALIGN`; `(8,3)` gives
 * `NON_POW2_ALIGN(3)`; `(0, HIGH)` ok and `(1, HIGH)` gives `EXCEEDS_MAX(1, HIGH, 1)`.
 * @param size the size in bytes
 * @param align the alignment
 * @param out receives the layout on success (must not be NULL); untouched on failure.
 * @param err receives the error on failure; may be NULL
 */
/*@ requires \valid(out) && (err == \null || \valid(err)) && \separated(out, err);
    assigns *out, *err;
    behavior zero_align:
      assumes align == 0;
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_layout(err, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0);
    behavior non_pow2_align:
      assumes align != 0 && !memapi_pow2(align);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_layout(err, MEMAPI_LE_NON_POW2_ALIGN, 0, align, 0);
    behavior exceeds_max:
      assumes memapi_pow2(align) && size > memapi_max - (align - 1);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_layout(err, MEMAPI_LE_EXCEEDS_MAX, size, align, 1);
    behavior ok:
      assumes memapi_valid_sa(size, align);
      assigns *out;
      ensures \result == MEMAPI_OK;
      ensures out->size == size && out->align == align;
    complete behaviors;
    disjoint behaviors;
*/
MEMAPI_NODISCARD static inline memapi_status
memapi_layout_from_size_align(size_t size, size_t align, memapi_layout *out, memapi_error *err)
{
    /* As memapi_layout_is_valid. */
    if (MEMAPI_LIKELY(memapi_is_pow2(align) && align <= MEMAPI_USIZE_HIGH_BIT &&
                      size <= MEMAPI_USIZE_HIGH_BIT - align)) {
        out->size = size;
        out->align = align;
        return MEMAPI_OK;
    }
    /* The constant tells the compiler that *out is untouched unless the result is MEMAPI_OK. */
    const memapi_status refused = memapi_layout_check(size, align, err);
    (void)refused;
    return MEMAPI_ERROR;
}

/**
 * @brief Builds a layout without checking it (reference `from_size_align_unchecked`).
 *
 * Precondition: `(size, align)` is a valid layout (size 0 is allowed). Checked only in debug builds
 * (`MEMAPI_PRECONDITION`); in release builds an invalid pair gives an invalid layout, which every
 * other function of the library then rejects.
 */
/*@ requires memapi_valid_sa(size, align);
    assigns \nothing;
    ensures \result.size == size && \result.align == align;
*/
static inline memapi_layout memapi_layout_from_size_align_unchecked(size_t size, size_t align)
{
    memapi_layout l;
    l.size = size;
    l.align = align;
    MEMAPI_PRECONDITION(memapi_layout_is_valid(l),
                        "memapi_layout_from_size_align_unchecked requires a valid layout");
    return l;
}

/** @brief Two layouts are equal when their sizes and alignments are. */
/*@ assigns \nothing;
    ensures \result == (a.size == b.size && a.align == b.align ? 1 : 0);
*/
static inline bool memapi_layout_eq(memapi_layout a, memapi_layout b)
{
    return a.size == b.size && a.align == b.align;
}

/**
 * @brief The layout's dangling pointer: the non-null address equal to `align`, used as the
 * "no allocation" sentinel for zero-size blocks (`(0,4096)` gives 0x1000). NULL for an invalid layout.
 */
/*@ // One goal of this function is trusted, not proved (proofs/trusted.tsv): that the integer
    // `align` converted to a pointer is a valid pointer value (C11 6.3.2.3p5 leaves the conversion
    // to the implementation; the sentinel is compared, never dereferenced).
    assigns \result \from l;
    behavior valid:
      assumes memapi_valid_layout(l);
      ensures \result == (void *)(uintptr_t)l.align;
    behavior invalid:
      assumes !memapi_valid_layout(l);
      ensures \result == \null;
    complete behaviors;
    disjoint behaviors;
*/
static inline void *memapi_layout_dangling(memapi_layout l)
{
    return memapi_layout_is_valid(l) ? (void *)(uintptr_t)l.align : (void *)0;
}

/**
 * @brief Bytes to add to `l.size` to reach a multiple of `align` (reference `padding_needed_for`).
 *
 * Ignores `l.align` (once `l` is checked). Errors after the check of `l`: `ZERO_ALIGN`;
 * `NON_POW2_ALIGN(align)`; `EXCEEDS_MAX(l.size, align, 1)`. `(6,8)` gives 2 for align 8, 0 for 2.
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status
memapi_layout_padding_needed_for(memapi_layout l, size_t align, size_t *out, memapi_error *err);

/**
 * @brief `l` with its size rounded up to its alignment (reference `pad_to_align`):
 * `(6,8)` gives `(8,8)`, `(0,8)` gives `(0,8)`. Fails only for a forged `l`.
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status
memapi_layout_pad_to_align(memapi_layout l, memapi_layout *out, memapi_error *err);

/**
 * @brief Layout of `count` elements of `l` with padding between them (reference `repeat`).
 *
 * `p = pad_to_align(l)`; the result is `(p.size * count, l.align)` and `*stride = p.size`.
 * `(3,2)` x 3 gives `(12,2)` with stride 4; x 0 gives `(0,2)` with stride 4.
 * Errors: `ARITH(p.size, MUL, count)` when the product overflows `size_t`;
 * `EXCEEDS_MAX(p.size * count, l.align, 1)` when it is too large for the alignment.
 * @param l the element layout
 * @param count the number of elements
 * @param out, stride both written on success only; neither may be NULL.
 * @param err receives the error on failure; may be NULL
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status
memapi_layout_repeat(memapi_layout l, size_t count, memapi_layout *out, size_t *stride, memapi_error *err);

/**
 * @brief Layout of `count` elements of `l` with no padding (reference `repeat_packed`):
 * `(3,2)` x 3 gives `(9,2)`; later elements may be misaligned.
 * Errors: `ARITH(l.size, MUL, count)`; `EXCEEDS_MAX(l.size * count, l.align, 1)`.
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status
memapi_layout_repeat_packed(memapi_layout l, size_t count, memapi_layout *out, memapi_error *err);

/**
 * @brief Layout of `l` followed by `next`, and the offset of `next` (reference `extend`, with the
 * documented meaning rather than the reference's defect).
 *
 * `offset = l.size` rounded up to `next.align`; the result is
 * `(offset + next.size, max(l.align, next.align))`. `(4,4)` then `(8,8)` gives `(16,8)`, offset 8;
 * `(100,1)` then `(8,8)` gives `(112,8)`, offset 104.
 * Errors (after checking `l`, then `next`): `EXCEEDS_MAX(l.size, next.align, 1)` when the offset
 * cannot be computed; `EXCEEDS_MAX(offset, new_align, 1)` when `offset + next.size > MAX - (new_align - 1)`.
 * The reference instead computes `l.size + offset`; see docs/design.md, decision D1.
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status
memapi_layout_extend(memapi_layout l, memapi_layout next, memapi_layout *out, size_t *offset, memapi_error *err);

/**
 * @brief `l` with its alignment raised to `align` (reference `align_to`).
 *
 * As in the reference, when `align <= l.align` it returns `l` unchanged **without validating
 * `align`** (`align_to(0)` and `align_to(3)` on `(16,8)` give `(16,8)`). Otherwise it is
 * `from_size_align(l.size, align)`: `(16,8)` with 12 gives `NON_POW2_ALIGN(12)`, with 32 `(16,32)`;
 * `(MAX,1)` with 2 gives `EXCEEDS_MAX(MAX, 2, 1)`. The size never changes.
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status
memapi_layout_align_to(memapi_layout l, size_t align, memapi_layout *out, memapi_error *err);

/**
 * @brief `l` with alignment `max(l.align, align)` (reference `align_to_multiple_of`).
 *
 * Validates `align` first (`ZERO_ALIGN`, `NON_POW2_ALIGN(align)`), then may fail with
 * `EXCEEDS_MAX(l.size, align, 1)`. `(30,8)` with 16 gives `(30,16)`; `(30,16)` with 8 gives `(30,16)`.
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status
memapi_layout_align_to_multiple_of(memapi_layout l, size_t align, memapi_layout *out, memapi_error *err);

/**
 * @brief A layout whose alignment posix_memalign accepts: `(size, max(align, PTR))`
 * (reference `posix_memalign_compatible_from_size_align`). Only the alignment changes.
 *
 * Errors in order: `ZERO_ALIGN`; `NON_POW2_ALIGN(align)`; `C_ROUND_UP(align)` when
 * `align > SIZE_MAX - (PTR - 1)` (cannot happen for a power of two); `EXCEEDS_MAX(size, new_align, 1)`.
 * `(10,2)` gives `(10,8)`; `(MAX,2)` gives `EXCEEDS_MAX(MAX, 8, 1)` on 64-bit.
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status
memapi_layout_posix_memalign_compatible_from_size_align(size_t size, size_t align, memapi_layout *out,
                                                        memapi_error *err);

/**
 * @brief `l` with alignment `max(l.align, PTR)` (reference `to_posix_memalign_compatible`).
 * `(10,1)` gives `(10,8)`, `(10,32)` stays; `(MAX,1)` gives `EXCEEDS_MAX(MAX, 8, 1)` on 64-bit.
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status
memapi_layout_to_posix_memalign_compatible(memapi_layout l, memapi_layout *out, memapi_error *err);

/**
 * @brief Checks an array request `(elem_size, elem_align, n)`, reporting why it is refused.
 *
 * Errors in order: `ZERO_ALIGN`; `NON_POW2_ALIGN(elem_align)` (the element alignment is validated,
 * docs/design.md, decision D5); `EXCEEDS_MAX(elem_size, elem_align, n)` when `elem_size != 0` and
 * `n > (HIGH - elem_align) / elem_size`. `*err` is untouched on success.
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status
memapi_layout_array_check(size_t elem_size, size_t elem_align, size_t n, memapi_error *err);

/**
 * @brief Layout of an array of `n` elements of `(elem_size, elem_align)` (reference `array`):
 * `(elem_size * n, elem_align)`. Inline, so that a constant element type folds.
 *
 * `elem_size` is expected to be a multiple of `elem_align`, as C's `sizeof` always is (use
 * `MEMAPI_LAYOUT_ARRAY` from `type_props.h`); no padding is added. Zero-size elements never fail.
 * Errors as `memapi_layout_array_check`. u8 x MAX is `(MAX,1)`; u8 x (MAX+1) gives
 * `EXCEEDS_MAX(1,1,MAX+1)`; u32 x (HIGH-4)/4 is `(MAX-3,4)`, one more gives `EXCEEDS_MAX(4,4,2^61)`.
 */
/*@ requires \valid(out) && (err == \null || \valid(err)) && \separated(out, err);
    assigns *out, *err;
    behavior zero_align:
      assumes elem_align == 0;
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_layout(err, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0);
    behavior non_pow2_align:
      assumes elem_align != 0 && !memapi_pow2(elem_align);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_layout(err, MEMAPI_LE_NON_POW2_ALIGN, 0, elem_align, 0);
    behavior exceeds_max:
      assumes memapi_pow2(elem_align) && elem_size * n > memapi_high - elem_align;
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_layout(err, MEMAPI_LE_EXCEEDS_MAX, elem_size, elem_align, n);
    behavior ok:
      assumes memapi_pow2(elem_align) && elem_size * n <= memapi_high - elem_align;
      assigns *out;
      ensures \result == MEMAPI_OK;
      ensures out->size == elem_size * n && out->align == elem_align;
    complete behaviors;
    disjoint behaviors;
*/
MEMAPI_NODISCARD static inline memapi_status
memapi_layout_array(size_t elem_size, size_t elem_align, size_t n, memapi_layout *out, memapi_error *err)
{
    /* The second test always holds for a power of two; it keeps the subtraction visibly in range.
       The product's overflow test is one `mul; jo` (a division before: tens of cycles). */
    memapi__mul_t bytes;
    if (MEMAPI_LIKELY(memapi_is_pow2(elem_align) && elem_align <= MEMAPI_USIZE_HIGH_BIT &&
                      !MEMAPI__MUL_OVERFLOW(elem_size, n, &bytes) &&
                      bytes <= MEMAPI_USIZE_HIGH_BIT - elem_align)) {
        out->size = (size_t)bytes;
        out->align = elem_align;
        return MEMAPI_OK;
    }
    /* As in memapi_layout_from_size_align: the failure is a constant the compiler can see. */
    const memapi_status refused = memapi_layout_array_check(elem_size, elem_align, n, err);
    (void)refused;
    return MEMAPI_ERROR;
}

/**
 * @brief Layout of a struct with a flexible array member holding `n` elements:
 * `offset + n * elem_size`, rounded up to `struct_align`, with alignment `struct_align`.
 * Use `MEMAPI_LAYOUT_FAM` from `type_props.h` rather than calling this directly.
 *
 * Errors in order: `ZERO_ALIGN`; `NON_POW2_ALIGN(struct_align)`; `ARITH(elem_size, MUL, n)`;
 * `ARITH(offset, ADD, elem_size * n)`; `EXCEEDS_MAX(offset + elem_size * n, struct_align, 1)`.
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status
memapi_layout_fam(size_t offset, size_t elem_size, size_t struct_align, size_t n, memapi_layout *out,
                  memapi_error *err);

#ifdef __cplusplus
}
#endif

#endif /* MEMAPI2_LAYOUT_H */
