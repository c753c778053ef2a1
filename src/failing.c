/* The failing allocator: fault injection around any allocator (docs/design.md section 4). */
#include <stddef.h>
#include "memapi2/failing.h"
#include "internal/error_set.h"
#include "internal/forward.h"

/* The forwarders are handed &f->inner, which is f itself: no register moves on the way through. */
_Static_assert(offsetof(memapi_failing, inner) == 0, "memapi_failing starts with its inner allocator");

/* Any nonzero value: xorshift64 has 0 as a fixed point. */
#define DEFAULT_SEED 0x9E3779B97F4A7C15u
#define PPM_ONE 1000000u

/*
 * Proved with Frama-C WP (proofs/README.md): the entries against the entry contracts of their kind
 * (memapi_proof_entry_* in memapi2/alloc_acsl.h), with the rules and counters of failing.h; the
 * ACSL vocabulary (memapi_failing_ok, memapi_failing_fires, MEMAPI_FAILING_DRAW) is in failing.h.
 */

/* n + 1, wrapping to 0 after UINT64_MAX as `n++` does. The proof checks that no unsigned
 * arithmetic wraps unannounced, so the wrap is the builtin's (its contract is Frama-C's own: the sum
 * modulo 2^64), which compilers emit as the one `add` of `n++`. */
/*@ assigns \nothing;
    ensures \result == (uint64_t)(n + 1); */
static inline uint64_t count_up(uint64_t n)
{
    unsigned long long r;
    (void)__builtin_uaddll_overflow(n, 1u, &r);
    return (uint64_t)r;
}

/* xorshift64 (shifts 13, 7, 17); each left shift is written as the product of the bits it keeps,
 * which compilers emit as the same shift, so that no unsigned arithmetic wraps. */
/*@ requires \valid(state);
    assigns *state;
    ensures \result == MEMAPI_FAILING_DRAW(\old(*state));
    ensures *state == \result;
*/
static uint64_t xorshift64(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x % ((uint64_t)1 << 51) * ((uint64_t)1 << 13);
    x ^= x / ((uint64_t)1 << 7);
    x ^= x % ((uint64_t)1 << 47) * ((uint64_t)1 << 17);
    *state = x;
    return x;
}

/* Decides whether to inject a failure into the call just counted; every enabled rule is evaluated
 * so that the generator advances once per call whatever the other rules say. */
/*@ requires \valid(f);
    assigns f->rng, f->failures;
    ensures f->rng == (f->ppm != 0 ? MEMAPI_FAILING_DRAW(\old(f->rng)) : \old(f->rng));
    behavior fails:
      assumes memapi_failing_fires(f, f->calls, MEMAPI_FAILING_DRAW(f->rng), l);
      ensures \result != 0;
      ensures f->failures == (uint64_t)(\old(f->failures) + 1);
    behavior passes:
      assumes !memapi_failing_fires(f, f->calls, MEMAPI_FAILING_DRAW(f->rng), l);
      ensures \result == 0;
      ensures f->failures == \old(f->failures);
    complete behaviors;
    disjoint behaviors;
*/
static bool should_fail(memapi_failing *f, memapi_layout l)
{
    bool fail = false;
    if (f->fail_nth != 0 && f->calls == f->fail_nth)
        fail = true;
    if (f->calls > f->fail_after)
        fail = true;
    if (f->ppm != 0 && xorshift64(&f->rng) % PPM_ONE < f->ppm)
        fail = true;
    if (l.size > f->max_size)
        fail = true;
    if (fail)
        f->failures = count_up(f->failures);
    return fail;
}

/* Recomputes the "some rule is on" flag after a setter changed a rule. */
/*@ requires \valid(f);
    assigns f->rules_on;
    ensures memapi_failing_rules(f);
*/
static void note_rules(memapi_failing *f)
{
    f->rules_on = f->fail_nth != 0 || f->fail_after != UINT64_MAX || f->ppm != 0 || f->max_size != SIZE_MAX;
}

/*
 * The contract shared by the allocating calls (ruled_alloc, failing_alloc, failing_zalloc) on the
 * failing allocator f: what the entry contract of their kind asks (alloc_acsl.h), the state ready
 * (memapi_failing_ok), *err and the block the inner allocator hands out next outside it.
 */
