/**
 * @file memapi2/guard.h
 * @brief The guard allocator: guarded blocks in a pool of slots separated by guard pages, canaries,
 * a quarantine of freed blocks, and exact diagnostics for misuse (hosted builds, Linux).
 *
 * ## The pool
 * `memapi_guard_init` reserves one region of `pool_slots` slots; a guarded block takes one slot and
 * no mapping of its own. Each slot is `[1 guard page][slot_pages data pages][1 guard page]`: every
 * slot has its own guard page on each side, so a fault in a guard page belongs to exactly one slot.
 * Only the data pages covering a live block are accessible; the other data pages of its slot, the
 * guard pages and every free or quarantined slot are not. Whether a pointer belongs to the pool is
 * one address-range test; its slot index (and so its record) is one division: O(1) whatever the
 * number of blocks.
 *
 * Pages are made inaccessible with Linux guard regions (`madvise(MADV_GUARD_INSTALL)`, Linux 6.13
 * and later), which cost no mapping: the pool is at most two mappings however many blocks are live.
 * Init only reserves the pool (`PROT_NONE`, no page table); slots are armed in order as they are
 * first needed, a doubling run at a time (1 MiB of address space first, at most 64 MiB per step):
 * their guard regions are installed while they are still `PROT_NONE`, then they become read-write.
 * So a process that guards few blocks pays for few pages, and never-used slots are as inaccessible
 * as the others. On older kernels (or with `force_mprotect`) the pool stays `PROT_NONE` and the
 * guard opens each block's pages with `mprotect`; the kernel then counts two mappings per live
 * block against the process limit (`vm.max_map_count`, 65,530 by default): the pool holds about
 * 32,750 live blocks there, and the allocations past that are treated as a full pool (below),
 * never as a bare out-of-memory.
 *
 * Metadata (one record per slot, the free-slot queue and the quarantine ring) lives in its own
 * mapping, allocated whole at init and never moved, with an inaccessible page on each side: it is
 * never next to a slot, and a stray write that runs off a block faults before it can reach it.
 *
 * ## Placement of a block in its slot
 * - `MEMAPI_GUARD_PLACE_END` (default): the block ends flush against the trailing guard as far as its
 *   alignment allows (address: the largest multiple of `align` with `ptr + size <= end of the data
 *   pages`). Overflow faults at once on the first byte past the block (or, with an alignment slack,
 *   is caught by the canary on free); underflow faults at once on the first byte before the page the
 *   block starts in, and within that page is caught by the canary on free.
 * - `MEMAPI_GUARD_PLACE_START`: the block starts at the first data page (rounded up to `align` when
 *   `align` exceeds the page size). Underflow faults at once on the first byte before the block;
 *   overflow faults at once past the page the block ends in, and within that page is caught by the
 *   canary on free.
 * - `MEMAPI_GUARD_PLACE_ALTERNATE`: the guarded allocations alternate, the first at the end, the
 *   second at the start, and so on: over a run, each side of each kind of block gets the immediate
 *   check.
 *
 * When `canary` is on, the bytes of the block's pages that are not the block (its slack) hold a
 * pattern derived from a per-allocator secret and the block's address, with no zero byte (an
 * off-by-one NUL is caught). The canary is checked when the block is freed and when `owns` is asked
 * about it, and therefore on every resize: a resize to a new layout is the library default (allocate
 * a new block, copy, free the old one), and a resize to the identical layout asks `owns` first.
 *
 * ## Capacity
 * A block fits a slot when `round_up(size, page) + (align > page ? align - page : 0)` is at most
 * `slot_pages * page`. The pool holds `pool_slots` live blocks; quarantined blocks never take a slot a
 * new block needs (the oldest leaves the quarantine instead). A guarded allocation the pool cannot
 * hold (every slot live, the mapping limit above, the kernel out of memory (`ENOMEM`) for arming
 * the next never-used slots while no other slot is free, or a block larger than a slot):
 * - with `sample_every > 1`, goes to the fallback allocator, like a sampled-out one, and is counted in
 *   `capacity_fallbacks` (full pool, mapping limit) or `oversize_fallbacks` (larger than a slot);
 * - with `sample_every == 1` (nothing goes to the fallback), fails with `MEMAPI_E_ALLOC_FAILED`, the
 *   caller's layout and the cause `guard pool full` or `block larger than a guard slot`
 *   (`MEMAPI_CAUSE_OTHER`): distinct from an operating-system failure, which has an `os error` cause.
 *
 * ## Misuse detection
 * Through `memapi_try_dealloc` (structured errors; the block stays allocated) or `memapi_dealloc`
 * (which reports the same error through the fatal hook as `deallocation of block at 0xADDR with
 * layout Layout { size: S, align: A } failed: <error text>` and aborts):
 * | misuse | kind | text of the error |
 * |---|---|---|
 * | double free (the slot holds the freed block: not reused yet) | `MEMAPI_E_INVALID_POINTER` | `invalid pointer 0xADDR: double free` |
 * | pointer inside a slot that holds or held a block, but not its start | `MEMAPI_E_INVALID_POINTER` | `invalid pointer 0xADDR: interior pointer` |
 * | pointer this allocator never returned (outside the pool: only while nothing can be the fallback's, see try_dealloc) | `MEMAPI_E_INVALID_POINTER` | `invalid pointer 0xADDR: pointer not owned by this allocator` |
 * | misaligned pointer (rejected by the dispatch) | `MEMAPI_E_INVALID_POINTER` | `invalid pointer 0xADDR: pointer not aligned to its layout` |
 * | layout differs from the allocation's | `MEMAPI_E_LAYOUT_MISMATCH` | `layout mismatch for block at 0xADDR: given Layout(size: S, align: A), allocated with Layout(size: S2, align: A2)` |
 * | canary damaged | `MEMAPI_E_CORRUPTION` | `memory corruption detected at 0xADDR: canary overwritten` |
 *
 * A freed block keeps its slot for at least `quarantine` later frees; after that the slot joins a
 * FIFO of free slots, and slots never used are taken first, so a slot is reused as late as the pool
 * allows. Until its slot is reused, a freed block's record stays: a double free or an access to it is
 * named.
 *
 * Accesses outside a block fault on an inaccessible page. On the first `memapi_guard_init` the
 * library installs a `SIGSEGV` handler (`sigaction`, `SA_SIGINFO | SA_ONSTACK`; it also gives the
 * calling thread an alternate signal stack if it has none). For a fault address inside a slot of any
 * initialised (not yet destroyed) guard allocator that holds or held a block, it writes one line to
 * standard error with `write(2)`, restores the default action and re-raises `SIGSEGV`:
 * - `memapi guard: overflow past block 0xADDR (Layout(size: S, align: A))` (after a live block, in
 *   its slot or its trailing guard page);
 * - `memapi guard: underflow before block 0xADDR (Layout(size: S, align: A))` (before a live block, in
 *   its slot or its leading guard page);
 * - `memapi guard: use after free of block 0xADDR (Layout(size: S, align: A))` (a freed block's
 *   pages, read or write; outside them, a freed block's slot gives the overflow or underflow line).
 * Each line ends with a newline. Any other fault is passed to the handler that was installed before
 * (for example AddressSanitizer's), or, if that was the default action, kills the process with
 * `SIGSEGV` as usual. Install your own `SIGSEGV` handler before the first init if you want both.
 * The list of live guard allocators that this handler reads and the saved previous handler are the
 * library's only global state besides the fatal hook (the signal handler has no other way to find
 * them).
 *
 * The handler is async-signal-safe against the allocator running in other threads: the pool and the
 * records never move while the allocator lives; each record is written as atomics under a sequence
 * counter, and the handler retries a read that raced with a write; the list of allocators is
 * published with atomics. It takes no lock and allocates nothing. `memapi_guard_destroy` must not
 * run while another thread may fault on that allocator's pool.
 *
 * ## Threads and cost
 * A guard allocator is exclusive (no `MEMAPI_CAP_SHARED`): wrap it in a lock to share it. Init and
 * destroy may run in any thread. Init costs a few system calls whatever the pool size. A guarded
 * allocation costs one `madvise` (or `mprotect`) and the page faults of its pages, plus, when it is
 * the first to need a not yet armed slot, arming the next run of slots (one `madvise` and one
 * `mprotect`); a free one `madvise` (or `mprotect` plus `madvise(MADV_DONTNEED)`), which
 * also gives the freed pages back to the system. A sampled-out allocation or free costs the fallback's
 * price plus a counter and an address-range test: no table is searched.
 *
 * Size 0: the layout's dangling pointer, no slot; freeing it is a no-op.
 */
