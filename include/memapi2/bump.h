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

/**
 * @brief Initialises `b` over `buf[0 .. cap)`. The buffer must stay valid, and not be used
 * otherwise, as long as the arena is. Under ASan the whole buffer is poisoned.
 *
 * Errors: `MEMAPI_E_INVALID_POINTER` (msg `null buffer`) when `buf` is NULL and `cap > 0`;
 * `MEMAPI_E_LAYOUT` with `EXCEEDS_MAX(cap, 1, 1)` when `cap > MEMAPI_USIZE_MAX_NO_HIGH_BIT`;
 * `MEMAPI_E_INVALID_POINTER` (msg `buffer wraps around the address space`) when `buf + cap` would.
 * On failure `*b` is untouched. A NULL `buf` with `cap == 0` gives an empty, usable arena.
 * @param b must not be NULL
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status memapi_bump_init(memapi_bump *b, void *buf, size_t cap,
                                                           memapi_error *err);

/** @brief True when `b` satisfies the arena invariant (the C mirror of the ACSL predicate). */
MEMAPI_API bool memapi_bump_is_valid(const memapi_bump *b);

/**
 * @brief The out-of-line allocation path; same contract as `memapi_bump_alloc` (which calls it
 * when its inline fast path does not apply).
 */
MEMAPI_API void *memapi_bump_alloc_outline(memapi_bump *b, memapi_layout layout, memapi_error *err);

/**
 * @brief Allocates a block of `layout` from the arena.
 * @return the block, aligned to `layout.align`; the layout's dangling pointer for size 0; NULL on
 * failure. Errors: `MEMAPI_E_LAYOUT` (invalid layout, as `memapi_layout_check`);
 * `MEMAPI_E_ALLOC_FAILED(layout, out of memory)` when the remaining space (after alignment padding)
 * is too small. On failure the arena is unchanged.
 * @param b a valid arena (precondition, not checked)
 */
static inline void *memapi_bump_alloc(memapi_bump *b, memapi_layout layout, memapi_error *err)
{
#if !MEMAPI__BUMP_ASAN
    if (MEMAPI_LIKELY(memapi_layout_is_valid(layout) && layout.size != 0)) {
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

/** @brief As `memapi_bump_alloc`, and the `layout.size` bytes of the block are zero. */
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
static inline size_t memapi_bump_used(const memapi_bump *b)
{
    return b->off;
}

/** @brief Bytes left at the end of the buffer (an allocation may need padding out of them). */
static inline size_t memapi_bump_remaining(const memapi_bump *b)
{
    return b->cap - b->off;
}

/** @brief The highest number of bytes ever in use at once since init. */
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
static inline memapi_allocator memapi_bump_allocator(memapi_bump *b)
{
    memapi_allocator a = {&memapi_bump_vtable, b};
    return a;
}

#ifdef __cplusplus
}
#endif

#endif /* MEMAPI2_BUMP_H */
