/*
 * The inline fast paths of memapi2/alloc.h (memapi_alloc, memapi_zalloc, memapi_grow,
 * memapi_shrink, memapi_dealloc as macros) against the exported functions they stand for, called as
 * `(memapi_alloc)(...)`: on every argument of a grid (valid and invalid layouts, NULL and
 * misaligned pointers, every resize direction, allocators without a vtable or without the entry),
 * both forms must return the same pointer, leave the same bytes in the error object, and make the
 * same calls to the allocator's entries, in the same order with the same arguments. The grid's
 * spec values are checked as well (which entry a call reaches, which error it gets).
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdalign.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "memapi2.h"

#if !defined(memapi_alloc) || !defined(memapi_zalloc) || !defined(memapi_grow) || !defined(memapi_shrink) || \
    !defined(memapi_dealloc)
#error "the inline fast paths of memapi2/alloc.h are not enabled in this build"
#endif

/* ---- a probe allocator: records each entry call, returns fixed blocks, touches no memory -------- */

typedef enum op { OP_ALLOC, OP_ZALLOC, OP_DEALLOC, OP_GROW, OP_SHRINK, OP_FREE } op;

typedef struct entry_call {
    op kind;
    void *self;
    void *ptr;
    memapi_layout old_layout;
    memapi_layout new_layout;
    memapi_error *err;
} entry_call;

typedef struct probe {
    entry_call calls[8];
    size_t n;
} probe;

/* The block the entries hand out; tests pass `block_in` as the caller's block. */
static alignas(4096) unsigned char block_out[8192];
static alignas(4096) unsigned char block_in[8192];

static void note(probe *p, entry_call c)
{
    cr_assert(p->n < sizeof p->calls / sizeof p->calls[0], "probe log overflow");
    p->calls[p->n++] = c;
}

static void *probe_alloc(void *self, memapi_layout l, memapi_error *err)
{
    note(self, (entry_call){OP_ALLOC, self, NULL, {0, 0}, l, err});
    return block_out;
}

static void *probe_zalloc(void *self, memapi_layout l, memapi_error *err)
{
    note(self, (entry_call){OP_ZALLOC, self, NULL, {0, 0}, l, err});
    return block_out;
}

static memapi_status probe_try_dealloc(void *self, void *ptr, memapi_layout l, memapi_error *err)
{
    note(self, (entry_call){OP_DEALLOC, self, ptr, l, {0, 0}, err});
    return MEMAPI_OK;
}

static void *probe_grow(void *self, void *ptr, memapi_layout o, memapi_layout n, memapi_error *err)
{
    note(self, (entry_call){OP_GROW, self, ptr, o, n, err});
    return block_out;
}

static void *probe_shrink(void *self, void *ptr, memapi_layout o, memapi_layout n, memapi_error *err)
{
    note(self, (entry_call){OP_SHRINK, self, ptr, o, n, err});
    return block_out;
}

static void probe_dealloc(void *self, void *ptr, memapi_layout l)
{
    note(self, (entry_call){OP_FREE, self, ptr, l, {0, 0}, NULL});
}

/* Every entry the fast paths use, then each one missing, then no alloc entry at all. */
static const memapi_alloc_vtable vt_full = {
    .name = "probe", .caps = MEMAPI_CAP_DEALLOC | MEMAPI_CAP_GROW | MEMAPI_CAP_SHRINK,
    .alloc = probe_alloc, .zalloc = probe_zalloc, .try_dealloc = probe_try_dealloc,
    .grow = probe_grow, .shrink = probe_shrink, .dealloc = probe_dealloc,
};
static const memapi_alloc_vtable vt_bare = {
    .name = "probe-bare", .caps = MEMAPI_CAP_DEALLOC, .alloc = probe_alloc, .try_dealloc = probe_try_dealloc,
};
static const memapi_alloc_vtable vt_no_alloc = {
    .name = "probe-no-alloc", .caps = MEMAPI_CAP_DEALLOC, .zalloc = probe_zalloc,
    .try_dealloc = probe_try_dealloc, .grow = probe_grow, .shrink = probe_shrink,
};
static const memapi_alloc_vtable *const vtables[] = {&vt_full, &vt_bare, &vt_no_alloc, NULL};

