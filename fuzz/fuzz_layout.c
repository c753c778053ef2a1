/*
 * Every operation of layout.h against an independent 128-bit model of spec section 1 plus the C
 * decisions of layout.h (extend = offset + next.size; array validates the element alignment; a
 * forged layout argument fails with its own construction error first). Each call is made twice:
 * with a poisoned `memapi_error` (the payload must equal the model's, field by field; on success it
 * must stay untouched) and with `err == NULL` (same status, same results). Out-parameters must be
 * untouched on failure and valid layouts on success.
 */
#include "fuzz_oracle.h"

#define WHAT_LEN 64

/* The operands of one round; `l` and `m` may be forged. */
typedef struct args {
    size_t s, a, n, off;
    memapi_layout l, m;
} args;

/* What the model predicts: success with a layout (and an auxiliary size_t), or an error. */
typedef struct expect {
    int ok;
    memapi_layout out;
    size_t aux;
    memapi_error err;
} expect;

static int model_valid(size_t size, size_t align)
{
    return fuzz_pow2(align) && (fuzz_u128)size + align - 1 <= FUZZ_MAX;
}

/* from_size_align's checks in the reference's order; 1 when the pair is a layout. */
static int model_check(size_t size, size_t align, expect *x)
{
    if (align == 0) {
        x->err = fuzz_err_layout(MEMAPI_LE_ZERO_ALIGN, 0, 0, 0);
        return 0;
    }
    if (!fuzz_pow2(align)) {
        x->err = fuzz_err_layout(MEMAPI_LE_NON_POW2_ALIGN, 0, align, 0);
        return 0;
    }
    if ((fuzz_u128)size + align - 1 > FUZZ_MAX) {
        x->err = fuzz_err_layout(MEMAPI_LE_EXCEEDS_MAX, size, align, 1);
        return 0;
    }
    return 1;
}

static void set_ok(expect *x, fuzz_u128 size, size_t align, size_t aux)
{
    if (size > FUZZ_MAX)
        fuzz_fail("model", "a successful result larger than MAX");
    x->ok = 1;
    x->out.size = (size_t)size;
    x->out.align = align;
    x->aux = aux;
}

static size_t max_sz(size_t a, size_t b)
{
    return a > b ? a : b;
}

/* ---- the model, one function per operation ---------------------------------------------------- */

static void m_check(const args *g, expect *x)
{
    if (model_check(g->s, g->a, x))
        set_ok(x, 0, 0, 0);
}

static void m_from_size_align(const args *g, expect *x)
{
    if (model_check(g->s, g->a, x))
        set_ok(x, g->s, g->a, 0);
}

static void m_padding_needed_for(const args *g, expect *x)
{
    if (model_check(g->l.size, g->l.align, x) && model_check(g->l.size, g->a, x))
        set_ok(x, 0, 0, (size_t)(fuzz_round_up(g->l.size, g->a) - g->l.size));
}

static void m_pad_to_align(const args *g, expect *x)
{
    if (model_check(g->l.size, g->l.align, x))
        set_ok(x, fuzz_round_up(g->l.size, g->l.align), g->l.align, 0);
}

/* repeat_packed of (elem, align) by n; `stride` is reported as the auxiliary result. */
static void model_packed(size_t elem, size_t align, size_t n, size_t stride, expect *x)
{
    fuzz_u128 total = (fuzz_u128)elem * n;
    if (total > SIZE_MAX) {
        x->err = fuzz_err_layout_arith(elem, MEMAPI_OP_MUL, n);
        return;
    }
    if (model_check((size_t)total, align, x))
        set_ok(x, total, align, stride);
}

static void m_repeat(const args *g, expect *x)
{
    if (!model_check(g->l.size, g->l.align, x))
        return;
    size_t padded = (size_t)fuzz_round_up(g->l.size, g->l.align);
    model_packed(padded, g->l.align, g->n, padded, x);
}

