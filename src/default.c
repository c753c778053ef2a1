/* The default allocator: the platform heap (reference DefaultAlloc / System; docs/design.md section 4). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>
#include "memapi2/default.h"
#include "internal/error_set.h"
#include "internal/os.h"

/*
 * Proved with Frama-C WP (proofs/README.md, "The default allocator"): every vtable entry against
 * the entry contract of its kind (memapi_proof_entry_* in memapi2/alloc_acsl.h), restated on the
 * entry, and default.h's rules (the error's layout and cause, size 0, the paths), over the C heap's
 * models (proofs/libc_heap.h: MEMAPI_OS(name) is the model of `name` under Frama-C, which takes
 * the caller's layout as ghost arguments). The proof's platform is x86_64 glibc (MEMAPI_MIN_ALIGN
 * is 16 there, default.h), so the glibc path (memalign) is the one proved; Frama-C's own libc does
 * not define __GLIBC__.
 */
/*@ // malloc (calloc) serves l: its alignment is malloc's at most and the size at least the
    // alignment (which excludes size 0: a valid alignment is at least 1).
    predicate memapi_def_malloc_path(memapi_layout l) =
      l.align <= MEMAPI_PROOF_MIN_ALIGN && l.size >= l.align;
    // realloc serves the resize from ol to nl: the old block is not size 0 (its dangling pointer is
    // no heap block) and malloc could serve nl.
    predicate memapi_def_realloc_path(memapi_layout ol, memapi_layout nl) =
      ol.size != 0 && memapi_def_malloc_path(nl);
*/
/*@ logic char *memapi_def_at(char *p, integer k) = p + k; */
#if MEMAPI_OS_ERR_REPORTING
/*@ // The error of a failed heap call for the caller's layout l: ALLOC_FAILED(l, os error `code`),
    // every other field as memapi__fail_alloc leaves it.
    predicate memapi_def_failed{L}(memapi_error *e, memapi_layout l, integer code) =
      e->kind == MEMAPI_E_ALLOC_FAILED && e->layout.size == l.size && e->layout.align == l.align &&
      e->cause.kind == MEMAPI_CAUSE_OS_ERR && e->cause.os_errno == code && e->cause.msg == \null &&
      e->msg == \null && e->ptr == \null;
*/
#else
/*@ // Without OS error reporting: ALLOC_FAILED(l, unknown), no errno.
    predicate memapi_def_failed{L}(memapi_error *e, memapi_layout l, integer code) =
      e->kind == MEMAPI_E_ALLOC_FAILED && e->layout.size == l.size && e->layout.align == l.align &&
      e->cause.kind == MEMAPI_CAUSE_UNKNOWN && e->cause.os_errno == 0 && e->cause.msg == \null &&
      e->msg == \null && e->ptr == \null;
*/
#endif

/* No interprocedural change of a function's arguments (GCC's constant propagation would drop the
   reporting functions' unused `self` and move the others back into other registers). */
#if defined(__GNUC__) && !defined(__clang__)
#define KEEP_ARGS __attribute__((noinline, noipa))
#else
#define KEEP_ARGS __attribute__((noinline))
#endif

/*
 * IN_STACK_SLOT(x): x is kept in a stack slot, not in a callee-saved register, across the heap call
 * that follows. The reporting functions keep the layout and err across malloc (calloc, memalign,
 * realloc) only for the failure path; GCC kept them in three callee-saved registers, a push, a move
 * and a pop each (9 instructions) where three stores do (the failure path reloads them). An empty
 * asm that may rewrite x in memory: the compiler stores x before it and reads it back from there
 * afterwards. It emits no instruction and changes no value, so Frama-C, which cannot read asm, and
 * compilers other than GCC and clang are given nothing in its place (nor is Eva: proofs/eva/prelude.h).
 */
