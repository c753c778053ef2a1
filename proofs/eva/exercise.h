/*
 * The Eva drivers' common part (proofs/README.md, "Eva"): every operation of an allocator, through
 * the public dispatch and through its vtable entries directly, with nondeterministic layouts.
 *
 * Layouts are chosen among a few values that matter (size 0, sizes below, at and above an
 * alignment and a page; alignments 1, the pointer size, malloc's guarantee, above it, a page) and
 * among invalid ones (align 0, align not a power of two, a size that overflows when rounded up).
 * Each choice is a `split` of Eva's state, so that every size is exact in its own state: a block of
 * an interval of sizes is not a block Eva can bound accesses to. Which operation runs is
 * nondeterministic too (Frama_C_interval), so that every one is analysed after every allocation.
 */
#ifndef MEMAPI_EVA_EXERCISE_H
#define MEMAPI_EVA_EXERCISE_H
#include "__fc_builtin.h"
#include <stdint.h>
#include <string.h>
#include "memapi2.h"

#define EVA_N(arr) ((int)(sizeof(arr) / sizeof((arr)[0])))

/*
 * The layouts. Eva's malloc gives each call stack its own block, and a block's size is exact only
 * if every call that allocated it asked for the same size: each layout is therefore analysed from
 * a call site of its own (EVA_EACH_LAYOUT), never through one call with a nondeterministic layout.
 * Valid ones: size 0 (the dangling pointer), a block malloc serves (size >= align <= 16), one it
 * cannot (size < align), an over-aligned one (memalign); invalid ones: align 0, align not a power
 * of two, a size that overflows when rounded up.
 */
#define EVA_EACH_LAYOUT(F, ...)                                                               \
    switch (Frama_C_interval(0, 6)) {                                                         \
    case 0: F(__VA_ARGS__, ((memapi_layout){0, 8})); break;                                   \
    case 1: F(__VA_ARGS__, ((memapi_layout){24, 8})); break;                                  \
    case 2: F(__VA_ARGS__, ((memapi_layout){8, 32})); break;                                  \
    case 3: F(__VA_ARGS__, ((memapi_layout){100, 4096})); break;                              \
    case 4: F(__VA_ARGS__, ((memapi_layout){24, 0})); break;                                  \
    case 5: F(__VA_ARGS__, ((memapi_layout){24, 3})); break;                                  \
    default: F(__VA_ARGS__, ((memapi_layout){SIZE_MAX - 6, 8})); break;                      \
    }
/* The new layouts of a resize: bigger, smaller, the same size more aligned, to size 0, invalid. */
#define EVA_EACH_NEW_LAYOUT(F, ...)                                                           \
    switch (Frama_C_interval(0, 5)) {                                                         \
    case 0: F(__VA_ARGS__, ((memapi_layout){0, 8})); break;                                   \
    case 1: F(__VA_ARGS__, ((memapi_layout){8, 8})); break;                                   \
    case 2: F(__VA_ARGS__, ((memapi_layout){200, 16})); break;                                \
    case 3: F(__VA_ARGS__, ((memapi_layout){24, 64})); break;                                 \
    case 4: F(__VA_ARGS__, ((memapi_layout){24, 0})); break;                                  \
    default: F(__VA_ARGS__, ((memapi_layout){SIZE_MAX - 6, 8})); break;                       \
    }

/* A place for an error, or none: every error path is taken with and without one. */
static memapi_error eva_err_obj;
#define EVA_ERR ((memapi_error *)Frama_C_nondet_ptr(&eva_err_obj, NULL))

static int eva_cb_calls;
static void eva_temp_cb(void *ctx, void *mem)
{
    (void)ctx;
    (void)mem;
    eva_cb_calls++;
}

/* Touch a block as a user does: its first and last byte, when it has any. */
static void eva_use(void *p, memapi_layout l)
{
    if (p != NULL && l.size > 0 && l.size <= 4096) {
        ((volatile unsigned char *)p)[0] = 1;
        ((volatile unsigned char *)p)[l.size - 1] = 2;
    }
}

/* Frees a live block of layout l through the dispatch, one way or another. */
static void eva_release(memapi_allocator a, void *p, memapi_layout l)
{
    switch (Frama_C_interval(0, 2)) {
    case 0: (void)memapi_try_dealloc(a, p, l, EVA_ERR); break;
#if MEMAPI_CHECKED_OPS
    case 1: (void)memapi_checked_dealloc(a, p, l, EVA_ERR); break;
#endif
    default: memapi_dealloc(a, p, l); break;
    }
}

/* What is live after a resize is used, then released. */
static void eva_finish(memapi_allocator a, void *p, memapi_layout l)
{
    eva_use(p, l);
    eva_release(a, p, l);
}

/* One resize of the live block p (layout l) to nl through the dispatch, then the release of what
 * is live afterwards. Each operation's outcome is handled in its own branch: joined, the states
 * where it moved the block and those where it failed would lose which pointer is live. */
#define EVA_RESIZE(op)                                                                        \
    do {                                                                                      \
        void *q = op(a, p, l, nl, EVA_ERR);                                                   \
        if (q != NULL)                                                                        \
            eva_finish(a, q, nl); /* p, freed or not, is not read again */                    \
        else                                                                                  \
            eva_finish(a, p, l);                                                              \
    } while (0)