static void m_repeat_packed(const args *g, expect *x)
{
    if (model_check(g->l.size, g->l.align, x))
        model_packed(g->l.size, g->l.align, g->n, 0, x);
}

static void m_extend(const args *g, expect *x)
{
    if (!model_check(g->l.size, g->l.align, x) || !model_check(g->m.size, g->m.align, x) ||
        !model_check(g->l.size, g->m.align, x))
        return;
    fuzz_u128 off = fuzz_round_up(g->l.size, g->m.align);
    size_t new_align = max_sz(g->l.align, g->m.align);
    fuzz_u128 total = off + g->m.size;
    if (total + new_align - 1 > FUZZ_MAX) {
        x->err = fuzz_err_layout(MEMAPI_LE_EXCEEDS_MAX, (size_t)off, new_align, 1);
        return;
    }
    set_ok(x, total, new_align, (size_t)off);
}

static void m_align_to(const args *g, expect *x)
{
    if (!model_check(g->l.size, g->l.align, x))
        return;
    if (g->a <= g->l.align) {
        set_ok(x, g->l.size, g->l.align, 0);
        return;
    }
    if (model_check(g->l.size, g->a, x))
        set_ok(x, g->l.size, g->a, 0);
}

static void m_align_to_multiple_of(const args *g, expect *x)
{
    if (!model_check(g->l.size, g->l.align, x))
        return;
    if (g->a == 0) {
        x->err = fuzz_err_layout(MEMAPI_LE_ZERO_ALIGN, 0, 0, 0);
        return;
    }
    if (!fuzz_pow2(g->a)) {
        x->err = fuzz_err_layout(MEMAPI_LE_NON_POW2_ALIGN, 0, g->a, 0);
        return;
    }
    size_t want = (size_t)fuzz_round_up(g->l.align, g->a);
    if (model_check(g->l.size, want, x))
        set_ok(x, g->l.size, want, 0);
}

static void model_posix(size_t size, size_t align, expect *x)
{
    if (align == 0) {
        x->err = fuzz_err_layout(MEMAPI_LE_ZERO_ALIGN, 0, 0, 0);
        return;
    }
    if (!fuzz_pow2(align)) {
        x->err = fuzz_err_layout(MEMAPI_LE_NON_POW2_ALIGN, 0, align, 0);
        return;
    }
    fuzz_u128 wide = fuzz_round_up(align, sizeof(void *));
    if (wide > SIZE_MAX) {
        x->err = fuzz_err_layout(MEMAPI_LE_C_ROUND_UP, 0, align, 0);
        return;
    }
    if (model_check(size, (size_t)wide, x))
        set_ok(x, size, (size_t)wide, 0);
}

static void m_posix_from(const args *g, expect *x)
{
    model_posix(g->s, g->a, x);
}

static void m_to_posix(const args *g, expect *x)
{
    if (model_check(g->l.size, g->l.align, x))
        model_posix(g->l.size, g->l.align, x);
}

static void m_array(const args *g, expect *x)
{
    if (g->a == 0) {
        x->err = fuzz_err_layout(MEMAPI_LE_ZERO_ALIGN, 0, 0, 0);
        return;
    }
    if (!fuzz_pow2(g->a)) {
        x->err = fuzz_err_layout(MEMAPI_LE_NON_POW2_ALIGN, 0, g->a, 0);
        return;
    }
    /* n <= (HIGH - align) / size  <=>  n * size <= HIGH - align, for size != 0. */
    fuzz_u128 total = (fuzz_u128)g->s * g->n;
    if (g->s != 0 && total > (fuzz_u128)FUZZ_HIGH - g->a) {
        x->err = fuzz_err_layout(MEMAPI_LE_EXCEEDS_MAX, g->s, g->a, g->n);
        return;
    }
    set_ok(x, total, g->a, 0);
}