#if defined(__GNUC__) && !defined(__FRAMAC__) && !defined(MEMAPI__NO_ASM_HINTS)
#define IN_STACK_SLOT(x) __asm__("" : "+m"(x))
#else
#define IN_STACK_SLOT(x) ((void)0)
#endif

/* The malloc family can serve this layout without posix_memalign (reference rely_on_min_align). */
/*@ assigns \nothing;
    ensures \result != 0 <==> memapi_def_malloc_path(l);
*/
static inline bool malloc_can_serve(memapi_layout l)
{
    /* Two compare-and-branch pairs (as one condition, GCC computed min(align, MIN_ALIGN) first). */
    if (MEMAPI_UNLIKELY(l.align > MEMAPI_MIN_ALIGN))
        return false;
    return l.size >= l.align;
}

/* Error path: out of line so that the malloc path keeps no frame for it. */
/*@ requires err == \null || \valid(err);
    assigns *err;
    ensures \result == \null;
    ensures err != \null ==> memapi_def_failed(err, l, code);
*/
static __attribute__((noinline, cold)) void *fail_os(memapi_layout l, int code, memapi_error *err)
{
#if MEMAPI_OS_ERR_REPORTING
    memapi__fail_alloc(err, l, MEMAPI_CAUSE_OS_ERR, code, NULL);
#else
    (void)code;
    memapi__fail_alloc(err, l, MEMAPI_CAUSE_UNKNOWN, 0, NULL);
#endif
    return NULL;
}

/*
 * The over-aligned path, out of line. On glibc, memalign: what posix_memalign does, without the
 * out-parameter that makes a function keep a stack slot and the stack protector's canary (about 15
 * instructions a call). Elsewhere posix_memalign (memalign is not POSIX; nor aligned_alloc, which
 * C11 and sanitizer runtimes may refuse for a size that is not a multiple of the alignment). Both
 * raise an alignment below the pointer size, which the layout never needs: the block is aligned
 * to more than it asked for.
 */
/*@ requires memapi_valid_layout(l);
    requires err == \null || \valid(err);
    assigns memapi_proof_heap, *err, __fc_errno;
    ensures \result == \null ==> memapi_proof_heap == \old(memapi_proof_heap);
    ensures \result == \null && err != \null ==> memapi_def_failed(err, l, __fc_errno);
    ensures \result != \null ==>
            memapi_new_block(\old(memapi_proof_heap), memapi_proof_heap, (char *)\result, l, err) &&
            memapi_proof_aligned(\result, l.align);
*/
static KEEP_ARGS void *heap_alloc_aligned(void *self, memapi_layout l, memapi_error *err)
{
    (void)self;
#if defined(__GLIBC__) || defined(__FRAMAC__)
    const size_t align = l.align, size = l.size;
    IN_STACK_SLOT(l);
    IN_STACK_SLOT(err);
    void *p = MEMAPI_OS(memalign)(align, size) /*@ ghost (l, err) */;
    if (p == NULL)
        return fail_os(l, errno, err);
#else
    void *p = NULL;
    int code = MEMAPI_OS(posix_memalign)(&p, l.align < sizeof(void *) ? sizeof(void *) : l.align, l.size);
    if (code != 0)
        return fail_os(l, code, err);
#endif
    return p;
}

/*@ requires memapi_valid_layout(l) && l.size != 0;
    requires err == \null || \valid(err);
    assigns memapi_proof_heap, *err, __fc_errno, memapi_proof_next(memapi_proof_heap, l)[0 .. l.size - 1];
    ensures \result == \null ==> memapi_proof_heap == \old(memapi_proof_heap);
    ensures \result == \null && err != \null ==> memapi_def_failed(err, l, __fc_errno);
    ensures \result != \null ==>
            memapi_new_block(\old(memapi_proof_heap), memapi_proof_heap, (char *)\result, l, err) &&
            memapi_proof_aligned(\result, l.align);
    ensures \result != \null ==> memapi_zero_bytes((char *)\result, 0, l.size);
*/
static __attribute__((noinline)) void *heap_zalloc_aligned(void *self, memapi_layout l, memapi_error *err)
{
    void *p = heap_alloc_aligned(self, l, err);
    if (p != NULL)
        memset(p, 0, l.size);
    return p;
}

