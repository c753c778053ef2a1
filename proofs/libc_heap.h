/*
 * The C heap's trusted base (proofs/README.md, "The C heap"): what POSIX and glibc promise of
 * malloc, calloc, realloc, free, posix_memalign and glibc's memalign, stated over the abstract heap
 * of the allocator interface (memapi_proof_heap, memapi_live, memapi_proof_next of
 * memapi2/acsl.h), and the two steps of that abstract heap that no C call makes. Read by Frama-C
 * only: src/internal/os.h includes it under __FRAMAC__, where MEMAPI_OS(name) is the model of
 * `name` below; compilers never see this file, and the compiled calls stay the direct calls.
 *
 * Each model takes, as Frama-C ghost arguments (written at the call as a comment,
 * `/@ ghost (l, err) @/`), the layout the caller allocates for and the error record the block must
 * not overlap. The block a call returns is then named as the allocator interface names it,
 * memapi_proof_next(h, l) of the state before the call. These are the only properties assumed of
 * the C library's heap; every one is what POSIX (XSH malloc, calloc, realloc, free,
 * posix_memalign) or glibc (memalign; malloc's 16-byte alignment on x86_64) promises:
 *
 * - a fresh block is valid for the bytes asked, disjoint from every block live before (which stay
 *   live) and from every other object (here: the error record), and aligned to MEMAPI_MIN_ALIGN
 *   (malloc, calloc, realloc: glibc's MALLOC_ALIGNMENT, 16 on x86_64) or to the alignment asked;
 * - a failure returns NULL (or an error number) with the heap as it was, and, for the functions
 *   that report through errno, errno set to an error number;
 * - realloc keeps the first min(old, new) bytes and frees the old block when it moves it; when it
 *   fails the old block is untouched;
 * - free makes the block no longer live and keeps every other;
 * - errno may be changed by any of them, also on success (C11 7.5p3).
 *
 * The models say less than POSIX where the code tests for more: posix_memalign may report success
 * with a NULL block (POSIX allows it for size 0 only; c_alloc.c tests for it).
 */
#ifndef MEMAPI_PROOFS_LIBC_HEAP_H
#define MEMAPI_PROOFS_LIBC_HEAP_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include "memapi2/alloc.h"
#include "memapi2/default.h"

/* glibc's malloc alignment on x86_64 (MALLOC_ALIGNMENT: 2 * sizeof(size_t), and the alignment of
   max_align_t): the platform fact the models state. MEMAPI_MIN_ALIGN is 16 under Frama-C
   (memapi2/default.h), which has no _Alignof. */
#define MEMAPI_PROOF_MIN_ALIGN MEMAPI_MIN_ALIGN
_Static_assert(MEMAPI_PROOF_MIN_ALIGN == 16, "x86_64 glibc: malloc aligns to 16 bytes");

/*@
  // p is aligned to the power of two a: to every power of two up to a, each in the mask form of
  // the dispatch's test (memapi_aligned, memapi2/alloc_acsl.h). What a block aligned to a is, not
  // more: a power of two no larger than a divides it.
  predicate memapi_proof_aligned(void *p, integer a) =
    \forall integer b; memapi_pow2(b) && b <= a ==> memapi_aligned(p, b);
*/

/* malloc(n) for the layout l (n == l.size): NULL with errno set and the heap unchanged, or the
   state's next block for l, fresh, aligned to MEMAPI_MIN_ALIGN. */
/*@ requires n == l.size;
    requires err == \null || \valid(err);
    assigns memapi_proof_heap \from memapi_proof_heap, n;
    assigns __fc_errno \from memapi_proof_heap, n;
    assigns \result \from memapi_proof_heap, n;
    ensures \result == \null ==> memapi_proof_heap == \old(memapi_proof_heap) && __fc_errno > 0;
    ensures \result != \null ==>
            memapi_new_block(\old(memapi_proof_heap), memapi_proof_heap, (char *)\result, l, err);
    ensures \result != \null ==> memapi_proof_aligned(\result, MEMAPI_PROOF_MIN_ALIGN);
*/
void *memapi_proof_malloc(size_t n) /*@ ghost (memapi_layout l, memapi_error *err) */;

