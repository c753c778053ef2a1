/*
 * Extern contracts: the trusted base of the proof (proofs/README.md). Included only by Frama-C
 * (through src/internal/acsl.h under __FRAMAC__); compilers never see this file.
 *
 * These functions are not verified: memapi__os_strerror wraps libc's strerror_r, and the
 * memapi_proof_entry_* functions stand for the vtable entries of an allocator the dispatch does not
 * know. Their contracts are assumed and their behaviour is covered by the unit tests, the
 * conformance suite and the fuzz harness instead. (memapi_fatal's contract is on its declaration in
 * memapi2/error.h: it is trusted as well, see proofs/trusted.tsv.)
 */
#ifndef MEMAPI_PROOFS_EXTERN_H
#define MEMAPI_PROOFS_EXTERN_H

#include "memapi2/error.h"
#include "internal/error_set.h"


#if MEMAPI_OS_ERR_REPORTING
/* strerror_r into buf: a NUL-terminated text of length \result < cap inside buf[0 .. cap-1]. */
/*@ requires cap == 0 || \valid(buf + (0 .. cap - 1));
    assigns buf[0 .. cap - 1], \result \from code, cap;
    ensures cap == 0 ==> \result == 0;
    ensures cap > 0 ==> \result < cap && strlen(buf) == \result && valid_read_string(buf);
*/
size_t memapi__os_strerror(int code, char *buf, size_t cap);
#endif

/* ---- src/alloc.c: the allocator entries (the interface contract of include/memapi2/alloc.h) ---- */
/*
 * Trusted base of the dispatch proof. WP cannot follow a call through a function pointer unless a
 * `calls` clause names the callees, and alloc.c does not know any allocator's entries; besides,
 * Frama-C 25 emits `\valid_function` alarms for function pointers, which WP cannot translate.
 * Under Frama-C, alloc.c therefore makes every call of an entry `f` through one of the functions
 * below, passing `f` itself (in the compiled library the same macro is the plain call
 * `f(self, ...)`; see ENTRY_* in src/alloc.c). Their contracts are ASSUMED: they are the contract
 * that include/memapi2/alloc.h documents for each entry kind, which every allocator plugged into
 * the interface must honour (the built-in ones are tested by the conformance suite):
 *
 * - The whole state of the allocators is the ghost `memapi_proof_heap`; `memapi_live(h, p, n)` and
 *   `memapi_proof_next(h, l)` (src/internal/acsl.h) are abstract. An entry writes nothing of the
 *   caller's memory except *err and the bytes of the blocks it is handed or hands out.
 * - alloc / zalloc: NULL with the heap unchanged, or the block `memapi_proof_next(h, layout)`: valid
 *   for layout.size bytes, live, disjoint from every live block and from *err (memapi_new_block),
 *   every live block staying live; zalloc's bytes are zero.
 * - try_dealloc of a live block: MEMAPI_OK and the block is freed (its bytes may be overwritten), or
 *   MEMAPI_ERROR with the heap and the block's bytes unchanged.
 * - dealloc of a live block: the block is freed (its bytes may be overwritten); it does not fail.
 * - resize entries (grow, zgrow, shrink, realloc, rezalloc; called after the dispatch checks):
 *   NULL with the heap and the old bytes unchanged, or the block (ptr itself or the state's next
 *   block), live and valid for new.size bytes, holding the first min(old.size, new.size) old bytes,
 *   zero from old.size on for the zeroing kinds (`zero`), the old block freed unless it came back.
 * - owns: writes only *err; MEMAPI_OK only for a live block valid for layout.size bytes.
 * - alloc_temp: may change the heap and what the callback reaches (ghost `memapi_proof_user`), but
 *   every live block stays live; the callback likewise, and it may write the temporary block.
 * - Failing entries leave readable texts in *err (memapi_err_texts), what memapi_error_format reads.
 * Not modelled: the alignment of returned blocks (the dispatch never relies on it).
 */
#include <stdbool.h>

/*@ ghost extern int memapi_proof_heap; */

/*@ requires entry != \null;
    requires memapi_valid_layout(layout);
    requires err == \null || \valid(err);
    assigns memapi_proof_heap, *err;
    ensures \result == \null ==> memapi_proof_heap == \old(memapi_proof_heap);
    ensures \result == \null && err != \null ==> memapi_err_texts(err);
    ensures \result != \null ==>
            memapi_new_block(\old(memapi_proof_heap), memapi_proof_heap, (char *)\result, layout, err);
*/
void *memapi_proof_entry_alloc(void *(*entry)(void *, memapi_layout, memapi_error *), void *self,
                               memapi_layout layout, memapi_error *err);

/*@ requires entry != \null;
    requires memapi_valid_layout(layout);
    requires err == \null || \valid(err);
    assigns memapi_proof_heap, *err, memapi_proof_next(memapi_proof_heap, layout)[0 .. layout.size - 1];
    ensures \result == \null ==> memapi_proof_heap == \old(memapi_proof_heap);
    ensures \result == \null && err != \null ==> memapi_err_texts(err);
    ensures \result != \null ==>
            memapi_new_block(\old(memapi_proof_heap), memapi_proof_heap, (char *)\result, layout, err);
    ensures \result != \null ==> memapi_zero_bytes((char *)\result, 0, layout.size);
*/
void *memapi_proof_entry_zalloc(void *(*entry)(void *, memapi_layout, memapi_error *), void *self,
                                memapi_layout layout, memapi_error *err);