/* The size-0 result: the layout's dangling pointer (the dispatch validated the layout already). */
/*@ assigns \nothing;
    ensures \result == (void *)(uintptr_t)l.align;
*/
static inline void *dangling(memapi_layout l)
{
    return (void *)(uintptr_t)l.align;
}

/*
 * malloc (calloc), filling *err on failure: out of line, as the layout and err must be kept across
 * the call. One function per kind, so that neither tests which it is. They take the entry's
 * arguments in the entry's registers (`self` unused), so that the entry jumps to them as it was
 * called.
 */
/*@ requires err == \null || \valid(err);
    assigns memapi_proof_heap, *err, __fc_errno;
    ensures \result == \null ==> memapi_proof_heap == \old(memapi_proof_heap);
    ensures \result == \null && err != \null ==> memapi_def_failed(err, l, __fc_errno);
    ensures \result != \null ==>
            memapi_new_block(\old(memapi_proof_heap), memapi_proof_heap, (char *)\result, l, err) &&
            memapi_proof_aligned(\result, MEMAPI_PROOF_MIN_ALIGN);
*/
static KEEP_ARGS void *heap_malloc_reporting(void *self, memapi_layout l, memapi_error *err)
{
    (void)self;
    const size_t size = l.size;
    IN_STACK_SLOT(l);
    IN_STACK_SLOT(err);
    void *p = MEMAPI_OS(malloc)(size) /*@ ghost (l, err) */;
    if (p == NULL)
        return fail_os(l, errno, err);
    return p;
}

/*@ requires err == \null || \valid(err);
    assigns memapi_proof_heap, *err, __fc_errno, memapi_proof_next(memapi_proof_heap, l)[0 .. l.size - 1];
    ensures \result == \null ==> memapi_proof_heap == \old(memapi_proof_heap);
    ensures \result == \null && err != \null ==> memapi_def_failed(err, l, __fc_errno);
    ensures \result != \null ==>
            memapi_new_block(\old(memapi_proof_heap), memapi_proof_heap, (char *)\result, l, err) &&
            memapi_proof_aligned(\result, MEMAPI_PROOF_MIN_ALIGN);
    ensures \result != \null ==> memapi_zero_bytes((char *)\result, 0, l.size);
*/
static KEEP_ARGS void *heap_calloc_reporting(void *self, memapi_layout l, memapi_error *err)
{
    (void)self;
    const size_t size = l.size;
    IN_STACK_SLOT(l);
    IN_STACK_SLOT(err);
    void *p = MEMAPI_OS(calloc)(1, size) /*@ ghost (l, err) */;
    if (p == NULL)
        return fail_os(l, errno, err);
    return p;
}

/*
 * Every path ends in a tail call, so that the entries keep no frame: without an error to fill,
 * malloc's (calloc's) result is the answer as it stands.
 */
/*
 * The contract of the allocating calls (heap_alloc, and the alloc and zalloc entries with zero 0 and
 * 1): the entry contract of their kind (alloc_acsl.h's memapi_proof_entry_alloc / _zalloc), then
 * default.h's rules: size 0 is the layout's dangling pointer, nothing allocated; otherwise malloc
 * (calloc) or memalign, whose failure is ALLOC_FAILED with the caller's layout and errno (cause
 * unknown without OS error reporting). errno is written (the C library may set it; the entry
 * contracts do not list it: proofs/README.md).
 */