#define FAILING_ACSL_CALL(f) \
    requires memapi_failing_ok(f); \
    requires memapi_valid_layout(l); \
    requires err == \null || (\valid(err) && \separated(err, f) && \separated(err, (f)->inner.vt)); \
    requires \separated(f, memapi_proof_next(memapi_proof_heap, l) + (0 .. l.size - 1));
/* An injected failure: ALLOC_FAILED(l, out of memory), counted, nothing allocated. */
#define FAILING_ACSL_INJECTED(f) \
      ensures \result == \null; \
      ensures memapi_proof_heap == \old(memapi_proof_heap); \
      ensures (f)->failures == (uint64_t)(\old((f)->failures) + 1); \
      ensures err != \null ==> memapi_bump_err_oom(err, l) && memapi_err_texts(err);
/* A forwarded call: the entry contract's outcome (the inner allocator's alloc, or zalloc when `zero`),
 * not counted as a failure. */
#define FAILING_ACSL_FORWARDED(f, zero) \
      ensures (f)->failures == \old((f)->failures); \
      MEMAPI_ACSL_ALLOC_OUTCOME(l) \
      ensures (zero) != 0 && \result != \null ==> memapi_zero_bytes((char *)\result, 0, l.size);

/* A counted call with some rule on: the rules' verdict (out of line: the path with every rule off
 * stays a count, one test and a jump). */
/*@ FAILING_ACSL_CALL(f)
    assigns memapi_proof_heap, *err, memapi_proof_next(memapi_proof_heap, l)[0 .. l.size - 1],
            f->failures, f->rng;
    ensures memapi_failing_rules(f);
    ensures f->rng == (f->ppm != 0 ? MEMAPI_FAILING_DRAW(\old(f->rng)) : \old(f->rng));
    behavior injected:
      assumes memapi_failing_fires(f, f->calls, MEMAPI_FAILING_DRAW(f->rng), l);
      FAILING_ACSL_INJECTED(f)
    behavior forwarded:
      assumes !memapi_failing_fires(f, f->calls, MEMAPI_FAILING_DRAW(f->rng), l);
      FAILING_ACSL_FORWARDED(f, zero)
    complete behaviors;
    disjoint behaviors;
*/
static __attribute__((noinline)) void *ruled_alloc(memapi_failing *f, memapi_layout l, bool zero, memapi_error *err)
{
    if (should_fail(f, l)) {
        memapi__fail_alloc(err, l, MEMAPI_CAUSE_OUT_OF_MEMORY, 0, NULL);
        return NULL;
    }
    if (zero)
        return memapi__fwd_zalloc(&f->inner, l, err);
    return memapi__fwd_alloc(&f->inner, l, err);
}

/*
 * The vtable entries. Each is proved against the entry contract of its kind (alloc_acsl.h) on
 * `(memapi_failing *)self`, under WP's Typed+cast memory model (PROVE_CAST in mk/prove.mk), which
 * accepts the `void *` -> `memapi_failing *` cast: that `self` points to the failing allocator is
 * the allocator value's own invariant (memapi_failing_allocator builds it).
 */
#define SELF ((memapi_failing *)self)

/* The contract of the allocating entries: the call counted (calls, wrapping as `++` does), then the
 * rules' verdict on that call number. */
#define FAILING_ACSL_ENTRY(zero) \
    FAILING_ACSL_CALL(SELF) \
    assigns memapi_proof_heap, *err, memapi_proof_next(memapi_proof_heap, l)[0 .. l.size - 1], \
            SELF->calls, SELF->failures, SELF->rng; \
    ensures memapi_failing_rules(SELF); \
    ensures SELF->calls == (uint64_t)(\old(SELF->calls) + 1); \
    ensures SELF->rng == (SELF->ppm != 0 ? MEMAPI_FAILING_DRAW(\old(SELF->rng)) : \old(SELF->rng)); \
    behavior injected: \
      assumes memapi_failing_fires(SELF, (uint64_t)(SELF->calls + 1), MEMAPI_FAILING_DRAW(SELF->rng), l); \
      FAILING_ACSL_INJECTED(SELF) \
    behavior forwarded: \
      assumes !memapi_failing_fires(SELF, (uint64_t)(SELF->calls + 1), MEMAPI_FAILING_DRAW(SELF->rng), l); \
      FAILING_ACSL_FORWARDED(SELF, zero) \
    complete behaviors; \
    disjoint behaviors;

