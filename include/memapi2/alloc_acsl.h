/*
 * @file memapi2/alloc_acsl.h
 * The ACSL of the allocator interface (alloc.h), read by Frama-C only: C compilers see nothing but
 * comments and a header guard here. alloc.h includes it under __FRAMAC__, after its types.
 *
 * - The dispatch's rules, each stated once as a predicate: what a caller must hand in
 *   (memapi_vt_ok, memapi_block_ok, memapi_resize_block), the order of the checks
 *   (memapi_resize_pass: both layouts, the pointer, the alignment, the direction), and what each
 *   failure leaves in the error record.
 * - The interface contract of every allocator entry kind (memapi_proof_entry_*), which the
 *   dispatch calls through under Frama-C (see MEMAPI__ENTRY_* in alloc.h). These contracts are
 *   assumed, not proved: they are what alloc.h documents for each entry, and the conformance suite
 *   and the allocator fuzz harness check the built-in allocators against them.
 * - The contract of each dispatch function, once, as a macro (Frama-C preprocesses annotations):
 *   alloc.h puts it on the exported function's declaration and on its inline fast path, so both
 *   are proved against the same text, and a program calling either is proved against it.
 *
 * The state of every allocator is the ghost integer memapi_proof_heap, described by the abstract
 * memapi_live and memapi_proof_next of memapi2/acsl.h.
 */
#ifndef MEMAPI2_ALLOC_H
#include "alloc.h" /* which includes this file back, after its types */
#elif !defined(MEMAPI2_ALLOC_ACSL_H)
#define MEMAPI2_ALLOC_ACSL_H

#ifdef __FRAMAC__
#include "acsl.h"

/*@ ghost extern int memapi_proof_heap; */
/* The state a scoped-allocation callback may change through its context (anything but *err). */
/*@ ghost extern int memapi_proof_user; */

/* The messages of MEMAPI_E_INVALID_POINTER that the dispatch writes (defined in src/alloc.c). */
extern const char memapi__msg_null_pointer[13];
extern const char memapi__msg_misaligned[34];

