/*
 * jemalloc (Debian libjemalloc 5.3, unprefixed: it replaces malloc for the whole process, hence a
 * binary of its own) behind a bench-only vtable (refalloc_rows.h): mallocx with MALLOCX_ALIGN /
 * MALLOCX_ZERO, rallocx, sdallocx (sized free).
 */
#include <stdbool.h>
#include <jemalloc/jemalloc.h>
#include "memapi2/layout.h"

/* Blocks of at least 16 B are 16-aligned in jemalloc, smaller ones to their size class (8): like malloc. */
static int flags_of(memapi_layout l)
{
    return l.align <= 16 && l.size >= l.align ? 0 : MALLOCX_ALIGN(l.align);
}

static void *ref_heap_alloc(memapi_layout l, bool zero)
{
    return mallocx(l.size, flags_of(l) | (zero ? MALLOCX_ZERO : 0));
}

static void ref_heap_free(void *p, memapi_layout l)
{
    sdallocx(p, l.size, flags_of(l));
}

static bool ref_heap_can_resize(memapi_layout o, memapi_layout n)
{
    (void)o;
    (void)n;
    return true;
}

static void *ref_heap_resize(void *p, memapi_layout o, memapi_layout n)
{
    (void)o;
    return rallocx(p, n.size, flags_of(n));
}

#define REF_NAME "jemalloc (via memapi)"
#define REF_VT_NAME "jemalloc"
#include "refalloc_rows.h"
