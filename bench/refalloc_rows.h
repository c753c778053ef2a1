/*
 * A reference allocator (mimalloc, jemalloc) behind a bench-only `memapi_alloc_vtable`, driven
 * through the library's dispatch functions so that its figures compare with the library's rows.
 * Included by rows_mimalloc.c and rows_jemalloc.c after they define REF_NAME (the row label),
 * REF_VT_NAME (the vtable's name) and these primitives over their allocator:
 *
 *   ref_heap_alloc(l, zero)   a block of l (size > 0), zeroed when zero, or NULL
 *   ref_heap_free(p, l)       frees a block of l
 *   ref_heap_can_resize(o, n) the allocator's own resize serves this pair (else: allocate-copy-free)
 *   ref_heap_resize(p, o, n)  resizes in place or moves, or returns NULL with the block intact
 *
 * The size-0 rule is the default allocator's: the layout's dangling pointer, nothing allocated.
 */
#ifndef BENCH_REFALLOC_ROWS_H
#define BENCH_REFALLOC_ROWS_H

#include <string.h>
#include "bench.h"
#include "memapi2/alloc.h"

static const memapi_alloc_vtable ref_vtable;

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

static void *ref_alloc_with(memapi_layout l, bool zero, memapi_error *err)
{
    if (l.size == 0)
        return memapi_layout_dangling(l);
    void *p = ref_heap_alloc(l, zero);
    return p != NULL ? p : ref_fail(l, err);
}

static void *ref_alloc_entry(void *self, memapi_layout l, memapi_error *err)
{
    (void)self;
    return ref_alloc_with(l, false, err);
}

static void *ref_zalloc_entry(void *self, memapi_layout l, memapi_error *err)
{
    (void)self;
    return ref_alloc_with(l, true, err);
}

static memapi_status ref_dealloc_entry(void *self, void *p, memapi_layout l, memapi_error *err)
{
    (void)self;
    (void)err;
    if (l.size != 0 && p != memapi_layout_dangling(l))
        ref_heap_free(p, l);
    return MEMAPI_OK;
}

/* The infallible free entry, as the default allocator has (memapi_dealloc needs no error object). */
static void ref_free_entry(void *self, void *p, memapi_layout l)
{
    (void)self;
    if (l.size != 0 && p != memapi_layout_dangling(l))
        ref_heap_free(p, l);
}

static void *ref_resize_with(void *p, memapi_layout o, memapi_layout n, bool zero, memapi_error *err)
{
    if (o.size == 0 || n.size == 0 || !ref_heap_can_resize(o, n))
        return memapi_default_resize((memapi_allocator){&ref_vtable, NULL}, p, o, n, zero, err);
    char *q = ref_heap_resize(p, o, n);
    if (q == NULL)
        return ref_fail(n, err);
    if (zero && n.size > o.size)
        memset(q + o.size, 0, n.size - o.size);
    return q;
}

static void *ref_resize_entry(void *self, void *p, memapi_layout o, memapi_layout n, memapi_error *err)
{
    (void)self;
    return ref_resize_with(p, o, n, false, err);
}

static void *ref_zresize_entry(void *self, void *p, memapi_layout o, memapi_layout n, memapi_error *err)
{
    (void)self;
    return ref_resize_with(p, o, n, true, err);
}

static const memapi_alloc_vtable ref_vtable = {
    .name = REF_VT_NAME,
    .caps = MEMAPI_CAP_DEALLOC | MEMAPI_CAP_REALLOC | MEMAPI_CAP_SHARED,
    .alloc = ref_alloc_entry,
    .zalloc = ref_zalloc_entry,
    .try_dealloc = ref_dealloc_entry,
    .grow = ref_resize_entry,
    .zgrow = ref_zresize_entry,
    .shrink = ref_resize_entry,
    .realloc = ref_resize_entry,
    .rezalloc = ref_zresize_entry,
    .dealloc = ref_free_entry,
};

/* ---- the row: the same entry points as the library's rows (rows_memapi.c) ---------------------- */

static memapi_allocator ref_allocator = {&ref_vtable, NULL};

static BENCH_NOINLINE void *row_ref_alloc(void *c, memapi_layout l)
{
    return memapi_alloc(*(memapi_allocator *)c, l, NULL);
}

static BENCH_NOINLINE void *row_ref_alloc_al(void *c, memapi_layout l)
{
    return memapi_alloc(*(memapi_allocator *)c, l, NULL);
}

static BENCH_NOINLINE void *row_ref_zalloc(void *c, memapi_layout l)
{
    return memapi_zalloc(*(memapi_allocator *)c, l, NULL);
}

static BENCH_NOINLINE void *row_ref_grow(void *c, void *p, memapi_layout o, memapi_layout n)
{
    return memapi_grow(*(memapi_allocator *)c, p, o, n, NULL);
}

static BENCH_NOINLINE void *row_ref_shrink(void *c, void *p, memapi_layout o, memapi_layout n)
{
    return memapi_shrink(*(memapi_allocator *)c, p, o, n, NULL);
}

static BENCH_NOINLINE void row_ref_free(void *c, void *p, memapi_layout l)
{
    memapi_dealloc(*(memapi_allocator *)c, p, l);
}

bench_row bench_rows[] = {
    {.name = REF_NAME, .tag = "ref", .traces = BENCH_MIXED | BENCH_SMALL, .ctx = &ref_allocator,
     .alloc = row_ref_alloc, .alloc_al = row_ref_alloc_al, .zalloc = row_ref_zalloc, .grow = row_ref_grow, .shrink = row_ref_shrink,
     .free = row_ref_free},
};
const size_t bench_nrows = 1;

void bench_extra(bool callgrind, unsigned runs)
{
    (void)callgrind;
    (void)runs;
}

#endif
