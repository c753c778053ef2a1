/**
 * @file memapi2/stack.h
 * @brief The stack allocator (reference `StackAlloc`; docs/design.md section 4): scoped allocation
 * on the call stack with `alloca`. Compiled with `MEMAPI_STACK_ALLOC` (on by default when hosted).
 *
 * The memory lives in a frame of the library that exists only while the callback runs, so the
 * allocator offers scoped allocation only: `memapi_alloc_temp` / `memapi_zalloc_temp` through
 * `memapi_stack()`, or `memapi_stack_alloc_temp` directly. Its alloc entry fails with
 * `MEMAPI_E_UNSUPPORTED` and it has no try_dealloc, so `memapi_alloc`, `memapi_dealloc` and every
 * resize fail with `MEMAPI_E_UNSUPPORTED`. Capabilities: `MEMAPI_CAP_SHARED` only (each thread
 * allocates on its own stack).
 *
 * - Alignment: up to `alignof(max_align_t)` the natural alignment of `alloca` is used; above it,
 *   `size + align - 1` bytes are allocated and the pointer is rounded up.
 * - Size 0 (docs/design.md, decision D3): the callback receives the layout's dangling pointer
 *   (address == align) and nothing is allocated.
 * - Hardening against stack clash: a request whose `size + (align - 1)` exceeds
 *   `MEMAPI_STACK_ALLOC_MAX` fails and the callback does not run.
 * - The callback runs exactly once on success and never on failure. It may leave with `longjmp`,
 *   which releases the memory.
 */
#ifndef MEMAPI2_STACK_H
#define MEMAPI2_STACK_H

#include "alloc.h"

#ifdef __cplusplus
extern "C" {
#endif

#if MEMAPI_STACK_ALLOC

/**
 * The largest number of stack bytes one request may use, counted as `size + (align - 1)`
 * (default 64 KiB). Override it when building the library with `-DMEMAPI_STACK_ALLOC_MAX=<bytes>`;
 * the value compiled into the library is the one that applies.
 */
#ifndef MEMAPI_STACK_ALLOC_MAX
#define MEMAPI_STACK_ALLOC_MAX ((size_t)64 * 1024)
#endif

/** The vtable of the stack allocator (name "stack"): only the alloc_temp entry is usable. */
MEMAPI_API extern const memapi_alloc_vtable memapi_stack_vtable;

/** @brief The stack allocator value (stateless: `self == NULL`). */
/*@ assigns \nothing;
    ensures \result.vt == (memapi_alloc_vtable const *)&memapi_stack_vtable && \result.self == \null;
*/
static inline memapi_allocator memapi_stack(void)
{
    memapi_allocator a = {&memapi_stack_vtable, NULL};
    return a;
}

/**
 * @brief Calls `cb(ctx, mem)` once with `layout.size` bytes of stack memory aligned to
 * `layout.align`; the memory is released when the call returns.
 *
 * Errors (the callback does not run):
 * - `MEMAPI_E_LAYOUT`: `layout` is invalid (forged);
 * - `MEMAPI_E_INVALID_POINTER` (msg `null callback`): `cb` is NULL;
 * - `MEMAPI_E_ALLOC_FAILED(layout, OTHER("request exceeds the stack allocator's size cap"))`:
 *   `size + (align - 1) > MEMAPI_STACK_ALLOC_MAX`.
 *
 * Precondition: the thread's stack has room for the request (at most `MEMAPI_STACK_ALLOC_MAX`
 * bytes plus a small frame); an overflow cannot be detected. `mem` must not be used after `cb`
 * returns. For size 0, `mem` is the dangling pointer and must not be dereferenced.
 */
MEMAPI_API MEMAPI_NODISCARD memapi_status memapi_stack_alloc_temp(memapi_layout layout, memapi_temp_cb cb,
                                                                  void *ctx, memapi_error *err);

#endif /* MEMAPI_STACK_ALLOC */

#ifdef __cplusplus
}
#endif

#endif /* MEMAPI2_STACK_H */