#define MAXSZ MEMAPI_USIZE_MAX_NO_HIGH_BIT
/* Valid, size 0, page-aligned, then invalid: align 0, 3, HIGH (2^63), and size beyond the maximum. */
static const memapi_layout layouts[] = {
    {24, 8}, {16, 16}, {0, 8}, {64, 4096}, {100, 1}, {8, 8}, {32, 8}, {32, 16},
    {8, 0}, {8, 3}, {8, MEMAPI_USIZE_HIGH_BIT}, {MAXSZ, 8}, {MAXSZ - 7, 8},
};
#define NLAYOUTS (sizeof layouts / sizeof layouts[0])

typedef struct outcome {
    void *result;
    memapi_error err;
    probe log;
} outcome;

/* The two runs' outcomes before the calls: every byte poisoned, the probes' logs empty. */
static void outcomes_fresh(outcome *f, outcome *s)
{
    memset(f, 0xA5, sizeof *f);
    memset(s, 0xA5, sizeof *s);
    f->log.n = s->log.n = 0;
}

static void assert_same(const outcome *fast, const outcome *slow, const char *what, size_t i, size_t j, size_t k)
{
    cr_assert_eq(fast->result, slow->result, "%s [%zu,%zu,%zu]: results differ", what, i, j, k);
    cr_assert(memcmp(&fast->err, &slow->err, sizeof fast->err) == 0, "%s [%zu,%zu,%zu]: error objects differ",
              what, i, j, k);
    cr_assert_eq(fast->log.n, slow->log.n, "%s [%zu,%zu,%zu]: entry call counts differ", what, i, j, k);
    for (size_t c = 0; c < fast->log.n; c++) {
        const entry_call *x = &fast->log.calls[c], *y = &slow->log.calls[c];
        cr_assert(x->kind == y->kind && x->ptr == y->ptr && x->old_layout.size == y->old_layout.size &&
                      x->old_layout.align == y->old_layout.align && x->new_layout.size == y->new_layout.size &&
                      x->new_layout.align == y->new_layout.align,
                  "%s [%zu,%zu,%zu]: entry call %zu differs", what, i, j, k, c);
        /* The error object each form passed is its own; both must pass theirs (or both NULL). */
        cr_assert((x->err == &fast->err) == (y->err == &slow->err), "%s: err argument differs", what);
    }
}

static memapi_allocator allocator(size_t v, probe *p)
{
    return (memapi_allocator){.vt = vtables[v], .self = p};
}

Test(inline_dispatch, alloc_and_zalloc_match_the_exported_functions)
{
    size_t entry_hits = 0;
    for (size_t v = 0; v < sizeof vtables / sizeof vtables[0]; v++)
        for (size_t i = 0; i < NLAYOUTS; i++)
            for (int zero = 0; zero <= 1; zero++) {
                outcome f, s;
                outcomes_fresh(&f, &s);
                memapi_layout l = layouts[i];
                /* zalloc without a zalloc entry zeroes the block: only sizes the probe's block has. */
                if (zero && vtables[v] != NULL && vtables[v]->zalloc == NULL && memapi_layout_is_valid(l) &&
                    l.size > sizeof block_out)
                    continue;
                if (zero) {
                    f.result = memapi_zalloc(allocator(v, &f.log), l, &f.err);
                    s.result = (memapi_zalloc)(allocator(v, &s.log), l, &s.err);
                } else {
                    f.result = memapi_alloc(allocator(v, &f.log), l, &f.err);
                    s.result = (memapi_alloc)(allocator(v, &s.log), l, &s.err);
                }
                assert_same(&f, &s, zero ? "zalloc" : "alloc", v, i, (size_t)zero);
                bool valid = memapi_layout_is_valid(l);
                if (!valid) {
                    cr_assert_null(f.result);
                    cr_assert_eq(f.err.kind, MEMAPI_E_LAYOUT, "invalid layout [%zu] must fail with LAYOUT", i);
                    cr_assert_eq(f.log.n, 0u);
                } else if (vtables[v] == NULL || vtables[v]->alloc == NULL) {
                    cr_assert_null(f.result);
                    cr_assert_eq(f.err.kind, MEMAPI_E_UNSUPPORTED);
                    cr_assert_eq(f.log.n, 0u);
                } else {
                    /* One entry call with the caller's layout and error object; zalloc without a
                     * zalloc entry is alloc + zeroing of the block. */
                    cr_assert_eq(f.result, (void *)block_out);
                    cr_assert_eq(f.log.n, 1u);
                    op want = zero && vtables[v]->zalloc != NULL ? OP_ZALLOC : OP_ALLOC;
                    cr_assert_eq(f.log.calls[0].kind, want);
                    cr_assert_eq(f.log.calls[0].new_layout.size, l.size);
                    cr_assert_eq(f.log.calls[0].new_layout.align, l.align);
                    cr_assert_eq(f.log.calls[0].err, &f.err);
                    entry_hits++;
                }
            }
    cr_assert_gt(entry_hits, 0u, "the grid must reach the entries");
}

