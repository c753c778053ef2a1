/*
 * memapi_checked_op over the seven operations and forged operation values, against a 128-bit model
 * (pow by repeated multiplication with early exit); the error payload must carry the original
 * operands. Also align_up_checked, align_up (inside its precondition), is_pow2, is_multiple_of,
 * ptr_max_align and the operation names.
 */
#include "fuzz_oracle.h"

static const char *const OP_NAMES[] = {"add", "sub", "mul", "div", "rem", "div_ceil", "pow"};
#define N_OPS (sizeof OP_NAMES / sizeof OP_NAMES[0])

/* 1 and *res when l op r fits in size_t, 0 when the library must report an overflow. */
static int model_op(size_t l, unsigned op, size_t r, size_t *res)
{
    fuzz_u128 wide;
    switch (op) {
    case MEMAPI_OP_ADD: wide = (fuzz_u128)l + r; break;
    case MEMAPI_OP_SUB:
        if (l < r)
            return 0;
        wide = (fuzz_u128)l - r;
        break;
    case MEMAPI_OP_MUL: wide = (fuzz_u128)l * r; break;
    case MEMAPI_OP_DIV:
        if (r == 0)
            return 0;
        wide = (fuzz_u128)l / r;
        break;
    case MEMAPI_OP_REM:
        if (r == 0)
            return 0;
        wide = (fuzz_u128)l - (fuzz_u128)l / r * r;
        break;
    case MEMAPI_OP_DIV_CEIL:
        if (r == 0)
            return 0;
        wide = ((fuzz_u128)l + r - 1) / r;
        break;
    case MEMAPI_OP_POW:
        if (r > UINT32_MAX)
            return 0;
        wide = 1;
        /* Stop at the first overflow, or once the product stops changing (l is 0 or 1). */
        for (size_t i = 0; i < r; i++) {
            fuzz_u128 next = wide * l;
            if (next > SIZE_MAX)
                return 0;
            if (next == wide)
                break;
            wide = next;
        }
        break;
    default: fuzz_fail("model_op", "operation out of range");
    }
    if (wide > SIZE_MAX)
        return 0;
    *res = (size_t)wide;
    return 1;
}

static void report(const char *what, size_t l, unsigned op, size_t r)
{
    fprintf(stderr, "%s: l=%zu op=%u r=%zu\n", what, l, op, r);
}

static void check_op(size_t l, unsigned op, size_t r)
{
    memapi_arith_op aop = (memapi_arith_op)op;
    size_t out, out2, want = 0;
    memapi_error err, before;
    memset(&out, FUZZ_POISON, sizeof out);
    memset(&err, FUZZ_POISON, sizeof err);
    out2 = out;
    before = err;
    memapi_status st = memapi_checked_op(l, aop, r, &out, &err);
    memapi_status st_null = memapi_checked_op(l, aop, r, &out2, NULL);
    if (st_null != st) {
        report("checked_op", l, op, r);
        fuzz_fail("checked_op", "status with err == NULL differs");
    }

    if (op >= N_OPS) {
        memapi_error x = fuzz_err_zero(MEMAPI_E_OTHER);
        x.msg = "invalid arithmetic operation";
        if (st != MEMAPI_ERROR)
            report("checked_op", l, op, r);
        FUZZ_REQUIRE("checked_op(invalid op)", st == MEMAPI_ERROR);
        fuzz_require_err("checked_op(invalid op)", &err, &x);
        FUZZ_REQUIRE("checked_op(invalid op)", fuzz_is_poisoned(&out, sizeof out));
        FUZZ_REQUIRE("checked_op(invalid op)", strcmp(memapi_arith_op_name(aop), "?") == 0);
        return;
    }
    FUZZ_REQUIRE("arith_op_name", strcmp(memapi_arith_op_name(aop), OP_NAMES[op]) == 0);

    int ok = model_op(l, op, r, &want);
    if ((st == MEMAPI_OK) != ok) {
        report("checked_op", l, op, r);
        fuzz_fail("checked_op", ok ? "failed, model succeeds" : "succeeded, model overflows");
    }
    if (ok) {
        if (out != want || out2 != want) {
            report("checked_op", l, op, r);
            fprintf(stderr, "  got %zu, want %zu\n", out, want);
            fuzz_fail("checked_op", "result differs from the model");
        }
        FUZZ_REQUIRE("checked_op", memcmp(&err, &before, sizeof err) == 0);
        return;
    }
    memapi_error x = fuzz_err_zero(MEMAPI_E_ARITH);
    x.arith.l = l;
    x.arith.op = aop;
    x.arith.r = r;
    if (!fuzz_err_eq(&err, &x))
        report("checked_op", l, op, r);
    fuzz_require_err("checked_op", &err, &x);
    FUZZ_REQUIRE("checked_op", fuzz_is_poisoned(&out, sizeof out) && fuzz_is_poisoned(&out2, sizeof out2));
}

