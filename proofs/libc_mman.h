/*
 * The memory-mapping calls of the guard allocator (src/guard.c), as WP sees them: POSIX's
 * mprotect (Frama-C's libc declares it without a contract) and Linux's madvise (absent from
 * Frama-C's libc). Included by src/guard.c under __FRAMAC__ only; compilers never see it.
 *
 * Trusted (proofs/trusted.tsv): the contracts say no more than POSIX (mprotect) and the Linux man
 * page (madvise) promise: 0, or -1 with errno set to an error number; C memory is not written.
 * What the calls do to page protection is not modelled (a protection change makes accesses fault;
 * WP proves the absence of C errors, and the guard's pages are reached only as integers by the
 * parts proved so far). Any address is accepted: both calls report an address range that is not
 * mapped, or not aligned, as an error (ENOMEM, EINVAL), never as undefined behaviour.
 */
#ifndef MEMAPI_PROOFS_LIBC_MMAN_H
#define MEMAPI_PROOFS_LIBC_MMAN_H

#include <errno.h>
#include <stddef.h>
#include <sys/mman.h>

/* POSIX mprotect: 0, or -1 with errno set (EACCES, EINVAL, ENOMEM, ...). */
/*@ assigns __fc_errno \from addr, len, prot;
    assigns \result \from addr, len, prot;
    ensures \result == 0 || (\result == -1 && __fc_errno > 0);
*/
extern int mprotect(void *addr, size_t len, int prot);

/* Linux madvise: 0, or -1 with errno set (EINVAL for an advice the kernel does not know, ENOMEM
 * for an unmapped range, ...). */
/*@ assigns __fc_errno \from addr, len, advice;
    assigns \result \from addr, len, advice;
    ensures \result == 0 || (\result == -1 && __fc_errno > 0);
*/
extern int madvise(void *addr, size_t len, int advice);

#endif