#ifndef MEMAPI2_GUARD_H
#define MEMAPI2_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "alloc.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Where a guarded block sits in its slot (see the file comment). */
typedef enum memapi_guard_placement {
    MEMAPI_GUARD_PLACE_END = 0,      /**< flush against the trailing guard: overflow faults at once */
    MEMAPI_GUARD_PLACE_START = 1,    /**< flush against the leading guard: underflow faults at once */
    MEMAPI_GUARD_PLACE_ALTERNATE = 2 /**< end, start, end, ... per guarded allocation */
} memapi_guard_placement;

/** @brief Options of a guard allocator; start from `memapi_guard_options_default()`. */
typedef struct memapi_guard_options {
    size_t pool_slots;    /**< slots of the pool: live guarded blocks it holds (default 4096, 1 .. 2^32 - 1) */
    size_t slot_pages;    /**< data pages per slot: the largest block it holds (default 4, 1 .. 65536) */
    memapi_guard_placement placement; /**< where a block sits in its slot (default `MEMAPI_GUARD_PLACE_END`) */
    bool canary;          /**< fill the slack around each block with a canary checked on free (default true) */
    int fill_byte;        /**< byte written over a new (not zeroed) block, or -1 for none (default 0xAA) */
    int free_fill;        /**< byte written over a block when it is freed, before it is protected, or -1 (default -1) */
    size_t quarantine;    /**< freed blocks whose slots are kept from reuse, FIFO (default 16, at most `pool_slots`) */
    size_t sample_every;  /**< guard one allocation in N (the 1st, N+1th, ...), the others go to `fallback`; 1 = all (default 1) */
    memapi_allocator fallback; /**< serves the sampled-out allocations (default `memapi_default()`) */
    bool force_mprotect;  /**< protect pages with `mprotect` even where guard regions exist (default false) */
} memapi_guard_options;

