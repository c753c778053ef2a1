/* The c_alloc allocator: the reference's CAlloc on its non-Windows path (docs/design.md section 4). */
#define _POSIX_C_SOURCE 200809L
#include "memapi2/config.h"

#if MEMAPI_C_ALLOC
#include <errno.h>
#include <stdlib.h>
#include "memapi2/c_alloc.h"
#include "memapi2/default.h"
#include "internal/error_set.h"
#include "internal/mem.h"
#include "internal/os.h"

/*
 * Proved with Frama-C WP (proofs/README.md, "The C heap allocators"): the entries against the entry
 * contracts of their kind (memapi_proof_entry_* in memapi2/alloc_acsl.h), with the errors and the
 * size-0 rule of c_alloc.h, over the C heap's models (proofs/libc_heap.h: MEMAPI_OS(name) is the
 * model of `name` under Frama-C, which takes the caller's layout as ghost arguments).
 */
/*@ // The adjusted alignment of l (c_alloc.h: max(align, PTR), here pad_to(align, PTR)).
    logic integer memapi_c_adj_align(memapi_layout l) = memapi_pad_to(l.align, sizeof(void *));
    // l can be adjusted (memapi_layout_to_posix_memalign_compatible succeeds).
    predicate memapi_c_adjustable(memapi_layout l) = memapi_valid_sa(l.size, memapi_c_adj_align(l));
    // malloc (calloc) serves l: the adjusted alignment is malloc's at most and no larger than the size.
    predicate memapi_c_malloc_path(memapi_layout l) =
      memapi_c_adj_align(l) <= MEMAPI_PROOF_MIN_ALIGN && l.size >= memapi_c_adj_align(l);
    // The same test as shrink writes it, the alignment raised to the pointer size by \max (equal to
    // pad_to for a power of two, which the provers cannot derive from the bitwise definition).
    predicate memapi_c_shrink_malloc_path(memapi_layout l) =
      \max(l.align, sizeof(void *)) <= MEMAPI_PROOF_MIN_ALIGN && l.size >= \max(l.align, sizeof(void *));
    // ALLOC_FAILED with the adjusted layout of l and the given cause, every other field as
    // memapi__fail_alloc leaves it.
    predicate memapi_c_failed{L}(memapi_error *e, memapi_layout l, integer cause, integer code) =
      e->kind == MEMAPI_E_ALLOC_FAILED && e->layout.size == l.size && e->layout.align == memapi_c_adj_align(l) &&
      e->cause.kind == cause && e->cause.os_errno == code && e->cause.msg == \null &&
      e->msg == \null && e->ptr == \null;
*/
#if MEMAPI_OS_ERR_REPORTING
/*@ // A NULL from the malloc family: OS_ERR with errno (with OS reporting), UNKNOWN without.
    predicate memapi_c_null_err{L}(memapi_error *e, memapi_layout l, integer code) =
      memapi_c_failed(e, l, MEMAPI_CAUSE_OS_ERR, code);
*/
#else
/*@ predicate memapi_c_null_err{L}(memapi_error *e, memapi_layout l, integer code) =
      memapi_c_failed(e, l, MEMAPI_CAUSE_UNKNOWN, 0);
*/
#endif

/* The reference's rely_on_min_align on non-Windows targets. */
/*@ assigns \nothing;
    ensures \result != 0 <==> adj.align <= MEMAPI_PROOF_MIN_ALIGN && adj.size >= adj.align;
*/
static bool malloc_can_serve(memapi_layout adj)
{
    return adj.align <= MEMAPI_MIN_ALIGN && adj.size >= adj.align;
}

/* The reference's null_q_dyn: a NULL from the malloc family reports errno only with OS reporting. */
/*@ requires err == \null || \valid(err);
    assigns *err;
    ensures \result == \null;
    ensures err != \null ==> err->kind == MEMAPI_E_ALLOC_FAILED && err->layout.size == adj.size &&
            err->layout.align == adj.align && err->cause.msg == \null && err->msg == \null && err->ptr == \null;
    ensures err != \null && MEMAPI_OS_ERR_REPORTING != 0 ==>
            err->cause.kind == MEMAPI_CAUSE_OS_ERR && err->cause.os_errno == saved_errno;
    ensures err != \null && MEMAPI_OS_ERR_REPORTING == 0 ==>
            err->cause.kind == MEMAPI_CAUSE_UNKNOWN && err->cause.os_errno == 0;
*/
static void *fail_null(memapi_layout adj, int saved_errno, memapi_error *err)
{
#if MEMAPI_OS_ERR_REPORTING
    memapi__fail_alloc(err, adj, MEMAPI_CAUSE_OS_ERR, saved_errno, NULL);
#else
    (void)saved_errno;
    memapi__fail_alloc(err, adj, MEMAPI_CAUSE_UNKNOWN, 0, NULL);
#endif
    return NULL;
}

