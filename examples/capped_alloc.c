/*
 * Your own allocator, proved: an allocator that refuses blocks above a size limit and takes the
 * others from any allocator underneath. `make prove` proves its two entries with only include/ on
 * the path against the interface contract of the entry kinds (memapi2/alloc_acsl.h:
 * memapi_proof_entry_alloc, memapi_proof_entry_try_dealloc), which is what the dispatch's proof
 * assumes of every allocator it calls (README.md, "Proving your own allocator"). Each entry's
 * contract below is that interface contract, word for word, on the entry's own arguments, plus one
 * precondition on `self` (the allocator's state is what its constructor made it): together with
 * the dispatch's proof, every memapi_alloc / memapi_try_dealloc / memapi_dealloc on this allocator
 * has the dispatch's proved contract.
 */
#include <stdio.h>
#include <string.h>
#include "memapi2.h"

/** The allocator's state: the allocator the blocks come from, and the largest size it hands out. */
typedef struct capped {
    memapi_allocator inner;
    size_t limit;
} capped;

/*@
  // The state the constructor makes, kept by every entry (they only read it): readable, its inner
  // allocator one the dispatch can call, apart from the caller's error record, and one that can
  // allocate and free (the vtable below offers both entries).
  predicate capped_ok(capped *s, memapi_error *err) =
    \valid_read(s) && memapi_vt_ok(s->inner, err) && (err == \null || \separated(err, s)) &&
    s->inner.vt != \null && s->inner.vt->alloc != \null && s->inner.vt->try_dealloc != \null;
*/

/**
 * The alloc entry: a layout above the limit fails with ALLOC_FAILED(layout, out of memory) and
 * nothing allocated; any other is the inner allocator's memapi_alloc.
 */
/*@ requires capped_ok((capped *)self, err);
    // memapi_proof_entry_alloc's contract:
    requires memapi_valid_layout(layout);
    requires err == \null || \valid(err);
    assigns memapi_proof_heap, *err, memapi_proof_next(memapi_proof_heap, layout)[0 .. layout.size - 1];
    MEMAPI_ACSL_ALLOC_OUTCOME(layout)
    // and what this allocator adds:
    ensures layout.size > ((capped *)self)->limit ==> \result == \null;
*/
static void *capped_alloc(void *self, memapi_layout layout, memapi_error *err)
{
    const capped *cap = self;
    if (layout.size > cap->limit) {
        if (err != NULL)
            *err = (memapi_error){.kind = MEMAPI_E_ALLOC_FAILED,
                                  .layout = layout,
                                  .cause = {.kind = MEMAPI_CAUSE_OUT_OF_MEMORY}};
        return NULL;
    }
    return memapi_alloc(cap->inner, layout, err);
}

/**
 * The try_dealloc entry: the inner allocator's. The dispatch checks the pointer (non-NULL and
 * aligned) before it calls an entry, which the contract states as a precondition.
 */
/*@ requires capped_ok((capped *)self, err);
    requires memapi_ptr_ok(ptr, layout);
    // memapi_proof_entry_try_dealloc's contract:
    MEMAPI_ACSL_TRY_DEALLOC_PRE(layout)
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. layout.size - 1];
    MEMAPI_ACSL_TRY_DEALLOC_OUTCOME
*/
static memapi_status capped_try_dealloc(void *self, void *ptr, memapi_layout layout, memapi_error *err)
{
    const capped *cap = self;
    return memapi_try_dealloc(cap->inner, ptr, layout, err);
}

#ifndef __FRAMAC__
static const memapi_alloc_vtable capped_vtable = {
    .name = "capped",
    .caps = MEMAPI_CAP_DEALLOC,
    .alloc = capped_alloc,
    .try_dealloc = capped_try_dealloc,
};

int main(void)
{
    capped state = {.inner = memapi_default(), .limit = 64};
    memapi_allocator a = {&capped_vtable, &state};
    memapi_error err;
    const memapi_layout small = {.size = 48, .align = 16}, large = {.size = 65, .align = 1};

    char *p = memapi_alloc(a, small, &err);
    if (p == NULL)
        return 1;
    memset(p, 'x', small.size);
    if (memapi_alloc(a, large, &err) != NULL || err.kind != MEMAPI_E_ALLOC_FAILED || err.layout.size != 65 ||
        err.cause.kind != MEMAPI_CAUSE_OUT_OF_MEMORY)
        return 1;
    char text[128];
    memapi_error_format(&err, text, sizeof text);
    /* The default resize (allocate, copy, free) works through the two entries. */
    char *q = memapi_grow(a, p, small, (memapi_layout){.size = 64, .align = 16}, &err);
    if (q == NULL || q[47] != 'x')
        return 1;
    if (memapi_grow(a, q, (memapi_layout){.size = 64, .align = 16}, large, &err) != NULL)
        return 1; /* refused by the cap: q is still the caller's */
    memapi_dealloc(a, q, (memapi_layout){.size = 64, .align = 16});
    printf("64-byte cap: 48 and 64 bytes served, 65 refused (%s)\n", text);
    return 0;
}
#endif