/** @brief Counters of a guard allocator (see `memapi_guard_stats`). */
typedef struct memapi_guard_statistics {
    size_t live_blocks;        /**< guarded blocks allocated and not yet freed */
    size_t accessible_bytes;   /**< bytes of the pages made accessible for live blocks */
    size_t quarantined_blocks; /**< freed blocks whose slots are kept from reuse */
    size_t guarded_allocs;     /**< guarded allocations made since init (size 0 excluded) */
    size_t sampled_out_allocs; /**< allocations sampling handed to the fallback since init */
    size_t capacity_fallbacks; /**< guarded allocations the full pool handed to the fallback (`sample_every > 1`) */
    size_t oversize_fallbacks; /**< guarded allocations larger than a slot handed to the fallback (`sample_every > 1`) */
    size_t pool_bytes;         /**< bytes reserved for the pool (address space; only accessible pages use memory) */
    size_t metadata_bytes;     /**< bytes of the metadata mapping, its two guard pages included */
    bool uses_mprotect;        /**< true when pages are protected with `mprotect` (no guard regions, or forced) */
} memapi_guard_statistics;

struct memapi__guard_meta;

/**
 * @brief State of a guard allocator. All fields are private: use the functions below. The struct
 * must stay at the same address between `memapi_guard_init` and `memapi_guard_destroy`.
 */
typedef struct memapi_guard {
    memapi_guard_options opts;          /**< private: the validated options */
    size_t page;                        /**< private: the page size */
    size_t stride;                      /**< private: bytes per slot, guard pages included */
    uint64_t secret;                    /**< private: per-allocator secret the canaries derive from */
    uintptr_t pool;                     /**< private: address of the first slot */
    size_t pool_bytes;                  /**< private: bytes of the pool mapping */
    struct memapi__guard_meta *meta;    /**< private: records, queues and the handler's view, own mapping */
    size_t meta_bytes;                  /**< private: bytes of the metadata mapping, guard pages included */
    size_t fresh;                       /**< private: slots [fresh, pool_slots) were never used */
    size_t armed;                       /**< private: slots [0, armed) are armed (guard regions, read-write) */
    size_t free_head;                   /**< private: index of the oldest entry of the free-slot FIFO */
    size_t free_count;                  /**< private: entries in the free-slot FIFO */
    size_t ring_head;                   /**< private: index of the oldest quarantined slot */
    size_t countdown;                   /**< private: allocations until the next guarded one */
    size_t placements;                  /**< private: guarded allocations placed, for the alternate placement */
    bool use_mprotect;                  /**< private: pages are protected with mprotect */
    memapi_guard_statistics stats;      /**< private: counters */
} memapi_guard;

/** @brief The default options: 4096 slots of 4 data pages, blocks at the end of their slot, canary
 * on, fill 0xAA, no free fill, quarantine 16, guard every allocation, fallback `memapi_default()`,
 * guard regions where the kernel has them. */
MEMAPI_API memapi_guard_options memapi_guard_options_default(void);

/**
 * @brief Initialises `g` with `opts` (NULL means the defaults): reserves the pool and the metadata
 * and registers `g` with the `SIGSEGV` handler (installed on the first call).
 *
 * Errors: `MEMAPI_E_OTHER` with `guard options: sample_every must be at least 1`,
 * `guard options: fill_byte and free_fill must be -1 or 0..255`,
 * `guard options: the fallback needs alloc and try_dealloc` (when `sample_every > 1`),
 * `guard options: pool_slots must be 1 .. 4294967295 and slot_pages 1 .. 65536`,
 * `guard options: quarantine must be at most pool_slots`,
 * `guard options: unknown placement`,
 * `guard options: the pool would exceed 2^46 bytes`, or
 * `guard: cannot install the SIGSEGV handler`;
 * `MEMAPI_E_ALLOC_FAILED` (layout `{bytes of the mapping, page size}`, cause `os error`) when the pool
 * or the metadata cannot be mapped. On failure `g` is not registered and needs no destroy.
 * @param g must not be NULL; must not be an initialised guard allocator
 * @param opts the options, copied; NULL for memapi_guard_options_default()
 * @param err receives the error on failure; may be NULL
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status memapi_guard_init(memapi_guard *g, const memapi_guard_options *opts,
                                                            memapi_error *err);

/**
 * @brief Unregisters `g` and unmaps the pool (live blocks' pointers become invalid) and the
 * metadata. Blocks of the fallback are not touched. No other thread may be using `g` or faulting on
 * its pool.
 */