#define DEFAULT_ALLOC_ACSL(zero) \
    requires memapi_valid_layout(l); \
    requires err == \null || \valid(err); \
    assigns memapi_proof_heap, *err, __fc_errno, memapi_proof_next(memapi_proof_heap, l)[0 .. l.size - 1]; \
    MEMAPI_ACSL_ALLOC_OUTCOME(l) \
    ensures (zero) != 0 && \result != \null ==> memapi_zero_bytes((char *)\result, 0, l.size); \
    behavior zero_size: \
      assumes l.size == 0; \
      ensures \result == (void *)(uintptr_t)l.align; \
    behavior by_malloc: \
      assumes memapi_def_malloc_path(l); \
      ensures \result == \null && err != \null ==> memapi_def_failed(err, l, __fc_errno); \
      ensures \result != \null ==> memapi_proof_aligned(\result, MEMAPI_PROOF_MIN_ALIGN); \
    behavior by_memalign: \
      assumes l.size != 0 && !memapi_def_malloc_path(l); \
      ensures \result == \null && err != \null ==> memapi_def_failed(err, l, __fc_errno); \
      ensures \result != \null ==> memapi_proof_aligned(\result, l.align); \
    complete behaviors; \
    disjoint behaviors;

/*@ DEFAULT_ALLOC_ACSL(zero) */
static inline void *heap_alloc(void *self, memapi_layout l, bool zero, memapi_error *err)
{
    /* malloc_can_serve excludes size 0 (align >= 1 > size), so the common path tests it once. */
    if (MEMAPI_LIKELY(malloc_can_serve(l))) {
        if (zero)
            return err != NULL ? heap_calloc_reporting(self, l, err) : MEMAPI_OS(calloc)(1, l.size) /*@ ghost (l, err) */;
        return err != NULL ? heap_malloc_reporting(self, l, err) : MEMAPI_OS(malloc)(l.size) /*@ ghost (l, err) */;
    }
#ifdef __FRAMAC__
    if (l.size == 0)
        memapi_proof_heap_size0(l); /* the abstract heap's size-0 block (proofs/libc_heap.h) */
#endif
    if (l.size == 0)
        return dangling(l);
    return zero ? heap_zalloc_aligned(self, l, err) : heap_alloc_aligned(self, l, err);
}

/*@ DEFAULT_ALLOC_ACSL(0) */
static void *default_alloc(void *self, memapi_layout l, memapi_error *err)
{
    return heap_alloc(self, l, false, err);
}

/*@ DEFAULT_ALLOC_ACSL(1) */
static void *default_zalloc(void *self, memapi_layout l, memapi_error *err)
{
    return heap_alloc(self, l, true, err);
}

/*
 * The try_dealloc entry: its entry contract (alloc_acsl.h, OK and the block freed) for every block
 * but the layout's dangling pointer, which default.h (docs/design.md D3) accepts and ignores for any
 * size: for a nonzero size the entry contract would have it freed (proofs/README.md, "What is not
 * proved"). A size-0 layout frees nothing (D3).
 */
/*@ requires memapi_valid_layout(l);
    requires memapi_owned(memapi_proof_heap, (char *)ptr, l.size);
    requires \valid((char *)ptr + (0 .. l.size - 1));
    requires err == \null || (\valid(err) && \separated(err, (char *)ptr + (0 .. l.size - 1)));
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. l.size - 1];
    ensures \result == MEMAPI_OK;
    behavior dangling:
      assumes ptr == (void *)(uintptr_t)l.align;
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior zero_size:
      assumes ptr != (void *)(uintptr_t)l.align && l.size == 0;
      ensures memapi_freed(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, l.size);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior freed:
      assumes ptr != (void *)(uintptr_t)l.align && l.size != 0;
      ensures memapi_freed(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, l.size);
    complete behaviors;
    disjoint behaviors;
*/
static memapi_status default_try_dealloc(void *self, void *ptr, memapi_layout l, memapi_error *err)
{
    (void)self;
    (void)err;
    if (MEMAPI_LIKELY(l.size != 0 && ptr != dangling(l)))
        MEMAPI_OS(free)(ptr) /*@ ghost (l.size) */;
    return MEMAPI_OK;
}