/*@
  // The allocator value can be dispatched on: no vtable, or a readable one apart from *err.
  predicate memapi_vt_ok(memapi_allocator a, memapi_error *err) =
    a.vt == \null || (\valid_read(a.vt) && (err == \null || \separated(err, a.vt)));

  // What the dispatch rejects as misaligned, written as the code computes it.
  predicate memapi_misaligned(void *p, integer align) = ((uintptr_t)p & (align - 1)) != 0;
  predicate memapi_ptr_ok(void *p, memapi_layout l) = p != \null && !memapi_misaligned(p, l.align);
  // A block handed out for a layout of alignment `align` passes that test when it comes back.
  predicate memapi_aligned(void *p, integer align) = !memapi_misaligned(p, align);
  predicate memapi_layouts_ok(memapi_layout ol, memapi_layout nl) =
    memapi_valid_layout(ol) && memapi_valid_layout(nl);
  predicate memapi_same_layout(memapi_layout ol, memapi_layout nl) = ol.size == nl.size && ol.align == nl.align;

  // A block the caller hands in: live in the current heap, valid for n bytes (the first `room`
  // of which an in-place resize may write), with *err outside it.
  predicate memapi_block_ok{L}(void *p, integer n, integer room, memapi_error *err) =
    memapi_owned(memapi_proof_heap, (char *)p, n) && \valid((char *)p + (0 .. n - 1)) &&
    (err == \null || (\valid(err) && \separated(err, (char *)p + (0 .. room - 1))));

  // The block argument of try_dealloc / dealloc once the layout and the pointer passed their checks.
  predicate memapi_dealloc_block{L}(void *ptr, memapi_layout layout, memapi_error *err) =
    memapi_valid_layout(layout) && memapi_ptr_ok(ptr, layout) ==> memapi_block_ok(ptr, layout.size, layout.size, err);

  // The block argument of a resize once the layouts and the pointer passed their checks.
  predicate memapi_resize_block{L}(void *ptr, memapi_layout ol, memapi_layout nl, memapi_error *err) =
    memapi_layouts_ok(ol, nl) && memapi_ptr_ok(ptr, ol) ==> memapi_block_ok(ptr, ol.size, \max(ol.size, nl.size), err);

  // The checks before any resize, in the reference's order: both layouts, the pointer, the
  // alignment (never smaller), the direction (dir > 0: grow, never smaller; dir < 0: shrink,
  // never larger; 0: either).
  predicate memapi_direction_ok(integer dir, memapi_layout ol, memapi_layout nl) =
    (dir > 0 ==> nl.size >= ol.size) && (dir < 0 ==> nl.size <= ol.size);
  predicate memapi_resize_pass(void *p, memapi_layout ol, memapi_layout nl, integer dir) =
    memapi_layouts_ok(ol, nl) && memapi_ptr_ok(p, ol) && nl.align >= ol.align && memapi_direction_ok(dir, ol, nl);

  // The allocator can say whether it owns a block (guard, tracking, bump): an identical-layout
  // resize asks it before handing the pointer back.
  predicate memapi_owns_entry{L}(memapi_allocator a) = a.vt != \null && a.vt->owns != \null;

  // UNSUPPORTED, as memapi__fail leaves it.
  predicate memapi_unsupported{L}(memapi_error *err) =
    err != \null ==> err->kind == MEMAPI_E_UNSUPPORTED && err->msg == \null && err->ptr == \null;

  // INVALID_POINTER at p with the dispatch's message.
  predicate memapi_invalid_pointer{L}(memapi_error *err, void *p) =
    err != \null ==> err->kind == MEMAPI_E_INVALID_POINTER && err->ptr == p &&
                     (err->msg == memapi__msg_null_pointer || err->msg == memapi__msg_misaligned) &&
                     memapi_text((char *)err->msg) &&
                     memapi_zero_layout(err->layout) && memapi_zero_layout(err->recorded);

  // What a call that stops the program (memapi_fatal) ensures. A contract macro cannot write \false
  // itself: <stdbool.h> makes `false` a macro.
  predicate memapi_no_return = \false;

  // A REALLOC_SMALLER_ALIGN / GROW_SMALLER / SHRINK_LARGER error with its two values.
  predicate memapi_resize_err{L}(memapi_error *err, integer kind, integer o, integer n) =
    err != \null ==> err->kind == kind && err->old_val == o && err->new_val == n && err->msg == \null &&
                     err->ptr == \null && memapi_zero_layout(err->layout);
*/

/* ---- the interface contract of each entry kind (assumed; proofs/README.md, "Trusted base") ---- */

/*
 * The entry contracts below are written with these blocks, and so is every allocator's restatement
 * of the contract of its entries (src/default.c, src/c_alloc.c, src/locked.c, ...): the clauses an
 * entry must ensure are written once. Each takes the name of its layout argument(s); the error
 * argument is `err`, the block `ptr`.
 */
/* What an alloc (zalloc) entry ensures for the layout `l`: nothing allocated on failure, with the
   error's texts set; on success the heap's next block for `l`, aligned to `l.align`. */
#define MEMAPI_ACSL_ALLOC_OUTCOME(l) \
    ensures \result == \null ==> memapi_proof_heap == \old(memapi_proof_heap); \
    ensures \result == \null && err != \null ==> memapi_err_texts(err); \
    ensures \result != \null ==> \
            memapi_new_block(\old(memapi_proof_heap), memapi_proof_heap, (char *)\result, l, err); \
    ensures \result != \null ==> memapi_aligned(\result, l.align);

/* What a try_dealloc entry requires of `ptr` with the layout `l`: a block of the heap, live with
   l.size bytes, and an error object outside it. */
#define MEMAPI_ACSL_TRY_DEALLOC_PRE(l) \
    requires memapi_valid_layout(l); \
    requires memapi_owned(memapi_proof_heap, (char *)ptr, l.size); \
    requires \valid((char *)ptr + (0 .. l.size - 1)); \
    requires err == \null || (\valid(err) && \separated(err, (char *)ptr + (0 .. l.size - 1)));

