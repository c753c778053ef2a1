/*
 * The malloc front end (cmalloc.h) over several allocators: operation sequences over 16 block
 * slots with a shadow model (contents, size, alignment), checked against C's semantics after every
 * operation.
 *
 * Input: [allocator][failing rule] then operations [op][slot][arguments] until the input ends.
 * Allocators: default, tracking(default), guard (8 slots of 1 page, so that it fills up and fails),
 * failing(default) with a rule from the input, bump over a 64 KiB buffer.
 *
 * Oracles: malloc/calloc/aligned_alloc/posix_memalign results aligned and of exactly the asked
 * usable size; calloc's zeros; realloc keeps min(old, new) bytes, realloc(p, 0) frees and returns
 * NULL, a failed realloc leaves the block intact; sizes that cannot be represented fail with the
 * exact ARITH or EXCEEDS_MAX error and ENOMEM; calloc and reallocarray overflow against a 128-bit
 * product; posix_memalign's EINVAL exactly for alignments that are not power-of-two multiples of
 * sizeof(void *); an interior or misaligned pointer is refused with the documented error and the
 * block is unchanged; every failure's errno matches memapi_cmalloc_is_oom. At the end every block
 * is freed and tracking and the guard hold nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <inttypes.h>
#include "memapi2.h"
#include "fuzz_input.h"
#include "fuzz_oracle.h"
#include "os_faults.h"

#define SLOTS 16
#define MINA _Alignof(max_align_t)

#define REQUIRE(cond)                                                                                            \
    do {                                                                                                         \
        if (!(cond)) {                                                                                           \
            fprintf(stderr, "fuzz_cmalloc: %s failed at line %d\n", #cond, __LINE__);                            \
            abort();                                                                                             \
        }                                                                                                        \
    } while (0)

typedef struct slot {
    unsigned char *p;
    size_t size;
    size_t align;
    unsigned char fill;
} slot;

static _Alignas(64) unsigned char arena[64 * 1024];

static bool aligned_to(const void *p, size_t a)
{
    return ((uintptr_t)p & (a - 1)) == 0;
}

static bool all_bytes(const unsigned char *p, size_t n, unsigned char v)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return false;
    return true;
}

/* Sizes: mostly small; sometimes one the layout must refuse (never one the heap is asked for and
 * refuses under ASan, whose allocator aborts on sizes above its limit). */
static size_t pick_size(fuzz_in *in)
{
    uint8_t t = fin_u8(in);
    if (t < 240)
        return (size_t)fin_le(in, 2) % 3000;
    return SIZE_MAX - (size_t)fin_u8(in) * (t & 1 ? 1 : ((size_t)1 << 50));
}

/* The error a request of `size` at alignment `a` (>= MINA) must fail with before any allocation. */
static bool size_refused(size_t size, size_t a, const memapi_error *e)
{
    if (size > SIZE_MAX - a)
        return e->kind == MEMAPI_E_ARITH && e->arith.l == a && e->arith.op == MEMAPI_OP_ADD && e->arith.r == size;
    if (a + size > (SIZE_MAX >> 1) - (a - 1))
        return e->kind == MEMAPI_E_LAYOUT && e->layout_err.kind == MEMAPI_LE_EXCEEDS_MAX;
    return false;
}

static bool unrepresentable(size_t size, size_t a)
{
    return size > SIZE_MAX - a || a + size > (SIZE_MAX >> 1) - (a - 1);
}

/* A product the layout accepts but far beyond what any allocator here serves: skipped, since
 * ASan's allocator aborts on such requests instead of returning NULL. */
static bool too_big_to_ask(fuzz_u128 prod, size_t a)
{
    return prod <= SIZE_MAX && prod > ((fuzz_u128)1 << 32) && !unrepresentable((size_t)prod, a);
}

static memapi_error want_ptr_err(const void *ptr, const char *msg)
{
    memapi_error w = fuzz_err_zero(MEMAPI_E_INVALID_POINTER);
    w.ptr = ptr;
    w.msg = msg;
    return w;
}

#define NO_HEADER "no memapi_cmalloc header before the pointer"
#define MISALIGNED "pointer not aligned to its layout"
#define NOT_OWNED FUZZ_NOT_OWNED

static void check_block(const slot *s, memapi_allocator a)
{
    REQUIRE(aligned_to(s->p, s->align));
    REQUIRE(all_bytes(s->p, s->size, s->fill));
    REQUIRE(memapi_cmalloc_usable_size(a, s->p, NULL) == s->size);
}

