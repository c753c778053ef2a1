/*
 * Internal: what the files of the dispatch share (src/alloc.c, resize.c, alloc_temp.c, checked.c):
 * the checks every entry point starts with and the allocation without re-validation. Static
 * inline, so each file folds them into its entry points; Frama-C proves each once (a header
 * function printed once per including file is one proof, proofs/README.md).
 *
 * Under Frama-C every call of an allocator entry goes through the interface contract of its kind
 * (MEMAPI__ENTRY_* in memapi2/alloc.h, the contracts in memapi2/alloc_acsl.h); compiled, it is the
 * plain indirect call. The vtable is read by value (`memapi_alloc_vtable vt = *a.vt;`): a read of a
 * function pointer out of memory raises a `\valid_function` alarm that WP 25 cannot translate, a
 * read out of a local copy does not; compilers load only the fields used.
 */
#ifndef MEMAPI_INTERNAL_DISPATCH_H
#define MEMAPI_INTERNAL_DISPATCH_H

#include "memapi2/alloc.h"
#include "internal/error_set.h"
#include "internal/mem.h"
#include "internal/acsl.h"

/* The messages of MEMAPI_E_INVALID_POINTER (src/alloc.c). Arrays rather than literals: WP 25 knows
 * the contents of const arrays, not of literals. */
extern const char memapi__msg_null_pointer[13];
extern const char memapi__msg_misaligned[34];

/*@ assigns \nothing;
    behavior none:
      assumes a.vt == \null;
      ensures \result == 0;
    behavior some:
      assumes a.vt != \null;
      ensures \result == 1;
    complete behaviors;
    disjoint behaviors;
*/
static inline bool has_entry_table(memapi_allocator a)
{
    return a.vt != NULL;
}

/* A block pointer must be non-NULL and aligned to its layout before anything looks at it. */
/*@ requires memapi_valid_layout(layout);
    requires err == \null || \valid(err);
    assigns *err;
    behavior null:
      assumes ptr == \null;
      ensures \result == MEMAPI_ERROR;
      ensures memapi_invalid_pointer(err, ptr);
    behavior misaligned:
      assumes ptr != \null && memapi_misaligned(ptr, layout.align);
      ensures \result == MEMAPI_ERROR;
      ensures memapi_invalid_pointer(err, ptr);
    behavior ok:
      assumes ptr != \null && !memapi_misaligned(ptr, layout.align);
      assigns \nothing;
      ensures \result == MEMAPI_OK;
      ensures err != \null ==> *err == \old(*err);
    complete behaviors;
    disjoint behaviors;
*/
static inline memapi_status check_block(const void *ptr, memapi_layout layout, memapi_error *err)
{
    /*@ assert \forall integer j; 0 <= j < 12 ==> memapi__msg_null_pointer[j] != '\0'; */
    /*@ assert memapi__msg_null_pointer[12] == '\0'; */
    /*@ assert strlen((char *)memapi__msg_null_pointer) == 12; */
    /*@ assert \forall integer j; 0 <= j < 33 ==> memapi__msg_misaligned[j] != '\0'; */
    /*@ assert memapi__msg_misaligned[33] == '\0'; */
    /*@ assert strlen((char *)memapi__msg_misaligned) == 33; */
    if (ptr == NULL)
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, ptr, memapi__msg_null_pointer);
    if (((uintptr_t)ptr & (layout.align - 1)) != 0)
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, ptr, memapi__msg_misaligned);
    return MEMAPI_OK;
}

/*
 * Every entry point checks its layouts with the inline predicate memapi_layout_is_valid (the same
 * verdict as memapi_layout_check) and calls one of these, out of line and as a tail call, only for
 * a rejected layout: the hot paths then carry no call and none of the register saves it forces.
 */
