/**
 * @file memapi2/alloc.h
 * @brief The allocator interface: `memapi_allocator` (vtable + state), capability bits, and the
 * dispatch functions that check every argument, then call the allocator or the library default.
 *
 * The dispatch functions apply the reference's check order (reference traits Alloc, Dealloc, Grow,
 * Shrink, Realloc, AllocTemp and the checked operations); docs/design.md section 3 has the design.
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
 * - A resize to an identical layout returns the same pointer and does nothing else, except that an
 *   allocator with an `owns` entry (guard, tracking, bump) is asked first: a pointer it does not own
 *   (freed, foreign) gets its error and NULL, so no resize lets a misuse through unreported. An
 *   `owns` answer of `MEMAPI_E_UNSUPPORTED` (it cannot tell for this block) counts as no `owns`.
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
/**
 * @brief Free a block, without failing (the reference's `Dealloc::dealloc` as an allocator
 * overrides it). Optional, for allocators whose free cannot fail: `memapi_dealloc` calls it instead
 * of `try_dealloc` after its own checks (valid layout, pointer non-NULL, aligned and not the
 * layout's dangling pointer), and so needs no error object. It is never called with the layout's
 * dangling pointer, and may rely on that (the default allocator's frees without testing it). It
 * must have the effect a successful `try_dealloc` has; it is used only when `try_dealloc` is
 * present too.
 */
typedef void (*memapi_free_fn)(void *self, void *ptr, memapi_layout layout);
/** @brief `MEMAPI_OK` when `ptr` is a live block of this allocator with exactly `layout` (reference `AllocOwned`). */
typedef memapi_status (*memapi_owns_fn)(void *self, const void *ptr, memapi_layout layout, memapi_error *err);
/** @brief Callback of scoped allocation: `mem` is valid for `layout.size` bytes until it returns. */
typedef void (*memapi_temp_cb)(void *ctx, void *mem);
/** @brief Scoped allocation entry (reference `AllocTemp::alloc_temp`). */
typedef memapi_status (*memapi_alloc_temp_fn)(void *self, memapi_layout layout, memapi_temp_cb cb, void *ctx,
                                              memapi_error *err);

/**
 * @brief An allocator's operations. Only `alloc` is required; a NULL optional entry means "use the
 * library default" (docs/design.md section 3.2): zalloc = alloc + zero; grow, zgrow, shrink, realloc, rezalloc =
 * allocate (zalloc for the zeroing ones), copy min(old, new) bytes when old size > 0, free the old
 * block; alloc_temp = alloc, call, try_dealloc; dealloc = try_dealloc, stopping the program if it
 * fails. The resize and temp defaults need `try_dealloc`:
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
    memapi_free_fn dealloc;           /**< optional: free that cannot fail (memapi_dealloc's fast path) */
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

#ifdef __FRAMAC__
#include "alloc_acsl.h" /* the contracts of the functions below (ACSL, read by Frama-C only) */
#endif

/** @cond MEMAPI_INTERNAL */
/*
 * A call of an allocator's entry `f`. Compiled, the plain indirect call; under Frama-C, a call of
 * the interface contract of its kind (alloc_acsl.h), which WP can follow.
 */
#ifdef __FRAMAC__
#define MEMAPI__ENTRY_ALLOC(f, self, l, e) memapi_proof_entry_alloc((f), (self), (l), (e))
#define MEMAPI__ENTRY_ZALLOC(f, self, l, e) memapi_proof_entry_zalloc((f), (self), (l), (e))
#define MEMAPI__ENTRY_TRY_DEALLOC(f, self, p, l, e) memapi_proof_entry_try_dealloc((f), (self), (p), (l), (e))
#define MEMAPI__ENTRY_DEALLOC(f, self, p, l) memapi_proof_entry_dealloc((f), (self), (p), (l))
#define MEMAPI__ENTRY_RESIZE(f, zero, self, p, ol, nl, e) \
    memapi_proof_entry_resize((f), (zero), (self), (p), (ol), (nl), (e))
#define MEMAPI__ENTRY_OWNS(f, self, p, l, e) memapi_proof_entry_owns((f), (self), (p), (l), (e))
#define MEMAPI__ENTRY_ALLOC_TEMP(f, self, l, cb, ctx, e) \
    memapi_proof_entry_alloc_temp((f), (self), (l), (cb), (ctx), (e))