/*
 * free cannot fail: memapi_dealloc calls this entry and needs no error object (alloc.h). It never
 * gets the layout's dangling pointer (the entry's contract), but it may get another pointer with a
 * size-0 layout, which this allocator never hands out (its size-0 blocks are the dangling
 * pointer): a no-op, as in try_dealloc (docs/design.md D3). Freeing it would free whatever block
 * the pointer is, and that block's own dealloc would then be a double free.
 */
/*@ requires memapi_valid_layout(l);
    requires ptr != (void *)(uintptr_t)l.align;
    requires memapi_owned(memapi_proof_heap, (char *)ptr, l.size);
    requires \valid((char *)ptr + (0 .. l.size - 1));
    assigns memapi_proof_heap, ((char *)ptr)[0 .. l.size - 1];
    ensures memapi_freed(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, l.size);
    ensures l.size == 0 ==> memapi_proof_heap == \old(memapi_proof_heap);
*/
static void default_dealloc(void *self, void *ptr, memapi_layout l)
{
    (void)self;
    if (MEMAPI_LIKELY(l.size != 0))
        MEMAPI_OS(free)(ptr) /*@ ghost (l.size) */;
}

/*
 * The resize entries only test and jump: each path is a function that takes the entry's own
 * arguments in the entry's registers (KEEP_ARGS), so that the entry moves no argument. (Written as
 * one function with tail calls of realloc and of these, the entry shuffled six registers.)
 */
#define RESIZE_ARGS void *self, void *ptr, memapi_layout old_l, memapi_layout new_l, memapi_error *err

/* The library's allocate-copy-free path, for what realloc cannot do (size 0, over-aligned):
   memapi_default_resize's contract (src/resize.c) on this allocator, whose vtable has try_dealloc. */
#define DEFAULT_BY_COPY_ACSL(zero) \
    requires memapi_valid_layout(old_l) && memapi_valid_layout(new_l); \
    requires memapi_owned(memapi_proof_heap, (char *)ptr, old_l.size); \
    requires \valid((char *)ptr + (0 .. old_l.size - 1)); \
    requires err == \null || (\valid(err) && \separated(err, &memapi_default_vtable) && \
                              \separated(err, (char *)ptr + (0 .. old_l.size - 1))); \
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. old_l.size - 1], \
            memapi_proof_next(memapi_proof_heap, new_l)[0 .. new_l.size - 1]; \
    ensures \result == \null ==> memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap) && \
            memapi_same_bytes{Old, Here}((char *)ptr, old_l.size); \
    ensures \result != \null ==> \result == memapi_proof_next(\old(memapi_proof_heap), new_l); \
    MEMAPI_ACSL_RESIZE_DONE(old_l, new_l, zero)

/*@ DEFAULT_BY_COPY_ACSL(0) */
static KEEP_ARGS void *resize_by_copy(RESIZE_ARGS)
{
    (void)self;
    return memapi_default_resize(memapi_default(), ptr, old_l, new_l, false, err);
}

/*@ DEFAULT_BY_COPY_ACSL(1) */
static KEEP_ARGS void *zresize_by_copy(RESIZE_ARGS)
{
    (void)self;
    return memapi_default_resize(memapi_default(), ptr, old_l, new_l, true, err);
}

/* realloc of a live block of nonzero size to a layout malloc could serve (realloc_can_serve), the
   error (when err is not NULL) ALLOC_FAILED with the new layout and errno. */
