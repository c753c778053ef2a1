/*
 * Internal: the forwarding functions of the wrapper allocators (locked, tracking, failing). A
 * wrapper's entry is called by the dispatch only after the dispatch has validated its arguments
 * (memapi2/alloc.h, the typedef of each entry kind; the contracts memapi_proof_entry_* of
 * memapi2/alloc_acsl.h), so the wrapper hands them to its inner allocator without validating them
 * again: each memapi__fwd_* calls the inner allocator's entry of its kind, or the library default
 * where the dispatch would use it, and has the result the dispatch function of the same name would
 * have on those arguments (same results, same errors, same inner calls). Proved with their
 * contracts in src/forward.c (make prove). Hidden: not part of the public API.
 *
 * `in` points at the wrapper's inner allocator and every other parameter is the entry's own, in the
 * entry's order: each wrapper keeps its inner allocator as the first member of its state, so a
 * wrapper entry passes its own `self` and arguments on unchanged (no register moves), and the
 * forwarder only replaces `in` with the inner allocator's self.
 */
#ifndef MEMAPI_INTERNAL_FORWARD_H
#define MEMAPI_INTERNAL_FORWARD_H

#include "memapi2/alloc.h"

/* memapi_alloc(*in, layout, err) for a valid layout. */
void *memapi__fwd_alloc(const memapi_allocator *in, memapi_layout layout, memapi_error *err);
/* memapi_zalloc(in, layout, err) for a valid layout: the zalloc entry, or alloc then zero. */
void *memapi__fwd_zalloc(const memapi_allocator *in, memapi_layout layout, memapi_error *err);
/* memapi_try_dealloc(in, ptr, layout, err) for a valid layout. */
memapi_status memapi__fwd_try_dealloc(const memapi_allocator *in, void *ptr, memapi_layout layout, memapi_error *err);
/* memapi_dealloc(in, ptr, layout) for a valid layout and a pointer that is non-NULL, aligned and
 * not the layout's dangling pointer: the dealloc entry, or memapi_dealloc's own path. */
void memapi__fwd_dealloc(const memapi_allocator *in, void *ptr, memapi_layout layout);
/* memapi_grow, memapi_zgrow, memapi_shrink, memapi_realloc, memapi_rezalloc on `in`, for arguments
 * that passed that function's checks, to a layout other than the block's: the inner entry of the
 * kind, or memapi_default_resize. */
void *memapi__fwd_grow(const memapi_allocator *in, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                       memapi_error *err);
void *memapi__fwd_zgrow(const memapi_allocator *in, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                        memapi_error *err);
void *memapi__fwd_shrink(const memapi_allocator *in, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                         memapi_error *err);
void *memapi__fwd_realloc(const memapi_allocator *in, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                          memapi_error *err);
void *memapi__fwd_rezalloc(const memapi_allocator *in, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                           memapi_error *err);

#endif