#else
#define MEMAPI__ENTRY_ALLOC(f, self, l, e) (f)((self), (l), (e))
#define MEMAPI__ENTRY_ZALLOC(f, self, l, e) (f)((self), (l), (e))
#define MEMAPI__ENTRY_TRY_DEALLOC(f, self, p, l, e) (f)((self), (p), (l), (e))
#define MEMAPI__ENTRY_DEALLOC(f, self, p, l) (f)((self), (p), (l))
#define MEMAPI__ENTRY_RESIZE(f, zero, self, p, ol, nl, e) (f)((self), (p), (ol), (nl), (e))
#define MEMAPI__ENTRY_OWNS(f, self, p, l, e) (f)((self), (p), (l), (e))
#define MEMAPI__ENTRY_ALLOC_TEMP(f, self, l, cb, ctx, e) (f)((self), (l), (cb), (ctx), (e))
#endif
/** @endcond */

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
/*@ MEMAPI_ACSL_ALLOC() */
MEMAPI_API void *memapi_alloc(memapi_allocator a, memapi_layout layout, memapi_error *err);

/** @brief As `memapi_alloc`, and the `layout.size` bytes of the block are zero. */
/*@ MEMAPI_ACSL_ALLOC(MEMAPI_ACSL_ZEROED) */
MEMAPI_API void *memapi_zalloc(memapi_allocator a, memapi_layout layout, memapi_error *err);

/**
 * @brief Frees a block, returning an error instead of stopping the program (reference `try_dealloc`).
 * Errors: `MEMAPI_E_LAYOUT`; `MEMAPI_E_INVALID_POINTER`; `MEMAPI_E_UNSUPPORTED` (no try_dealloc
 * entry); the allocator's own.
 */
/*@ MEMAPI_ACSL_TRY_DEALLOC */
MEMAPI_API MEMAPI_NODISCARD memapi_status memapi_try_dealloc(memapi_allocator a, void *ptr, memapi_layout layout,
                                                             memapi_error *err);

/**
 * @brief Frees a block; cannot fail (reference `dealloc`). Does nothing when `ptr` is the layout's
 * dangling pointer. Any failure of `memapi_try_dealloc` stops the program through the fatal hook with
 * the reference's message: `deallocation of block at 0xADDR with layout Layout { size: S, align: A }
 * failed: <error text>`.
 */
/*@ MEMAPI_ACSL_DEALLOC */
MEMAPI_API void memapi_dealloc(memapi_allocator a, void *ptr, memapi_layout layout);

/**
 * @brief Grows a block to `new_layout` (reference `grow`), keeping its first `old.size` bytes.
 *
 * Checks, in order: both layouts (`MEMAPI_E_LAYOUT`); the pointer (`MEMAPI_E_INVALID_POINTER`);
 * `new.align < old.align` gives `MEMAPI_E_REALLOC_SMALLER_ALIGN(old.align, new.align)`;
 * `new.size < old.size` gives `MEMAPI_E_GROW_SMALLER(old.size, new.size)`. An identical layout returns
 * `ptr` (once an allocator with `owns` has confirmed the block). On success the old block is gone (unless the same pointer came back); on failure it is
 * intact and still owned by the caller.
 */
/*@ MEMAPI_ACSL_RESIZE(1, 0, MEMAPI_ACSL_GROW_SMALLER(1)) */
MEMAPI_API void *memapi_grow(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                             memapi_error *err);
/** @brief As `memapi_grow`, and the bytes `[old.size, new.size)` are zero. */
/*@ MEMAPI_ACSL_RESIZE(1, 1, MEMAPI_ACSL_GROW_SMALLER(1)) */
MEMAPI_API void *memapi_zgrow(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                              memapi_error *err);
/**
 * @brief Shrinks a block, keeping its first `new.size` bytes (reference `shrink`). Checks as
 * `memapi_grow`, except that `new.size > old.size` gives `MEMAPI_E_SHRINK_LARGER(old.size, new.size)`.
 */
/*@ MEMAPI_ACSL_RESIZE(-1, 0, MEMAPI_ACSL_SHRINK_LARGER(-1)) */
MEMAPI_API void *memapi_shrink(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                               memapi_error *err);
/** @brief Resizes in either direction, keeping `min(old.size, new.size)` bytes (reference `realloc`). */
/*@ MEMAPI_ACSL_RESIZE(0, 0, ) */
MEMAPI_API void *memapi_realloc(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                                memapi_error *err);
/** @brief As `memapi_realloc`; when growing, the bytes `[old.size, new.size)` are zero. */
/*@ MEMAPI_ACSL_RESIZE(0, 1, ) */
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
/*@ MEMAPI_ACSL_TEMP */
MEMAPI_API MEMAPI_NODISCARD memapi_status memapi_alloc_temp(memapi_allocator a, memapi_layout layout,
                                                            memapi_temp_cb cb, void *ctx, memapi_error *err);