static void check_failure(void *p, const memapi_error *e, int err_no)
{
    REQUIRE(p == NULL);
    REQUIRE(err_no == (memapi_cmalloc_is_oom(e) ? ENOMEM : EINVAL));
    REQUIRE(memapi_cmalloc_is_oom(e) || memapi_cmalloc_is_misuse(e) || e->kind == MEMAPI_E_LAYOUT);
}

/* One call of an entry, described so that it can be made twice: with an error object and with
 * err == NULL (cmalloc.h: "may be NULL"); a failure must give the same result and errno both times. */
enum call_kind { C_MALLOC, C_CALLOC, C_ALIGNED, C_POSIX, C_REALLOC, C_REALLOCARRAY, C_TRY_FREE, C_USABLE };

typedef struct call {
    enum call_kind kind;
    memapi_allocator a;
    void *ptr;
    size_t nm, size, al;
} call;

typedef struct result {
    void *p;       /* the block, NULL on failure */
    int rc;        /* posix_memalign's return value */
    int err_no;    /* errno after the call (errno is set to ERRNO_MARK before it) */
    memapi_status st;
    size_t usable;
    void *out;     /* posix_memalign's *memptr (a sentinel when untouched) */
} result;

#define ERRNO_MARK 4242
static int out_sentinel;

static result do_call(const call *c, memapi_error *err)
{
    result r = {NULL, 0, 0, MEMAPI_OK, 0, &out_sentinel};
    errno = ERRNO_MARK;
    switch (c->kind) {
    case C_MALLOC: r.p = memapi_cmalloc_malloc(c->a, c->size, err); break;
    case C_CALLOC: r.p = memapi_cmalloc_calloc(c->a, c->nm, c->size, err); break;
    case C_ALIGNED: r.p = memapi_cmalloc_aligned_alloc(c->a, c->al, c->size, err); break;
    case C_POSIX:
        r.rc = memapi_cmalloc_posix_memalign(c->a, &r.out, c->al, c->size, err);
        if (r.rc == 0)
            r.p = r.out;
        break;
    case C_REALLOC: r.p = memapi_cmalloc_realloc(c->a, c->ptr, c->size, err); break;
    case C_REALLOCARRAY: r.p = memapi_cmalloc_reallocarray(c->a, c->ptr, c->nm, c->size, err); break;
    case C_TRY_FREE: r.st = memapi_cmalloc_try_free(c->a, c->ptr, err); break;
    case C_USABLE: r.usable = memapi_cmalloc_usable_size(c->a, c->ptr, err); break;
    }
    r.err_no = errno;
    return r;
}

static bool failed(const call *c, const result *r)
{
    if (c->kind == C_TRY_FREE)
        return r->st != MEMAPI_OK;
    if (c->kind == C_USABLE)
        return false; /* usable_size's 0 is a failure only where the caller knows it is */
    if (c->kind == C_POSIX)
        return r->rc != 0;
    return r->p == NULL;
}

/* Makes the call with err == NULL when `null_first`, else with `e`; a failure that the model says
 * is deterministic (`same`) is made again with the other argument and must agree. Returns the
 * result; *have_err says whether `e` holds the failure's error. */
static result twice(const call *c, bool null_first, bool same, memapi_error *e, bool *have_err)
{
    memset(e, FUZZ_POISON, sizeof *e);
    result r = do_call(c, null_first ? NULL : e);
    *have_err = !null_first;
    if ((failed(c, &r) || (c->kind == C_USABLE && same)) && same) {
        result r2 = do_call(c, null_first ? e : NULL);
        REQUIRE(r2.p == NULL && r2.rc == r.rc && r2.err_no == r.err_no && r2.st == r.st && r2.usable == r.usable);
        REQUIRE(r2.out == &out_sentinel && r.out == &out_sentinel);
        *have_err = true;
    }
    if (!*have_err || !failed(c, &r))
        return r;
    /* The documented errno / return value for the error's class. */
    if (c->kind == C_POSIX)
        REQUIRE(r.err_no == ERRNO_MARK && r.out == &out_sentinel &&
                r.rc == (memapi_cmalloc_is_oom(e) ? ENOMEM : EINVAL));
    else if (c->kind != C_TRY_FREE)
        REQUIRE(r.err_no == (memapi_cmalloc_is_oom(e) ? ENOMEM : EINVAL));
    REQUIRE(memapi_cmalloc_is_oom(e) != memapi_cmalloc_is_misuse(e) || e->kind == MEMAPI_E_LAYOUT ||
            e->kind == MEMAPI_E_OTHER);
    return r;
}

