/*
 * The wrappers' forwarding functions (internal/forward.h): the inner allocator's entry, called with
 * arguments the dispatch has already validated, through the interface contract of its kind
 * (MEMAPI__ENTRY_*), so that each forwarder is proved against the same contracts as the dispatch.
 * Each contract is the dispatch's (alloc_acsl.h) restricted to the arguments an entry of that kind
 * receives: the behaviors of rejected arguments are gone, the others are the dispatch function's.
 */
#include "internal/dispatch.h"
#include "internal/forward.h"

/* memapi_alloc / memapi_zalloc on a valid layout (`zero_also`: MEMAPI_ACSL_ZEROED for zalloc). */
#define FWD_ACSL_ALLOC(zero_also) \
    requires \valid_read(in) && memapi_vt_ok(*in, err) && (err == \null || \separated(err, in)); \
    requires memapi_valid_layout(layout); \
    requires err == \null || \valid(err); \
    assigns memapi_proof_heap, *err, memapi_proof_next(memapi_proof_heap, layout)[0 .. layout.size - 1]; \
    behavior unsupported: \
      assumes in->vt == \null || in->vt->alloc == \null; \
      ensures memapi_proof_heap == \old(memapi_proof_heap); \
      ensures \result == \null; \
      ensures memapi_unsupported(err); \
    behavior supported: \
      assumes in->vt != \null && in->vt->alloc != \null; \
      MEMAPI_ACSL_ALLOC_OUTCOME(layout) \
      zero_also \
    complete behaviors; \
    disjoint behaviors;

/*@ FWD_ACSL_ALLOC() */
void *memapi__fwd_alloc(const memapi_allocator *in, memapi_layout layout, memapi_error *err)
{
    const memapi_allocator a = *in;
    return do_alloc(a, layout, false, err);
}

/*@ FWD_ACSL_ALLOC(MEMAPI_ACSL_ZEROED) */
void *memapi__fwd_zalloc(const memapi_allocator *in, memapi_layout layout, memapi_error *err)
{
    const memapi_allocator a = *in;
    return do_alloc(a, layout, true, err);
}

/* memapi_try_dealloc on a valid layout: the pointer checks are kept (the try_dealloc entry's
 * contract does not promise them), the layout's is not. */
/*@ requires \valid_read(in) && memapi_vt_ok(*in, err) && (err == \null || \separated(err, in));
    requires memapi_valid_layout(layout);
    requires err == \null || \valid(err);
    requires memapi_dealloc_block(ptr, layout, err);
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. layout.size - 1];
    behavior invalid_pointer:
      assumes !memapi_ptr_ok(ptr, layout);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == MEMAPI_ERROR;
      ensures memapi_invalid_pointer(err, ptr);
    behavior unsupported:
      assumes memapi_ptr_ok(ptr, layout);
      assumes in->vt == \null || in->vt->try_dealloc == \null;
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == MEMAPI_ERROR;
      ensures memapi_unsupported(err);
    behavior supported:
      assumes memapi_ptr_ok(ptr, layout);
      assumes in->vt != \null && in->vt->try_dealloc != \null;
      MEMAPI_ACSL_TRY_DEALLOC_OUTCOME
    complete behaviors;
    disjoint behaviors;
*/
memapi_status memapi__fwd_try_dealloc(const memapi_allocator *in, void *ptr, memapi_layout layout, memapi_error *err)
{
    if (check_block(ptr, layout, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    return do_try_dealloc(*in, ptr, layout, err);
}

/*
 * memapi_dealloc once its checks have passed (what a dealloc entry receives, alloc.h): the inner
 * dealloc entry, or else memapi_dealloc itself (try_dealloc, and the program stopped with the
 * reference's message if that fails). \object_pointer is memapi_dealloc's own precondition.
 */
/*@ requires \valid_read(in) && memapi_vt_ok(*in, \null);
    requires memapi_valid_layout(layout);
    requires memapi_ptr_ok(ptr, layout) && ptr != (void *)(uintptr_t)layout.align;
    requires \object_pointer((char *)ptr);
    requires memapi_block_ok(ptr, layout.size, layout.size, \null);
    assigns memapi_proof_heap, ((char *)ptr)[0 .. layout.size - 1];
    behavior rejected:
      assumes in->vt == \null || in->vt->try_dealloc == \null;
      ensures memapi_no_return;
    behavior supported:
      assumes in->vt != \null && in->vt->try_dealloc != \null;
      ensures memapi_freed(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, layout.size);
    complete behaviors;
    disjoint behaviors;
*/
void memapi__fwd_dealloc(const memapi_allocator *in, void *ptr, memapi_layout layout)
{
    const memapi_allocator a = *in;
    if (MEMAPI_LIKELY(has_entry_table(a))) {
        const memapi_alloc_vtable vt = *a.vt;
        if (MEMAPI_LIKELY(vt.try_dealloc != NULL && vt.dealloc != NULL)) {
            MEMAPI__ENTRY_DEALLOC(vt.dealloc, a.self, ptr, layout);
            return;
        }
    }
    (memapi_dealloc)(a, ptr, layout);
}

/*
 * A resize that passed the checks of its dispatch function (direction dir, as in alloc_acsl.h's
 * memapi_resize_pass) to a layout other than the block's: what MEMAPI_ACSL_RESIZE promises in its
 * unsupported and dispatched behaviors.
 */
#define FWD_ACSL_RESIZE(dir, zero) \
    requires \valid_read(in) && memapi_vt_ok(*in, err) && (err == \null || \separated(err, in)); \
    requires err == \null || \valid(err); \
    requires memapi_resize_pass(ptr, old_layout, new_layout, dir) && !memapi_same_layout(old_layout, new_layout); \
    requires memapi_block_ok(ptr, old_layout.size, \max(old_layout.size, new_layout.size), err); \
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. \max(old_layout.size, new_layout.size) - 1], \
            memapi_proof_next(memapi_proof_heap, new_layout)[0 .. new_layout.size - 1]; \
    behavior unsupported: \
      assumes in->vt == \null; \
      ensures memapi_proof_heap == \old(memapi_proof_heap); \
      ensures \result == \null; \
      ensures memapi_unsupported(err); \
      ensures memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size); \
    behavior dispatched: \
      assumes in->vt != \null; \
      ensures \result == \null ==> memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap) && \
              memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size); \
      ensures \result != \null ==> \
              memapi_resized{Old, Here}(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, old_layout, \
                                        (char *)\result, new_layout, zero); \
      ensures \result != \null ==> memapi_aligned(\result, new_layout.align); \
    complete behaviors; \
    disjoint behaviors;

