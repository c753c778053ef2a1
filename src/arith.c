/* Checked arithmetic (reference helpers::checked_op) and the checked align-up. */
#include <limits.h>
#include "memapi2/arith.h"
#include "memapi2/layout.h"
#include "internal/error_set.h"

#define SIZE_BITS (sizeof(size_t) * CHAR_BIT)

/* l^r for r < SIZE_BITS and l >= 2, failing on overflow: at most SIZE_BITS-1 checked products. */
static memapi_status checked_pow(size_t l, size_t r, size_t *out)
{
    size_t acc = 1;
    for (size_t i = 0; i < r; i++) {
        if (acc > SIZE_MAX / l)
            return MEMAPI_ERROR;
        acc *= l;
    }
    *out = acc;
    return MEMAPI_OK;
}

memapi_status memapi_checked_op(size_t l, memapi_arith_op op, size_t r, size_t *out, memapi_error *err)
{
    size_t res;
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
        /* 0^0 = x^0 = 1; 0^r = 0 and 1^r = 1 never overflow; for l >= 2, l^r overflows once r >= SIZE_BITS. */
        if (r == 0 || l == 1) {
            *out = 1;
            return MEMAPI_OK;
        }
        if (l == 0) {
            *out = 0;
            return MEMAPI_OK;
        }
        if (r >= SIZE_BITS || checked_pow(l, r, &res) != MEMAPI_OK)
            break;
        *out = res;
        return MEMAPI_OK;
    default:
        return memapi__fail_other(err, "invalid arithmetic operation");
    }
    return memapi__fail_arith(err, l, op, r);
}

memapi_status memapi_align_up_checked(size_t v, size_t align, size_t *out, memapi_error *err)
{
    if (memapi_layout_check(v, align, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    size_t rem = v % align;
    *out = rem == 0 ? v : v + (align - rem);
    return MEMAPI_OK;
}
