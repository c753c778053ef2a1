/*
 * Internal: the seam between the library and the platform calls that can fail (issue 23). Every
 * fallible heap, memory-mapping and system call of default.c, guard.c, os_error.c and c_alloc.c,
 * and locked.c's mutex calls, are written MEMAPI_OS(name)(arguments).
 *
 * - Normal builds: MEMAPI_OS(name) is `name`, so the call is the direct call, token for
 *   token: the object code is the same as without the seam (fuzz/README.md shows the objdump and
 *   instruction-count comparison).
 * - Proofs only (Frama-C defines __FRAMAC__): the heap calls are the models of proofs/libc_heap.h,
 *   which take the caller's layout as Frama-C ghost arguments (comments to a compiler); every
 *   other call is `name`.
 * - Fuzz builds only (-DMEMAPI_FUZZ_OS_FAULTS, set by mk/fuzz.mk and fuzz/build.sh, never by the
 *   library's own build): the call goes through the function pointer memapi__os.name, which starts
 *   as the platform function (fuzz/os_faults.c defines the table) and which a harness may point at a
 *   stand-in that fails the way POSIX says the call fails, so that every OS failure path runs and
 *   its structured error (cause OS_ERR, errno) can be compared with a model.
 *
 * free is behind the seam too, though it cannot fail: the stand-ins count the heap blocks the
 * library holds, so a harness can check that a moving resize freed the old block and that nothing
 * leaks (default.c and c_alloc.c; the guard's heap calls go through memapi_default()).
 *
 * Left out, and called directly: pthread_mutexattr_destroy and
 * pthread_mutex_destroy (locked.c has nothing to do about their results), and the guard's sigaction, sigaltstack and
 * the alternate stack's mmap: the guard installs its SIGSEGV handler once per process
 * (pthread_once), so a failure injected there would change every later run of the process, not the
 * one that asked for it.
 */
#ifndef MEMAPI_INTERNAL_OS_H
#define MEMAPI_INTERNAL_OS_H

#ifdef MEMAPI_FUZZ_OS_FAULTS
#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>

/* The platform calls behind the seam, with their POSIX (glibc) signatures. */
typedef struct memapi__os_table {
    void *(*malloc)(size_t size);
    void *(*calloc)(size_t n, size_t size);
    void *(*realloc)(void *ptr, size_t size);
    void (*free)(void *ptr);
#if defined(__GLIBC__)
    void *(*memalign)(size_t align, size_t size);
#endif
    int (*posix_memalign)(void **out, size_t align, size_t size);
    void *(*mmap)(void *addr, size_t len, int prot, int flags, int fd, off_t off);
    int (*mprotect)(void *addr, size_t len, int prot);
    int (*munmap)(void *addr, size_t len);
    int (*madvise)(void *addr, size_t len, int advice);
    long (*sysconf)(int name);
    int (*getentropy)(void *buf, size_t len);
    int (*strerror_r)(int code, char *buf, size_t cap);
    int (*pthread_mutexattr_init)(pthread_mutexattr_t *attr);
    int (*pthread_mutexattr_settype)(pthread_mutexattr_t *attr, int type);
    int (*pthread_mutex_init)(pthread_mutex_t *m, const pthread_mutexattr_t *attr);
    int (*pthread_mutex_lock)(pthread_mutex_t *m);
    int (*pthread_mutex_unlock)(pthread_mutex_t *m);
} memapi__os_table;

/* The calls in use; fuzz/os_faults.c defines it, initialised to the platform functions. */
extern memapi__os_table memapi__os;

#define MEMAPI_OS(name) (memapi__os.name)
#elif defined(__FRAMAC__)
/*
 * The proof (Frama-C only): the heap calls are their models over the allocator interface's
 * abstract heap, which take the caller's layout as ghost arguments; every other call is the
 * platform function (proofs/libc_heap.h, proofs/README.md "The C heap"). The models are declared
 * for the files that have the allocator interface (alloc.h) already, the heap allocators: another
 * file (os_error.c) is printed as before, so the proof keys of its functions do not move.
 */
#ifdef MEMAPI2_ALLOC_H
#include "libc_heap.h"
#endif
#define MEMAPI_OS(name) MEMAPI_PROOF_OS_##name
#define MEMAPI_PROOF_OS_malloc memapi_proof_malloc
#define MEMAPI_PROOF_OS_calloc memapi_proof_calloc
#define MEMAPI_PROOF_OS_realloc memapi_proof_realloc
#define MEMAPI_PROOF_OS_free memapi_proof_free
#define MEMAPI_PROOF_OS_posix_memalign memapi_proof_posix_memalign
#define MEMAPI_PROOF_OS_memalign memapi_proof_memalign
#define MEMAPI_PROOF_OS_mmap mmap
#define MEMAPI_PROOF_OS_mprotect mprotect
#define MEMAPI_PROOF_OS_munmap munmap
#define MEMAPI_PROOF_OS_madvise madvise
#define MEMAPI_PROOF_OS_sysconf sysconf
#define MEMAPI_PROOF_OS_getentropy getentropy
#define MEMAPI_PROOF_OS_strerror_r strerror_r
#define MEMAPI_PROOF_OS_pthread_mutexattr_init pthread_mutexattr_init
#define MEMAPI_PROOF_OS_pthread_mutexattr_settype pthread_mutexattr_settype
#define MEMAPI_PROOF_OS_pthread_mutex_init pthread_mutex_init
#define MEMAPI_PROOF_OS_pthread_mutex_lock pthread_mutex_lock
#define MEMAPI_PROOF_OS_pthread_mutex_unlock pthread_mutex_unlock
#else
#define MEMAPI_OS(name) name
#endif

#endif