/* A resize entry from `ptr` with layout `o` to layout `n`, zeroing the new bytes when `zero`: on
   failure the live blocks and the old block's bytes are kept (MEMAPI_ACSL_RESIZE_KEPT(o)); on
   success the block is resized and aligned to n.align (MEMAPI_ACSL_RESIZE_DONE(o, n, zero)). */
#define MEMAPI_ACSL_RESIZE_KEPT(o) \
    ensures \result == \null ==> memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap) && \
            memapi_same_bytes{Old, Here}((char *)ptr, o.size);
#define MEMAPI_ACSL_RESIZE_DONE(o, n, zero) \
    ensures \result != \null ==> memapi_resized{Old, Here}(\old(memapi_proof_heap), memapi_proof_heap, \
                                                         (char *)ptr, o, (char *)\result, n, zero); \
    ensures \result != \null ==> memapi_aligned(\result, n.align);

/* An alloc_temp entry, after its callback's requirement: a valid layout; it may change the heap, the
   user's state (through the callback) and *err; OK or ERROR, every block live before still live,
   the error's texts set on ERROR. */
#define MEMAPI_ACSL_ALLOC_TEMP_ENTRY \
    requires memapi_valid_layout(layout); \
    requires err == \null || \valid(err); \
    assigns memapi_proof_heap, memapi_proof_user, *err; \
    ensures \result == MEMAPI_OK || \result == MEMAPI_ERROR; \
    ensures memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap); \
    ensures \result == MEMAPI_ERROR && err != \null ==> memapi_err_texts(err);

/* An alloc entry may write the block it hands out (a fill pattern, a wrapper that zeroes): those
   bytes are not live before the call, so no caller can tell. */
/*@ requires entry != \null;
    requires memapi_valid_layout(layout);
    requires err == \null || \valid(err);
    assigns memapi_proof_heap, *err, memapi_proof_next(memapi_proof_heap, layout)[0 .. layout.size - 1];
    MEMAPI_ACSL_ALLOC_OUTCOME(layout)
*/
void *memapi_proof_entry_alloc(void *(*entry)(void *, memapi_layout, memapi_error *), void *self,
                               memapi_layout layout, memapi_error *err);

/*@ requires entry != \null;
    requires memapi_valid_layout(layout);
    requires err == \null || \valid(err);
    assigns memapi_proof_heap, *err, memapi_proof_next(memapi_proof_heap, layout)[0 .. layout.size - 1];
    MEMAPI_ACSL_ALLOC_OUTCOME(layout)
    ensures \result != \null ==> memapi_zero_bytes((char *)\result, 0, layout.size);
*/
void *memapi_proof_entry_zalloc(void *(*entry)(void *, memapi_layout, memapi_error *), void *self,
                                memapi_layout layout, memapi_error *err);

/* What a try_dealloc returns, for the entry, the dispatch and its inner step (src/alloc.c): OK and
   the block freed, or ERROR with the heap and the block's bytes as they were, and the error's
   texts set. */
#define MEMAPI_ACSL_TRY_DEALLOC_OUTCOME \
    ensures \result == MEMAPI_OK || \result == MEMAPI_ERROR; \
    ensures \result == MEMAPI_OK ==> \
            memapi_freed(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, layout.size); \
    ensures \result == MEMAPI_ERROR ==> memapi_proof_heap == \old(memapi_proof_heap) && \
            memapi_same_bytes{Old, Here}((char *)ptr, layout.size); \
    ensures \result == MEMAPI_ERROR && err != \null ==> memapi_err_texts(err);

/*@ requires entry != \null;
    MEMAPI_ACSL_TRY_DEALLOC_PRE(layout)
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. layout.size - 1];
    MEMAPI_ACSL_TRY_DEALLOC_OUTCOME
*/
memapi_status memapi_proof_entry_try_dealloc(memapi_status (*entry)(void *, void *, memapi_layout, memapi_error *),
                                             void *self, void *ptr, memapi_layout layout, memapi_error *err);

