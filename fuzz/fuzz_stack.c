/*
 * Stacks of allocators (issue 23): one to four wrappers (tracking with a caller table, locked,
 * failing with an nth-call rule), in any order, over a leaf (default, bump over a static buffer,
 * guard, c_alloc), built from the input; operation sequences over 8 block slots with a model that
 * follows each request down the stack and predicts every layer's state.
 *
 * Input: [leaf][layer count][layer byte per layer][leaf config], then operations
 * [op][slot][arguments] until the input ends (up to 128); op % 5 picks alloc, zalloc, free, resize
 * or owns, and for a resize op / 5 % 5 the kind: realloc, grow, zgrow, shrink, rezalloc. A layer byte: bits 0-1 the wrapper
 * (0 tracking, 1 locked, 2 failing, 3 tracking), bits 2-7 the failing layer's nth (0: never).
 *
 * The model (sim) passes a request (alloc, free, resize) from the top layer down, as each layer
 * handles it: locked takes its mutex around the inner call (counted by the OS seam's stand-ins,
 * fuzz/os_faults.c); tracking forwards, and on success counts live blocks, live bytes, peak and
 * total allocations (a resize moves the bytes, total unchanged); failing counts one call per
 * allocating request, fails the nth with ALLOC_FAILED(layout, out of memory), and does a resize as
 * the library default (an allocation through itself, copy, free of the old block), so that the
 * layers below it see an allocation and a free; the leaf succeeds (default, c_alloc, a guard pool
 * larger than any need) or, for bump, places the block exactly (padding, in-place resize of the
 * most recent block, its space given back when freed, out of memory). After every operation:
 * every tracking layer's four counters, every failing layer's calls and failures, the locks and
 * unlocks taken, the bump arena's used bytes and the guard's live blocks; the result (the bump
 * address, the error field by field); alignment, zeros from zalloc, every live block's own fill
 * pattern (kept over min(old, new) by a resize, intact after a failed one). The owns entry of the
 * top layer (when the stack has one: tracking answers from its table, locked and failing forward)
 * must own every live block, with the locks it takes. At the end every block is freed and the
 * tracking layers count nothing live.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include "fuzz_oracle.h"
#include "os_faults.h"

#define MAX_LAYERS 4
#define NSLOT 8
#define MAX_STEPS 128
#define BUMP_MAX 65536u

enum leaf_id { LEAF_DEFAULT, LEAF_BUMP, LEAF_GUARD, LEAF_C_ALLOC, LEAF_COUNT };
enum layer_kind { K_TRACKING, K_LOCKED, K_FAILING };

static const char *const leaf_names[LEAF_COUNT] = {"default", "bump", "guard", "c_alloc"};
static const char *const kind_names[3] = {"tracking", "locked", "failing"};

/* A layer and the model's view of its counters. */
typedef struct layer {
    enum layer_kind kind;
    memapi_tracking trk;
    memapi_tracking_entry table[NSLOT + 1];
    memapi_locked lock;
    memapi_failing fail;
    uint64_t nth;
    /* the model */
    size_t t_live, t_bytes, t_peak;
    uint64_t t_total, f_calls, f_failures;
} layer;

typedef struct slot {
    bool live;
    char *ptr;
    memapi_layout l;
    uint8_t seed;
} slot;

static struct {
    int leaf;
    size_t n;              /* layers; L[0] is the top */
    layer L[MAX_LAYERS];
    memapi_allocator at[MAX_LAYERS + 1]; /* at[k]: the allocator of layer k; at[n] the leaf */
    memapi_bump bump;
    size_t bump_cap, b_used, b_recent_size, b_recent_prev;
    char *b_recent;
    memapi_guard guard;
    size_t g_live;
    unsigned long locks;   /* locks (and unlocks) the model predicts for this operation */
    memapi_layout failed;  /* the layout of the call that failed, for the error */
    void *placed;          /* the leaf's block of the last successful allocation (bump) */
    uint8_t next_seed;
    slot s[NSLOT];
} S;

static _Alignas(4096) char bump_buf[BUMP_MAX];

static void stack_context(void)
{
    fprintf(stderr, "stack:");
    for (size_t k = 0; k < S.n; k++)
        fprintf(stderr, " %s(nth %llu) over", kind_names[S.L[k].kind], (unsigned long long)S.L[k].nth);
    fprintf(stderr, " %s\n", leaf_names[S.leaf]);
}

FUZZ_DEFINE_FAILF(stack_context)

