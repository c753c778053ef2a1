/* The locked wrapper: a mutex around every call into the inner allocator (docs/design.md section 4). */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stddef.h>
#include "memapi2/locked.h"
#include "internal/error_set.h"
#include "internal/forward.h"
#include "internal/os.h"

/* The forwarders are handed &l->inner, which is l itself. */
_Static_assert(offsetof(memapi_locked, inner) == 0, "memapi_locked starts with its inner allocator");

static bool lock(memapi_locked *l, memapi_error *err)
{
    if (MEMAPI_OS(pthread_mutex_lock)(&l->mutex) == 0)
        return true;
    memapi__fail_other(err, "lock failed");
    return false;
}

static void unlock(memapi_locked *l)
{
    /* Cannot fail: this thread holds the error-checking mutex it locked just before. */
    (void)MEMAPI_OS(pthread_mutex_unlock)(&l->mutex);
}

static void *locked_alloc(void *self, memapi_layout layout, memapi_error *err)
{
    memapi_locked *l = self;
    if (!lock(l, err))
        return NULL;
    void *p = memapi__fwd_alloc(&l->inner, layout, err);
    unlock(l);
    return p;
}

static void *locked_zalloc(void *self, memapi_layout layout, memapi_error *err)
{
    memapi_locked *l = self;
    if (!lock(l, err))
        return NULL;
    void *p = memapi__fwd_zalloc(&l->inner, layout, err);
    unlock(l);
    return p;
}

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

/* A forwarder of internal/forward.h: the dispatch's checks have passed, the inner allocator's entry runs. */
typedef void *(*forward_resize_fn)(const memapi_allocator *in, void *ptr, memapi_layout old_layout,
                                   memapi_layout new_layout, memapi_error *err);

static void *locked_resize(void *self, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                           forward_resize_fn op, memapi_error *err)
{
    memapi_locked *l = self;
    if (!lock(l, err))
        return NULL;
    void *p = op(&l->inner, ptr, old_layout, new_layout, err);
    unlock(l);
    return p;
}

static void *locked_grow(void *self, void *ptr, memapi_layout o, memapi_layout n, memapi_error *err)
{
    return locked_resize(self, ptr, o, n, memapi__fwd_grow, err);
}

static void *locked_zgrow(void *self, void *ptr, memapi_layout o, memapi_layout n, memapi_error *err)
{
    return locked_resize(self, ptr, o, n, memapi__fwd_zgrow, err);
}

static void *locked_shrink(void *self, void *ptr, memapi_layout o, memapi_layout n, memapi_error *err)
{
    return locked_resize(self, ptr, o, n, memapi__fwd_shrink, err);
}

static void *locked_realloc(void *self, void *ptr, memapi_layout o, memapi_layout n, memapi_error *err)
{
    return locked_resize(self, ptr, o, n, memapi__fwd_realloc, err);
}

static void *locked_rezalloc(void *self, void *ptr, memapi_layout o, memapi_layout n, memapi_error *err)
{
    return locked_resize(self, ptr, o, n, memapi__fwd_rezalloc, err);
}

static memapi_status locked_owns(void *self, const void *ptr, memapi_layout layout, memapi_error *err)
{
    memapi_locked *l = self;
    if (!lock(l, err))
        return MEMAPI_ERROR;
    memapi_status s = l->inner.vt->owns(l->inner.self, ptr, layout, err);
    unlock(l);
    return s;
}

#if MEMAPI_ALLOC_TEMP
/* The caller's callback, run with the mutex released (see locked.h: a callback may leave with
 * longjmp, and must then leave no lock behind). */
typedef struct unlocked_call {
    memapi_locked *l;
    memapi_temp_cb cb;
    void *ctx;
} unlocked_call;

static void call_unlocked(void *arg, void *mem)
{
    unlocked_call *c = arg;
    unlock(c->l);
    c->cb(c->ctx, mem);
    /* Cannot fail but for a broken mutex; the inner allocator must finish its scope either way. */
    (void)MEMAPI_OS(pthread_mutex_lock)(&c->l->mutex);
}

static memapi_status locked_alloc_temp(void *self, memapi_layout layout, memapi_temp_cb cb, void *ctx,
                                       memapi_error *err)
{
    memapi_locked *l = self;
    if (!lock(l, err))
        return MEMAPI_ERROR;
    unlocked_call c = {l, cb, ctx};
    memapi_status s = memapi_alloc_temp(l->inner, layout, call_unlocked, &c, err);
    unlock(l);
    return s;
}
#endif

memapi_status memapi_locked_init(memapi_locked *l, memapi_allocator inner, memapi_error *err)
{
    if (l == NULL)
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, NULL, "null pointer");
    if (inner.vt == NULL || inner.vt->alloc == NULL)
        return memapi__fail(err, MEMAPI_E_UNSUPPORTED);
    pthread_mutexattr_t attr;
    if (MEMAPI_OS(pthread_mutexattr_init)(&attr) != 0)
        return memapi__fail_other(err, "mutex initialisation failed");
    int rc = MEMAPI_OS(pthread_mutexattr_settype)(&attr, PTHREAD_MUTEX_ERRORCHECK);
    if (rc == 0)
        rc = MEMAPI_OS(pthread_mutex_init)(&l->mutex, &attr);
    (void)pthread_mutexattr_destroy(&attr);
    if (rc != 0)
        return memapi__fail_other(err, "mutex initialisation failed");

    const memapi_alloc_vtable *in = inner.vt;
    bool can_free = in->try_dealloc != NULL;
    l->inner = inner;
    l->vt = (memapi_alloc_vtable){
        .name = "locked",
        .caps = in->caps | MEMAPI_CAP_SHARED,
        .alloc = locked_alloc,
        .zalloc = locked_zalloc,
        .try_dealloc = can_free ? locked_try_dealloc : NULL,
        .grow = can_free || in->grow ? locked_grow : NULL,
        .zgrow = can_free || in->zgrow ? locked_zgrow : NULL,
        .shrink = can_free || in->shrink ? locked_shrink : NULL,
        .realloc = can_free || in->realloc ? locked_realloc : NULL,
        .rezalloc = can_free || in->rezalloc ? locked_rezalloc : NULL,
        .owns = in->owns ? locked_owns : NULL,
#if MEMAPI_ALLOC_TEMP
        .alloc_temp = in->alloc_temp ? locked_alloc_temp : NULL,
#else
        .alloc_temp = NULL,
#endif
        .dealloc = can_free && in->dealloc ? locked_dealloc : NULL,
    };
    return MEMAPI_OK;
}

void memapi_locked_destroy(memapi_locked *l)
{
    (void)pthread_mutex_destroy(&l->mutex);
}