#define DEFAULT_REALLOC_ACSL(zero) \
    requires memapi_valid_layout(old_l) && memapi_valid_layout(new_l); \
    requires memapi_def_realloc_path(old_l, new_l); \
    requires memapi_owned(memapi_proof_heap, (char *)ptr, old_l.size); \
    requires \valid((char *)ptr + (0 .. old_l.size - 1)); \
    requires err == \null || (\valid(err) && \separated(err, (char *)ptr + (0 .. \max(old_l.size, new_l.size) - 1))); \
    assigns memapi_proof_heap, *err, __fc_errno, ((char *)ptr)[0 .. \max(old_l.size, new_l.size) - 1], \
            memapi_proof_next(memapi_proof_heap, new_l)[0 .. new_l.size - 1]; \
    ensures \result == \null ==> memapi_proof_heap == \old(memapi_proof_heap) && \
            memapi_same_bytes{Old, Here}((char *)ptr, old_l.size); \
    ensures \result == \null && err != \null ==> memapi_def_failed(err, new_l, __fc_errno); \
    ensures \result != \null ==> memapi_resized{Old, Here}(\old(memapi_proof_heap), memapi_proof_heap, \
                                                         (char *)ptr, old_l, (char *)\result, new_l, zero); \
    ensures \result != \null ==> memapi_proof_aligned(\result, MEMAPI_PROOF_MIN_ALIGN); \
    ensures \result != \null ==> memapi_aligned(\result, new_l.align);

/* realloc with an error to fill: the new layout and err are kept across it. */
/*@ DEFAULT_REALLOC_ACSL(0) */
static KEEP_ARGS void *heap_realloc_reporting(RESIZE_ARGS)
{
    (void)self;
    (void)old_l;
    const size_t size = new_l.size;
    IN_STACK_SLOT(new_l);
    IN_STACK_SLOT(err);
    void *p = MEMAPI_OS(realloc)(ptr, size) /*@ ghost (old_l, new_l) */;
    if (p == NULL)
        return fail_os(new_l, errno, err);
    return p;
}

/* realloc without an error to fill: realloc's result as it stands (its only caller passes no err). */
/*@ requires err == \null;
    DEFAULT_REALLOC_ACSL(0) */
static KEEP_ARGS void *heap_realloc(RESIZE_ARGS)
{
    (void)self;
    (void)old_l;
    (void)err;
    return MEMAPI_OS(realloc)(ptr, new_l.size) /*@ ghost (old_l, new_l) */;
}

/* realloc with the new tail to zero (and an error to fill). */
/*@ DEFAULT_REALLOC_ACSL(1) */
static KEEP_ARGS void *heap_realloc_zero(RESIZE_ARGS)
{
    (void)self;
    void *p = MEMAPI_OS(realloc)(ptr, new_l.size) /*@ ghost (old_l, new_l) */;
    if (p == NULL)
        return fail_os(new_l, errno, err);
    if (new_l.size > old_l.size)
        memset((char *)p + old_l.size, 0, new_l.size - old_l.size);
    /*@ assert kept: \forall integer i; 0 <= i < \min(old_l.size, new_l.size) ==>
                     ((char *)p)[i] == \at(((char *)ptr)[i], Pre); */
    /*@ assert tail: new_l.size > old_l.size ==>
                     memapi_zero_bytes((char *)p + old_l.size, 0, new_l.size - old_l.size); */
    /*@ assert tail_at: \forall integer j; 0 <= j < new_l.size - old_l.size ==>
                        *memapi_def_at((char *)p + old_l.size, j) == 0; */
    /*@ assert bridge: \forall integer i; old_l.size <= i < new_l.size ==>
                       (char *)p + i == memapi_def_at((char *)p + old_l.size, i - old_l.size); */
    /*@ assert zeroed: \forall integer i; old_l.size <= i < new_l.size ==> ((char *)p)[i] == 0; */
    return p;
}

/*
 * realloc serves the resize when malloc could serve the new layout (which excludes a new size 0)
 * and the old block is not size 0 (the dangling pointer, which realloc must not see).
 */
/*@ assigns \nothing;
    ensures \result != 0 <==> memapi_def_realloc_path(old_l, new_l);
*/
static inline bool realloc_can_serve(memapi_layout old_l, memapi_layout new_l)
{
    /* One compare-and-branch each (as a whole condition, GCC computed two flags and tested both). */
    if (MEMAPI_UNLIKELY(old_l.size == 0))
        return false;
    if (MEMAPI_UNLIKELY(new_l.align > MEMAPI_MIN_ALIGN))
        return false;
    return new_l.size >= new_l.align;
}