/*
 * The contract of the allocating calls (c_alloc_impl, and the alloc and zalloc entries with zero 0 and
 * 1): the entry contract of their kind (alloc_acsl.h), then c_alloc.h's rules: a layout that cannot
 * be adjusted is the adjustment's error; size 0 is the caller's dangling pointer; otherwise the C
 * heap, whose failure is ALLOC_FAILED with the adjusted layout. errno is written (the C library may
 * set it; the entry contracts do not list it: proofs/README.md).
 */
#define C_ALLOC_ACSL(zero) \
    requires memapi_valid_layout(l); \
    requires err == \null || \valid(err); \
    assigns memapi_proof_heap, *err, __fc_errno, \
            memapi_proof_next(memapi_proof_heap, l)[0 .. ((zero) != 0 ? l.size : 0) - 1]; \
    MEMAPI_ACSL_ALLOC_OUTCOME(l) \
    ensures (zero) != 0 && \result != \null ==> memapi_zero_bytes((char *)\result, 0, l.size); \
    behavior unadjustable: \
      assumes !memapi_c_adjustable(l); \
      ensures \result == \null; \
      ensures err != \null ==> memapi_check_err(err, l.size, memapi_c_adj_align(l)); \
    behavior zero_size: \
      assumes memapi_c_adjustable(l) && l.size == 0; \
      ensures \result == (void *)(uintptr_t)l.align; \
    behavior by_malloc: \
      assumes memapi_c_adjustable(l) && l.size > 0 && memapi_c_malloc_path(l); \
      ensures \result == \null && err != \null ==> memapi_c_null_err(err, l, __fc_errno); \
    behavior by_posix_memalign: \
      assumes memapi_c_adjustable(l) && l.size > 0 && !memapi_c_malloc_path(l); \
      ensures \result == \null && err != \null ==> \
              memapi_c_null_err(err, l, __fc_errno) || \
              (memapi_c_failed(err, l, MEMAPI_CAUSE_OS_ERR, err->cause.os_errno) && err->cause.os_errno > 0); \
    complete behaviors; \
    disjoint behaviors;

/*@ C_ALLOC_ACSL(zero) */
static void *c_alloc_impl(memapi_layout l, bool zero, memapi_error *err)
{
    memapi_layout adj;
    if (memapi_layout_to_posix_memalign_compatible(l, &adj, err) != MEMAPI_OK)
        return NULL;
    /* docs/design.md decision D3: the caller's layout decides the sentinel, not the adjusted one. */
#ifdef __FRAMAC__
    if (l.size == 0)
        memapi_proof_heap_size0(l); /* the abstract heap's size-0 block (proofs/libc_heap.h) */
#endif
    if (l.size == 0)
        return memapi_layout_dangling(l);
    if (malloc_can_serve(adj)) {
        void *p = zero ? MEMAPI_OS(calloc)(1, adj.size) /*@ ghost (l, err) */
                       : MEMAPI_OS(malloc)(adj.size) /*@ ghost (l, err) */;
        return p != NULL ? p : fail_null(adj, errno, err);
    }
    void *p = NULL;
    int status = MEMAPI_OS(posix_memalign)(&p, adj.align, adj.size) /*@ ghost (l, err) */;
    /* The reference reports posix_memalign's status as an OS error whatever the configuration. */
    if (status != 0) {
        memapi__fail_alloc(err, adj, MEMAPI_CAUSE_OS_ERR, status, NULL);
        return NULL;
    }
    if (p == NULL)
        return fail_null(adj, errno, err);
    if (zero)
        memapi__zero(p, adj.size);
    return p;
}

