/*
 * The resizes of the allocator interface (grow, zgrow, shrink, realloc, rezalloc) and the library's
 * default resize: the checks in the reference's order (docs/design.md section 3.3), the identical
 * layout, then the allocator's entry or the default (allocate, copy, free; D2-D4).
 *
 * Each rule is the predicate of memapi2/alloc_acsl.h and the C function below that implements it:
 * the checks are memapi_resize_pass and resize_checks; the contract of every resize is
 * MEMAPI_ACSL_RESIZE, which alloc.h puts on the exported functions and on their inline fast paths.
 */
#include "internal/dispatch.h"

/*@ requires memapi_vt_ok(a, err);
    requires memapi_valid_layout(old_layout) && memapi_valid_layout(new_layout);
    requires memapi_block_ok(ptr, old_layout.size, old_layout.size, err);
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. old_layout.size - 1],
            memapi_proof_next(memapi_proof_heap, new_layout)[0 .. new_layout.size - 1];
    behavior unsupported:
      assumes a.vt == \null || a.vt->try_dealloc == \null;
      assigns *err;
      ensures \result == \null;
      ensures memapi_unsupported(err);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size);
    behavior supported:
      assumes a.vt != \null && a.vt->try_dealloc != \null;
      // Failure: every block the caller owned is still live, the old block byte-for-byte intact
      // (when the old block's free failed, the fresh block was handed back to try_dealloc).
      ensures \result == \null ==> memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap) &&
              memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size);
      // Success: the fresh block of new_layout, holding the first min(old, new) bytes of the old
      // block (zero after them when `zero`); the old block is freed.
      ensures \result != \null ==> \result == memapi_proof_next(\old(memapi_proof_heap), new_layout);
      ensures \result != \null ==>
              memapi_resized{Old, Here}(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, old_layout,
                                        (char *)\result, new_layout, zero);
      ensures \result != \null ==> memapi_aligned(\result, new_layout.align);
      ensures \result != \null ==> memapi_freed(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr,
                                                old_layout.size);
    complete behaviors;
    disjoint behaviors;
*/
void *memapi_default_resize(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                            bool zero, memapi_error *err)
{
    if (!has_entry_table(a)) {
        memapi__fail(err, MEMAPI_E_UNSUPPORTED);
        return NULL;
    }
    const memapi_alloc_vtable vt = *a.vt;
    if (vt.try_dealloc == NULL) {
        memapi__fail(err, MEMAPI_E_UNSUPPORTED);
        return NULL;
    }
    void *fresh = do_alloc(a, new_layout, zero, err);
    if (fresh == NULL) {
        /*@ assert memapi_proof_heap == \at(memapi_proof_heap, Pre); */
        /*@ assert memapi_same_bytes{Pre, Here}((char *)ptr, old_layout.size); */
        return NULL;
    }
    /*@ ghost int h1 = memapi_proof_heap; */
    /*@ assert kept: memapi_live_kept(\at(memapi_proof_heap, Pre), h1); */
    /*@ assert old_live: memapi_owned(h1, (char *)ptr, old_layout.size); */
    /*@ assert apart: \separated((char *)ptr + (0 .. old_layout.size - 1), (char *)fresh + (0 .. new_layout.size - 1)); */
    if (old_layout.size > 0)
        memapi__copy(fresh, ptr, old_layout.size < new_layout.size ? old_layout.size : new_layout.size);
    /*@ assert old_kept: memapi_same_bytes{Pre, Here}((char *)ptr, old_layout.size); */
    /*@ assert copied: \forall integer i; 0 <= i < \min(old_layout.size, new_layout.size) ==>
                       ((char *)fresh)[i] == \at(((char *)ptr)[i], Pre); */
    if (MEMAPI__ENTRY_TRY_DEALLOC(vt.try_dealloc, a.self, ptr, old_layout, err) != MEMAPI_OK) {
        /* docs/design.md decision D4: undo the allocation so the caller keeps exactly what it had. */
        /*@ assert h1 == memapi_proof_heap; */
        (void)MEMAPI__ENTRY_TRY_DEALLOC(vt.try_dealloc, a.self, fresh, new_layout, NULL);
        /*@ assert old_bytes: memapi_same_bytes{Pre, Here}((char *)ptr, old_layout.size); */
        /*@ assert live: memapi_live_kept(\at(memapi_proof_heap, Pre), memapi_proof_heap); */
        return NULL;
    }
    /*@ assert freed: memapi_freed(h1, memapi_proof_heap, (char *)ptr, old_layout.size); */
    /*@ assert fresh_live: memapi_owned(memapi_proof_heap, (char *)fresh, new_layout.size); */
    /*@ assert fresh_bytes: \forall integer i; 0 <= i < \min(old_layout.size, new_layout.size) ==>
                            ((char *)fresh)[i] == \at(((char *)ptr)[i], Pre); */
    /*@ assert fresh_zero: zero ==> memapi_zero_bytes((char *)fresh, old_layout.size, new_layout.size); */
    /*@ assert others: \forall char *q, integer m; memapi_owned(\at(memapi_proof_heap, Pre), q, m) && q != ptr &&
                       \separated(q + (0 .. m - 1), (char *)ptr + (0 .. old_layout.size - 1)) ==>
                       memapi_owned(memapi_proof_heap, q, m) &&
                       \separated(q + (0 .. m - 1), (char *)fresh + (0 .. new_layout.size - 1)); */
    return fresh;
}