/* Whether each resize kind zeroes, by the name of its vtable field: a forwarder names its field
 * once, and the zeroing flag it hands to the entry and to the default resize is derived from that
 * name, so a forwarder cannot call one kind's entry while promising another kind's zeroing (the
 * entry contract takes the flag as an argument of its own: proofs/README.md, "The mutation stage"). */
#define FWD_ZERO_grow false
#define FWD_ZERO_zgrow true
#define FWD_ZERO_shrink false
#define FWD_ZERO_realloc false
#define FWD_ZERO_rezalloc true

/* The body of every resize forwarder: `field` is the vtable entry of its kind. */
#define FWD_RESIZE_BODY(field) \
    const memapi_allocator a = *in; \
    if (!has_entry_table(a)) { \
        memapi__fail(err, MEMAPI_E_UNSUPPORTED); \
        return NULL; \
    } \
    const memapi_alloc_vtable vt = *a.vt; \
    if (vt.field != NULL) \
        return MEMAPI__ENTRY_RESIZE(vt.field, FWD_ZERO_##field, a.self, ptr, old_layout, new_layout, err); \
    return memapi_default_resize(a, ptr, old_layout, new_layout, FWD_ZERO_##field, err);

/*@ FWD_ACSL_RESIZE(1, 0) */
void *memapi__fwd_grow(const memapi_allocator *in, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                       memapi_error *err)
{
    FWD_RESIZE_BODY(grow)
}

/*@ FWD_ACSL_RESIZE(1, 1) */
void *memapi__fwd_zgrow(const memapi_allocator *in, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                        memapi_error *err)
{
    FWD_RESIZE_BODY(zgrow)
}

/*@ FWD_ACSL_RESIZE(-1, 0) */
void *memapi__fwd_shrink(const memapi_allocator *in, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                         memapi_error *err)
{
    FWD_RESIZE_BODY(shrink)
}

/*@ FWD_ACSL_RESIZE(0, 0) */
void *memapi__fwd_realloc(const memapi_allocator *in, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                          memapi_error *err)
{
    FWD_RESIZE_BODY(realloc)
}

/*@ FWD_ACSL_RESIZE(0, 1) */
void *memapi__fwd_rezalloc(const memapi_allocator *in, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                           memapi_error *err)
{
    FWD_RESIZE_BODY(rezalloc)
}
