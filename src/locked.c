/* The locked wrapper: a mutex around every call into the inner allocator (docs/design.md section 4). */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stddef.h>
#include "memapi2/locked.h"
#include "internal/acsl.h"
#include "internal/error_set.h"
#include "internal/forward.h"
#include "internal/os.h"

/* The forwarders are handed &l->inner, which is l itself. */
_Static_assert(offsetof(memapi_locked, inner) == 0, "memapi_locked starts with its inner allocator");

/*
 * Proved with Frama-C WP (proofs/README.md, "The locked wrapper"): every entry against the entry
 * contract of its kind (memapi_proof_entry_* in memapi2/alloc_acsl.h), through the proved
 * forwarders of forward.c, and the lock discipline: each entry requires that the calling thread
 * does not hold the mutex and ensures that it does not hold it on return, on every path (the ghost
 * predicate memapi_mutex_held of proofs/libc_thread.h, which specifies the pthread calls).
 *
 * Under Frama-C the pthread calls are their specifications in proofs/libc_thread.h
 * (memapi_proof_pthread_*: see there why under their own names), and the user's callback is the
 * model of any callback (memapi_proof_temp_cb, as in alloc_temp.c). Compiled, every call is the
 * call written.
 */
#ifdef __FRAMAC__
#undef MEMAPI_OS
#define MEMAPI_OS(name) memapi_proof_##name
#define PTHREAD(name) memapi_proof_##name
#define CALL_TEMP_CB(cb, ctx, mem, size) memapi_proof_temp_cb((cb), (ctx), (mem), (size))
#else
#define PTHREAD(name) name
#define CALL_TEMP_CB(cb, ctx, mem, size) (cb)((ctx), (mem))
#endif

static const char lock_failed[] = "lock failed";
static const char init_failed[] = "mutex initialisation failed";
/* The dispatch's "null pointer" text (alloc.c; memapi2/alloc_acsl.h declares it for Frama-C). */
extern const char memapi__msg_null_pointer[13];

/*@ // A wrapper its entries can serve (what memapi_locked_init leaves): the state valid, an inner
    // vtable with an alloc entry, outside the state; the calling thread does not hold the mutex.
  predicate memapi_locked_ok{L}(memapi_locked *l) =
    \valid(l) && \valid_read(l->inner.vt) && l->inner.vt->alloc != \null && \separated(l, l->inner.vt) &&
    !memapi_mutex_held(l->mutex);
  // *err may be written by the entry: NULL, or valid and outside the state and the inner vtable.
  predicate memapi_locked_err{L}(memapi_locked *l, memapi_error *err) =
    err == \null || (\valid(err) && \separated(err, l) && \separated(err, l->inner.vt));
*/

/*@ requires \valid(l) && !memapi_mutex_held(l->mutex);
    requires err == \null || (\valid(err) && \separated(err, l));
    assigns l->mutex, *err;
    ensures \result == 1 ==> memapi_mutex_held(l->mutex);
    ensures \result == 0 ==> !memapi_mutex_held(l->mutex);
    ensures \result == 0 && err != \null ==> memapi_err_other(err, (char *)lock_failed);
    ensures \result == 0 && err != \null ==> memapi_err_texts(err);
*/
static bool lock(memapi_locked *l, memapi_error *err)
{
    if (MEMAPI_OS(pthread_mutex_lock)(&l->mutex) == 0)
        return true;
    /*@ assert \forall integer j; 0 <= j < 11 ==> lock_failed[j] != '\0'; */
    /*@ assert lock_failed[11] == '\0'; */
    /*@ assert strlen((char *)lock_failed) == 11; */
    /*@ assert memapi_text((char *)lock_failed); */
    memapi__fail_other(err, lock_failed);
    return false;
}

/*@ requires \valid(l) && memapi_mutex_held(l->mutex);
    assigns l->mutex;
    ensures !memapi_mutex_held(l->mutex);
*/
static void unlock(memapi_locked *l)
{
    /* Cannot fail: this thread holds the error-checking mutex it locked just before. */
    (void)MEMAPI_OS(pthread_mutex_unlock)(&l->mutex);
}

/*
 * The vtable entries, each on `(memapi_locked *)self`, under WP's Typed+cast memory model
 * (PROVE_CAST in mk/prove.mk), as the failing allocator's.
 */
#define SELF ((memapi_locked *)self)

