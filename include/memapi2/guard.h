/**
 * @file memapi2/guard.h
 * @brief The guard allocator: every block in its own mapping with guard pages, canaries, a
 * quarantine of freed blocks, and exact diagnostics for misuse (hosted builds only).
 *
 * ## Layout of a guarded block
 * Each guarded block gets its own `mmap` mapping:
 * `[guard_before pages][data pages][guard_after pages]`. Guard pages are `PROT_NONE`. The block
 * ends flush against the trailing guard as far as its alignment allows: its address is the largest
 * multiple of `align` with `ptr + size <= end of the data pages`. So with `align == 1` (or a size that
 * is a multiple of the alignment) the very first byte past the block is in a guard page.
 *
 * When `canary` is on, the slack of the data pages is a canary: the bytes before the block (the
 * first byte of the data pages is 0, the rest a pattern derived from a per-allocator secret and the
 * address) and the alignment slack after it (pattern only, never 0, so that an off-by-one NUL is
 * caught). The canary is checked when the block is freed, and therefore on every resize (resizes are
 * the library default: allocate a new block, copy, free the old one).
 *
 * Metadata (the table of blocks) lives in its own mappings, never next to user memory.
 *
 * ## Misuse detection
 * Through `memapi_try_dealloc` (structured errors; the block stays allocated) or `memapi_dealloc`
 * (which reports the same error through the fatal hook as `deallocation of block at 0xADDR with
 * layout Layout { size: S, align: A } failed: <error text>` and aborts):
 * | misuse | kind | text of the error |
 * |---|---|---|
 * | double free (block in quarantine) | `MEMAPI_E_INVALID_POINTER` | `invalid pointer 0xADDR: double free` |
 * | pointer inside a guarded mapping but not a block start | `MEMAPI_E_INVALID_POINTER` | `invalid pointer 0xADDR: interior pointer` |
 * | pointer this allocator never returned (only when `sample_every == 1`) | `MEMAPI_E_INVALID_POINTER` | `invalid pointer 0xADDR: pointer not owned by this allocator` |
 * | misaligned pointer (rejected by the dispatch) | `MEMAPI_E_INVALID_POINTER` | `invalid pointer 0xADDR: pointer not aligned to its layout` |
 * | layout differs from the allocation's | `MEMAPI_E_LAYOUT_MISMATCH` | `layout mismatch for block at 0xADDR: given Layout(size: S, align: A), allocated with Layout(size: S2, align: A2)` |
 * | canary damaged | `MEMAPI_E_CORRUPTION` | `memory corruption detected at 0xADDR: canary overwritten` |
 *
 * A double free is detected while the freed block is in the quarantine; after it has left the
 * quarantine the pointer is unknown (foreign, or with sampling handed to the fallback).
 *
 * Accesses outside a block fault on a protected page. On the first `memapi_guard_init` the library
 * installs a `SIGSEGV` handler (`sigaction`, `SA_SIGINFO | SA_ONSTACK`; it also gives the calling
 * thread an alternate signal stack if it has none). For a fault address inside a guard page or a
 * quarantined block of any initialised (not yet destroyed) guard allocator it writes one line to
 * standard error with `write(2)`, restores the default action and re-raises `SIGSEGV`:
 * - `memapi guard: overflow past block 0xADDR (Layout(size: S, align: A))` (trailing guard page);
 * - `memapi guard: underflow before block 0xADDR (Layout(size: S, align: A))` (leading guard page,
 *   only with `guard_before > 0`);
 * - `memapi guard: use after free of block 0xADDR (Layout(size: S, align: A))` (a quarantined block,
 *   read or write).
 * Each line ends with a newline. Any other fault is passed to the handler that was installed before
 * (for example AddressSanitizer's), or, if that was the default action, kills the process with
 * `SIGSEGV` as usual. Install your own `SIGSEGV` handler before the first init if you want both.
 * The list of live guard allocators that this handler reads and the saved previous handler are the
 * library's only global state besides the fatal hook (the signal handler has no other way to find
 * them).
 *
 * ## Threads and cost
 * A guard allocator is exclusive (no `MEMAPI_CAP_SHARED`): wrap it in a lock to share it. Init and
 * destroy may run in any thread. Every guarded allocation costs two system calls (`mmap`, `mprotect`)
 * and at least two pages; every free one `mprotect` (plus one `munmap` when a block leaves the
 * quarantine). Looking up a block scans the table: linear in the number of live and quarantined
 * guarded blocks. Use `sample_every` to guard one allocation in N in large programs.
 *
 * Size 0: the layout's dangling pointer, nothing mapped; freeing it is a no-op.
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

/** @brief Options of a guard allocator; start from `memapi_guard_options_default()`. */
typedef struct memapi_guard_options {
    size_t guard_before;  /**< guard pages before each block's data (default 0; > 0 catches underflow) */
    size_t guard_after;   /**< guard pages after each block's data (default 1; 0 disables overflow faults) */
    bool canary;          /**< fill the slack around each block with a canary checked on free (default true) */
    int fill_byte;        /**< byte written over a new (not zeroed) block, or -1 for none (default 0xAA) */
    int free_fill;        /**< byte written over a block when it is freed, before it is protected, or -1 (default -1) */
    size_t quarantine;    /**< freed blocks kept mapped `PROT_NONE` before being unmapped, FIFO (default 16) */
    size_t sample_every;  /**< guard one allocation in N (the 1st, N+1th, ...), the others go to `fallback`; 1 = all (default 1) */
    memapi_allocator fallback; /**< serves the sampled-out allocations (default `memapi_default()`) */
} memapi_guard_options;

