/*
 * jemalloc (Debian libjemalloc 5.3, unprefixed: it replaces malloc for the whole process, hence a
 * binary of its own) behind a bench-only vtable: mallocx with MALLOCX_ALIGN / MALLOCX_ZERO, rallocx,
 * sdallocx (sized free). Same size-0 rule as the default allocator.
 */
#include <string.h>
#include <jemalloc/jemalloc.h>
#include "memapi2/alloc.h"

static const memapi_alloc_vtable ref_vtable;

/* Blocks of at least 16 B are 16-aligned in jemalloc, smaller ones to their size class (8): like malloc. */
static int flags_of(memapi_layout l)
{
    return l.align <= 16 && l.size >= l.align ? 0 : MALLOCX_ALIGN(l.align);
}

static void *ref_fail(memapi_layout l, memapi_error *err)
{
    if (err != NULL) {
        memset(err, 0, sizeof *err);
        err->kind = MEMAPI_E_ALLOC_FAILED;
        err->layout = l;
        err->cause.kind = MEMAPI_CAUSE_OUT_OF_MEMORY;
    }
    return NULL;
}

static void *ref_alloc_entry(void *self, memapi_layout l, memapi_error *err)
{
    (void)self;
    if (l.size == 0)
        return memapi_layout_dangling(l);
    void *p = mallocx(l.size, flags_of(l));
    return p != NULL ? p : ref_fail(l, err);
}

static void *ref_zalloc_entry(void *self, memapi_layout l, memapi_error *err)
{
    (void)self;
    if (l.size == 0)
        return memapi_layout_dangling(l);
    void *p = mallocx(l.size, flags_of(l) | MALLOCX_ZERO);
    return p != NULL ? p : ref_fail(l, err);
}

static memapi_status ref_dealloc_entry(void *self, void *p, memapi_layout l, memapi_error *err)
{
    (void)self;
    (void)err;
    if (l.size != 0 && p != memapi_layout_dangling(l))
        sdallocx(p, l.size, flags_of(l));
    return MEMAPI_OK;
}

static void *resize(void *p, memapi_layout o, memapi_layout n, bool zero, memapi_error *err)
{
    if (o.size == 0 || n.size == 0)
        return memapi_default_resize((memapi_allocator){&ref_vtable, NULL}, p, o, n, zero, err);
    char *q = rallocx(p, n.size, flags_of(n));
    if (q == NULL)
        return ref_fail(n, err);
    if (zero && n.size > o.size)
        memset(q + o.size, 0, n.size - o.size);
    return q;
}

static void *ref_resize_entry(void *self, void *p, memapi_layout o, memapi_layout n, memapi_error *err)
{
    (void)self;
    return resize(p, o, n, false, err);
}

static void *ref_zresize_entry(void *self, void *p, memapi_layout o, memapi_layout n, memapi_error *err)
{
    (void)self;
    return resize(p, o, n, true, err);
}

static const memapi_alloc_vtable ref_vtable = {
    .name = "jemalloc",
    .caps = MEMAPI_CAP_DEALLOC | MEMAPI_CAP_REALLOC | MEMAPI_CAP_SHARED,
    .alloc = ref_alloc_entry,
    .zalloc = ref_zalloc_entry,
    .try_dealloc = ref_dealloc_entry,
    .grow = ref_resize_entry,
    .zgrow = ref_zresize_entry,
    .shrink = ref_resize_entry,
    .realloc = ref_resize_entry,
    .rezalloc = ref_zresize_entry,
};

#define REF_NAME "jemalloc (via memapi)"
#include "refalloc_rows.h"
