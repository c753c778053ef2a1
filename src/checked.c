/*
 * The checked operations of the allocator interface (reference checked_ops): the allocator's owns
 * entry confirms the block, then the unchecked operation runs.
 */
#include "internal/dispatch.h"

#if MEMAPI_CHECKED_OPS
/* The owns entry, for a valid layout. */
/*@ requires memapi_vt_ok(a, err);
    requires err == \null || \valid(err);
    requires memapi_valid_layout(layout);
    assigns *err;
    behavior unsupported:
      assumes a.vt == \null || a.vt->owns == \null;
      ensures \result == MEMAPI_ERROR;
      ensures memapi_unsupported(err);
    behavior supported:
      assumes a.vt != \null && a.vt->owns != \null;
      ensures \result == MEMAPI_OK || \result == MEMAPI_ERROR;
      ensures \result == MEMAPI_OK ==> memapi_owned(memapi_proof_heap, (char *)ptr, layout.size) &&
                                      \valid((char *)ptr + (0 .. layout.size - 1));
      ensures \result == MEMAPI_ERROR && err != \null ==> memapi_err_texts(err);
    complete behaviors;
    disjoint behaviors;
*/
static memapi_status ask_owns(memapi_allocator a, const void *ptr, memapi_layout layout, memapi_error *err)
{
    if (!has_entry_table(a))
        return memapi__fail(err, MEMAPI_E_UNSUPPORTED);
    const memapi_alloc_vtable vt = *a.vt;
    if (vt.owns == NULL)
        return memapi__fail(err, MEMAPI_E_UNSUPPORTED);
    return MEMAPI__ENTRY_OWNS(vt.owns, a.self, ptr, layout, err);
}

/*@ requires memapi_vt_ok(a, err);
    requires err == \null || \valid(err);
    assigns *err;
    behavior invalid_layout:
      assumes !memapi_valid_layout(layout);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, layout.size, layout.align);
    behavior unsupported:
      assumes memapi_valid_layout(layout) && (a.vt == \null || a.vt->owns == \null);
      ensures \result == MEMAPI_ERROR;
      ensures memapi_unsupported(err);
    behavior supported:
      assumes memapi_valid_layout(layout) && a.vt != \null && a.vt->owns != \null;
      ensures \result == MEMAPI_OK || \result == MEMAPI_ERROR;
      ensures \result == MEMAPI_OK ==> memapi_owned(memapi_proof_heap, (char *)ptr, layout.size) &&
                                      \valid((char *)ptr + (0 .. layout.size - 1));
      ensures \result == MEMAPI_ERROR && err != \null ==> memapi_err_texts(err);
    complete behaviors;
    disjoint behaviors;
*/
static memapi_status check_owned(memapi_allocator a, const void *ptr, memapi_layout layout, memapi_error *err)
{
    if (!layout_ok(layout, err))
        return MEMAPI_ERROR;
    return ask_owns(a, ptr, layout, err);
}

memapi_status memapi_checked_dealloc(memapi_allocator a, void *ptr, memapi_layout layout, memapi_error *err)
{
    if (check_owned(a, ptr, layout, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    memapi_dealloc(a, ptr, layout);
    return MEMAPI_OK;
}

void *memapi_checked_grow(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                          memapi_error *err)
{
    return check_owned(a, ptr, old_layout, err) == MEMAPI_OK ? memapi_grow(a, ptr, old_layout, new_layout, err)
                                                             : NULL;
}

void *memapi_checked_zgrow(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                           memapi_error *err)
{
    return check_owned(a, ptr, old_layout, err) == MEMAPI_OK ? memapi_zgrow(a, ptr, old_layout, new_layout, err)
                                                             : NULL;
}

void *memapi_checked_shrink(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                            memapi_error *err)
{
    return check_owned(a, ptr, old_layout, err) == MEMAPI_OK ? memapi_shrink(a, ptr, old_layout, new_layout, err)
                                                             : NULL;
}

void *memapi_checked_realloc(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                             memapi_error *err)
{
    return check_owned(a, ptr, old_layout, err) == MEMAPI_OK ? memapi_realloc(a, ptr, old_layout, new_layout, err)
                                                             : NULL;
}

void *memapi_checked_rezalloc(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                              memapi_error *err)
{
    return check_owned(a, ptr, old_layout, err) == MEMAPI_OK ? memapi_rezalloc(a, ptr, old_layout, new_layout, err)
                                                             : NULL;
}
#endif
