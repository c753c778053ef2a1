/* The stack allocator: alloca in a library frame that lives as long as the callback (docs/design.md section 4). */
#include "memapi2/config.h"

#if MEMAPI_STACK_ALLOC
#ifndef __FRAMAC__
#include <alloca.h>
#endif
#include <stdalign.h>
#include "memapi2/stack.h"
#include "internal/error_set.h"

#ifndef __FRAMAC__
#define GUARANTEED_ALIGN alignof(max_align_t)
#else
/* Frama-C 25 does not support _Alignof: alignof(max_align_t) of its machdep (gcc_x86_64). No
 * proved property depends on the value. */
#define GUARANTEED_ALIGN ((size_t)16)
#endif

/*
 * Proved with Frama-C WP (proofs/README.md, "The stack allocator"): memapi_stack_alloc_temp
 * against its contract below, the two vtable entries against the entry contracts of their kind
 * (memapi_proof_entry_alloc, memapi_proof_entry_alloc_temp in memapi2/alloc_acsl.h).
 *
 * Under Frama-C the callback is the model of any callback (memapi_proof_temp_cb, as in
 * alloc_temp.c), and alloca(n) is modelled by an array of MEMAPI_STACK_ALLOC_MAX bytes in
 * run_on_stack's own frame (WP implements neither alloca's \fresh nor a block that belongs to the
 * calling frame; an array of the frame is exactly that: valid until the function returns, disjoint
 * from every other object). The cap guarantees n <= MEMAPI_STACK_ALLOC_MAX. What the model leaves
 * out (alloca's alignment to alignof(max_align_t), stack overflow) is listed in proofs/README.md.
 */
#ifdef __FRAMAC__
#define CALL_TEMP_CB(cb, ctx, mem, size) memapi_proof_temp_cb((cb), (ctx), (mem), (size))
#define STACK_FRAME char memapi_proof_frame[MEMAPI_STACK_ALLOC_MAX];
#define STACK_ALLOCA(n) ((void)(n), memapi_proof_frame)
#else
#define CALL_TEMP_CB(cb, ctx, mem, size) (cb)((ctx), (mem))
#define STACK_FRAME
/* alloca, not a VLA: the reference's design, and the project builds with -Wvla. */
#define STACK_ALLOCA(n) alloca(n)
#endif

static const char cap_msg[] = "request exceeds the stack allocator's size cap";
/* The dispatch's "null callback" text (alloc_temp.c; memapi2/alloc_acsl.h declares it for Frama-C). */
extern const char memapi__msg_null_callback[14];

/*@ // The cap's error: ALLOC_FAILED(l, OTHER(cap_msg)), every other field as memapi__fail_alloc leaves it.
  predicate memapi_stack_err_cap{L}(memapi_error *e, memapi_layout l) =
    e->kind == MEMAPI_E_ALLOC_FAILED && e->layout.size == l.size && e->layout.align == l.align &&
    e->cause.kind == MEMAPI_CAUSE_OTHER && e->cause.os_errno == 0 && e->cause.msg == cap_msg &&
    e->msg == \null && e->ptr == \null;
  // A request within the cap: size + (align - 1) <= MEMAPI_STACK_ALLOC_MAX, written as the code tests it.
  predicate memapi_stack_fits(memapi_layout l) =
    l.size <= MEMAPI_STACK_ALLOC_MAX && l.align - 1 <= MEMAPI_STACK_ALLOC_MAX - l.size;
*/

/*
 * noinline: the alloca must belong to a frame that ends when the callback has returned, never to
 * the caller's frame (where it would live, and pile up, until the caller returns).
 *
 * The callback gets size bytes at an address that is a multiple of align: up to
 * GUARANTEED_ALIGN, alloca's own alignment; above it, size + (align - 1) bytes rounded up (the
 * modulo round-up, which WP reasons about; for a power of two it is the mask).
 */
/*@ requires cb != \null;
    requires 0 < size && 0 < align;
    requires size <= MEMAPI_STACK_ALLOC_MAX && align - 1 <= MEMAPI_STACK_ALLOC_MAX - size;
    assigns memapi_proof_user, memapi_proof_heap;
    ensures memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap);
*/
__attribute__((noinline)) static void run_on_stack(size_t size, size_t align, memapi_temp_cb cb, void *ctx)
{
    STACK_FRAME
    char *mem;
    if (align > GUARANTEED_ALIGN) {
        // cppcheck-suppress allocaCalled
        char *raw = STACK_ALLOCA(size + (align - 1));
        size_t mis = (size_t)((uintptr_t)raw % align);
        size_t pad = mis == 0 ? 0 : align - mis;
        //@ assert aligned: ((uintptr_t)raw + pad) % align == 0 && pad < align;
        mem = raw + pad;
    } else {
        // cppcheck-suppress allocaCalled
        mem = STACK_ALLOCA(size);
    }
    //@ assert block: \valid(mem + (0 .. size - 1));
    CALL_TEMP_CB(cb, ctx, mem, size);
}

/* The errors, each out of line so that its proof does not carry the layout check's (WP keeps
 * the whole error record of memapi_layout_check's "untouched" clause in every later goal). */