/* The fatal path of memapi_cmalloc_free: the hook records the message and jumps back; the message
 * is `memapi_cmalloc_free(0xADDR) failed: ` and the text of the error try_free gives (`want`). */
static void require_free_fatal(memapi_allocator a, void *ptr, const memapi_error *want)
{
    char text[320], msg[400];
    (void)memapi_error_format(want, text, sizeof text);
    int n = snprintf(msg, sizeof msg, "memapi_cmalloc_free(0x%" PRIxPTR ") failed: %s", (uintptr_t)ptr, text);
    REQUIRE(n > 0 && (size_t)n < sizeof fuzz_fatal_msg);
    memapi_fatal_hook prev = memapi_set_fatal_hook(fuzz_fatal_hook);
    fuzz_fatal_msg[0] = '\0';
    if (setjmp(fuzz_fatal_env) == 0) {
        memapi_cmalloc_free(a, ptr);
        (void)memapi_set_fatal_hook(prev);
        fprintf(stderr, "fuzz_cmalloc: memapi_cmalloc_free(%p) returned; want \"%s\"\n", ptr, msg);
        abort();
    }
    REQUIRE(memapi_set_fatal_hook(NULL) == fuzz_fatal_hook);
    REQUIRE(memapi_set_fatal_hook(prev) != fuzz_fatal_hook);
    if (strcmp(fuzz_fatal_msg, msg) != 0) {
        fprintf(stderr, "fuzz_cmalloc: memapi_cmalloc_free's fatal message\n  got  \"%s\"\n  want \"%s\"\n",
                fuzz_fatal_msg, msg);
        abort();
    }
}

/* A free, usable_size, realloc (to `size`), realloc(p, 0) or free through the fatal path of a
 * pointer the front end must refuse with `want`; the block behind it is left as it was. */
static void require_refused(memapi_allocator a, void *ptr, unsigned action, size_t size, bool null_first,
                            const memapi_error *want)
{
    memapi_error e;
    bool have;
    call c = {C_TRY_FREE, a, ptr, 1, size == 0 ? 1 : size, 0};
    switch (action % 6) {
    case 0: {
        result r = twice(&c, null_first, true, &e, &have);
        REQUIRE(r.st == MEMAPI_ERROR);
        break;
    }
    case 1: {
        c.kind = C_USABLE;
        result r = twice(&c, null_first, true, &e, &have);
        REQUIRE(r.usable == 0);
        break;
    }
    case 2:
    case 3: {
        c.kind = action % 6 == 2 ? C_REALLOC : C_REALLOCARRAY;
        c.size = action % 6 == 2 ? c.size : 0; /* reallocarray(p, 1, 0): the realloc that frees */
        result r = twice(&c, null_first, true, &e, &have);
        REQUIRE(r.p == NULL && r.err_no == EINVAL);
        break;
    }
    case 4: {
        c.kind = C_REALLOC;
        c.size = 0;
        result r = twice(&c, null_first, true, &e, &have);
        REQUIRE(r.p == NULL && r.err_no == EINVAL);
        break;
    }
    default:
        require_free_fatal(a, ptr, want);
        return;
    }
    REQUIRE(have);
    fuzz_require_err("cmalloc refusal", &e, want);
    REQUIRE(memapi_cmalloc_is_misuse(&e) && !memapi_cmalloc_is_oom(&e));
}

/* cmalloc.h, memapi_cmalloc_is_oom / is_misuse: the classification by kind (and layout error kind). */
static void check_classes(uint8_t k, uint8_t lk)
{
    memapi_error e = fuzz_err_zero((memapi_error_kind)(k % 12));
    e.layout_err.kind = (memapi_layout_err_kind)(lk % 6);
    bool oom = e.kind == MEMAPI_E_ALLOC_FAILED || e.kind == MEMAPI_E_ARITH ||
               (e.kind == MEMAPI_E_LAYOUT &&
                (e.layout_err.kind == MEMAPI_LE_EXCEEDS_MAX || e.layout_err.kind == MEMAPI_LE_ARITH));
    bool misuse = e.kind == MEMAPI_E_INVALID_POINTER || e.kind == MEMAPI_E_LAYOUT_MISMATCH ||
                  e.kind == MEMAPI_E_CORRUPTION;
    REQUIRE(memapi_cmalloc_is_oom(&e) == oom && memapi_cmalloc_is_misuse(&e) == misuse);
    REQUIRE(!memapi_cmalloc_is_oom(NULL) && !memapi_cmalloc_is_misuse(NULL));
}

