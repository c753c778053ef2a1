/**
 * @file memapi2/default.h
 * @brief The default allocator over the platform heap (reference `DefaultAlloc`, and `System`,
 * which is the same allocator under a second name).
 *
 * - Thread-safe (`MEMAPI_CAP_SHARED`): stateless, `self == NULL`.
 * - alloc: size 0 returns the layout's dangling pointer without allocating. Otherwise `malloc`
 *   (`calloc` for zalloc) when `align <= MEMAPI_MIN_ALIGN && size >= align` (the platform's malloc
 *   guarantee), else `memalign` on glibc and `posix_memalign` (the alignment raised to at least the
 *   pointer size) elsewhere.
 * - Errors: `MEMAPI_E_ALLOC_FAILED` with the caller's layout and, with `MEMAPI_OS_ERR_REPORTING`,
 *   cause `os error` carrying errno read right after the failing call (or posix_memalign's status
 *   where it is used); without it, cause `unknown`.
 * - try_dealloc: a no-op for size 0 or the dangling pointer, `free` otherwise; never fails. It has
 *   the infallible `dealloc` entry too (`free`: the dispatch never passes it the dangling pointer),
 *   so `memapi_dealloc` needs no error object.
 * - Resizes: when the new layout is one malloc could serve (`align <= MEMAPI_MIN_ALIGN`,
 *   `size >= align`) and neither size is 0, the block is resized with `realloc` (in place when the
 *   heap can), with the same visible semantics as the default algorithm: contents kept up to
 *   `min(old, new)`, the new tail zeroed for zgrow/rezalloc, the old block intact on failure (the
 *   error then carries the new layout). Otherwise the library default (allocate, copy, free) runs.
 */
#ifndef MEMAPI2_DEFAULT_H
#define MEMAPI2_DEFAULT_H

#include <stddef.h>
#include "alloc.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The alignment the platform's malloc guarantees for requests of at least that size. */
#ifdef __cplusplus
#define MEMAPI_MIN_ALIGN alignof(max_align_t)
#elif defined(__FRAMAC__)
/* The proof's platform (Frama-C 25 has neither _Alignof nor max_align_t): x86_64 glibc, whose
   malloc aligns every block to 16 bytes (proofs/libc_heap.h). */
#define MEMAPI_MIN_ALIGN 16
#else
#define MEMAPI_MIN_ALIGN _Alignof(max_align_t)
#endif

/** The vtable of the default allocator (name "default"). */
MEMAPI_API extern const memapi_alloc_vtable memapi_default_vtable;

/** @brief The default allocator value. */
/*@ assigns \nothing;
    ensures \result.vt == (memapi_alloc_vtable const *)&memapi_default_vtable && \result.self == \null; */
static inline memapi_allocator memapi_default(void)
{
    memapi_allocator a = {&memapi_default_vtable, NULL};
    return a;
}

/** @brief The reference's `System`: the same allocator as `memapi_default()`. */
/*@ assigns \nothing;
    ensures \result.vt == (memapi_alloc_vtable const *)&memapi_default_vtable && \result.self == \null; */
static inline memapi_allocator memapi_system(void)
{
    return memapi_default();
}

#ifdef __cplusplus
}
#endif

#endif /* MEMAPI2_DEFAULT_H */