/* The allocating entries: memapi_proof_entry_alloc / _zalloc, and the lock released. */
#define LOCKED_ACSL_ALLOC(zero_also) \
    requires memapi_locked_ok(SELF); \
    requires memapi_valid_layout(layout); \
    requires memapi_locked_err(SELF, err); \
    requires \separated(SELF, memapi_proof_next(memapi_proof_heap, layout) + (0 .. layout.size - 1)); \
    assigns memapi_proof_heap, *err, memapi_proof_next(memapi_proof_heap, layout)[0 .. layout.size - 1], \
            SELF->mutex; \
    ensures !memapi_mutex_held(SELF->mutex); \
    MEMAPI_ACSL_ALLOC_OUTCOME(layout) \
    zero_also

/*@ LOCKED_ACSL_ALLOC() */
static void *locked_alloc(void *self, memapi_layout layout, memapi_error *err)
{
    memapi_locked *l = self;
    if (!lock(l, err))
        return NULL;
    void *p = memapi__fwd_alloc(&l->inner, layout, err);
    unlock(l);
    return p;
}

/*@ LOCKED_ACSL_ALLOC(ensures \result != \null ==> memapi_zero_bytes((char *)\result, 0, layout.size);) */
static void *locked_zalloc(void *self, memapi_layout layout, memapi_error *err)
{
    memapi_locked *l = self;
    if (!lock(l, err))
        return NULL;
    void *p = memapi__fwd_zalloc(&l->inner, layout, err);
    unlock(l);
    return p;
}

/* The try_dealloc entry (offered when the inner allocator has one). Its caller has checked the
 * pointer (non-NULL, aligned), as for the failing allocator's. */
/*@ requires memapi_locked_ok(SELF) && SELF->inner.vt->try_dealloc != \null;
    requires memapi_valid_layout(layout);
    requires memapi_ptr_ok(ptr, layout);
    requires memapi_owned(memapi_proof_heap, (char *)ptr, layout.size);
    requires \valid((char *)ptr + (0 .. layout.size - 1));
    requires memapi_locked_err(SELF, err);
    requires err == \null || \separated(err, (char *)ptr + (0 .. layout.size - 1));
    requires \separated(SELF, (char *)ptr + (0 .. layout.size - 1));
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. layout.size - 1], SELF->mutex;
    ensures !memapi_mutex_held(SELF->mutex);
    MEMAPI_ACSL_TRY_DEALLOC_OUTCOME
*/
static memapi_status locked_try_dealloc(void *self, void *ptr, memapi_layout layout, memapi_error *err)
{
    memapi_locked *l = self;
    if (!lock(l, err))
        return MEMAPI_ERROR;
    memapi_status s = memapi__fwd_try_dealloc(&l->inner, ptr, layout, err);
    unlock(l);
    return s;
}

/* memapi_dealloc's entry when the inner allocator has one; used without it, as try_dealloc. */
static const memapi_alloc_vtable locked_checked_vt = {
    .name = "locked",
    .caps = MEMAPI_CAP_DEALLOC | MEMAPI_CAP_SHARED,
    .alloc = NULL,
    .zalloc = NULL,
    .try_dealloc = locked_try_dealloc,
    .grow = NULL,
    .zgrow = NULL,
    .shrink = NULL,
    .realloc = NULL,
    .rezalloc = NULL,
    .owns = NULL,
    .alloc_temp = NULL,
    .dealloc = NULL,
};

/*
 * The free that cannot fail (memapi_dealloc's entry), offered when the inner allocator has one: no
 * error object on the path that succeeds. The lock can still fail (a re-entrant call); that case
 * goes through memapi_dealloc on this wrapper without its dealloc entry, which locks again and
 * stops the program with the same report as a wrapper without a dealloc entry.
 */