/*@ requires err == \null || \valid(err);
    assigns *err;
    ensures \result == MEMAPI_ERROR;
    ensures err != \null ==> memapi_bump_err_ptr(err, \null, (char *)memapi__msg_null_callback);
    ensures err != \null ==> memapi_err_texts(err);
*/
static memapi_status fail_null_callback(memapi_error *err)
{
    /*@ assert \forall integer j; 0 <= j < 13 ==> memapi__msg_null_callback[j] != '\0'; */
    /*@ assert memapi__msg_null_callback[13] == '\0'; */
    /*@ assert strlen((char *)memapi__msg_null_callback) == 13; */
    return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, NULL, memapi__msg_null_callback);
}

/*@ requires err == \null || \valid(err);
    assigns *err;
    ensures \result == MEMAPI_ERROR;
    ensures err != \null ==> memapi_stack_err_cap(err, layout);
    ensures err != \null ==> memapi_err_texts(err);
*/
static memapi_status fail_over_cap(memapi_layout layout, memapi_error *err)
{
    /*@ assert \forall integer j; 0 <= j < 46 ==> cap_msg[j] != '\0'; */
    /*@ assert cap_msg[46] == '\0'; */
    /*@ assert strlen((char *)cap_msg) == 46; */
    /*@ assert memapi_text((char *)cap_msg); */
    memapi_status s = memapi__fail_alloc(err, layout, MEMAPI_CAUSE_OTHER, 0, cap_msg);
    /*@ assert err != \null ==> err->cause.msg == cap_msg; */
    /*@ assert err != \null ==> err->kind == MEMAPI_E_ALLOC_FAILED && err->cause.kind == MEMAPI_CAUSE_OTHER; */
    /*@ assert err != \null ==> memapi_text((char *)err->cause.msg); */
    return s;
}

/*@ requires err == \null || \valid(err);
    assigns *err, memapi_proof_user, memapi_proof_heap;
    ensures \result == MEMAPI_OK || \result == MEMAPI_ERROR;
    ensures memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap);
    ensures \result == MEMAPI_ERROR && err != \null ==> memapi_err_texts(err);
    behavior invalid_layout:
      assumes !memapi_valid_layout(layout);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, layout.size, layout.align);
      ensures err != \null ==> memapi_err_texts(err);
    behavior null_callback:
      assumes memapi_valid_layout(layout) && cb == \null;
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_bump_err_ptr(err, \null, (char *)memapi__msg_null_callback);
      ensures err != \null ==> memapi_err_texts(err);
    behavior zero_size:
      assumes memapi_valid_layout(layout) && cb != \null && layout.size == 0;
      ensures \result == MEMAPI_OK;
      ensures memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap);
    behavior over_cap:
      assumes memapi_valid_layout(layout) && cb != \null && layout.size != 0 && !memapi_stack_fits(layout);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_stack_err_cap(err, layout);
      ensures err != \null ==> memapi_err_texts(err);
    behavior on_stack:
      assumes memapi_valid_layout(layout) && cb != \null && layout.size != 0 && memapi_stack_fits(layout);
      ensures \result == MEMAPI_OK;
      ensures memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap);
    complete behaviors;
    disjoint behaviors;
*/
memapi_status memapi_stack_alloc_temp(memapi_layout layout, memapi_temp_cb cb, void *ctx, memapi_error *err)
{
    if (memapi_layout_check(layout.size, layout.align, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    if (cb == NULL)
        return fail_null_callback(err);
    if (layout.size == 0) {
        void *dangling = memapi_layout_dangling(layout);
        //@ assert dangling: dangling == (void *)(uintptr_t)layout.align;
        CALL_TEMP_CB(cb, ctx, dangling, 0);
        return MEMAPI_OK;
    }
    if (layout.size > MEMAPI_STACK_ALLOC_MAX || layout.align - 1 > MEMAPI_STACK_ALLOC_MAX - layout.size)
        return fail_over_cap(layout, err);
    run_on_stack(layout.size, layout.align, cb, ctx);
    return MEMAPI_OK;
}

/* The alloc entry: the stack allocator offers scoped allocation only. Its contract is the entry
 * contract of its kind (memapi_proof_entry_alloc), with the one outcome it has. */
/*@ requires memapi_valid_layout(layout);
    requires err == \null || \valid(err);
    assigns *err;
    ensures \result == \null;
    ensures memapi_unsupported(err);
    ensures err != \null ==> memapi_err_texts(err);
*/
static void *stack_alloc(void *self, memapi_layout layout, memapi_error *err)
{
    (void)self;
    (void)layout;
    memapi__fail(err, MEMAPI_E_UNSUPPORTED);
    return NULL;
}

/* The alloc_temp entry, against memapi_proof_entry_alloc_temp. */
/*@ requires cb != \null;
    MEMAPI_ACSL_ALLOC_TEMP_ENTRY
*/
static memapi_status stack_alloc_temp(void *self, memapi_layout layout, memapi_temp_cb cb, void *ctx,
                                      memapi_error *err)
{
    (void)self;
    return memapi_stack_alloc_temp(layout, cb, ctx, err);
}

const memapi_alloc_vtable memapi_stack_vtable = {
    .name = "stack",
    .caps = MEMAPI_CAP_SHARED,
    .alloc = stack_alloc,
    .zalloc = NULL,
    .try_dealloc = NULL,
    .grow = NULL,
    .zgrow = NULL,
    .shrink = NULL,
    .realloc = NULL,
    .rezalloc = NULL,
    .owns = NULL,
    .alloc_temp = stack_alloc_temp,
};
#else
/* ISO C forbids an empty translation unit. */
typedef int memapi__stack_disabled;
#endif