typedef enum resize_kind { RESIZE_GROW, RESIZE_ZGROW, RESIZE_SHRINK, RESIZE_REALLOC, RESIZE_REZALLOC } resize_kind;

/*@ // The direction a resize kind checks (alloc_acsl.h, memapi_resize_pass): grow and zgrow never
    // smaller (1), shrink never larger (-1), realloc and rezalloc either (0); and whether it zeroes.
    logic integer resize_dir(integer kind) =
      kind == RESIZE_GROW || kind == RESIZE_ZGROW ? 1 : kind == RESIZE_SHRINK ? -1 : 0;
    logic integer zeroing(integer kind) = kind == RESIZE_ZGROW || kind == RESIZE_REZALLOC ? 1 : 0;
*/

/* The checks after the layouts and the pointer: the alignment, then the direction. */
/*@ requires err == \null || \valid(err);
    requires RESIZE_GROW <= kind <= RESIZE_REZALLOC;
    assigns *err;
    behavior smaller_align:
      assumes new_layout.align < old_layout.align;
      ensures \result == MEMAPI_ERROR;
      ensures memapi_resize_err(err, MEMAPI_E_REALLOC_SMALLER_ALIGN, old_layout.align, new_layout.align);
    behavior grow_smaller:
      assumes new_layout.align >= old_layout.align && resize_dir(kind) > 0 && new_layout.size < old_layout.size;
      ensures \result == MEMAPI_ERROR;
      ensures memapi_resize_err(err, MEMAPI_E_GROW_SMALLER, old_layout.size, new_layout.size);
    behavior shrink_larger:
      assumes new_layout.align >= old_layout.align && resize_dir(kind) < 0 && new_layout.size > old_layout.size;
      ensures \result == MEMAPI_ERROR;
      ensures memapi_resize_err(err, MEMAPI_E_SHRINK_LARGER, old_layout.size, new_layout.size);
    behavior pass:
      assumes new_layout.align >= old_layout.align && memapi_direction_ok(resize_dir(kind), old_layout, new_layout);
      assigns \nothing;
      ensures \result == MEMAPI_OK;
      ensures err != \null ==> *err == \old(*err);
    complete behaviors;
    disjoint behaviors;
*/
static inline memapi_status order_checks(memapi_layout old_layout, memapi_layout new_layout, resize_kind kind,
                                         memapi_error *err)
{
    if (new_layout.align < old_layout.align)
        return memapi__fail_resize(err, MEMAPI_E_REALLOC_SMALLER_ALIGN, old_layout.align, new_layout.align);
    if ((kind == RESIZE_GROW || kind == RESIZE_ZGROW) && new_layout.size < old_layout.size)
        return memapi__fail_resize(err, MEMAPI_E_GROW_SMALLER, old_layout.size, new_layout.size);
    if (kind == RESIZE_SHRINK && new_layout.size > old_layout.size)
        return memapi__fail_resize(err, MEMAPI_E_SHRINK_LARGER, old_layout.size, new_layout.size);
    return MEMAPI_OK;
}

