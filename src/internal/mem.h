/*
 * Internal: byte copy and zeroing. The hosted build uses the libc routines (fast, fortified); the
 * freestanding core must not reference libc, so it uses plain loops, which the freestanding flags
 * stop the compiler from turning back into memset/memcpy calls.
 */
#ifndef MEMAPI_INTERNAL_MEM_H
#define MEMAPI_INTERNAL_MEM_H

#include <stddef.h>
#include "memapi2/config.h"
#include "internal/acsl.h" /* ACSL only: memapi_zero_bytes */

/*
 * For a local buffer that is fully written before it is read: exempts it from
 * -ftrivial-auto-var-init, which would otherwise fill large arrays with a memset call (clang's
 * pattern init always, gcc's zero init at -Os on 32-bit ARM), a libc reference the freestanding
 * core must not have.
 */
#if defined(__has_attribute)
#if __has_attribute(uninitialized)
#define MEMAPI__NO_AUTO_INIT __attribute__((uninitialized))
#endif
#endif
#ifndef MEMAPI__NO_AUTO_INIT
#define MEMAPI__NO_AUTO_INIT
#endif

/*
 * The contracts, once for both forms: the freestanding build's loops and the hosted build's
 * memset/memcpy calls. `make prove` proves the loops in its default configurations and the calls in
 * its configuration `hosted` (MEMAPI_PROOF_HOSTED_MEM), against Frama-C's own contracts of memset
 * and memcpy (what C11 7.24 says of them); the callers are proved against the contracts.
 */
#define MEMAPI__ACSL_ZERO \
    requires \valid((char *)dst + (0 .. n - 1)); \
    assigns ((char *)dst)[0 .. n - 1]; \
    ensures memapi_zero_bytes((char *)dst, 0, n);
#define MEMAPI__ACSL_ZERO_RANGE \
    requires from <= to && \valid((char *)dst + (from .. to - 1)); \
    assigns ((char *)dst)[from .. to - 1]; \
    ensures memapi_zero_bytes((char *)dst, from, to);
#define MEMAPI__ACSL_COPY \
    requires \valid((char *)dst + (0 .. n - 1)); \
    requires \valid_read((char *)src + (0 .. n - 1)); \
    requires \separated((char *)dst + (0 .. n - 1), (char *)src + (0 .. n - 1)); \
    assigns ((char *)dst)[0 .. n - 1] \from ((char *)src)[0 .. n - 1]; \
    ensures \forall integer i; 0 <= i < n ==> ((char *)dst)[i] == ((char *)src)[i];

#if MEMAPI_FREESTANDING || (defined(__FRAMAC__) && !defined(MEMAPI_PROOF_HOSTED_MEM))
/*@ MEMAPI__ACSL_ZERO */
static inline void memapi__zero(void *dst, size_t n)
{
    char *d = (char *)dst;
    /*@ loop invariant 0 <= i <= n;
        loop invariant memapi_zero_bytes(d, 0, i);
        loop assigns i, d[0 .. n - 1];
        loop variant n - i;
    */
    for (size_t i = 0; i < n; i++)
        d[i] = 0;
}

/*@ MEMAPI__ACSL_COPY */
static inline void memapi__copy(void *dst, const void *src, size_t n)
{
    char *d = (char *)dst;
    const char *s = (const char *)src;
    /*@ loop invariant 0 <= i <= n;
        loop invariant \forall integer j; 0 <= j < i ==> d[j] == s[j];
        loop assigns i, d[0 .. n - 1];
        loop variant n - i;
    */
    for (size_t i = 0; i < n; i++)
        d[i] = s[i];
}
#else
/*
 * A count of 0 calls nothing: the contracts allow any pointer then (an empty range is valid), and
 * memset/memcpy do not (C11 7.24.1p2: their pointers must be valid even for a length of 0), which
 * matters where the pointer is a layout's dangling pointer (a size-0 block: the default resize to
 * or from size 0, a scoped size-0 block zeroed). Found by the Eva stage (proofs/README.md, "Eva").
 */
#include <string.h>
/*@ MEMAPI__ACSL_ZERO */
static inline void memapi__zero(void *dst, size_t n)
{
    if (n != 0)
        memset(dst, 0, n);
}

/*@ MEMAPI__ACSL_COPY */
static inline void memapi__copy(void *dst, const void *src, size_t n)
{
    if (n != 0)
        memcpy(dst, src, n);
}
#endif

/*
 * Zeroes dst[from .. to - 1]: a block's tail, stated over the block's own indices. A loop in both
 * builds: hosted compilers turn it into a memset call for a nonempty range (GCC's and Clang's loop
 * idiom recognition), and the proof needs no step from memset's indices to the block's.
 */
/*@ MEMAPI__ACSL_ZERO_RANGE */
static inline void memapi__zero_range(void *dst, size_t from, size_t to)
{
    char *d = (char *)dst;
    /*@ loop invariant from <= i <= to;
        loop invariant memapi_zero_bytes(d, from, i);
        loop assigns i, d[from .. to - 1];
        loop variant to - i;
    */
    for (size_t i = from; i < to; i++)
        d[i] = 0;
}

#endif
