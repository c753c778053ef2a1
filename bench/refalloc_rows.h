/*
 * The rows of a reference-allocator binary (mimalloc, jemalloc): the allocator placed behind a
 * bench-only `memapi_alloc_vtable` and driven through the library's dispatch functions, so its
 * figures compare with the library's rows. Included by rows_mimalloc.c and rows_jemalloc.c after
 * they define REF_NAME, REF_TAG and the vtable `ref_vtable`.
 */
#ifndef BENCH_REFALLOC_ROWS_H
#define BENCH_REFALLOC_ROWS_H

#include "bench.h"
#include "memapi2/alloc.h"

static memapi_allocator ref_allocator;

static BENCH_NOINLINE void *ref_alloc(void *c, memapi_layout l)
{
    return memapi_alloc(*(memapi_allocator *)c, l, NULL);
}

static BENCH_NOINLINE void *ref_alloc_al(void *c, memapi_layout l)
{
    return memapi_alloc(*(memapi_allocator *)c, l, NULL);
}

static BENCH_NOINLINE void *ref_zalloc(void *c, memapi_layout l)
{
    return memapi_zalloc(*(memapi_allocator *)c, l, NULL);
}

static BENCH_NOINLINE void *ref_grow(void *c, void *p, memapi_layout o, memapi_layout n)
{
    return memapi_grow(*(memapi_allocator *)c, p, o, n, NULL);
}

static BENCH_NOINLINE void *ref_shrink(void *c, void *p, memapi_layout o, memapi_layout n)
{
    return memapi_shrink(*(memapi_allocator *)c, p, o, n, NULL);
}

static BENCH_NOINLINE void ref_free(void *c, void *p, memapi_layout l)
{
    memapi_dealloc(*(memapi_allocator *)c, p, l);
}

bench_row bench_rows[] = {
    {.name = REF_NAME, .tag = "ref", .traces = BENCH_MIXED | BENCH_SMALL, .ctx = &ref_allocator,
     .alloc = ref_alloc, .alloc_al = ref_alloc_al, .zalloc = ref_zalloc, .grow = ref_grow, .shrink = ref_shrink,
     .free = ref_free},
};
const size_t bench_nrows = 1;

void bench_extra(bool callgrind, unsigned runs)
{
    (void)callgrind;
    (void)runs;
}

static memapi_allocator ref_allocator = {&ref_vtable, NULL};

#endif