/*@ requires memapi_locked_ok(SELF) && SELF->inner.vt->try_dealloc != \null;
    requires memapi_valid_layout(layout);
    requires memapi_ptr_ok(ptr, layout) && ptr != (void *)(uintptr_t)layout.align;
    requires \object_pointer((char *)ptr);
    requires memapi_owned(memapi_proof_heap, (char *)ptr, layout.size);
    requires \valid((char *)ptr + (0 .. layout.size - 1));
    requires \separated(SELF, (char *)ptr + (0 .. layout.size - 1));
    assigns memapi_proof_heap, ((char *)ptr)[0 .. layout.size - 1], SELF->mutex;
    ensures !memapi_mutex_held(SELF->mutex);
    ensures memapi_freed(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, layout.size);
*/
static void locked_dealloc(void *self, void *ptr, memapi_layout layout)
{
    memapi_locked *l = self;
    if (MEMAPI_UNLIKELY(MEMAPI_OS(pthread_mutex_lock)(&l->mutex) != 0)) {
        memapi_allocator checked = {&locked_checked_vt, l};
        (memapi_dealloc)(checked, ptr, layout);
        return;
    }
    memapi__fwd_dealloc(&l->inner, ptr, layout);
    unlock(l);
}

/*
 * The resize entries: the forwarder of the kind (internal/forward.h) under the lock. They are
 * called after the dispatch's checks (alloc.h, memapi_resize_fn: both layouts, the pointer, the
 * alignment, the direction of the kind, and the identical layout handled), which is what the
 * forwarders require.
 */
#define LOCKED_ACSL_RESIZE(dir, zero) \
    requires memapi_locked_ok(SELF); \
    requires memapi_resize_pass(ptr, old_layout, new_layout, dir) && !memapi_same_layout(old_layout, new_layout); \
    requires memapi_owned(memapi_proof_heap, (char *)ptr, old_layout.size); \
    requires \valid((char *)ptr + (0 .. old_layout.size - 1)); \
    requires memapi_locked_err(SELF, err); \
    requires err == \null || \separated(err, (char *)ptr + (0 .. \max(old_layout.size, new_layout.size) - 1)); \
    requires \separated(SELF, (char *)ptr + (0 .. \max(old_layout.size, new_layout.size) - 1)); \
    requires \separated(SELF, memapi_proof_next(memapi_proof_heap, new_layout) + (0 .. new_layout.size - 1)); \
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. \max(old_layout.size, new_layout.size) - 1], \
            memapi_proof_next(memapi_proof_heap, new_layout)[0 .. new_layout.size - 1], SELF->mutex; \
    ensures !memapi_mutex_held(SELF->mutex); \
    MEMAPI_ACSL_RESIZE_KEPT(old_layout) \
    MEMAPI_ACSL_RESIZE_DONE(old_layout, new_layout, zero)

/* The body of every resize entry: `fwd` is the forwarder of its kind. */
#define LOCKED_RESIZE(fwd) \
    memapi_locked *l = self; \
    if (!lock(l, err)) \
        return NULL; \
    void *p = fwd(&l->inner, ptr, old_layout, new_layout, err); \
    unlock(l); \
    return p;

/*@ LOCKED_ACSL_RESIZE(1, 0) */
static void *locked_grow(void *self, void *ptr, memapi_layout old_layout, memapi_layout new_layout, memapi_error *err)
{
    LOCKED_RESIZE(memapi__fwd_grow)
}

/*@ LOCKED_ACSL_RESIZE(1, 1) */
static void *locked_zgrow(void *self, void *ptr, memapi_layout old_layout, memapi_layout new_layout, memapi_error *err)
{
    LOCKED_RESIZE(memapi__fwd_zgrow)
}

/*@ LOCKED_ACSL_RESIZE(-1, 0) */
static void *locked_shrink(void *self, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                           memapi_error *err)
{
    LOCKED_RESIZE(memapi__fwd_shrink)
}

/*@ LOCKED_ACSL_RESIZE(0, 0) */
static void *locked_realloc(void *self, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                            memapi_error *err)
{
    LOCKED_RESIZE(memapi__fwd_realloc)
}

/*@ LOCKED_ACSL_RESIZE(0, 1) */
static void *locked_rezalloc(void *self, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                             memapi_error *err)
{
    LOCKED_RESIZE(memapi__fwd_rezalloc)
}

