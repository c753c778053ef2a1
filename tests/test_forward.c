/*
 * The wrappers' forwarders (src/internal/forward.h): each one is the dispatch function of its name
 * on arguments the dispatch has validated, so it calls the inner allocator's entry of its kind, or
 * the library default exactly where the dispatch would (alloc.h: zalloc = alloc + zero, a resize
 * without its entry = allocate, copy, free, dealloc without its entry = try_dealloc), with the
 * dispatch's errors (UNSUPPORTED without the entry, INVALID_POINTER for a NULL or misaligned block).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "memapi2.h"
#include "internal/forward.h"

static memapi_layout L(size_t size, size_t align)
{
    return (memapi_layout){size, align};
}

/* A recording inner allocator over the default one: which entry ran, how many times. */
typedef struct rec {
    int alloc, zalloc, try_dealloc, dealloc, grow, zgrow, shrink, realloc, rezalloc;
} rec;

static void *r_alloc(void *self, memapi_layout l, memapi_error *err)
{
    ((rec *)self)->alloc++;
    void *p = (memapi_alloc)(memapi_default(), l, err);
    if (p != NULL)
        memset(p, 0xA5, l.size); /* so that a missing zeroing shows */
    return p;
}

static void *r_zalloc(void *self, memapi_layout l, memapi_error *err)
{
    ((rec *)self)->zalloc++;
    return (memapi_zalloc)(memapi_default(), l, err);
}

static memapi_status r_try_dealloc(void *self, void *ptr, memapi_layout l, memapi_error *err)
{
    ((rec *)self)->try_dealloc++;
    return memapi_try_dealloc(memapi_default(), ptr, l, err);
}

static void r_dealloc(void *self, void *ptr, memapi_layout l)
{
    ((rec *)self)->dealloc++;
    (memapi_dealloc)(memapi_default(), ptr, l);
}

#define R_RESIZE(name, field, dispatch) \
    static void *name(void *self, void *ptr, memapi_layout o, memapi_layout n, memapi_error *err) \
    { \
        ((rec *)self)->field++; \
        return dispatch(memapi_default(), ptr, o, n, err); \
    }
R_RESIZE(r_grow, grow, memapi_grow)
R_RESIZE(r_zgrow, zgrow, memapi_zgrow)
R_RESIZE(r_shrink, shrink, memapi_shrink)
R_RESIZE(r_realloc, realloc, memapi_realloc)
R_RESIZE(r_rezalloc, rezalloc, memapi_rezalloc)

/* Every entry. */
static const memapi_alloc_vtable full_vt = {
    .name = "full", .caps = MEMAPI_CAP_DEALLOC | MEMAPI_CAP_REALLOC, .alloc = r_alloc, .zalloc = r_zalloc,
    .try_dealloc = r_try_dealloc, .grow = r_grow, .zgrow = r_zgrow, .shrink = r_shrink, .realloc = r_realloc,
    .rezalloc = r_rezalloc, .dealloc = r_dealloc};
/* alloc and try_dealloc only: every other operation is the library default. */
static const memapi_alloc_vtable basic_vt = {
    .name = "basic", .caps = MEMAPI_CAP_DEALLOC, .alloc = r_alloc, .try_dealloc = r_try_dealloc};
/* alloc only: nothing can be freed. */
static const memapi_alloc_vtable alloc_only_vt = {.name = "alloc only", .alloc = r_alloc};

static bool all_eq(const void *p, size_t n, unsigned char v)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        if (c[i] != v)
            return false;
    return true;
}

Test(forward, alloc_and_zalloc_use_the_entries)
{
    rec r = {0};
    memapi_allocator in = {&full_vt, &r};
    void *p = memapi__fwd_alloc(&in, L(24, 8), NULL);
    cr_assert_not_null(p);
    void *z = memapi__fwd_zalloc(&in, L(40, 16), NULL);
    cr_assert_not_null(z);
    cr_assert(all_eq(z, 40, 0));
    cr_assert_eq(((uintptr_t)z) % 16, 0);
    cr_assert_eq(r.alloc, 1);
    cr_assert_eq(r.zalloc, 1, "the zalloc entry serves zalloc");
    memapi__fwd_dealloc(&in, p, L(24, 8));
    memapi__fwd_dealloc(&in, z, L(40, 16));
    cr_assert_eq(r.dealloc, 2);
    cr_assert_eq(r.try_dealloc, 0, "the dealloc entry serves dealloc");
}

Test(forward, zalloc_without_its_entry_is_alloc_then_zero)
{
    rec r = {0};
    memapi_allocator in = {&basic_vt, &r};
    unsigned char *z = memapi__fwd_zalloc(&in, L(100, 8), NULL);
    cr_assert_not_null(z);
    cr_assert_eq(r.alloc, 1);
    cr_assert(all_eq(z, 100, 0), "the alloc entry wrote 0xA5; the default zeroes after it");
    cr_assert_eq(memapi__fwd_try_dealloc(&in, z, L(100, 8), NULL), MEMAPI_OK);
    cr_assert_eq(r.try_dealloc, 1);
}

