/**
 * @file memapi2/bump.h
 * @brief The bump arena: a caller-supplied buffer handed out front to back (part of the freestanding
 * core: it references no libc symbol).
 *
 * ## Semantics
 * - Blocks are carved from `[base, base + cap)` in order. A block of `layout` starts at the first
 *   address at or after the current offset that is a multiple of `layout.align` (the alignment is of
 *   the address, so any buffer works, whatever its own alignment).
 * - Size 0 returns the layout's dangling pointer (address == align) and uses no space.
 * - Freeing the most recent block gives its space back, alignment padding included. Freeing any
 *   other block of the arena is a no-op (its space comes back with a rewind or a reset).
 * - The most recent block grows and shrinks in place; other blocks are resized by the library
 *   default (allocate in the arena, copy, free the old block, which is then a no-op).
 * - Marks: `memapi_bump_mark` takes the current offset; `memapi_bump_rewind` frees every block
 *   allocated after it at once.
 * - Exclusive: the arena is not thread-safe (no `MEMAPI_CAP_SHARED`); wrap it in `memapi_locked`.
 * - Under AddressSanitizer (library and caller both compiled with it), the parts of the buffer not
 *   inside a live block are poisoned, so an overflow out of a block into free arena space is
 *   reported. Compile the library and its users with the same sanitizer setting.
 */
#ifndef MEMAPI2_BUMP_H
#define MEMAPI2_BUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "alloc.h"
#include "layout.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @cond INTERNAL: 1 when this translation unit is compiled with AddressSanitizer. */
#if defined(__SANITIZE_ADDRESS__)
#define MEMAPI__BUMP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MEMAPI__BUMP_ASAN 1
#endif
#endif
#ifndef MEMAPI__BUMP_ASAN
#define MEMAPI__BUMP_ASAN 0
#endif
/** @endcond */

/**
 * @brief A bump arena. Initialise it with `memapi_bump_init`; the fields are readable but must not
 * be written by the caller.
 *
 * Invariant (`memapi_bump_is_valid`): `last <= off <= cap <= MEMAPI_USIZE_MAX_NO_HIGH_BIT`,
 * `peak <= cap`, `addr == (uintptr_t)base` and `addr + cap` does not wrap around.
 */
typedef struct memapi_bump {
    char *base;    /**< start of the buffer (a `char *`, so that the proofs can do arithmetic on it) */
    uintptr_t addr; /**< `(uintptr_t)base`, so that address alignment is plain integer arithmetic */
    size_t cap;    /**< buffer size in bytes */
    size_t off;    /**< bytes in use: `[base, base + off)` holds every live block */
    /** highest `off` seen before the latest give-back (see `memapi_bump_peak`); kept between `off`
     * and `last` so that compilers store those two with plain moves, not a packed vector store */
    size_t peak;
    size_t last;   /**< offset before the most recent block (its padding included), for LIFO frees */
} memapi_bump;

