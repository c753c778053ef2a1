/**
 * @file memapi2/failing.h
 * @brief Fault injection: an allocator wrapping another one and failing chosen allocations, to test
 * that callers handle allocation failure (the fault sweep of the test suite drives it).
 *
 * ## What is counted
 * Every *allocating* call counts as one call, numbered from 1: alloc, zalloc, and the allocation
 * a resize makes. Resizes always run the library default (allocate, copy, free) on the failing
 * allocator itself, so the inner allocator's own in-place resizing is not used and a resize is
 * exactly one counted allocation. Deallocation (try_dealloc, and the dealloc entry when the inner
 * allocator has one) is forwarded to the inner allocator and is never counted nor failed; neither is owns, which is forwarded when the inner allocator
 * has it (otherwise the checked operations report `MEMAPI_E_UNSUPPORTED`).
 *
 * ## Policy
 * A call fails when any enabled rule says so: it is the Nth call; it comes after call N; a draw of
 * the seeded xorshift64 generator falls under the probability (in parts per million); its size is
 * above the limit. A fresh `memapi_failing_init` fails nothing. An injected failure is
 * `MEMAPI_E_ALLOC_FAILED(layout, out of memory)` and the inner allocator is not called; failures of
 * the inner allocator pass through unchanged and are not counted as injected.
 *
 * Exclusive: the counters are not synchronised (no `MEMAPI_CAP_SHARED`).
 */
#ifndef MEMAPI2_FAILING_H
#define MEMAPI2_FAILING_H

#include <stdbool.h>
#include <stdint.h>
#include "alloc.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief The failing allocator's state. Use the functions below; do not write the fields. */
typedef struct memapi_failing {
    memapi_allocator inner;  /**< the wrapped allocator (held by value) */
    memapi_alloc_vtable vt;  /**< this wrapper's vtable (owns only when the inner allocator has it) */
    uint64_t fail_nth;       /**< fail call number fail_nth (1-based); 0: rule off */
    uint64_t fail_after;     /**< fail every call numbered above fail_after; UINT64_MAX: rule off */
    uint32_t ppm;            /**< failure probability per call, in millionths; 0: rule off */
    uint64_t rng;            /**< xorshift64 state (never 0) */
    size_t max_size;         /**< fail requests with size > max_size; SIZE_MAX: rule off */
    uint64_t calls;          /**< allocating calls seen */
    uint64_t failures;       /**< failures injected */
    bool rules_on;           /**< some rule is on (kept by the setters): false takes the one-test path */
} memapi_failing;

#ifdef __FRAMAC__
/* The generator's next value from state x (failing.c's xorshift64: x ^= x << 13; x ^= x >> 7;
 * x ^= x << 17, each shift written as the product or quotient it is), as an ACSL term: a macro,
 * not a logic function, so that the prover meets the same term on both sides of the draw. */
#define MEMAPI_FAILING_XS1(x) ((uint64_t)((x) ^ (x) % 2251799813685248 * 8192))
#define MEMAPI_FAILING_XS2(x) ((uint64_t)((x) ^ (x) / 128))
#define MEMAPI_FAILING_XS3(x) ((uint64_t)((x) ^ (x) % 140737488355328 * 131072))
#define MEMAPI_FAILING_DRAW(x) MEMAPI_FAILING_XS3(MEMAPI_FAILING_XS2(MEMAPI_FAILING_XS1(x)))
#endif

/*@ // ACSL vocabulary of the failing allocator (proofs/README.md); compilers see only comments.
  // What the setters keep: rules_on says exactly whether some rule is on.
  predicate memapi_failing_rules{L}(memapi_failing *f) =
    (f->rules_on != 0 <==>
     (f->fail_nth != 0 || f->fail_after != UINT64_MAX || f->ppm != 0 || f->max_size != SIZE_MAX));
  // The policy: call number n, of layout l, fails when the draw is `draw` (the generator's next
  // value, used only when the probability rule is on): the nth rule, the after rule, the
  // probability rule, the size rule.
  predicate memapi_failing_fires{L}(memapi_failing *f, integer n, integer draw, memapi_layout l) =
    (f->fail_nth != 0 && n == f->fail_nth) || n > f->fail_after ||
    (f->ppm != 0 && draw % 1000000 < f->ppm) || l.size > f->max_size;
  // A failing allocator its entries can serve: initialised (an inner vtable with an alloc entry,
  // outside the state), rules_on kept.
  predicate memapi_failing_ok{L}(memapi_failing *f) =
    \valid(f) && \valid_read(f->inner.vt) && f->inner.vt->alloc != \null && \separated(f, f->inner.vt) &&
    memapi_failing_rules(f);
*/

/**
 * @brief Initialises `f` around `inner` with every rule off and the counters at 0.
 * Errors: `MEMAPI_E_UNSUPPORTED` when `inner` has no vtable or no alloc entry (`*f` untouched).
 * @param f must not be NULL
 * @param inner the allocator that serves the calls no rule fails (held by value)
 * @param err receives the error on failure; may be NULL
 */
