/* The Layout algebra (reference layout.rs), with docs/design.md decisions D1 (extend) and D5 (array). */
#include "memapi2/layout.h"
#include "internal/error_set.h"
#include "internal/acsl.h"

#define MAX MEMAPI_USIZE_MAX_NO_HIGH_BIT
#define HIGH MEMAPI_USIZE_HIGH_BIT

/*
 * v rounded up to a multiple of align. Callers have checked v <= MAX - (align - 1), so the sum
 * cannot wrap. The modulo form (rather than the mask) keeps the result provable by WP.
 */
/*@ requires align > 0 && v <= SIZE_MAX - (align - 1);
    assigns \nothing;
    ensures \result == memapi_pad_to(v, align);
*/
static size_t round_up(size_t v, size_t align)
{
    size_t rem = v % align;
    return rem == 0 ? v : v + (align - rem);
}

/*@ requires err == \null || \valid(err);
    assigns *err;
    behavior zero_align:
      assumes align == 0;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_layout(err, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0);
    behavior non_pow2_align:
      assumes align != 0 && !memapi_pow2(align);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_layout(err, MEMAPI_LE_NON_POW2_ALIGN, 0, align, 0);
    behavior exceeds_max:
      assumes memapi_pow2(align) && size > memapi_max - (align - 1);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_layout(err, MEMAPI_LE_EXCEEDS_MAX, size, align, 1);
    behavior ok:
      assumes memapi_valid_sa(size, align);
      assigns \nothing;
      ensures \result == MEMAPI_OK;
      ensures err != \null ==> *err == \old(*err);
    complete behaviors;
    disjoint behaviors;
*/
memapi_status memapi_layout_check(size_t size, size_t align, memapi_error *err)
{
    if (align == 0)
        return memapi__fail_layout(err, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0);
    if ((align & (align - 1)) != 0)
        return memapi__fail_layout(err, MEMAPI_LE_NON_POW2_ALIGN, 0, align, 0);
    /* The first test cannot be true for a power of two; it lets the prover bound align - 1. */
    if (align - 1 > MAX || size > MAX - (align - 1))
        return memapi__fail_layout(err, MEMAPI_LE_EXCEEDS_MAX, size, align, 1);
    return MEMAPI_OK;
}