/** @brief As `memapi_alloc_temp`, and the `layout.size` bytes are zero when `cb` is called. */
/*@ MEMAPI_ACSL_TEMP */
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
/** @brief `owns` check, then `memapi_dealloc`. */
/*@ MEMAPI_ACSL_CHECKED_DEALLOC */
MEMAPI_API MEMAPI_NODISCARD memapi_status memapi_checked_dealloc(memapi_allocator a, void *ptr,
                                                                 memapi_layout layout, memapi_error *err);
/** @brief `owns` check, then `memapi_grow`. */
/*@ MEMAPI_ACSL_CHECKED_RESIZE(0) */
MEMAPI_API void *memapi_checked_grow(memapi_allocator a, void *ptr, memapi_layout old_layout,
                                     memapi_layout new_layout, memapi_error *err);
/** @brief `owns` check, then `memapi_zgrow`. */
/*@ MEMAPI_ACSL_CHECKED_RESIZE(1) */
MEMAPI_API void *memapi_checked_zgrow(memapi_allocator a, void *ptr, memapi_layout old_layout,
                                      memapi_layout new_layout, memapi_error *err);
/** @brief `owns` check, then `memapi_shrink`. */
/*@ MEMAPI_ACSL_CHECKED_RESIZE(0) */
MEMAPI_API void *memapi_checked_shrink(memapi_allocator a, void *ptr, memapi_layout old_layout,
                                       memapi_layout new_layout, memapi_error *err);
/** @brief `owns` check, then `memapi_realloc`. */
/*@ MEMAPI_ACSL_CHECKED_RESIZE(0) */
MEMAPI_API void *memapi_checked_realloc(memapi_allocator a, void *ptr, memapi_layout old_layout,
                                        memapi_layout new_layout, memapi_error *err);
/** @brief `owns` check, then `memapi_rezalloc`. */
/*@ MEMAPI_ACSL_CHECKED_RESIZE(1) */
MEMAPI_API void *memapi_checked_rezalloc(memapi_allocator a, void *ptr, memapi_layout old_layout,
                                         memapi_layout new_layout, memapi_error *err);
/** @} */
#endif /* MEMAPI_CHECKED_OPS */

/**
 * @brief The library's default resize algorithm (docs/design.md section 3.2, decisions D2-D4), for
 * allocators that implement a resize entry for some cases and fall back to the default for others.
 *
 * Assumes the dispatch checks have been done. Allocates `new_layout` (zeroed when `zero`), copies
 * `min(old.size, new.size)` bytes when `old.size > 0`, then frees the old block; if that free fails,
 * frees the new block and returns the error, leaving the old block intact and owned by the caller.
 */
MEMAPI_API void *memapi_default_resize(memapi_allocator a, void *ptr, memapi_layout old_layout,
                                       memapi_layout new_layout, bool zero, memapi_error *err);

/**
 * @name Out-of-line halves of the inline fast paths
 * What the inline forms of `memapi_alloc`, `memapi_zalloc`, `memapi_grow`, `memapi_shrink` and
 * `memapi_dealloc` call when their fast path does not apply: each is the function of its name
 * (same contract, proved), with the allocator last and its `self` (`a.self`, which the function
 * ignores) first. The arguments then sit where the allocator's entry takes them, so that a caller
 * keeps them in the same registers for both of its paths instead of moving them between the two
 * calling conventions. Call the functions without `_outline` instead.
 * @{
 */