/*@ requires \valid(f);
    requires inner.vt == \null || \valid_read(inner.vt);
    requires err == \null || \valid(err);
    behavior unsupported:
      assumes inner.vt == \null || inner.vt->alloc == \null;
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures memapi_unsupported(err);
    behavior initialised:
      assumes inner.vt != \null && inner.vt->alloc != \null;
      assigns *f;
      ensures \result == MEMAPI_OK;
      ensures f->inner.vt == inner.vt && f->inner.self == inner.self;
      ensures f->calls == 0 && f->failures == 0;
      ensures f->fail_nth == 0 && f->fail_after == UINT64_MAX && f->ppm == 0 && f->max_size == SIZE_MAX;
      ensures f->rng != 0 && f->rules_on == 0;
      ensures f->vt.alloc != \null && f->vt.zalloc != \null;
      ensures f->vt.grow != \null && f->vt.zgrow != \null && f->vt.shrink != \null;
      ensures f->vt.realloc != \null && f->vt.rezalloc != \null && f->vt.alloc_temp == \null;
      ensures (f->vt.try_dealloc != \null <==> \old(inner.vt->try_dealloc) != \null);
      ensures (f->vt.owns != \null <==> \old(inner.vt->owns) != \null);
      ensures (f->vt.dealloc != \null <==> (\old(inner.vt->try_dealloc) != \null && \old(inner.vt->dealloc) != \null));
      ensures \old(inner.vt->try_dealloc) == \null ==>
              f->vt.caps == (\old(inner.vt->caps) & ~(uint32_t)MEMAPI_CAP_SHARED);
      ensures \old(inner.vt->try_dealloc) != \null ==>
              f->vt.caps == ((\old(inner.vt->caps) & ~(uint32_t)MEMAPI_CAP_SHARED) | MEMAPI_CAP_REALLOC);
      ensures memapi_failing_rules(f);
    complete behaviors;
    disjoint behaviors;
*/
MEMAPI_API MEMAPI_NODISCARD memapi_status memapi_failing_init(memapi_failing *f, memapi_allocator inner,
                                                              memapi_error *err);

/** @brief Fail exactly the `n`-th allocating call (1-based, counting since init or the last counter reset); 0 turns the rule off. */
/*@ requires \valid(f);
    assigns f->fail_nth, f->rules_on;
    ensures f->fail_nth == n;
    ensures memapi_failing_rules(f);
*/
MEMAPI_API void memapi_failing_set_nth(memapi_failing *f, uint64_t n);
/** @brief Fail every allocating call after the `n`-th (`n == 0`: every call); `UINT64_MAX` turns it off. */
/*@ requires \valid(f);
    assigns f->fail_after, f->rules_on;
    ensures f->fail_after == n;
    ensures memapi_failing_rules(f);
*/
MEMAPI_API void memapi_failing_set_after(memapi_failing *f, uint64_t n);
/**
 * @brief Fail each call with probability `ppm / 1000000` (values above 1000000 act as 1000000),
 * drawn from a xorshift64 generator seeded with `seed` (0 is replaced by a fixed nonzero seed), so a
 * run is reproducible. `ppm == 0` turns the rule off.
 */
/*@ requires \valid(f);
    assigns f->ppm, f->rng, f->rules_on;
    ensures f->ppm == (ppm > 1000000 ? 1000000 : ppm);
    ensures seed != 0 ==> f->rng == seed;
    ensures f->rng != 0;
    ensures memapi_failing_rules(f);
*/
MEMAPI_API void memapi_failing_set_probability(memapi_failing *f, uint32_t ppm, uint64_t seed);
/** @brief Fail every request whose size is above `max_size`; `SIZE_MAX` turns the rule off. */
/*@ requires \valid(f);
    assigns f->max_size, f->rules_on;
    ensures f->max_size == max_size;
    ensures memapi_failing_rules(f);
*/
MEMAPI_API void memapi_failing_set_max_size(memapi_failing *f, size_t max_size);
/** @brief Turns every rule off (the counters are kept). */
/*@ requires \valid(f);
    assigns f->fail_nth, f->fail_after, f->ppm, f->rng, f->max_size, f->rules_on;
    ensures f->fail_nth == 0 && f->fail_after == UINT64_MAX && f->ppm == 0 && f->max_size == SIZE_MAX;
    ensures f->rng != 0 && f->rules_on == 0;
    ensures memapi_failing_rules(f);
*/
MEMAPI_API void memapi_failing_clear(memapi_failing *f);
/** @brief Sets both counters back to 0 (call numbering restarts at 1). */
/*@ requires \valid(f);
    assigns f->calls, f->failures;
    ensures f->calls == 0 && f->failures == 0;
*/
MEMAPI_API void memapi_failing_reset_counters(memapi_failing *f);

/** @brief Allocating calls seen (injected failures included). */
/*@ requires \valid_read(f);
    assigns \nothing;
    ensures \result == f->calls;
*/
static inline uint64_t memapi_failing_calls(const memapi_failing *f)
{
    return f->calls;
}

/** @brief Failures injected. */
/*@ requires \valid_read(f);
    assigns \nothing;
    ensures \result == f->failures;
*/
static inline uint64_t memapi_failing_failures(const memapi_failing *f)
{
    return f->failures;
}

/**
 * @brief The failing allocator as a value: alloc, zalloc, try_dealloc and dealloc (forwarded; dealloc
 * when the inner allocator has both), grow, zgrow,
 * shrink, realloc, rezalloc (library default on this allocator), owns (forwarded, when the inner
 * allocator has one). Capabilities: the inner allocator's, without `MEMAPI_CAP_SHARED`, plus
 * `MEMAPI_CAP_REALLOC` when it can deallocate. `f` must outlive every use of the value.
 */
/*@ requires \valid_read(f);
    assigns \nothing;
    ensures \result.vt == &f->vt;
*/
static inline memapi_allocator memapi_failing_allocator(memapi_failing *f)
{
    memapi_allocator a = {&f->vt, f};
    return a;
}

#ifdef __cplusplus
}
#endif

#endif /* MEMAPI2_FAILING_H */
