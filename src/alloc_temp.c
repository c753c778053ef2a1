/*
 * Scoped allocation of the allocator interface (memapi_alloc_temp, memapi_zalloc_temp; reference
 * AllocTemp): the allocator's alloc_temp entry, or alloc, call, free.
 */
#include "internal/dispatch.h"

#ifdef __FRAMAC__
#define CALL_TEMP_CB(cb, ctx, mem, size) memapi_proof_temp_cb((cb), (ctx), (mem), (size))
#else
#define CALL_TEMP_CB(cb, ctx, mem, size) (cb)((ctx), (mem))
#endif

#if MEMAPI_ALLOC_TEMP
typedef struct zero_then_call {
    memapi_temp_cb cb;
    void *ctx;
    size_t size;
} zero_then_call;

const char memapi__msg_null_callback[14] = "null callback";

/*
 * The callback a zeroed scoped allocation hands to the allocator's alloc_temp entry: zero the
 * block, then call the user's callback with the user's context. The entry calls it the way it
 * calls any callback (memapi_proof_temp_cb): with the context it was given and a block of
 * layout.size bytes, which cannot overlap the caller's frame that holds *ctx.
 */
/*@ requires \valid_read((zero_then_call *)ctx);
    requires ((zero_then_call *)ctx)->cb != \null;
    requires \valid((char *)mem + (0 .. ((zero_then_call *)ctx)->size - 1));
    requires \separated((zero_then_call *)ctx, (char *)mem + (0 .. ((zero_then_call *)ctx)->size - 1));
    assigns memapi_proof_user, memapi_proof_heap, ((char *)mem)[0 .. ((zero_then_call *)ctx)->size - 1];
    ensures memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap);
*/
static void zero_then_call_cb(void *ctx, void *mem)
{
    const zero_then_call *z = ctx;
    memapi__zero(mem, z->size);
    CALL_TEMP_CB(z->cb, z->ctx, mem, z->size);
}

/* The fallback of a scoped allocation: alloc, call, free (the allocator has no alloc_temp entry). */
/*@ requires memapi_vt_ok(a, err);
    requires err == \null || \valid(err);
    requires memapi_valid_layout(layout) && cb != \null;
    requires a.vt != \null && a.vt->alloc != \null && a.vt->try_dealloc != \null;
    assigns memapi_proof_heap, memapi_proof_user, *err,
            memapi_proof_next(memapi_proof_heap, layout)[0 .. layout.size - 1];
    ensures \result == MEMAPI_OK || \result == MEMAPI_ERROR;
    ensures memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap);
*/
static memapi_status temp_fallback(memapi_allocator a, memapi_layout layout, memapi_temp_cb cb, void *ctx, bool zero,
                                   memapi_error *err)
{
    const memapi_alloc_vtable vt = *a.vt;
    void *mem = do_alloc(a, layout, zero, err);
    if (mem == NULL)
        return MEMAPI_ERROR;
    CALL_TEMP_CB(cb, ctx, mem, layout.size);
    return MEMAPI__ENTRY_TRY_DEALLOC(vt.try_dealloc, a.self, mem, layout, err);
}

/* A scoped allocation once the layout and the callback passed their checks. */
/*@ requires memapi_vt_ok(a, err);
    requires err == \null || \valid(err);
    requires memapi_valid_layout(layout) && cb != \null;
    assigns memapi_proof_heap, memapi_proof_user, *err,
            memapi_proof_next(memapi_proof_heap, layout)[0 .. layout.size - 1];
    behavior unsupported:
      assumes a.vt == \null || (a.vt->alloc_temp == \null && (a.vt->alloc == \null || a.vt->try_dealloc == \null));
      ensures \result == MEMAPI_ERROR;
      ensures memapi_unsupported(err);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior supported:
      assumes a.vt != \null;
      assumes a.vt->alloc_temp != \null || (a.vt->alloc != \null && a.vt->try_dealloc != \null);
      ensures \result == MEMAPI_OK || \result == MEMAPI_ERROR;
      ensures memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap);
    complete behaviors;
    disjoint behaviors;
*/
static memapi_status temp_dispatch(memapi_allocator a, memapi_layout layout, memapi_temp_cb cb, void *ctx, bool zero,
                                   memapi_error *err)
{
    if (!has_entry_table(a))
        return memapi__fail(err, MEMAPI_E_UNSUPPORTED);
    const memapi_alloc_vtable vt = *a.vt;
    if (vt.alloc_temp != NULL) {
        if (!zero)
            return MEMAPI__ENTRY_ALLOC_TEMP(vt.alloc_temp, a.self, layout, cb, ctx, err);
        zero_then_call z = {cb, ctx, layout.size};
        return MEMAPI__ENTRY_ALLOC_TEMP(vt.alloc_temp, a.self, layout, zero_then_call_cb, &z, err);
    }
    if (vt.alloc == NULL || vt.try_dealloc == NULL)
        return memapi__fail(err, MEMAPI_E_UNSUPPORTED);
    return temp_fallback(a, layout, cb, ctx, zero, err);
}

/* The shared body of both scoped allocations: their contract (alloc.h), and the zeroing flag. */
/*@ MEMAPI_ACSL_TEMP */
static memapi_status temp(memapi_allocator a, memapi_layout layout, memapi_temp_cb cb, void *ctx, bool zero,
                          memapi_error *err)
{
    if (!layout_ok(layout, err))
        return MEMAPI_ERROR;
    if (cb == NULL)
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, NULL, memapi__msg_null_callback);
    return temp_dispatch(a, layout, cb, ctx, zero, err);
}

memapi_status memapi_alloc_temp(memapi_allocator a, memapi_layout layout, memapi_temp_cb cb, void *ctx,
                                memapi_error *err)
{
    return temp(a, layout, cb, ctx, false, err);
}

memapi_status memapi_zalloc_temp(memapi_allocator a, memapi_layout layout, memapi_temp_cb cb, void *ctx,
                                 memapi_error *err)
{
    return temp(a, layout, cb, ctx, true, err);
}
#endif