static uint8_t pat(uint8_t seed, size_t i)
{
    return (uint8_t)(((unsigned)seed * 7u + (unsigned)(i % 251u) * 13u) & 0xFFu);
}

static void require_pattern(const char *what, const slot *t, size_t upto)
{
    for (size_t i = 0; i < upto; i++)
        if ((uint8_t)t->ptr[i] != pat(t->seed, i))
            failf(what, "fill pattern damaged at byte %zu of a block of %zu", i, t->l.size);
}

/* ---- the model: a request followed down the stack ------------------------------------------ */

typedef enum req_kind { R_ALLOC, R_FREE, R_RESIZE } req_kind;

static bool sim(size_t k, req_kind r, void *p, memapi_layout o, memapi_layout n);

/* bump.h: the first offset at or after `used` where the address is a multiple of the alignment. */
static bool bump_alloc(memapi_layout l)
{
    uintptr_t at = (uintptr_t)bump_buf + S.b_used;
    size_t start = S.b_used + (size_t)((l.align - at % l.align) % l.align);
    if (start > S.bump_cap || l.size > S.bump_cap - start) {
        S.failed = l;
        return false;
    }
    S.placed = bump_buf + start;
    S.b_recent = bump_buf + start;
    S.b_recent_size = l.size;
    S.b_recent_prev = S.b_used;
    S.b_used = start + l.size;
    return true;
}

static void bump_free(void *p, memapi_layout l)
{
    if ((char *)p == S.b_recent && l.size == S.b_recent_size) {
        S.b_used = S.b_recent_prev;
        S.b_recent = NULL;
    }
}

static bool leaf(req_kind r, void *p, memapi_layout o, memapi_layout n)
{
    if (S.leaf == LEAF_GUARD) {
        S.g_live += r == R_ALLOC ? 1u : 0u;
        S.g_live -= r == R_FREE ? 1u : 0u;
        return true;
    }
    if (S.leaf != LEAF_BUMP)
        return true;
    if (r == R_ALLOC)
        return bump_alloc(n);
    if (r == R_FREE) {
        bump_free(p, o);
        return true;
    }
    /* bump.h: the most recent block resizes in place when aligned to the new alignment */
    if ((char *)p == S.b_recent && o.size == S.b_recent_size && (uintptr_t)p % n.align == 0) {
        size_t off = (size_t)((char *)p - bump_buf);
        if (n.size > S.bump_cap - off) {
            S.failed = n;
            return false;
        }
        S.b_used = off + n.size;
        S.b_recent_size = n.size;
        S.placed = p;
        return true;
    }
    if (!bump_alloc(n))
        return false;
    void *fresh = S.placed;
    bump_free(p, o);
    S.placed = fresh;
    return true;
}

static bool sim(size_t k, req_kind r, void *p, memapi_layout o, memapi_layout n)
{
    if (k == S.n)
        return leaf(r, p, o, n);
    layer *y = &S.L[k];
    switch (y->kind) {
    case K_LOCKED: {
        S.locks++;
        return sim(k + 1, r, p, o, n);
    }
    case K_TRACKING: {
        if (!sim(k + 1, r, p, o, n))
            return false;
        if (r == R_ALLOC) {
            y->t_live++;
            y->t_total++;
            y->t_bytes += n.size;
        } else if (r == R_FREE) {
            y->t_live--;
            y->t_bytes -= o.size;
            return true;
        } else {
            y->t_bytes = y->t_bytes - o.size + n.size;
        }
        if (y->t_bytes > y->t_peak)
            y->t_peak = y->t_bytes;
        return true;
    }
    case K_FAILING:
        if (r == R_FREE)
            return sim(k + 1, r, p, o, n);
        y->f_calls++;
        if (y->nth != 0 && y->f_calls == y->nth) {
            y->f_failures++;
            S.failed = n;
            return false;
        }
        if (r == R_ALLOC)
            return sim(k + 1, R_ALLOC, NULL, o, n);
        /* failing.h: its resize is the library default through itself: allocate, copy, free */
        if (!sim(k + 1, R_ALLOC, NULL, n, n))
            return false;
        void *fresh = S.placed;
        if (!sim(k + 1, R_FREE, p, o, o))
            failf("model", "a free failed");
        S.placed = fresh;
        return true;
    }
    return false;
}

/* ---- checks ---------------------------------------------------------------------------------- */

