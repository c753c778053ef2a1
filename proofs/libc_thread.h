/*
 * The POSIX mutex calls of the locked wrapper (src/locked.c), as the proof sees them: trusted base
 * (proofs/README.md, "Trusted base"; proofs/trusted.tsv). Included from proofs/extern.h, so only
 * Frama-C reads it.
 *
 * Under Frama-C, locked.c calls pthread_mutex_lock as memapi_proof_pthread_mutex_lock, and so on
 * for each call: a contract added to the C library's own declaration would be merged into Frama-C's
 * libc, which the printed program (and so the proof key and the gate, proofs/README.md) shows only
 * as an #include line; under its own name each contract is in the print, pinned by the ledger and
 * listed in trusted.tsv.
 *
 * The ghost notion of "held": memapi_mutex_held(m) is true when the calling thread holds the mutex
 * whose state is m. It is abstract (no axiom): all that is known of it is what the contracts below
 * say, which is no more than POSIX says of an initialised PTHREAD_MUTEX_ERRORCHECK mutex:
 * - lock returns 0 and the caller then holds the mutex, or an error number and the call changed
 *   nothing the caller held (EDEADLK when the caller already holds it, EINVAL, EAGAIN, ...);
 * - unlock of a mutex the caller holds releases it (the result is not relied on);
 * - init that returns 0 gives a mutex nobody holds; destroy requires that the caller does not hold
 *   it (destroying a locked mutex is undefined);
 * - the attribute calls only write the attribute object.
 * Other threads are not modelled: the proof shows the lock discipline of one thread (every entry
 * leaves the mutex as it found it), not mutual exclusion, which is the C library's.
 */
#ifndef MEMAPI_PROOFS_LIBC_THREAD_H
#define MEMAPI_PROOFS_LIBC_THREAD_H

#include <pthread.h>

/*@ axiomatic MemapiMutexHeld {
      // The calling thread holds the mutex whose state is m.
      predicate memapi_mutex_held(pthread_mutex_t m);
    }
*/

/*@ requires \valid(mutex);
    assigns *mutex \from *mutex;
    assigns \result \from indirect:*mutex;
    ensures \result == 0 ==> memapi_mutex_held(*mutex);
    ensures \result != 0 ==> (memapi_mutex_held(*mutex) <==> memapi_mutex_held(\old(*mutex)));
*/
int memapi_proof_pthread_mutex_lock(pthread_mutex_t *mutex);

/*@ requires \valid(mutex);
    requires memapi_mutex_held(*mutex);
    assigns *mutex \from *mutex;
    assigns \result \from indirect:*mutex;
    ensures !memapi_mutex_held(*mutex);
*/
int memapi_proof_pthread_mutex_unlock(pthread_mutex_t *mutex);

/*@ requires \valid(mutex);
    requires attr == \null || \valid_read(attr);
    assigns *mutex \from *attr;
    assigns \result \from indirect:*attr;
    ensures \result == 0 ==> !memapi_mutex_held(*mutex);
*/
int memapi_proof_pthread_mutex_init(pthread_mutex_t *mutex, const pthread_mutexattr_t *attr);

/*@ requires \valid(mutex);
    requires !memapi_mutex_held(*mutex);
    assigns *mutex \from *mutex;
    assigns \result \from indirect:*mutex;
*/
int memapi_proof_pthread_mutex_destroy(pthread_mutex_t *mutex);

/*@ requires \valid(attr);
    assigns *attr \from \nothing;
    assigns \result \from \nothing;
*/
int memapi_proof_pthread_mutexattr_init(pthread_mutexattr_t *attr);

/*@ requires \valid(attr);
    assigns *attr \from *attr, type;
    assigns \result \from indirect:*attr, indirect:type;
*/
int memapi_proof_pthread_mutexattr_settype(pthread_mutexattr_t *attr, int type);

/*@ requires \valid(attr);
    assigns *attr \from *attr;
    assigns \result \from indirect:*attr;
*/
int memapi_proof_pthread_mutexattr_destroy(pthread_mutexattr_t *attr);

#endif