/** @brief `memapi_alloc(a, layout, err)`; `self` is ignored. */
/*@ MEMAPI_ACSL_ALLOC() */
MEMAPI_API void *memapi_alloc_outline(void *self, memapi_layout layout, memapi_error *err, memapi_allocator a);
/** @brief `memapi_zalloc(a, layout, err)`; `self` is ignored. */
/*@ MEMAPI_ACSL_ALLOC(MEMAPI_ACSL_ZEROED) */
MEMAPI_API void *memapi_zalloc_outline(void *self, memapi_layout layout, memapi_error *err, memapi_allocator a);
/** @brief `memapi_grow(a, ptr, old_layout, new_layout, err)`; `self` is ignored. */
/*@ MEMAPI_ACSL_RESIZE(1, 0, MEMAPI_ACSL_GROW_SMALLER(1)) */
MEMAPI_API void *memapi_grow_outline(void *self, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                                     memapi_error *err, memapi_allocator a);
/** @brief `memapi_shrink(a, ptr, old_layout, new_layout, err)`; `self` is ignored. */
/*@ MEMAPI_ACSL_RESIZE(-1, 0, MEMAPI_ACSL_SHRINK_LARGER(-1)) */
MEMAPI_API void *memapi_shrink_outline(void *self, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                                       memapi_error *err, memapi_allocator a);
/** @brief `memapi_dealloc(a, ptr, layout)`; `self` is ignored. */
/*@ MEMAPI_ACSL_DEALLOC */
MEMAPI_API void memapi_dealloc_outline(void *self, void *ptr, memapi_layout layout, memapi_allocator a);
/** @} */

/*
 * Inline fast paths of the dispatch (memapi_alloc, memapi_zalloc, memapi_grow, memapi_shrink,
 * memapi_dealloc). Each one takes, inline in the caller, the path of its function's success case
 * when every check of that function passes, and calls the exported function for everything else (a
 * rejected argument, a missing entry, an identical layout, the library default): the caller then
 * jumps straight to the allocator's entry, and for a constant layout the compiler folds the layout
 * test away. Each has its exported function's contract (alloc_acsl.h), proved of its own body by
 * `make prove`. Define MEMAPI_NO_INLINE_DISPATCH to call the exported functions everywhere;
 * `(memapi_alloc)(...)` calls the exported function for one call.
 */
#if !defined(MEMAPI_NO_INLINE_DISPATCH)
/** @cond MEMAPI_INTERNAL */
/*
 * MEMAPI__IN_REGISTER(x): x is read once into a register. An allocator passed from memory (a
 * caller's `*(memapi_allocator *)p`) was read twice by GCC: into the registers of the outline
 * call's by-value argument, and again for the entry call, on every path (2 instructions). An empty
 * asm that may rewrite x in a register: nothing is emitted, no value changes, so Frama-C (which
 * cannot read asm), Eva (proofs/eva/prelude.h) and compilers other than GCC and clang get nothing in
 * its place.
 */
#if defined(__GNUC__) && !defined(__FRAMAC__) && !defined(MEMAPI__NO_ASM_HINTS)
#define MEMAPI__IN_REGISTER(x) __asm__("" : "+r"(x))
#else
#define MEMAPI__IN_REGISTER(x) ((void)0)
#endif

/*@ MEMAPI_ACSL_ALLOC() */
static inline void *memapi__alloc_inline(memapi_allocator a, memapi_layout layout, memapi_error *err)
{
    MEMAPI__IN_REGISTER(a.self);
    if (MEMAPI_LIKELY(memapi_layout_is_valid(layout) && a.vt != NULL)) {
        const memapi_alloc_vtable vt = *a.vt;
        if (MEMAPI_LIKELY(vt.alloc != NULL))
            return MEMAPI__ENTRY_ALLOC(vt.alloc, a.self, layout, err);
    }
    return memapi_alloc_outline(a.self, layout, err, a);
}

/*@ MEMAPI_ACSL_ALLOC(MEMAPI_ACSL_ZEROED) */
static inline void *memapi__zalloc_inline(memapi_allocator a, memapi_layout layout, memapi_error *err)
{
    MEMAPI__IN_REGISTER(a.self);
    if (MEMAPI_LIKELY(memapi_layout_is_valid(layout) && a.vt != NULL)) {
        const memapi_alloc_vtable vt = *a.vt;
        if (MEMAPI_LIKELY(vt.alloc != NULL && vt.zalloc != NULL))
            return MEMAPI__ENTRY_ZALLOC(vt.zalloc, a.self, layout, err);
    }
    return memapi_zalloc_outline(a.self, layout, err, a);
}

/*
 * The checks of a resize (memapi_resize_pass: both layouts, the pointer, the alignment, the
 * direction, grow when `grow`, else shrink) to a layout other than the block's.
 */