/*
 * Every call is counted first. With every rule off (rules_on false) no rule can fire and no draw is
 * made, so the call goes straight to the inner allocator's entry (the dispatch has validated l).
 */
/*@ FAILING_ACSL_ENTRY(0) */
static void *failing_alloc(void *self, memapi_layout l, memapi_error *err)
{
    memapi_failing *f = self;
    f->calls = count_up(f->calls);
    if (MEMAPI_UNLIKELY(f->rules_on))
        return ruled_alloc(f, l, false, err);
    return memapi__fwd_alloc(&f->inner, l, err);
}

/*@ FAILING_ACSL_ENTRY(1) */
static void *failing_zalloc(void *self, memapi_layout l, memapi_error *err)
{
    memapi_failing *f = self;
    f->calls = count_up(f->calls);
    if (MEMAPI_UNLIKELY(f->rules_on))
        return ruled_alloc(f, l, true, err);
    return memapi__fwd_zalloc(&f->inner, l, err);
}

/* The try_dealloc entry (offered when the inner allocator has one): forwarded, never counted. Its
 * caller has checked the pointer (non-NULL, aligned: memapi_try_dealloc, memapi__fwd_try_dealloc and
 * the default resize check it before they call the entry). */
/*@ requires \valid_read(SELF) && \valid_read(SELF->inner.vt) && SELF->inner.vt->try_dealloc != \null;
    requires memapi_valid_layout(layout);
    requires memapi_ptr_ok(ptr, layout);
    requires memapi_owned(memapi_proof_heap, (char *)ptr, layout.size);
    requires \valid((char *)ptr + (0 .. layout.size - 1));
    requires err == \null || (\valid(err) && \separated(err, (char *)ptr + (0 .. layout.size - 1)) &&
                              \separated(err, SELF) && \separated(err, SELF->inner.vt));
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. layout.size - 1];
    MEMAPI_ACSL_TRY_DEALLOC_OUTCOME
*/
static memapi_status failing_try_dealloc(void *self, void *ptr, memapi_layout layout, memapi_error *err)
{
    return memapi__fwd_try_dealloc(&SELF->inner, ptr, layout, err);
}

/* memapi_dealloc's entry, offered when the inner allocator has one (a free is never failed). It is
 * called after memapi_dealloc's checks (alloc.h, memapi_free_fn): the pointer non-NULL, aligned, an
 * object pointer and not the layout's dangling pointer. */
/*@ requires \valid_read(SELF) && \valid_read(SELF->inner.vt) && SELF->inner.vt->try_dealloc != \null;
    requires memapi_valid_layout(layout);
    requires memapi_ptr_ok(ptr, layout) && ptr != (void *)(uintptr_t)layout.align;
    requires \object_pointer((char *)ptr);
    requires memapi_owned(memapi_proof_heap, (char *)ptr, layout.size);
    requires \valid((char *)ptr + (0 .. layout.size - 1));
    assigns memapi_proof_heap, ((char *)ptr)[0 .. layout.size - 1];
    ensures memapi_freed(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, layout.size);
*/
static void failing_dealloc(void *self, void *ptr, memapi_layout layout)
{
    memapi__fwd_dealloc(&SELF->inner, ptr, layout);
}

/* The resize entries: the library default on the failing allocator itself (its allocation is one
 * counted call of this allocator's alloc or zalloc entry). */
#define FAILING_ACSL_RESIZE(zero) \
    requires \valid_read(SELF); \
    requires memapi_valid_layout(old_layout) && memapi_valid_layout(new_layout); \
    requires new_layout.align >= old_layout.align; \
    requires memapi_owned(memapi_proof_heap, (char *)ptr, old_layout.size); \
    requires \valid((char *)ptr + (0 .. old_layout.size - 1)); \
    requires err == \null || (\valid(err) && \separated(err, &SELF->vt) && \
             \separated(err, (char *)ptr + (0 .. \max(old_layout.size, new_layout.size) - 1))); \
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. \max(old_layout.size, new_layout.size) - 1], \
            memapi_proof_next(memapi_proof_heap, new_layout)[0 .. new_layout.size - 1]; \
    MEMAPI_ACSL_RESIZE_KEPT(old_layout) \
    MEMAPI_ACSL_RESIZE_DONE(old_layout, new_layout, zero)