/* cmalloc.h, memapi_cmalloc_layout: {A + size, A} with A = max(alignment, MIN_ALIGN); the errors. */
static void check_layout(size_t size, size_t al, bool null_err)
{
    memapi_layout out = {12345, 3};
    memapi_error e;
    memset(&e, FUZZ_POISON, sizeof e);
    memapi_status st = memapi_cmalloc_layout(size, al, &out, null_err ? NULL : &e);
    if (al != 0 && !fuzz_pow2(al)) {
        REQUIRE(st == MEMAPI_ERROR && out.size == 12345 && out.align == 3);
        memapi_error w = fuzz_err_layout(MEMAPI_LE_NON_POW2_ALIGN, 0, al, 0);
        if (!null_err)
            fuzz_require_err("memapi_cmalloc_layout", &e, &w);
        return;
    }
    size_t a = al > MINA ? al : MINA;
    if (unrepresentable(size, a)) {
        REQUIRE(st == MEMAPI_ERROR && out.size == 12345 && out.align == 3);
        REQUIRE(null_err || size_refused(size, a, &e));
        return;
    }
    REQUIRE(st == MEMAPI_OK && out.size == a + size && out.align == a);
    REQUIRE(null_err || fuzz_is_poisoned(&e, sizeof e));
}

/* An alignment argument for aligned_alloc / posix_memalign: any value, biased to 0, small values,
 * non-powers of two and powers of two. */
static size_t pick_any_align(fuzz_in *in)
{
    uint8_t t = fin_u8(in);
    switch (t % 4) {
    case 0: return (size_t)fin_u8(in);
    case 1: return (size_t)1 << (fin_u8(in) % 13);
    case 2: return fin_align(in);
    default: return ((size_t)1 << (fin_u8(in) % 13)) + (t >> 2);
    }
}

static void put_block(slot *k, memapi_allocator a, void *p, size_t size, size_t align, unsigned char fill)
{
    k->p = p;
    k->size = size;
    k->align = align > MINA ? align : MINA;
    k->fill = fill;
    memset(k->p, k->fill, size);
    check_block(k, a);
}