Test(inline_dispatch, grow_and_shrink_match_the_exported_functions)
{
    void *const ptrs[] = {block_in, NULL, block_in + 1};
    size_t entry_hits = 0, defaults = 0;
    for (size_t v = 0; v < sizeof vtables / sizeof vtables[0]; v++)
        for (size_t i = 0; i < NLAYOUTS; i++)
            for (size_t j = 0; j < NLAYOUTS; j++)
                for (size_t k = 0; k < sizeof ptrs / sizeof ptrs[0]; k++)
                    for (int grow = 0; grow <= 1; grow++) {
                        memapi_layout o = layouts[i], n = layouts[j];
                        outcome f, s;
                        outcomes_fresh(&f, &s);
                        if (grow) {
                            f.result = memapi_grow(allocator(v, &f.log), ptrs[k], o, n, &f.err);
                            s.result = (memapi_grow)(allocator(v, &s.log), ptrs[k], o, n, &s.err);
                        } else {
                            f.result = memapi_shrink(allocator(v, &f.log), ptrs[k], o, n, &f.err);
                            s.result = (memapi_shrink)(allocator(v, &s.log), ptrs[k], o, n, &s.err);
                        }
                        assert_same(&f, &s, grow ? "grow" : "shrink", i, j, k);
                        bool checks_pass = memapi_layout_is_valid(o) && memapi_layout_is_valid(n) && ptrs[k] != NULL &&
                                           ((uintptr_t)ptrs[k] & (o.align - 1)) == 0 &&
                                           n.align >= o.align && (grow ? n.size >= o.size : n.size <= o.size);
                        if (!checks_pass) {
                            cr_assert_null(f.result);
                            cr_assert_eq(f.log.n, 0u, "a rejected resize calls no entry");
                            continue;
                        }
                        if (o.size == n.size && o.align == n.align) {
                            cr_assert_eq(f.result, ptrs[k], "an identical layout returns the block");
                            cr_assert_eq(f.log.n, 0u);
                        } else if (vtables[v] == NULL) {
                            cr_assert_null(f.result);
                            cr_assert_eq(f.err.kind, MEMAPI_E_UNSUPPORTED);
                        } else if ((grow ? vtables[v]->grow : vtables[v]->shrink) != NULL) {
                            cr_assert_eq(f.result, (void *)block_out);
                            cr_assert_eq(f.log.n, 1u);
                            cr_assert_eq(f.log.calls[0].kind, grow ? OP_GROW : OP_SHRINK);
                            cr_assert_eq(f.log.calls[0].ptr, ptrs[k]);
                            cr_assert_eq(f.log.calls[0].err, &f.err);
                            entry_hits++;
                        } else {
                            defaults++; /* the library default: alloc (if any), copy, free */
                        }
                    }
    cr_assert_gt(entry_hits, 0u, "the grid must reach the resize entries");
    cr_assert_gt(defaults, 0u, "the grid must reach the default resize");
}