/*@ FAILING_ACSL_RESIZE(0) */
static void *failing_resize(void *self, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                            memapi_error *err)
{
    return memapi_default_resize(memapi_failing_allocator(SELF), ptr, old_layout, new_layout, false, err);
}

/*@ FAILING_ACSL_RESIZE(1) */
static void *failing_zresize(void *self, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                             memapi_error *err)
{
    return memapi_default_resize(memapi_failing_allocator(SELF), ptr, old_layout, new_layout, true, err);
}

/* The owns entry (offered when the inner allocator has one): the inner allocator's answer. */
/*@ requires \valid_read(SELF) && \valid_read(SELF->inner.vt) && SELF->inner.vt->owns != \null;
    requires memapi_valid_layout(l);
    requires err == \null || \valid(err);
    assigns *err;
    ensures \result == MEMAPI_OK || \result == MEMAPI_ERROR;
    ensures \result == MEMAPI_OK ==> memapi_owned(memapi_proof_heap, (char *)ptr, l.size) &&
                                     \valid((char *)ptr + (0 .. l.size - 1));
    ensures \result == MEMAPI_ERROR && err != \null ==> memapi_err_texts(err);
*/
static memapi_status failing_owns(void *self, const void *ptr, memapi_layout l, memapi_error *err)
{
    const memapi_allocator in = SELF->inner;
    const memapi_alloc_vtable vt = *in.vt;
    return MEMAPI__ENTRY_OWNS(vt.owns, in.self, ptr, l, err);
}

memapi_status memapi_failing_init(memapi_failing *f, memapi_allocator inner, memapi_error *err)
{
    if (inner.vt == NULL)
        return memapi__fail(err, MEMAPI_E_UNSUPPORTED);
    /* The inner vtable read once, as the dispatch reads it (src/alloc.c). */
    const memapi_alloc_vtable in = *inner.vt;
    if (in.alloc == NULL)
        return memapi__fail(err, MEMAPI_E_UNSUPPORTED);
    bool can_free = in.try_dealloc != NULL;
    uint32_t caps = in.caps & ~(uint32_t)MEMAPI_CAP_SHARED;
    if (can_free)
        caps |= MEMAPI_CAP_REALLOC;
    memapi_alloc_vtable vt = {
        .name = "failing",
        .caps = caps,
        .alloc = failing_alloc,
        .zalloc = failing_zalloc,
        .try_dealloc = can_free ? failing_try_dealloc : NULL,
        .grow = failing_resize,
        .zgrow = failing_zresize,
        .shrink = failing_resize,
        .realloc = failing_resize,
        .rezalloc = failing_zresize,
        .owns = in.owns != NULL ? failing_owns : NULL,
        .alloc_temp = NULL,
        .dealloc = can_free && in.dealloc != NULL ? failing_dealloc : NULL,
    };
    f->inner = inner;
    f->vt = vt;
    f->calls = 0;
    f->failures = 0;
    memapi_failing_clear(f);
    return MEMAPI_OK;
}

void memapi_failing_set_nth(memapi_failing *f, uint64_t n)
{
    f->fail_nth = n;
    note_rules(f);
}

void memapi_failing_set_after(memapi_failing *f, uint64_t n)
{
    f->fail_after = n;
    note_rules(f);
}

void memapi_failing_set_probability(memapi_failing *f, uint32_t ppm, uint64_t seed)
{
    f->ppm = ppm > PPM_ONE ? PPM_ONE : ppm;
    f->rng = seed != 0 ? seed : DEFAULT_SEED;
    note_rules(f);
}

void memapi_failing_set_max_size(memapi_failing *f, size_t max_size)
{
    f->max_size = max_size;
    note_rules(f);
}

void memapi_failing_clear(memapi_failing *f)
{
    f->fail_nth = 0;
    f->fail_after = UINT64_MAX;
    f->ppm = 0;
    f->rng = DEFAULT_SEED;
    f->max_size = SIZE_MAX;
    note_rules(f);
}

void memapi_failing_reset_counters(memapi_failing *f)
{
    f->calls = 0;
    f->failures = 0;
}