static void m_array_check(const args *g, expect *x)
{
    m_array(g, x);
    if (x->ok)
        set_ok(x, 0, 0, 0);
}

static void m_fam(const args *g, expect *x)
{
    if (g->a == 0) {
        x->err = fuzz_err_layout(MEMAPI_LE_ZERO_ALIGN, 0, 0, 0);
        return;
    }
    if (!fuzz_pow2(g->a)) {
        x->err = fuzz_err_layout(MEMAPI_LE_NON_POW2_ALIGN, 0, g->a, 0);
        return;
    }
    fuzz_u128 tail = (fuzz_u128)g->s * g->n;
    if (tail > SIZE_MAX) {
        x->err = fuzz_err_layout_arith(g->s, MEMAPI_OP_MUL, g->n);
        return;
    }
    fuzz_u128 total = tail + g->off;
    if (total > SIZE_MAX) {
        x->err = fuzz_err_layout_arith(g->off, MEMAPI_OP_ADD, (size_t)tail);
        return;
    }
    if (model_check((size_t)total, g->a, x))
        set_ok(x, fuzz_round_up((size_t)total, g->a), g->a, 0);
}

/* ---- the library calls, with one signature ---------------------------------------------------- */

static memapi_status c_check(const args *g, memapi_layout *o, size_t *aux, memapi_error *e)
{
    (void)o, (void)aux;
    return memapi_layout_check(g->s, g->a, e);
}
static memapi_status c_from_size_align(const args *g, memapi_layout *o, size_t *aux, memapi_error *e)
{
    (void)aux;
    return memapi_layout_from_size_align(g->s, g->a, o, e);
}
static memapi_status c_padding_needed_for(const args *g, memapi_layout *o, size_t *aux, memapi_error *e)
{
    (void)o;
    return memapi_layout_padding_needed_for(g->l, g->a, aux, e);
}
static memapi_status c_pad_to_align(const args *g, memapi_layout *o, size_t *aux, memapi_error *e)
{
    (void)aux;
    return memapi_layout_pad_to_align(g->l, o, e);
}
static memapi_status c_repeat(const args *g, memapi_layout *o, size_t *aux, memapi_error *e)
{
    return memapi_layout_repeat(g->l, g->n, o, aux, e);
}
static memapi_status c_repeat_packed(const args *g, memapi_layout *o, size_t *aux, memapi_error *e)
{
    (void)aux;
    return memapi_layout_repeat_packed(g->l, g->n, o, e);
}
static memapi_status c_extend(const args *g, memapi_layout *o, size_t *aux, memapi_error *e)
{
    return memapi_layout_extend(g->l, g->m, o, aux, e);
}
static memapi_status c_align_to(const args *g, memapi_layout *o, size_t *aux, memapi_error *e)
{
    (void)aux;
    return memapi_layout_align_to(g->l, g->a, o, e);
}
static memapi_status c_align_to_multiple_of(const args *g, memapi_layout *o, size_t *aux, memapi_error *e)
{
    (void)aux;
    return memapi_layout_align_to_multiple_of(g->l, g->a, o, e);
}
static memapi_status c_posix_from(const args *g, memapi_layout *o, size_t *aux, memapi_error *e)
{
    (void)aux;
    return memapi_layout_posix_memalign_compatible_from_size_align(g->s, g->a, o, e);
}
static memapi_status c_to_posix(const args *g, memapi_layout *o, size_t *aux, memapi_error *e)
{
    (void)aux;
    return memapi_layout_to_posix_memalign_compatible(g->l, o, e);
}
static memapi_status c_array(const args *g, memapi_layout *o, size_t *aux, memapi_error *e)
{
    (void)aux;
    return memapi_layout_array(g->s, g->a, g->n, o, e);
}
static memapi_status c_array_check(const args *g, memapi_layout *o, size_t *aux, memapi_error *e)
{
    (void)o, (void)aux;
    return memapi_layout_array_check(g->s, g->a, g->n, e);
}
static memapi_status c_fam(const args *g, memapi_layout *o, size_t *aux, memapi_error *e)
{
    (void)aux;
    return memapi_layout_fam(g->off, g->s, g->a, g->n, o, e);
}