Test(inline_dispatch, default_allocator_round_trip)
{
    /* The default allocator through both forms: aligned blocks, an error on an impossible size. */
    memapi_allocator a = memapi_default();
    memapi_error e;
    memapi_layout l = {40, 8};
    unsigned char *p = memapi_alloc(a, l, &e);
    cr_assert_not_null(p);
    cr_assert_eq((uintptr_t)p % 8, 0u);
    memset(p, 0x5A, 40);
    unsigned char *q = memapi_grow(a, p, l, (memapi_layout){200, 8}, &e);
    cr_assert_not_null(q);
    for (size_t i = 0; i < 40; i++)
        cr_assert_eq(q[i], 0x5A, "grow keeps the old bytes");
    unsigned char *r = memapi_shrink(a, q, (memapi_layout){200, 8}, (memapi_layout){16, 8}, &e);
    cr_assert_not_null(r);
    for (size_t i = 0; i < 16; i++)
        cr_assert_eq(r[i], 0x5A, "shrink keeps the first bytes");
    memapi_dealloc(a, r, (memapi_layout){16, 8});
    unsigned char *z = memapi_zalloc(a, (memapi_layout){64, 4096}, &e);
    cr_assert_not_null(z);
    cr_assert_eq((uintptr_t)z % 4096, 0u);
    for (size_t i = 0; i < 64; i++)
        cr_assert_eq(z[i], 0);
    memapi_dealloc(a, z, (memapi_layout){64, 4096});
#if SIZE_MAX == UINT64_MAX
    /* 2^63 bytes cannot be had; a 32-bit process can hold MAXSZ (2 GiB), so no size is sure to fail there. */
    cr_assert_null(memapi_alloc(a, (memapi_layout){MAXSZ - 7, 8}, &e));
    cr_assert_eq(e.kind, MEMAPI_E_ALLOC_FAILED);
    cr_assert_eq(e.layout.size, MAXSZ - 7);
    cr_assert_eq(e.layout.align, 8u);
#endif
}

Test(inline_dispatch, dealloc_matches_the_exported_function)
{
    /* Only arguments that do not stop the program: valid layouts, the block or the dangling pointer. */
    size_t frees = 0, try_deallocs = 0;
    for (size_t v = 0; v < 2; v++)
        for (size_t i = 0; i < NLAYOUTS; i++) {
            memapi_layout l = layouts[i];
            if (!memapi_layout_is_valid(l))
                continue;
            void *const ptrs[] = {block_in, (void *)(uintptr_t)l.align};
            for (size_t k = 0; k < 2; k++) {
                probe f = {.n = 0}, s = {.n = 0};
                memapi_dealloc(allocator(v, &f), ptrs[k], l);
                (memapi_dealloc)(allocator(v, &s), ptrs[k], l);
                cr_assert_eq(f.n, s.n, "dealloc [%zu,%zu,%zu]: entry call counts differ", v, i, k);
                if (k == 1) {
                    cr_assert_eq(f.n, 0u, "the dangling pointer is not freed");
                    continue;
                }
                cr_assert_eq(f.n, 1u);
                cr_assert_eq(f.calls[0].kind, s.calls[0].kind);
                cr_assert_eq(f.calls[0].ptr, block_in);
                cr_assert_eq(s.calls[0].ptr, block_in);
                cr_assert(f.calls[0].old_layout.size == l.size && f.calls[0].old_layout.align == l.align);
                if (vtables[v]->dealloc != NULL) {
                    /* The infallible entry, without an error object. */
                    cr_assert_eq(f.calls[0].kind, OP_FREE);
                    frees++;
                } else {
                    cr_assert_eq(f.calls[0].kind, OP_DEALLOC);
                    cr_assert_not_null(f.calls[0].err, "try_dealloc gets an error object");
                    try_deallocs++;
                }
            }
        }
    cr_assert_gt(frees, 0u);
    cr_assert_gt(try_deallocs, 0u);
}

/* ---- the out-of-line halves: the exported functions with the allocator last ------------------- */

/* Each *_outline function must be its exported function whatever its first argument (`self`, which
   it ignores): the same results, error bytes and entry calls over the whole grid. */
