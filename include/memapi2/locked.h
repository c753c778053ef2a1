/**
 * @file memapi2/locked.h
 * @brief The locked wrapper: makes an exclusive (single-threaded) allocator shareable between
 * threads with a mutex (reference `Mutex<A>` / `RefCell<A>`; docs/design.md section 4).
 *
 * Every operation of the wrapped allocator locks the mutex, calls the inner allocator's entry of
 * the same kind with the arguments the dispatch has already checked (or the library default where
 * the dispatch would use it: the inner allocator's own entries or the library defaults apply, as
 * with `memapi_alloc`, `memapi_grow`, ... on it, and the lock is held for the whole resize), then
 * unlocks.
 *
 * The wrapper offers only the entries the inner allocator can serve: zalloc always (the default
 * zeroes after alloc); try_dealloc when the inner allocator has one; the resize entries when the
 * inner allocator has that entry or try_dealloc (which the default resize needs); owns and
 * alloc_temp when the inner allocator has them; the dealloc entry (memapi_dealloc's free that
 * cannot fail, without an error object) when the inner allocator has dealloc and try_dealloc. A
 * lock failure there stops the program with the report `memapi_dealloc` gives for a failed
 * try_dealloc (`... failed: lock failed`), as without the entry. Without an alloc_temp entry, scoped allocation
 * through the wrapper is the default alloc, call, try_dealloc, and the callback runs unlocked too.
 *
 * Scoped allocation never runs the caller's callback with the mutex held, so a callback that leaves
 * with `longjmp` (which the stack allocator allows) cannot leave the mutex locked: with an inner
 * alloc_temp entry, the mutex is held while the inner allocator sets up the scope, released just
 * before the callback runs, and taken again when it returns, for the inner allocator to end the
 * scope. Other threads may therefore use the inner allocator while a callback runs (as with the
 * default scoped allocation), and a callback may call the wrapper itself.
 *
 * The mutex is `PTHREAD_MUTEX_ERRORCHECK`: a re-entrant call from the thread that holds it (from
 * inside the inner allocator's own code, for example an inner allocator that calls back into the
 * wrapper) fails with `MEMAPI_E_OTHER` and msg `lock failed` instead of deadlocking, as the
 * reference's RefCell reports a second borrow. Any other lock failure is reported the same way.
 *
 * Hosted builds only (needs POSIX threads; link with -lpthread where the platform requires it).
 */
#ifndef MEMAPI2_LOCKED_H
#define MEMAPI2_LOCKED_H

#include <pthread.h>
#include "alloc.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief State of a locked allocator. Initialise with `memapi_locked_init`, use through
 * `memapi_locked_allocator`, release with `memapi_locked_destroy`. The fields are private; the
 * struct must stay at the same address while any allocator value obtained from it is in use.
 */
typedef struct memapi_locked {
    memapi_allocator inner;    /**< the wrapped allocator, held by value */
    pthread_mutex_t mutex;     /**< error-checking mutex guarding every call into `inner` */
    memapi_alloc_vtable vt;    /**< this wrapper's operations (entries chosen from `inner`'s) */
} memapi_locked;

/**
 * @brief Initialises `l` to wrap `inner`.
 *
 * Errors (`l` is then not initialised and must not be used or destroyed):
 * - `MEMAPI_E_INVALID_POINTER` (msg `null pointer`): `l` is NULL;
 * - `MEMAPI_E_UNSUPPORTED`: `inner` has no vtable or no alloc entry;
 * - `MEMAPI_E_OTHER` (msg `mutex initialisation failed`): pthread could not create the mutex.
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status memapi_locked_init(memapi_locked *l, memapi_allocator inner,
                                                             memapi_error *err);

/**
 * @brief Releases the mutex of `l`. Precondition: `l` was initialised, no thread is using it and
 * no allocator value obtained from it is used afterwards. The inner allocator is not touched.
 */
MEMAPI_API void memapi_locked_destroy(memapi_locked *l);

/**
 * @brief The wrapped allocator (name "locked"): capabilities of the inner allocator plus
 * `MEMAPI_CAP_SHARED`. Precondition: `l` is initialised.
 */
/*@ requires \valid_read(l);
    assigns \nothing;
    ensures \result.vt == &l->vt;
*/
static inline memapi_allocator memapi_locked_allocator(memapi_locked *l)
{
    memapi_allocator a = {&l->vt, l};
    return a;
}

#ifdef __cplusplus
}
#endif

#endif /* MEMAPI2_LOCKED_H */
