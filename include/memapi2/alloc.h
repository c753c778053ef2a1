/**
 * @file memapi2/alloc.h
 * @brief The allocator interface: a value `memapi_allocator` (vtable + state), capability bits, and
 * the dispatch functions that validate every argument, apply the reference's check order, then call
 * the allocator's entry or the library default (reference traits Alloc, Dealloc, Grow, Shrink,
 * Realloc, AllocTemp and the checked operations).
 *
 * ## Conventions
 * - Pointer-returning functions return NULL on failure; the others return `memapi_status`. On
 *   failure `*err` (when `err` is not NULL) says what happened, and nothing the caller owns changed:
 *   a failed resize leaves the old block allocated, owned by the caller and byte-for-byte intact.
 * - Every layout argument is re-checked: an invalid (forged) layout fails with `MEMAPI_E_LAYOUT`
 *   before anything else happens.
 * - A block pointer that is NULL or not aligned to its layout's alignment fails with
 *   `MEMAPI_E_INVALID_POINTER` (msg `null pointer` or `pointer not aligned to its layout`) before any
 *   memory is touched. Beyond that, a block pointer must be one this allocator returned and the
 *   layout must be the one it was allocated (or last resized) with; a violated contract is undefined
 *   behaviour unless the allocator detects it (the guard and tracking allocators do; the checked
 *   operations below check it through `owns`).
 * - Size 0: the built-in heap allocators return the layout's dangling pointer (address == align)
 *   without allocating, and deallocating a size-0 layout or the dangling pointer is a no-op.
 * - A resize to an identical layout returns the same pointer and does nothing else.
 */
#ifndef MEMAPI2_ALLOC_H
#define MEMAPI2_ALLOC_H