/*@ requires entry != \null;
    requires memapi_valid_layout(layout);
    requires memapi_owned(memapi_proof_heap, (char *)ptr, layout.size);
    requires \valid((char *)ptr + (0 .. layout.size - 1));
    requires err == \null || (\valid(err) && \separated(err, (char *)ptr + (0 .. layout.size - 1)));
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. layout.size - 1];
    ensures \result == MEMAPI_OK || \result == MEMAPI_ERROR;
    ensures \result == MEMAPI_OK ==>
            memapi_freed(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, layout.size);
    ensures \result == MEMAPI_ERROR ==> memapi_proof_heap == \old(memapi_proof_heap) &&
            memapi_same_bytes{Old, Here}((char *)ptr, layout.size);
    ensures \result == MEMAPI_ERROR && err != \null ==> memapi_err_texts(err);
*/
memapi_status memapi_proof_entry_try_dealloc(memapi_status (*entry)(void *, void *, memapi_layout, memapi_error *),
                                             void *self, void *ptr, memapi_layout layout, memapi_error *err);

/*@ requires entry != \null;
    requires memapi_valid_layout(layout);
    requires memapi_owned(memapi_proof_heap, (char *)ptr, layout.size);
    requires \valid((char *)ptr + (0 .. layout.size - 1));
    assigns memapi_proof_heap, ((char *)ptr)[0 .. layout.size - 1];
    ensures memapi_freed(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, layout.size);
*/
void memapi_proof_entry_dealloc(void (*entry)(void *, void *, memapi_layout), void *self, void *ptr,
                                memapi_layout layout);

/*@ requires entry != \null;
    requires memapi_valid_layout(old_layout) && memapi_valid_layout(new_layout);
    requires new_layout.align >= old_layout.align;
    requires memapi_owned(memapi_proof_heap, (char *)ptr, old_layout.size);
    requires \valid((char *)ptr + (0 .. old_layout.size - 1));
    requires err == \null || (\valid(err) && \separated(err, (char *)ptr + (0 .. \max(old_layout.size, new_layout.size) - 1)));
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. \max(old_layout.size, new_layout.size) - 1],
            memapi_proof_next(memapi_proof_heap, new_layout)[0 .. new_layout.size - 1];
    ensures \result == \null ==> memapi_proof_heap == \old(memapi_proof_heap) &&
            memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size);
    ensures \result == \null && err != \null ==> memapi_err_texts(err);
    ensures \result != \null ==> memapi_resized{Old, Here}(\old(memapi_proof_heap), memapi_proof_heap,
                                                         (char *)ptr, old_layout, (char *)\result, new_layout, zero);
*/
void *memapi_proof_entry_resize(void *(*entry)(void *, void *, memapi_layout, memapi_layout, memapi_error *),
                                bool zero, void *self, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                                memapi_error *err);

/*@ requires entry != \null;
    requires memapi_valid_layout(layout);
    requires err == \null || \valid(err);
    assigns *err;
    ensures \result == MEMAPI_OK || \result == MEMAPI_ERROR;
    ensures \result == MEMAPI_OK ==> memapi_owned(memapi_proof_heap, (char *)ptr, layout.size) &&
                                     \valid((char *)ptr + (0 .. layout.size - 1));
    ensures \result == MEMAPI_ERROR && err != \null ==> memapi_err_texts(err);
*/
memapi_status memapi_proof_entry_owns(memapi_status (*entry)(void *, const void *, memapi_layout, memapi_error *),
                                      void *self, const void *ptr, memapi_layout layout, memapi_error *err);

/* The state a scoped-allocation callback changes through its context (anything but the caller's *err). */
/*@ ghost extern int memapi_proof_user; */

/*@ requires cb != \null;
    requires \valid((char *)mem + (0 .. size - 1));
    assigns memapi_proof_user, memapi_proof_heap, ((char *)mem)[0 .. size - 1];
    ensures memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap);
*/
void memapi_proof_temp_cb(void (*cb)(void *, void *), void *ctx, void *mem, size_t size);

/*@ requires entry != \null && cb != \null;
    requires memapi_valid_layout(layout);
    requires err == \null || \valid(err);
    assigns memapi_proof_heap, memapi_proof_user, *err;
    ensures \result == MEMAPI_OK || \result == MEMAPI_ERROR;
    ensures memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap);
    ensures \result == MEMAPI_ERROR && err != \null ==> memapi_err_texts(err);
*/
memapi_status memapi_proof_entry_alloc_temp(memapi_status (*entry)(void *, memapi_layout, void (*)(void *, void *), void *,
                                                                   memapi_error *),
                                            void *self, memapi_layout layout, void (*cb)(void *, void *), void *ctx,
                                            memapi_error *err);

#endif