/* How an operation reports: through `out` (a layout), through `aux` (a size_t), or both. */
enum { OUT_NONE = 0, OUT_LAYOUT = 1, OUT_AUX = 2 };

typedef struct op {
    const char *name;
    memapi_status (*call)(const args *, memapi_layout *, size_t *, memapi_error *);
    void (*model)(const args *, expect *);
    int outs;
} op;

static const op OPS[] = {
    {"layout_check", c_check, m_check, OUT_NONE},
    {"from_size_align", c_from_size_align, m_from_size_align, OUT_LAYOUT},
    {"padding_needed_for", c_padding_needed_for, m_padding_needed_for, OUT_AUX},
    {"pad_to_align", c_pad_to_align, m_pad_to_align, OUT_LAYOUT},
    {"repeat", c_repeat, m_repeat, OUT_LAYOUT | OUT_AUX},
    {"repeat_packed", c_repeat_packed, m_repeat_packed, OUT_LAYOUT},
    {"extend", c_extend, m_extend, OUT_LAYOUT | OUT_AUX},
    {"align_to", c_align_to, m_align_to, OUT_LAYOUT},
    {"align_to_multiple_of", c_align_to_multiple_of, m_align_to_multiple_of, OUT_LAYOUT},
    {"posix_memalign_compatible_from_size_align", c_posix_from, m_posix_from, OUT_LAYOUT},
    {"to_posix_memalign_compatible", c_to_posix, m_to_posix, OUT_LAYOUT},
    {"array", c_array, m_array, OUT_LAYOUT},
    {"array_check", c_array_check, m_array_check, OUT_NONE},
    {"fam", c_fam, m_fam, OUT_LAYOUT},
};

static void describe(char *what, const op *o, const args *g)
{
    snprintf(what, WHAT_LEN, "%s", o->name);
    fprintf(stderr, "%s: s=%zu a=%zu n=%zu off=%zu l=(%zu,%zu) m=(%zu,%zu)\n", o->name, g->s, g->a, g->n,
            g->off, g->l.size, g->l.align, g->m.size, g->m.align);
}

static void run_op(const op *o, const args *g)
{
    char what[WHAT_LEN];
    expect x;
    memset(&x, 0, sizeof x);
    o->model(g, &x);

    memapi_layout out, out2;
    size_t aux, aux2;
    memapi_error err, err_before;
    memset(&out, FUZZ_POISON, sizeof out);
    memset(&aux, FUZZ_POISON, sizeof aux);
    memset(&err, FUZZ_POISON, sizeof err);
    out2 = out;
    aux2 = aux;
    err_before = err;

    memapi_status st = o->call(g, &out, &aux, &err);
    memapi_status st_null = o->call(g, &out2, &aux2, NULL);

    if ((st == MEMAPI_OK) != x.ok || (st != MEMAPI_OK && st != MEMAPI_ERROR)) {
        describe(what, o, g);
        fprintf(stderr, "  status %d, model %s\n", (int)st, x.ok ? "ok" : "error");
        if (!x.ok)
            fuzz_print_err("want", &x.err);
        fuzz_fail(what, "status differs from the model");
    }
    if (st_null != st) {
        describe(what, o, g);
        fuzz_fail(what, "status with err == NULL differs");
    }
    if (!x.ok) {
        if (!fuzz_err_eq(&err, &x.err))
            describe(what, o, g);
        fuzz_require_err(o->name, &err, &x.err);
        FUZZ_REQUIRE(o->name, fuzz_is_poisoned(&out, sizeof out) && fuzz_is_poisoned(&aux, sizeof aux));
        FUZZ_REQUIRE(o->name, fuzz_is_poisoned(&out2, sizeof out2) && fuzz_is_poisoned(&aux2, sizeof aux2));
        return;
    }
    if (memcmp(&err, &err_before, sizeof err) != 0) {
        describe(what, o, g);
        fuzz_fail(what, "*err written on success");
    }
    if (o->outs & OUT_LAYOUT) {
        if (!memapi_layout_eq(out, x.out) || !memapi_layout_eq(out2, x.out)) {
            describe(what, o, g);
            fprintf(stderr, "  got (%zu,%zu), want (%zu,%zu)\n", out.size, out.align, x.out.size, x.out.align);
            fuzz_fail(what, "result layout differs from the model");
        }
        FUZZ_REQUIRE(o->name, memapi_layout_is_valid(out) && model_valid(out.size, out.align));
    } else {
        FUZZ_REQUIRE(o->name, fuzz_is_poisoned(&out, sizeof out) && fuzz_is_poisoned(&out2, sizeof out2));
    }
    if (o->outs & OUT_AUX) {
        if (aux != x.aux || aux2 != x.aux) {
            describe(what, o, g);
            fprintf(stderr, "  got aux %zu, want %zu\n", aux, x.aux);
            fuzz_fail(what, "auxiliary result (offset, stride or padding) differs from the model");
        }
    } else {
        FUZZ_REQUIRE(o->name, fuzz_is_poisoned(&aux, sizeof aux) && fuzz_is_poisoned(&aux2, sizeof aux2));
    }
}