static void check_align_up(size_t v, size_t align)
{
    size_t out, out2;
    memapi_error err, before, x;
    memset(&out, FUZZ_POISON, sizeof out);
    memset(&err, FUZZ_POISON, sizeof err);
    out2 = out;
    before = err;
    memapi_status st = memapi_align_up_checked(v, align, &out, &err);
    FUZZ_REQUIRE("align_up_checked", memapi_align_up_checked(v, align, &out2, NULL) == st);

    int ok = 0;
    if (align == 0)
        x = fuzz_err_layout(MEMAPI_LE_ZERO_ALIGN, 0, 0, 0);
    else if (!fuzz_pow2(align))
        x = fuzz_err_layout(MEMAPI_LE_NON_POW2_ALIGN, 0, align, 0);
    else if ((fuzz_u128)v + align - 1 > FUZZ_MAX)
        x = fuzz_err_layout(MEMAPI_LE_EXCEEDS_MAX, v, align, 1);
    else
        ok = 1;
    if ((st == MEMAPI_OK) != ok) {
        fprintf(stderr, "align_up_checked(%zu, %zu): status %d\n", v, align, (int)st);
        fuzz_fail("align_up_checked", "status differs from the model");
    }
    if (ok) {
        fuzz_u128 want = fuzz_round_up(v, align);
        FUZZ_REQUIRE("align_up_checked", out == want && out2 == want);
        FUZZ_REQUIRE("align_up_checked", memcmp(&err, &before, sizeof err) == 0);
    } else {
        if (!fuzz_err_eq(&err, &x))
            fprintf(stderr, "align_up_checked(%zu, %zu)\n", v, align);
        fuzz_require_err("align_up_checked", &err, &x);
        FUZZ_REQUIRE("align_up_checked", fuzz_is_poisoned(&out, sizeof out) && fuzz_is_poisoned(&out2, sizeof out2));
    }

    /* The unchecked form, only inside its precondition (outside it, it must stop the program). */
    if (fuzz_pow2(align) && (fuzz_u128)v + align - 1 <= SIZE_MAX)
        FUZZ_REQUIRE("align_up", memapi_align_up(v, align) == fuzz_round_up(v, align));
    else
        FUZZ_EXPECT_FATAL("memapi_align_up", memapi_align_up(v, align));
}

static void check_pure(size_t a, size_t b)
{
    FUZZ_REQUIRE("is_pow2", memapi_is_pow2(a) == fuzz_pow2(a));
    int mult = b == 0 ? a == 0 : (fuzz_u128)a / b * b == a;
    FUZZ_REQUIRE("is_multiple_of", memapi_is_multiple_of(a, b) == mult);

    /* The largest power of two dividing the address (from its trailing zeros); 0 for the null address. */
    size_t want = a == 0 ? 0 : (size_t)1 << __builtin_ctzll((unsigned long long)a);
    FUZZ_REQUIRE("ptr_max_align", memapi_ptr_max_align((const void *)(uintptr_t)a) == want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    do {
        uint8_t sel = fin_u8(&in);
        size_t l = fin_size(&in);
        size_t r = sel & 0x80 ? fin_align(&in) : fin_size(&in);
        unsigned op = sel % 8;
        if (op >= N_OPS)
            op = (unsigned)fin_le(&in, 4) % (unsigned)INT_MAX;
        check_op(l, op, r);
        check_align_up(l, r);
        check_pure(l, r);
    } while (in.n > 0);
    return 0;
}
