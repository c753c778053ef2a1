/*
 * Extern contracts: the trusted base of the proof (proofs/README.md). Included only by Frama-C
 * (through src/internal/acsl.h under __FRAMAC__); compilers never see this file.
 *
 * These functions are not verified: memapi_fatal calls a user-installed hook through a function
 * pointer and then abort()s, and memapi__os_strerror wraps libc's strerror_r. Their contracts are
 * assumed and their behaviour is covered by the unit and death tests instead.
 */
#ifndef MEMAPI_PROOFS_EXTERN_H
#define MEMAPI_PROOFS_EXTERN_H

#include "memapi2/error.h"
#include "internal/error_set.h"

/* Never returns: the hook reports `msg`, then the library aborts (fatal.c). */
/*@ requires msg != \null && \valid_read(msg);
    assigns \nothing;
    ensures \false;
*/
void memapi_fatal(const char *msg);

#if MEMAPI_OS_ERR_REPORTING
/* strerror_r into buf: a NUL-terminated text of length \result < cap inside buf[0 .. cap-1]. */
/*@ requires cap == 0 || \valid(buf + (0 .. cap - 1));
    assigns buf[0 .. cap - 1], \result \from code, cap;
    ensures cap == 0 ==> \result == 0;
    ensures cap > 0 ==> \result < cap && strlen(buf) == \result && valid_read_string(buf);
*/
size_t memapi__os_strerror(int code, char *buf, size_t cap);
#endif

#endif