/*@ C_ALLOC_ACSL(0) */
static void *c_alloc_alloc(void *self, memapi_layout l, memapi_error *err)
{
    (void)self;
    return c_alloc_impl(l, false, err);
}

/*@ C_ALLOC_ACSL(1) */
static void *c_alloc_zalloc(void *self, memapi_layout l, memapi_error *err)
{
    (void)self;
    return c_alloc_impl(l, true, err);
}

/* The outcome the entry contract asks of a try_dealloc (alloc_acsl.h's MEMAPI_ACSL_TRY_DEALLOC_OUTCOME,
   on this entry's layout argument `l`), for each behavior but the dangling pointer's. */
#define C_ALLOC_TRY_DEALLOC_OUTCOME \
      ensures \result == MEMAPI_OK || \result == MEMAPI_ERROR; \
      ensures \result == MEMAPI_OK ==> memapi_freed(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, l.size); \
      ensures \result == MEMAPI_ERROR ==> memapi_proof_heap == \old(memapi_proof_heap) && \
              memapi_same_bytes{Old, Here}((char *)ptr, l.size); \
      ensures \result == MEMAPI_ERROR && err != \null ==> memapi_err_texts(err);

/*
 * The try_dealloc entry: its entry contract (alloc_acsl.h) for every block but the layout's dangling
 * pointer, which c_alloc.h (docs/design.md D3) accepts and ignores for any size: for a nonzero size
 * the entry contract would have it freed (proofs/README.md, "What is not proved").
 */