/*@ requires entry != \null;
    requires memapi_valid_layout(layout);
    requires ptr != (void *)(uintptr_t)layout.align;
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
    MEMAPI_ACSL_RESIZE_KEPT(old_layout)
    ensures \result == \null && err != \null ==> memapi_err_texts(err);
    MEMAPI_ACSL_RESIZE_DONE(old_layout, new_layout, zero)
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

/*@ requires cb != \null;
    requires \valid((char *)mem + (0 .. size - 1));
    assigns memapi_proof_user, memapi_proof_heap, ((char *)mem)[0 .. size - 1];
    ensures memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap);
*/
void memapi_proof_temp_cb(void (*cb)(void *, void *), void *ctx, void *mem, size_t size);

/*@ requires entry != \null && cb != \null;
    MEMAPI_ACSL_ALLOC_TEMP_ENTRY
*/
memapi_status memapi_proof_entry_alloc_temp(memapi_status (*entry)(void *, memapi_layout, void (*)(void *, void *), void *,
                                                                   memapi_error *),
                                            void *self, memapi_layout layout, void (*cb)(void *, void *), void *ctx,
                                            memapi_error *err);

/* ---- the contracts of the dispatch functions (alloc.h puts each on its function) ---- */

/* memapi_alloc, and memapi_zalloc with `supported_also` MEMAPI_ACSL_ZEROED. */
#define MEMAPI_ACSL_ZEROED ensures \result != \null ==> memapi_zero_bytes((char *)\result, 0, layout.size);
#define MEMAPI_ACSL_ALLOC(supported_also) \
    requires memapi_vt_ok(a, err); \
    requires err == \null || \valid(err); \
    assigns memapi_proof_heap, *err, memapi_proof_next(memapi_proof_heap, layout)[0 .. layout.size - 1]; \
    ensures \result != \null ==> memapi_aligned(\result, layout.align); \
    behavior invalid_layout: \
      assumes !memapi_valid_layout(layout); \
      ensures memapi_proof_heap == \old(memapi_proof_heap); \
      ensures \result == \null; \
      ensures err != \null ==> memapi_check_err(err, layout.size, layout.align); \
    behavior unsupported: \
      assumes memapi_valid_layout(layout) && (a.vt == \null || a.vt->alloc == \null); \
      ensures memapi_proof_heap == \old(memapi_proof_heap); \
      ensures \result == \null; \
      ensures memapi_unsupported(err); \
    behavior supported: \
      assumes memapi_valid_layout(layout) && a.vt != \null && a.vt->alloc != \null; \
      ensures \result == \null ==> memapi_proof_heap == \old(memapi_proof_heap); \
      ensures \result == \null && err != \null ==> memapi_err_texts(err); \
      ensures \result != \null ==> \
              memapi_new_block(\old(memapi_proof_heap), memapi_proof_heap, (char *)\result, layout, err); \
      supported_also \
    complete behaviors; \
    disjoint behaviors;

/* memapi_try_dealloc. */
#define MEMAPI_ACSL_TRY_DEALLOC \
    requires memapi_vt_ok(a, err); \
    requires err == \null || \valid(err); \
    requires memapi_dealloc_block(ptr, layout, err); \
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. layout.size - 1]; \
    behavior invalid_layout: \
      assumes !memapi_valid_layout(layout); \
      ensures memapi_proof_heap == \old(memapi_proof_heap); \
      ensures \result == MEMAPI_ERROR; \
      ensures err != \null ==> memapi_check_err(err, layout.size, layout.align); \
    behavior invalid_pointer: \
      assumes memapi_valid_layout(layout) && !memapi_ptr_ok(ptr, layout); \
      ensures memapi_proof_heap == \old(memapi_proof_heap); \
      ensures \result == MEMAPI_ERROR; \
      ensures memapi_invalid_pointer(err, ptr); \
    behavior unsupported: \
      assumes memapi_valid_layout(layout) && memapi_ptr_ok(ptr, layout); \
      assumes a.vt == \null || a.vt->try_dealloc == \null; \
      ensures memapi_proof_heap == \old(memapi_proof_heap); \
      ensures \result == MEMAPI_ERROR; \
      ensures memapi_unsupported(err); \
    behavior supported: \
      assumes memapi_valid_layout(layout) && memapi_ptr_ok(ptr, layout); \
      assumes a.vt != \null && a.vt->try_dealloc != \null; \
      MEMAPI_ACSL_TRY_DEALLOC_OUTCOME \
    complete behaviors; \
    disjoint behaviors;

