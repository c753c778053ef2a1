/**
 * @file memapi2/cmalloc.h
 * @brief A malloc-compatible front end over any memapi allocator: `malloc`, `calloc`, `realloc`,
 * `reallocarray`, `free`, `aligned_alloc`, `posix_memalign` and `malloc_usable_size` with C's
 * semantics, for code that frees and resizes without knowing the layout (hosted builds).
 *
 * Each function takes the allocator first and, when it can fail, `memapi_error *err` last (may be
 * NULL). The C library's contract is kept: NULL on failure with `errno` set (`ENOMEM` when the
 * request cannot be served: a size that cannot be represented, or any refusal of the allocator,
 * whatever its error; `EINVAL` for an invalid argument or, in realloc, a misuse detected), and a
 * failed `realloc` leaves the old block allocated and intact.
 *
 * ## Size 0 and NULL (glibc's documented behaviour, one of the two C17 allows)
 * - `memapi_cmalloc_malloc(a, 0)` (and `calloc` with a zero count or size, `aligned_alloc` and
 *   `posix_memalign` with size 0) returns a unique non-NULL pointer that must be freed; its usable
 *   size is 0 and none of its bytes may be accessed. (C17 7.22.3: "either a null pointer is
 *   returned, or the behavior is as if the size were some nonzero value"; glibc does the latter.)
 * - `memapi_cmalloc_realloc(a, p, 0)` with `p != NULL` frees `p` and returns NULL, as glibc does
 *   (C17 7.22.3.5 leaves it to the implementation; C23 makes it undefined). That NULL is not a
 *   failure: `errno` and `*err` are untouched, unless freeing `p` failed (a detected misuse: then
 *   `errno == EINVAL`, `*err` says why, and `p` is still allocated).
 * - `memapi_cmalloc_realloc(a, NULL, n)` is `memapi_cmalloc_malloc(a, n)`.
 * - `memapi_cmalloc_free(a, NULL)` and `memapi_cmalloc_usable_size(a, NULL)` do nothing (the
 *   latter returns 0).
 *
 * ## Where the layout is kept: a header before the block
 * The front end asks the allocator for `{H + n, A}` where `A` is the alignment (at least
 * `MEMAPI_MIN_ALIGN`) and `H = A` (`MEMAPI_CMALLOC_HEADER` for malloc), and returns the block's
 * address plus `H`. The last two words before the returned pointer hold the requested size and a
 * tag: the base-2 logarithm of `A` and a check value computed from the pointer, the size and that
 * logarithm (so that any overwritten byte of the two words is noticed). free
 * and realloc rebuild the exact layout from them in O(1), with no lock, no table and no state of
 * the front end's own, so the same functions work over every allocator (stateless or not, shared
 * or exclusive) and cost one read of the word before the block. The price is `H` bytes per block
 * (16 on x86-64) and, for blocks over-aligned beyond `MEMAPI_MIN_ALIGN`, `A` bytes; `make bench`
 * measures the time (row `cmalloc(default)` against raw `malloc`/`free`). A side table
 * (pointer -> layout) would cost no bytes in the block but a hash lookup and a lock on every
 * free, and one table per allocator (docs/design.md, "The malloc front end").
 *
 * The tag is checked on every free, realloc and usable_size: a pointer that was not returned by
 * this front end, or whose header was overwritten (an underflow), fails with
 * `MEMAPI_E_INVALID_POINTER` (msg `no memapi_cmalloc header before the pointer`) before the
 * allocator sees it. The check is not a defence against a forged header; the allocator's own
 * checks (guard, tracking) come after it. A pointer not aligned to `MEMAPI_MIN_ALIGN` fails with
 * `MEMAPI_E_INVALID_POINTER` (msg `pointer not aligned to its layout`) without reading memory.
 * A pointer that is neither NULL nor at least `MEMAPI_CMALLOC_HEADER` bytes into readable memory
 * is undefined behaviour, as for C's free.
 *
 * ## Alignment and realloc
 * malloc, calloc and realloc blocks are aligned to `MEMAPI_MIN_ALIGN` (`_Alignof(max_align_t)`,
 * glibc's guarantee). A block from `aligned_alloc` or `posix_memalign` keeps its alignment across
 * `memapi_cmalloc_realloc` (the resize asks for the block's own alignment, so no resize can fail
 * with `MEMAPI_E_REALLOC_SMALLER_ALIGN`).
 *
 * ## Errors
 * What `*err` can hold: the allocator's own errors (`MEMAPI_E_ALLOC_FAILED` with the layout asked
 * for, header included); `MEMAPI_E_LAYOUT` or `MEMAPI_E_ARITH` for a size that cannot be
 * represented (then `errno == ENOMEM`, as C's malloc(SIZE_MAX)); `MEMAPI_E_LAYOUT` with
 * `ZERO_ALIGN` or `NON_POW2_ALIGN` for aligned_alloc's bad alignment (`EINVAL`); the misuse kinds
 * (`MEMAPI_E_INVALID_POINTER`, `MEMAPI_E_LAYOUT_MISMATCH`, `MEMAPI_E_CORRUPTION`; `EINVAL`).
 * `memapi_cmalloc_is_oom` and `memapi_cmalloc_is_misuse` tell them apart.
 *
 * Thread safety is the allocator's: the front end keeps no state.
 */