/* The owns entry (offered when the inner allocator has one): the inner allocator's answer. */
/*@ requires memapi_locked_ok(SELF) && SELF->inner.vt->owns != \null;
    requires memapi_valid_layout(layout);
    requires memapi_locked_err(SELF, err);
    assigns *err, SELF->mutex;
    ensures !memapi_mutex_held(SELF->mutex);
    ensures \result == MEMAPI_OK || \result == MEMAPI_ERROR;
    ensures \result == MEMAPI_OK ==> memapi_owned(memapi_proof_heap, (char *)ptr, layout.size) &&
                                     \valid((char *)ptr + (0 .. layout.size - 1));
    ensures \result == MEMAPI_ERROR && err != \null ==> memapi_err_texts(err);
*/
static memapi_status locked_owns(void *self, const void *ptr, memapi_layout layout, memapi_error *err)
{
    memapi_locked *l = self;
    if (!lock(l, err))
        return MEMAPI_ERROR;
    /* The inner allocator and its vtable read as values, as the dispatch reads them (src/alloc.c). */
    const memapi_allocator in = l->inner;
    const memapi_alloc_vtable vt = *in.vt;
    memapi_status s = MEMAPI__ENTRY_OWNS(vt.owns, in.self, ptr, layout, err);
    unlock(l);
    return s;
}

#if MEMAPI_ALLOC_TEMP
/* The caller's callback, run with the mutex released (see locked.h: a callback may leave with
 * longjmp, and must then leave no lock behind). `size` is the block's (layout.size): what the
 * callback may write, for the proof's model of the callback. */
typedef struct unlocked_call {
    memapi_locked *l;
    memapi_temp_cb cb;
    void *ctx;
    /* Read only by the proof (the callback model's block size): one store per scoped call. */
    // cppcheck-suppress unusedStructMember
    size_t size;
} unlocked_call;

/*
 * Called by the inner allocator's alloc_temp entry, with the mutex held (locked_alloc_temp took
 * it) and a block of c->size bytes, as any callback is (memapi_proof_temp_cb). The user's callback
 * runs with the mutex released (the assertion `released`); the mutex is taken again afterwards,
 * held on return unless that lock fails (only a broken mutex), for the inner allocator to end the
 * scope.
 */
/*@ requires \valid_read((unlocked_call *)arg) && \valid(((unlocked_call *)arg)->l);
    requires ((unlocked_call *)arg)->cb != \null;
    requires memapi_mutex_held(((unlocked_call *)arg)->l->mutex);
    requires \valid((char *)mem + (0 .. ((unlocked_call *)arg)->size - 1));
    requires \separated((unlocked_call *)arg, (char *)mem + (0 .. ((unlocked_call *)arg)->size - 1));
    requires \separated(((unlocked_call *)arg)->l, (char *)mem + (0 .. ((unlocked_call *)arg)->size - 1));
    assigns ((unlocked_call *)arg)->l->mutex, memapi_proof_user, memapi_proof_heap,
            ((char *)mem)[0 .. ((unlocked_call *)arg)->size - 1];
    ensures memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap);
*/
static void call_unlocked(void *arg, void *mem)
{
    const unlocked_call c = *(const unlocked_call *)arg;
    unlock(c.l);
    //@ assert released: !memapi_mutex_held(c.l->mutex);
    CALL_TEMP_CB(c.cb, c.ctx, mem, c.size);
    /* Cannot fail but for a broken mutex; the inner allocator must finish its scope either way. */
    (void)MEMAPI_OS(pthread_mutex_lock)(&c.l->mutex);
}

/* The alloc_temp entry (offered when the inner allocator has one), against
 * memapi_proof_entry_alloc_temp but for one clause (proofs/README.md). */
/*@ requires memapi_locked_ok(SELF);
    requires cb != \null;
    requires memapi_valid_layout(layout);
    requires memapi_locked_err(SELF, err);
    requires \separated(SELF, memapi_proof_next(memapi_proof_heap, layout) + (0 .. layout.size - 1));
    assigns memapi_proof_heap, memapi_proof_user, *err, memapi_proof_next(memapi_proof_heap, layout)[0 .. layout.size - 1],
            SELF->mutex;
    ensures !memapi_mutex_held(SELF->mutex);
    ensures \result == MEMAPI_OK || \result == MEMAPI_ERROR;
    ensures memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap);
*/
static memapi_status locked_alloc_temp(void *self, memapi_layout layout, memapi_temp_cb cb, void *ctx,
                                       memapi_error *err)
{
    memapi_locked *l = self;
    if (!lock(l, err))
        return MEMAPI_ERROR;
    unlocked_call c = {l, cb, ctx, layout.size};
    memapi_status s = memapi_alloc_temp(l->inner, layout, call_unlocked, &c, err);
    unlock(l);
    return s;
}
#endif