/*@ // ACSL vocabulary of the arena (proofs/README.md); compilers see only comments.
  // The arena invariant: memapi_bump_is_valid's fields (memapi_bump_fields), plus what C cannot
  // check: the buffer is valid over [base, base + cap) and does not overlap the arena itself.
  predicate memapi_bump_fields{L}(memapi_bump *b) =
    b->addr == (uintptr_t)b->base && b->cap <= memapi_max && b->cap <= UINTPTR_MAX - b->addr &&
    b->last <= b->off && b->off <= b->cap && b->peak <= b->cap && (b->base != \null || b->cap == 0);
  predicate memapi_bump_buffer{L}(memapi_bump *b) =
    (b->base == \null || \object_pointer(b->base)) && \valid(b->base + (0 .. b->cap - 1)) &&
    \separated(b, b->base + (0 .. b->cap - 1));
  predicate memapi_bump_inv{L}(memapi_bump *b) =
    \valid(b) && memapi_bump_fields(b) && memapi_bump_buffer(b);
  // The same predicate on a read-only arena.
  predicate memapi_bump_inv_read{L}(memapi_bump *b) =
    \valid_read(b) && memapi_bump_fields(b) && memapi_bump_buffer(b);

  // The buffer itself (base, addr, cap) is the same at L1 and L2.
  predicate memapi_bump_same_buffer{L1, L2}(memapi_bump *b) =
    \at(b->base, L1) == \at(b->base, L2) && \at(b->addr, L1) == \at(b->addr, L2) &&
    \at(b->cap, L1) == \at(b->cap, L2);
  // Nothing of the arena changed between L1 and L2.
  predicate memapi_bump_unchanged{L1, L2}(memapi_bump *b) =
    memapi_bump_same_buffer{L1, L2}(b) && \at(b->off, L1) == \at(b->off, L2) &&
    \at(b->last, L1) == \at(b->last, L2) && \at(b->peak, L1) == \at(b->peak, L2);

  // Where a block of alignment `align` allocated now would start.
  logic integer memapi_bump_start{L}(memapi_bump *b, integer align) =
    b->off + memapi_bump_pad(b->addr, b->off, align);

  // p is a block of `size` bytes at offset `start` of the buffer: it lies inside [base, base + cap)
  // and its address is a multiple of `align`.
  predicate memapi_bump_block{L}(memapi_bump *b, char *p, integer start, integer size, integer align) =
    0 <= start && start + size <= b->cap && p == b->base + start && (b->addr + start) % align == 0 &&
    \valid(p + (0 .. size - 1));

  // The address a (ptr as an integer) lies in the used part [base, base + off).
  predicate memapi_bump_in_use{L}(memapi_bump *b, integer a) = b->addr <= a < b->addr + b->off;

  // The block at offset o with layout l is the most recent one (what bump.c's is_recent tests): it
  // starts right after the padding that followed `last` and ends at `off`.
  predicate memapi_bump_is_recent{L}(memapi_bump *b, integer o, memapi_layout l) =
    o == b->last + memapi_bump_pad(b->addr, b->last, l.align) && l.size == b->off - o;

  // The peak after the offset moved down from the current one (memapi_bump_peak is then unchanged).
  logic integer memapi_bump_peak_of{L}(memapi_bump *b) = b->peak > b->off ? b->peak : b->off;
*/

/**
 * @brief Initialises `b` over `buf[0 .. cap)`. The buffer must stay valid, and not be used
 * otherwise, as long as the arena is. Under ASan the whole buffer is poisoned.
 *
 * Errors: `MEMAPI_E_INVALID_POINTER` (msg `null buffer`) when `buf` is NULL and `cap > 0`;
 * `MEMAPI_E_LAYOUT` with `EXCEEDS_MAX(cap, 1, 1)` when `cap > MEMAPI_USIZE_MAX_NO_HIGH_BIT`;
 * `MEMAPI_E_INVALID_POINTER` (msg `buffer wraps around the address space`) when `buf + cap` would.
 * On failure `*b` is untouched. A NULL `buf` with `cap == 0` gives an empty, usable arena.
 * @param b must not be NULL
 * @param buf the arena's memory
 * @param cap its size in bytes
 * @param err receives the error on failure; may be NULL
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status memapi_bump_init(memapi_bump *b, void *buf, size_t cap,
                                                           memapi_error *err);

/** @brief True when `b` satisfies the arena invariant (the C mirror of the ACSL predicate). */
MEMAPI_API bool memapi_bump_is_valid(const memapi_bump *b);

#ifdef __FRAMAC__
/*
 * The behaviors of an allocation with a valid layout (the out-of-line path, the vtable entry's fast
 * path), with each behavior's assigns clause (empty for a function that calls the out-of-line path:
 * WP knows of a call only its callee's whole assigns clause).
 */
#define MEMAPI__ACSL_BUMP_ALLOC_VALID(assigns_zero, assigns_oom, assigns_ok) \
    behavior zero_size: \
      assumes memapi_valid_layout(layout) && layout.size == 0; \
      assigns_zero \
      ensures memapi_bump_inv(b); \
      ensures memapi_bump_same_buffer{Pre, Post}(b) && b->peak == \old(b->peak); \
      ensures \result == (void *)(uintptr_t)layout.align; \
      ensures memapi_bump_unchanged{Pre, Post}(b); \
    behavior out_of_memory: \
      assumes memapi_valid_layout(layout) && layout.size > 0 && \
              memapi_bump_start(b, layout.align) + layout.size > b->cap; \
      assigns_oom \
      ensures memapi_bump_inv(b); \
      ensures memapi_bump_same_buffer{Pre, Post}(b) && b->peak == \old(b->peak); \
      ensures \result == \null; \
      ensures memapi_bump_unchanged{Pre, Post}(b); \
      ensures err != \null ==> memapi_bump_err_oom(err, layout); \
    behavior ok: \
      assumes memapi_valid_layout(layout) && layout.size > 0 && \
              memapi_bump_start(b, layout.align) + layout.size <= b->cap; \
      assigns_ok \
      ensures memapi_bump_inv(b); \
      ensures memapi_bump_same_buffer{Pre, Post}(b) && b->peak == \old(b->peak); \
      ensures \result != \null && \result == b->base + \old(memapi_bump_start(b, layout.align)); \
      ensures memapi_bump_block(b, (char *)\result, \old(memapi_bump_start(b, layout.align)), layout.size, \
                                layout.align); \
      ensures \old(b->off) <= \old(memapi_bump_start(b, layout.align)); \
      ensures \separated((char *)\result + (0 .. layout.size - 1), b->base + (0 .. \old(b->off) - 1)); \
      ensures b->off == \old(memapi_bump_start(b, layout.align)) + layout.size; \
      ensures b->last == \old(b->off);
