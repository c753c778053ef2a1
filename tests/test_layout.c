/*
 * Unit tests of include/memapi2/layout.h against the spec (reference-behaviour.md sections 1, 7.5,
 * 7.7, 7.8 and DESIGN.md decisions 1 and 5). Expected values are the spec's; MAX is
 * SIZE_MAX >> 1 and HIGH is MAX + 1, as in the spec's notation.
 */
#include <criterion/criterion.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "memapi2/layout.h"

/* Expected values are written with SIZE_MAX, MAX and HIGH, so the file runs unchanged where
 * size_t has 32 bits (make test-32). */

#define MAX MEMAPI_USIZE_MAX_NO_HIGH_BIT
#define HIGH MEMAPI_USIZE_HIGH_BIT
#define PTR sizeof(void *) /* posix_memalign's least alignment: 8, or 4 where pointers have 32 bits */
#define POISON 0xA5

/* A layout no function of the library can produce for the inputs below: marks "not written". */
static const memapi_layout SENTINEL = {12345, 777};
static const size_t SENTINEL_SIZE = 4242;

static void poison(memapi_error *e)
{
    memset(e, POISON, sizeof *e);
}

/* True when *e still holds the poison bytes, i.e. the callee did not write it. */
static int untouched(const memapi_error *e)
{
    const unsigned char *p = (const unsigned char *)e;
    for (size_t i = 0; i < sizeof *e; i++)
        if (p[i] != POISON)
            return 0;
    return 1;
}

/* Fields error.h documents as zero when they are not part of the reported kind's payload. */
static void expect_other_fields_zero(const char *what, const memapi_error *e)
{
    cr_assert_eq(e->layout.size, 0, "%s: layout.size", what);
    cr_assert_eq(e->layout.align, 0, "%s: layout.align", what);
    cr_assert_eq(e->cause.kind, MEMAPI_CAUSE_UNKNOWN, "%s: cause.kind", what);
    cr_assert_eq(e->cause.os_errno, 0, "%s: cause.os_errno", what);
    cr_assert_null(e->cause.msg, "%s: cause.msg", what);
    cr_assert_eq(e->old_val, 0, "%s: old_val", what);
    cr_assert_eq(e->new_val, 0, "%s: new_val", what);
    cr_assert_eq(e->arith.l, 0, "%s: arith.l", what);
    cr_assert_eq(e->arith.r, 0, "%s: arith.r", what);
    cr_assert_null(e->msg, "%s: msg", what);
    cr_assert_null(e->ptr, "%s: ptr", what);
    cr_assert_eq(e->recorded.size, 0, "%s: recorded.size", what);
    cr_assert_eq(e->recorded.align, 0, "%s: recorded.align", what);
}

/*
 * A failed call reporting layout error `kind` with payload (size, align, n); payload fields that
 * the kind does not use are expected to be 0 (pass 0 for them).
 */
static void expect_layout_err(const char *what, memapi_status st, const memapi_error *e, memapi_layout_err_kind kind,
                              size_t size, size_t align, size_t n)
{
    cr_assert_eq(st, MEMAPI_ERROR, "%s: status %d", what, (int)st);
    cr_assert_eq(e->kind, MEMAPI_E_LAYOUT, "%s: kind %d", what, (int)e->kind);
    cr_assert_eq(e->layout_err.kind, kind, "%s: layout_err.kind %d, expected %d", what, (int)e->layout_err.kind,
                 (int)kind);
    cr_assert_eq(e->layout_err.size, size, "%s: size %zu, expected %zu", what, e->layout_err.size, size);
    cr_assert_eq(e->layout_err.align, align, "%s: align %zu, expected %zu", what, e->layout_err.align, align);
    cr_assert_eq(e->layout_err.n, n, "%s: n %zu, expected %zu", what, e->layout_err.n, n);
    cr_assert_eq(e->layout_err.arith.l, 0, "%s: arith.l", what);
    cr_assert_eq(e->layout_err.arith.r, 0, "%s: arith.r", what);
    expect_other_fields_zero(what, e);
}

/* A failed call reporting LayoutErr::ArithmeticError(ArithErr(l, op, r)). */
static void expect_layout_arith(const char *what, memapi_status st, const memapi_error *e, size_t l,
                                memapi_arith_op op, size_t r)
{
    cr_assert_eq(st, MEMAPI_ERROR, "%s: status %d", what, (int)st);
    cr_assert_eq(e->kind, MEMAPI_E_LAYOUT, "%s: kind %d", what, (int)e->kind);
    cr_assert_eq(e->layout_err.kind, MEMAPI_LE_ARITH, "%s: layout_err.kind %d", what, (int)e->layout_err.kind);
    cr_assert_eq(e->layout_err.arith.l, l, "%s: arith.l %zu, expected %zu", what, e->layout_err.arith.l, l);
    cr_assert_eq(e->layout_err.arith.op, op, "%s: arith.op %d, expected %d", what, (int)e->layout_err.arith.op,
                 (int)op);
    cr_assert_eq(e->layout_err.arith.r, r, "%s: arith.r %zu, expected %zu", what, e->layout_err.arith.r, r);
    cr_assert_eq(e->layout_err.size, 0, "%s: size", what);
    cr_assert_eq(e->layout_err.align, 0, "%s: align", what);
    cr_assert_eq(e->layout_err.n, 0, "%s: n", what);
    expect_other_fields_zero(what, e);
}

static void expect_layout(const char *what, memapi_layout got, size_t size, size_t align)
{
    cr_assert_eq(got.size, size, "%s: size %zu, expected %zu", what, got.size, size);
    cr_assert_eq(got.align, align, "%s: align %zu, expected %zu", what, got.align, align);
}

/* A successful call: status OK, err untouched, *out == (size, align). */
static void expect_ok(const char *what, memapi_status st, const memapi_error *e, memapi_layout got, size_t size,
                      size_t align)
{
    cr_assert_eq(st, MEMAPI_OK, "%s: status %d", what, (int)st);
    cr_assert(untouched(e), "%s: err written on success", what);
    expect_layout(what, got, size, align);
}