/* The wrapper's entries, chosen from the inner allocator's (locked.h). Proved safe, not
 * functionally specified (proofs/README.md, "The locked wrapper": what is not proved). */
/*@ requires \valid(l);
    assigns l->vt;
*/
static void set_vtable(memapi_locked *l, memapi_alloc_vtable in)
{
    bool can_free = in.try_dealloc != NULL;
    memapi_alloc_vtable vt = {
        .name = "locked",
        .caps = in.caps | MEMAPI_CAP_SHARED,
        .alloc = locked_alloc,
        .zalloc = locked_zalloc,
        .try_dealloc = can_free ? locked_try_dealloc : NULL,
        .grow = can_free || in.grow ? locked_grow : NULL,
        .zgrow = can_free || in.zgrow ? locked_zgrow : NULL,
        .shrink = can_free || in.shrink ? locked_shrink : NULL,
        .realloc = can_free || in.realloc ? locked_realloc : NULL,
        .rezalloc = can_free || in.rezalloc ? locked_rezalloc : NULL,
        .owns = in.owns ? locked_owns : NULL,
#if MEMAPI_ALLOC_TEMP
        .alloc_temp = in.alloc_temp ? locked_alloc_temp : NULL,
#else
        .alloc_temp = NULL,
#endif
        .dealloc = can_free && in.dealloc ? locked_dealloc : NULL,
    };
    l->vt = vt;
}

/* The mutex could not be created (out of line: one error for the three calls that can fail). */
/*@ requires err == \null || \valid(err);
    assigns *err;
    ensures \result == MEMAPI_ERROR;
    ensures err != \null ==> memapi_err_other(err, (char *)init_failed);
*/
static memapi_status fail_init(memapi_error *err)
{
    return memapi__fail_other(err, init_failed);
}

/*@ requires l == \null || \valid(l);
    requires inner.vt == \null || \valid_read(inner.vt);
    requires l != \null && inner.vt != \null ==> \separated(l, inner.vt);
    requires err == \null || (\valid(err) && (l == \null || \separated(err, l)));
    assigns *l, *err;
    behavior null_state:
      assumes l == \null;
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_bump_err_ptr(err, \null, (char *)memapi__msg_null_pointer);
    behavior unsupported:
      assumes l != \null && (inner.vt == \null || inner.vt->alloc == \null);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures memapi_unsupported(err);
    behavior usable:
      assumes l != \null && inner.vt != \null && inner.vt->alloc != \null;
      ensures \result == MEMAPI_OK || \result == MEMAPI_ERROR;
      ensures \result == MEMAPI_ERROR && err != \null ==> memapi_err_other(err, (char *)init_failed);
      ensures \result == MEMAPI_OK ==> l->inner.vt == inner.vt && l->inner.self == inner.self;
      ensures \result == MEMAPI_OK ==> \valid(l) && !memapi_mutex_held(l->mutex);
    complete behaviors;
    disjoint behaviors;
*/
memapi_status memapi_locked_init(memapi_locked *l, memapi_allocator inner, memapi_error *err)
{
    if (l == NULL)
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, NULL, memapi__msg_null_pointer);
    if (inner.vt == NULL)
        return memapi__fail(err, MEMAPI_E_UNSUPPORTED);
    /* The inner vtable read once, as the dispatch reads it (src/alloc.c). */
    const memapi_alloc_vtable in = *inner.vt;
    if (in.alloc == NULL)
        return memapi__fail(err, MEMAPI_E_UNSUPPORTED);
    pthread_mutexattr_t attr;
    if (MEMAPI_OS(pthread_mutexattr_init)(&attr) != 0)
        return fail_init(err);
    int rc = MEMAPI_OS(pthread_mutexattr_settype)(&attr, PTHREAD_MUTEX_ERRORCHECK);
    if (rc == 0)
        rc = MEMAPI_OS(pthread_mutex_init)(&l->mutex, &attr);
    (void)PTHREAD(pthread_mutexattr_destroy)(&attr);
    if (rc != 0)
        return fail_init(err);

    l->inner = inner;
    set_vtable(l, in);
    return MEMAPI_OK;
}

/*@ requires \valid(l) && !memapi_mutex_held(l->mutex);
    assigns l->mutex;
*/
void memapi_locked_destroy(memapi_locked *l)
{
    (void)PTHREAD(pthread_mutex_destroy)(&l->mutex);
}
