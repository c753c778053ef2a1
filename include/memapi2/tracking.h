/**
 * @file memapi2/tracking.h
 * @brief The tracking allocator: wraps another allocator, records every live block with its layout,
 * catches wrong-layout and foreign frees and resizes, counts blocks and bytes, and reports leaks.
 *
 * Frees and resizes with a wrong layout or a foreign pointer are caught before the inner allocator
 * sees them.
 *
 * ## The table of live blocks
 * Its storage is explicit: either an array the caller supplies (`memapi_tracking_init_table`; a full
 * table makes further allocations fail) or memory from the inner allocator
 * (`memapi_tracking_init`; the table starts empty, is allocated on the first allocation, and
 * doubles with `memapi_realloc` when full: 16 entries, then 32, 64, ...). The table's own memory is
 * not counted as a block.
 * Each entry (slot) of the table holds one live block or is free, and a block keeps its slot from
 * the allocation that records it to the free that removes it (a resize updates the slot in place).
 * The same array is a chained hash table keyed by the block address: every free, resize and
 * ownership check finds its slot in O(1) expected time, a free unlinks it from its chain and puts
 * it back on the free slots' list (no other entry moves), and growing the table re-links the
 * entries in O(capacity). An entry is five words (40 bytes on LP64).
 *
 * Which slot a block takes: the free slots form a stack. A new block takes the slot on top; a free
 * puts its slot on top. The slots a table adds (all of them at init, the new ones at a growth, which
 * happens only when every slot is taken) are stacked so that the lowest index comes off first.
 * So a table that has never freed a block holds its blocks in allocation order, and a block
 * allocated after a free takes the most recently freed slot. `memapi_tracking_leaks` and
 * `memapi_tracking_report` visit the live blocks in slot order (ascending index).
 * When recording a new block fails, the block is freed back to the inner allocator and the
 * allocation fails with the table's error: nothing leaks. A block of size 0 that is the layout's
 * dangling pointer owns nothing and is not recorded. Freeing an untracked pointer with a size-0
 * layout, or the layout's dangling pointer with any size, is forwarded to the inner allocator as is
 * (docs/design.md decision D3: such a free is a no-op for the heap allocators).
 *
 * ## Errors of the operations on a block (try_dealloc, grow, zgrow, shrink, realloc, rezalloc, owns)
 * - `MEMAPI_E_INVALID_POINTER` (msg `pointer not owned by this allocator`): `ptr` is not a live
 *   block of this allocator (never returned, or already freed).
 * - `MEMAPI_E_LAYOUT_MISMATCH(ptr, given, recorded)`: the layout differs from the one the block was
 *   allocated (or last resized) with.
 * In both cases the inner allocator is not called and nothing changes. try_dealloc of a recorded
 * block calls the inner allocator's try_dealloc; when that fails, its error is returned and the
 * block stays recorded (the counts unchanged). Resizes are forwarded to the
 * inner allocator (its entry of the same kind, or the library default, as `memapi_grow` ... on it
 * would) and the entry is updated on success.
 *
 * `memapi_dealloc` goes through the dealloc entry: a recorded block with that layout is removed
 * from the table, then freed by the inner allocator (its dealloc entry when it has one) without an
 * error object (if that inner free fails, the program is stopped as `memapi_dealloc` does, with the
 * block no longer recorded); any other call
 * runs try_dealloc and, when it fails, stops the program with the report `memapi_dealloc` gives
 * for a failed try_dealloc (the mismatch or not-owned error's text), as before.
 *
 * Exclusive: the table is not synchronised (no `MEMAPI_CAP_SHARED`).
 */
#ifndef MEMAPI2_TRACKING_H
#define MEMAPI2_TRACKING_H

#include <stdbool.h>
#include <stdint.h>
#include "alloc.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief One slot of the table: a live block (its address and the layout it was allocated, or last
 * resized, with) or a free slot, and the hash links. Five words (session 16 removed the sixth, the
 * back-link `link_` of session 12, and the slots stopped moving: code built against the six-word
 * entry must be rebuilt; `memapi_tracking` gained the field `free_`). Declare arrays of it for
 * `memapi_tracking_init_table`; only read `ptr` and `layout`, and only of a slot whose `ptr` is
 * not NULL (a live block; the slots are in the order the section above describes).
 */
typedef struct memapi_tracking_entry {
    void *ptr;            /**< the block; NULL for a free slot */
    memapi_layout layout; /**< its layout (meaningless in a free slot) */
    size_t bucket_;       /**< private: 1 + index of the first slot of hash bucket (this slot's index), 0 = none */
    size_t next_;         /**< private: live slot: 1 + index of the next slot in its bucket's chain; free
                               slot: 1 + index of the next free slot; 0 = none */
} memapi_tracking_entry;