/*
 * The resize entries (grow, shrink and realloc with zero 0; zgrow and rezalloc with zero 1): the
 * entry resize contract (alloc_acsl.h's memapi_proof_entry_resize), with *err outside the vtable
 * (memapi_vt_ok: the dispatch's precondition), then the path: realloc, whose failure is
 * ALLOC_FAILED with the new layout, or the library default, whose block is the heap's next one.
 * errno is written (the C library may set it). The entry contract's error texts on failure are
 * proved on the realloc path only: memapi_default_resize's contract does not state them
 * (proofs/README.md, "What is not proved").
 */
#define DEFAULT_RESIZE_ACSL(zero) \
    requires memapi_valid_layout(old_l) && memapi_valid_layout(new_l); \
    requires new_l.align >= old_l.align; \
    requires memapi_owned(memapi_proof_heap, (char *)ptr, old_l.size); \
    requires \valid((char *)ptr + (0 .. old_l.size - 1)); \
    requires err == \null || (\valid(err) && \separated(err, &memapi_default_vtable) && \
                              \separated(err, (char *)ptr + (0 .. \max(old_l.size, new_l.size) - 1))); \
    assigns memapi_proof_heap, *err, __fc_errno, ((char *)ptr)[0 .. \max(old_l.size, new_l.size) - 1], \
            memapi_proof_next(memapi_proof_heap, new_l)[0 .. new_l.size - 1]; \
    MEMAPI_ACSL_RESIZE_KEPT(old_l) \
    MEMAPI_ACSL_RESIZE_DONE(old_l, new_l, zero) \
    behavior by_realloc: \
      assumes memapi_def_realloc_path(old_l, new_l); \
      ensures \result == \null && err != \null ==> memapi_def_failed(err, new_l, __fc_errno) && memapi_err_texts(err); \
      ensures \result != \null ==> memapi_proof_aligned(\result, MEMAPI_PROOF_MIN_ALIGN); \
    behavior by_copy: \
      assumes !memapi_def_realloc_path(old_l, new_l); \
      ensures \result != \null ==> \result == memapi_proof_next(\old(memapi_proof_heap), new_l); \
    complete behaviors; \
    disjoint behaviors;

/*@ DEFAULT_RESIZE_ACSL(0) */
static void *default_resize(RESIZE_ARGS)
{
    if (MEMAPI_LIKELY(realloc_can_serve(old_l, new_l))) {
        if (MEMAPI_LIKELY(err != NULL))
            return heap_realloc_reporting(self, ptr, old_l, new_l, err);
        return heap_realloc(self, ptr, old_l, new_l, err);
    }
    return resize_by_copy(self, ptr, old_l, new_l, err);
}

/*@ DEFAULT_RESIZE_ACSL(1) */
static void *default_zresize(RESIZE_ARGS)
{
    if (MEMAPI_UNLIKELY(!realloc_can_serve(old_l, new_l)))
        return zresize_by_copy(self, ptr, old_l, new_l, err);
    return heap_realloc_zero(self, ptr, old_l, new_l, err);
}

const memapi_alloc_vtable memapi_default_vtable = {
    .name = "default",
    .caps = MEMAPI_CAP_DEALLOC | MEMAPI_CAP_REALLOC | MEMAPI_CAP_SHARED,
    .alloc = default_alloc,
    .zalloc = default_zalloc,
    .try_dealloc = default_try_dealloc,
    .grow = default_resize,
    .zgrow = default_zresize,
    .shrink = default_resize,
    .realloc = default_resize,
    .rezalloc = default_zresize,
    .owns = NULL,
    .alloc_temp = NULL,
    .dealloc = default_dealloc,
};