/* memapi_dealloc: a failure stops the program through memapi_fatal (memapi_no_return). */
#define MEMAPI_ACSL_DEALLOC \
    requires memapi_vt_ok(a, \null); \
    requires ptr == \null || \object_pointer((char *)ptr); \
    requires memapi_valid_layout(layout) && ptr != (void *)(uintptr_t)layout.align ==> \
             memapi_dealloc_block(ptr, layout, \null); \
    assigns memapi_proof_heap, ((char *)ptr)[0 .. layout.size - 1]; \
    behavior dangling: \
      assumes memapi_valid_layout(layout) && ptr == (void *)(uintptr_t)layout.align; \
      assigns \nothing; \
      ensures memapi_proof_heap == \old(memapi_proof_heap); \
    behavior rejected: \
      assumes !(memapi_valid_layout(layout) && ptr == (void *)(uintptr_t)layout.align); \
      assumes !memapi_valid_layout(layout) || !memapi_ptr_ok(ptr, layout) || \
              a.vt == \null || a.vt->try_dealloc == \null; \
      ensures memapi_no_return; \
    behavior supported: \
      assumes memapi_valid_layout(layout) && ptr != (void *)(uintptr_t)layout.align; \
      assumes memapi_ptr_ok(ptr, layout) && a.vt != \null && a.vt->try_dealloc != \null; \
      ensures memapi_freed(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, layout.size); \
    complete behaviors; \
    disjoint behaviors;

/*
 * The resizes: memapi_grow (dir 1, zero 0), memapi_zgrow (1, 1), memapi_shrink (-1, 0),
 * memapi_realloc (0, 0), memapi_rezalloc (0, 1). `direction` is the behavior of the direction
 * check that can fail (MEMAPI_ACSL_GROW_SMALLER, MEMAPI_ACSL_SHRINK_LARGER, or nothing).
 * On any failure the old block keeps its bytes (when *err is not inside it).
 */
#define MEMAPI_ACSL_RESIZE(dir, zero, direction) \
    requires memapi_vt_ok(a, err); \
    requires err == \null || \valid(err); \
    requires memapi_resize_block(ptr, old_layout, new_layout, err); \
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. \max(old_layout.size, new_layout.size) - 1], \
            memapi_proof_next(memapi_proof_heap, new_layout)[0 .. new_layout.size - 1]; \
    ensures \result == \null && (err == \null || \separated(err, (char *)ptr + (0 .. old_layout.size - 1))) ==> \
            memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size); \
    ensures \result != \null ==> memapi_aligned(\result, new_layout.align); \
    behavior invalid_old_layout: \
      assumes !memapi_valid_layout(old_layout); \
      ensures memapi_proof_heap == \old(memapi_proof_heap); \
      ensures \result == \null; \
      ensures err != \null ==> memapi_check_err(err, old_layout.size, old_layout.align); \
    behavior invalid_new_layout: \
      assumes memapi_valid_layout(old_layout) && !memapi_valid_layout(new_layout); \
      ensures memapi_proof_heap == \old(memapi_proof_heap); \
      ensures \result == \null; \
      ensures err != \null ==> memapi_check_err(err, new_layout.size, new_layout.align); \
    behavior invalid_pointer: \
      assumes memapi_layouts_ok(old_layout, new_layout) && !memapi_ptr_ok(ptr, old_layout); \
      ensures memapi_proof_heap == \old(memapi_proof_heap); \
      ensures \result == \null; \
      ensures memapi_invalid_pointer(err, ptr); \
    behavior smaller_align: \
      assumes memapi_layouts_ok(old_layout, new_layout) && memapi_ptr_ok(ptr, old_layout); \
      assumes new_layout.align < old_layout.align; \
      ensures memapi_proof_heap == \old(memapi_proof_heap); \
      ensures \result == \null; \
      ensures memapi_resize_err(err, MEMAPI_E_REALLOC_SMALLER_ALIGN, old_layout.align, new_layout.align); \
    direction \
    behavior same_layout: \
      assumes memapi_resize_pass(ptr, old_layout, new_layout, dir) && memapi_same_layout(old_layout, new_layout); \
      ensures \result == ptr || (\result == \null && memapi_owns_entry(a) && (err != \null ==> memapi_err_texts(err))); \
      ensures !memapi_owns_entry(a) ==> \result == ptr; \
      ensures \result == ptr && err != \null ==> *err == \old(*err); \
      ensures memapi_proof_heap == \old(memapi_proof_heap); \
      ensures memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size); \
    behavior unsupported: \
      assumes memapi_resize_pass(ptr, old_layout, new_layout, dir) && !memapi_same_layout(old_layout, new_layout); \
      assumes a.vt == \null; \
      ensures memapi_proof_heap == \old(memapi_proof_heap); \
      ensures \result == \null; \
      ensures memapi_unsupported(err); \
    behavior dispatched: \
      assumes memapi_resize_pass(ptr, old_layout, new_layout, dir) && !memapi_same_layout(old_layout, new_layout); \
      assumes a.vt != \null; \
      ensures \result == \null ==> memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap) && \
              memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size); \
      ensures \result != \null ==> \
              memapi_resized{Old, Here}(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, old_layout, \
                                        (char *)\result, new_layout, zero); \
    complete behaviors; \
    disjoint behaviors;