Test(inline_dispatch, outline_functions_match_the_exported_functions)
{
    void *const ptrs[] = {block_in, NULL, block_in + 1};
    size_t entry_hits = 0;
    for (size_t v = 0; v < sizeof vtables / sizeof vtables[0]; v++)
        for (size_t i = 0; i < NLAYOUTS; i++) {
            for (int zero = 0; zero <= 1; zero++) {
                outcome f, s;
                outcomes_fresh(&f, &s);
                memapi_layout l = layouts[i];
                if (zero && vtables[v] != NULL && vtables[v]->zalloc == NULL && memapi_layout_is_valid(l) &&
                    l.size > sizeof block_out)
                    continue;
                f.result = zero ? memapi_zalloc_outline(NULL, l, &f.err, allocator(v, &f.log))
                                : memapi_alloc_outline(NULL, l, &f.err, allocator(v, &f.log));
                s.result = zero ? (memapi_zalloc)(allocator(v, &s.log), l, &s.err)
                                : (memapi_alloc)(allocator(v, &s.log), l, &s.err);
                assert_same(&f, &s, zero ? "zalloc_outline" : "alloc_outline", v, i, (size_t)zero);
                entry_hits += f.log.n;
            }
            for (size_t j = 0; j < NLAYOUTS; j++)
                for (size_t k = 0; k < sizeof ptrs / sizeof ptrs[0]; k++)
                    for (int grow = 0; grow <= 1; grow++) {
                        memapi_layout o = layouts[i], n = layouts[j];
                        outcome f, s;
                        outcomes_fresh(&f, &s);
                        f.result = grow ? memapi_grow_outline(NULL, ptrs[k], o, n, &f.err, allocator(v, &f.log))
                                        : memapi_shrink_outline(NULL, ptrs[k], o, n, &f.err, allocator(v, &f.log));
                        s.result = grow ? (memapi_grow)(allocator(v, &s.log), ptrs[k], o, n, &s.err)
                                        : (memapi_shrink)(allocator(v, &s.log), ptrs[k], o, n, &s.err);
                        assert_same(&f, &s, grow ? "grow_outline" : "shrink_outline", i, j, k);
                        entry_hits += f.log.n;
                    }
            /* dealloc: only what does not stop the program (valid layouts, the block or the dangling pointer). */
            if (v < 2 && memapi_layout_is_valid(layouts[i])) {
                memapi_layout l = layouts[i];
                void *const blocks[] = {block_in, (void *)(uintptr_t)l.align};
                for (size_t k = 0; k < 2; k++) {
                    probe f = {.n = 0}, s = {.n = 0};
                    memapi_dealloc_outline(NULL, blocks[k], l, allocator(v, &f));
                    (memapi_dealloc)(allocator(v, &s), blocks[k], l);
                    cr_assert_eq(f.n, s.n, "dealloc_outline [%zu,%zu,%zu]: entry call counts differ", v, i, k);
                    cr_assert_eq(f.n, k == 0 ? 1u : 0u, "the block is freed once, the dangling pointer never");
                    if (k == 0)
                        cr_assert(f.calls[0].kind == s.calls[0].kind && f.calls[0].ptr == block_in &&
                                  f.calls[0].self == &f);
                }
            }
        }
    cr_assert_gt(entry_hits, 0u, "the grid must reach the entries");
}

/* ---- the dealloc entry without try_dealloc: not used; the call is fatal as without either ----- */

static int freed_by_entry;
static void counting_free(void *self, void *ptr, memapi_layout l)
{
    (void)self;
    (void)ptr;
    (void)l;
    freed_by_entry++;
}
static const memapi_alloc_vtable vt_free_only = {
    .name = "free-only", .caps = MEMAPI_CAP_DEALLOC, .alloc = probe_alloc, .dealloc = counting_free,
};

#define HOOK_MATCHED 42
#define HOOK_MISMATCHED 43
static void expect_unsupported_dealloc(const char *msg)
{
    /* The reference's message; the entry must not have run. */
    static const char head[] = "deallocation of block at 0x";
    int ok = msg != NULL && strncmp(msg, head, sizeof head - 1) == 0 && freed_by_entry == 0;
    if (!ok)
        fprintf(stderr, "unexpected fatal message or entry call (%d): %s\n", freed_by_entry, msg ? msg : "(null)");
    _exit(ok ? HOOK_MATCHED : HOOK_MISMATCHED);
}

Test(inline_dispatch, dealloc_entry_needs_try_dealloc_inline, .exit_code = HOOK_MATCHED)
{
    memapi_set_fatal_hook(expect_unsupported_dealloc);
    memapi_dealloc((memapi_allocator){&vt_free_only, NULL}, block_in, (memapi_layout){16, 8});
}

Test(inline_dispatch, dealloc_entry_needs_try_dealloc_exported, .exit_code = HOOK_MATCHED)
{
    memapi_set_fatal_hook(expect_unsupported_dealloc);
    (memapi_dealloc)((memapi_allocator){&vt_free_only, NULL}, block_in, (memapi_layout){16, 8});
}