/* calloc(nmemb, size) for the layout l (nmemb * size == l.size): as malloc, the bytes zero. */
/*@ requires nmemb * size == l.size;
    requires err == \null || \valid(err);
    assigns memapi_proof_heap \from memapi_proof_heap, nmemb, size;
    assigns __fc_errno \from memapi_proof_heap, nmemb, size;
    assigns memapi_proof_next(memapi_proof_heap, l)[0 .. l.size - 1] \from \nothing;
    assigns \result \from memapi_proof_heap, nmemb, size;
    ensures \result == \null ==> memapi_proof_heap == \old(memapi_proof_heap) && __fc_errno > 0;
    ensures \result != \null ==>
            memapi_new_block(\old(memapi_proof_heap), memapi_proof_heap, (char *)\result, l, err);
    ensures \result != \null ==> memapi_zero_bytes((char *)\result, 0, l.size);
    ensures \result != \null ==> memapi_proof_aligned(\result, MEMAPI_PROOF_MIN_ALIGN);
*/
void *memapi_proof_calloc(size_t nmemb, size_t size) /*@ ghost (memapi_layout l, memapi_error *err) */;

/* realloc(p, n) of a live block p of layout ol to the layout nl (n == nl.size, both nonzero): NULL
   with errno set, the heap and the old block untouched; or p itself or the state's next block for
   nl, holding the first min(ol.size, nl.size) bytes, the old block freed when it moved (POSIX
   realloc; memapi_resized), aligned to MEMAPI_MIN_ALIGN. */
/*@ requires 0 < ol.size && n == nl.size && 0 < nl.size;
    requires memapi_owned(memapi_proof_heap, (char *)p, ol.size) && \valid((char *)p + (0 .. ol.size - 1));
    assigns memapi_proof_heap \from memapi_proof_heap, p, n;
    assigns __fc_errno \from memapi_proof_heap, p, n;
    assigns ((char *)p)[0 .. \max(ol.size, nl.size) - 1] \from ((char *)p)[0 .. ol.size - 1];
    assigns memapi_proof_next(memapi_proof_heap, nl)[0 .. nl.size - 1] \from ((char *)p)[0 .. ol.size - 1];
    assigns \result \from memapi_proof_heap, p, n;
    ensures \result == \null ==> memapi_proof_heap == \old(memapi_proof_heap) && __fc_errno > 0 &&
            memapi_same_bytes{Old, Here}((char *)p, ol.size);
    ensures \result != \null ==> memapi_resized{Old, Here}(\old(memapi_proof_heap), memapi_proof_heap,
                                                         (char *)p, ol, (char *)\result, nl, 0);
    ensures \result != \null ==> memapi_proof_aligned(\result, MEMAPI_PROOF_MIN_ALIGN);
*/
void *memapi_proof_realloc(void *p, size_t n) /*@ ghost (memapi_layout ol, memapi_layout nl) */;

/* free(p) of NULL (nothing) or of a live block p, owned for its first n > 0 bytes: the block is no
   longer live, every other live block stays live. */
/*@ requires p == \null || (0 < n && memapi_owned(memapi_proof_heap, (char *)p, n));
    assigns memapi_proof_heap \from memapi_proof_heap, p;
    ensures p == \null ==> memapi_proof_heap == \old(memapi_proof_heap);
    ensures p != \null ==> memapi_freed(\old(memapi_proof_heap), memapi_proof_heap, (char *)p, n);
*/
void memapi_proof_free(void *p) /*@ ghost (size_t n) */;

