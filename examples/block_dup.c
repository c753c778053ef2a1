/*
 * Duplicating and extending a block through any allocator, proved with Frama-C WP against the
 * contracts of memapi_alloc and memapi_grow in the installed headers (memapi2/alloc_acsl.h):
 * `make prove` proves the functions below with only include/ on the path (proofs/README.md,
 * "Proving your code against memapi2"). The allocator is any value of the interface: the proof
 * knows of it only the interface contract, over the abstract heap `memapi_proof_heap`.
 */
#include <stdio.h>
#include <string.h>
#include "memapi2.h"

/**
 * A copy of the `l.size` bytes at `src` (a live block of at least that size) in a new block of
 * layout `l` from `a`, or NULL with `*err` saying why (the heap unchanged).
 */
/*@ requires memapi_vt_ok(a, err);
    requires err == \null || \valid(err);
    requires memapi_valid_layout(l);
    requires memapi_owned(memapi_proof_heap, (char *)src, l.size) && \valid_read(src + (0 .. l.size - 1));
    assigns memapi_proof_heap, *err, memapi_proof_next(memapi_proof_heap, l)[0 .. l.size - 1];
    ensures \result == \null ==> memapi_proof_heap == \old(memapi_proof_heap);
    ensures \result != \null ==> memapi_owned(memapi_proof_heap, (char *)\result, l.size) &&
                                \valid(\result + (0 .. l.size - 1)) &&
                                \separated(\result + (0 .. l.size - 1), src + (0 .. l.size - 1));
    ensures \result != \null ==> \forall integer i; 0 <= i < l.size ==> \result[i] == src[i];
*/
static char *block_dup(memapi_allocator a, const char *src, memapi_layout l, memapi_error *err)
{
    char *p = memapi_alloc(a, l, err);
    if (p == NULL)
        return NULL;
    /*@ loop invariant 0 <= i <= l.size;
        loop invariant \forall integer j; 0 <= j < i ==> p[j] == src[j];
        loop assigns i, p[0 .. l.size - 1];
        loop variant l.size - i;
    */
    for (size_t i = 0; i < l.size; i++)
        p[i] = src[i];
    return p;
}

/**
 * Grows the block `p` of layout `old` to `new` and writes `fill` into the new bytes. On failure,
 * NULL and the block is as it was, still the caller's.
 */
/*@ requires memapi_vt_ok(a, err);
    requires err == \null || \valid(err);
    requires memapi_valid_layout(old) && memapi_valid_layout(new);
    requires new.align == old.align && old.size < new.size;
    requires p != \null && !memapi_misaligned(p, old.align);
    requires memapi_block_ok(p, old.size, new.size, err);
    assigns memapi_proof_heap, *err, p[0 .. new.size - 1],
            memapi_proof_next(memapi_proof_heap, new)[0 .. new.size - 1];
    ensures \result == \null ==> memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap);
    ensures \result == \null && (err == \null || \separated(err, p + (0 .. old.size - 1))) ==>
            \forall integer i; 0 <= i < old.size ==> p[i] == \old(p[i]);
    ensures \result != \null ==> memapi_owned(memapi_proof_heap, (char *)\result, new.size);
    ensures \result != \null ==> \forall integer i; old.size <= i < new.size ==> \result[i] == fill;
*/
static char *block_extend(memapi_allocator a, char *p, memapi_layout old, memapi_layout new,
                                   char fill, memapi_error *err)
{
    char *q = memapi_grow(a, p, old, new, err);
    if (q == NULL)
        return NULL;
    /*@ loop invariant old.size <= i <= new.size;
        loop invariant \forall integer j; old.size <= j < i ==> q[j] == fill;
        loop assigns i, q[old.size .. new.size - 1];
        loop variant new.size - i;
    */
    for (size_t i = old.size; i < new.size; i++)
        q[i] = fill;
    return q;
}

#ifndef __FRAMAC__
int main(void)
{
    memapi_allocator a = memapi_default();
    memapi_error err;
    const memapi_layout four = {.size = 4, .align = 1}, eight = {.size = 8, .align = 1};
    char *src = memapi_alloc(a, four, &err);
    if (src == NULL)
        return 1;
    memcpy(src, "abcd", 4);
    char *copy = block_dup(a, src, four, &err);
    if (copy == NULL)
        return 1;
    char *longer = block_extend(a, copy, four, eight, '!', &err);
    if (longer == NULL)
        return 1;
    if (memcmp(longer, "abcd!!!!", 8) != 0)
        return 1;
    printf("%.4s duplicated and extended: %.8s\n", src, longer);
    memapi_dealloc(a, longer, eight);
    memapi_dealloc(a, src, four);
    return 0;
}
#endif