#ifndef MEMAPI2_CMALLOC_H
#define MEMAPI2_CMALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include "alloc.h"
#include "default.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes the front end adds before a malloc, calloc or realloc block (the header; `MEMAPI_MIN_ALIGN`). */
#define MEMAPI_CMALLOC_HEADER MEMAPI_MIN_ALIGN

/**
 * @brief The layout the front end asks the allocator for when `size` bytes are requested with
 * `alignment` (0, or anything up to `MEMAPI_MIN_ALIGN`, means malloc's): `{H + size, A}` with
 * `A = max(alignment, MEMAPI_MIN_ALIGN)` and `H = A`. A custom allocator, a tracking allocator's
 * report or a failing allocator's size rule sees exactly this layout.
 * @param size the requested size
 * @param alignment the requested alignment, or 0
 * @param out receives the layout on success; untouched on failure. Must not be NULL.
 * @param err `MEMAPI_E_LAYOUT` (`NON_POW2_ALIGN`) for an alignment that is not a power of two;
 *        `MEMAPI_E_ARITH` (`ArithErr(H, +, size)`) or `MEMAPI_E_LAYOUT` (`EXCEEDS_MAX`) when the
 *        size cannot be represented; may be NULL
 * @return `MEMAPI_OK` or `MEMAPI_ERROR`
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status memapi_cmalloc_layout(size_t size, size_t alignment, memapi_layout *out,
                                                                memapi_error *err);

/**
 * @brief C's `malloc`: `size` bytes aligned to `MEMAPI_MIN_ALIGN`, contents unspecified (whatever
 * the allocator leaves there). Size 0 gives a unique pointer (see the file comment).
 * @param a the allocator; it needs alloc (and try_dealloc for free)
 * @param size bytes requested
 * @param err on failure: the allocator's error, or a size error (`errno == ENOMEM`); may be NULL
 * @return the block, or NULL with `errno == ENOMEM`
 */
MEMAPI_API void *memapi_cmalloc_malloc(memapi_allocator a, size_t size, memapi_error *err);

/**
 * @brief C's `calloc`: `nmemb * size` zero bytes. An overflowing product fails with
 * `MEMAPI_E_ARITH` (`ArithErr(nmemb, *, size)`) and `errno == ENOMEM`, as C requires, without
 * calling the allocator.
 * @param a the allocator
 * @param nmemb element count
 * @param size element size
 * @param err on failure: as `memapi_cmalloc_malloc`, or the overflow; may be NULL
 * @return the zeroed block, or NULL with `errno == ENOMEM`
 */
MEMAPI_API void *memapi_cmalloc_calloc(memapi_allocator a, size_t nmemb, size_t size, memapi_error *err);

/**
 * @brief C's `realloc`: resizes `ptr` to `size` bytes keeping `min(old, new)` bytes, through
 * `memapi_realloc` (in place when the allocator can). NULL `ptr` is malloc; size 0 frees (see the
 * file comment). On failure the old block is allocated and intact.
 * @param a the allocator `ptr` came from
 * @param ptr NULL, or a live block of this front end over `a`
 * @param size the new size
 * @param err on failure: the allocator's error, a size error (`ENOMEM`), or a misuse the header
 *        check or the allocator detected (`EINVAL`); may be NULL
 * @return the block (possibly moved), or NULL
 */
MEMAPI_API void *memapi_cmalloc_realloc(memapi_allocator a, void *ptr, size_t size, memapi_error *err);

/**
 * @brief glibc's `reallocarray`: `memapi_cmalloc_realloc(a, ptr, nmemb * size)`, except that an
 * overflowing product fails with `MEMAPI_E_ARITH` and `errno == ENOMEM`, the block untouched.
 * @param a the allocator `ptr` came from
 * @param ptr NULL or a live block
 * @param nmemb element count
 * @param size element size
 * @param err on failure; may be NULL
 * @return the block, or NULL
 */
MEMAPI_API void *memapi_cmalloc_reallocarray(memapi_allocator a, void *ptr, size_t nmemb, size_t size,
                                             memapi_error *err);