/* The ok behavior's assigns clause, a macro argument with a comma of its own. */
#define MEMAPI__ACSL_BUMP_ASSIGNS_OK assigns b->off, b->last;
#endif

/**
 * @brief The out-of-line allocation path; same contract as `memapi_bump_alloc` (which calls it
 * when its inline fast path does not apply).
 */
/*@ requires memapi_bump_inv(b);
    requires err == \null || \valid(err);
    requires \separated(err, b);
    assigns b->off, b->last, *err;
    behavior invalid_layout:
      assumes !memapi_valid_layout(layout);
      assigns *err;
      ensures memapi_bump_inv(b);
      ensures memapi_bump_same_buffer{Pre, Post}(b) && b->peak == \old(b->peak);
      ensures \result == \null;
      ensures memapi_bump_unchanged{Pre, Post}(b);
      ensures err != \null ==> memapi_check_err(err, layout.size, layout.align);
    MEMAPI__ACSL_BUMP_ALLOC_VALID(assigns \nothing;, assigns *err;, MEMAPI__ACSL_BUMP_ASSIGNS_OK)
    complete behaviors;
    disjoint behaviors;
*/
MEMAPI_API void *memapi_bump_alloc_outline(memapi_bump *b, memapi_layout layout, memapi_error *err);

/** @cond MEMAPI_INTERNAL */
/*
 * memapi_bump_alloc for a layout known to be valid: the arena's vtable entry, which the dispatch
 * calls only with a layout it has validated (the entry contract, alloc.h), so that the layout is
 * not tested twice.
 */
/*@ requires memapi_bump_inv(b);
    requires memapi_valid_layout(layout);
    requires err == \null || \valid(err);
    requires \separated(err, b);
    assigns b->off, b->last, *err;
    MEMAPI__ACSL_BUMP_ALLOC_VALID(, , )
    complete behaviors;
    disjoint behaviors;
*/
static inline void *memapi__bump_alloc_valid(memapi_bump *b, memapi_layout layout, memapi_error *err)
{
#if !MEMAPI__BUMP_ASAN
    if (MEMAPI_LIKELY(layout.size != 0)) {
        /* The padding is that of memapi_bump_alloc_outline. No overflow: off <= cap <= MAX,
         * pad < align, and size <= MAX - (align - 1). */
        size_t off = b->off;
        size_t start = off + (layout.align - (b->addr + off) % layout.align) % layout.align;
        size_t end = start + layout.size;
        if (MEMAPI_LIKELY(end <= b->cap)) {
            b->off = end;
            b->last = off;
            return b->base + start;
        }
    }
#endif
    return memapi_bump_alloc_outline(b, layout, err);
}
/** @endcond */

/**
 * @brief Allocates a block of `layout` from the arena.
 * @param layout the block's layout, checked
 * @param err receives the error on failure; may be NULL
 * @return the block, aligned to `layout.align`; the layout's dangling pointer for size 0; NULL on
 * failure. Errors: `MEMAPI_E_LAYOUT` (invalid layout, as `memapi_layout_check`);
 * `MEMAPI_E_ALLOC_FAILED(layout, out of memory)` when the remaining space (after alignment padding)
 * is too small. On failure the arena is unchanged.
 * @param b a valid arena (precondition, not checked)
 */