/* The checks of docs/design.md section 3.3 before any resize, in the reference's order. */
/*@ requires err == \null || \valid(err);
    requires RESIZE_GROW <= kind <= RESIZE_REZALLOC;
    assigns *err;
    behavior invalid_old_layout:
      assumes !memapi_valid_layout(old_layout);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, old_layout.size, old_layout.align);
    behavior invalid_new_layout:
      assumes memapi_valid_layout(old_layout) && !memapi_valid_layout(new_layout);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, new_layout.size, new_layout.align);
    behavior invalid_pointer:
      assumes memapi_layouts_ok(old_layout, new_layout) && !memapi_ptr_ok(ptr, old_layout);
      ensures \result == MEMAPI_ERROR;
      ensures memapi_invalid_pointer(err, ptr);
    behavior smaller_align:
      assumes memapi_layouts_ok(old_layout, new_layout) && memapi_ptr_ok(ptr, old_layout);
      assumes new_layout.align < old_layout.align;
      ensures \result == MEMAPI_ERROR;
      ensures memapi_resize_err(err, MEMAPI_E_REALLOC_SMALLER_ALIGN, old_layout.align, new_layout.align);
    behavior grow_smaller:
      assumes memapi_layouts_ok(old_layout, new_layout) && memapi_ptr_ok(ptr, old_layout);
      assumes new_layout.align >= old_layout.align && resize_dir(kind) > 0 && new_layout.size < old_layout.size;
      ensures \result == MEMAPI_ERROR;
      ensures memapi_resize_err(err, MEMAPI_E_GROW_SMALLER, old_layout.size, new_layout.size);
    behavior shrink_larger:
      assumes memapi_layouts_ok(old_layout, new_layout) && memapi_ptr_ok(ptr, old_layout);
      assumes new_layout.align >= old_layout.align && resize_dir(kind) < 0 && new_layout.size > old_layout.size;
      ensures \result == MEMAPI_ERROR;
      ensures memapi_resize_err(err, MEMAPI_E_SHRINK_LARGER, old_layout.size, new_layout.size);
    behavior pass:
      assumes memapi_resize_pass(ptr, old_layout, new_layout, resize_dir(kind));
      ensures \result == MEMAPI_OK;
      ensures err != \null ==> *err == \old(*err);
    complete behaviors;
    disjoint behaviors;
*/
static inline memapi_status resize_checks(void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                                          resize_kind kind, memapi_error *err)
{
    if (!layout_ok(old_layout, err) || !layout_ok(new_layout, err) || check_block(ptr, old_layout, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    /*@ assert checked: err != \null ==> *err == \at(*err, Pre); */
    return order_checks(old_layout, new_layout, kind, err);
}

/* The vtable entry of a resize kind (NULL: the allocator leaves it to the default). */
/*@ assigns \nothing;
    ensures kind == RESIZE_GROW ==> \result == vt.grow;
    ensures kind == RESIZE_ZGROW ==> \result == vt.zgrow;
    ensures kind == RESIZE_SHRINK ==> \result == vt.shrink;
    ensures kind == RESIZE_REALLOC ==> \result == vt.realloc;
    ensures kind == RESIZE_REZALLOC ==> \result == vt.rezalloc;
*/
static inline memapi_resize_fn resize_entry(memapi_alloc_vtable vt, resize_kind kind)
{
    switch (kind) {
    case RESIZE_GROW: return vt.grow;
    case RESIZE_ZGROW: return vt.zgrow;
    case RESIZE_SHRINK: return vt.shrink;
    case RESIZE_REALLOC: return vt.realloc;
    case RESIZE_REZALLOC: return vt.rezalloc;
    }
    return NULL;
}

/* A resize that passed the checks, to a different layout: the allocator's entry or the default. */
/*@ requires \valid_read(a.vt) && (err == \null || \separated(err, a.vt));
    requires err == \null || \valid(err);
    requires RESIZE_GROW <= kind <= RESIZE_REZALLOC;
    requires memapi_resize_pass(ptr, old_layout, new_layout, resize_dir(kind));
    requires memapi_block_ok(ptr, old_layout.size, \max(old_layout.size, new_layout.size), err);
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. \max(old_layout.size, new_layout.size) - 1],
            memapi_proof_next(memapi_proof_heap, new_layout)[0 .. new_layout.size - 1];
    ensures \result == \null ==> memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap) &&
            memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size);
    ensures \result != \null ==>
            memapi_resized{Old, Here}(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, old_layout,
                                      (char *)\result, new_layout, zeroing(kind));
    ensures \result != \null ==> memapi_aligned(\result, new_layout.align);
*/
static void *resize_dispatch(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                             resize_kind kind, memapi_error *err)
{
    const memapi_alloc_vtable vt = *a.vt;
    memapi_resize_fn entry = resize_entry(vt, kind);
    bool zero = kind == RESIZE_ZGROW || kind == RESIZE_REZALLOC;
    if (entry != NULL)
        return MEMAPI__ENTRY_RESIZE(entry, zero, a.self, ptr, old_layout, new_layout, err);
    return memapi_default_resize(a, ptr, old_layout, new_layout, zero, err);
}

/* Does the owns entry refuse the block (an error other than UNSUPPORTED, which says the allocator
 * cannot tell)? Asked into an error of its own: the caller's is not touched. */
/*@ requires entry != \null && memapi_valid_layout(layout);
    assigns \nothing;
*/
static bool owns_refuses(memapi_status (*entry)(void *, const void *, memapi_layout, memapi_error *), void *self,
                         const void *ptr, memapi_layout layout)
{
    memapi_error verdict;
    if (MEMAPI__ENTRY_OWNS(entry, self, ptr, layout, &verdict) == MEMAPI_OK)
        return false;
    return verdict.kind != MEMAPI_E_UNSUPPORTED;
}

/*
 * A resize to the layout the block already has (the reference's rule, kept: the pointer itself, no
 * copy, no free). An allocator that can check ownership is asked first, so that a freed or foreign
 * pointer gets that allocator's error (the guard's use-after-free report, tracking's unknown block)
 * instead of a success that hides it. An owns entry that answers UNSUPPORTED cannot tell for this
 * block (a guard's sampled-out block when its fallback has no owns): the block is then handed back,
 * as by an allocator without an owns entry.
 */
/*@ requires memapi_vt_ok(a, err);
    requires err == \null || \valid(err);
    requires memapi_valid_layout(layout) && ptr != \null;
    assigns *err;
    behavior unchecked:
      assumes !memapi_owns_entry(a);
      assigns \nothing;
      ensures \result == ptr;
      ensures err != \null ==> *err == \old(*err);
    behavior checked:
      assumes memapi_owns_entry(a);
      ensures \result == ptr || \result == \null;
      ensures \result == ptr && err != \null ==> *err == \old(*err);
      ensures \result == \null && err != \null ==> memapi_err_texts(err);
    complete behaviors;
    disjoint behaviors;
*/
static void *same_layout_resize(memapi_allocator a, void *ptr, memapi_layout layout, memapi_error *err)
{
    if (!has_entry_table(a))
        return ptr;
    const memapi_alloc_vtable vt = *a.vt;
    if (vt.owns == NULL)
        return ptr;
    /* The verdict's kind decides first, asked into a local error (owns_refuses): a success,
     * UNSUPPORTED included, must leave *err as it was. A refusal is asked again into the caller's
     * error (an error is never copied out of a local: the entry may point its texts into it). An
     * owns entry is a query, so it refuses again; the dispatch cannot work with one that does not
     * (UNSUPPORTED). */
    if (!owns_refuses(vt.owns, a.self, ptr, layout))
        return ptr;
    if (err != NULL && MEMAPI__ENTRY_OWNS(vt.owns, a.self, ptr, layout, err) == MEMAPI_OK)
        (void)memapi__fail(err, MEMAPI_E_UNSUPPORTED);
    return NULL;
}

/* The contract of every resize (alloc_acsl.h), for any kind. */
/*@ requires RESIZE_GROW <= kind <= RESIZE_REZALLOC;
    MEMAPI_ACSL_RESIZE(resize_dir(kind), zeroing(kind),
                       MEMAPI_ACSL_GROW_SMALLER(resize_dir(kind)) MEMAPI_ACSL_SHRINK_LARGER(resize_dir(kind)))
*/
static void *resize(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                    resize_kind kind, memapi_error *err)
{
    if (resize_checks(ptr, old_layout, new_layout, kind, err) != MEMAPI_OK)
        return NULL;
    /* docs/design.md decision D2: the reference copies onto itself and frees the block it returns;
     * we return the block, once an allocator that can check ownership has confirmed it. */
    if (memapi_layout_eq(old_layout, new_layout))
        return same_layout_resize(a, ptr, old_layout, err);
    if (!has_entry_table(a)) {
        memapi__fail(err, MEMAPI_E_UNSUPPORTED);
        return NULL;
    }
    return resize_dispatch(a, ptr, old_layout, new_layout, kind, err);
}

void *(memapi_grow)(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                  memapi_error *err)
{
    return resize(a, ptr, old_layout, new_layout, RESIZE_GROW, err);
}

void *memapi_zgrow(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                   memapi_error *err)
{
    return resize(a, ptr, old_layout, new_layout, RESIZE_ZGROW, err);
}

void *(memapi_shrink)(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                    memapi_error *err)
{
    return resize(a, ptr, old_layout, new_layout, RESIZE_SHRINK, err);
}

void *memapi_realloc(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                     memapi_error *err)
{
    return resize(a, ptr, old_layout, new_layout, RESIZE_REALLOC, err);
}

void *memapi_rezalloc(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                      memapi_error *err)
{
    return resize(a, ptr, old_layout, new_layout, RESIZE_REZALLOC, err);
}

/* The out-of-line halves of the inline fast paths (alloc.h): the exported functions, `self` unused. */
void *memapi_grow_outline(void *self, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                          memapi_error *err, memapi_allocator a)
{
    (void)self;
    return (memapi_grow)(a, ptr, old_layout, new_layout, err);
}

void *memapi_shrink_outline(void *self, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                            memapi_error *err, memapi_allocator a)
{
    (void)self;
    return (memapi_shrink)(a, ptr, old_layout, new_layout, err);
}