/*@ requires memapi_valid_layout(l);
    requires memapi_owned(memapi_proof_heap, (char *)ptr, l.size);
    requires \valid((char *)ptr + (0 .. l.size - 1));
    requires err == \null || (\valid(err) && \separated(err, (char *)ptr + (0 .. l.size - 1)));
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. l.size - 1];
    behavior dangling:
      assumes ptr == (void *)(uintptr_t)l.align;
      ensures \result == MEMAPI_OK;
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior unadjustable:
      assumes ptr != (void *)(uintptr_t)l.align && !memapi_c_adjustable(l);
      C_ALLOC_TRY_DEALLOC_OUTCOME
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, l.size, memapi_c_adj_align(l));
    behavior zero_size:
      assumes ptr != (void *)(uintptr_t)l.align && memapi_c_adjustable(l) && l.size == 0;
      C_ALLOC_TRY_DEALLOC_OUTCOME
      ensures \result == MEMAPI_OK;
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior freed:
      assumes ptr != (void *)(uintptr_t)l.align && memapi_c_adjustable(l) && l.size > 0;
      C_ALLOC_TRY_DEALLOC_OUTCOME
      ensures \result == MEMAPI_OK;
    complete behaviors;
    disjoint behaviors;
*/
static memapi_status c_alloc_try_dealloc(void *self, void *ptr, memapi_layout l, memapi_error *err)
{
    (void)self;
    if (ptr == memapi_layout_dangling(l))
        return MEMAPI_OK;
    /* The reference refuses (and does not free) a layout it could not have allocated. */
    memapi_layout adj;
    if (memapi_layout_to_posix_memalign_compatible(l, &adj, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    if (l.size == 0)
        return MEMAPI_OK;
    MEMAPI_OS(free)(ptr) /*@ ghost (l.size) */;
    return MEMAPI_OK;
}

/*
 * Shrink without allocate, copy, free when the block can stay: the dispatch has checked that
 * new.size <= old.size, new.align >= old.align, and that the layouts differ. try_dealloc frees any
 * block of nonzero size with free(), which needs no size, so the same block is owned with the new
 * layout as soon as it is aligned to new.align (its adjusted layout is valid: new.size <= old.size
 * and old was adjusted when the block was allocated). When less than half of it stays in use, C
 * realloc gives the tail back to the heap (malloc's alignment is enough only when malloc could
 * serve the new layout); a failed realloc leaves the block as it was, which is kept then too.
 * A size-0 block on either side (the dangling pointer is not a heap block) and a block not aligned
 * to new.align take the library default.
 */
/*
 * The shrink entry: the entry resize contract (alloc_acsl.h), for what the dispatch hands a shrink
 * entry (memapi_resize_pass with direction -1: the new size no larger, the new alignment no smaller,
 * the pointer non-NULL and aligned) and *err outside the vtable (memapi_vt_ok); then the path:
 * the library default, the block kept, or the block trimmed by realloc (kept when realloc fails).
 */
/*@ requires memapi_valid_layout(old_l) && memapi_valid_layout(new_l);
    requires new_l.align >= old_l.align && new_l.size <= old_l.size;
    requires memapi_ptr_ok(ptr, old_l);
    requires memapi_owned(memapi_proof_heap, (char *)ptr, old_l.size);
    requires \valid((char *)ptr + (0 .. old_l.size - 1));
    requires err == \null || (\valid(err) && \separated(err, (char *)ptr + (0 .. old_l.size - 1)) &&
                              \separated(err, &memapi_c_alloc_vtable));
    assigns memapi_proof_heap, *err, __fc_errno, ((char *)ptr)[0 .. old_l.size - 1],
            memapi_proof_next(memapi_proof_heap, new_l)[0 .. new_l.size - 1];
    MEMAPI_ACSL_RESIZE_KEPT(old_l)
    MEMAPI_ACSL_RESIZE_DONE(old_l, new_l, 0)
    behavior by_default:
      assumes new_l.size == 0 || old_l.size == 0 || memapi_misaligned(ptr, new_l.align);
      ensures \result != \null ==> \result == memapi_proof_next(\old(memapi_proof_heap), new_l);
    behavior kept:
      assumes !(new_l.size == 0 || old_l.size == 0 || memapi_misaligned(ptr, new_l.align));
      assumes new_l.size >= old_l.size - old_l.size / 2 || !memapi_c_shrink_malloc_path(new_l);
      ensures \result == ptr && !memapi_misaligned(ptr, new_l.align);
    behavior trimmed:
      assumes !(new_l.size == 0 || old_l.size == 0 || memapi_misaligned(ptr, new_l.align));
      assumes new_l.size < old_l.size - old_l.size / 2 && memapi_c_shrink_malloc_path(new_l);
      ensures \result != \null;
      ensures \result == ptr || memapi_proof_aligned(\result, MEMAPI_PROOF_MIN_ALIGN);
    complete behaviors;
    disjoint behaviors;
*/
static void *c_alloc_shrink(void *self, void *ptr, memapi_layout old_l, memapi_layout new_l, memapi_error *err)
{
    if (new_l.size == 0 || old_l.size == 0 || ((uintptr_t)ptr & (new_l.align - 1)) != 0)
        return memapi_default_resize((memapi_allocator){&memapi_c_alloc_vtable, self}, ptr, old_l, new_l, false, err);
    memapi_layout adj = {new_l.size, new_l.align < MEMAPI_PTR_SIZE ? MEMAPI_PTR_SIZE : new_l.align};
#ifdef __FRAMAC__
    if (new_l.size >= old_l.size - old_l.size / 2 || !malloc_can_serve(adj))
        memapi_proof_heap_keep((char *)ptr, old_l, new_l); /* the block kept (proofs/libc_heap.h) */
#endif
    if (new_l.size >= old_l.size - old_l.size / 2 || !malloc_can_serve(adj))
        return ptr;
    void *shrunk = MEMAPI_OS(realloc)(ptr, new_l.size) /*@ ghost (old_l, new_l) */;
#ifdef __FRAMAC__
    if (shrunk == NULL)
        memapi_proof_heap_keep((char *)ptr, old_l, new_l);
#endif
    if (shrunk == NULL)
        return ptr; /* realloc failed and left the block as it was: keep it */
    return shrunk;
}

const memapi_alloc_vtable memapi_c_alloc_vtable = {
    .name = "c_alloc",
    .caps = MEMAPI_CAP_DEALLOC | MEMAPI_CAP_REALLOC | MEMAPI_CAP_SHARED,
    .alloc = c_alloc_alloc,
    .zalloc = c_alloc_zalloc,
    .try_dealloc = c_alloc_try_dealloc,
    .grow = NULL,
    .zgrow = NULL,
    .shrink = c_alloc_shrink,
    .realloc = NULL,
    .rezalloc = NULL,
    .owns = NULL,
    .alloc_temp = NULL,
};
#else
/* ISO C forbids an empty translation unit. */
typedef int memapi__c_alloc_disabled;
#endif