/*@ requires memapi_bump_inv(b);
    requires err == \null || \valid(err);
    requires \separated(err, b);
    assigns b->off, b->last, *err;
    behavior invalid_layout:
      assumes !memapi_valid_layout(layout);
      ensures memapi_bump_inv(b);
      ensures memapi_bump_same_buffer{Pre, Post}(b) && b->peak == \old(b->peak);
      ensures \result == \null;
      ensures memapi_bump_unchanged{Pre, Post}(b);
      ensures err != \null ==> memapi_check_err(err, layout.size, layout.align);
    behavior zero_size:
      assumes memapi_valid_layout(layout) && layout.size == 0;
      ensures memapi_bump_inv(b);
      ensures memapi_bump_same_buffer{Pre, Post}(b) && b->peak == \old(b->peak);
      ensures \result == (void *)(uintptr_t)layout.align;
      ensures memapi_bump_unchanged{Pre, Post}(b);
    behavior out_of_memory:
      assumes memapi_valid_layout(layout) && layout.size > 0 &&
              memapi_bump_start(b, layout.align) + layout.size > b->cap;
      ensures memapi_bump_inv(b);
      ensures memapi_bump_same_buffer{Pre, Post}(b) && b->peak == \old(b->peak);
      ensures \result == \null;
      ensures memapi_bump_unchanged{Pre, Post}(b);
      ensures err != \null ==> memapi_bump_err_oom(err, layout);
    behavior ok:
      assumes memapi_valid_layout(layout) && layout.size > 0 &&
              memapi_bump_start(b, layout.align) + layout.size <= b->cap;
      ensures memapi_bump_inv(b);
      ensures memapi_bump_same_buffer{Pre, Post}(b) && b->peak == \old(b->peak);
      ensures \result != \null && \result == b->base + \old(memapi_bump_start(b, layout.align));
      ensures memapi_bump_block(b, (char *)\result, \old(memapi_bump_start(b, layout.align)), layout.size,
                                layout.align);
      ensures \old(b->off) <= \old(memapi_bump_start(b, layout.align));
      ensures \separated((char *)\result + (0 .. layout.size - 1), b->base + (0 .. \old(b->off) - 1));
      ensures b->off == \old(memapi_bump_start(b, layout.align)) + layout.size;
      ensures b->last == \old(b->off);
    complete behaviors;
    disjoint behaviors;
*/
static inline void *memapi_bump_alloc(memapi_bump *b, memapi_layout layout, memapi_error *err)
{
    if (MEMAPI_LIKELY(memapi_layout_is_valid(layout)))
        return memapi__bump_alloc_valid(b, layout, err);
    return memapi_bump_alloc_outline(b, layout, err);
}

/** @brief As `memapi_bump_alloc`, and the `layout.size` bytes of the block are zero. */
/*@ requires memapi_bump_inv(b);
    requires err == \null || \valid(err);
    requires \separated(err, b) && \separated(err, b->base + (b->off .. b->cap - 1));
    assigns b->off, b->last, *err, b->base[b->off .. b->cap - 1];
    behavior invalid_layout:
      assumes !memapi_valid_layout(layout);
      ensures memapi_bump_inv(b);
      ensures memapi_bump_same_buffer{Pre, Post}(b) && b->peak == \old(b->peak);
      ensures \result == \null;
      ensures memapi_bump_unchanged{Pre, Post}(b);
      ensures err != \null ==> memapi_check_err(err, layout.size, layout.align);
    behavior zero_size:
      assumes memapi_valid_layout(layout) && layout.size == 0;
      ensures memapi_bump_inv(b);
      ensures memapi_bump_same_buffer{Pre, Post}(b) && b->peak == \old(b->peak);
      ensures \result == (void *)(uintptr_t)layout.align;
      ensures memapi_bump_unchanged{Pre, Post}(b);
    behavior out_of_memory:
      assumes memapi_valid_layout(layout) && layout.size > 0 &&
              memapi_bump_start(b, layout.align) + layout.size > b->cap;
      ensures memapi_bump_inv(b);
      ensures memapi_bump_same_buffer{Pre, Post}(b) && b->peak == \old(b->peak);
      ensures \result == \null;
      ensures memapi_bump_unchanged{Pre, Post}(b);
      ensures err != \null ==> memapi_bump_err_oom(err, layout);
    behavior ok:
      assumes memapi_valid_layout(layout) && layout.size > 0 &&
              memapi_bump_start(b, layout.align) + layout.size <= b->cap;
      ensures memapi_bump_inv(b);
      ensures memapi_bump_same_buffer{Pre, Post}(b) && b->peak == \old(b->peak);
      ensures \result != \null && \result == b->base + \old(memapi_bump_start(b, layout.align));
      ensures memapi_bump_block(b, (char *)\result, \old(memapi_bump_start(b, layout.align)), layout.size,
                                layout.align);
      ensures \old(b->off) <= \old(memapi_bump_start(b, layout.align));
      ensures \separated((char *)\result + (0 .. layout.size - 1), b->base + (0 .. \old(b->off) - 1));
      ensures b->off == \old(memapi_bump_start(b, layout.align)) + layout.size;
      ensures b->last == \old(b->off);
      ensures memapi_zero_bytes((char *)\result, 0, layout.size);
    complete behaviors;
    disjoint behaviors;
*/
MEMAPI_API void *memapi_bump_zalloc(memapi_bump *b, memapi_layout layout, memapi_error *err);