/* The direction checks of MEMAPI_ACSL_RESIZE: GROW_SMALLER (dir > 0), SHRINK_LARGER (dir < 0). */
#define MEMAPI_ACSL_GROW_SMALLER(dir) \
    behavior grow_smaller: \
      assumes memapi_layouts_ok(old_layout, new_layout) && memapi_ptr_ok(ptr, old_layout); \
      assumes new_layout.align >= old_layout.align && dir > 0 && new_layout.size < old_layout.size; \
      ensures memapi_proof_heap == \old(memapi_proof_heap); \
      ensures \result == \null; \
      ensures memapi_resize_err(err, MEMAPI_E_GROW_SMALLER, old_layout.size, new_layout.size);
#define MEMAPI_ACSL_SHRINK_LARGER(dir) \
    behavior shrink_larger: \
      assumes memapi_layouts_ok(old_layout, new_layout) && memapi_ptr_ok(ptr, old_layout); \
      assumes new_layout.align >= old_layout.align && dir < 0 && new_layout.size > old_layout.size; \
      ensures memapi_proof_heap == \old(memapi_proof_heap); \
      ensures \result == \null; \
      ensures memapi_resize_err(err, MEMAPI_E_SHRINK_LARGER, old_layout.size, new_layout.size);

#endif /* __FRAMAC__ */

/* The invalid-layout behavior of the status-returning scoped and checked operations: the layout's
   error, nothing changed. */
#define MEMAPI_ACSL_STATUS_INVALID_LAYOUT \
    behavior invalid_layout: \
      assumes !memapi_valid_layout(layout); \
      ensures \result == MEMAPI_ERROR; \
      ensures err != \null ==> memapi_check_err(err, layout.size, layout.align); \
      ensures memapi_proof_heap == \old(memapi_proof_heap);

/* memapi_alloc_temp, memapi_zalloc_temp: the layout's error, the null callback's, UNSUPPORTED, or
   the callback ran and every live block is still live. */
extern const char memapi__msg_null_callback[14];
#define MEMAPI_ACSL_TEMP \
    requires memapi_vt_ok(a, err); \
    requires err == \null || \valid(err); \
    assigns memapi_proof_heap, memapi_proof_user, *err, \
            memapi_proof_next(memapi_proof_heap, layout)[0 .. layout.size - 1]; \
    MEMAPI_ACSL_STATUS_INVALID_LAYOUT \
    behavior null_callback: \
      assumes memapi_valid_layout(layout) && cb == \null; \
      ensures \result == MEMAPI_ERROR; \
      ensures err != \null ==> err->kind == MEMAPI_E_INVALID_POINTER && err->ptr == \null && \
                               err->msg == memapi__msg_null_callback; \
      ensures memapi_proof_heap == \old(memapi_proof_heap); \
    behavior unsupported: \
      assumes memapi_valid_layout(layout) && cb != \null; \
      assumes a.vt == \null || (a.vt->alloc_temp == \null && (a.vt->alloc == \null || a.vt->try_dealloc == \null)); \
      ensures \result == MEMAPI_ERROR; \
      ensures memapi_unsupported(err); \
      ensures memapi_proof_heap == \old(memapi_proof_heap); \
    behavior supported: \
      assumes memapi_valid_layout(layout) && cb != \null && a.vt != \null; \
      assumes a.vt->alloc_temp != \null || (a.vt->alloc != \null && a.vt->try_dealloc != \null); \
      ensures \result == MEMAPI_OK || \result == MEMAPI_ERROR; \
      ensures memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap); \
    complete behaviors; \
    disjoint behaviors;