static void expect_sentinel(const char *what, memapi_layout got)
{
    cr_assert(memapi_layout_eq(got, SENTINEL), "%s: out-param written on failure (%zu, %zu)", what, got.size,
              got.align);
}

/* ---- from_size_align, check, is_valid, unchecked, eq ----------------------------------------- */

struct ok_case {
    size_t size, align;
};
struct err_case {
    size_t size, align;
    memapi_layout_err_kind kind;
    size_t e_size, e_align, e_n;
};

static const struct ok_case VALID[] = {
    {0, 1}, {MAX - 7, 8}, {MAX, 1}, {0, HIGH}, {1, 1}, {16, 8}, {MAX - 4095, 4096}, {MAX - 1, 2},
};

static const struct err_case INVALID[] = {
    {MAX - 6, 8, MEMAPI_LE_EXCEEDS_MAX, MAX - 6, 8, 1},
    {MAX + 1, 1, MEMAPI_LE_EXCEEDS_MAX, MAX + 1, 1, 1},
    {8, 0, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0},
    {8, 3, MEMAPI_LE_NON_POW2_ALIGN, 0, 3, 0},
    {1, HIGH, MEMAPI_LE_EXCEEDS_MAX, 1, HIGH, 1},
    {MAX, 2, MEMAPI_LE_EXCEEDS_MAX, MAX, 2, 1},
    {SIZE_MAX, 1, MEMAPI_LE_EXCEEDS_MAX, SIZE_MAX, 1, 1},
    /* check order: the alignment is judged before the size */
    {SIZE_MAX, 0, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0},
    {SIZE_MAX, 12, MEMAPI_LE_NON_POW2_ALIGN, 0, 12, 0},
    {0, SIZE_MAX, MEMAPI_LE_NON_POW2_ALIGN, 0, SIZE_MAX, 0},
    {0, HIGH + 1, MEMAPI_LE_NON_POW2_ALIGN, 0, HIGH + 1, 0},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

Test(layout, from_size_align_valid_edges)
{
    for (size_t i = 0; i < COUNT(VALID); i++) {
        memapi_error err;
        poison(&err);
        memapi_layout out = SENTINEL;
        memapi_status st = memapi_layout_from_size_align(VALID[i].size, VALID[i].align, &out, &err);
        expect_ok("from_size_align", st, &err, out, VALID[i].size, VALID[i].align);
        cr_assert(memapi_layout_is_valid(out), "case %zu: is_valid", i);

        out = SENTINEL;
        st = memapi_layout_from_size_align(VALID[i].size, VALID[i].align, &out, NULL);
        cr_assert_eq(st, MEMAPI_OK, "case %zu with err NULL", i);
        expect_layout("from_size_align, err NULL", out, VALID[i].size, VALID[i].align);
    }
}

Test(layout, from_size_align_errors_and_payloads)
{
    for (size_t i = 0; i < COUNT(INVALID); i++) {
        const struct err_case *c = &INVALID[i];
        memapi_error err;
        poison(&err);
        memapi_layout out = SENTINEL;
        memapi_status st = memapi_layout_from_size_align(c->size, c->align, &out, &err);
        expect_layout_err("from_size_align", st, &err, c->kind, c->e_size, c->e_align, c->e_n);
        expect_sentinel("from_size_align", out);

        st = memapi_layout_from_size_align(c->size, c->align, &out, NULL);
        cr_assert_eq(st, MEMAPI_ERROR, "case %zu with err NULL", i);
        expect_sentinel("from_size_align, err NULL", out);
    }
}

Test(layout, check_matches_from_size_align)
{
    for (size_t i = 0; i < COUNT(VALID); i++) {
        memapi_error err;
        poison(&err);
        cr_assert_eq(memapi_layout_check(VALID[i].size, VALID[i].align, &err), MEMAPI_OK, "valid case %zu", i);
        cr_assert(untouched(&err), "valid case %zu: err written", i);
        cr_assert_eq(memapi_layout_check(VALID[i].size, VALID[i].align, NULL), MEMAPI_OK);
    }
    for (size_t i = 0; i < COUNT(INVALID); i++) {
        const struct err_case *c = &INVALID[i];
        memapi_error err;
        poison(&err);
        memapi_status st = memapi_layout_check(c->size, c->align, &err);
        expect_layout_err("layout_check", st, &err, c->kind, c->e_size, c->e_align, c->e_n);
        cr_assert_eq(memapi_layout_check(c->size, c->align, NULL), MEMAPI_ERROR, "invalid case %zu, err NULL", i);
    }
}

Test(layout, is_valid_matches_the_invariant)
{
    for (size_t i = 0; i < COUNT(VALID); i++) {
        memapi_layout l = {VALID[i].size, VALID[i].align};
        cr_assert(memapi_layout_is_valid(l), "valid case %zu", i);
    }
    for (size_t i = 0; i < COUNT(INVALID); i++) {
        memapi_layout l = {INVALID[i].size, INVALID[i].align};
        cr_assert_not(memapi_layout_is_valid(l), "invalid case %zu", i);
    }
}

Test(layout, unchecked_constructor_and_eq)
{
    for (size_t i = 0; i < COUNT(VALID); i++) {
        memapi_layout u = memapi_layout_from_size_align_unchecked(VALID[i].size, VALID[i].align);
        expect_layout("unchecked", u, VALID[i].size, VALID[i].align);
        memapi_layout c = SENTINEL;
        cr_assert_eq(memapi_layout_from_size_align(VALID[i].size, VALID[i].align, &c, NULL), MEMAPI_OK);
        cr_assert(memapi_layout_eq(u, c), "case %zu: unchecked == checked", i);
    }
    memapi_layout a = {16, 8}, b = {16, 8}, c = {16, 4}, d = {8, 8};
    cr_assert(memapi_layout_eq(a, b));
    cr_assert_not(memapi_layout_eq(a, c), "different align");
    cr_assert_not(memapi_layout_eq(a, d), "different size");
}

/* ---- dangling ------------------------------------------------------------------------------- */

Test(layout, dangling)
{
    memapi_layout page = {0, 4096};
    cr_assert_eq(memapi_layout_dangling(page), (void *)0x1000);

    memapi_layout l16 = {1, 16};
    void *d = memapi_layout_dangling(l16);
    cr_assert_not_null(d);
    cr_assert_eq((uintptr_t)d % 16, 0, "(1,16) dangling %p not divisible by 16", d);
    cr_assert_eq((uintptr_t)d, 16);

    memapi_layout l8 = {8, 8};
    cr_assert_eq((uintptr_t)memapi_layout_dangling(l8), 8);
    memapi_layout high = {0, HIGH};
    cr_assert_eq((uintptr_t)memapi_layout_dangling(high), (uintptr_t)HIGH);

    memapi_layout bad[] = {{8, 0}, {8, 3}, {MAX, 2}};
    for (size_t i = 0; i < COUNT(bad); i++)
        cr_assert_null(memapi_layout_dangling(bad[i]), "invalid layout %zu gives NULL", i);
}

/* ---- padding_needed_for, pad_to_align -------------------------------------------------------- */

Test(layout, padding_needed_for)
{
    static const struct {
        size_t size, lalign, align, want;
    } ok[] = {
        {6, 8, 8, 2}, {6, 8, 2, 0}, {6, 8, 1, 0}, {6, 1, 8, 2}, /* self.align is ignored */
        {0, 1, HIGH, 0}, {MAX - 7, 8, 8, 0}, {MAX - 8, 1, 8, 1}, {17, 1, 16, 15},
    };
    for (size_t i = 0; i < COUNT(ok); i++) {
        memapi_layout l = {ok[i].size, ok[i].lalign};
        memapi_error err;
        poison(&err);
        size_t out = SENTINEL_SIZE;
        cr_assert_eq(memapi_layout_padding_needed_for(l, ok[i].align, &out, &err), MEMAPI_OK, "case %zu", i);
        cr_assert_eq(out, ok[i].want, "case %zu: %zu, expected %zu", i, out, ok[i].want);
        cr_assert(untouched(&err));
    }

    static const struct {
        size_t size, lalign, align;
        memapi_layout_err_kind kind;
        size_t e_size, e_align, e_n;
    } bad[] = {
        {6, 8, 0, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0},
        {6, 8, 3, MEMAPI_LE_NON_POW2_ALIGN, 0, 3, 0},
        {MAX, 1, 2, MEMAPI_LE_EXCEEDS_MAX, MAX, 2, 1},
        {1, 1, HIGH, MEMAPI_LE_EXCEEDS_MAX, 1, HIGH, 1},
    };
    for (size_t i = 0; i < COUNT(bad); i++) {
        memapi_layout l = {bad[i].size, bad[i].lalign};
        memapi_error err;
        poison(&err);
        size_t out = SENTINEL_SIZE;
        memapi_status st = memapi_layout_padding_needed_for(l, bad[i].align, &out, &err);
        expect_layout_err("padding_needed_for", st, &err, bad[i].kind, bad[i].e_size, bad[i].e_align, bad[i].e_n);
        cr_assert_eq(out, SENTINEL_SIZE, "case %zu: out written on failure", i);
        cr_assert_eq(memapi_layout_padding_needed_for(l, bad[i].align, &out, NULL), MEMAPI_ERROR);
        cr_assert_eq(out, SENTINEL_SIZE);
    }
}

Test(layout, pad_to_align)
{
    static const struct {
        size_t size, align, want;
    } c[] = {
        {6, 8, 8}, {0, 8, 0}, {9, 8, 16}, {16, 8, 16}, {MAX - 7, 8, MAX - 7}, {MAX - 8, 8, MAX - 7},
        {MAX, 1, MAX}, {0, HIGH, 0},
    };
    for (size_t i = 0; i < COUNT(c); i++) {
        memapi_layout l = {c[i].size, c[i].align};
        memapi_error err;
        poison(&err);
        memapi_layout out = SENTINEL;
        memapi_status st = memapi_layout_pad_to_align(l, &out, &err);
        expect_ok("pad_to_align", st, &err, out, c[i].want, c[i].align);
    }
}

/* ---- repeat, repeat_packed ------------------------------------------------------------------ */

Test(layout, repeat)
{
    static const struct {
        size_t size, align, count, want_size, want_stride;
    } ok[] = {
        {3, 2, 3, 12, 4},
        {3, 2, 0, 0, 4},
        {3, 2, 1, 4, 4},
        {0, 8, SIZE_MAX, 0, 0},
        /* MAX/4 = 2^61 - 1 elements of 4 bytes: 2^63 - 4 = MAX - 3, exactly the limit for align 4 */
        {4, 4, MAX / 4, MAX - 3, 4},
        {1, 1, MAX, MAX, 1},
    };
    for (size_t i = 0; i < COUNT(ok); i++) {
        memapi_layout l = {ok[i].size, ok[i].align};
        memapi_error err;
        poison(&err);
        memapi_layout out = SENTINEL;
        size_t stride = SENTINEL_SIZE;
        memapi_status st = memapi_layout_repeat(l, ok[i].count, &out, &stride, &err);
        expect_ok("repeat", st, &err, out, ok[i].want_size, ok[i].align);
        cr_assert_eq(stride, ok[i].want_stride, "case %zu: stride %zu", i, stride);
    }

    memapi_layout l32 = {3, 2};
    memapi_error err;
    poison(&err);
    memapi_layout out = SENTINEL;
    size_t stride = SENTINEL_SIZE;
    memapi_status st = memapi_layout_repeat(l32, SIZE_MAX, &out, &stride, &err);
    expect_layout_arith("repeat (3,2) x SIZE_MAX", st, &err, 4, MEMAPI_OP_MUL, SIZE_MAX);
    expect_sentinel("repeat overflow", out);
    cr_assert_eq(stride, SENTINEL_SIZE);

    memapi_layout l42 = {4, 2};
    poison(&err);
    st = memapi_layout_repeat(l42, MAX / 4 + 1, &out, &stride, &err);
    expect_layout_err("repeat (4,2) x (MAX/4+1)", st, &err, MEMAPI_LE_EXCEEDS_MAX, HIGH, 2, 1);
    expect_sentinel("repeat too large", out);
    cr_assert_eq(stride, SENTINEL_SIZE);

    cr_assert_eq(memapi_layout_repeat(l32, SIZE_MAX, &out, &stride, NULL), MEMAPI_ERROR);
    cr_assert_eq(memapi_layout_repeat(l42, MAX / 4 + 1, &out, &stride, NULL), MEMAPI_ERROR);
    expect_sentinel("repeat, err NULL", out);
    cr_assert_eq(stride, SENTINEL_SIZE);
}

Test(layout, repeat_packed)
{
    static const struct {
        size_t size, align, count, want_size;
    } ok[] = {
        {3, 2, 3, 9}, {3, 2, 0, 0}, {0, 8, SIZE_MAX, 0}, {1, 1, MAX, MAX}, {2, 2, MAX / 2, MAX - 1},
    };
    for (size_t i = 0; i < COUNT(ok); i++) {
        memapi_layout l = {ok[i].size, ok[i].align};
        memapi_error err;
        poison(&err);
        memapi_layout out = SENTINEL;
        memapi_status st = memapi_layout_repeat_packed(l, ok[i].count, &out, &err);
        expect_ok("repeat_packed", st, &err, out, ok[i].want_size, ok[i].align);
    }

    memapi_layout l32 = {3, 2};
    memapi_error err;
    poison(&err);
    memapi_layout out = SENTINEL;
    memapi_status st = memapi_layout_repeat_packed(l32, SIZE_MAX, &out, &err);
    expect_layout_arith("repeat_packed (3,2) x SIZE_MAX", st, &err, 3, MEMAPI_OP_MUL, SIZE_MAX);
    expect_sentinel("repeat_packed overflow", out);

    /* MAX = 3 * (MAX/3) + 1, so 3 * (MAX/3 + 1) = MAX + 2: fits size_t, exceeds MAX. */
    poison(&err);
    st = memapi_layout_repeat_packed(l32, MAX / 3 + 1, &out, &err);
    expect_layout_err("repeat_packed (3,2) x (MAX/3+1)", st, &err, MEMAPI_LE_EXCEEDS_MAX, MAX + 2, 2, 1);
    expect_sentinel("repeat_packed too large", out);

    memapi_layout l11 = {1, 1};
    poison(&err);
    st = memapi_layout_repeat_packed(l11, MAX + 1, &out, &err);
    expect_layout_err("repeat_packed (1,1) x (MAX+1)", st, &err, MEMAPI_LE_EXCEEDS_MAX, MAX + 1, 1, 1);

    cr_assert_eq(memapi_layout_repeat_packed(l32, SIZE_MAX, &out, NULL), MEMAPI_ERROR);
    cr_assert_eq(memapi_layout_repeat_packed(l11, MAX + 1, &out, NULL), MEMAPI_ERROR);
    expect_sentinel("repeat_packed, err NULL", out);
}

/* ---- extend (C-DECISION: offset + next.size) ------------------------------------------------- */

Test(layout, extend_documented_semantics)
{
    static const struct {
        size_t s1, a1, s2, a2, want_size, want_align, want_off;
    } ok[] = {
        {4, 4, 8, 8, 16, 8, 8},
        {8, 8, 100, 1, 108, 8, 8},
        {100, 1, 8, 8, 112, 8, 104},
        {MAX / 2 + 1, 1, 0, 1, MAX / 2 + 1, 1, MAX / 2 + 1},
        {0, 1, 0, 1, 0, 1, 0},
        {0, 16, 3, 4, 3, 16, 0},
        /* offset MAX-8 rounded up to 8 is MAX-7; adding 0 bytes stays within the limit for align 8 */
        {MAX - 8, 1, 0, 8, MAX - 7, 8, MAX - 7},
        {MAX / 2, 1, MAX / 2 + 1, 1, MAX, 1, MAX / 2},
    };
    for (size_t i = 0; i < COUNT(ok); i++) {
        memapi_layout a = {ok[i].s1, ok[i].a1}, b = {ok[i].s2, ok[i].a2};
        memapi_error err;
        poison(&err);
        memapi_layout out = SENTINEL;
        size_t off = SENTINEL_SIZE;
        memapi_status st = memapi_layout_extend(a, b, &out, &off, &err);
        expect_ok("extend", st, &err, out, ok[i].want_size, ok[i].want_align);
        cr_assert_eq(off, ok[i].want_off, "case %zu: offset %zu, expected %zu", i, off, ok[i].want_off);
    }
}

Test(layout, extend_errors)
{
    static const struct {
        size_t s1, a1, s2, a2, e_size, e_align;
    } bad[] = {
        /* total MAX + 1 > MAX: ExceedsMax(offset, new_align, 1) */
        {MAX / 2 + 1, 1, MAX / 2 + 1, 1, MAX / 2 + 1, 1},
        {8, 8, MAX - 7, 8, 8, 8},
        /* offset MAX-7, total MAX-6 > MAX-7 */
        {MAX - 8, 1, 1, 8, MAX - 7, 8},
        /* the offset itself cannot be computed: ExceedsMax(l.size, next.align, 1) */
        {MAX, 1, 0, 2, MAX, 2},
        {1, 1, 0, HIGH, 1, HIGH},
    };
    for (size_t i = 0; i < COUNT(bad); i++) {
        memapi_layout a = {bad[i].s1, bad[i].a1}, b = {bad[i].s2, bad[i].a2};
        memapi_error err;
        poison(&err);
        memapi_layout out = SENTINEL;
        size_t off = SENTINEL_SIZE;
        memapi_status st = memapi_layout_extend(a, b, &out, &off, &err);
        expect_layout_err("extend", st, &err, MEMAPI_LE_EXCEEDS_MAX, bad[i].e_size, bad[i].e_align, 1);
        expect_sentinel("extend", out);
        cr_assert_eq(off, SENTINEL_SIZE, "case %zu: offset written on failure", i);
        cr_assert_eq(memapi_layout_extend(a, b, &out, &off, NULL), MEMAPI_ERROR);
        expect_sentinel("extend, err NULL", out);
        cr_assert_eq(off, SENTINEL_SIZE);
    }
}

/* ---- align_to, align_to_multiple_of ---------------------------------------------------------- */

Test(layout, align_to)
{
    static const struct {
        size_t size, lalign, align, want_align;
    } ok[] = {
        /* align <= self.align: self, without validating align */
        {16, 8, 0, 8}, {16, 8, 3, 8}, {16, 8, 4, 8}, {16, 8, 7, 8}, {16, 8, 8, 8},
        {16, 8, 16, 16}, {16, 8, 32, 32}, {0, 8, HIGH, HIGH}, {MAX - 7, 1, 8, 8},
    };
    for (size_t i = 0; i < COUNT(ok); i++) {
        memapi_layout l = {ok[i].size, ok[i].lalign};
        memapi_error err;
        poison(&err);
        memapi_layout out = SENTINEL;
        memapi_status st = memapi_layout_align_to(l, ok[i].align, &out, &err);
        expect_ok("align_to", st, &err, out, ok[i].size, ok[i].want_align);
    }

    static const struct {
        size_t size, lalign, align;
        memapi_layout_err_kind kind;
        size_t e_size, e_align;
        size_t e_n;
    } bad[] = {
        {16, 8, 12, MEMAPI_LE_NON_POW2_ALIGN, 0, 12, 0},
        {MAX, 1, 2, MEMAPI_LE_EXCEEDS_MAX, MAX, 2, 1},
        {16, 8, HIGH, MEMAPI_LE_EXCEEDS_MAX, 16, HIGH, 1},
        {16, 8, SIZE_MAX, MEMAPI_LE_NON_POW2_ALIGN, 0, SIZE_MAX, 0},
    };
    for (size_t i = 0; i < COUNT(bad); i++) {
        memapi_layout l = {bad[i].size, bad[i].lalign};
        memapi_error err;
        poison(&err);
        memapi_layout out = SENTINEL;
        memapi_status st = memapi_layout_align_to(l, bad[i].align, &out, &err);
        expect_layout_err("align_to", st, &err, bad[i].kind, bad[i].e_size, bad[i].e_align, bad[i].e_n);
        expect_sentinel("align_to", out);
        cr_assert_eq(memapi_layout_align_to(l, bad[i].align, &out, NULL), MEMAPI_ERROR);
        expect_sentinel("align_to, err NULL", out);
    }
}

Test(layout, align_to_multiple_of)
{
    static const struct {
        size_t size, lalign, align, want_align;
    } ok[] = {
        {16, 8, 1, 8}, {16, 8, 4, 8}, {16, 8, 8, 8}, {16, 8, 64, 64}, {30, 8, 16, 16}, {30, 16, 8, 16},
        {0, 1, HIGH, HIGH},
    };
    for (size_t i = 0; i < COUNT(ok); i++) {
        memapi_layout l = {ok[i].size, ok[i].lalign};
        memapi_error err;
        poison(&err);
        memapi_layout out = SENTINEL;
        memapi_status st = memapi_layout_align_to_multiple_of(l, ok[i].align, &out, &err);
        expect_ok("align_to_multiple_of", st, &err, out, ok[i].size, ok[i].want_align);
    }

    /* the doctest chain: (30,8) with 16 gives (30,16); 8 applied to that returns it unchanged */
    memapi_layout l = {30, 8}, r1 = SENTINEL, r2 = SENTINEL;
    cr_assert_eq(memapi_layout_align_to_multiple_of(l, 16, &r1, NULL), MEMAPI_OK);
    expect_layout("(30,8) with 16", r1, 30, 16);
    cr_assert_eq(memapi_layout_align_to_multiple_of(r1, 8, &r2, NULL), MEMAPI_OK);
    cr_assert(memapi_layout_eq(r1, r2), "applying 8 changed the layout");

    static const struct {
        size_t size, lalign, align;
        memapi_layout_err_kind kind;
        size_t e_size, e_align, e_n;
    } bad[] = {
        /* validated first, even when smaller than self.align (unlike align_to) */
        {16, 8, 0, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0},
        {16, 8, 3, MEMAPI_LE_NON_POW2_ALIGN, 0, 3, 0},
        {16, 8, 12, MEMAPI_LE_NON_POW2_ALIGN, 0, 12, 0},
        {MAX, 1, 2, MEMAPI_LE_EXCEEDS_MAX, MAX, 2, 1},
        {16, 8, HIGH, MEMAPI_LE_EXCEEDS_MAX, 16, HIGH, 1},
    };
    for (size_t i = 0; i < COUNT(bad); i++) {
        memapi_layout lb = {bad[i].size, bad[i].lalign};
        memapi_error err;
        poison(&err);
        memapi_layout out = SENTINEL;
        memapi_status st = memapi_layout_align_to_multiple_of(lb, bad[i].align, &out, &err);
        expect_layout_err("align_to_multiple_of", st, &err, bad[i].kind, bad[i].e_size, bad[i].e_align,
                          bad[i].e_n);
        expect_sentinel("align_to_multiple_of", out);
        cr_assert_eq(memapi_layout_align_to_multiple_of(lb, bad[i].align, &out, NULL), MEMAPI_ERROR);
        expect_sentinel("align_to_multiple_of, err NULL", out);
    }
}

/* ---- posix_memalign compatibility ------------------------------------------------------------ */

Test(layout, posix_memalign_compatible_from_size_align)
{
    static const struct {
        size_t size, align, want_align;
    } ok[] = {
        {10, 2, PTR}, {10, 1, PTR}, {10, 8, 8}, {10, 32, 32}, {0, 1, PTR}, {MAX - (PTR - 1), 1, PTR}, {0, HIGH, HIGH},
    };
    for (size_t i = 0; i < COUNT(ok); i++) {
        memapi_error err;
        poison(&err);
        memapi_layout out = SENTINEL;
        memapi_status st = memapi_layout_posix_memalign_compatible_from_size_align(ok[i].size, ok[i].align, &out,
                                                                                   &err);
        expect_ok("posix_from_size_align", st, &err, out, ok[i].size, ok[i].want_align);
    }

    static const struct {
        size_t size, align;
        memapi_layout_err_kind kind;
        size_t e_size, e_align, e_n;
    } bad[] = {
        {MAX, 2, MEMAPI_LE_EXCEEDS_MAX, MAX, PTR, 1},
        {MAX - (PTR - 2), 1, MEMAPI_LE_EXCEEDS_MAX, MAX - (PTR - 2), PTR, 1},
        {10, 0, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0},
        {10, 3, MEMAPI_LE_NON_POW2_ALIGN, 0, 3, 0},
        {SIZE_MAX, 0, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0},
        {1, HIGH, MEMAPI_LE_EXCEEDS_MAX, 1, HIGH, 1},
    };
    for (size_t i = 0; i < COUNT(bad); i++) {
        memapi_error err;
        poison(&err);
        memapi_layout out = SENTINEL;
        memapi_status st = memapi_layout_posix_memalign_compatible_from_size_align(bad[i].size, bad[i].align, &out,
                                                                                   &err);
        expect_layout_err("posix_from_size_align", st, &err, bad[i].kind, bad[i].e_size, bad[i].e_align,
                          bad[i].e_n);
        expect_sentinel("posix_from_size_align", out);
        cr_assert_eq(memapi_layout_posix_memalign_compatible_from_size_align(bad[i].size, bad[i].align, &out, NULL),
                     MEMAPI_ERROR);
        expect_sentinel("posix_from_size_align, err NULL", out);
    }
}

Test(layout, to_posix_memalign_compatible)
{
    static const struct {
        size_t size, align, want_align;
    } ok[] = {{10, 1, PTR}, {10, 32, 32}, {10, 8, 8}, {0, 4, PTR}, {MAX - (PTR - 1), 2, PTR}};
    for (size_t i = 0; i < COUNT(ok); i++) {
        memapi_layout l = {ok[i].size, ok[i].align};
        memapi_error err;
        poison(&err);
        memapi_layout out = SENTINEL;
        memapi_status st = memapi_layout_to_posix_memalign_compatible(l, &out, &err);
        expect_ok("to_posix", st, &err, out, ok[i].size, ok[i].want_align);
    }

    memapi_layout big = {MAX, 1};
    memapi_error err;
    poison(&err);
    memapi_layout out = SENTINEL;
    memapi_status st = memapi_layout_to_posix_memalign_compatible(big, &out, &err);
    expect_layout_err("to_posix (MAX,1)", st, &err, MEMAPI_LE_EXCEEDS_MAX, MAX, PTR, 1);
    expect_sentinel("to_posix (MAX,1)", out);
    cr_assert_eq(memapi_layout_to_posix_memalign_compatible(big, &out, NULL), MEMAPI_ERROR);
    expect_sentinel("to_posix, err NULL", out);
}

/* 7.5 #14 and the doctests of 7.7 */
Test(layout, doctests_and_posix_roundtrip)
{
    memapi_layout l68 = {6, 8};
    size_t pad = SENTINEL_SIZE;
    cr_assert_eq(memapi_layout_padding_needed_for(l68, 8, &pad, NULL), MEMAPI_OK);
    cr_assert_eq(pad, 2);

    memapi_layout l101 = {10, 1}, via_to = SENTINEL, via_from = SENTINEL;
    cr_assert_eq(memapi_layout_to_posix_memalign_compatible(l101, &via_to, NULL), MEMAPI_OK);
    cr_assert_eq(memapi_layout_posix_memalign_compatible_from_size_align(10, 1, &via_from, NULL), MEMAPI_OK);
    cr_assert(memapi_layout_eq(via_to, via_from), "to_posix (%zu,%zu) != from_size_align (%zu,%zu)", via_to.size,
              via_to.align, via_from.size, via_from.align);
    cr_assert_geq(via_to.align, sizeof(void *));
    cr_assert_eq(via_to.align % sizeof(void *), 0);
    cr_assert(memapi_is_pow2(via_to.align));
    cr_assert_geq(via_to.size, 10);

    memapi_layout l308 = {30, 8}, r = SENTINEL;
    cr_assert_eq(memapi_layout_align_to_multiple_of(l308, 16, &r, NULL), MEMAPI_OK);
    expect_layout("align_to_multiple_of doctest", r, 30, 16);
}

/* ---- array (DESIGN decision 5) -------------------------------------------------------------- */

Test(layout, array)
{
    static const struct {
        size_t esize, ealign, n, want_size;
    } ok[] = {
        {2, 2, 3, 6},                 /* u16 x 3 */
        {0, 1, SIZE_MAX, 0},          /* zero-size element never fails */
        {0, 1, 10, 0},                /* () x 10 */
        {1, 1, MAX, MAX},             /* u8 x MAX */
        {4, 4, (HIGH - 4) / 4, MAX - 3}, /* u32 at its limit */
        {8, 8, 0, 0},
        {0, HIGH, SIZE_MAX, 0},
    };
    for (size_t i = 0; i < COUNT(ok); i++) {
        memapi_error err;
        poison(&err);
        memapi_layout out = SENTINEL;
        memapi_status st = memapi_layout_array(ok[i].esize, ok[i].ealign, ok[i].n, &out, &err);
        expect_ok("array", st, &err, out, ok[i].want_size, ok[i].ealign);
        poison(&err);
        cr_assert_eq(memapi_layout_array_check(ok[i].esize, ok[i].ealign, ok[i].n, &err), MEMAPI_OK, "check %zu", i);
        cr_assert(untouched(&err));
    }

    static const struct {
        size_t esize, ealign, n;
        memapi_layout_err_kind kind;
        size_t e_size, e_align, e_n;
    } bad[] = {
        {1, 1, MAX + 1, MEMAPI_LE_EXCEEDS_MAX, 1, 1, MAX + 1},
        {4, 4, (HIGH - 4) / 4 + 1, MEMAPI_LE_EXCEEDS_MAX, 4, 4, HIGH / 4},
        {8, 8, SIZE_MAX, MEMAPI_LE_EXCEEDS_MAX, 8, 8, SIZE_MAX},
        {4, 0, 3, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0},
        {4, 3, 3, MEMAPI_LE_NON_POW2_ALIGN, 0, 3, 0},
        /* the alignment is judged before the count */
        {1, 0, SIZE_MAX, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0},
        {6, 6, SIZE_MAX, MEMAPI_LE_NON_POW2_ALIGN, 0, 6, 0},
    };
    for (size_t i = 0; i < COUNT(bad); i++) {
        memapi_error err;
        poison(&err);
        memapi_layout out = SENTINEL;
        memapi_status st = memapi_layout_array(bad[i].esize, bad[i].ealign, bad[i].n, &out, &err);
        expect_layout_err("array", st, &err, bad[i].kind, bad[i].e_size, bad[i].e_align, bad[i].e_n);
        expect_sentinel("array", out);
        poison(&err);
        st = memapi_layout_array_check(bad[i].esize, bad[i].ealign, bad[i].n, &err);
        expect_layout_err("array_check", st, &err, bad[i].kind, bad[i].e_size, bad[i].e_align, bad[i].e_n);
        cr_assert_eq(memapi_layout_array(bad[i].esize, bad[i].ealign, bad[i].n, &out, NULL), MEMAPI_ERROR);
        cr_assert_eq(memapi_layout_array_check(bad[i].esize, bad[i].ealign, bad[i].n, NULL), MEMAPI_ERROR);
        expect_sentinel("array, err NULL", out);
    }
}

/* ---- flexible array member layouts ----------------------------------------------------------- */

struct fam_bytes {
    uint64_t head;
    uint8_t tag;
    unsigned char bytes[];
};

struct fam_words {
    uint16_t len;
    uint32_t words[];
};

/* Independent model of the expected value: offset + n * elem, rounded up to align. */
static size_t round_up_model(size_t v, size_t a)
{
    return (v + a - 1) / a * a;
}

Test(layout, fam)
{
    const size_t off_b = offsetof(struct fam_bytes, bytes), al_b = _Alignof(struct fam_bytes);
    const size_t off_w = offsetof(struct fam_words, words), al_w = _Alignof(struct fam_words);
    static const size_t counts[] = {0, 1, 3, 7, 8, 100};
    for (size_t i = 0; i < COUNT(counts); i++) {
        size_t n = counts[i];
        memapi_error err;
        poison(&err);
        memapi_layout out = SENTINEL;
        memapi_status st = memapi_layout_fam(off_b, 1, al_b, n, &out, &err);
        expect_ok("fam bytes", st, &err, out, round_up_model(off_b + n, al_b), al_b);
        cr_assert_geq(out.size, sizeof(struct fam_bytes));

        poison(&err);
        out = SENTINEL;
        st = memapi_layout_fam(off_w, sizeof(uint32_t), al_w, n, &out, &err);
        expect_ok("fam words", st, &err, out, round_up_model(off_w + n * sizeof(uint32_t), al_w), al_w);
    }
    /* a concrete instance: 9 header bytes + 3 elements = 12, rounded up to 8 */
    memapi_layout out = SENTINEL;
    cr_assert_eq(memapi_layout_fam(9, 1, 8, 3, &out, NULL), MEMAPI_OK);
    expect_layout("fam (9 + 3) align 8", out, 16, 8);
    /* the largest total that still fits align 8 */
    cr_assert_eq(memapi_layout_fam(8, 1, 8, MAX - 15, &out, NULL), MEMAPI_OK);
    expect_layout("fam at the limit", out, MAX - 7, 8);
}

Test(layout, fam_errors)
{
    memapi_error err;
    memapi_layout out = SENTINEL;

    poison(&err);
    memapi_status st = memapi_layout_fam(8, 8, 8, SIZE_MAX / 8 + 1, &out, &err);
    expect_layout_arith("fam multiply overflow", st, &err, 8, MEMAPI_OP_MUL, SIZE_MAX / 8 + 1);

    poison(&err);
    st = memapi_layout_fam(16, 1, 8, SIZE_MAX - 15, &out, &err);
    expect_layout_arith("fam add overflow", st, &err, 16, MEMAPI_OP_ADD, SIZE_MAX - 15);

    poison(&err);
    st = memapi_layout_fam(8, 1, 8, MAX, &out, &err);
    expect_layout_err("fam exceeds max", st, &err, MEMAPI_LE_EXCEEDS_MAX, MAX + 8, 8, 1);

    poison(&err);
    st = memapi_layout_fam(8, 1, 8, MAX - 14, &out, &err);
    expect_layout_err("fam one past the limit", st, &err, MEMAPI_LE_EXCEEDS_MAX, MAX - 6, 8, 1);

    poison(&err);
    st = memapi_layout_fam(8, 1, 0, 1, &out, &err);
    expect_layout_err("fam zero align", st, &err, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0);

    poison(&err);
    st = memapi_layout_fam(8, 1, 12, 1, &out, &err);
    expect_layout_err("fam non-pow2 align", st, &err, MEMAPI_LE_NON_POW2_ALIGN, 0, 12, 0);

    expect_sentinel("fam failures", out);
    cr_assert_eq(memapi_layout_fam(8, 8, 8, SIZE_MAX / 8 + 1, &out, NULL), MEMAPI_ERROR);
    cr_assert_eq(memapi_layout_fam(16, 1, 8, SIZE_MAX - 15, &out, NULL), MEMAPI_ERROR);
    cr_assert_eq(memapi_layout_fam(8, 1, 8, MAX, &out, NULL), MEMAPI_ERROR);
    cr_assert_eq(memapi_layout_fam(8, 1, 0, 1, &out, NULL), MEMAPI_ERROR);
    expect_sentinel("fam failures, err NULL", out);
}

/* ---- forged layouts: every function taking a memapi_layout ----------------------------------- */

struct forged {
    memapi_layout l;
    memapi_layout_err_kind kind;
    size_t e_size, e_align, e_n;
};

static const struct forged FORGED[] = {
    {{8, 0}, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0},
    {{8, 3}, MEMAPI_LE_NON_POW2_ALIGN, 0, 3, 0},
    {{MAX, 2}, MEMAPI_LE_EXCEEDS_MAX, MAX, 2, 1},
};

static void expect_forged(const char *what, const struct forged *f, memapi_status st, const memapi_error *e)
{
    expect_layout_err(what, st, e, f->kind, f->e_size, f->e_align, f->e_n);
}

Test(layout, forged_layouts_rejected_everywhere)
{
    const memapi_layout good = {8, 8};
    for (size_t i = 0; i < COUNT(FORGED); i++) {
        const struct forged *f = &FORGED[i];
        memapi_error err;
        memapi_layout out = SENTINEL;
        size_t sz = SENTINEL_SIZE;

        cr_assert_not(memapi_layout_is_valid(f->l));
        cr_assert_null(memapi_layout_dangling(f->l));

        poison(&err);
        expect_forged("padding_needed_for", f, memapi_layout_padding_needed_for(f->l, 8, &sz, &err), &err);
        poison(&err);
        expect_forged("pad_to_align", f, memapi_layout_pad_to_align(f->l, &out, &err), &err);
        poison(&err);
        expect_forged("repeat", f, memapi_layout_repeat(f->l, 2, &out, &sz, &err), &err);
        poison(&err);
        expect_forged("repeat count 0", f, memapi_layout_repeat(f->l, 0, &out, &sz, &err), &err);
        poison(&err);
        expect_forged("repeat_packed", f, memapi_layout_repeat_packed(f->l, 2, &out, &err), &err);
        poison(&err);
        expect_forged("extend (forged first)", f, memapi_layout_extend(f->l, good, &out, &sz, &err), &err);
        poison(&err);
        expect_forged("extend (forged second)", f, memapi_layout_extend(good, f->l, &out, &sz, &err), &err);
        poison(&err);
        expect_forged("align_to (no raise)", f, memapi_layout_align_to(f->l, 1, &out, &err), &err);
        poison(&err);
        expect_forged("align_to (raise)", f, memapi_layout_align_to(f->l, 64, &out, &err), &err);
        poison(&err);
        expect_forged("align_to_multiple_of", f, memapi_layout_align_to_multiple_of(f->l, 1, &out, &err), &err);
        poison(&err);
        expect_forged("to_posix_memalign_compatible", f, memapi_layout_to_posix_memalign_compatible(f->l, &out, &err),
                      &err);

        /* err == NULL */
        cr_assert_eq(memapi_layout_padding_needed_for(f->l, 8, &sz, NULL), MEMAPI_ERROR);
        cr_assert_eq(memapi_layout_pad_to_align(f->l, &out, NULL), MEMAPI_ERROR);
        cr_assert_eq(memapi_layout_repeat(f->l, 2, &out, &sz, NULL), MEMAPI_ERROR);
        cr_assert_eq(memapi_layout_repeat_packed(f->l, 2, &out, NULL), MEMAPI_ERROR);
        cr_assert_eq(memapi_layout_extend(f->l, good, &out, &sz, NULL), MEMAPI_ERROR);
        cr_assert_eq(memapi_layout_extend(good, f->l, &out, &sz, NULL), MEMAPI_ERROR);
        cr_assert_eq(memapi_layout_align_to(f->l, 1, &out, NULL), MEMAPI_ERROR);
        cr_assert_eq(memapi_layout_align_to_multiple_of(f->l, 1, &out, NULL), MEMAPI_ERROR);
        cr_assert_eq(memapi_layout_to_posix_memalign_compatible(f->l, &out, NULL), MEMAPI_ERROR);

        expect_sentinel("forged", out);
        cr_assert_eq(sz, SENTINEL_SIZE, "forged case %zu: size/offset/stride out-param written", i);
    }
}

Test(layout, extend_checks_first_layout_first)
{
    const memapi_layout zero_align = {8, 0}, non_pow2 = {8, 3};
    memapi_error err;
    memapi_layout out = SENTINEL;
    size_t off = SENTINEL_SIZE;
    poison(&err);
    memapi_status st = memapi_layout_extend(zero_align, non_pow2, &out, &off, &err);
    expect_layout_err("extend both forged", st, &err, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0);
    poison(&err);
    st = memapi_layout_extend(non_pow2, zero_align, &out, &off, &err);
    expect_layout_err("extend both forged, swapped", st, &err, MEMAPI_LE_NON_POW2_ALIGN, 0, 3, 0);
    expect_sentinel("extend both forged", out);
    cr_assert_eq(off, SENTINEL_SIZE);
}
