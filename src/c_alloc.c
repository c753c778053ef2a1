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

/* The reference's rely_on_min_align on non-Windows targets. */
static bool malloc_can_serve(memapi_layout adj)
{
    return adj.align <= MEMAPI_MIN_ALIGN && adj.size >= adj.align;
}

/* The reference's null_q_dyn: a NULL from the malloc family reports errno only with OS reporting. */
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

static void *c_alloc_impl(memapi_layout l, bool zero, memapi_error *err)
{
    memapi_layout adj;
    if (memapi_layout_to_posix_memalign_compatible(l, &adj, err) != MEMAPI_OK)
        return NULL;
    /* docs/design.md decision D3: the caller's layout decides the sentinel, not the adjusted one. */
    if (l.size == 0)
        return memapi_layout_dangling(l);
    if (malloc_can_serve(adj)) {
        void *p = zero ? MEMAPI_OS(calloc)(1, adj.size) : MEMAPI_OS(malloc)(adj.size);
        return p != NULL ? p : fail_null(adj, errno, err);
    }
    void *p = NULL;
    int status = MEMAPI_OS(posix_memalign)(&p, adj.align, adj.size);
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

static void *c_alloc_alloc(void *self, memapi_layout l, memapi_error *err)
{
    (void)self;
    return c_alloc_impl(l, false, err);
}

static void *c_alloc_zalloc(void *self, memapi_layout l, memapi_error *err)
{
    (void)self;
    return c_alloc_impl(l, true, err);
}

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
    MEMAPI_OS(free)(ptr);
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
static void *c_alloc_shrink(void *self, void *ptr, memapi_layout old_l, memapi_layout new_l, memapi_error *err)
{
    if (new_l.size == 0 || old_l.size == 0 || ((uintptr_t)ptr & (new_l.align - 1)) != 0)
        return memapi_default_resize((memapi_allocator){&memapi_c_alloc_vtable, self}, ptr, old_l, new_l, false, err);
    memapi_layout adj = {new_l.size, new_l.align < MEMAPI_PTR_SIZE ? MEMAPI_PTR_SIZE : new_l.align};
    if (new_l.size >= old_l.size - old_l.size / 2 || !malloc_can_serve(adj))
        return ptr;
    void *shrunk = MEMAPI_OS(realloc)(ptr, new_l.size);
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
