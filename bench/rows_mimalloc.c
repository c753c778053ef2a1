/*
 * mimalloc (Debian libmimalloc 2.0.x, which also replaces malloc for the whole process, hence a
 * binary of its own) behind a bench-only vtable (refalloc_rows.h): mi_malloc / mi_malloc_aligned,
 * mi_zalloc / mi_zalloc_aligned, mi_realloc, mi_free.
 */
#include <stdbool.h>
#include <mimalloc.h>
#include "memapi2/layout.h"

/* mimalloc's natural alignment is 16 for blocks of at least 16 B, the size class below: like malloc. */
static bool natural(memapi_layout l)
{
    return l.align <= 16 && l.size >= l.align;
}

/*
 * Debian's mimalloc 2.0.9 mi_malloc_aligned returns blocks aligned below the request when the size
 * is a multiple of the alignment ((512, 512) came back 128-aligned for 1 call in 5 of a test loop);
 * one byte more takes its correct path. Over-aligned resizes use the library's allocate-copy-free
 * path for the same reason.
 */
static size_t aligned_size(memapi_layout l)
{
    return l.size % l.align == 0 ? l.size + 1 : l.size;
}

static void *ref_heap_alloc(memapi_layout l, bool zero)
{
    if (natural(l))
        return zero ? mi_zalloc(l.size) : mi_malloc(l.size);
    return zero ? mi_zalloc_aligned(aligned_size(l), l.align) : mi_malloc_aligned(aligned_size(l), l.align);
}

static void ref_heap_free(void *p, memapi_layout l)
{
    (void)l;
    mi_free(p);
}

static bool ref_heap_can_resize(memapi_layout o, memapi_layout n)
{
    (void)o;
    return natural(n);
}

static void *ref_heap_resize(void *p, memapi_layout o, memapi_layout n)
{
    (void)o;
    return mi_realloc(p, n.size);
}

#define REF_NAME "mimalloc (via memapi)"
#define REF_VT_NAME "mimalloc"
#include "refalloc_rows.h"