#include <stdbool.h>
#include "types.h"
#include "error.h"
#include "layout.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @name Capability bits (reference `AllocFeatures` in the low byte, composite as there)
 * Capabilities are declarative, as in the reference: they describe the allocator to its users
 * (`memapi_is_basic_alloc`, `memapi_is_full_alloc`, `memapi_locked`), while the dispatch functions
 * decide by the vtable entries themselves.
 * @{ */
#define MEMAPI_CAP_DEALLOC 0x01u         /**< blocks can be freed (try_dealloc entry present) */
#define MEMAPI_CAP_GROW 0x02u            /**< grow and zgrow */
#define MEMAPI_CAP_SHRINK 0x04u          /**< shrink */
#define MEMAPI_CAP_REALLOC 0x0Eu         /**< realloc and rezalloc; implies grow and shrink */
#define MEMAPI_CAP_CHECKED_DEALLOC 0x11u /**< checked dealloc (owns entry present) */
#define MEMAPI_CAP_CHECKED_GROW 0x22u    /**< checked grow */
#define MEMAPI_CAP_CHECKED_SHRINK 0x44u  /**< checked shrink */
#define MEMAPI_CAP_CHECKED_REALLOC 0xEEu /**< checked realloc; implies all checked resizes */
/** May be called from several threads at once (the reference's `Alloc` as opposed to `AllocMut`). */
#define MEMAPI_CAP_SHARED 0x100u
/** @} */

/**
 * @brief Allocate a block of `layout` (the layout is already validated and, for the built-in
 * dispatch, non-forged). Returns the block (aligned to `layout.align`) or NULL after filling `*err`
 * when `err` is not NULL.
 */
typedef void *(*memapi_alloc_fn)(void *self, memapi_layout layout, memapi_error *err);
/** @brief Free a block (`try_dealloc`). Returns `MEMAPI_OK` or fills `*err`. */
typedef memapi_status (*memapi_dealloc_fn)(void *self, void *ptr, memapi_layout layout, memapi_error *err);
/**
 * @brief Resize a block. Called only after the dispatch has validated both layouts and the
 * pointer, applied the reference's checks (alignment, grow/shrink direction) and handled the
 * identical-layout case. On failure the old block must be left intact and owned by the caller.
 */
typedef void *(*memapi_resize_fn)(void *self, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                                  memapi_error *err);
/** @brief `MEMAPI_OK` when `ptr` is a live block of this allocator with exactly `layout` (reference `AllocOwned`). */
typedef memapi_status (*memapi_owns_fn)(void *self, const void *ptr, memapi_layout layout, memapi_error *err);
/** @brief Callback of scoped allocation: `mem` is valid for `layout.size` bytes until it returns. */
typedef void (*memapi_temp_cb)(void *ctx, void *mem);
/** @brief Scoped allocation entry (reference `AllocTemp::alloc_temp`). */
typedef memapi_status (*memapi_alloc_temp_fn)(void *self, memapi_layout layout, memapi_temp_cb cb, void *ctx,
                                              memapi_error *err);

/**
 * @brief An allocator's operations. Only `alloc` is required; a NULL optional entry means "use the
 * library default" (spec 4.4-4.6): zalloc = alloc + zero; grow, zgrow, shrink, realloc, rezalloc =
 * allocate (zalloc for the zeroing ones), copy min(old, new) bytes when old size > 0, free the old
 * block; alloc_temp = alloc, call, try_dealloc. The resize and temp defaults need `try_dealloc`:
 * without it they fail with `MEMAPI_E_UNSUPPORTED`, as do dealloc, try_dealloc and the checked
 * operations without `owns`.
 */
typedef struct memapi_alloc_vtable {
    const char *name;                 /**< short name for diagnostics, e.g. "default" */
    uint32_t caps;                    /**< MEMAPI_CAP_* bits */
    memapi_alloc_fn alloc;            /**< required */
    memapi_alloc_fn zalloc;           /**< optional: zeroed allocation */
    memapi_dealloc_fn try_dealloc;    /**< optional: free (needed by dealloc and every default resize) */
    memapi_resize_fn grow;            /**< optional */
    memapi_resize_fn zgrow;           /**< optional: the new bytes [old.size, new.size) are zero */
    memapi_resize_fn shrink;          /**< optional */
    memapi_resize_fn realloc;         /**< optional: any direction */
    memapi_resize_fn rezalloc;        /**< optional: any direction, new bytes zero */
    memapi_owns_fn owns;              /**< optional: ownership check for the checked operations */
    memapi_alloc_temp_fn alloc_temp;  /**< optional: scoped allocation */
} memapi_alloc_vtable;

/**
 * @brief An allocator: its operations and its state, passed by value (two words). Stateless
 * allocators use `self == NULL`; stateful ones point `self` at their state, which must outlive
 * every use of the value.
 */
typedef struct memapi_allocator {
    const memapi_alloc_vtable *vt; /**< operations; never NULL in a usable allocator */
    void *self;                    /**< state passed to every entry */
} memapi_allocator;

/** @brief The allocator's capability bits (0 when it has no vtable). */
/*@ requires a.vt == \null || \valid_read(a.vt);
    assigns \nothing;
    behavior no_vtable:
      assumes a.vt == \null;
      ensures \result == 0;
    behavior vtable:
      assumes a.vt != \null;
      ensures \result == a.vt->caps;
    complete behaviors;
    disjoint behaviors;
*/
static inline uint32_t memapi_caps(memapi_allocator a)
{
    return a.vt ? a.vt->caps : 0u;
}

/** @brief True when `a` declares DEALLOC and has both alloc and try_dealloc (reference `BasicAlloc`). */
/*@ requires a.vt == \null || \valid_read(a.vt);
    assigns \nothing;
    behavior basic:
      assumes a.vt != \null && a.vt->alloc != \null && a.vt->try_dealloc != \null &&
              (a.vt->caps & MEMAPI_CAP_DEALLOC) != 0;
      ensures \result == 1;
    behavior not_basic:
      assumes !(a.vt != \null && a.vt->alloc != \null && a.vt->try_dealloc != \null &&
                (a.vt->caps & MEMAPI_CAP_DEALLOC) != 0);
      ensures \result == 0;
    complete behaviors;
    disjoint behaviors;
*/
static inline bool memapi_is_basic_alloc(memapi_allocator a)
{
    if (!a.vt)
        return false;
    /* Read by value: WP cannot test a function pointer read out of memory (proofs/README.md). */
    const memapi_alloc_vtable vt = *a.vt;
    return vt.alloc && vt.try_dealloc && (vt.caps & MEMAPI_CAP_DEALLOC) != 0;
}

/** @brief True when `a` is basic and declares every resize capability (reference `FullAlloc`). */
/*@ requires a.vt == \null || \valid_read(a.vt);
    assigns \nothing;
    behavior full:
      assumes a.vt != \null && a.vt->alloc != \null && a.vt->try_dealloc != \null &&
              (a.vt->caps & MEMAPI_CAP_DEALLOC) != 0 && (a.vt->caps & MEMAPI_CAP_REALLOC) == MEMAPI_CAP_REALLOC;
      ensures \result == 1;
    behavior not_full:
      assumes !(a.vt != \null && a.vt->alloc != \null && a.vt->try_dealloc != \null &&
                (a.vt->caps & MEMAPI_CAP_DEALLOC) != 0 && (a.vt->caps & MEMAPI_CAP_REALLOC) == MEMAPI_CAP_REALLOC);
      ensures \result == 0;
    complete behaviors;
    disjoint behaviors;
*/
static inline bool memapi_is_full_alloc(memapi_allocator a)
{
    return memapi_is_basic_alloc(a) && (a.vt->caps & MEMAPI_CAP_REALLOC) == MEMAPI_CAP_REALLOC;
}

/**
 * @brief Allocates a block of `layout`.
 * @return the block, aligned to `layout.align`, or NULL. Errors: `MEMAPI_E_LAYOUT` (forged layout);
 * `MEMAPI_E_UNSUPPORTED` (no vtable or alloc entry); whatever the allocator reports, usually
 * `MEMAPI_E_ALLOC_FAILED(layout, cause)`.
 */
MEMAPI_API void *memapi_alloc(memapi_allocator a, memapi_layout layout, memapi_error *err);

/** @brief As `memapi_alloc`, and the `layout.size` bytes of the block are zero. */
MEMAPI_API void *memapi_zalloc(memapi_allocator a, memapi_layout layout, memapi_error *err);

/**
 * @brief Frees a block, returning an error instead of stopping the program (reference `try_dealloc`).
 * Errors: `MEMAPI_E_LAYOUT`; `MEMAPI_E_INVALID_POINTER`; `MEMAPI_E_UNSUPPORTED` (no try_dealloc
 * entry); the allocator's own.
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status memapi_try_dealloc(memapi_allocator a, void *ptr, memapi_layout layout,
                                                             memapi_error *err);

/**
 * @brief Frees a block; cannot fail (reference `dealloc`). Does nothing when `ptr` is the layout's
 * dangling pointer. Any failure of `memapi_try_dealloc` stops the program through the fatal hook with
 * the reference's message: `deallocation of block at 0xADDR with layout Layout { size: S, align: A }
 * failed: <error text>`.
 */
MEMAPI_API void memapi_dealloc(memapi_allocator a, void *ptr, memapi_layout layout);

/**
 * @brief Grows a block to `new_layout` (reference `grow`), keeping its first `old.size` bytes.
 *
 * Checks, in order: both layouts (`MEMAPI_E_LAYOUT`); the pointer (`MEMAPI_E_INVALID_POINTER`);
 * `new.align < old.align` gives `MEMAPI_E_REALLOC_SMALLER_ALIGN(old.align, new.align)`;
 * `new.size < old.size` gives `MEMAPI_E_GROW_SMALLER(old.size, new.size)`. An identical layout returns
 * `ptr`. On success the old block is gone (unless the same pointer came back); on failure it is
 * intact and still owned by the caller.
 */
MEMAPI_API void *memapi_grow(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                             memapi_error *err);
/** @brief As `memapi_grow`, and the bytes `[old.size, new.size)` are zero. */
MEMAPI_API void *memapi_zgrow(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                              memapi_error *err);
/**
 * @brief Shrinks a block, keeping its first `new.size` bytes (reference `shrink`). Checks as
 * `memapi_grow`, except that `new.size > old.size` gives `MEMAPI_E_SHRINK_LARGER(old.size, new.size)`.
 */
MEMAPI_API void *memapi_shrink(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                               memapi_error *err);
/** @brief Resizes in either direction, keeping `min(old.size, new.size)` bytes (reference `realloc`). */
MEMAPI_API void *memapi_realloc(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                                memapi_error *err);
/** @brief As `memapi_realloc`; when growing, the bytes `[old.size, new.size)` are zero. */
MEMAPI_API void *memapi_rezalloc(memapi_allocator a, void *ptr, memapi_layout old_layout,
                                 memapi_layout new_layout, memapi_error *err);

#if MEMAPI_ALLOC_TEMP
/**
 * @brief Scoped allocation (reference `AllocTemp`): allocates `layout`, calls `cb(ctx, mem)` exactly
 * once, then frees the block. The memory is valid only while `cb` runs; results travel through `ctx`.
 *
 * Uses the allocator's alloc_temp entry when present (the stack allocator), otherwise alloc, call,
 * try_dealloc. Errors: `MEMAPI_E_LAYOUT`; `MEMAPI_E_INVALID_POINTER` (msg `null callback`);
 * `MEMAPI_E_UNSUPPORTED` (neither an alloc_temp entry nor alloc + try_dealloc); the allocation's error
 * (the callback did not run); the deallocation's error (the callback ran).
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status memapi_alloc_temp(memapi_allocator a, memapi_layout layout,
                                                            memapi_temp_cb cb, void *ctx, memapi_error *err);
/** @brief As `memapi_alloc_temp`, and the `layout.size` bytes are zero when `cb` is called. */
MEMAPI_API MEMAPI_NODISCARD memapi_status memapi_zalloc_temp(memapi_allocator a, memapi_layout layout,
                                                             memapi_temp_cb cb, void *ctx, memapi_error *err);
#endif /* MEMAPI_ALLOC_TEMP */

#if MEMAPI_CHECKED_OPS
/**
 * @name Checked operations (reference `checked_ops`; compiled with MEMAPI_CHECKED_OPS)
 * Each first asks the allocator's `owns` entry whether `(ptr, layout)` (the old layout for resizes)
 * is a live block of this allocator and returns its error if not; without an owns entry they fail
 * with `MEMAPI_E_UNSUPPORTED`. Then they run the unchecked operation. As in the reference,
 * `memapi_checked_dealloc` then uses the non-failing `memapi_dealloc`.
 * @{ */
MEMAPI_API MEMAPI_NODISCARD memapi_status memapi_checked_dealloc(memapi_allocator a, void *ptr,
                                                                 memapi_layout layout, memapi_error *err);
/** @brief `owns` check, then `memapi_grow`. */
MEMAPI_API void *memapi_checked_grow(memapi_allocator a, void *ptr, memapi_layout old_layout,
                                     memapi_layout new_layout, memapi_error *err);
/** @brief `owns` check, then `memapi_zgrow`. */
MEMAPI_API void *memapi_checked_zgrow(memapi_allocator a, void *ptr, memapi_layout old_layout,
                                      memapi_layout new_layout, memapi_error *err);
/** @brief `owns` check, then `memapi_shrink`. */
MEMAPI_API void *memapi_checked_shrink(memapi_allocator a, void *ptr, memapi_layout old_layout,
                                       memapi_layout new_layout, memapi_error *err);
/** @brief `owns` check, then `memapi_realloc`. */
MEMAPI_API void *memapi_checked_realloc(memapi_allocator a, void *ptr, memapi_layout old_layout,
                                        memapi_layout new_layout, memapi_error *err);
/** @brief `owns` check, then `memapi_rezalloc`. */
MEMAPI_API void *memapi_checked_rezalloc(memapi_allocator a, void *ptr, memapi_layout old_layout,
                                         memapi_layout new_layout, memapi_error *err);
/** @} */
#endif /* MEMAPI_CHECKED_OPS */

/**
 * @brief The library's default resize algorithm (spec 4.6 with DESIGN decisions 2-4), for
 * allocators that implement a resize entry for some cases and fall back to the default for others.
 *
 * Assumes the dispatch checks have been done. Allocates `new_layout` (zeroed when `zero`), copies
 * `min(old.size, new.size)` bytes when `old.size > 0`, then frees the old block; if that free fails,
 * frees the new block and returns the error, leaving the old block intact and owned by the caller.
 */
MEMAPI_API void *memapi_default_resize(memapi_allocator a, void *ptr, memapi_layout old_layout,
                                       memapi_layout new_layout, bool zero, memapi_error *err);

#ifdef __cplusplus
}
#endif

#endif /* MEMAPI2_ALLOC_H */