/**
 * @brief Frees a block (the allocator's try_dealloc entry).
 *
 * The most recent block gives its space back; any other block of the arena: no-op; size 0 or the
 * dangling pointer: no-op. Errors: `MEMAPI_E_LAYOUT` (invalid layout); `MEMAPI_E_INVALID_POINTER`
 * (msg `pointer not owned by this allocator`) when `ptr` lies outside the used part of the arena.
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status memapi_bump_try_dealloc(memapi_bump *b, void *ptr, memapi_layout layout,
                                                                  memapi_error *err);

/** @brief The current offset, to be given to `memapi_bump_rewind` later. */
/*@ requires memapi_bump_inv_read(b);
    assigns \nothing;
    ensures \result == b->off && \result <= b->cap;
*/
static inline size_t memapi_bump_mark(const memapi_bump *b)
{
    return b->off;
}

/**
 * @brief Frees every block allocated after `mark` was taken (their pointers become invalid).
 *
 * Errors: `MEMAPI_E_OTHER` (msg `bump mark beyond the current offset`) when `mark > off`, i.e. a
 * mark taken before an earlier rewind to a lower mark; the arena is then unchanged.
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status memapi_bump_rewind(memapi_bump *b, size_t mark, memapi_error *err);

/** @brief Frees every block: the arena is empty again (the peak is kept). */
MEMAPI_API void memapi_bump_reset(memapi_bump *b);

/**
 * @brief Empties the arena and gives the buffer back to its owner: under ASan the whole buffer is
 * unpoisoned, so that it can be reused outside the arena. `b` is left an empty arena of capacity 0
 * (peak 0).
 */
MEMAPI_API void memapi_bump_release(memapi_bump *b);

/**
 * @brief `MEMAPI_OK` when `[ptr, ptr + layout.size)` lies in the used part `[base, base + off)` of
 * the arena and `ptr` is aligned to `layout.align` (size 0: also the layout's dangling pointer).
 * An arena cannot tell a live block from a freed one inside that range.
 *
 * Errors: `MEMAPI_E_LAYOUT` (invalid layout); `MEMAPI_E_INVALID_POINTER` (msg
 * `pointer not owned by this allocator`).
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status memapi_bump_owns(const memapi_bump *b, const void *ptr,
                                                           memapi_layout layout, memapi_error *err);

/** @brief Bytes in use (alignment padding included). */
/*@ requires memapi_bump_inv_read(b);
    assigns \nothing;
    ensures \result == b->off;
*/
static inline size_t memapi_bump_used(const memapi_bump *b)
{
    return b->off;
}

/** @brief Bytes left at the end of the buffer (an allocation may need padding out of them). */
/*@ requires memapi_bump_inv_read(b);
    assigns \nothing;
    ensures \result == b->cap - b->off;
*/
static inline size_t memapi_bump_remaining(const memapi_bump *b)
{
    return b->cap - b->off;
}

/** @brief The highest number of bytes ever in use at once since init. */
/*@ requires memapi_bump_inv_read(b);
    assigns \nothing;
    ensures \result == memapi_bump_peak_of(b) && b->off <= \result <= b->cap;
*/
static inline size_t memapi_bump_peak(const memapi_bump *b)
{
    return b->peak > b->off ? b->peak : b->off;
}

/** The vtable of the bump arena (name "bump"). */
MEMAPI_API extern const memapi_alloc_vtable memapi_bump_vtable;

/**
 * @brief The arena as an allocator: alloc, zalloc, try_dealloc, grow, zgrow, shrink, realloc,
 * rezalloc and owns as described above; capabilities `DEALLOC | CHECKED_REALLOC | CHECKED_DEALLOC`
 * (exclusive, not shared). `b` must outlive every use of the value.
 */
/*@ assigns \nothing;
    ensures \result.vt == (memapi_alloc_vtable const *)&memapi_bump_vtable;
*/
static inline memapi_allocator memapi_bump_allocator(memapi_bump *b)
{
    memapi_allocator a = {&memapi_bump_vtable, b};
    return a;
}

#ifdef __cplusplus
}
#endif

#endif /* MEMAPI2_BUMP_H */
