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
        void *p = zero ? calloc(1, adj.size) : malloc(adj.size);
        return p != NULL ? p : fail_null(adj, errno, err);
    }
    void *p = NULL;
    int status = posix_memalign(&p, adj.align, adj.size);
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
    free(ptr);
    return MEMAPI_OK;
}

const memapi_alloc_vtable memapi_c_alloc_vtable = {
    .name = "c_alloc",
    .caps = MEMAPI_CAP_DEALLOC | MEMAPI_CAP_REALLOC | MEMAPI_CAP_SHARED,
    .alloc = c_alloc_alloc,
    .zalloc = c_alloc_zalloc,
    .try_dealloc = c_alloc_try_dealloc,
    .grow = NULL,
    .zgrow = NULL,
    .shrink = NULL,
    .realloc = NULL,
    .rezalloc = NULL,
    .owns = NULL,
    .alloc_temp = NULL,
};
#else
/* ISO C forbids an empty translation unit. */
typedef int memapi__c_alloc_disabled;
#endif
