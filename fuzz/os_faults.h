/*
 * The fuzz build's side of the OS seam (src/internal/os.h): counting stand-ins for the platform
 * calls, any one of which can be made to fail the way POSIX says it fails (the failure value, and
 * errno or the returned code). Linked into every harness (mk/fuzz.mk adds fuzz/os_faults.c to the
 * library sources); the table points at the platform functions until os_faults_install().
 */
#ifndef MEMAPI_FUZZ_OS_FAULTS_H
#define MEMAPI_FUZZ_OS_FAULTS_H

#include <stdbool.h>
#include <stddef.h>

/* The calls behind the seam, in the table's order. */
typedef enum os_call {
    OS_MALLOC,
    OS_CALLOC,
    OS_REALLOC,
    OS_MEMALIGN, /* memalign on glibc, posix_memalign elsewhere */
    OS_MMAP,
    OS_MPROTECT,
    OS_MUNMAP,
    OS_MADVISE,
    OS_SYSCONF,
    OS_GETENTROPY,
    OS_STRERROR_R,
    OS_POSIX_MEMALIGN, /* c_alloc.c's (and default.c's off glibc) */
    OS_MUTEXATTR_INIT, /* locked.c's pthread calls */
    OS_MUTEXATTR_SETTYPE,
    OS_MUTEX_INIT,
    OS_MUTEX_LOCK,
    OS_MUTEX_UNLOCK,
    OS_FREE, /* counted, never failed (free cannot fail) */
    OS_CALL_COUNT
} os_call;

/* Points the seam at the counting stand-ins; os_faults_uninstall() points it back at the platform. */
void os_faults_install(void);
void os_faults_uninstall(void);
/* Zeroes the call counters and arms one fault: the nth call (from 1) of `c` from now fails with
 * `code`. OS_CALL_COUNT (or nth 0) arms nothing. */
void os_faults_arm(os_call c, unsigned nth, int code);
/* Zeroes the call counters and makes every call of `c` from now fail with `code` (until the next
 * os_faults_arm). strerror_r failing with ERANGE writes the text cut to the buffer first, as glibc
 * does; with any other code it writes nothing. A failing pthread_mutex_unlock leaves the mutex
 * locked, as the failure it stands for (EPERM: not the owner) would. */
void os_faults_arm_every(os_call c, int code);
/* Whether the armed fault has fired since os_faults_arm. */
bool os_faults_fired(void);
/* Calls of `c` since os_faults_arm (failed ones included), and the length argument of the last one
 * (the size for the heap calls, the length for mmap, mprotect, munmap, madvise, getentropy,
 * strerror_r's capacity). */
unsigned long os_faults_calls(os_call c);
size_t os_faults_last_len(os_call c);
/* Heap blocks allocated through the seam (malloc, calloc, realloc of NULL, memalign,
 * posix_memalign) and not yet freed through it: a realloc that moves a block keeps the count, a
 * resize done as allocate, copy, free must free the old block for the count to return. */
long os_faults_live_heap(void);
/* Mappings made through the seam and not yet unmapped through it. */
long os_faults_live_maps(void);
/* The failure codes POSIX (or Linux, for madvise) documents for `c`; `i` is taken modulo their number. */
int os_faults_code(os_call c, unsigned i);
/* The call's name, for traces and messages. */
const char *os_faults_name(os_call c);

#endif
