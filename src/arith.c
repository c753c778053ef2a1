/* Checked arithmetic (reference helpers::checked_op) and the checked align-up. */
#include "memapi2/arith.h"
#include "memapi2/layout.h"
#include "internal/error_set.h"
#include "internal/acsl.h"

/*
 * l^r for l >= 2, failing on overflow. The loop stops at the first overflowing product, so it runs
 * at most SIZE_BITS - 1 times whatever r is.
 */
/*@ requires l >= 2 && \valid(out);
    assigns *out;
    behavior ok:
      assumes memapi_ipow(l, r) <= SIZE_MAX;
      assigns *out;
      ensures \result == MEMAPI_OK && *out == memapi_ipow(l, r);
    behavior overflow:
      assumes memapi_ipow(l, r) > SIZE_MAX;
      assigns \nothing;
      ensures \result == MEMAPI_ERROR;
    complete behaviors;
    disjoint behaviors;
*/
static memapi_status checked_pow(size_t l, size_t r, size_t *out)
{
    size_t acc = 1;
    /*@ loop invariant 0 <= i <= r;
        loop invariant acc == memapi_ipow(l, i) && acc >= 1;
        loop assigns i, acc;
        loop variant r - i;
    */
    for (size_t i = 0; i < r; i++) {
        //@ assert acc > SIZE_MAX / l <==> acc * l > SIZE_MAX;
        if (acc > SIZE_MAX / l) {
            /* Proof only: the powers keep growing past SIZE_MAX, up to l^r (induction on k). */
            /*@ ghost
              size_t k = i + 1;
              /@ loop invariant i + 1 <= k <= r;
                 loop invariant memapi_ipow(l, k) > SIZE_MAX;
                 loop assigns k;
                 loop variant r - k;
              @/
              while (k < r)
                  k++;
            */
            return MEMAPI_ERROR;
        }
        acc *= l;
    }
    *out = acc;
    return MEMAPI_OK;
}

/*@ requires \valid(out) && (err == \null || \valid(err)) && \separated(out, err);
    assigns *out, *err;
    behavior ok:
      assumes memapi_op_valid(op) && memapi_op_ok(l, op, r);
      assigns *out;
      ensures \result == MEMAPI_OK && *out == memapi_op_value(l, op, r);
    behavior overflow:
      assumes memapi_op_valid(op) && !memapi_op_ok(l, op, r);
      assigns *err;
      ensures \result == MEMAPI_ERROR && (err != \null ==> memapi_err_arith(err, l, op, r));
    behavior invalid_op:
      assumes !memapi_op_valid(op);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> err->kind == MEMAPI_E_OTHER && err->msg != \null && \valid_read(err->msg);
    complete behaviors;
    disjoint behaviors;
*/
memapi_status memapi_checked_op(size_t l, memapi_arith_op op, size_t r, size_t *out, memapi_error *err)
{
    size_t res;
    memapi_status st;
    switch (op) {
    case MEMAPI_OP_ADD:
        if (l > SIZE_MAX - r)
            break;
        *out = l + r;
        return MEMAPI_OK;
    case MEMAPI_OP_SUB:
        if (r > l)
            break;
        *out = l - r;
        return MEMAPI_OK;
    case MEMAPI_OP_MUL:
        //@ assert l != 0 ==> (r > SIZE_MAX / l <==> l * r > SIZE_MAX);
        if (l != 0 && r > SIZE_MAX / l)
            break;
        *out = l * r;
        return MEMAPI_OK;
    case MEMAPI_OP_DIV:
        if (r == 0)
            break;
        *out = l / r;
        return MEMAPI_OK;
    case MEMAPI_OP_REM:
        if (r == 0)
            break;
        *out = l % r;
        return MEMAPI_OK;
    case MEMAPI_OP_DIV_CEIL:
        if (r == 0)
            break;
        *out = l / r + (l % r != 0);
        return MEMAPI_OK;
    case MEMAPI_OP_POW:
        if (r > UINT32_MAX)
            break;
        /* 0^0 = x^0 = 1; 0^r = 0 and 1^r = 1 never overflow; for l >= 2, checked_pow stops at the first overflow. */
        if (r == 0 || l == 1) {
            /* Proof only: 1^r = 1 (induction on k). */
            /*@ ghost
              if (l == 1) {
                  size_t k = 0;
                  /@ loop invariant 0 <= k <= r;
                     loop invariant memapi_ipow(l, k) == 1;
                     loop assigns k;
                     loop variant r - k;
                  @/
                  while (k < r)
                      k++;
              }
            */
            *out = 1;
            return MEMAPI_OK;
        }
        if (l == 0) {
            *out = 0;
            return MEMAPI_OK;
        }
        if (checked_pow(l, r, &res) != MEMAPI_OK)
            break;
        *out = res;
        return MEMAPI_OK;
    default:
        /* Through a variable of the function scope: WP mis-scopes the temporary of a return in a switch. */
        st = memapi__fail_other(err, "invalid arithmetic operation");
        return st;
    }
    return memapi__fail_arith(err, l, op, r);
}

/*@ requires \valid(out) && (err == \null || \valid(err)) && \separated(out, err);
    assigns *out, *err;
    behavior invalid:
      assumes !memapi_valid_sa(v, align);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, v, align);
    behavior ok:
      assumes memapi_valid_sa(v, align);
      ensures \result == MEMAPI_OK && *out == memapi_pad_to(v, align);
    complete behaviors;
    disjoint behaviors;
*/
memapi_status memapi_align_up_checked(size_t v, size_t align, size_t *out, memapi_error *err)
{
    if (memapi_layout_check(v, align, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    size_t rem = v % align;
    *out = rem == 0 ? v : v + (align - rem);
    return MEMAPI_OK;
}