/* posix_memalign(memptr, align, size) for the layout l (size == l.size): 0 and *memptr the state's
   next block for l, aligned to align; or an error number (EINVAL, ENOMEM), the heap unchanged and
   *memptr untouched or NULL; success with a NULL block is allowed (POSIX: size 0). */
/*@ requires \valid(memptr) && size == l.size;
    requires err == \null || (\valid(err) && \separated(err, memptr));
    assigns memapi_proof_heap \from memapi_proof_heap, align, size;
    assigns __fc_errno \from memapi_proof_heap, align, size;
    assigns *memptr \from memapi_proof_heap, align, size;
    assigns \result \from memapi_proof_heap, align, size;
    ensures \result >= 0;
    ensures \result != 0 ==> memapi_proof_heap == \old(memapi_proof_heap) &&
                             (*memptr == \old(*memptr) || *memptr == \null);
    ensures \result == 0 && *memptr == \null ==> memapi_proof_heap == \old(memapi_proof_heap);
    ensures \result == 0 && *memptr != \null ==>
            memapi_new_block(\old(memapi_proof_heap), memapi_proof_heap, (char *)*memptr, l, err) &&
            memapi_proof_aligned(*memptr, align);
*/
int memapi_proof_posix_memalign(void **memptr, size_t align, size_t size)
    /*@ ghost (memapi_layout l, memapi_error *err) */;

/* glibc's memalign(align, size) for the layout l (size == l.size, align a power of two): NULL with
   errno set and the heap unchanged, or the state's next block for l, aligned to align. */
/*@ requires size == l.size && memapi_pow2(align);
    requires err == \null || \valid(err);
    assigns memapi_proof_heap \from memapi_proof_heap, align, size;
    assigns __fc_errno \from memapi_proof_heap, align, size;
    assigns \result \from memapi_proof_heap, align, size;
    ensures \result == \null ==> memapi_proof_heap == \old(memapi_proof_heap) && __fc_errno > 0;
    ensures \result != \null ==>
            memapi_new_block(\old(memapi_proof_heap), memapi_proof_heap, (char *)\result, l, err) &&
            memapi_proof_aligned(\result, align);
*/
void *memapi_proof_memalign(size_t align, size_t size) /*@ ghost (memapi_layout l, memapi_error *err) */;

/*
 * Two steps of the abstract heap that no C call makes. They are functions of this file, called only
 * under __FRAMAC__ (`#ifdef __FRAMAC__` in the code: a compiler never sees the call), not ghost
 * functions, so that the gate lists them with the trusted base (proofs/trusted.tsv).
 *
 * - memapi_proof_heap_size0(l): the heap allocators' block of a size-0 layout is its dangling
 *   pointer (docs/design.md D3) and nothing is allocated: in the abstract heap, the state's next
 *   block for l is that pointer, owned for its 0 bytes (which frees and overlaps nothing).
 * - memapi_proof_heap_keep(p, ol, nl): a heap block owned for its first ol.size bytes is owned for
 *   its first nl.size <= ol.size bytes, nothing else changed. free() takes no size (POSIX), so the
 *   block stays the same heap block: what c_alloc's in-place shrink relies on.
 */
/*@ requires memapi_valid_layout(l) && l.size == 0;
    assigns memapi_proof_heap \from memapi_proof_heap;
    ensures memapi_new_block(\old(memapi_proof_heap), memapi_proof_heap, (char *)(uintptr_t)l.align, l, \null);
*/
void memapi_proof_heap_size0(memapi_layout l);

/*@ requires 0 < nl.size <= ol.size;
    requires memapi_owned(memapi_proof_heap, p, ol.size) && \valid(p + (0 .. ol.size - 1));
    assigns memapi_proof_heap \from memapi_proof_heap;
    ensures memapi_resized{Old, Here}(\old(memapi_proof_heap), memapi_proof_heap, p, ol, p, nl, 0);
*/
void memapi_proof_heap_keep(char *p, memapi_layout ol, memapi_layout nl);

#endif