/* The infallible helpers: validity, dangling pointer, equality, unchecked construction. */
static void run_pure(const args *g)
{
    memapi_layout l = g->l;
    int valid = model_valid(l.size, l.align);
    FUZZ_REQUIRE("is_valid", memapi_layout_is_valid(l) == valid);
    void *d = memapi_layout_dangling(l);
    FUZZ_REQUIRE("dangling", valid ? (uintptr_t)d == l.align && d != NULL : d == NULL);
    if (valid) {
        memapi_layout u = memapi_layout_from_size_align_unchecked(l.size, l.align);
        FUZZ_REQUIRE("from_size_align_unchecked", u.size == l.size && u.align == l.align);
        FUZZ_REQUIRE("dangling aligned", memapi_ptr_max_align(d) >= l.align);
    } else {
        FUZZ_EXPECT_FATAL("memapi_layout_from_size_align_unchecked",
                          memapi_layout_from_size_align_unchecked(l.size, l.align));
    }
    int eq = l.size == g->m.size && l.align == g->m.align;
    FUZZ_REQUIRE("layout_eq", memapi_layout_eq(l, g->m) == eq && memapi_layout_eq(g->m, l) == eq);
    FUZZ_REQUIRE("layout_eq reflexive", memapi_layout_eq(l, l));
}

/*
 * A layout: raw (possibly forged) when the flag byte says so, otherwise made valid by reducing the
 * size modulo the largest size its alignment allows.
 */
static memapi_layout read_layout(fuzz_in *in)
{
    uint8_t flags = fin_u8(in);
    memapi_layout l;
    l.size = fin_size(in);
    l.align = fin_align(in);
    if (flags % 4 != 0 && fuzz_pow2(l.align)) {
        size_t limit = FUZZ_MAX - (l.align - 1);
        if (l.size > limit)
            l.size = flags % 4 == 1 ? limit : l.size % (limit + 1);
    }
    return l;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    do {
        args g;
        g.s = fin_size(&in);
        g.a = fin_align(&in);
        g.n = fin_size(&in);
        g.off = fin_size(&in);
        g.l = read_layout(&in);
        g.m = read_layout(&in);
        for (size_t i = 0; i < sizeof OPS / sizeof OPS[0]; i++)
            run_op(&OPS[i], &g);
        run_pure(&g);
    } while (in.n > 0);
    return 0;
}