Test(forward, missing_entries_give_the_dispatch_errors)
{
    memapi_error e;
    memapi_allocator none = {NULL, NULL};
    cr_assert_null(memapi__fwd_alloc(&none, L(8, 8), &e));
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
    cr_assert_null(memapi__fwd_zalloc(&none, L(8, 8), &e));
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
    static const memapi_alloc_vtable empty_vt = {.name = "empty"};
    memapi_allocator empty = {&empty_vt, NULL};
    cr_assert_null(memapi__fwd_alloc(&empty, L(8, 8), &e));
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
    rec r = {0};
    memapi_allocator only = {&alloc_only_vt, &r};
    void *p = memapi__fwd_alloc(&only, L(16, 8), NULL);
    cr_assert_not_null(p);
    cr_assert_eq(memapi__fwd_try_dealloc(&only, p, L(16, 8), &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
    e.kind = MEMAPI_E_OTHER;
    cr_assert_null(memapi__fwd_grow(&only, p, L(16, 8), L(32, 8), &e), "the default resize needs try_dealloc");
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
    e.kind = MEMAPI_E_OTHER;
    cr_assert_null(memapi__fwd_shrink(&none, p, L(16, 8), L(8, 8), &e));
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
    free(p); /* the default allocator's block, allocated with malloc */
}

Test(forward, try_dealloc_keeps_the_pointer_checks)
{
    rec r = {0};
    memapi_allocator in = {&full_vt, &r};
    memapi_error e;
    cr_assert_eq(memapi__fwd_try_dealloc(&in, NULL, L(8, 8), &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_INVALID_POINTER);
    cr_assert_str_eq(e.msg, "null pointer");
    cr_assert_eq(memapi__fwd_try_dealloc(&in, (void *)0x1004, L(8, 8), &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_INVALID_POINTER);
    cr_assert_str_eq(e.msg, "pointer not aligned to its layout");
    cr_assert_eq(e.ptr, (void *)0x1004);
    cr_assert_eq(r.try_dealloc, 0, "a rejected pointer never reaches the entry");
}

Test(forward, dealloc_without_its_entry_is_try_dealloc)
{
    rec r = {0};
    memapi_allocator in = {&basic_vt, &r};
    void *p = memapi__fwd_alloc(&in, L(48, 16), NULL);
    cr_assert_not_null(p);
    memapi__fwd_dealloc(&in, p, L(48, 16));
    cr_assert_eq(r.try_dealloc, 1);
    cr_assert_eq(r.dealloc, 0);
}

Test(forward, resizes_call_the_entry_of_their_kind)
{
    rec r = {0};
    memapi_allocator in = {&full_vt, &r};
    unsigned char *p = memapi__fwd_alloc(&in, L(16, 8), NULL);
    memset(p, 0x11, 16);
    p = memapi__fwd_grow(&in, p, L(16, 8), L(32, 8), NULL);
    cr_assert_not_null(p);
    cr_assert(all_eq(p, 16, 0x11));
    p = memapi__fwd_zgrow(&in, p, L(32, 8), L(64, 8), NULL);
    cr_assert_not_null(p);
    cr_assert(all_eq(p, 16, 0x11));
    cr_assert(all_eq(p + 32, 32, 0), "zgrow zeroes [old.size, new.size)");
    p = memapi__fwd_shrink(&in, p, L(64, 8), L(24, 8), NULL);
    cr_assert_not_null(p);
    p = memapi__fwd_realloc(&in, p, L(24, 8), L(40, 8), NULL);
    cr_assert_not_null(p);
    p = memapi__fwd_rezalloc(&in, p, L(40, 8), L(72, 8), NULL);
    cr_assert_not_null(p);
    cr_assert(all_eq(p, 16, 0x11));
    cr_assert(all_eq(p + 40, 32, 0));
    cr_assert_eq(r.grow + r.zgrow + r.shrink + r.realloc + r.rezalloc, 5);
    cr_assert(r.grow == 1 && r.zgrow == 1 && r.shrink == 1 && r.realloc == 1 && r.rezalloc == 1);
    cr_assert_eq(r.alloc + r.zalloc + r.try_dealloc, 1, "only the first allocation: no default resize ran");
    memapi__fwd_dealloc(&in, p, L(72, 8));
}

Test(forward, resizes_without_their_entry_are_the_default)
{
    rec r = {0};
    memapi_allocator in = {&basic_vt, &r};
    unsigned char *p = memapi__fwd_alloc(&in, L(16, 8), NULL);
    memset(p, 0x22, 16);
    unsigned char *q = memapi__fwd_zgrow(&in, p, L(16, 8), L(48, 8), NULL);
    cr_assert_not_null(q);
    cr_assert(all_eq(q, 16, 0x22), "the first old.size bytes are copied");
    cr_assert(all_eq(q + 16, 32, 0), "alloc + zero, then the copy: the tail is zero");
    cr_assert_eq(r.alloc, 2);
    cr_assert_eq(r.try_dealloc, 1, "the old block is freed");
    unsigned char *s = memapi__fwd_shrink(&in, q, L(48, 8), L(8, 8), NULL);
    cr_assert_not_null(s);
    cr_assert(all_eq(s, 8, 0x22));
    cr_assert_eq(r.alloc, 3);
    cr_assert_eq(r.try_dealloc, 2);
    memapi__fwd_dealloc(&in, s, L(8, 8));
    cr_assert_eq(r.try_dealloc, 3);
}