/** @brief Counters of a guard allocator (see `memapi_guard_stats`). */
typedef struct memapi_guard_statistics {
    size_t live_blocks;        /**< guarded blocks allocated and not yet freed */
    size_t mapped_bytes;       /**< bytes mapped for live and quarantined blocks, guard pages included */
    size_t quarantined_blocks; /**< freed blocks still mapped in the quarantine */
    size_t guarded_allocs;     /**< guarded allocations made since init (size 0 excluded) */
    size_t sampled_out_allocs; /**< allocations handed to the fallback since init */
} memapi_guard_statistics;

struct memapi__guard_entry;

/**
 * @brief State of a guard allocator. All fields are private: use the functions below. The struct
 * must stay at the same address between `memapi_guard_init` and `memapi_guard_destroy` (the signal
 * handler finds it through a list).
 */
typedef struct memapi_guard {
    memapi_guard_options opts;          /**< private: the validated options */
    size_t page;                        /**< private: the page size */
    uint64_t secret;                    /**< private: per-allocator secret the canaries derive from */
    struct memapi__guard_entry *table;  /**< private: blocks (live and quarantined), own mapping */
    size_t count;                       /**< private: entries in use */
    size_t cap;                         /**< private: entries the table mapping holds */
    void **ring;                        /**< private: quarantine FIFO of block addresses, own mapping */
    size_t ring_head;                   /**< private: index of the oldest quarantined block */
    size_t alloc_seq;                   /**< private: allocations seen, for sampling */
    memapi_guard_statistics stats;         /**< private: counters */
    struct memapi_guard *next;          /**< private: next live guard allocator (signal handler list) */
} memapi_guard;

/** @brief The default options: 0 guard pages before, 1 after, canary on, fill 0xAA, no free fill,
 * quarantine 16, guard every allocation, fallback `memapi_default()`. */
MEMAPI_API memapi_guard_options memapi_guard_options_default(void);

/**
 * @brief Initialises `g` with `opts` (NULL means the defaults) and registers it with the `SIGSEGV`
 * handler (installed on the first call).
 *
 * Errors: `MEMAPI_E_OTHER` with `guard options: sample_every must be at least 1`,
 * `guard options: fill_byte and free_fill must be -1 or 0..255`,
 * `guard options: the fallback needs alloc and try_dealloc` (when `sample_every > 1`);
 * `guard options: guard_before and guard_after must be at most 65536 pages`, or
 * `guard: cannot install the SIGSEGV handler`;
 * `MEMAPI_E_ALLOC_FAILED` (layout of the quarantine ring, cause `os error`) when its mapping fails. On failure `g` is not registered and needs no destroy.
 * @param g must not be NULL; must not be an initialised guard allocator
 * @param opts the options, copied; NULL for memapi_guard_options_default()
 * @param err receives the error on failure; may be NULL
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status memapi_guard_init(memapi_guard *g, const memapi_guard_options *opts,
                                                            memapi_error *err);

/**
 * @brief Unregisters `g` and unmaps everything it mapped: live blocks (their pointers become
 * invalid), quarantined blocks and the metadata. Blocks of the fallback are not touched.
 */
MEMAPI_API void memapi_guard_destroy(memapi_guard *g);

/**
 * @brief The allocator value of `g` (vtable name "guard", capabilities DEALLOC, REALLOC,
 * CHECKED_DEALLOC and CHECKED_REALLOC; the resizes are the library default).
 *
 * alloc: size 0 gives the dangling pointer; otherwise, for a guarded allocation, a fresh mapping as
 * described above, filled with `fill_byte` (zalloc: zero); errors `MEMAPI_E_ALLOC_FAILED(layout,
 * os error errno)` when `mmap` or `mprotect` fails. A sampled-out allocation is the fallback's, with
 * its errors; a failure to grow the block table is reported the same way, with the caller's layout.
 * try_dealloc: the checks in the table above, then `free_fill` over the block, `PROT_NONE` and the
 * quarantine; pointers it does not know go to the fallback when `sample_every > 1`. owns: `MEMAPI_OK`
 * for a live guarded block with exactly that layout (the canary is not checked) and for a size-0
 * layout's dangling pointer; otherwise the try_dealloc errors, except that a freed block gives
 * `invalid pointer 0xADDR: block already freed`, and unknown pointers when sampling go to the
 * fallback's owns (`MEMAPI_E_UNSUPPORTED` if it has none).
 */
MEMAPI_API memapi_allocator memapi_guard_allocator(memapi_guard *g);

/** @brief The counters of `g` (a copy). */
MEMAPI_API memapi_guard_statistics memapi_guard_stats(const memapi_guard *g);

#ifdef __cplusplus
}
#endif

#endif /* MEMAPI2_GUARD_H */