/*@ requires !memapi_valid_layout(layout);
    requires err == \null || \valid(err);
    assigns *err;
    ensures \result == MEMAPI_ERROR;
    ensures err != \null ==> memapi_check_err(err, layout.size, layout.align);
*/
static __attribute__((noinline, cold, unused)) memapi_status layout_rejected(memapi_layout layout, memapi_error *err)
{
    return memapi_layout_check(layout.size, layout.align, err); /* MEMAPI_ERROR, *err filled */
}

/*@ requires err == \null || \valid(err);
    assigns *err;
    behavior valid:
      assumes memapi_valid_layout(layout);
      assigns \nothing;
      ensures \result == 1;
      ensures err != \null ==> *err == \old(*err);
    behavior invalid:
      assumes !memapi_valid_layout(layout);
      ensures \result == 0;
      ensures err != \null ==> memapi_check_err(err, layout.size, layout.align);
    complete behaviors;
    disjoint behaviors;
*/
static inline bool layout_ok(memapi_layout layout, memapi_error *err)
{
    if (MEMAPI_LIKELY(memapi_layout_is_valid(layout)))
        return true;
    (void)layout_rejected(layout, err);
    return false;
}

/* Allocation without re-validation, for paths whose layout was checked already. */
/*@ requires memapi_vt_ok(a, err);
    requires memapi_valid_layout(layout);
    requires err == \null || \valid(err);
    assigns memapi_proof_heap, *err, memapi_proof_next(memapi_proof_heap, layout)[0 .. layout.size - 1];
    behavior unsupported:
      assumes a.vt == \null || a.vt->alloc == \null;
      assigns *err;
      ensures \result == \null;
      ensures memapi_unsupported(err);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior supported:
      assumes a.vt != \null && a.vt->alloc != \null;
      MEMAPI_ACSL_ALLOC_OUTCOME(layout)
      ensures \result != \null && zero ==> memapi_zero_bytes((char *)\result, 0, layout.size);
    complete behaviors;
    disjoint behaviors;
*/
static inline void *do_alloc(memapi_allocator a, memapi_layout layout, bool zero, memapi_error *err)
{
    if (!has_entry_table(a)) {
        memapi__fail(err, MEMAPI_E_UNSUPPORTED);
        return NULL;
    }
    const memapi_alloc_vtable vt = *a.vt;
    if (vt.alloc == NULL) {
        memapi__fail(err, MEMAPI_E_UNSUPPORTED);
        return NULL;
    }
    if (zero && vt.zalloc != NULL)
        return MEMAPI__ENTRY_ZALLOC(vt.zalloc, a.self, layout, err);
    void *p = MEMAPI__ENTRY_ALLOC(vt.alloc, a.self, layout, err);
    if (zero && p != NULL)
        memapi__zero(p, layout.size);
    return p;
}

/* Freeing once the layout and the pointer have passed their checks: the entry, or UNSUPPORTED
 * without one (alloc.c's try_dealloc and the wrappers' forwarder, src/forward.c). */
/*@ requires memapi_vt_ok(a, err);
    requires memapi_valid_layout(layout);
    requires memapi_block_ok(ptr, layout.size, layout.size, err);
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. layout.size - 1];
    behavior unsupported:
      assumes a.vt == \null || a.vt->try_dealloc == \null;
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures memapi_unsupported(err);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior supported:
      assumes a.vt != \null && a.vt->try_dealloc != \null;
      MEMAPI_ACSL_TRY_DEALLOC_OUTCOME
    complete behaviors;
    disjoint behaviors;
*/
static inline memapi_status do_try_dealloc(memapi_allocator a, void *ptr, memapi_layout layout, memapi_error *err)
{
    if (!has_entry_table(a))
        return memapi__fail(err, MEMAPI_E_UNSUPPORTED);
    const memapi_alloc_vtable vt = *a.vt;
    if (vt.try_dealloc == NULL)
        return memapi__fail(err, MEMAPI_E_UNSUPPORTED);
    return MEMAPI__ENTRY_TRY_DEALLOC(vt.try_dealloc, a.self, ptr, layout, err);
}

#endif
