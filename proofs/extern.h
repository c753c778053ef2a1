/*
 * Extern contracts: the trusted base of the proof (proofs/README.md). Included only by Frama-C
 * (through src/internal/acsl.h under __FRAMAC__); compilers never see this file.
 *
 * These functions are not verified: memapi__os_strerror wraps libc's strerror_r, and the
 * memapi_proof_entry_* functions stand for the vtable entries of an allocator the dispatch does not
 * know. Their contracts are assumed and their behaviour is covered by the unit tests, the
 * conformance suite and the fuzz harness instead. (memapi_fatal's contract is on its declaration in
 * memapi2/error.h: it is trusted as well, see proofs/trusted.tsv.)
 */
#ifndef MEMAPI_PROOFS_EXTERN_H
#define MEMAPI_PROOFS_EXTERN_H

#include "memapi2/error.h"
#include "internal/error_set.h"


#if MEMAPI_OS_ERR_REPORTING
/* strerror_r into buf: a NUL-terminated text of length \result < cap inside buf[0 .. cap-1]. */
/*@ requires cap == 0 || \valid(buf + (0 .. cap - 1));
    assigns buf[0 .. cap - 1], \result \from code, cap;
    ensures cap == 0 ==> \result == 0;
    ensures cap > 0 ==> \result < cap && strlen(buf) == \result && valid_read_string(buf);
*/
size_t memapi__os_strerror(int code, char *buf, size_t cap);
#endif

/*
 * GCC's count of trailing zero bits, as GCC documents it: undefined for 0, otherwise the index of
 * the lowest set bit, so a power of two 2^k gives k. The bump arena's vtable thunk rewrites a
 * layout's alignment as 1 << ctz(align) (src/bump.c, vt_alloc).
 */
/*@ requires x != 0;
    assigns \result \from x;
    ensures 0 <= \result < 8 * sizeof(unsigned long);
    ensures (1 << \result) <= x;
    ensures (x & (x - 1)) == 0 ==> (1 << \result) == x;
*/
int __builtin_ctzl(unsigned long x);

/*
 * The allocator entries the dispatch calls are modelled by the interface contract of each entry
 * kind (memapi_proof_entry_*), which is installed with the headers in include/memapi2/alloc_acsl.h
 * so that programs calling the dispatch can be proved too; it is trusted as well (trusted.tsv).
 */

#endif