static void check_layers(const char *what)
{
    for (size_t k = 0; k < S.n; k++) {
        layer *y = &S.L[k];
        if (y->kind == K_TRACKING) {
            const memapi_tracking *t = &y->trk;
            if (memapi_tracking_live_blocks(t) != y->t_live || memapi_tracking_live_bytes(t) != y->t_bytes ||
                memapi_tracking_peak_bytes(t) != y->t_peak || memapi_tracking_total_allocs(t) != y->t_total)
                failf(what, "tracking layer %zu: live %zu, bytes %zu, peak %zu, total %llu; the model: %zu, %zu, %zu, %llu",
                      k, memapi_tracking_live_blocks(t), memapi_tracking_live_bytes(t), memapi_tracking_peak_bytes(t),
                      (unsigned long long)memapi_tracking_total_allocs(t), y->t_live, y->t_bytes, y->t_peak,
                      (unsigned long long)y->t_total);
        } else if (y->kind == K_FAILING) {
            if (memapi_failing_calls(&y->fail) != y->f_calls || memapi_failing_failures(&y->fail) != y->f_failures)
                failf(what, "failing layer %zu: %llu calls, %llu failures; the model: %llu, %llu", k,
                      (unsigned long long)memapi_failing_calls(&y->fail),
                      (unsigned long long)memapi_failing_failures(&y->fail), (unsigned long long)y->f_calls,
                      (unsigned long long)y->f_failures);
        }
    }
    if (os_faults_calls(OS_MUTEX_LOCK) != S.locks || os_faults_calls(OS_MUTEX_UNLOCK) != S.locks)
        failf(what, "%lu locks and %lu unlocks, the model predicts %lu of each", os_faults_calls(OS_MUTEX_LOCK),
              os_faults_calls(OS_MUTEX_UNLOCK), S.locks);
    if (S.leaf == LEAF_BUMP && memapi_bump_used(&S.bump) != S.b_used)
        failf(what, "bump used %zu, the model predicts %zu", memapi_bump_used(&S.bump), S.b_used);
    if (S.leaf == LEAF_GUARD && memapi_guard_stats(&S.guard).live_blocks != S.g_live)
        failf(what, "guard live blocks %zu, the model predicts %zu", memapi_guard_stats(&S.guard).live_blocks, S.g_live);
    for (size_t i = 0; i < NSLOT; i++)
        if (S.s[i].live)
            require_pattern(what, &S.s[i], S.s[i].l.size);
}

/* Starts an operation: the counters of the OS seam's stand-ins from zero, no lock predicted. */
static void begin(void)
{
    os_faults_arm(OS_CALL_COUNT, 0, 0);
    S.locks = 0;
    S.placed = NULL;
}

static void require_failure(const char *what, const memapi_error *e)
{
    memapi_error want = fuzz_err_zero(MEMAPI_E_ALLOC_FAILED);
    want.layout = S.failed;
    want.cause.kind = MEMAPI_CAUSE_OUT_OF_MEMORY;
    fuzz_require_err(what, e, &want);
}

static void require_block(const char *what, const char *p, memapi_layout l, int self)
{
    if (p == NULL || (uintptr_t)p % l.align != 0)
        failf(what, "block %p not aligned to %zu", (const void *)p, l.align);
    if (S.leaf == LEAF_BUMP && p != S.placed)
        failf(what, "block at %p, the model places it at %p", (const void *)p, S.placed);
    for (int i = 0; i < NSLOT; i++) {
        const slot *t = &S.s[i];
        if (i != self && t->live && p < t->ptr + t->l.size && t->ptr < p + l.size)
            failf(what, "block overlaps slot %d", i);
    }
}

/* ---- operations ------------------------------------------------------------------------------ */

static memapi_layout rd_layout(fuzz_in *in)
{
    size_t size = 1u + (size_t)(fin_le(in, 2) % 2048u);
    return (memapi_layout){size, (size_t)1 << (fin_u8(in) % 7u)};
}

static void op_free(size_t i)
{
    slot *t = &S.s[i];
    begin();
    if (!sim(0, R_FREE, t->ptr, t->l, t->l))
        failf("free", "the model fails a free");
    memapi_error e;
    if (memapi_try_dealloc(S.at[0], t->ptr, t->l, &e) != MEMAPI_OK)
        failf("free", "try_dealloc failed (kind %u)", (unsigned)e.kind);
    t->live = false;
    check_layers("free");
}