/** @brief The tracking allocator's state. Use the functions below; do not write the fields. */
typedef struct memapi_tracking {
    memapi_allocator inner;         /**< the wrapped allocator (held by value) */
    memapi_alloc_vtable vt;         /**< this wrapper's vtable */
    memapi_tracking_entry *table;   /**< `cap` slots, `len` of them live */
    size_t len;                     /**< live blocks recorded */
    size_t cap;                     /**< table capacity in entries */
    size_t mask;                    /**< hash buckets - 1 (buckets: the largest power of two <= cap) */
    size_t free_;                   /**< 1 + index of the free slot on top of the stack, 0 = table full */
    bool grows;                     /**< the table comes from `inner` (and is freed by destroy) */
    size_t live_bytes;              /**< sum of the sizes of the live blocks */
    size_t peak_bytes;              /**< highest live_bytes seen */
    uint64_t total_allocs;          /**< successful allocations, size-0 ones included (resizes excluded) */
} memapi_tracking;

/**
 * @brief Initialises `t` around `inner` with a table grown from `inner`.
 * Errors: `MEMAPI_E_UNSUPPORTED` when `inner` has no vtable, no alloc or no try_dealloc entry.
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status memapi_tracking_init(memapi_tracking *t, memapi_allocator inner,
                                                               memapi_error *err);

/**
 * @brief Initialises `t` around `inner` with the caller's table `entries[0 .. capacity)`, which must
 * outlive `t`. When it is full, an allocation fails with
 * `MEMAPI_E_ALLOC_FAILED(layout, "tracking table full")` (cause `other`).
 * Errors: as `memapi_tracking_init`; `MEMAPI_E_INVALID_POINTER` (msg `null table`) when `entries`
 * is NULL and `capacity > 0`.
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status memapi_tracking_init_table(memapi_tracking *t, memapi_allocator inner,
                                                                     memapi_tracking_entry *entries,
                                                                     size_t capacity, memapi_error *err);

/** @brief Frees the table when it came from the inner allocator. Live (leaked) blocks are not freed. */
MEMAPI_API void memapi_tracking_destroy(memapi_tracking *t);

/** @brief Live blocks. */
static inline size_t memapi_tracking_live_blocks(const memapi_tracking *t)
{
    return t->len;
}

/** @brief Live bytes (sum of the live blocks' sizes). */
static inline size_t memapi_tracking_live_bytes(const memapi_tracking *t)
{
    return t->live_bytes;
}

/** @brief The highest number of live bytes seen at once. */
static inline size_t memapi_tracking_peak_bytes(const memapi_tracking *t)
{
    return t->peak_bytes;
}

/** @brief Successful allocations so far (alloc and zalloc; resizes are not counted). */
static inline uint64_t memapi_tracking_total_allocs(const memapi_tracking *t)
{
    return t->total_allocs;
}

/**
 * @brief The layout the live block at `ptr` was allocated (or last resized) with, for a caller
 * that frees without knowing it (the malloc interposer). O(1) expected, like a free.
 *
 * Errors: `MEMAPI_E_INVALID_POINTER` (msg `pointer not owned by this allocator`) when `ptr` is not
 * a live block of `t` (never returned, already freed, or inside a block). `*out` is untouched on
 * failure.
 * @param t the tracking allocator
 * @param ptr the block
 * @param out receives the layout; must not be NULL
 * @param err receives the error on failure; may be NULL
 * @return `MEMAPI_OK` or `MEMAPI_ERROR`
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status memapi_tracking_layout_of(const memapi_tracking *t, const void *ptr,
                                                                    memapi_layout *out, memapi_error *err);

/** @brief Callback of `memapi_tracking_leaks`: called once per live block. */
typedef void (*memapi_tracking_leak_cb)(void *ctx, void *ptr, memapi_layout layout);

/**
 * @brief Calls `cb(ctx, ptr, layout)` for each live block, in slot order (the table's section
 * above says which slot a block takes), and returns their number.
 * The callback must not use the tracking allocator.
 */
MEMAPI_API size_t memapi_tracking_leaks(const memapi_tracking *t, memapi_tracking_leak_cb cb, void *ctx);

/**
 * @brief Writes the leak report, snprintf-style (returns the full length; `>= cap` means
 * truncated; NUL-terminated when `cap > 0`; `buf` may be NULL when `cap == 0`):
 * `N leaked blocks, B bytes\n` followed by one line `  0xADDR Layout(size: S, align: A)\n` per
 * live block, in slot order (as `memapi_tracking_leaks`).
 */
MEMAPI_API size_t memapi_tracking_report(const memapi_tracking *t, char *buf, size_t cap);

/**
 * @brief The tracking allocator as a value: alloc, zalloc, try_dealloc, grow, zgrow, shrink,
 * realloc, rezalloc, owns. Capabilities: the inner allocator's low byte (without SHARED) plus the
 * checked variants of what it has. `t` must outlive every use of the value.
 */
static inline memapi_allocator memapi_tracking_allocator(memapi_tracking *t)
{
    memapi_allocator a = {&t->vt, t};
    return a;
}

#ifdef __cplusplus
}
#endif

#endif /* MEMAPI2_TRACKING_H */