static void eva_resize_to(memapi_allocator a, void *p, memapi_layout l, memapi_layout nl)
{
    switch (Frama_C_interval(0, 9)) {
    case 0: EVA_RESIZE(memapi_grow); break;
    case 1: EVA_RESIZE(memapi_zgrow); break;
    case 2: EVA_RESIZE(memapi_shrink); break;
    case 3: EVA_RESIZE(memapi_realloc); break;
    case 4: EVA_RESIZE(memapi_rezalloc); break;
#if MEMAPI_CHECKED_OPS
    case 5: EVA_RESIZE(memapi_checked_grow); break;
    case 6: EVA_RESIZE(memapi_checked_zgrow); break;
    case 7: EVA_RESIZE(memapi_checked_shrink); break;
    case 8: EVA_RESIZE(memapi_checked_realloc); break;
    default: EVA_RESIZE(memapi_checked_rezalloc); break;
#else
    default: eva_finish(a, p, l); break;
#endif
    }
}

/* One allocation of layout l through the dispatch, then a resize or a release. */
static void eva_dispatch_at(memapi_allocator a, memapi_layout l)
{
    void *p = Frama_C_interval(0, 1) ? memapi_zalloc(a, l, EVA_ERR) : memapi_alloc(a, l, EVA_ERR);
    if (p == NULL)
        return;
    eva_use(p, l);
    if (Frama_C_interval(0, 1)) {
        EVA_EACH_NEW_LAYOUT(eva_resize_to, a, p, l)
    } else {
        eva_release(a, p, l);
    }
}

/* One allocation of layout l through the dispatch, used, then released: the light exercise. */
static void eva_alloc_release_at(memapi_allocator a, memapi_layout l)
{
    void *p = Frama_C_interval(0, 1) ? memapi_zalloc(a, l, EVA_ERR) : memapi_alloc(a, l, EVA_ERR);
    if (p != NULL)
        eva_finish(a, p, l);
}

/* A scoped allocation of layout l through the dispatch. */
static void eva_temp_at(memapi_allocator a, memapi_layout l)
{
#if MEMAPI_ALLOC_TEMP
    if (Frama_C_interval(0, 1))
        (void)memapi_alloc_temp(a, l, eva_temp_cb, NULL, EVA_ERR);
    else
        (void)memapi_zalloc_temp(a, l, eva_temp_cb, NULL, EVA_ERR);
#else
    (void)a;
    (void)l;
#endif
}

/* A live block p of layout l freed by the allocator's own entries. */
static void eva_entry_release(memapi_allocator a, void *p, memapi_layout l)
{
    const memapi_alloc_vtable *vt = a.vt;
    eva_use(p, l);
    /* The dealloc entry is never called with the dangling pointer (alloc.h): a size-0 block. */
    if (vt->dealloc != NULL && l.size != 0 && Frama_C_interval(0, 1))
        vt->dealloc(a.self, p, l);
    else if (vt->try_dealloc != NULL)
        (void)vt->try_dealloc(a.self, p, l, EVA_ERR);
}

/* A resize entry called directly on the live block p (layout l), as the dispatch calls it: never
 * with a smaller alignment, never with the identical layout, grow and zgrow for a size not
 * smaller, shrink for a size not larger; then the block live afterwards freed by its entry. */
#define EVA_ENTRY_CALL(f)                                                                     \
    do {                                                                                      \
        void *q = (f)(a.self, p, l, nl, EVA_ERR);                                             \
        if (q != NULL)                                                                        \
            eva_entry_release(a, q, nl);                                                      \
        else                                                                                  \
            eva_entry_release(a, p, l);                                                       \
    } while (0)
#define EVA_ENTRY(e)                                                                          \
    do {                                                                                      \
        if (vt->e != NULL)                                                                    \
            EVA_ENTRY_CALL(vt->e);                                                            \
        else                                                                                  \
            eva_entry_release(a, p, l);                                                       \
    } while (0)
static void eva_entry_resize_to(memapi_allocator a, void *p, memapi_layout l, memapi_layout nl)
{
    const memapi_alloc_vtable *vt = a.vt;
    if (!memapi_layout_is_valid(nl) || (nl.size == l.size && nl.align == l.align) || nl.align < l.align) {
        eva_entry_release(a, p, l);
        return;
    }
    switch (Frama_C_interval(0, 4)) {
    case 0: if (nl.size >= l.size) EVA_ENTRY(grow); else eva_entry_release(a, p, l); break;
    case 1: if (nl.size >= l.size) EVA_ENTRY(zgrow); else eva_entry_release(a, p, l); break;
    case 2: if (nl.size <= l.size) EVA_ENTRY(shrink); else eva_entry_release(a, p, l); break;
    case 3: EVA_ENTRY(realloc); break;
    default: EVA_ENTRY(rezalloc); break;
    }
}

/* The vtable entries called directly with layout l (a valid one: the dispatch validates first). */
static void eva_entries_at(memapi_allocator a, memapi_layout l)
{
    const memapi_alloc_vtable *vt = a.vt;
    if (!memapi_layout_is_valid(l))
        return;
    void *p = (Frama_C_interval(0, 1) && vt->zalloc != NULL) ? vt->zalloc(a.self, l, EVA_ERR)
                                                               : vt->alloc(a.self, l, EVA_ERR);
    if (p == NULL)
        return;
    eva_use(p, l);
    if (vt->owns != NULL)
        (void)vt->owns(a.self, p, l, EVA_ERR);
    EVA_EACH_NEW_LAYOUT(eva_entry_resize_to, a, p, l)
}

/* Everything above. */
static void eva_exercise(memapi_allocator a)
{
    switch (Frama_C_interval(0, 2)) {
    case 0: EVA_EACH_LAYOUT(eva_dispatch_at, a) break;
    case 1: EVA_EACH_LAYOUT(eva_temp_at, a) break;
    default: EVA_EACH_LAYOUT(eva_entries_at, a) break;
    }
}
#endif
