/**
 * @file memapi2/c_alloc.h
 * @brief The c_alloc allocator: the C heap used the way the reference's `CAlloc` uses it (its
 * non-Windows path). Compiled with `MEMAPI_C_ALLOC` (on by default in hosted builds).
 *
 * Design: docs/design.md section 4.
 *
 * - Stateless and thread-safe (`MEMAPI_CAP_SHARED`), `self == NULL`. Capabilities:
 *   `MEMAPI_CAP_DEALLOC | MEMAPI_CAP_REALLOC | MEMAPI_CAP_SHARED`. It has alloc, zalloc,
 *   try_dealloc and shrink entries: grow, zgrow, realloc and rezalloc are the library default
 *   (allocate, copy, free), and scoped allocation is the default alloc, call, try_dealloc.
 * - Shrink keeps the block (a departure from the reference, which always allocates, copies and
 *   frees; DESIGN.md lets the heap allocators resize in place): when the old and new sizes are
 *   nonzero and the block is already aligned to the new alignment, it returns the same pointer,
 *   now owned with the new layout (free it with the new layout); when less than half of the block
 *   stays in use and `malloc` could serve the new layout, C `realloc` first returns the tail to
 *   the heap (its result, or the same block if it fails). Such a shrink cannot fail. Otherwise
 *   (a size-0 side, a block not aligned to the new alignment) it is the library default.
 * - Every request is first turned into the posix-adjusted layout `L' = (size, max(align, PTR))`
 *   (`memapi_layout_to_posix_memalign_compatible`). **Errors carry L', not the caller's layout.**
 * - Size 0 (docs/design.md, decision D3): alloc and zalloc return the caller's layout's dangling pointer
 *   (address == `layout.align`) without calling C; try_dealloc of a size-0 layout or of the
 *   dangling pointer does nothing.
 * - Otherwise `malloc` (`calloc(1, size)` for zalloc) when `L'.align <= MEMAPI_MIN_ALIGN` and
 *   `L'.size >= L'.align`, else `posix_memalign(L'.align, L'.size)` (followed by zeroing for zalloc).
 * - try_dealloc frees with `free`.
 *
 * Errors of alloc and zalloc:
 * - `MEMAPI_E_LAYOUT` with `EXCEEDS_MAX(size, PTR, 1)` when the adjustment fails, i.e. `align < PTR`
 *   and `size > MAX - (PTR - 1)`: `(MAX, 1)` fails this way before any C call;
 * - `MEMAPI_E_ALLOC_FAILED(L', OS_ERR(status))` when posix_memalign returns a nonzero status,
 *   whatever `MEMAPI_OS_ERR_REPORTING` says (e.g. `(MAX-4096, 4096)` gives `OS_ERR(12)`);
 * - `MEMAPI_E_ALLOC_FAILED(L', OS_ERR(errno))` when malloc/calloc return NULL, or cause `UNKNOWN`
 *   when `MEMAPI_OS_ERR_REPORTING` is 0 (e.g. `(MAX-100, 1)` gives `ALLOC_FAILED((MAX-100, 8), ...)`).
 *
 * Errors of try_dealloc: `MEMAPI_E_LAYOUT` (`EXCEEDS_MAX(size, PTR, 1)`) when the layout cannot be
 * adjusted; the block is then not freed. Precondition: a non-dangling `ptr` of nonzero size is a live
 * block of this allocator allocated with `layout`.
 */
#ifndef MEMAPI2_C_ALLOC_H
#define MEMAPI2_C_ALLOC_H

#include "alloc.h"

#ifdef __cplusplus
extern "C" {
#endif

#if MEMAPI_C_ALLOC

/** The vtable of the c_alloc allocator (name "c_alloc"). */
MEMAPI_API extern const memapi_alloc_vtable memapi_c_alloc_vtable;

/** @brief The c_alloc allocator value (stateless: `self == NULL`). */
/*@ assigns \nothing;
    ensures \result.vt == (memapi_alloc_vtable const *)&memapi_c_alloc_vtable && \result.self == \null; */
static inline memapi_allocator memapi_c_alloc(void)
{
    memapi_allocator a = {&memapi_c_alloc_vtable, NULL};
    return a;
}

#endif /* MEMAPI_C_ALLOC */

#ifdef __cplusplus
}
#endif

#endif /* MEMAPI2_C_ALLOC_H */
