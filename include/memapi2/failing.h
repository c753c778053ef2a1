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

/**
 * @brief Initialises `f` around `inner` with every rule off and the counters at 0.
 * Errors: `MEMAPI_E_UNSUPPORTED` when `inner` has no vtable or no alloc entry (`*f` untouched).
 * @param f must not be NULL
 * @param inner the allocator that serves the calls no rule fails (held by value)
 * @param err receives the error on failure; may be NULL
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status memapi_failing_init(memapi_failing *f, memapi_allocator inner,
                                                              memapi_error *err);

/** @brief Fail exactly the `n`-th allocating call (1-based, counting since init or the last counter reset); 0 turns the rule off. */
MEMAPI_API void memapi_failing_set_nth(memapi_failing *f, uint64_t n);
/** @brief Fail every allocating call after the `n`-th (`n == 0`: every call); `UINT64_MAX` turns it off. */
MEMAPI_API void memapi_failing_set_after(memapi_failing *f, uint64_t n);
/**
 * @brief Fail each call with probability `ppm / 1000000` (values above 1000000 act as 1000000),
 * drawn from a xorshift64 generator seeded with `seed` (0 is replaced by a fixed nonzero seed), so a
 * run is reproducible. `ppm == 0` turns the rule off.
 */
MEMAPI_API void memapi_failing_set_probability(memapi_failing *f, uint32_t ppm, uint64_t seed);
/** @brief Fail every request whose size is above `max_size`; `SIZE_MAX` turns the rule off. */
MEMAPI_API void memapi_failing_set_max_size(memapi_failing *f, size_t max_size);
/** @brief Turns every rule off (the counters are kept). */
MEMAPI_API void memapi_failing_clear(memapi_failing *f);
/** @brief Sets both counters back to 0 (call numbering restarts at 1). */
MEMAPI_API void memapi_failing_reset_counters(memapi_failing *f);

/** @brief Allocating calls seen (injected failures included). */
static inline uint64_t memapi_failing_calls(const memapi_failing *f)
{
    return f->calls;
}

/** @brief Failures injected. */
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
static inline memapi_allocator memapi_failing_allocator(memapi_failing *f)
{
    memapi_allocator a = {&f->vt, f};
    return a;
}

#ifdef __cplusplus
}
#endif

#endif /* MEMAPI2_FAILING_H */