static void op_alloc(fuzz_in *in, size_t i, bool zero)
{
    memapi_layout l = rd_layout(in);
    if (S.s[i].live)
        op_free(i);
    const char *what = zero ? "zalloc" : "alloc";
    begin();
    bool ok = sim(0, R_ALLOC, NULL, l, l);
    memapi_error e;
    char *p = zero ? memapi_zalloc(S.at[0], l, &e) : memapi_alloc(S.at[0], l, &e);
    if ((p != NULL) != ok)
        failf(what, "%s, the model says %s", p != NULL ? "succeeded" : "failed", ok ? "success" : "failure");
    if (!ok) {
        require_failure(what, &e);
    } else {
        require_block(what, p, l, (int)i);
        for (size_t k = 0; zero && k < l.size; k++)
            if (p[k] != 0)
                failf(what, "byte %zu of a zalloc block is not zero", k);
        slot *t = &S.s[i];
        *t = (slot){true, p, l, S.next_seed++};
        for (size_t k = 0; k < l.size; k++)
            p[k] = (char)pat(t->seed, k);
    }
    check_layers(what);
}

/* The resize kinds, picked by op / 5: each layer and leaf handles them alike (the model's R_RESIZE);
 * grow and zgrow never shrink, shrink never grows, the zeroing ones zero [old, new). */
enum resize_op { RS_REALLOC, RS_GROW, RS_ZGROW, RS_SHRINK, RS_REZALLOC, RS_COUNT };
static const char *const resize_names[RS_COUNT] = {"realloc", "grow", "zgrow", "shrink", "rezalloc"};

static void op_resize(fuzz_in *in, size_t i, enum resize_op kind)
{
    slot *t = &S.s[i];
    memapi_layout n = rd_layout(in);
    if (!t->live)
        return;
    memapi_layout o = t->l;
    if (n.align < o.align)
        n.align = o.align; /* alloc.h: a smaller alignment is an error, not this harness's subject */
    if ((kind == RS_GROW || kind == RS_ZGROW) && n.size < o.size)
        n.size = o.size; /* alloc.h: grow to a smaller size is an error (fuzz_alloc checks it) */
    if (kind == RS_SHRINK && n.size > o.size)
        n.size = o.size;
    if (n.size == o.size && n.align == o.align) {
        /* the identical layout reaches no layer (and this harness's blocks are never size 0) */
        if (kind == RS_SHRINK && o.size <= 1u)
            kind = RS_REALLOC;
        if (kind == RS_SHRINK)
            n.size = o.size - 1u;
        else
            n.size = o.size < 2048u || kind != RS_REALLOC ? o.size + 1u : o.size - 1u;
    }
    const char *what = resize_names[kind];
    begin();
    bool ok = sim(0, R_RESIZE, t->ptr, o, n);
    memapi_error e;
    char *r = NULL;
    switch (kind) {
    case RS_GROW: r = memapi_grow(S.at[0], t->ptr, o, n, &e); break;
    case RS_ZGROW: r = memapi_zgrow(S.at[0], t->ptr, o, n, &e); break;
    case RS_SHRINK: r = memapi_shrink(S.at[0], t->ptr, o, n, &e); break;
    case RS_REZALLOC: r = memapi_rezalloc(S.at[0], t->ptr, o, n, &e); break;
    default: r = memapi_realloc(S.at[0], t->ptr, o, n, &e); break;
    }
    if ((r != NULL) != ok)
        failf(what, "%s, the model says %s", r != NULL ? "succeeded" : "failed", ok ? "success" : "failure");
    if (!ok) {
        require_failure(what, &e);
        require_pattern(what, t, o.size);
    } else {
        require_block(what, r, n, (int)i);
        t->ptr = r;
        t->l = n;
        require_pattern(what, t, o.size < n.size ? o.size : n.size);
        for (size_t k = o.size; k < n.size; k++) {
            if ((kind == RS_ZGROW || kind == RS_REZALLOC) && r[k] != 0)
                failf(what, "byte %zu of [%zu, %zu) is 0x%02x, not zero", k, o.size, n.size, (unsigned char)r[k]);
            r[k] = (char)pat(t->seed, k);
        }
    }
    check_layers(what);
}

/* The top layer's owns entry on every live block: owned; the locks of the locked layers it passes. */
static void op_owns(void)
{
    const memapi_alloc_vtable *vt = S.at[0].vt;
    if (vt->owns == NULL)
        return;
    unsigned long per_call = 0;
    for (size_t k = 0; k < S.n && S.L[k].kind != K_TRACKING; k++)
        per_call += S.L[k].kind == K_LOCKED ? 1u : 0u;
    for (size_t i = 0; i < NSLOT; i++) {
        if (!S.s[i].live)
            continue;
        begin();
        S.locks = per_call;
        memapi_error e;
        if (vt->owns(S.at[0].self, S.s[i].ptr, S.s[i].l, &e) != MEMAPI_OK)
            failf("owns", "a live block of slot %zu is not owned (kind %u)", i, (unsigned)e.kind);
        check_layers("owns");
    }
}