/*@ assigns \nothing;
    ensures \result != 0 <==> memapi_resize_pass(ptr, old_layout, new_layout, grow != 0 ? 1 : -1) &&
                              !memapi_same_layout(old_layout, new_layout);
*/
static inline bool memapi__resize_fast_ok(void *ptr, memapi_layout old_layout, memapi_layout new_layout, bool grow)
{
    return memapi_layout_is_valid(old_layout) && memapi_layout_is_valid(new_layout) && ptr != NULL &&
           ((uintptr_t)ptr & (old_layout.align - 1)) == 0 && new_layout.align >= old_layout.align &&
           ((grow ? new_layout.size > old_layout.size : new_layout.size < old_layout.size) ||
            (new_layout.size == old_layout.size && new_layout.align != old_layout.align));
}

/*@ MEMAPI_ACSL_RESIZE(1, 0, MEMAPI_ACSL_GROW_SMALLER(1)) */
static inline void *memapi__grow_inline(memapi_allocator a, void *ptr, memapi_layout old_layout,
                                        memapi_layout new_layout, memapi_error *err)
{
    if (MEMAPI_LIKELY(memapi__resize_fast_ok(ptr, old_layout, new_layout, true) && a.vt != NULL)) {
        const memapi_alloc_vtable vt = *a.vt;
        if (MEMAPI_LIKELY(vt.grow != NULL))
            return MEMAPI__ENTRY_RESIZE(vt.grow, false, a.self, ptr, old_layout, new_layout, err);
    }
    return memapi_grow_outline(a.self, ptr, old_layout, new_layout, err, a);
}

/*@ MEMAPI_ACSL_RESIZE(-1, 0, MEMAPI_ACSL_SHRINK_LARGER(-1)) */
static inline void *memapi__shrink_inline(memapi_allocator a, void *ptr, memapi_layout old_layout,
                                          memapi_layout new_layout, memapi_error *err)
{
    if (MEMAPI_LIKELY(memapi__resize_fast_ok(ptr, old_layout, new_layout, false) && a.vt != NULL)) {
        const memapi_alloc_vtable vt = *a.vt;
        if (MEMAPI_LIKELY(vt.shrink != NULL))
            return MEMAPI__ENTRY_RESIZE(vt.shrink, false, a.self, ptr, old_layout, new_layout, err);
    }
    return memapi_shrink_outline(a.self, ptr, old_layout, new_layout, err, a);
}

/*@ MEMAPI_ACSL_DEALLOC */
static inline void memapi__dealloc_inline(memapi_allocator a, void *ptr, memapi_layout layout)
{
    MEMAPI__IN_REGISTER(a.self);
    if (MEMAPI_LIKELY(memapi_layout_is_valid(layout))) {
        if (ptr == memapi_layout_dangling(layout))
            return;
        if (MEMAPI_LIKELY(ptr != NULL && ((uintptr_t)ptr & (layout.align - 1)) == 0 && a.vt != NULL)) {
            const memapi_alloc_vtable vt = *a.vt;
            if (MEMAPI_LIKELY(vt.try_dealloc != NULL && vt.dealloc != NULL)) {
                MEMAPI__ENTRY_DEALLOC(vt.dealloc, a.self, ptr, layout);
                return;
            }
        }
    }
    memapi_dealloc_outline(a.self, ptr, layout, a);
}
/** @endcond */

/*
 * Function-like macros, so that `memapi_alloc` without an argument list still names the exported
 * function. Variadic, so that an argument with a comma of its own, such as a compound literal
 * `(memapi_layout){.size = 8, .align = 8}`, is passed whole; the inline function's prototype
 * checks the arguments.
 */
/** @brief memapi_alloc() through its inline fast path (same contract). */
#define memapi_alloc(...) memapi__alloc_inline(__VA_ARGS__)
/** @brief memapi_zalloc() through its inline fast path (same contract). */
#define memapi_zalloc(...) memapi__zalloc_inline(__VA_ARGS__)
/** @brief memapi_grow() through its inline fast path (same contract). */
#define memapi_grow(...) memapi__grow_inline(__VA_ARGS__)
/** @brief memapi_shrink() through its inline fast path (same contract). */
#define memapi_shrink(...) memapi__shrink_inline(__VA_ARGS__)
/** @brief memapi_dealloc() through its inline fast path (same contract). */
#define memapi_dealloc(...) memapi__dealloc_inline(__VA_ARGS__)
#endif /* !MEMAPI_NO_INLINE_DISPATCH */

#ifdef __cplusplus
}
#endif

#endif /* MEMAPI2_ALLOC_H */
