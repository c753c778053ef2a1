/*
 * Extern contracts: the trusted base of the proof (proofs/README.md). Included only by Frama-C
 * (through src/internal/acsl.h under __FRAMAC__); compilers never see this file.
 *
 * These functions are not verified: the C library's strerror_r (the rest of the C library comes with
 * Frama-C's own contracts: fputs, fflush, abort, strlen), the fatal-error hook memapi_fatal calls
 * through a pointer, and GCC's __builtin_ctzl; the memapi_proof_entry_* functions (installed, in
 * memapi2/alloc_acsl.h) stand for the vtable entries of an allocator the dispatch does not know.
 * Their contracts are assumed (proofs/trusted.tsv) and their behaviour is covered by the unit
 * tests, the conformance suite and the fuzz harness instead.
 */
#ifndef MEMAPI_PROOFS_EXTERN_H
#define MEMAPI_PROOFS_EXTERN_H

#include <stdio.h>
#include <string.h>
#include "memapi2/error.h"
#include "internal/error_set.h"

/*
 * The fatal-error hook memapi_fatal calls through a pointer (src/fatal.c): this model stands for
 * whatever function the pointer holds, the default hook or the user's, and it is trusted twice.
 * (1) A hook is called with a NUL-terminated message (a string literal, or dealloc_message's
 * buffer) while stderr is the C library's predefined stream (C11 7.21.3p7): WP can show neither
 * of a string literal or of the C library's state, so the default hook is proved assuming both.
 * (2) What a hook writes is not stated: no caller of memapi_fatal can observe it, because
 * memapi_fatal never returns (if a hook returns, abort() follows); the default hook's own
 * contract states what it writes (the standard streams).
 */
/*@ requires msg != \null && \valid_read(msg);
    assigns \nothing;
*/
void memapi_proof_fatal_hook(memapi_fatal_hook hook, const char *msg);

#if MEMAPI_FREESTANDING
/*
 * GCC's __builtin_trap (the freestanding fatal path, src/fatal.c), which Frama-C 25 does not
 * declare: GCC documents that it "causes the program to exit abnormally" and does not return.
 */
/*@ assigns \nothing;
    ensures \false;
*/
void __builtin_trap(void);
#endif

/*
 * POSIX strerror_r (the XSI variant, which os_error.c requests): writes the text of errnum into
 * strerrbuf[0 .. buflen - 1] and returns 0, or an error number (EINVAL, ERANGE). Nothing is
 * assumed of what it writes: os_error.c terminates the text itself.
 */
/*@ requires buflen > 0 && \valid(strerrbuf + (0 .. buflen - 1));
    assigns strerrbuf[0 .. buflen - 1] \from errnum, buflen;
    assigns \result \from errnum, buflen;
*/
int strerror_r(int errnum, char *strerrbuf, size_t buflen);

/*
 * GCC's count of trailing zero bits, as GCC documents it: undefined for 0, otherwise the index of
 * the lowest set bit, so a power of two 2^k gives k. The bump arena's vtable thunk rewrites a
 * layout's alignment as 1 << ctz(align) (src/bump.c, vt_alloc).
 */
/*@ requires x != 0;
    assigns \result \from x;
    ensures 0 <= \result < 8 * sizeof(unsigned long);
    ensures (1 << \result) <= x;
    ensures memapi_pow2(x) ==> (1 << \result) == x;
*/
int __builtin_ctzl(unsigned long x);

/*
 * The allocator entries the dispatch calls are modelled by the interface contract of each entry
 * kind (memapi_proof_entry_*), which is installed with the headers in include/memapi2/alloc_acsl.h
 * so that programs calling the dispatch can be proved too; it is trusted as well (trusted.tsv).
 */

/* The POSIX mutex calls of the locked wrapper, with the ghost notion of a held mutex. */
#include "libc_thread.h"

#endif