/* ---- setup ----------------------------------------------------------------------------------- */

static bool setup(fuzz_in *in)
{
    memset(&S, 0, sizeof S);
    S.leaf = fin_u8(in) % LEAF_COUNT;
    S.n = 1u + fin_u8(in) % MAX_LAYERS;
    uint8_t kinds[MAX_LAYERS];
    for (size_t k = 0; k < S.n; k++)
        kinds[k] = fin_u8(in);
    uint8_t cfg = fin_u8(in);
    os_faults_install();
    memapi_error e;
    switch (S.leaf) {
    case LEAF_BUMP: {
        static const size_t caps[4] = {256, 4096, 16384, BUMP_MAX};
        S.bump_cap = caps[cfg % 4u];
        if (memapi_bump_init(&S.bump, bump_buf, S.bump_cap, &e) != MEMAPI_OK)
            fuzz_fail("setup", "memapi_bump_init failed");
        S.at[S.n] = memapi_bump_allocator(&S.bump);
        break;
    }
    case LEAF_GUARD: {
        memapi_guard_options o = memapi_guard_options_default();
        o.pool_slots = 16; /* more than the slots and a resize's second block need */
        o.slot_pages = 1;
        o.quarantine = cfg % 4u;
        o.sample_every = 1;
        o.force_mprotect = (cfg & 4u) != 0;
        if (memapi_guard_init(&S.guard, &o, &e) != MEMAPI_OK)
            fuzz_fail("setup", "memapi_guard_init failed");
        S.at[S.n] = memapi_guard_allocator(&S.guard);
        break;
    }
#if MEMAPI_C_ALLOC
    case LEAF_C_ALLOC: S.at[S.n] = memapi_c_alloc(); break;
#endif
    default: S.at[S.n] = memapi_default(); break;
    }
    for (size_t j = 0; j < S.n; j++) { /* built from the leaf up */
        size_t k = S.n - 1u - j;
        layer *y = &S.L[k];
        unsigned kind = kinds[k] & 3u;
        y->kind = kind == 3u ? K_TRACKING : (enum layer_kind)kind;
        memapi_status st = MEMAPI_OK;
        switch (y->kind) {
        case K_TRACKING:
            st = memapi_tracking_init_table(&y->trk, S.at[k + 1], y->table, NSLOT + 1u, &e);
            S.at[k] = memapi_tracking_allocator(&y->trk);
            break;
        case K_LOCKED:
            st = memapi_locked_init(&y->lock, S.at[k + 1], &e);
            S.at[k] = memapi_locked_allocator(&y->lock);
            break;
        case K_FAILING:
            st = memapi_failing_init(&y->fail, S.at[k + 1], &e);
            y->nth = kinds[k] >> 2;
            memapi_failing_set_nth(&y->fail, y->nth);
            S.at[k] = memapi_failing_allocator(&y->fail);
            break;
        }
        if (st != MEMAPI_OK)
            fuzz_fail("setup", "a wrapper's init failed");
    }
    return true;
}

static void teardown(void)
{
    for (size_t i = 0; i < NSLOT; i++)
        if (S.s[i].live)
            op_free(i);
    for (size_t k = 0; k < S.n; k++) {
        if (S.L[k].kind == K_TRACKING && memapi_tracking_live_blocks(&S.L[k].trk) != 0)
            failf("teardown", "tracking layer %zu still counts live blocks", k);
        if (S.L[k].kind == K_TRACKING)
            memapi_tracking_destroy(&S.L[k].trk);
        if (S.L[k].kind == K_LOCKED)
            memapi_locked_destroy(&S.L[k].lock);
    }
    if (S.leaf == LEAF_GUARD)
        memapi_guard_destroy(&S.guard);
    os_faults_uninstall();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    if (!setup(&in))
        return 0;
    for (int steps = 0; in.n > 0 && steps < MAX_STEPS; steps++) {
        uint8_t op = fin_u8(&in);
        size_t i = fin_u8(&in) % NSLOT;
        switch (op % 5u) {
        case 0: op_alloc(&in, i, false); break;
        case 1: op_alloc(&in, i, true); break;
        case 2:
            if (S.s[i].live)
                op_free(i);
            break;
        case 3: op_resize(&in, i, (enum resize_op)(op / 5u % RS_COUNT)); break;
        default: op_owns(); break;
        }
    }
    teardown();
    return 0;
}