enum { A_DEFAULT, A_TRACKING, A_GUARD, A_FAILING, A_BUMP, A_GUARD_SAMPLED };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    fuzz_in in = {data, n};
    uint8_t which_b = fin_u8(&in);
    unsigned which = which_b >= 250 ? A_GUARD_SAMPLED : which_b % 5u;
    uint8_t rule = fin_u8(&in);
    static memapi_tracking t;
    static memapi_guard g;
    static memapi_failing f;
    static memapi_bump b;
    memapi_allocator a = memapi_default();
    bool may_fail = false;
    switch (which) {
    case A_TRACKING:
        REQUIRE(memapi_tracking_init(&t, memapi_default(), NULL) == MEMAPI_OK);
        a = memapi_tracking_allocator(&t);
        break;
    case A_GUARD:
    case A_GUARD_SAMPLED: {
        memapi_guard_options o = memapi_guard_options_default();
        o.pool_slots = 8;
        o.slot_pages = 1;
        o.quarantine = rule % 4;
        if (which == A_GUARD_SAMPLED)
            o.sample_every = 2; /* every other block is the fallback's (default) */
        REQUIRE(memapi_guard_init(&g, &o, NULL) == MEMAPI_OK);
        a = memapi_guard_allocator(&g);
        may_fail = which == A_GUARD;
        break;
    }
    case A_FAILING:
        REQUIRE(memapi_failing_init(&f, memapi_default(), NULL) == MEMAPI_OK);
        if (rule & 1)
            memapi_failing_set_nth(&f, rule >> 1);
        else
            memapi_failing_set_probability(&f, (uint32_t)rule * 2000u, rule);
        a = memapi_failing_allocator(&f);
        may_fail = true;
        break;
    case A_BUMP:
        REQUIRE(memapi_bump_init(&b, arena, sizeof arena, NULL) == MEMAPI_OK);
        a = memapi_bump_allocator(&b);
        may_fail = true;
        break;
    default:
        break;
    }
    /* A refusal by the failing allocator depends on its counters and random state: made once. */
    bool same_refusal = which != A_FAILING;
    slot s[SLOTS];
    memset(s, 0, sizeof s);
    for (int ops = 0; in.n > 0 && ops < 200; ops++) {
        uint8_t op = fin_u8(&in);
        uint8_t slot_b = fin_u8(&in);
        slot *k = &s[slot_b % SLOTS];
        bool null_first = (slot_b & 0x10) != 0; /* the entry is called with err == NULL first */
        memapi_error e;
        bool have;
        unsigned char fill = (unsigned char)(op | 1);
        unsigned code = op < 216 ? op % 9u : 9u + (op - 216u) % 8u;
        switch (code) {
        case 0: /* malloc */
        case 1: /* calloc */
        case 2: /* aligned_alloc */
        case 3: { /* posix_memalign */
            if (k->p != NULL)
                break;
            size_t size = pick_size(&in), req_align = MINA, al = 0;
            call c = {C_MALLOC, a, NULL, 1, size, 0};
            if (code == 1) {
                size_t nm = (size_t)(fin_u8(&in) % 16) + (op & 0x80 ? SIZE_MAX / 2 : 0);
                fuzz_u128 prod = (fuzz_u128)nm * size;
                if (too_big_to_ask(prod, MINA))
                    break;
                c.kind = C_CALLOC;
                c.nm = nm;
                bool refused = prod > SIZE_MAX || unrepresentable((size_t)prod, MINA);
                result r = twice(&c, null_first, refused || same_refusal, &e, &have);
                if (prod > SIZE_MAX) {
                    memapi_error w = fuzz_err_zero(MEMAPI_E_ARITH);
                    w.arith.l = nm;
                    w.arith.op = MEMAPI_OP_MUL;
                    w.arith.r = size;
                    REQUIRE(r.p == NULL && r.err_no == ENOMEM && have);
                    fuzz_require_err("calloc overflow", &e, &w);
                    break;
                }
                size = (size_t)prod;
                if (r.p != NULL)
                    REQUIRE(all_bytes(r.p, size, 0));
                if (r.p == NULL) {
                    if (unrepresentable(size, MINA)) {
                        REQUIRE(have && size_refused(size, MINA, &e) && r.err_no == ENOMEM);
                    } else {
                        REQUIRE(may_fail && r.err_no == ENOMEM);
                        REQUIRE(!have || memapi_cmalloc_is_oom(&e));
                    }
                    break;
                }
                put_block(k, a, r.p, size, 0, 0);
                break;
            }
            if (code == 2) {
                al = (size_t)1 << (fin_u8(&in) % 13);
                c.kind = C_ALIGNED;
                c.al = al;
            } else if (code == 3) {
                al = fin_u8(&in);
                al = al >= 128 ? (size_t)1 << (al % 13) : al;
                c.kind = C_POSIX;
                c.al = al;
            }
            req_align = al > MINA ? al : MINA;
            bool bad = code == 3 && (!memapi_is_pow2(al) || al % sizeof(void *) != 0);
            result r = twice(&c, null_first, bad || same_refusal || unrepresentable(size, req_align), &e, &have);
            if (code == 3) {
                REQUIRE(r.err_no == ERRNO_MARK);
                if (bad) {
                    REQUIRE(r.rc == EINVAL && r.out == &out_sentinel && have);
                    memapi_error w = al == 0 ? fuzz_err_layout(MEMAPI_LE_ZERO_ALIGN, 0, 0, 0)
                                             : fuzz_err_layout(MEMAPI_LE_NON_POW2_ALIGN, 0, al, 0);
                    if (al != 0 && memapi_is_pow2(al)) {
                        w = fuzz_err_zero(MEMAPI_E_OTHER);
                        w.msg = "posix_memalign: alignment is not a multiple of sizeof(void *)";
                    }
                    fuzz_require_err("posix_memalign EINVAL", &e, &w);
                    break;
                }
                if (r.rc != 0) {
                    REQUIRE(r.rc == ENOMEM && r.out == &out_sentinel);
                    REQUIRE(!have || memapi_cmalloc_is_oom(&e));
                    REQUIRE(may_fail || unrepresentable(size, req_align));
                    if (unrepresentable(size, req_align))
                        REQUIRE(have && size_refused(size, req_align, &e));
                    break;
                }
            }
            if (unrepresentable(size, req_align)) {
                REQUIRE(r.p == NULL && have && size_refused(size, req_align, &e));
                if (code != 3)
                    REQUIRE(r.err_no == ENOMEM);
                break;
            }
            if (r.p == NULL) {
                REQUIRE(may_fail && r.err_no == ENOMEM);
                if (have) {
                    check_failure(r.p, &e, r.err_no);
                    REQUIRE(memapi_cmalloc_is_oom(&e));
                }
                break;
            }
            put_block(k, a, r.p, size, al, fill);
            break;
        }
        case 4: /* realloc */
        case 5: { /* reallocarray */
            size_t size = pick_size(&in);
            size_t nm = code == 5 ? (size_t)(fin_u8(&in) % 16) + (op & 0x80 ? SIZE_MAX / 4 : 0) : 1;
            fuzz_u128 prod = (fuzz_u128)nm * size;
            if (too_big_to_ask(prod, k->p != NULL ? k->align : MINA))
                break;
            size_t req_align = k->p != NULL ? k->align : MINA;
            bool refused = prod > SIZE_MAX || unrepresentable((size_t)prod, req_align);
            call c = {code == 5 ? C_REALLOCARRAY : C_REALLOC, a, k->p, nm, size, 0};
            if (prod == 0 && k->p != NULL) { /* frees: made once, with or without an error object */
                memset(&e, FUZZ_POISON, sizeof e);
                result r = do_call(&c, null_first ? NULL : &e);
                REQUIRE(r.p == NULL && r.err_no == ERRNO_MARK && (null_first || fuzz_is_poisoned(&e, sizeof e)));
                k->p = NULL;
                break;
            }
            result r = twice(&c, null_first, refused || same_refusal, &e, &have);
            void *p = r.p;
            if (prod > SIZE_MAX) {
                memapi_error w = fuzz_err_zero(MEMAPI_E_ARITH);
                w.arith.l = nm;
                w.arith.op = MEMAPI_OP_MUL;
                w.arith.r = size;
                REQUIRE(p == NULL && r.err_no == ENOMEM && have);
                fuzz_require_err("reallocarray overflow", &e, &w);
                if (k->p != NULL)
                    check_block(k, a);
                break;
            }
            size = (size_t)prod;
            if (p == NULL) {
                if (unrepresentable(size, req_align))
                    REQUIRE(have && size_refused(size, req_align, &e));
                else
                    REQUIRE(may_fail);
                REQUIRE(r.err_no == ENOMEM);
                if (have) {
                    check_failure(p, &e, r.err_no);
                    REQUIRE(memapi_cmalloc_is_oom(&e));
                }
                if (k->p != NULL)
                    check_block(k, a);
                break;
            }
            REQUIRE(!unrepresentable(size, req_align));
            size_t keep = k->p != NULL && k->size < size ? k->size : size;
            REQUIRE(all_bytes(p, k->p != NULL ? keep : 0, k->fill));
            k->p = p;
            k->size = size;
            k->align = req_align;
            memset(k->p, k->fill = fill, size);
            check_block(k, a);
            break;
        }
        case 6: /* free: try_free (with or without an error object), or C's free */
            if (slot_b & 0x20) {
                memapi_cmalloc_free(a, k->p);
            } else {
                memset(&e, FUZZ_POISON, sizeof e);
                REQUIRE(memapi_cmalloc_try_free(a, k->p, null_first ? NULL : &e) == MEMAPI_OK);
                REQUIRE(null_first || fuzz_is_poisoned(&e, sizeof e));
            }
            k->p = NULL;
            break;
        case 7: /* misuse: interior (inside the block, past the header) or misaligned pointer */
            if (k->p == NULL || k->size < 2 * MINA)
                break;
            if (op & 0x80) {
                memapi_error w = want_ptr_err(k->p + 1, MISALIGNED);
                require_refused(a, k->p + 1, slot_b >> 5, 8, null_first, &w);
            } else {
                memapi_error w = want_ptr_err(k->p + MINA, NO_HEADER);
                /* The bytes before the interior pointer are the block's fill, never a header. */
                require_refused(a, k->p + MINA, (slot_b >> 5) == 0 ? 2 : slot_b >> 5, 8, null_first, &w);
            }
            check_block(k, a);
            break;
        case 8: /* usable size */
            if (k->p != NULL) {
                check_block(k, a);
                memapi_allocator none = {NULL, NULL}; /* no owns entry: the header's size */
                REQUIRE(memapi_cmalloc_usable_size(none, k->p, &e) == k->size);
            } else {
                REQUIRE(memapi_cmalloc_usable_size(a, NULL, NULL) == 0);
            }
            break;
        case 9: { /* an overwritten header byte (restored afterwards) */
            uint8_t pos = fin_u8(&in) % 16, v = fin_u8(&in), action = fin_u8(&in);
            if (k->p == NULL)
                break;
            unsigned char *at = k->p - 16 + pos, old = *at;
            if (v == old)
                break;
            /* cmalloc.h: the tag's check value covers the pointer, the size and the alignment's
             * log2, so any changed byte of the two words is refused, a log2 that another block
             * could have included */
            *at = v;
            memapi_error w = want_ptr_err(k->p, NO_HEADER);
            require_refused(a, k->p, action, 8, null_first, &w);
            *at = old;
            check_block(k, a);
            break;
        }
        case 10: { /* C's free of a pointer it must refuse: the fatal hook */
            uint8_t d = fin_u8(&in);
            if (k->p == NULL) {
                memapi_cmalloc_free(a, NULL); /* a no-op */
                break;
            }
            if (k->size < 2 * MINA)
                break;
            unsigned char *bad = k->p + (d % 2 ? 1 + d % (MINA - 1) : MINA);
            memapi_error w = want_ptr_err(bad, d % 2 ? MISALIGNED : NO_HEADER);
            require_free_fatal(a, bad, &w);
            check_block(k, a);
            break;
        }
        case 11: { /* any alignment: memapi_cmalloc_layout, aligned_alloc, posix_memalign */
            size_t al = pick_any_align(&in), size = pick_size(&in);
            uint8_t how = fin_u8(&in);
            check_layout(size, al, null_first);
            bool pow2 = al != 0 && fuzz_pow2(al);
            size_t req = al > MINA ? al : MINA;
            if (k->p != NULL || (pow2 && !unrepresentable(size, req) && (al > 4096 || size > 3000)))
                break; /* a request no allocator here should be asked for (ASan aborts on some) */
            call c = {how & 1 ? C_POSIX : C_ALIGNED, a, NULL, 1, size, al};
            bool bad = !pow2 || (c.kind == C_POSIX && al % sizeof(void *) != 0);
            result r = twice(&c, null_first, bad || unrepresentable(size, req) || same_refusal, &e, &have);
            if (bad) {
                REQUIRE(r.p == NULL && have);
                REQUIRE(c.kind == C_POSIX ? r.rc == EINVAL && r.err_no == ERRNO_MARK : r.err_no == EINVAL);
                memapi_error w = al == 0 ? fuzz_err_layout(MEMAPI_LE_ZERO_ALIGN, 0, 0, 0)
                                         : fuzz_err_layout(MEMAPI_LE_NON_POW2_ALIGN, 0, al, 0);
                if (pow2) {
                    w = fuzz_err_zero(MEMAPI_E_OTHER);
                    w.msg = "posix_memalign: alignment is not a multiple of sizeof(void *)";
                }
                fuzz_require_err("aligned_alloc / posix_memalign alignment", &e, &w);
                REQUIRE(!memapi_cmalloc_is_oom(&e) && !memapi_cmalloc_is_misuse(&e));
                break;
            }
            if (unrepresentable(size, req)) {
                REQUIRE(r.p == NULL && have && size_refused(size, req, &e));
                REQUIRE(c.kind == C_POSIX ? r.rc == ENOMEM && r.err_no == ERRNO_MARK : r.err_no == ENOMEM);
                break;
            }
            if (r.p == NULL) {
                REQUIRE(may_fail && (c.kind == C_POSIX ? r.rc == ENOMEM : r.err_no == ENOMEM));
                break;
            }
            put_block(k, a, r.p, size, al, fill);
            break;
        }
        case 12: { /* a block of another allocator (default) given to this one */
            size_t size = (size_t)fin_u8(&in) * 8;
            uint8_t action = fin_u8(&in);
            if (which != A_TRACKING && which != A_BUMP && which != A_GUARD && which != A_GUARD_SAMPLED)
                break;
            unsigned char *fp = memapi_cmalloc_malloc(memapi_default(), size, NULL);
            REQUIRE(fp != NULL);
            memset(fp, 0x3C, size);
            bool freed = false;
            if (which == A_GUARD_SAMPLED) {
                /* guard.h: with sampling, pointers outside the pool are the fallback's: owns says
                 * UNSUPPORTED (default has none), so the size is the header's; free is the fallback's. */
                REQUIRE(memapi_cmalloc_usable_size(a, fp, &e) == size);
                if (action & 1) {
                    REQUIRE(memapi_cmalloc_try_free(a, fp, &e) == MEMAPI_OK);
                    freed = true;
                }
            } else {
                /* tracking.h, bump.h, guard.h's misuse table: the block the allocator is given is
                 * the header's base, MINA bytes before the pointer */
                memapi_error w = want_ptr_err(fp - MINA, NOT_OWNED);
                require_refused(a, fp, action % 2, 8, null_first, &w);
                if (which == A_TRACKING && (action & 2))
                    require_refused(a, fp, 2, 8, null_first, &w);
            }
            if (!freed) {
                REQUIRE(all_bytes(fp, size, 0x3C));
                memapi_cmalloc_free(memapi_default(), fp);
            }
            break;
        }
        case 13: { /* the platform call under default failing (fuzz/os_faults.h) */
            uint8_t sel = fin_u8(&in);
            size_t size = (size_t)fin_le(&in, 2) % 3000;
            if (which != A_DEFAULT)
                break;
            call c = {C_MALLOC, a, NULL, 1, size, 0};
            os_call oc = OS_MALLOC;
            size_t req = MINA;
            switch (sel % 5) {
            case 0: break;
            case 1: c.kind = C_CALLOC; c.nm = 1; oc = OS_CALLOC; break;
            case 2:
            case 3:
                c.kind = sel % 5 == 2 ? C_ALIGNED : C_POSIX;
                c.al = req = (size_t)32 << (sel / 5 % 8);
                oc = OS_MEMALIGN; /* default.h: over-aligned layouts */
                break;
            default:
                if (k->p == NULL)
                    break;
                c.kind = C_REALLOC;
                c.ptr = k->p;
                /* alloc.h: a resize to the identical layout returns the block without a call */
                c.size = size + 1 == k->size ? size + 2 : size + 1;
                req = k->align;
                /* default.h: realloc when malloc could serve the new layout, else the library
                 * default, whose allocation is memalign's */
                oc = req == MINA ? OS_REALLOC : OS_MEMALIGN;
                break;
            }
            int ecode = os_faults_code(oc, sel >> 5);
            os_faults_install();
            os_faults_arm(oc, 1, ecode);
            memset(&e, FUZZ_POISON, sizeof e);
            result r = do_call(&c, &e);
            bool fired = os_faults_fired();
            unsigned long calls = os_faults_calls(oc);
            os_faults_arm(oc, 1, ecode);
            result r2 = do_call(&c, NULL);
            bool fired2 = os_faults_fired();
            os_faults_uninstall();
            REQUIRE(fired && fired2 && calls == 1 && r.p == NULL && r2.p == NULL);
            memapi_error w = fuzz_err_zero(MEMAPI_E_ALLOC_FAILED);
            w.layout.size = req + c.size * c.nm;
            w.layout.align = req;
#if MEMAPI_OS_ERR_REPORTING
            w.cause.kind = MEMAPI_CAUSE_OS_ERR;
            w.cause.os_errno = ecode;
#endif
            fuzz_require_err("OS failure under the front end", &e, &w);
            REQUIRE(memapi_cmalloc_is_oom(&e) && !memapi_cmalloc_is_misuse(&e));
            if (c.kind == C_POSIX)
                REQUIRE(r.rc == ENOMEM && r2.rc == ENOMEM && r.err_no == ERRNO_MARK && r2.err_no == ERRNO_MARK &&
                        r.out == &out_sentinel && r2.out == &out_sentinel);
            else
                REQUIRE(r.err_no == ENOMEM && r2.err_no == ENOMEM);
            if (k->p != NULL)
                check_block(k, a);
            break;
        }
        case 14: { /* classification of every error kind */
            uint8_t kb = fin_u8(&in), lk = fin_u8(&in);
            check_classes(kb, lk);
            break;
        }
        case 15: { /* the guard's canary before the block damaged (restored afterwards) */
            uint8_t action = fin_u8(&in);
            if (which != A_GUARD || k->p == NULL)
                break;
            unsigned char *base = k->p - k->align;
            if (((uintptr_t)base & 4095u) == 0)
                break; /* the block starts its page: the byte before it is a guard page */
            unsigned char saved = base[-1];
            base[-1] = (unsigned char)(saved ^ 0x5A);
            memapi_error w = fuzz_err_zero(MEMAPI_E_CORRUPTION); /* guard.h's misuse table */
            w.ptr = base;
            w.msg = "canary overwritten";
            unsigned act = action % 3;
            require_refused(a, k->p, act == 2 ? 5 : act, 8, null_first, &w);
            base[-1] = saved;
            check_block(k, a);
            break;
        }
        default: { /* memapi_cmalloc_layout alone */
            size_t size = pick_size(&in), al = pick_any_align(&in);
            check_layout(size, al, null_first);
            break;
        }
        }
    }
    for (size_t i = 0; i < SLOTS; i++) /* newest slots first: the arena gives back what it can */
        REQUIRE(memapi_cmalloc_try_free(a, s[SLOTS - 1 - i].p, NULL) == MEMAPI_OK);
    if (which == A_TRACKING) {
        REQUIRE(memapi_tracking_live_blocks(&t) == 0);
        memapi_tracking_destroy(&t);
    } else if (which == A_GUARD || which == A_GUARD_SAMPLED) {
        REQUIRE(memapi_guard_stats(&g).live_blocks == 0);
        memapi_guard_destroy(&g);
    }
    return 0;
}