/*@ requires \valid(out) && (err == \null || \valid(err)) && \separated(out, err);
    assigns *out, *err;
    behavior invalid_layout:
      assumes !memapi_valid_layout(l);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, l.size, l.align);
    behavior invalid_align:
      assumes memapi_valid_layout(l) && !memapi_valid_sa(l.size, align);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, l.size, align);
    behavior ok:
      assumes memapi_valid_layout(l) && memapi_valid_sa(l.size, align);
      ensures \result == MEMAPI_OK;
      ensures *out == memapi_pad_to(l.size, align) - l.size;
    complete behaviors;
    disjoint behaviors;
*/
memapi_status memapi_layout_padding_needed_for(memapi_layout l, size_t align, size_t *out, memapi_error *err)
{
    if (memapi_layout_check(l.size, l.align, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    if (memapi_layout_check(l.size, align, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    *out = round_up(l.size, align) - l.size;
    return MEMAPI_OK;
}

/*@ requires \valid(out) && (err == \null || \valid(err)) && \separated(out, err);
    assigns *out, *err;
    behavior invalid_layout:
      assumes !memapi_valid_layout(l);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, l.size, l.align);
    behavior ok:
      assumes memapi_valid_layout(l);
      ensures \result == MEMAPI_OK;
      ensures out->size == memapi_pad_to(l.size, l.align) && out->align == l.align;
    complete behaviors;
    disjoint behaviors;
*/
memapi_status memapi_layout_pad_to_align(memapi_layout l, memapi_layout *out, memapi_error *err)
{
    if (memapi_layout_check(l.size, l.align, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    out->size = round_up(l.size, l.align);
    out->align = l.align;
    return MEMAPI_OK;
}

/* (size * count, align) with the reference's two errors; align is a valid alignment. */
/*@ requires memapi_valid_sa(0, align);
    requires \valid(out) && (err == \null || \valid(err)) && \separated(out, err);
    assigns *out, *err;
    behavior mul_overflow:
      assumes memapi_mul(size, count) > SIZE_MAX;
      assigns *err;
      ensures *out == \old(*out);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_layout_arith(err, size, MEMAPI_OP_MUL, count);
    behavior exceeds_max:
      assumes memapi_mul(size, count) <= SIZE_MAX && memapi_mul(size, count) > memapi_max - (align - 1);
      assigns *err;
      ensures *out == \old(*out);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_layout(err, MEMAPI_LE_EXCEEDS_MAX, memapi_mul(size, count), align, 1);
    behavior ok:
      assumes memapi_mul(size, count) <= memapi_max - (align - 1);
      ensures \result == MEMAPI_OK;
      ensures out->size == memapi_mul(size, count) && out->align == align;
    complete behaviors;
    disjoint behaviors;
*/
static memapi_status packed(size_t size, size_t align, size_t count, memapi_layout *out, memapi_error *err)
{
    //@ assert size != 0 ==> (count > SIZE_MAX / size <==> memapi_mul(size, count) > SIZE_MAX);
    if (size != 0 && count > SIZE_MAX / size)
        return memapi__fail_layout_arith(err, size, MEMAPI_OP_MUL, count);
    size_t total = size * count;
    if (memapi_layout_check(total, align, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    out->size = total;
    out->align = align;
    return MEMAPI_OK;
}

/*@ requires \valid(out) && \valid(stride) && (err == \null || \valid(err));
    requires \separated(out, stride, err);
    assigns *out, *stride, *err;
    behavior invalid_layout:
      assumes !memapi_valid_layout(l);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, l.size, l.align);
    behavior mul_overflow:
      assumes memapi_valid_layout(l) && memapi_mul(memapi_pad_to(l.size, l.align), count) > SIZE_MAX;
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==>
              memapi_err_layout_arith(err, memapi_pad_to(l.size, l.align), MEMAPI_OP_MUL, count);
    behavior exceeds_max:
      assumes memapi_valid_layout(l) && memapi_mul(memapi_pad_to(l.size, l.align), count) <= SIZE_MAX &&
              memapi_mul(memapi_pad_to(l.size, l.align), count) > memapi_max - (l.align - 1);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==>
              memapi_err_layout(err, MEMAPI_LE_EXCEEDS_MAX, memapi_mul(memapi_pad_to(l.size, l.align), count), l.align, 1);
    behavior ok:
      assumes memapi_valid_layout(l) && memapi_mul(memapi_pad_to(l.size, l.align), count) <= memapi_max - (l.align - 1);
      ensures \result == MEMAPI_OK;
      ensures out->size == memapi_mul(memapi_pad_to(l.size, l.align), count);
      ensures out->align == l.align;
      ensures *stride == memapi_pad_to(l.size, l.align);
    complete behaviors;
    disjoint behaviors;
*/
memapi_status memapi_layout_repeat(memapi_layout l, size_t count, memapi_layout *out, size_t *stride,
                                   memapi_error *err)
{
    if (memapi_layout_check(l.size, l.align, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    size_t padded = round_up(l.size, l.align);
    memapi_layout res;
    if (packed(padded, l.align, count, &res, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    //@ assert res.size == memapi_mul(padded, count) && res.align == l.align;
    *out = res;
    *stride = padded;
    return MEMAPI_OK;
}

/*@ requires \valid(out) && (err == \null || \valid(err)) && \separated(out, err);
    assigns *out, *err;
    behavior invalid_layout:
      assumes !memapi_valid_layout(l);
      ensures *out == \old(*out);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, l.size, l.align);
    behavior mul_overflow:
      assumes memapi_valid_layout(l) && memapi_mul(l.size, count) > SIZE_MAX;
      ensures *out == \old(*out);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_layout_arith(err, l.size, MEMAPI_OP_MUL, count);
    behavior exceeds_max:
      assumes memapi_valid_layout(l) && memapi_mul(l.size, count) <= SIZE_MAX && memapi_mul(l.size, count) > memapi_max - (l.align - 1);
      ensures *out == \old(*out);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_layout(err, MEMAPI_LE_EXCEEDS_MAX, memapi_mul(l.size, count), l.align, 1);
    behavior ok:
      assumes memapi_valid_layout(l) && memapi_mul(l.size, count) <= memapi_max - (l.align - 1);
      ensures \result == MEMAPI_OK;
      ensures out->size == memapi_mul(l.size, count) && out->align == l.align;
    complete behaviors;
    disjoint behaviors;
*/
memapi_status memapi_layout_repeat_packed(memapi_layout l, size_t count, memapi_layout *out, memapi_error *err)
{
    if (memapi_layout_check(l.size, l.align, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    return packed(l.size, l.align, count, out, err);
}

/*@ requires \valid(out) && \valid(offset) && (err == \null || \valid(err));
    requires \separated(out, offset, err);
    assigns *out, *offset, *err;
    behavior invalid_layout:
      assumes !memapi_valid_layout(l);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, l.size, l.align);
    behavior invalid_next:
      assumes memapi_valid_layout(l) && !memapi_valid_layout(next);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, next.size, next.align);
    behavior offset_exceeds_max:
      assumes memapi_valid_layout(l) && memapi_valid_layout(next) && !memapi_valid_sa(l.size, next.align);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_layout(err, MEMAPI_LE_EXCEEDS_MAX, l.size, next.align, 1);
    behavior total_exceeds_max:
      assumes memapi_valid_layout(l) && memapi_valid_layout(next) && memapi_valid_sa(l.size, next.align);
      assumes memapi_pad_to(l.size, next.align) + next.size > memapi_max - (\max(l.align, next.align) - 1);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_layout(err, MEMAPI_LE_EXCEEDS_MAX, memapi_pad_to(l.size, next.align),
                                                 \max(l.align, next.align), 1);
    behavior ok:
      assumes memapi_valid_layout(l) && memapi_valid_layout(next) && memapi_valid_sa(l.size, next.align);
      assumes memapi_pad_to(l.size, next.align) + next.size <= memapi_max - (\max(l.align, next.align) - 1);
      ensures \result == MEMAPI_OK;
      ensures out->size == memapi_pad_to(l.size, next.align) + next.size;
      ensures out->align == \max(l.align, next.align);
      ensures *offset == memapi_pad_to(l.size, next.align);
      ensures memapi_valid_layout(*out);
    complete behaviors;
    disjoint behaviors;
*/
memapi_status memapi_layout_extend(memapi_layout l, memapi_layout next, memapi_layout *out, size_t *offset,
                                   memapi_error *err)
{
    if (memapi_layout_check(l.size, l.align, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    if (memapi_layout_check(next.size, next.align, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    if (memapi_layout_check(l.size, next.align, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    size_t off = round_up(l.size, next.align);
    size_t new_align = l.align > next.align ? l.align : next.align;
    /* off <= MAX and next.size <= MAX, so the sum cannot wrap size_t. */
    if (off + next.size > MAX - (new_align - 1))
        return memapi__fail_layout(err, MEMAPI_LE_EXCEEDS_MAX, off, new_align, 1);
    out->size = off + next.size;
    out->align = new_align;
    *offset = off;
    return MEMAPI_OK;
}

/*@ requires \valid(out) && (err == \null || \valid(err)) && \separated(out, err);
    assigns *out, *err;
    behavior invalid_layout:
      assumes !memapi_valid_layout(l);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, l.size, l.align);
    behavior keep:
      assumes memapi_valid_layout(l) && align <= l.align;
      ensures \result == MEMAPI_OK;
      ensures out->size == l.size && out->align == l.align;
    behavior invalid_align:
      assumes memapi_valid_layout(l) && align > l.align && !memapi_valid_sa(l.size, align);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, l.size, align);
    behavior raise:
      assumes memapi_valid_layout(l) && align > l.align && memapi_valid_sa(l.size, align);
      ensures \result == MEMAPI_OK;
      ensures out->size == l.size && out->align == align;
    complete behaviors;
    disjoint behaviors;
*/
memapi_status memapi_layout_align_to(memapi_layout l, size_t align, memapi_layout *out, memapi_error *err)
{
    if (memapi_layout_check(l.size, l.align, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    if (align > l.align && memapi_layout_check(l.size, align, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    out->size = l.size;
    out->align = align > l.align ? align : l.align;
    return MEMAPI_OK;
}

/*@ requires \valid(out) && (err == \null || \valid(err)) && \separated(out, err);
    assigns *out, *err;
    behavior invalid_layout:
      assumes !memapi_valid_layout(l);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, l.size, l.align);
    behavior zero_align:
      assumes memapi_valid_layout(l) && align == 0;
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_layout(err, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0);
    behavior non_pow2_align:
      assumes memapi_valid_layout(l) && align != 0 && !memapi_pow2(align);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_layout(err, MEMAPI_LE_NON_POW2_ALIGN, 0, align, 0);
    behavior keep:
      assumes memapi_valid_layout(l) && memapi_pow2(align) && l.align % align == 0;
      ensures \result == MEMAPI_OK;
      ensures out->size == l.size && out->align == l.align;
    behavior exceeds_max:
      assumes memapi_valid_layout(l) && memapi_pow2(align) && l.align % align != 0 &&
              !memapi_valid_sa(l.size, align);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_layout(err, MEMAPI_LE_EXCEEDS_MAX, l.size, align, 1);
    behavior raise:
      assumes memapi_valid_layout(l) && memapi_pow2(align) && l.align % align != 0 &&
              memapi_valid_sa(l.size, align);
      ensures \result == MEMAPI_OK;
      ensures out->size == l.size && out->align == align;
    complete behaviors;
    disjoint behaviors;
*/
memapi_status memapi_layout_align_to_multiple_of(memapi_layout l, size_t align, memapi_layout *out,
                                                 memapi_error *err)
{
    if (memapi_layout_check(l.size, l.align, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    if (align == 0)
        return memapi__fail_layout(err, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0);
    if ((align & (align - 1)) != 0)
        return memapi__fail_layout(err, MEMAPI_LE_NON_POW2_ALIGN, 0, align, 0);
    /* For powers of two, rounding l.align up to a multiple of align is max(l.align, align). */
    if (l.align % align != 0 && memapi_layout_check(l.size, align, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    out->size = l.size;
    out->align = l.align % align == 0 ? l.align : align;
    return MEMAPI_OK;
}

/*@ requires \valid(out) && (err == \null || \valid(err)) && \separated(out, err);
    assigns *out, *err;
    behavior zero_align:
      assumes align == 0;
      assigns *err;
      ensures *out == \old(*out);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_layout(err, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0);
    behavior non_pow2_align:
      assumes align != 0 && !memapi_pow2(align);
      assigns *err;
      ensures *out == \old(*out);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_layout(err, MEMAPI_LE_NON_POW2_ALIGN, 0, align, 0);
    behavior c_round_up:
      assumes memapi_pow2(align) && align > SIZE_MAX - (sizeof(void *) - 1);
      assigns *err;
      ensures *out == \old(*out);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_layout(err, MEMAPI_LE_C_ROUND_UP, 0, align, 0);
    behavior invalid_size:
      assumes memapi_pow2(align) && align <= SIZE_MAX - (sizeof(void *) - 1);
      assumes !memapi_valid_sa(size, memapi_pad_to(align, sizeof(void *)));
      assigns *err;
      ensures *out == \old(*out);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, size, memapi_pad_to(align, sizeof(void *)));
    behavior ok:
      assumes memapi_pow2(align) && align <= SIZE_MAX - (sizeof(void *) - 1);
      assumes memapi_valid_sa(size, memapi_pad_to(align, sizeof(void *)));
      ensures \result == MEMAPI_OK;
      ensures out->size == size && out->align == memapi_pad_to(align, sizeof(void *));
      ensures memapi_valid_layout(*out);
    complete behaviors;
    disjoint behaviors;
*/
memapi_status memapi_layout_posix_memalign_compatible_from_size_align(size_t size, size_t align,
                                                                      memapi_layout *out, memapi_error *err)
{
    if (align == 0)
        return memapi__fail_layout(err, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0);
    if ((align & (align - 1)) != 0)
        return memapi__fail_layout(err, MEMAPI_LE_NON_POW2_ALIGN, 0, align, 0);
    if (align > SIZE_MAX - (MEMAPI_PTR_SIZE - 1))
        return memapi__fail_layout(err, MEMAPI_LE_C_ROUND_UP, 0, align, 0);
    size_t new_align = round_up(align, MEMAPI_PTR_SIZE);
    if (memapi_layout_check(size, new_align, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    out->size = size;
    out->align = new_align;
    return MEMAPI_OK;
}

/*@ requires \valid(out) && (err == \null || \valid(err)) && \separated(out, err);
    assigns *out, *err;
    behavior invalid_layout:
      assumes !memapi_valid_layout(l);
      ensures *out == \old(*out);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, l.size, l.align);
    behavior invalid_size:
      assumes memapi_valid_layout(l) && !memapi_valid_sa(l.size, memapi_pad_to(l.align, sizeof(void *)));
      ensures *out == \old(*out);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, l.size, memapi_pad_to(l.align, sizeof(void *)));
    behavior ok:
      assumes memapi_valid_layout(l) && memapi_valid_sa(l.size, memapi_pad_to(l.align, sizeof(void *)));
      ensures \result == MEMAPI_OK;
      ensures out->size == l.size && out->align == memapi_pad_to(l.align, sizeof(void *));
    complete behaviors;
    disjoint behaviors;
*/
memapi_status memapi_layout_to_posix_memalign_compatible(memapi_layout l, memapi_layout *out, memapi_error *err)
{
    if (memapi_layout_check(l.size, l.align, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    return memapi_layout_posix_memalign_compatible_from_size_align(l.size, l.align, out, err);
}

/*@ requires err == \null || \valid(err);
    assigns *err;
    behavior zero_align:
      assumes elem_align == 0;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_layout(err, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0);
    behavior non_pow2_align:
      assumes elem_align != 0 && !memapi_pow2(elem_align);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_layout(err, MEMAPI_LE_NON_POW2_ALIGN, 0, elem_align, 0);
    behavior exceeds_max:
      assumes memapi_pow2(elem_align) && memapi_mul(elem_size, n) > memapi_high - elem_align;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_layout(err, MEMAPI_LE_EXCEEDS_MAX, elem_size, elem_align, n);
    behavior ok:
      assumes memapi_pow2(elem_align) && memapi_mul(elem_size, n) <= memapi_high - elem_align;
      assigns \nothing;
      ensures \result == MEMAPI_OK;
    complete behaviors;
    disjoint behaviors;
*/
memapi_status memapi_layout_array_check(size_t elem_size, size_t elem_align, size_t n, memapi_error *err)
{
    if (elem_align == 0)
        return memapi__fail_layout(err, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0);
    if ((elem_align & (elem_align - 1)) != 0)
        return memapi__fail_layout(err, MEMAPI_LE_NON_POW2_ALIGN, 0, elem_align, 0);
    //@ assert 0 <= memapi_mul(elem_size, n);
    //@ assert elem_align <= HIGH && elem_size != 0 ==> (n > (HIGH - elem_align) / elem_size <==> memapi_mul(elem_size, n) > HIGH - elem_align);
    if (elem_align > HIGH || (elem_size != 0 && n > (HIGH - elem_align) / elem_size))
        return memapi__fail_layout(err, MEMAPI_LE_EXCEEDS_MAX, elem_size, elem_align, n);
    return MEMAPI_OK;
}

/*@ requires \valid(out) && (err == \null || \valid(err)) && \separated(out, err);
    assigns *out, *err;
    behavior zero_align:
      assumes struct_align == 0;
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_layout(err, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0);
    behavior non_pow2_align:
      assumes struct_align != 0 && !memapi_pow2(struct_align);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_layout(err, MEMAPI_LE_NON_POW2_ALIGN, 0, struct_align, 0);
    behavior mul_overflow:
      assumes memapi_pow2(struct_align) && memapi_mul(elem_size, n) > SIZE_MAX;
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_layout_arith(err, elem_size, MEMAPI_OP_MUL, n);
    behavior add_overflow:
      assumes memapi_pow2(struct_align) && memapi_mul(elem_size, n) <= SIZE_MAX && offset + memapi_mul(elem_size, n) > SIZE_MAX;
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_layout_arith(err, offset, MEMAPI_OP_ADD, memapi_mul(elem_size, n));
    behavior exceeds_max:
      assumes memapi_pow2(struct_align) && offset + memapi_mul(elem_size, n) <= SIZE_MAX &&
              offset + memapi_mul(elem_size, n) > memapi_max - (struct_align - 1);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==>
              memapi_err_layout(err, MEMAPI_LE_EXCEEDS_MAX, offset + memapi_mul(elem_size, n), struct_align, 1);
    behavior ok:
      assumes memapi_valid_sa(offset + memapi_mul(elem_size, n), struct_align);
      ensures \result == MEMAPI_OK;
      ensures out->size == memapi_pad_to(offset + memapi_mul(elem_size, n), struct_align);
      ensures out->align == struct_align;
    complete behaviors;
    disjoint behaviors;
*/
memapi_status memapi_layout_fam(size_t offset, size_t elem_size, size_t struct_align, size_t n, memapi_layout *out,
                                memapi_error *err)
{
    if (struct_align == 0)
        return memapi__fail_layout(err, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0);
    if ((struct_align & (struct_align - 1)) != 0)
        return memapi__fail_layout(err, MEMAPI_LE_NON_POW2_ALIGN, 0, struct_align, 0);
    //@ assert elem_size != 0 ==> (n > SIZE_MAX / elem_size <==> memapi_mul(elem_size, n) > SIZE_MAX);
    if (elem_size != 0 && n > SIZE_MAX / elem_size) {
        //@ assert memapi_mul(elem_size, n) > SIZE_MAX;
        return memapi__fail_layout_arith(err, elem_size, MEMAPI_OP_MUL, n);
    }
    size_t tail = elem_size * n;
    //@ assert tail == memapi_mul(elem_size, n);
    if (offset > SIZE_MAX - tail) {
        //@ assert offset + memapi_mul(elem_size, n) > SIZE_MAX;
        return memapi__fail_layout_arith(err, offset, MEMAPI_OP_ADD, tail);
    }
    size_t total = offset + tail;
    //@ assert total == offset + memapi_mul(elem_size, n);
    if (memapi_layout_check(total, struct_align, err) != MEMAPI_OK) {
        //@ assert !memapi_valid_sa(offset + memapi_mul(elem_size, n), struct_align);
        return MEMAPI_ERROR;
    }
    //@ assert memapi_valid_sa(offset + memapi_mul(elem_size, n), struct_align);
    size_t rounded = round_up(total, struct_align);
    //@ assert rounded == memapi_pad_to(offset + memapi_mul(elem_size, n), struct_align);
    out->size = rounded;
    out->align = struct_align;
    return MEMAPI_OK;
}