/* memapi_checked_dealloc: the layout's error, UNSUPPORTED without an owns entry; otherwise an
   error with the heap unchanged, or OK: the block was freed, or it was the layout's dangling
   pointer (nothing to free). */
#define MEMAPI_ACSL_CHECKED_DEALLOC \
    requires memapi_vt_ok(a, err); \
    requires err == \null || \valid(err); \
    requires ptr == \null || \object_pointer((char *)ptr); \
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. layout.size - 1]; \
    MEMAPI_ACSL_STATUS_INVALID_LAYOUT \
    behavior unsupported: \
      assumes memapi_valid_layout(layout) && (a.vt == \null || a.vt->owns == \null); \
      ensures \result == MEMAPI_ERROR; \
      ensures memapi_unsupported(err); \
      ensures memapi_proof_heap == \old(memapi_proof_heap); \
    behavior supported: \
      assumes memapi_valid_layout(layout) && a.vt != \null && a.vt->owns != \null; \
      ensures \result == MEMAPI_OK || \result == MEMAPI_ERROR; \
      ensures \result == MEMAPI_ERROR ==> memapi_proof_heap == \old(memapi_proof_heap); \
      ensures \result == MEMAPI_OK ==> \
              memapi_freed(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, layout.size) || \
              (ptr == (void *)(uintptr_t)layout.align && memapi_proof_heap == \old(memapi_proof_heap)); \
    complete behaviors; \
    disjoint behaviors;

/* Every checked resize (zero: the new bytes are zero). An invalid old layout or no owns entry: the
   error, nothing changed. Otherwise not owned, or the resize failed: every live block kept and the
   old bytes intact; or owned and resized (or the identical layout: ptr itself, nothing changed). */
#define MEMAPI_ACSL_CHECKED_RESIZE(zero) \
    requires memapi_vt_ok(a, err); \
    requires err == \null || (\valid(err) && \
             \separated(err, (char *)ptr + (0 .. \max(old_layout.size, new_layout.size) - 1))); \
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. \max(old_layout.size, new_layout.size) - 1], \
            memapi_proof_next(memapi_proof_heap, new_layout)[0 .. new_layout.size - 1]; \
    behavior invalid_layout: \
      assumes !memapi_valid_layout(old_layout); \
      ensures \result == \null; \
      ensures err != \null ==> memapi_check_err(err, old_layout.size, old_layout.align); \
      ensures memapi_proof_heap == \old(memapi_proof_heap); \
    behavior unsupported: \
      assumes memapi_valid_layout(old_layout) && (a.vt == \null || a.vt->owns == \null); \
      ensures \result == \null; \
      ensures memapi_unsupported(err); \
      ensures memapi_proof_heap == \old(memapi_proof_heap); \
    behavior supported: \
      assumes memapi_valid_layout(old_layout) && a.vt != \null && a.vt->owns != \null; \
      ensures \result == \null ==> memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap) && \
              memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size); \
      ensures \result != \null ==> \
              memapi_resized{Old, Here}(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, old_layout, \
                                        (char *)\result, new_layout, zero) || \
              (\result == ptr && memapi_same_layout(old_layout, new_layout) && \
               memapi_proof_heap == \old(memapi_proof_heap)); \
    complete behaviors; \
    disjoint behaviors;

#endif /* MEMAPI2_ALLOC_ACSL_H */