MEMAPI_API void memapi_guard_destroy(memapi_guard *g);

/**
 * @brief Changes the sampling rate of `g` from the next allocation on: one allocation in `n` is
 * guarded, the next one included.
 *
 * Errors: `MEMAPI_E_OTHER` with `guard options: sample_every must be at least 1`, or, when `n > 1`,
 * `guard options: the fallback needs alloc and try_dealloc`; `g` is then unchanged.
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status memapi_guard_set_sample_every(memapi_guard *g, size_t n,
                                                                        memapi_error *err);

/**
 * @brief The allocator value of `g` (vtable name "guard", capabilities DEALLOC, REALLOC,
 * CHECKED_DEALLOC and CHECKED_REALLOC; the resizes are the library default).
 *
 * alloc: size 0 gives the dangling pointer; otherwise, for a guarded allocation, a slot as described
 * above, its block filled with `fill_byte` (zalloc: zero); errors: the capacity rules above, and
 * `MEMAPI_E_ALLOC_FAILED(layout, os error errno)` when the kernel refuses to make the pages
 * accessible for another reason. A sampled-out allocation is the fallback's, with its errors.
 * try_dealloc: the checks in the table above, then `free_fill` over the block, the pages made
 * inaccessible (their contents are discarded) and the quarantine; pointers outside the pool go to
 * the fallback when `sample_every > 1` or once any allocation has gone to it. owns: `MEMAPI_OK` for a live guarded block with exactly that
 * layout and an intact canary, and for a size-0 layout's dangling pointer; otherwise the
 * try_dealloc errors, except that a freed block gives `invalid pointer 0xADDR: block already freed`,
 * and pointers outside the pool go to the fallback's owns under the same condition (`MEMAPI_E_UNSUPPORTED` if it
 * has none).
 */
MEMAPI_API memapi_allocator memapi_guard_allocator(memapi_guard *g);

/**
 * @brief True when `ptr` lies in the pool of `g` (a slot, its guard pages included): one
 * address-range test, O(1), without a lock. The pool never moves while `g` lives, so any thread may
 * ask while another allocates. A pointer outside the pool was never a guarded block of `g`: it
 * belongs to the fallback or to nobody.
 * @param g an initialised guard allocator
 * @param ptr any pointer
 * @return whether `ptr` is inside the pool
 */
/*@ requires \valid_read(g);
    // Always true in C; WP 25 does not know the range of a pointer converted to an integer.
    requires (uintptr_t)ptr <= UINTPTR_MAX;
    assigns \nothing;
    ensures \result <==> (uintptr_t)ptr >= g->pool && (uintptr_t)ptr - g->pool < g->pool_bytes;
*/
static inline bool memapi_guard_contains(const memapi_guard *g, const void *ptr)
{
    return (uintptr_t)ptr >= g->pool && (uintptr_t)ptr - g->pool < g->pool_bytes;
}

/**
 * @brief The layout the guarded block at `ptr` was allocated with, as its slot records it, for a
 * caller that frees without knowing the layout (the malloc interposer). The block may be live or
 * freed: a free of a freed block with this layout then reports `double free`.
 *
 * Errors (`MEMAPI_E_INVALID_POINTER`, the texts of the misuse table): `pointer not owned by this
 * allocator` when `ptr` is outside the pool or its slot never held a block; `interior pointer`
 * when `ptr` is not the start of its slot's block. `*out` is untouched on failure.
 * @param g an initialised guard allocator
 * @param ptr the block
 * @param out receives the layout; must not be NULL
 * @param err receives the error on failure; may be NULL
 * @return `MEMAPI_OK` or `MEMAPI_ERROR`
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status memapi_guard_block_layout(const memapi_guard *g, const void *ptr,
                                                                    memapi_layout *out, memapi_error *err);

/** @brief The counters of `g` (a copy). */
MEMAPI_API memapi_guard_statistics memapi_guard_stats(const memapi_guard *g);

#ifdef __cplusplus
}
#endif

#endif /* MEMAPI2_GUARD_H */