/**
 * @brief Frees `ptr`, reporting a failure instead of stopping (`memapi_try_dealloc` on the
 * rebuilt layout). NULL is a no-op that succeeds. On failure the block is still allocated.
 * @param a the allocator `ptr` came from
 * @param ptr NULL or a block of this front end over `a`
 * @param err on failure: the header check's error or the allocator's (double free, foreign or
 *        interior pointer, layout mismatch, damaged canary, as the allocator detects them); may be NULL
 * @return `MEMAPI_OK` or `MEMAPI_ERROR`
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status memapi_cmalloc_try_free(memapi_allocator a, void *ptr, memapi_error *err);

/**
 * @brief C's `free`: as `memapi_cmalloc_try_free`, but a failure stops the program through the
 * fatal hook with `memapi_cmalloc_free(0xADDR) failed: <error text>` (the text of
 * `memapi_error_format`), as C's free of an invalid pointer cannot return an error.
 * @param a the allocator `ptr` came from
 * @param ptr NULL or a block of this front end over `a`
 */
MEMAPI_API void memapi_cmalloc_free(memapi_allocator a, void *ptr);

/**
 * @brief C's `aligned_alloc` (C17, with DR 460: any size): `size` bytes aligned to `alignment`.
 * An alignment that is 0 or not a power of two fails with `EINVAL` and `MEMAPI_E_LAYOUT`
 * (`ZERO_ALIGN` / `NON_POW2_ALIGN`), as C17 7.22.3.1 requires ("not a valid alignment supported by
 * the implementation": a null pointer). Alignments below `MEMAPI_MIN_ALIGN` give
 * `MEMAPI_MIN_ALIGN`.
 * @param a the allocator
 * @param alignment a power of two
 * @param size bytes requested (0 gives a unique pointer)
 * @param err on failure; may be NULL
 * @return the block, or NULL with `errno` EINVAL or ENOMEM
 */
MEMAPI_API void *memapi_cmalloc_aligned_alloc(memapi_allocator a, size_t alignment, size_t size, memapi_error *err);

/**
 * @brief POSIX `posix_memalign`: stores a block of `size` bytes aligned to `alignment` in
 * `*memptr`. Returns 0, `EINVAL` when `alignment` is not a power of two multiple of
 * `sizeof(void *)` (POSIX), or `ENOMEM`; on failure `*memptr` is untouched. Like glibc's, it does
 * not set `errno` (POSIX: the error is the return value).
 * @param a the allocator
 * @param memptr receives the block; must not be NULL
 * @param alignment a power of two multiple of `sizeof(void *)`
 * @param size bytes requested (0 gives a unique pointer)
 * @param err on failure: `MEMAPI_E_LAYOUT` (`NON_POW2_ALIGN`, or `ZERO_ALIGN` for 0) or
 *        `MEMAPI_E_OTHER` (`posix_memalign: alignment is not a multiple of sizeof(void *)`) for
 *        EINVAL, the allocation's error for ENOMEM; may be NULL
 * @return 0, EINVAL or ENOMEM
 */
MEMAPI_API int memapi_cmalloc_posix_memalign(memapi_allocator a, void **memptr, size_t alignment, size_t size,
                                             memapi_error *err);

/**
 * @brief glibc's `malloc_usable_size`: the bytes of the block that may be used, which here is
 * exactly the size last requested (glibc may return more; this front end never does, so that a
 * guard allocator's overflow check stays exact). NULL gives 0. When the allocator has an `owns`
 * entry (guard, tracking), the block is confirmed with it first.
 * @param a the allocator `ptr` came from
 * @param ptr NULL or a block of this front end over `a`
 * @param err when the header check or `owns` rejects the pointer (the function then returns 0); may be NULL
 * @return the usable size, or 0
 */
MEMAPI_API size_t memapi_cmalloc_usable_size(memapi_allocator a, const void *ptr, memapi_error *err);

/**
 * @brief True when `err` describes a request that could not be served for want of memory or
 * address space, where C code sees `ENOMEM`: `MEMAPI_E_ALLOC_FAILED`, `MEMAPI_E_ARITH` (a size
 * product or sum that overflows) and `MEMAPI_E_LAYOUT` with `EXCEEDS_MAX` or `ARITH`. False for
 * NULL, for invalid arguments and for detected misuse.
 * @param err an error filled by a failed call, or NULL
 * @return whether it is an out-of-memory
 */
MEMAPI_API bool memapi_cmalloc_is_oom(const memapi_error *err);

/**
 * @brief True when `err` is a misuse the front end or the allocator detected: a pointer that is
 * not a live block (`MEMAPI_E_INVALID_POINTER`: foreign, interior, freed, misaligned, no header),
 * a free with another layout than the allocation's (`MEMAPI_E_LAYOUT_MISMATCH`) or damaged memory
 * (`MEMAPI_E_CORRUPTION`). False for NULL and every other kind.
 * @param err an error filled by a failed call, or NULL
 * @return whether it is a detected misuse
 */
MEMAPI_API bool memapi_cmalloc_is_misuse(const memapi_error *err);

#ifdef __cplusplus
}
#endif

#endif /* MEMAPI2_CMALLOC_H */
