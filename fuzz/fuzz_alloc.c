/*
 * The allocator-operation harness: an interpreter of operation sequences over a table of live
 * blocks, for every allocator of the library, with a shadow model checked after every step.
 *
 * Input: [allocator][flags][config 1][config 2] ([4 rule bytes] for the failing allocator), then
 * operations until the input ends: [fault byte, fault mode only][op][slot][arguments...]; the slot
 * byte's low bit makes alloc, zalloc, grow, shrink and dealloc call the exported dispatch functions
 * instead of the inline fast paths of alloc.h (both must satisfy the same model).
 *
 * Allocators: default, System, c_alloc, stack (scoped allocation only), locked(default),
 * bump (over a static buffer), failing(default) with fixed rules, tracking(default) with a grown
 * table, tracking(default) with a caller table, guard (few slots; pools of 1 to 64 slots, so that
 * the pool fills).
 * Fault-injection mode (flags bit 0) adds a failing allocator driven per operation by the fault
 * byte: outside the allocator, or, for the wrappers (tracking, locked), between the wrapper and the
 * default allocator, so that the tracking table's growth can fail too.
 *
 * What the model checks, on every operation (each mismatch prints and aborts):
 * - results aligned to the layout; size 0 gives the layout's dangling pointer (address == align);
 * - a new block overlaps no live block (and lies inside the arena for bump); zalloc gives zeros; a
 *   guarded block is filled with fill_byte and ends flush against its trailing page as far as its
 *   alignment allows;
 * - each live block holds its own fill pattern, preserved over min(old, new) by every resize, with
 *   zeros in [old, new) after zgrow and a growing rezalloc;
 * - a failed operation leaves the block live and intact (pattern), and every counter unchanged;
 * - invalid requests fail with the exact error, field by field, in alloc.h's order: layouts
 *   (old, then new), pointer, smaller alignment, grow smaller / shrink larger; for the checked
 *   operations the old layout, then owns, then the rest;
 * - allocator-specific behaviour predicted exactly: the bump arena's block addresses and used
 *   bytes (padding, in-place resize of the most recent block, give-back on its free, out of
 *   memory); tracking's live blocks, live bytes, peak, total allocations and table-full errors;
 *   the guard's statistics (sampling, quarantine, accessible pages, capacity fallbacks), its full-pool,
 *   double-free, foreign-pointer, mismatch and canary errors and where it places a block; the failing allocator's call and failure counters; stack's size cap;
 * - injected failures are ALLOC_FAILED(layout, out of memory) for the request's layout, and
 *   nothing else changes; no leak: every block is freed at the end (LeakSanitizer), tracking's
 *   counts return to 0, and the bump arena rewinds to its mark with the block below it intact.
 * OS-fault mode (flags bit 1; default, System, guard, c_alloc, locked): the platform calls go
 * through the counting stand-ins of fuzz/os_faults.c (the seam of src/internal/os.h); a byte per
 * operation (and one for the guard's and locked's init) makes one of them fail with a POSIX code,
 * and the model predicts the calls made and the exact error (ALLOC_FAILED(layout, os error errno),
 * c_alloc's with the posix-adjusted layout, the guard's full pool for ENOMEM, locked's "lock
 * failed" and "mutex initialisation failed", the wrapper's locks and unlocks).
 * Misuse that the library answers with the fatal hook is performed once: memapi_dealloc(NULL) after
 * the try_dealloc(NULL) negative case, under a hook that longjmps back, with the message checked;
 * every other negative case goes through try_dealloc, owns and the checked operations.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "fuzz_oracle.h"
#include "os_faults.h"

/* AddressSanitizer's interface, when the build has it (libFuzzer, AFL++ and replay builds; not the
 * coverage build): bump.h's promise about poisoned free space is checked then. */
#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_ASAN 1
#endif
#endif
#ifdef FUZZ_ASAN
#include <sanitizer/asan_interface.h>
/* A request the heap cannot serve must fail as it fails without ASan (NULL, errno ENOMEM), so that
 * the OS's own out-of-memory error can be compared with the model; ASan would stop the process. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}
#endif

#define NSLOTS 16
#define GUARD_SLOTS 4
#define MAX_BLOCK 4096u
#define MAX_STEPS 256
#define TABLE_MAX 8
#define BUMP_BYTES 65536u
#define NOT_OWNED FUZZ_NOT_OWNED

enum alloc_id {
    A_DEFAULT,
    A_SYSTEM,
    A_C_ALLOC,
    A_STACK,
    A_LOCKED,
    A_BUMP,
    A_FAILING,
    A_TRACKING,
    A_TRACKING_TABLE,
    A_GUARD,
    A_COUNT
};

static const char *const alloc_names[A_COUNT] = {"default", "system", "c_alloc", "stack", "locked",
                                                 "bump", "failing", "tracking", "tracking_table", "guard"};

typedef enum resize_kind { RK_GROW, RK_ZGROW, RK_SHRINK, RK_REALLOC, RK_REZALLOC, RK_COUNT } resize_kind;

static const char *const resize_names[RK_COUNT] = {"grow", "zgrow", "shrink", "realloc", "rezalloc"};

/* A live block: address, layout, pattern seed; `guarded` for the guard allocator's own blocks. */
typedef struct slot {
    bool live;
    void *ptr;
    memapi_layout l;
    uint8_t seed;
    bool guarded;
} slot;

/* The counters the model predicts. Copied before each operation, committed when it succeeds. */
typedef struct model {
    size_t t_live, t_bytes, t_peak; /* tracking */
    uint64_t t_total;
    size_t b_used;                  /* bump: used bytes, the most recent block and what was used before it */
    char *b_recent;
    size_t b_recent_size, b_recent_prev;
    size_t g_seq, g_live, g_quar, g_guarded, g_sampled, g_capacity, g_oversize; /* guard */
    size_t g_placed, g_fresh, g_armed; /* guard: slots taken (placements), never-used slots taken, slots armed */
} model;

typedef struct state {
    int id;
    bool fault;        /* fault-injection mode */
    bool exported;     /* this step calls the exported dispatch functions, not alloc.h's inline fast paths */
    bool fail_outer;   /* the failing allocator is the outermost layer (counts one call per request) */
    bool os;           /* OS-fault mode: the platform calls go through fuzz/os_faults.c's stand-ins */
    os_call os_call;   /* this step's OS fault: the os_nth call of os_call fails with os_code */
    unsigned os_nth;
    int os_code;
    bool free_step;    /* this step is a dealloc or try_dealloc (its OS fault may be the lock's) */
    memapi_allocator a;
    size_t nslots;
    unsigned max_log2; /* largest alignment: 1 << max_log2 */
    bool has_owns, detects_foreign, detects_mismatch;
    memapi_failing fail;
    bool has_fail;
    uint64_t nth, after; /* the failing allocator's rules, as set */
    size_t max_size;
    uint32_t ppm;
    memapi_locked lock, lock_stack;
    bool has_lock;
    memapi_tracking trk;
    bool has_trk, trk_grows;
    size_t trk_cap;
    memapi_tracking_entry table[TABLE_MAX];
    memapi_bump bump;
    bool has_bump;
    char *bump_base;
    size_t bump_cap, bump_mark;
    void *prefix;
    memapi_layout prefix_l;
    memapi_guard guard;
    bool has_guard;
    memapi_guard_options gopt;
    bool g_at_start; /* the most recent guarded block the model placed sits at the start of its slot */
    bool g_mprotect; /* the guard opens pages with mprotect (no guard regions, or forced) */
    size_t page;
    model m;
    uint8_t next_seed;
    slot s[NSLOTS];
} state;

static state S;
static _Alignas(4096) char bump_buf[BUMP_BYTES + 64];
static _Alignas(4096) char foreign_buf[8192];

/* ---- small helpers --------------------------------------------------------------------------- */

/* FUZZ_ALLOC_TRACE=1 in the environment prints every operation (to read a finding's input). */
static int trace = -1;

static void tracef(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void tracef(const char *fmt, ...)
{
    if (trace < 0) {
        const char *v = getenv("FUZZ_ALLOC_TRACE");
        trace = v != NULL && v[0] == '1';
    }
    if (!trace)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

static void alloc_context(void)
{
    fprintf(stderr, "allocator %s%s\n", alloc_names[S.id], S.fault ? " (fault mode)" : "");
}

FUZZ_DEFINE_FAILF(alloc_context)

static uint8_t pat(uint8_t seed, size_t i)
{
    return (uint8_t)(((unsigned)seed * 7u + (unsigned)(i % 251u) * 13u + (unsigned)(i / 251u)) & 0xFFu);
}

static void fill(void *p, size_t from, size_t to, uint8_t seed)
{
    unsigned char *c = p;
    for (size_t i = from; i < to; i++)
        c[i] = pat(seed, i);
}

static void require_pattern(const char *what, const void *p, size_t from, size_t to, uint8_t seed)
{
    const unsigned char *c = p;
    for (size_t i = from; i < to; i++)
        if (c[i] != pat(seed, i))
            failf(what, "fill pattern damaged at byte %zu (0x%02x, expected 0x%02x)", i, c[i], pat(seed, i));
}

static void require_bytes(const char *what, const void *p, size_t from, size_t to, unsigned char v)
{
    const unsigned char *c = p;
    for (size_t i = from; i < to; i++)
        if (c[i] != v)
            failf(what, "byte %zu is 0x%02x, not the expected 0x%02x", i, c[i], v);
}

static void *dangling(size_t align)
{
    return (void *)(uintptr_t)align;
}

static bool is_dangling(const void *p, memapi_layout l)
{
    return l.size == 0 && p == dangling(l.align);
}

static memapi_layout lay(size_t size, size_t align)
{
    memapi_layout l = {size, align};
    return l;
}

static bool lay_eq(memapi_layout a, memapi_layout b)
{
    return a.size == b.size && a.align == b.align;
}

static void poison(memapi_error *e)
{
    memset(e, FUZZ_POISON, sizeof *e);
}

/* ---- expected errors ------------------------------------------------------------------------- */

/* from_size_align's checks in the spec's order (1.1): zero, power of two, rounded size. */
static bool model_layout_err(memapi_layout l, memapi_error *x)
{
    if (l.align == 0) {
        *x = fuzz_err_layout(MEMAPI_LE_ZERO_ALIGN, 0, 0, 0);
        return true;
    }
    if (!fuzz_pow2(l.align)) {
        *x = fuzz_err_layout(MEMAPI_LE_NON_POW2_ALIGN, 0, l.align, 0);
        return true;
    }
    if ((fuzz_u128)l.size + l.align - 1 > FUZZ_MAX) {
        *x = fuzz_err_layout(MEMAPI_LE_EXCEEDS_MAX, l.size, l.align, 1);
        return true;
    }
    return false;
}

/* What an operation is expected to do, and what the failing allocator should see of it. */
typedef struct expect {
    bool ok;
    memapi_error err;     /* when !ok */
    bool ptr_known;       /* when ok: the exact result */
    void *ptr;
    bool reaches;         /* makes one allocating call through the outer failing allocator */
    memapi_layout req;    /* the layout of that call */
} expect;

static expect x_ok(void)
{
    expect x;
    memset(&x, 0, sizeof x);
    x.ok = true;
    return x;
}

static expect x_fail(memapi_error e)
{
    expect x;
    memset(&x, 0, sizeof x);
    x.err = e;
    return x;
}

/* ---- input decoding -------------------------------------------------------------------------- */

static size_t rd_size(fuzz_in *in)
{
    static const size_t edge[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 255, 256,
                                  257, 511, 512, 1000, 1023, 1024, 1025, 2047, 2048, 4000, 4095, 4096,
                                  4097, 8192, 12289, 65536, 65537, 1u << 20};
    uint8_t b = fin_u8(in);
    switch (b >> 6) {
    case 0: return b & 63u;
    case 1: return 64u + fin_u8(in);
    case 2: return (size_t)(fin_le(in, 2) % (MAX_BLOCK + 1u));
    default: return edge[(b & 63u) % (sizeof edge / sizeof edge[0])];
    }
}

static size_t rd_align(fuzz_in *in)
{
    return (size_t)1 << (fin_u8(in) % (S.max_log2 + 1u));
}

/* A layout no valid constructor makes: align 0, align not a power of two, size too large. */
static memapi_layout rd_forged(fuzz_in *in)
{
    uint8_t b = fin_u8(in);
    memapi_layout l;
    switch (b % 3u) {
    case 0:
        l.align = 0;
        l.size = fin_size(in);
        break;
    case 1:
        l.align = fin_size(in);
        if (l.align == 0 || fuzz_pow2(l.align))
            l.align = (size_t)(b / 3u) * 2u + 3u;
        l.size = rd_size(in);
        break;
    default: {
        size_t a = (size_t)1 << (fin_u8(in) % FUZZ_SIZE_BITS);
        size_t k = fin_u8(in);
        size_t lim = FUZZ_MAX - (a - 1); /* the largest valid size for a */
        l.align = a;
        l.size = k < SIZE_MAX - lim ? lim + 1u + k : SIZE_MAX;
        break;
    }
    }
    return l;
}

/* A layout for a new block: mostly valid (bounded), sometimes forged, for stack also its size cap's edge. */
static memapi_layout rd_layout(fuzz_in *in)
{
    uint8_t b = fin_u8(in);
    if (b % 16u == 15u)
        return rd_forged(in);
    memapi_layout l;
    l.size = rd_size(in);
    l.align = rd_align(in);
#if MEMAPI_STACK_ALLOC
    if (S.id == A_STACK && b % 16u == 14u)
        l.size = MEMAPI_STACK_ALLOC_MAX - (l.align - 1u) + (size_t)(b >> 7);
#endif
    return l;
}

/* The new layout of a resize, mostly derived from the old one so that every relation shows up. */
static memapi_layout rd_new_layout(fuzz_in *in, memapi_layout old)
{
    uint8_t b = fin_u8(in);
    size_t d = fin_u8(in);
    d = d < 128u ? d + 1u : (d - 127u) * 32u;
    size_t max_align = (size_t)1 << S.max_log2;
    bool old_ok = memapi_layout_is_valid(old) && old.size <= MAX_BLOCK;
    memapi_layout n = old_ok ? old : lay(0, 1);
    switch (b % 8u) {
    case 0: break; /* identical */
    case 1: n.size = n.size + d <= MAX_BLOCK ? n.size + d : MAX_BLOCK; break;
    case 2: n.size = n.size > d ? n.size - d : 0; break;
    case 3: n.align = n.align < max_align ? n.align * 2u : n.align; break;
    case 4: n.align = n.align > 1u ? n.align / 2u : 1u; break;
    case 5:
        n.size = rd_size(in);
        n.align = rd_align(in);
        break;
    case 6: return rd_forged(in);
    default:
        n.size = 0;
        n.align = (b & 8u) ? rd_align(in) : n.align;
        break;
    }
    return n;
}

/* ---- the model's allocator events ------------------------------------------------------------ */

static bool is_tracking(void)
{
    return S.id == A_TRACKING || S.id == A_TRACKING_TABLE;
}

static void t_add(model *m, size_t bytes)
{
    m->t_bytes += bytes;
    if (m->t_bytes > m->t_peak)
        m->t_peak = m->t_bytes;
}

/*
 * One allocation of `l` by the allocator under test (not counting the failing wrapper, whose
 * injections the caller handles). Fills the expectation and updates *m as success would.
 */
static expect ev_alloc(model *m, memapi_layout l, bool *guarded)
{
    expect x = x_ok();
    *guarded = false;
    if (S.id == A_STACK)
        return x_fail(fuzz_err_zero(MEMAPI_E_UNSUPPORTED));
    if (l.size == 0) {
        x.ptr_known = true;
        x.ptr = dangling(l.align);
        if (is_tracking())
            m->t_total++;
        return x;
    }
    switch (S.id) {
    case A_BUMP: {
        /* bump.h: the first address at or after the offset that is a multiple of the alignment. */
        uintptr_t at = (uintptr_t)S.bump_base + m->b_used;
        size_t start = m->b_used + (size_t)((l.align - at % l.align) % l.align);
        if (start > S.bump_cap || l.size > S.bump_cap - start)
            return x_fail(fuzz_err_alloc(l, MEMAPI_CAUSE_OUT_OF_MEMORY, NULL));
        x.ptr_known = true;
        x.ptr = S.bump_base + start;
        m->b_recent = S.bump_base + start;
        m->b_recent_size = l.size;
        m->b_recent_prev = m->b_used;
        m->b_used = start + l.size;
        return x;
    }
    case A_TRACKING:
    case A_TRACKING_TABLE:
        if (!S.trk_grows && m->t_live == S.trk_cap)
            return x_fail(fuzz_err_alloc(l, MEMAPI_CAUSE_OTHER, "tracking table full"));
        m->t_live++;
        t_add(m, l.size);
        m->t_total++;
        return x;
    case A_GUARD:
        /* guard.h: one allocation in sample_every is guarded, the first included. */
        if (m->g_seq++ % S.gopt.sample_every != 0) {
            m->g_sampled++;
            return x;
        }
        /* guard.h, capacity: a block larger than a slot, or a pool whose every slot is live */
        size_t need = (l.size + S.page - 1u) / S.page * S.page + (l.align > S.page ? l.align - S.page : 0u);
        bool oversize = need > S.gopt.slot_pages * S.page;
        if (oversize || m->g_live == S.gopt.pool_slots) {
            if (S.gopt.sample_every == 1)
                return x_fail(fuzz_err_alloc(l, MEMAPI_CAUSE_OTHER,
                                      oversize ? "block larger than a guard slot" : "guard pool full"));
            /* guard.h: the fallback takes it, counted by why */
            if (oversize)
                m->g_oversize++;
            else
                m->g_capacity++;
            return x;
        }
        /* no never-used and no free slot: the oldest quarantined block gives its slot up */
        if (m->g_live + m->g_quar == S.gopt.pool_slots && m->g_quar > 0)
            m->g_quar--;
        S.g_at_start = S.gopt.placement == MEMAPI_GUARD_PLACE_START ||
                       (S.gopt.placement == MEMAPI_GUARD_PLACE_ALTERNATE && m->g_placed % 2u == 1u);
        m->g_placed++;
        if (m->g_fresh < S.gopt.pool_slots)
            m->g_fresh++;
        /* guard.h: the first arming covers 1 MiB of slots at least: every slot of these pools (64 at most) */
        m->g_armed = S.gopt.pool_slots;
        *guarded = true;
        m->g_live++;
        m->g_guarded++;
        return x;
    default:
        return x;
    }
}

/* The free of a live block (or of a size-0 dangling one). */
static void ev_free(model *m, void *p, memapi_layout l, bool guarded)
{
    if (l.size == 0)
        return;
    switch (S.id) {
    case A_BUMP:
        /* bump.h: freeing the most recent block gives its space back, padding included. */
        if ((char *)p == m->b_recent && l.size == m->b_recent_size) {
            m->b_used = m->b_recent_prev;
            m->b_recent = NULL;
        }
        break;
    case A_TRACKING:
    case A_TRACKING_TABLE:
        m->t_live--;
        m->t_bytes -= l.size;
        break;
    case A_GUARD:
        if (guarded) {
            m->g_live--;
            if (S.gopt.quarantine > 0 && m->g_quar < S.gopt.quarantine)
                m->g_quar++;
        }
        break;
    default:
        break;
    }
}

/*
 * A resize that passed the dispatch's checks and is not the identical layout: the allocator's
 * own resize or the library default (allocate, copy, free the old block).
 */
static expect ev_resize(model *m, void *p, memapi_layout o, memapi_layout n, bool old_guarded, bool *guarded)
{
    *guarded = false;
    if (S.id == A_STACK)
        return x_fail(fuzz_err_zero(MEMAPI_E_UNSUPPORTED));
    if (is_tracking()) {
        expect x = x_ok();
        if (is_dangling(p, o)) {
            /* tracking.h: a size-0 dangling block is not recorded; the result is, when it is not one. */
            if (n.size > 0) {
                if (!S.trk_grows && m->t_live == S.trk_cap)
                    return x_fail(fuzz_err_alloc(n, MEMAPI_CAUSE_OTHER, "tracking table full"));
                m->t_live++;
            }
        } else if (n.size == 0) {
            m->t_live--;
        }
        m->t_bytes -= o.size;
        t_add(m, n.size);
        if (n.size == 0) {
            x.ptr_known = true;
            x.ptr = dangling(n.align);
        }
        return x;
    }
    if (S.id == A_BUMP && !S.fault && o.size > 0 && n.size > 0 && (char *)p == m->b_recent &&
        o.size == m->b_recent_size && (uintptr_t)p % n.align == 0) {
        /* bump.h: the most recent block grows and shrinks in place. */
        size_t off = (size_t)((char *)p - S.bump_base);
        if (n.size > S.bump_cap - off)
            return x_fail(fuzz_err_alloc(n, MEMAPI_CAUSE_OUT_OF_MEMORY, NULL));
        expect x = x_ok();
        x.ptr_known = true;
        x.ptr = p;
        m->b_used = off + n.size;
        m->b_recent_size = n.size;
        return x;
    }
    expect x = ev_alloc(m, n, guarded);
    if (!x.ok)
        return x;
    ev_free(m, p, o, old_guarded);
    return x;
}

/* ---- checks of the whole state ---------------------------------------------------------------- */

static void require_no_overlap(const char *what, const void *p, size_t size, int self)
{
    if (size == 0)
        return;
    uintptr_t a = (uintptr_t)p;
    for (size_t i = 0; i < S.nslots; i++) {
        const slot *t = &S.s[i];
        if (!t->live || (int)i == self || t->l.size == 0)
            continue;
        uintptr_t b = (uintptr_t)t->ptr;
        if (a < b + t->l.size && b < a + size)
            failf(what, "new block overlaps the live block in slot %zu (size %zu)", i, t->l.size);
    }
    if (S.prefix != NULL) {
        uintptr_t b = (uintptr_t)S.prefix;
        if (a < b + S.prefix_l.size && b < a + size)
            failf(what, "new block overlaps the block below the mark");
    }
    if (S.has_bump && (a < (uintptr_t)S.bump_base || a - (uintptr_t)S.bump_base > S.bump_cap ||
                       size > S.bump_cap - (a - (uintptr_t)S.bump_base)))
        failf(what, "block outside the arena (size %zu, cap %zu)", size, S.bump_cap);
}

/* A block the allocator just returned for `l`: aligned; dangling for size 0; in no live block. */
static void require_fresh(const char *what, const void *p, memapi_layout l, int self)
{
    if (p == NULL)
        failf(what, "success with a NULL block (size %zu, align %zu)", l.size, l.align);
    if ((uintptr_t)p % l.align != 0)
        failf(what, "block not aligned to %zu (address %% align = %zu)", l.align, (size_t)((uintptr_t)p % l.align));
    if (l.size == 0 && p != dangling(l.align))
        failf(what, "size 0 did not give the dangling pointer (align %zu, got 0x%zx)", l.align, (size_t)(uintptr_t)p);
    require_no_overlap(what, p, l.size, self);
}

/* guard.h: at the start of its slot, the block starts a page; at the end, it ends flush against the
 * end of its data pages as far as its alignment allows. */
static void require_guard_placement(const char *what, const void *p, memapi_layout l)
{
    if (l.size == 0)
        return;
    if (S.g_at_start) {
        if ((uintptr_t)p % S.page != 0)
            failf(what, "guarded block placed at the start does not start its page (align %zu)", l.align);
        return;
    }
    if (l.align > S.page)
        return;
    uintptr_t end = (uintptr_t)p + l.size;
    size_t gap = (size_t)((S.page - end % S.page) % S.page);
    if (gap >= l.align)
        failf(what, "guarded block ends %zu bytes before its page end (align %zu)", gap, l.align);
}

static void check_counters(const char *what)
{
    const model *m = &S.m;
    if (S.has_trk) {
        if (memapi_tracking_live_blocks(&S.trk) != m->t_live || memapi_tracking_live_bytes(&S.trk) != m->t_bytes)
            failf(what, "tracking live blocks/bytes differ from the model (blocks %zu, bytes %zu)",
                  memapi_tracking_live_blocks(&S.trk), memapi_tracking_live_bytes(&S.trk));
        if (memapi_tracking_peak_bytes(&S.trk) != m->t_peak || memapi_tracking_total_allocs(&S.trk) != m->t_total)
            failf(what, "tracking peak/total differ from the model (peak %zu, total %zu)",
                  memapi_tracking_peak_bytes(&S.trk), (size_t)memapi_tracking_total_allocs(&S.trk));
    }
    if (S.has_bump) {
        if (!memapi_bump_is_valid(&S.bump))
            failf(what, "the arena breaks its invariant (used %zu)", memapi_bump_used(&S.bump));
        if (memapi_bump_used(&S.bump) != m->b_used)
            failf(what, "bump used %zu, model %zu", memapi_bump_used(&S.bump), m->b_used);
        if (memapi_bump_remaining(&S.bump) != S.bump_cap - m->b_used || memapi_bump_peak(&S.bump) < m->b_used ||
            memapi_bump_peak(&S.bump) > S.bump_cap)
            failf(what, "bump remaining %zu / peak %zu inconsistent", memapi_bump_remaining(&S.bump),
                  memapi_bump_peak(&S.bump));
    }
    if (S.has_guard) {
        memapi_guard_statistics st = memapi_guard_stats(&S.guard);
        if (st.live_blocks != m->g_live || st.quarantined_blocks != m->g_quar)
            failf(what, "guard live/quarantined blocks %zu/%zu differ from the model", st.live_blocks,
                  st.quarantined_blocks);
        if (st.guarded_allocs != m->g_guarded || st.sampled_out_allocs != m->g_sampled)
            failf(what, "guard guarded/sampled-out allocations %zu/%zu differ from the model", st.guarded_allocs,
                  st.sampled_out_allocs);
        if (st.capacity_fallbacks != m->g_capacity || st.oversize_fallbacks != m->g_oversize)
            failf(what, "guard capacity/oversize fallbacks %zu/%zu differ from the model", st.capacity_fallbacks,
                  st.oversize_fallbacks);
        /* guard.h: the pages covering each live block are accessible, nothing else */
        size_t pages = 0;
        for (size_t i = 0; i < S.nslots; i++) {
            const slot *t = &S.s[i];
            if (t->live && t->guarded && t->l.size > 0) {
                uintptr_t first = (uintptr_t)t->ptr / S.page, last = ((uintptr_t)t->ptr + t->l.size - 1u) / S.page;
                pages += (size_t)(last - first) + 1u;
            }
        }
        if (st.accessible_bytes != pages * S.page)
            failf(what, "guard accessible bytes %zu, model %zu pages", st.accessible_bytes, pages);
    }
    /* The heap allocators in OS-fault mode: the seam's stand-ins count the C heap blocks the
     * library holds; one per live block of nonzero size, so every moving resize (realloc's, or
     * allocate, copy, free) and every free gave its old block back. */
    if (S.os && S.id != A_GUARD) {
        long held = 0;
        for (size_t i = 0; i < S.nslots; i++)
            held += S.s[i].live && S.s[i].l.size > 0 ? 1 : 0;
        if (os_faults_live_heap() != held)
            failf(what, "the library holds %ld heap blocks, %ld live blocks", os_faults_live_heap(), held);
    }
#ifdef FUZZ_ASAN
    if (S.has_bump && S.bump_base != NULL) {
        /* bump.h, under ASan: arena space outside the live blocks is poisoned (the free space after
         * the used part, sampled every 509 bytes and at both ends), the live blocks are not. ASan
         * poisons 8-byte granules from their end: a last granule shared with the bytes after the
         * arena (a base offset) stays addressable, so the check stops at the last whole one. */
        char *from = S.bump_base + m->b_used;
        char *end = S.bump_base + S.bump_cap - ((uintptr_t)(S.bump_base + S.bump_cap) % 8u);
        for (char *q = from; q < end; q = end - q > 509 ? q + 509 : end - 1 == q ? end : end - 1)
            if (!__asan_address_is_poisoned(q))
                failf(what, "bump free space at offset %zu is not poisoned (used %zu)", (size_t)(q - S.bump_base),
                      m->b_used);
        for (size_t i = 0; i < S.nslots; i++) {
            const slot *t = &S.s[i];
            if (t->live && t->l.size > 0 && __asan_region_is_poisoned(t->ptr, t->l.size) != NULL)
                failf(what, "live bump block of slot %zu (size %zu) is poisoned", i, t->l.size);
        }
    }
#endif
    /* The ends of every live block after every operation: cheap, and they catch writes past a
     * neighbour; every eighth check (counted over the whole run, so every input gets some) the
     * whole of every live block. */
    static unsigned long checks;
    bool whole = checks++ % 8u == 0u;
    for (size_t i = 0; i < S.nslots; i++) {
        const slot *t = &S.s[i];
        if (t->live && t->l.size > 0) {
            if (whole) {
                require_pattern(what, t->ptr, 0, t->l.size, t->seed);
                continue;
            }
            require_pattern(what, t->ptr, 0, 1, t->seed);
            require_pattern(what, t->ptr, t->l.size - 1u, t->l.size, t->seed);
        }
    }
}

static void verify_all(const char *what)
{
    for (size_t i = 0; i < S.nslots; i++)
        if (S.s[i].live)
            require_pattern(what, S.s[i].ptr, 0, S.s[i].l.size, S.s[i].seed);
    if (S.prefix != NULL)
        require_pattern(what, S.prefix, 0, S.prefix_l.size, 0x5C);
}

/* ---- the failing allocator's view of one operation --------------------------------------------- */

typedef struct fault_snap {
    uint64_t calls, failures;
} fault_snap;

static fault_snap fault_before(void)
{
    fault_snap f = {0, 0};
    if (S.has_fail) {
        f.calls = memapi_failing_calls(&S.fail);
        f.failures = memapi_failing_failures(&S.fail);
    }
    return f;
}

static bool rule_fails(uint64_t k, size_t size, bool size_known)
{
    return (S.nth != 0 && k == S.nth) || k > S.after || (size_known && size > S.max_size);
}

/*
 * Checks the failing allocator's counters against the request and returns whether a failure was
 * injected into this operation. Outermost: exactly one counted call when the request reaches an
 * allocation, none otherwise, and the rules decide it. Inside tracking: the calls it makes (the
 * block, the table) are not predicted, but each failure must be one the rules call for.
 */
static bool fault_after(const char *what, fault_snap f, const expect *x)
{
    if (!S.has_fail)
        return false;
    uint64_t calls = memapi_failing_calls(&S.fail) - f.calls;
    uint64_t failures = memapi_failing_failures(&S.fail) - f.failures;
    uint64_t want = 0;
    if (S.fail_outer) {
        if (calls != (x->reaches ? 1u : 0u))
            failf(what, "failing allocator counted %zu calls, the request makes %u", (size_t)calls,
                  x->reaches ? 1u : 0u);
        want = x->reaches && rule_fails(f.calls + 1u, x->req.size, true) ? 1u : 0u;
        if (S.ppm != 0 && x->reaches && want == 0 && failures == 1) /* the generator's draw is not modelled */
            want = 1;
    } else {
        for (uint64_t k = f.calls + 1u; k <= f.calls + calls; k++)
            want += rule_fails(k, 0, false) ? 1u : 0u;
    }
    if (failures != want)
        failf(what, "failing allocator injected %zu failures, its rules call for %zu", (size_t)failures, (size_t)want);
    return failures != 0;
}

/* Per-operation rules of the fault-injection mode: the fuzzer picks which call of this operation fails. */
static void fault_rules(uint8_t fb)
{
    memapi_failing_clear(&S.fail);
    memapi_failing_reset_counters(&S.fail);
    S.nth = 0;
    S.after = UINT64_MAX;
    switch (fb % 4u) {
    case 1: S.nth = 1; break;
    case 2: S.nth = 2; break;
    case 3: S.after = 0; break;
    default: break;
    }
    memapi_failing_set_nth(&S.fail, S.nth);
    memapi_failing_set_after(&S.fail, S.after);
}

/*
 * The verdict on one operation: `got_ok` and *e against the expectation, with injected failures
 * turning an expected success into ALLOC_FAILED(request, out of memory).
 */
static bool judge(const char *what, fault_snap f, expect *x, bool got_ok, const memapi_error *e, bool err_null)
{
    bool injected = fault_after(what, f, x);
    tracef("  %s: %s%s, model %s (kind %u)\n", what, got_ok ? "ok" : "error", injected ? " (injected)" : "",
           x->ok ? "ok" : "error", x->ok ? 0u : (unsigned)x->err.kind);
    if (injected) {
        if (got_ok)
            failf(what, "succeeded although a failure was injected");
        if (err_null)
            return false;
        memapi_error want = fuzz_err_alloc(x->req, MEMAPI_CAUSE_OUT_OF_MEMORY, NULL);
        /* Inside tracking the failed call may be the growth of its table: an array of entries. */
        if (is_tracking() && !S.fail_outer && e->layout.align == _Alignof(memapi_tracking_entry) &&
            e->layout.size > 0 && e->layout.size % sizeof(memapi_tracking_entry) == 0)
            want.layout = e->layout;
        fuzz_require_err(what, e, &want);
        return false;
    }
    if (x->ok) {
        if (!got_ok) {
            if (!err_null)
                fuzz_print_err("got ", e);
            failf(what, "failed; the model expects success");
        }
        if (!err_null && !fuzz_is_poisoned(e, sizeof *e))
            failf(what, "*err written by a successful call");
        return true;
    }
    if (got_ok)
        failf(what, "succeeded; the model expects error kind %u", (unsigned)x->err.kind);
    if (!err_null)
        fuzz_require_err(what, e, &x->err);
    return false;
}

/* ---- OS faults (the seam of src/internal/os.h, fuzz/os_faults.c) ------------------------------ */

/* A fault byte: the call (low 4 bits; 11 to 15 arm nothing), which of its calls (bit 4: the first
 * or the second), and the failure code (bits 5-7, among those POSIX documents for the call). */
static os_call os_pick(unsigned v)
{
#if defined(__GLIBC__)
    static const os_call locked_calls[] = {OS_MALLOC, OS_CALLOC, OS_REALLOC, OS_MEMALIGN, OS_MUTEX_LOCK};
#else
    static const os_call locked_calls[] = {OS_MALLOC, OS_CALLOC, OS_REALLOC, OS_POSIX_MEMALIGN, OS_MUTEX_LOCK};
#endif
    static const os_call c_alloc_calls[] = {OS_MALLOC, OS_CALLOC, OS_REALLOC, OS_POSIX_MEMALIGN};
    /* locked(default): the default's heap calls and the lock (a failing unlock is left out: it would
     * leave the mutex held, as EPERM's cause would, and every later call fail) */
    if (S.id == A_LOCKED)
        return v < sizeof locked_calls / sizeof locked_calls[0] ? locked_calls[v] : OS_CALL_COUNT;
    if (S.id == A_C_ALLOC)
        return v < sizeof c_alloc_calls / sizeof c_alloc_calls[0] ? c_alloc_calls[v] : OS_CALL_COUNT;
    return v <= OS_STRERROR_R ? (os_call)v : OS_CALL_COUNT;
}

/* The allocator's own decoding of the call bits: default, System and the guard take the calls
 * 0-10 of os_faults.h; c_alloc 0-3 (malloc, calloc, realloc, posix_memalign); locked(default) 0-4
 * (the default's heap calls and pthread_mutex_lock); the rest arms nothing. */
static void os_decode(uint8_t b, os_call *c, unsigned *nth, int *code)
{
    *c = os_pick(b & 15u);
    *nth = 1u + ((b >> 4) & 1u);
    *code = os_faults_code(*c, (unsigned)b >> 5);
}

/* c_alloc.h: the posix-adjusted layout L' = (size, max(align, PTR)) that its errors carry. */
static memapi_layout c_alloc_adjust(memapi_layout l)
{
    return lay(l.size, l.align < MEMAPI_PTR_SIZE ? MEMAPI_PTR_SIZE : l.align);
}

static bool c_alloc_malloc_serves(memapi_layout adj)
{
    return adj.align <= MEMAPI_MIN_ALIGN && adj.size >= adj.align;
}

/* c_alloc.h: none for size 0, malloc (calloc) when malloc serves L', else posix_memalign. */
static os_call c_alloc_call(memapi_layout l, bool zero)
{
    if (l.size == 0)
        return OS_CALL_COUNT;
    if (c_alloc_malloc_serves(c_alloc_adjust(l)))
        return zero ? OS_CALLOC : OS_MALLOC;
    return OS_POSIX_MEMALIGN;
}

/* default.h: the one platform call an allocation makes: none for size 0, malloc (calloc) when
 * malloc's alignment serves the layout, else memalign (posix_memalign off glibc). */
static os_call os_alloc_call(memapi_layout l, bool zero)
{
    if (S.id == A_C_ALLOC)
        return c_alloc_call(l, zero);
    if (l.size == 0)
        return OS_CALL_COUNT;
    if (l.align <= MEMAPI_MIN_ALIGN && l.size >= l.align)
        return zero ? OS_CALLOC : OS_MALLOC;
#if defined(__GLIBC__)
    return OS_MEMALIGN;
#else
    return OS_POSIX_MEMALIGN;
#endif
}

/* default.h: realloc when malloc could serve the new layout and the old block is not size 0, else
 * the library default's allocation (zeroing for zgrow and rezalloc); its free cannot fail.
 * c_alloc.h: shrink keeps a block aligned to the new alignment (both sizes nonzero) and gives the
 * tail back with realloc when under half of it stays and malloc could serve the new layout; every
 * other resize is the library default (c_alloc's allocation, copy, free). */
static os_call os_resize_call(void *p, memapi_layout o, memapi_layout n, resize_kind k, bool zero)
{
    if (S.id == A_C_ALLOC) {
        if (k != RK_SHRINK || n.size == 0 || o.size == 0 || (uintptr_t)p % n.align != 0)
            return c_alloc_call(n, zero);
        return n.size >= o.size - o.size / 2 || !c_alloc_malloc_serves(c_alloc_adjust(n)) ? OS_CALL_COUNT : OS_REALLOC;
    }
    if (o.size != 0 && n.align <= MEMAPI_MIN_ALIGN && n.size >= n.align)
        return OS_REALLOC;
    return os_alloc_call(n, zero);
}

/* Arms this step's fault right before the library call of an operation whose platform calls the
 * model predicts (the default allocator's); every other call only counts. */
static void os_arm(bool predicted)
{
    if (!S.os)
        return;
    if (predicted)
        os_faults_arm(S.os_call, S.os_nth, S.os_code);
    else
        os_faults_arm(OS_CALL_COUNT, 0, 0);
}

/*
 * After the call: exactly the predicted platform call was made (once; none when `want` is
 * OS_CALL_COUNT), and the armed fault fired exactly when it names that call's first occurrence. A
 * fired fault turns the expectation into the OS error for the request's layout (nothing else
 * changes: the caller does not commit the model).
 */
static void os_verdict(const char *what, os_call want, bool locks, void *old, expect *x)
{
    if (!S.os)
        return;
    /* locked.h: the wrapper takes its mutex around the inner call; a failed lock stops there */
    bool lock_fails = locks && S.os_call == OS_MUTEX_LOCK && S.os_nth == 1u;
    if (lock_fails)
        want = OS_CALL_COUNT;
    /* free is not predicted call by call: check_counters holds the live-heap count to the model */
    for (int c = 0; c < OS_FREE; c++) {
        unsigned long n = os_faults_calls((os_call)c), w = c == (int)want ? 1u : 0u;
        if (locks && c == OS_MUTEX_LOCK)
            w = 1u;
        if (locks && c == OS_MUTEX_UNLOCK)
            w = lock_fails ? 0u : 1u;
        if (n != w)
            failf(what, "%lu calls of %s, the model predicts %lu", n, os_faults_name((os_call)c), w);
    }
    bool fire = lock_fails || (want != OS_CALL_COUNT && want == S.os_call && S.os_nth == 1u);
    tracef("  os: %s %s (fault: call %u of %s, code %d)\n", os_faults_name(lock_fails ? OS_MUTEX_LOCK : want),
           fire ? "fails" : "ok", S.os_nth, os_faults_name(S.os_call), S.os_code);
    if (os_faults_fired() != fire)
        failf(what, "the %s fault %s, the model says it %s", os_faults_name(S.os_call),
              os_faults_fired() ? "fired" : "did not fire", fire ? "fires" : "does not");
    if (!fire) {
        os_faults_arm(OS_CALL_COUNT, 0, 0);
        return;
    }
    if (lock_fails) {
        *x = x_fail(fuzz_err_other("lock failed"));
    } else if (S.id != A_C_ALLOC) {
        *x = x_fail(fuzz_err_os(x->req, S.os_code));
    } else if (want == OS_REALLOC) {
        /* c_alloc.h: a shrink cannot fail; a failed realloc leaves the block where it was */
        x->ptr_known = true;
        x->ptr = old;
    } else if (want == OS_POSIX_MEMALIGN) {
        /* c_alloc.h: posix_memalign's status is an OS error whatever MEMAPI_OS_ERR_REPORTING says */
        memapi_error e = fuzz_err_alloc(c_alloc_adjust(x->req), MEMAPI_CAUSE_OS_ERR, NULL);
        e.cause.os_errno = S.os_code;
        *x = x_fail(e);
    } else {
        *x = x_fail(fuzz_err_os(c_alloc_adjust(x->req), S.os_code));
    }
    os_faults_arm(OS_CALL_COUNT, 0, 0);
}

/* guard.h, a guarded request the pool cannot serve: "guard pool full" without sampling, else the
 * fallback's block (a capacity fallback) and the fallback's one heap call. */
static void guard_cannot_hold(model *mf, memapi_layout l, bool zero, expect *x, bool *guarded,
                              unsigned long want[OS_CALL_COUNT])
{
    *guarded = false;
    if (S.gopt.sample_every == 1) {
        *x = x_fail(fuzz_err_alloc(l, MEMAPI_CAUSE_OTHER, "guard pool full"));
        return;
    }
    mf->g_capacity++;
    os_call c = os_alloc_call(l, zero);
    if (c != OS_CALL_COUNT)
        want[c]++;
}

/*
 * A guard allocation in OS-fault mode, from what ev_alloc predicted (*m, *x, *guarded): the platform
 * calls it makes, in order (guard.h): a sampled-out or capacity-fallback block, the fallback's heap
 * call; a guarded block, with guard regions, the arming of the slots the first time (madvise
 * GUARD_INSTALL, then mprotect) and the opening of its pages (madvise GUARD_REMOVE), or with
 * mprotect, the opening (mprotect). Fills want[] with the calls, returns whether the armed fault
 * fires, and turns the prediction into the failure's: a failed arming or opening is
 * ALLOC_FAILED(layout, os error) except ENOMEM (and, for the opening, only with mprotect: the
 * mapping limit), which is a full pool. *mf is the model to keep when the operation fails: the
 * guard counts a sample, a capacity fallback, an arming and a taken slot before the call that fails.
 */
static bool guard_os_alloc(model *m, model *mf, memapi_layout l, bool zero, expect *x, bool *guarded,
                           unsigned long want[OS_CALL_COUNT])
{
    memset(want, 0, OS_CALL_COUNT * sizeof want[0]);
    *mf = S.m;
    if (!x->ok || l.size == 0)
        return false;
    if (!*guarded) {
        os_call c = os_alloc_call(l, zero);
        want[c]++;
        *mf = *m;
        if (c != S.os_call || S.os_nth != 1u)
            return false;
        *x = x_fail(fuzz_err_os(l, S.os_code));
        return true;
    }
    const model *pre = &S.m;
    bool arming = !S.g_mprotect && pre->g_armed == 0;
    os_call seq[3];
    size_t n = 0;
    if (arming) {
        seq[n++] = OS_MADVISE;
        seq[n++] = OS_MPROTECT;
    }
    seq[n++] = S.g_mprotect ? OS_MPROTECT : OS_MADVISE;
    size_t at = n; /* the failing call's index, n for none */
    unsigned seen = 0;
    for (size_t k = 0; k < n; k++) {
        want[seq[k]]++;
        if (seq[k] == S.os_call && ++seen == S.os_nth) {
            at = k;
            break;
        }
    }
    if (at == n)
        return false;
    *mf = *pre;
    mf->g_seq++;
    if (arming && at < 2) {
        /* no slot: none was ever armed, none freed */
        if (S.os_code == ENOMEM)
            guard_cannot_hold(mf, l, zero, x, guarded, want);
        else
            *x = x_fail(fuzz_err_os(l, S.os_code));
    } else {
        /* the slot was taken (an evicted quarantined one, or a never-used one) and goes back free */
        mf->g_armed = S.gopt.pool_slots;
        mf->g_placed++;
        if (mf->g_fresh < S.gopt.pool_slots)
            mf->g_fresh++;
        else if (mf->g_live + mf->g_quar == S.gopt.pool_slots && mf->g_quar > 0)
            mf->g_quar--;
        if (S.os_code == ENOMEM && S.g_mprotect)
            guard_cannot_hold(mf, l, zero, x, guarded, want);
        else
            *x = x_fail(fuzz_err_os(l, S.os_code));
    }
    if (x->ok)
        *m = *mf;
    return true;
}

/* After a guard allocation: the predicted platform calls, and the fault fired as predicted. */
static void guard_os_verdict(const char *what, const unsigned long want[OS_CALL_COUNT], bool fire)
{
    for (int c = 0; c < OS_FREE; c++)
        if (os_faults_calls((os_call)c) != want[c])
            failf(what, "%lu calls of %s, the model predicts %lu", os_faults_calls((os_call)c),
                  os_faults_name((os_call)c), want[c]);
    tracef("  os: guard, fault (call %u of %s, code %d) %s\n", S.os_nth, os_faults_name(S.os_call), S.os_code,
           fire ? "fires" : "does not fire");
    if (os_faults_fired() != fire)
        failf(what, "the %s fault %s, the model says it %s", os_faults_name(S.os_call),
              os_faults_fired() ? "fired" : "did not fire", fire ? "fires" : "does not");
    os_faults_arm(OS_CALL_COUNT, 0, 0);
}

/* ---- owns, as each allocator documents it ------------------------------------------------------- */

/* The slot holding the live block at p, or -1. */
static int find_live(const void *p)
{
    for (size_t i = 0; i < S.nslots; i++)
        if (S.s[i].live && S.s[i].ptr == p && S.s[i].l.size > 0)
            return (int)i;
    return -1;
}

/*
 * owns(p, l) for the pointers the harness asks about: live blocks (exact or mismatched layout),
 * size-0 dangling pointers, NULL, a foreign buffer, an interior (misaligned) pointer of a live
 * block, and a block freed just before (`stale`).
 */
static memapi_error owns_expect(const void *p, memapi_layout l, bool stale, bool *ok)
{
    *ok = false;
    if (!S.has_owns)
        return fuzz_err_zero(MEMAPI_E_UNSUPPORTED);
    if (is_dangling(p, l)) {
        *ok = true;
        return fuzz_err_zero(MEMAPI_E_OTHER);
    }
    int k = find_live(p);
    if (k >= 0 && lay_eq(S.s[k].l, l) && (S.id != A_GUARD || S.s[k].guarded)) {
        *ok = true;
        return fuzz_err_zero(MEMAPI_E_OTHER);
    }
    switch (S.id) {
    case A_GUARD:
        /* guard.h: its own blocks, then interior pointers; unknown ones go to the fallback when sampling */
        if (k >= 0 && S.s[k].guarded)
            return fuzz_err_mismatch(p, l, S.s[k].l);
        if (stale) /* guard.h: a freed block stays known until its slot is reused */
            return fuzz_err_ptr(MEMAPI_E_INVALID_POINTER, p, "block already freed");
        /* With align <= page the block ends within align of its data pages' end, so
         * (ptr, ptr + max(size, align)) lies inside its mapping. */
        for (size_t i = 0; i < S.nslots; i++) {
            const slot *t = &S.s[i];
            size_t reach = t->l.size > t->l.align ? t->l.size : t->l.align;
            if (t->live && t->guarded && t->l.size > 0 && t->l.align <= S.page && (uintptr_t)p > (uintptr_t)t->ptr &&
                (uintptr_t)p < (uintptr_t)t->ptr + reach)
                return fuzz_err_ptr(MEMAPI_E_INVALID_POINTER, p, "interior pointer");
        }
        if (S.gopt.sample_every > 1)
            return fuzz_err_zero(MEMAPI_E_UNSUPPORTED); /* the fallback (default) has no owns */
        return fuzz_err_ptr(MEMAPI_E_INVALID_POINTER, p, NOT_OWNED);
    case A_TRACKING:
    case A_TRACKING_TABLE:
        if (k >= 0)
            return fuzz_err_mismatch(p, l, S.s[k].l);
        return fuzz_err_ptr(MEMAPI_E_INVALID_POINTER, p, NOT_OWNED);
    default: /* bump: [p, p + size) inside the used part and p aligned; the harness only asks outside it */
        return fuzz_err_ptr(MEMAPI_E_INVALID_POINTER, p, NOT_OWNED);
    }
}

/* ---- the operations ------------------------------------------------------------------------------ */

static void *do_resize(resize_kind k, bool checked, void *p, memapi_layout o, memapi_layout n, memapi_error *e)
{
    memapi_allocator a = S.a;
#if MEMAPI_CHECKED_OPS
    if (checked) {
        switch (k) {
        case RK_GROW: return memapi_checked_grow(a, p, o, n, e);
        case RK_ZGROW: return memapi_checked_zgrow(a, p, o, n, e);
        case RK_SHRINK: return memapi_checked_shrink(a, p, o, n, e);
        case RK_REALLOC: return memapi_checked_realloc(a, p, o, n, e);
        default: return memapi_checked_rezalloc(a, p, o, n, e);
        }
    }
#else
    (void)checked;
#endif
    switch (k) {
    case RK_GROW: return S.exported ? (memapi_grow)(a, p, o, n, e) : memapi_grow(a, p, o, n, e);
    case RK_ZGROW: return memapi_zgrow(a, p, o, n, e);
    case RK_SHRINK: return S.exported ? (memapi_shrink)(a, p, o, n, e) : memapi_shrink(a, p, o, n, e);
    case RK_REALLOC: return memapi_realloc(a, p, o, n, e);
    default: return memapi_rezalloc(a, p, o, n, e);
    }
}

/* The checks of alloc.h in order; true when the request passes them (x then untouched). */
static bool model_resize_checks(resize_kind k, bool checked, const void *p, memapi_layout o, memapi_layout n,
                                bool stale, expect *x)
{
    memapi_error e;
    if (model_layout_err(o, &e)) {
        *x = x_fail(e);
        return false;
    }
    if (checked) {
        bool owned;
        e = owns_expect(p, o, stale, &owned);
        if (!owned) {
            *x = x_fail(e);
            return false;
        }
    }
    if (model_layout_err(n, &e)) {
        *x = x_fail(e);
        return false;
    }
    if (p == NULL) {
        *x = x_fail(fuzz_err_ptr(MEMAPI_E_INVALID_POINTER, NULL, "null pointer"));
        return false;
    }
    if ((uintptr_t)p % o.align != 0) {
        *x = x_fail(fuzz_err_ptr(MEMAPI_E_INVALID_POINTER, p, "pointer not aligned to its layout"));
        return false;
    }
    if (n.align < o.align) {
        *x = x_fail(fuzz_err_resize(MEMAPI_E_REALLOC_SMALLER_ALIGN, o.align, n.align));
        return false;
    }
    if ((k == RK_GROW || k == RK_ZGROW) && n.size < o.size) {
        *x = x_fail(fuzz_err_resize(MEMAPI_E_GROW_SMALLER, o.size, n.size));
        return false;
    }
    if (k == RK_SHRINK && n.size > o.size) {
        *x = x_fail(fuzz_err_resize(MEMAPI_E_SHRINK_LARGER, o.size, n.size));
        return false;
    }
    return true;
}

#define WHAT_LEN 64

static const char *what_of(char *buf, const char *op, size_t slot_index)
{
    snprintf(buf, WHAT_LEN, "%s (slot %zu)", op, slot_index);
    return buf;
}

static memapi_status do_try_dealloc(void *p, memapi_layout l, memapi_error *e)
{
    return memapi_try_dealloc(S.a, p, l, e);
}

/* Frees a live slot through dealloc, try_dealloc or checked_dealloc, with the model's checks. */
/* The mutex calls counted since the last arming: `locks` pthread_mutex_lock, `unlocks` unlock. */
static void require_lock_calls(const char *what, unsigned long locks, unsigned long unlocks)
{
    if (os_faults_calls(OS_MUTEX_LOCK) != locks || os_faults_calls(OS_MUTEX_UNLOCK) != unlocks)
        failf(what, "%lu locks and %lu unlocks, the model predicts %lu and %lu", os_faults_calls(OS_MUTEX_LOCK),
              os_faults_calls(OS_MUTEX_UNLOCK), locks, unlocks);
}

/*
 * locked.h, memapi_dealloc on the wrapper when its lock fails: its dealloc entry falls back to the
 * checked path, which locks again (a second failure) and stops the program through the fatal hook
 * with try_dealloc's error, "lock failed". The hook longjmps back; the block was not freed and no
 * lock is held (neither lock was taken).
 */
static void require_locked_dealloc_fatal(const char *what, const slot *t)
{
    static char msg[512];
    int n = snprintf(msg, sizeof msg, "deallocation of block at 0x%zx with layout Layout { size: %zu, align: %zu } failed: %s",
                     (size_t)(uintptr_t)t->ptr, t->l.size, t->l.align, "lock failed");
    if (n < 0 || (size_t)n >= sizeof msg)
        failf(what, "expected fatal message too long for the model");
    os_faults_arm_every(OS_MUTEX_LOCK, S.os_code);
    memapi_fatal_hook prev = memapi_set_fatal_hook(fuzz_fatal_hook);
    fuzz_fatal_msg[0] = '\0';
    if (setjmp(fuzz_fatal_env) == 0) {
        if (S.exported)
            (memapi_dealloc)(S.a, t->ptr, t->l);
        else
            memapi_dealloc(S.a, t->ptr, t->l);
        (void)memapi_set_fatal_hook(prev);
        failf(what, "memapi_dealloc returned although its lock failed");
    }
    (void)memapi_set_fatal_hook(prev);
    require_lock_calls(what, 2, 0);
    os_faults_arm(OS_CALL_COUNT, 0, 0);
    if (strcmp(fuzz_fatal_msg, msg) != 0) {
        fprintf(stderr, "  got  \"%s\"\n  want \"%s\"\n", fuzz_fatal_msg, msg);
        failf(what, "memapi_dealloc's fatal message differs from the model");
    }
    require_pattern(what, t->ptr, 0, t->l.size, t->seed);
    tracef("  dealloc: lock failed, fatal hook, \"%s\"\n", fuzz_fatal_msg);
}

static void free_slot(size_t i, unsigned how, bool err_null)
{
    slot *t = &S.s[i];
    char wb[WHAT_LEN];
    const char *what = what_of(wb, how == 0 ? "dealloc" : how == 1 ? "try_dealloc" : "checked_dealloc", i);
    require_pattern(what, t->ptr, 0, t->l.size, t->seed);
    /* locked(default) in OS-fault mode: the free and try_dealloc lock once and unlock once (alloc.h:
     * memapi_dealloc of the dangling pointer returns before the allocator) */
    bool os_locks = S.os && S.id == A_LOCKED && how < 2u && !(how == 0u && is_dangling(t->ptr, t->l));
    bool lock_fails = os_locks && S.free_step && S.os_call == OS_MUTEX_LOCK && S.os_nth == 1u;
    if (lock_fails && how == 0) {
        require_locked_dealloc_fatal(what, t);
        check_counters(what);
        return;
    }
    if (os_locks)
        os_faults_arm(lock_fails ? OS_MUTEX_LOCK : OS_CALL_COUNT, 1, S.os_code);
    model m = S.m;
    fault_snap f = fault_before();
    expect x = x_ok();
    memapi_error e;
    poison(&e);
    bool ok = true;
    if (how == 0) {
        /* cannot fail: a failure stops the program */
        if (S.exported)
            (memapi_dealloc)(S.a, t->ptr, t->l);
        else
            memapi_dealloc(S.a, t->ptr, t->l);
    } else if (how == 1) {
        if (S.id == A_STACK)
            x = x_fail(fuzz_err_zero(MEMAPI_E_UNSUPPORTED));
        ok = do_try_dealloc(t->ptr, t->l, err_null ? NULL : &e) == MEMAPI_OK;
        if (lock_fails)
            x = x_fail(fuzz_err_other("lock failed"));
    } else {
#if MEMAPI_CHECKED_OPS
        bool owned;
        memapi_error oe = owns_expect(t->ptr, t->l, false, &owned);
        if (!owned)
            x = x_fail(oe);
        ok = memapi_checked_dealloc(S.a, t->ptr, t->l, err_null ? NULL : &e) == MEMAPI_OK;
#endif
    }
    if (os_locks) {
        require_lock_calls(what, 1, lock_fails ? 0u : 1u);
        os_faults_arm(OS_CALL_COUNT, 0, 0);
    }
    if (judge(what, f, &x, ok, &e, err_null)) {
        ev_free(&m, t->ptr, t->l, t->guarded);
        S.m = m;
        t->live = false;
    } else {
        require_pattern(what, t->ptr, 0, t->l.size, t->seed);
    }
    check_counters(what);
}

static void op_alloc(fuzz_in *in, size_t i, bool zero, bool err_null)
{
    memapi_layout l = rd_layout(in);
    if (S.s[i].live)
        free_slot(i, 0, false);
    char wb[WHAT_LEN];
    const char *what = what_of(wb, zero ? "zalloc" : "alloc", i);
    model m = S.m;
    expect x;
    memapi_error le;
    bool guarded = false;
    if (model_layout_err(l, &le)) {
        x = x_fail(le);
    } else {
        x = ev_alloc(&m, l, &guarded);
        x.reaches = S.id != A_STACK;
        x.req = l;
    }
    bool os_model = S.os && S.id != A_GUARD, os_guard = S.os && S.id == A_GUARD;
    bool locks = os_model && S.id == A_LOCKED && !model_layout_err(l, &le);
    os_call want = os_model && x.ok ? os_alloc_call(l, zero) : OS_CALL_COUNT;
    model mf = S.m;
    unsigned long gwant[OS_CALL_COUNT];
    bool gfire = os_guard && guard_os_alloc(&m, &mf, l, zero, &x, &guarded, gwant);
    fault_snap f = fault_before();
    memapi_error e;
    poison(&e);
    memapi_error *ep = err_null ? NULL : &e;
    os_arm(os_model || os_guard);
    void *p = S.exported ? (zero ? (memapi_zalloc)(S.a, l, ep) : (memapi_alloc)(S.a, l, ep))
                         : (zero ? memapi_zalloc(S.a, l, ep) : memapi_alloc(S.a, l, ep));
    if (os_model)
        os_verdict(what, want, locks, NULL, &x);
    if (os_guard)
        guard_os_verdict(what, gwant, gfire);
    if (!judge(what, f, &x, p != NULL, &e, err_null)) {
        if (os_guard)
            S.m = mf;
        if (p != NULL)
            failf(what, "failure with a non-NULL result");
        check_counters(what);
        return;
    }
    require_fresh(what, p, l, (int)i);
    if (x.ptr_known && p != x.ptr)
        failf(what, "block at 0x%zx, the model predicts 0x%zx", (size_t)(uintptr_t)p, (size_t)(uintptr_t)x.ptr);
    if (zero)
        require_bytes(what, p, 0, l.size, 0);
    else if (guarded && S.gopt.fill_byte >= 0)
        require_bytes(what, p, 0, l.size, (unsigned char)S.gopt.fill_byte);
    if (guarded)
        require_guard_placement(what, p, l);
    S.m = m;
    slot *t = &S.s[i];
    t->live = true;
    t->ptr = p;
    t->l = l;
    t->seed = S.next_seed++;
    t->guarded = guarded;
    fill(p, 0, l.size, t->seed);
    check_counters(what);
}

/* A resize of slot i (an empty slot is the size-0 dangling block of the old layout's alignment). */
static void op_resize(fuzz_in *in, size_t i, resize_kind k, bool checked, bool err_null)
{
    slot *t = &S.s[i];
    memapi_layout o;
    void *p;
    if (t->live) {
        o = t->l;
        p = t->ptr;
    } else {
        o = lay(0, rd_align(in));
        p = dangling(o.align);
    }
    memapi_layout n = rd_new_layout(in, o);
    char name[40];
    snprintf(name, sizeof name, "%s%s", checked ? "checked_" : "", resize_names[k]);
    char wb[WHAT_LEN];
    const char *what = what_of(wb, name, i);
    bool zero = k == RK_ZGROW || k == RK_REZALLOC;
    model m = S.m;
    expect x;
    bool guarded = false;
    bool identical = false;
    bool passed = model_resize_checks(k, checked, p, o, n, false, &x);
    if (passed) {
        if (lay_eq(o, n)) {
            identical = true; /* alloc.h: the same pointer, nothing else */
            x = x_ok();
            x.ptr_known = true;
            x.ptr = p;
            guarded = t->guarded;
        } else {
            x = ev_resize(&m, p, o, n, t->guarded, &guarded);
            x.reaches = S.id != A_STACK;
            x.req = n;
        }
    }
    bool os_model = S.os && S.id != A_GUARD;
    bool locks = os_model && S.id == A_LOCKED && passed && !identical;
    os_call want = os_model && x.ok && !identical ? os_resize_call(p, o, n, k, zero) : OS_CALL_COUNT;
    fault_snap f = fault_before();
    memapi_error e;
    poison(&e);
    os_arm(os_model);
    void *r = do_resize(k, checked, p, o, n, err_null ? NULL : &e);
    if (os_model)
        os_verdict(what, want, locks, p, &x);
    if (!judge(what, f, &x, r != NULL, &e, err_null)) {
        if (r != NULL)
            failf(what, "failure with a non-NULL result");
        if (t->live) /* the old block is intact and still ours */
            require_pattern(what, p, 0, o.size, t->seed);
        check_counters(what);
        return;
    }
    if (t->live)
        t->live = false; /* the old block is gone (or came back as r) */
    require_fresh(what, r, n, (int)i);
    if (x.ptr_known && r != x.ptr)
        failf(what, "block at 0x%zx, the model predicts 0x%zx", (size_t)(uintptr_t)r, (size_t)(uintptr_t)x.ptr);
    size_t keep = o.size < n.size ? o.size : n.size;
    uint8_t seed = o.size > 0 ? t->seed : S.next_seed++;
    require_pattern(what, r, 0, keep, seed);
    if (n.size > o.size && !identical) {
        if (zero)
            require_bytes(what, r, o.size, n.size, 0);
        else if (guarded && S.gopt.fill_byte >= 0)
            require_bytes(what, r, o.size, n.size, (unsigned char)S.gopt.fill_byte);
    }
    if (guarded && !identical)
        require_guard_placement(what, r, n);
    S.m = m;
    t->live = true;
    t->ptr = r;
    t->l = n;
    t->seed = seed;
    t->guarded = guarded;
    fill(r, keep, n.size, seed);
    check_counters(what);
}

#if MEMAPI_ALLOC_TEMP
typedef struct temp_ctx {
    memapi_layout l;
    bool zero, guarded;
    unsigned ran;
    void *mem;
    const char *what;
    bool reenter; /* locked(stack): use the wrapper again from inside the callback (it runs unlocked) */
} temp_ctx;

static void temp_cb(void *ctx, void *mem)
{
    temp_ctx *c = ctx;
    c->ran++;
    c->mem = mem;
    require_fresh(c->what, mem, c->l, -1);
    if (c->zero)
        require_bytes(c->what, mem, 0, c->l.size, 0);
    else if (c->guarded && S.gopt.fill_byte >= 0)
        require_bytes(c->what, mem, 0, c->l.size, (unsigned char)S.gopt.fill_byte);
    fill(mem, 0, c->l.size, 0xA7);
    require_pattern(c->what, mem, 0, c->l.size, 0xA7);
    if (c->reenter) {
        /* locked.h: the callback runs with the mutex released: the wrapper may be used again, and
         * its calls reach the stack allocator (scoped allocation only). */
        memapi_allocator w = memapi_locked_allocator(&S.lock_stack);
        temp_ctx inner = {lay(8, 8), false, false, 0, NULL, c->what, false};
        memapi_error e;
        poison(&e);
        if (memapi_alloc_temp(w, lay(8, 8), temp_cb, &inner, &e) != MEMAPI_OK || inner.ran != 1)
            failf(c->what, "nested alloc_temp through the locked wrapper failed (ran %u)", inner.ran);
        memapi_error want = fuzz_err_zero(MEMAPI_E_UNSUPPORTED);
        poison(&e);
        if (memapi_alloc(w, lay(8, 8), &e) != NULL)
            failf(c->what, "alloc through the locked stack wrapper succeeded");
        fuzz_require_err(c->what, &e, &want);
        poison(&e);
        if (memapi_zalloc(w, lay(8, 8), &e) != NULL)
            failf(c->what, "zalloc through the locked stack wrapper succeeded");
        fuzz_require_err(c->what, &e, &want);
    }
}

static void op_temp(fuzz_in *in, bool zero, bool err_null)
{
    memapi_layout l = rd_layout(in);
    uint8_t sel = fin_u8(in);
    bool null_cb = sel % 32u == 31u;
    bool reenter = MEMAPI_STACK_ALLOC && S.id == A_LOCKED && sel % 32u == 30u;
    const char *what = zero ? "zalloc_temp" : "alloc_temp";
    memapi_allocator a = reenter ? memapi_locked_allocator(&S.lock_stack) : S.a;
    model m = S.m;
    expect x;
    memapi_error le;
    bool guarded = false;
    if (model_layout_err(l, &le)) {
        x = x_fail(le);
    } else if (null_cb) {
        x = x_fail(fuzz_err_ptr(MEMAPI_E_INVALID_POINTER, NULL, "null callback"));
    } else if (S.id == A_STACK || reenter) {
        x = x_ok();
#if MEMAPI_STACK_ALLOC
        /* stack.h: size + (align - 1) above the cap fails before the callback */
        if (l.size > 0 && (fuzz_u128)l.size + l.align - 1u > MEMAPI_STACK_ALLOC_MAX)
            x = x_fail(fuzz_err_alloc(l, MEMAPI_CAUSE_OTHER, "request exceeds the stack allocator's size cap"));
#endif
    } else {
        x = ev_alloc(&m, l, &guarded);
        x.reaches = true;
        x.req = l;
        if (x.ok) /* alloc, call, try_dealloc of the same block */
            ev_free(&m, x.ptr_known ? x.ptr : NULL, l, guarded);
    }
    temp_ctx c = {l, zero, guarded, 0, NULL, what, reenter};
    fault_snap f = fault_before();
    memapi_error e;
    poison(&e);
    memapi_status st = zero ? memapi_zalloc_temp(a, l, null_cb ? NULL : temp_cb, &c, err_null ? NULL : &e)
                            : memapi_alloc_temp(a, l, null_cb ? NULL : temp_cb, &c, err_null ? NULL : &e);
    bool ok = judge(what, f, &x, st == MEMAPI_OK, &e, err_null);
    if (c.ran != (ok ? 1u : 0u))
        failf(what, "the callback ran %u times, expected %u", c.ran, ok ? 1u : 0u);
    if (ok) {
        if (x.ptr_known && c.mem != x.ptr)
            failf(what, "block at 0x%zx, the model predicts 0x%zx", (size_t)(uintptr_t)c.mem, (size_t)(uintptr_t)x.ptr);
        S.m = m;
    }
    check_counters(what);
}
#endif

/* A user allocator with alloc and try_dealloc only: every other operation is the library default. */
static void *minimal_alloc(void *self, memapi_layout l, memapi_error *err)
{
    (void)self;
    return memapi_alloc(memapi_default(), l, err);
}

static memapi_status minimal_try_dealloc(void *self, void *ptr, memapi_layout l, memapi_error *err)
{
    (void)self;
    return memapi_try_dealloc(memapi_default(), ptr, l, err);
}

static const memapi_alloc_vtable minimal_vt = {
    .name = "minimal", .caps = MEMAPI_CAP_DEALLOC, .alloc = minimal_alloc, .try_dealloc = minimal_try_dealloc};
static const memapi_alloc_vtable no_alloc_vt = {.name = "no alloc", .caps = 0};

/* An allocator whose try_dealloc refuses while `refuse_frees` is set (with OTHER("refused")). */
static bool refuse_frees;

static memapi_status refusing_try_dealloc(void *self, void *ptr, memapi_layout l, memapi_error *err)
{
    (void)self;
    if (refuse_frees) {
        if (err != NULL) {
            memset(err, 0, sizeof *err);
            err->kind = MEMAPI_E_OTHER;
            err->msg = "refused";
        }
        return MEMAPI_ERROR;
    }
    return memapi_try_dealloc(memapi_default(), ptr, l, err);
}

static const memapi_alloc_vtable refusing_vt = {
    .name = "refusing", .caps = MEMAPI_CAP_DEALLOC, .alloc = minimal_alloc, .try_dealloc = refusing_try_dealloc};

#if MEMAPI_ALLOC_TEMP
static void temp_cb_unused(void *ctx, void *mem)
{
    (void)ctx;
    (void)mem;
    fuzz_fail("alloc_temp", "the callback ran although the request fails");
}
#endif

/* Invalid requests whose answer is a structured error. */
/*
 * alloc.h, memapi_dealloc: a deallocation that fails stops the program through the fatal hook with
 * "deallocation of block at 0xADDR with layout Layout { size: S, align: A } failed: <error text>"
 * (the text of the error try_dealloc gives, `want`). The hook records the message and jumps back;
 * the message is compared whole (fuzz_fatal_msg keeps its first 255 bytes). Nothing is
 * deallocated: the allocator refused the block.
 */
static void require_dealloc_fatal_at(const char *what, void *ptr, memapi_layout l, const memapi_error *want)
{
    static char text[1024], msg[1536];
    (void)memapi_error_format(want, text, sizeof text);
    int n = snprintf(msg, sizeof msg,
                     "deallocation of block at 0x%" PRIxPTR " with layout Layout { size: %zu, align: %zu } failed: %s",
                     (uintptr_t)ptr, l.size, l.align, text);
    if (n < 0 || (size_t)n >= sizeof msg)
        failf(what, "expected fatal message too long for the model");
    memapi_fatal_hook prev = memapi_set_fatal_hook(fuzz_fatal_hook);
    fuzz_fatal_msg[0] = '\0';
    if (setjmp(fuzz_fatal_env) == 0) {
        if (S.exported)
            (memapi_dealloc)(S.a, ptr, l);
        else
            memapi_dealloc(S.a, ptr, l);
        (void)memapi_set_fatal_hook(prev);
        failf(what, "memapi_dealloc(%p) returned", ptr);
    }
    /* error.h: NULL restores the default hook, the one in place before (this harness sets no other) */
    if (memapi_set_fatal_hook(NULL) != fuzz_fatal_hook || memapi_set_fatal_hook(prev) != prev)
        failf(what, "memapi_set_fatal_hook(NULL) did not restore the default hook");
    size_t keep = sizeof fuzz_fatal_msg - 1u;
    if (strncmp(fuzz_fatal_msg, msg, keep) != 0 || strlen(fuzz_fatal_msg) != ((size_t)n < keep ? (size_t)n : keep)) {
        fprintf(stderr, "  got  \"%s\"\n  want \"%s\"\n", fuzz_fatal_msg, msg);
        failf(what, "memapi_dealloc's fatal message differs from the model");
    }
    tracef("  dealloc(%p): fatal hook, \"%s\"\n", ptr, fuzz_fatal_msg);
}

/* Forks left in this input: a fork costs about a millisecond, the fuzzer runs thousands of inputs
 * a second. */
static unsigned forks_left;

static void returning_hook(const char *msg)
{
    fputs("hook returned: ", stderr);
    fputs(msg, stderr);
    fflush(stderr);
}

/*
 * The fatal hook's two other endings, in a forked child whose stderr is a pipe (its death is the
 * point): error.h's default hook writes the message and a newline to stderr and aborts; a hook
 * that returns is followed by abort() (error.h, memapi_fatal). The child runs memapi_dealloc(NULL,
 * l), whose message is alloc.h's (`want` is try_dealloc's error); the parent requires the exact
 * text and death by SIGABRT. SIGABRT is set back to its default action in the child (libFuzzer
 * catches it otherwise).
 */
static void require_fatal_abort(const char *what, memapi_layout l, const memapi_error *want, bool returning)
{
    static char text[1024], msg[1536], got[2048];
    if (forks_left == 0)
        return;
    forks_left--;
    (void)memapi_error_format(want, text, sizeof text);
    int n = snprintf(msg, sizeof msg,
                     "%sdeallocation of block at 0x0 with layout Layout { size: %zu, align: %zu } failed: %s%s",
                     returning ? "hook returned: " : "", l.size, l.align, text, returning ? "" : "\n");
    if (n < 0 || (size_t)n >= sizeof msg)
        failf(what, "expected fatal message too long for the model");
    int fd[2];
    if (pipe(fd) != 0)
        failf(what, "pipe: %s", strerror(errno));
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        failf(what, "fork: %s", strerror(errno));
    if (pid == 0) {
        (void)signal(SIGABRT, SIG_DFL);
        (void)dup2(fd[1], 2);
        (void)close(fd[0]);
        (void)close(fd[1]);
        (void)memapi_set_fatal_hook(returning ? returning_hook : NULL);
        memapi_dealloc(S.a, NULL, l);
        _exit(0); /* memapi_dealloc returned: the parent reports it */
    }
    (void)close(fd[1]);
    size_t len = 0;
    for (;;) {
        ssize_t r = read(fd[0], got + len, sizeof got - 1u - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        len += (size_t)r;
        if (len == sizeof got - 1u)
            break;
    }
    got[len] = '\0';
    (void)close(fd[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            failf(what, "waitpid: %s", strerror(errno));
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
        failf(what, "the child did not die by SIGABRT (status 0x%x) after memapi_dealloc(NULL)", (unsigned)status);
    if (len != (size_t)n || memcmp(got, msg, len) != 0) {
        fprintf(stderr, "  got  \"%s\"\n  want \"%s\"\n", got, msg);
        failf(what, "the %s fatal hook's output differs from the model", returning ? "returning" : "default");
    }
    tracef("  dealloc(NULL) in a child: %s hook, SIGABRT\n", returning ? "returning" : "default");
}

static void require_dealloc_fatal(const char *what, memapi_layout l, const memapi_error *want)
{
    require_dealloc_fatal_at(what, NULL, l, want);
}

static void op_negative(fuzz_in *in, size_t i, bool err_null)
{
    slot *t = &S.s[i];
    uint8_t sub = fin_u8(in);
    uint8_t arg = fin_u8(in);
    resize_kind k = (resize_kind)(arg % RK_COUNT);
    bool checked = (arg & 0x80u) != 0;
#if !MEMAPI_CHECKED_OPS
    checked = false;
#endif
    char wb[WHAT_LEN];
    const char *what = what_of(wb, "negative", i);
    memapi_error e;
    expect x;
    fault_snap f;
    switch (sub % 11u) {
    case 0: { /* try_dealloc(NULL, layout): the layout first, then the pointer */
        memapi_layout l = rd_layout(in);
        memapi_error le;
        x = model_layout_err(l, &le) ? x_fail(le) : x_fail(fuzz_err_ptr(MEMAPI_E_INVALID_POINTER, NULL, "null pointer"));
        f = fault_before();
        poison(&e);
        judge(what, f, &x, do_try_dealloc(NULL, l, err_null ? NULL : &e) == MEMAPI_OK, &e, err_null);
        require_dealloc_fatal(what, l, &x.err);
        if (arg & 0x20u)
            require_fatal_abort(what, l, &x.err, (arg & 0x10u) != 0);
        break;
    }
    case 1:   /* a resize of NULL, or of a misaligned pointer into a live block */
    case 2: { /* a resize of a live block with a forged old layout */
        memapi_layout o = t->live ? t->l : lay(0, rd_align(in));
        void *p = NULL;
        if (sub % 11u == 2) {
            o = rd_forged(in);
            p = t->live ? t->ptr : dangling(8);
        } else if (t->live && t->l.align > 1 && t->l.size > 0 && (arg & 0x40u)) {
            p = (char *)t->ptr + 1u + (arg & 0x3Fu) % (t->l.align - 1u);
        }
        memapi_layout n = rd_new_layout(in, o);
        if (model_resize_checks(k, checked, p, o, n, false, &x)) /* else x holds the expected error */
            failf(what, "a negative resize passed the model's checks");
        f = fault_before();
        poison(&e);
        judge(what, f, &x, do_resize(k, checked, p, o, n, err_null ? NULL : &e) != NULL, &e, err_null);
        if (t->live)
            require_pattern(what, t->ptr, 0, t->l.size, t->seed);
        break;
    }
    case 3: { /* try_dealloc of a live block with a forged layout, or through a misaligned pointer */
        if (!t->live)
            return;
        memapi_layout l = t->l;
        void *p = t->ptr;
        memapi_error le;
        if ((arg & 4u) && t->l.size > t->l.align && (is_tracking() || (S.id == A_GUARD && t->guarded))) {
            /* an aligned pointer inside the block: guard.h "interior pointer", tracking.h not owned */
            p = (char *)t->ptr + t->l.align * (1u + (arg >> 3) % ((t->l.size - 1u) / t->l.align));
            x = x_fail(fuzz_err_ptr(MEMAPI_E_INVALID_POINTER, p, S.id == A_GUARD ? "interior pointer" : NOT_OWNED));
        } else if ((arg & 1u) || t->l.align == 1) {
            l = rd_forged(in);
            (void)model_layout_err(l, &le);
            x = x_fail(le);
        } else {
            p = (char *)t->ptr + 1u + (arg >> 1) % (t->l.align - 1u);
            x = x_fail(fuzz_err_ptr(MEMAPI_E_INVALID_POINTER, p, "pointer not aligned to its layout"));
        }
        f = fault_before();
        poison(&e);
        judge(what, f, &x, do_try_dealloc(p, l, err_null ? NULL : &e) == MEMAPI_OK, &e, err_null);
        require_pattern(what, t->ptr, 0, t->l.size, t->seed);
        break;
    }
    case 4: { /* a pointer the allocator never returned */
        if (!S.detects_foreign && !checked)
            return;
        memapi_layout l = lay(16u << (arg % 4u), 16u << (arg % 4u));
        void *p = foreign_buf + 512u * (arg % 8u);
        bool owned;
        (void)owns_expect(p, l, false, &owned);
        if (checked) {
            if (owned)
                failf(what, "the model says a foreign pointer is owned");
            memapi_layout n = rd_new_layout(in, l);
            if (model_resize_checks(k, true, p, l, n, false, &x))
                failf(what, "a foreign checked resize passed the model's checks");
            f = fault_before();
            poison(&e);
            judge(what, f, &x, do_resize(k, true, p, l, n, err_null ? NULL : &e) != NULL, &e, err_null);
        } else {
            if (S.id == A_GUARD && S.gopt.sample_every > 1)
                return; /* handed to the fallback, which cannot tell */
            x = x_fail(fuzz_err_ptr(MEMAPI_E_INVALID_POINTER, p, NOT_OWNED));
            f = fault_before();
            poison(&e);
            judge(what, f, &x, do_try_dealloc(p, l, err_null ? NULL : &e) == MEMAPI_OK, &e, err_null);
            if (is_tracking() && (arg & 0x40u)) {
                /* tracking.h: a resize of a pointer it does not know fails before the inner allocator */
                memapi_layout n = rd_new_layout(in, l);
                expect y;
                if (model_resize_checks(k, false, p, l, n, false, &y) && !lay_eq(l, n)) {
                    f = fault_before();
                    poison(&e);
                    judge(what, f, &x, do_resize(k, false, p, l, n, err_null ? NULL : &e) != NULL, &e, err_null);
                }
            }
        }
        break;
    }
    case 5: { /* the layout differs from the allocation's */
        if (!S.detects_mismatch || !t->live || t->l.size == 0 || (S.id == A_GUARD && !t->guarded))
            return;
        memapi_layout l = t->l;
        if ((arg & 1u) && l.size < MAX_BLOCK)
            l.size++;
        else if (l.size > 1)
            l.size--;
        else if ((uintptr_t)t->ptr % (l.align * 2u) == 0)
            l.align *= 2u;
        else
            l.size++;
        x = x_fail(fuzz_err_mismatch(t->ptr, l, t->l));
        f = fault_before();
        poison(&e);
        if (checked) {
            memapi_layout n = rd_new_layout(in, l);
            expect y;
            if (model_resize_checks(k, true, t->ptr, l, n, false, &y))
                failf(what, "a mismatched checked resize passed the model's checks");
            judge(what, f, &y, do_resize(k, true, t->ptr, l, n, err_null ? NULL : &e) != NULL, &e, err_null);
        } else if (is_tracking() && (arg & 2u)) {
            /* tracking.h: a resize with the wrong layout fails before the inner allocator */
            memapi_layout n = rd_new_layout(in, l);
            expect y;
            if (model_resize_checks(k, false, t->ptr, l, n, false, &y) && !lay_eq(l, n))
                judge(what, f, &x, do_resize(k, false, t->ptr, l, n, err_null ? NULL : &e) != NULL, &e, err_null);
        } else {
            judge(what, f, &x, do_try_dealloc(t->ptr, l, err_null ? NULL : &e) == MEMAPI_OK, &e, err_null);
        }
        require_pattern(what, t->ptr, 0, t->l.size, t->seed);
        break;
    }
    case 6: { /* free a block, then free it again, or use it in a checked operation */
        if (!t->live || t->l.size == 0)
            return;
        bool bump_recent = S.id == A_BUMP && (char *)t->ptr == S.m.b_recent && t->l.size == S.m.b_recent_size;
        if (S.id == A_GUARD && (!t->guarded || S.gopt.sample_every > 1))
            return;
        if (S.id != A_GUARD && S.id != A_BUMP && !is_tracking())
            return; /* a second free is undefined behaviour there */
        void *p = t->ptr;
        memapi_layout l = t->l;
        free_slot(i, arg % 3u == 2u && S.has_owns ? 2u : 1u, false);
        if (t->live)
            return; /* the free failed (an error was checked) */
        if (checked && S.id != A_BUMP) {
            memapi_layout n = rd_new_layout(in, l);
            if (model_resize_checks(k, true, p, l, n, true, &x))
                failf(what, "a checked resize of a freed block passed the model's checks");
            f = fault_before();
            poison(&e);
            judge(what, f, &x, do_resize(k, true, p, l, n, err_null ? NULL : &e) != NULL, &e, err_null);
            break;
        }
        if (S.id == A_BUMP)
            x = bump_recent ? x_fail(fuzz_err_ptr(MEMAPI_E_INVALID_POINTER, p, NOT_OWNED)) : x_ok(); /* bump.h: no-op */
        else if (S.id == A_GUARD) /* guard.h: until its slot is reused, which no free does */
            x = x_fail(fuzz_err_ptr(MEMAPI_E_INVALID_POINTER, p, "double free"));
        else
            x = x_fail(fuzz_err_ptr(MEMAPI_E_INVALID_POINTER, p, NOT_OWNED));
        f = fault_before();
        poison(&e);
        judge(what, f, &x, do_try_dealloc(p, l, err_null ? NULL : &e) == MEMAPI_OK, &e, err_null);
        break;
    }
    case 7: { /* the dangling pointer with a nonzero size: a no-op free (tracking.h: forwarded as is) */
        memapi_layout l = lay(1u + arg % 64u, rd_align(in));
        void *p = dangling(l.align);
        if (find_live(p) >= 0)
            return;
        x = S.id == A_STACK ? x_fail(fuzz_err_zero(MEMAPI_E_UNSUPPORTED)) : x_ok();
        f = fault_before();
        poison(&e);
        judge(what, f, &x, do_try_dealloc(p, l, err_null ? NULL : &e) == MEMAPI_OK, &e, err_null);
        memapi_dealloc(S.a, p, l); /* alloc.h: does nothing for the dangling pointer */
        break;
    }
    case 9: { /* no vtable, or one without alloc: every operation is UNSUPPORTED after the argument checks */
        memapi_allocator none = {(arg & 1u) ? &no_alloc_vt : NULL, NULL};
        memapi_layout l = rd_layout(in);
        memapi_error le;
        bool bad = model_layout_err(l, &le);
        expect u = x_fail(bad ? le : fuzz_err_zero(MEMAPI_E_UNSUPPORTED));
        f = fault_before();
        poison(&e);
        judge(what, f, &u, memapi_alloc(none, l, err_null ? NULL : &e) != NULL, &e, err_null);
        poison(&e);
        judge(what, f, &u, memapi_zalloc(none, l, err_null ? NULL : &e) != NULL, &e, err_null);
        memapi_layout z = lay(0, bad ? 1 : l.align);
        void *d = dangling(z.align);
        memapi_layout n = rd_new_layout(in, z);
        if (checked) /* the old layout is valid; then the missing owns entry */
            x = x_fail(fuzz_err_zero(MEMAPI_E_UNSUPPORTED));
        else if (model_resize_checks(k, false, d, z, n, false, &x)) /* identical: the same pointer */
            x = lay_eq(z, n) ? x_ok() : x_fail(fuzz_err_zero(MEMAPI_E_UNSUPPORTED));
        memapi_allocator saved = S.a;
        S.a = none;
        poison(&e);
        judge(what, f, &x, do_resize(k, checked, d, z, n, err_null ? NULL : &e) != NULL, &e, err_null);
        if (!bad) {
            x = x_fail(fuzz_err_zero(MEMAPI_E_UNSUPPORTED));
            poison(&e);
            judge(what, f, &x, do_try_dealloc(dangling(l.align), l, err_null ? NULL : &e) == MEMAPI_OK, &e,
                  err_null);
        }
        S.a = saved;
#if MEMAPI_ALLOC_TEMP
        poison(&e);
        judge(what, f, &u, memapi_alloc_temp(none, l, temp_cb_unused, NULL, err_null ? NULL : &e) == MEMAPI_OK, &e,
              err_null);
#endif
        if (!bad && l.size > 0) {
            /* alloc.h: without a zalloc entry, zalloc is alloc and zeroing; freed through try_dealloc */
            memapi_allocator mini = {&minimal_vt, NULL};
            unsigned char *q = memapi_zalloc(mini, l, NULL);
            if (q == NULL || (uintptr_t)q % l.align != 0)
                failf(what, "zalloc through a vtable without zalloc entry failed (size %zu)", l.size);
            require_bytes(what, q, 0, l.size, 0);
            if (memapi_try_dealloc(mini, q, l, NULL) != MEMAPI_OK)
                failf(what, "try_dealloc through the minimal vtable failed (size %zu)", l.size);
        }
        break;
    }
    case 10: { /* size-0 frees of a pointer that is not dangling; c_alloc's unadjustable layouts */
        void *p = foreign_buf + 64u * (arg % 8u);
        memapi_layout l = lay(0, 16u << (arg % 3u));
        /* alloc.h: deallocating a size-0 layout is a no-op (tracking.h: forwarded as is) */
        x = S.id == A_STACK ? x_fail(fuzz_err_zero(MEMAPI_E_UNSUPPORTED)) : x_ok();
        f = fault_before();
        poison(&e);
        judge(what, f, &x, do_try_dealloc(p, l, err_null ? NULL : &e) == MEMAPI_OK, &e, err_null);
#if MEMAPI_C_ALLOC
        if (S.id == A_C_ALLOC) {
            /* c_alloc.h: (size, PTR) cannot be formed for size > MAX - (PTR - 1): a layout error before
             * any C call, in alloc and in try_dealloc (which then frees nothing) */
            memapi_layout big = lay(FUZZ_MAX - (arg % (MEMAPI_PTR_SIZE - 1u)), 1);
            x = x_fail(fuzz_err_layout(MEMAPI_LE_EXCEEDS_MAX, big.size, MEMAPI_PTR_SIZE, 1));
            f = fault_before();
            poison(&e);
            judge(what, f, &x, do_try_dealloc(p, big, err_null ? NULL : &e) == MEMAPI_OK, &e, err_null);
            x.reaches = true;
            x.req = big;
            f = fault_before();
            poison(&e);
            judge(what, f, &x, memapi_alloc(S.a, big, err_null ? NULL : &e) != NULL, &e, err_null);
        }
#endif
        break;
    }
    default: { /* checked operations without owns, or on a size-0 dangling block */
#if MEMAPI_CHECKED_OPS
        memapi_layout l = lay(0, rd_align(in));
        void *p = dangling(l.align);
        bool owned;
        memapi_error oe = owns_expect(p, l, false, &owned);
        x = owned ? x_ok() : x_fail(oe);
        f = fault_before();
        poison(&e);
        bool ok = memapi_checked_dealloc(S.a, p, l, err_null ? NULL : &e) == MEMAPI_OK;
        judge(what, f, &x, ok, &e, err_null);
#endif
        break;
    }
    }
    check_counters(what);
}

/* memapi_tracking_leaks' callback: each block it reports is a live slot with that layout. */
static void leak_cb(void *ctx, void *ptr, memapi_layout layout)
{
    size_t *seen = ctx;
    int k = find_live(ptr);
    if (k < 0 || !lay_eq(S.s[k].l, layout))
        failf("tracking leaks", "reported block (size %zu, align %zu) is not a live block", layout.size,
              layout.align);
    (*seen)++;
}

/*
 * tracking.h with many live blocks at once (24 to 72 besides the slots): the table grows while it
 * holds live entries (their rehash into the larger index), a caller's table fills up, and, with
 * that many entries some bucket chains two or more of them whatever the heap's addresses are, so the lookups and frees below walk past other entries on every run (the
 * coverage gate measures the same figure on every run: the chance that 24 entries in 32 buckets
 * share none is 5e-6, and the corpus holds several bursts). Every block is looked up (layout_of,
 * checked_dealloc with a wrong layout, which owns refuses), every third one moved by a realloc, a wrong-layout and a
 * foreign memapi_dealloc stop the program through the fatal hook with alloc.h's message, then all
 * are freed in the order the argument picks (oldest first: each free of a chained entry walks past
 * the newer ones; newest first; every other one, then the rest), checked against the model.
 */
#define BURST_MAX 72
static void tracking_burst(uint8_t arg, const char *what)
{
    static void *bp[BURST_MAX];
    static memapi_layout bl[BURST_MAX];
    static uint8_t bs[BURST_MAX];
    memapi_error e, want;
    memapi_layout got;
    /* a block the table does not hold (the table may be empty) */
    want = fuzz_err_ptr(MEMAPI_E_INVALID_POINTER, foreign_buf, NOT_OWNED);
    poison(&e);
    if (memapi_tracking_layout_of(&S.trk, foreign_buf, &got, &e) == MEMAPI_OK)
        failf(what, "layout_of a foreign pointer succeeded");
    fuzz_require_err(what, &e, &want);
    require_dealloc_fatal_at(what, foreign_buf, lay(8, 8), &want);
#if MEMAPI_CHECKED_OPS
    /* a size-0 layout with a pointer other than its dangling one is not a block of the table */
    poison(&e);
    if (memapi_checked_dealloc(S.a, foreign_buf, lay(0, 8), &e) == MEMAPI_OK)
        failf(what, "checked_dealloc of a foreign pointer with a size-0 layout succeeded");
    fuzz_require_err(what, &e, &want);
#endif
    size_t n = 0, count = 24u + (size_t)(arg >> 2) % 49u;
    for (size_t k = 0; k < count; k++) {
        memapi_layout l = lay(1u + (k * 37u + arg) % 193u, (size_t)1 << (k % 4u));
        model m = S.m;
        bool guarded;
        expect x = ev_alloc(&m, l, &guarded);
        x.reaches = true;
        x.req = l;
        fault_snap f = fault_before();
        poison(&e);
        bool zero = k % 2u == 1u;
        void *p = zero ? memapi_zalloc(S.a, l, &e) : memapi_alloc(S.a, l, &e);
        if (!judge(what, f, &x, p != NULL, &e, false)) {
            if (p != NULL)
                failf(what, "failure with a non-NULL result");
            check_counters(what);
            continue;
        }
        if ((uintptr_t)p % l.align != 0)
            failf(what, "burst block %zu misaligned", k);
        if (zero)
            require_bytes(what, p, 0, l.size, 0);
        S.m = m;
        bp[n] = p;
        bl[n] = l;
        bs[n] = (uint8_t)(0x80u + n);
        fill(p, 0, l.size, bs[n]);
        n++;
        check_counters(what);
    }
    for (size_t k = 0; k < n; k++) {
        got = lay(0, 1);
        poison(&e);
        if (memapi_tracking_layout_of(&S.trk, bp[k], &got, &e) != MEMAPI_OK || !lay_eq(got, bl[k]))
            failf(what, "layout_of burst block %zu: (%zu, %zu), recorded (%zu, %zu)", k, got.size, got.align,
                  bl[k].size, bl[k].align);
        memapi_layout wrong = lay(bl[k].size + 1u, bl[k].align);
#if MEMAPI_CHECKED_OPS
        /* checked_dealloc asks owns first: a wrong layout is refused and the block stays */
        want = fuzz_err_mismatch(bp[k], wrong, bl[k]);
        poison(&e);
        if (memapi_checked_dealloc(S.a, bp[k], wrong, &e) == MEMAPI_OK)
            failf(what, "checked_dealloc of burst block %zu with a wrong layout succeeded", k);
        fuzz_require_err(what, &e, &want);
#endif
        if (k % 3u == 1u) {
            memapi_layout to = lay(bl[k].size * 3u, bl[k].align);
            model m = S.m;
            bool guarded;
            expect x = ev_resize(&m, bp[k], bl[k], to, false, &guarded);
            x.reaches = true;
            x.req = to;
            fault_snap f = fault_before();
            poison(&e);
            void *r = memapi_realloc(S.a, bp[k], bl[k], to, &e);
            if (!judge(what, f, &x, r != NULL, &e, false)) {
                require_pattern(what, bp[k], 0, bl[k].size, bs[k]);
            } else {
                require_pattern(what, r, 0, bl[k].size, bs[k]);
                fill(r, bl[k].size, to.size, bs[k]);
                S.m = m;
                bp[k] = r;
                bl[k] = to;
            }
            check_counters(what);
        }
    }
    poison(&e);
    want = fuzz_err_ptr(MEMAPI_E_INVALID_POINTER, foreign_buf, NOT_OWNED);
    if (memapi_tracking_layout_of(&S.trk, foreign_buf, &got, &e) == MEMAPI_OK)
        failf(what, "layout_of a foreign pointer succeeded");
    fuzz_require_err(what, &e, &want);
    if (n > 0) {
        memapi_layout wrong = lay(bl[0].size + 1u, bl[0].align);
        want = fuzz_err_mismatch(bp[0], wrong, bl[0]);
        require_dealloc_fatal_at(what, bp[0], wrong, &want);
        wrong = lay(bl[0].size, bl[0].align * 2u); /* the same size, another alignment */
        want = fuzz_err_mismatch(bp[0], wrong, bl[0]);
        require_dealloc_fatal_at(what, bp[0], wrong, &want);
        want = fuzz_err_ptr(MEMAPI_E_INVALID_POINTER, foreign_buf, NOT_OWNED);
        require_dealloc_fatal_at(what, foreign_buf, bl[0], &want);
    }
    for (size_t j = 0; j < n; j++) {
        size_t k;
        switch (arg & 3u) {
        case 0: k = j; break;
        case 1: k = n - 1u - j; break;
        default: k = j < (n + 1u) / 2u ? 2u * j : 2u * (j - (n + 1u) / 2u) + 1u; break;
        }
        require_pattern(what, bp[k], 0, bl[k].size, bs[k]);
        fault_snap f = fault_before();
        expect x = x_ok();
        bool ok = true;
        poison(&e);
        if (j % 3u == 0u)
            memapi_dealloc(S.a, bp[k], bl[k]);
#if MEMAPI_CHECKED_OPS
        else if (j % 3u == 2u)
            ok = memapi_checked_dealloc(S.a, bp[k], bl[k], &e) == MEMAPI_OK;
#endif
        else
            ok = memapi_try_dealloc(S.a, bp[k], bl[k], &e) == MEMAPI_OK;
        if (!judge(what, f, &x, ok, &e, false))
            failf(what, "burst block %zu not freed", k);
        ev_free(&S.m, bp[k], bl[k], false);
        check_counters(what);
    }
}

/* Checks of one allocator's own API. */
static void op_special(fuzz_in *in, size_t i)
{
    slot *t = &S.s[i];
    uint8_t arg = fin_u8(in);
    char wb[WHAT_LEN];
    const char *what = what_of(wb, "special", i);
    memapi_error e;
    poison(&e);
    switch (S.id) {
    case A_BUMP: {
        /* bump.h: a mark beyond the current offset is refused and nothing changes */
        memapi_error want = fuzz_err_other("bump mark beyond the current offset");
        if (memapi_bump_rewind(&S.bump, S.m.b_used + 1u + arg, &e) == MEMAPI_OK)
            failf(what, "rewind beyond the offset succeeded (used %zu, +%u)", S.m.b_used, 1u + arg);
        fuzz_require_err(what, &e, &want);
        /* the direct entries check their layout as the dispatch does */
        memapi_layout l = rd_forged(in);
        (void)model_layout_err(l, &want);
        poison(&e);
        if (memapi_bump_alloc(&S.bump, l, &e) != NULL)
            failf(what, "bump alloc of a forged layout succeeded");
        fuzz_require_err(what, &e, &want);
        poison(&e);
        if (memapi_bump_zalloc(&S.bump, l, &e) != NULL)
            failf(what, "bump zalloc of a forged layout succeeded");
        fuzz_require_err(what, &e, &want);
        void *p = t->live ? t->ptr : foreign_buf;
        poison(&e);
        if (memapi_bump_try_dealloc(&S.bump, p, l, &e) == MEMAPI_OK)
            failf(what, "bump try_dealloc with a forged layout succeeded");
        fuzz_require_err(what, &e, &want);
        poison(&e);
        if (memapi_bump_owns(&S.bump, p, l, &e) == MEMAPI_OK)
            failf(what, "bump owns with a forged layout succeeded");
        fuzz_require_err(what, &e, &want);
        if (t->live) {
            /* bump.h: owns accepts a live block; a pointer outside the used part is not owned */
            if (memapi_bump_owns(&S.bump, t->ptr, t->l, &e) != MEMAPI_OK)
                failf(what, "bump owns refused a live block (size %zu)", t->l.size);
        }
        want = fuzz_err_ptr(MEMAPI_E_INVALID_POINTER, foreign_buf, NOT_OWNED);
        poison(&e);
        if (memapi_bump_owns(&S.bump, foreign_buf, lay(8, 8), &e) == MEMAPI_OK)
            failf(what, "bump owns accepted a foreign pointer");
        fuzz_require_err(what, &e, &want);
        if (!S.fault) {
            /* bump.h: a resize of a block the arena does not hold is refused, nothing changes */
            poison(&e);
            if (memapi_grow(S.a, foreign_buf, lay(8, 8), lay(16u + arg, 8), &e) != NULL)
                failf(what, "bump grew a foreign block");
            fuzz_require_err(what, &e, &want);
            /* the out-of-line entry (the inline fast path's other side) places a block where the
             * model says, and freeing it (the most recent block) gives the space back */
            memapi_layout ol = lay(1u + arg % 64u, (size_t)1 << (arg % 5u));
            model m = S.m;
            bool g;
            expect x = ev_alloc(&m, ol, &g);
            poison(&e);
            void *q = memapi_bump_alloc_outline(&S.bump, ol, &e);
            if (x.ok != (q != NULL) || (x.ok && q != x.ptr))
                failf(what, "bump alloc_outline gave %p, the model %p", q, x.ok ? x.ptr : NULL);
            if (q == NULL) {
                fuzz_require_err(what, &e, &x.err);
            } else {
                S.m = m;
                check_counters(what);
                if (memapi_bump_try_dealloc(&S.bump, q, ol, &e) != MEMAPI_OK)
                    failf(what, "bump try_dealloc of its most recent block failed");
                ev_free(&S.m, q, ol, false);
            }
        }
        /* bump.h: the invariant, field by field: a copy with one field out of bounds is invalid */
        if (memapi_bump_is_valid(NULL))
            failf(what, "memapi_bump_is_valid(NULL) is true");
        for (unsigned k = 0; k < 8u; k++) {
            memapi_bump c = S.bump;
            switch (k) {
            case 0: c.addr ^= 1u; break;
            case 1: c.cap = MEMAPI_USIZE_MAX_NO_HIGH_BIT + 1u; break;
            case 2: c.last = c.off + 1u; break;
            case 3: c.off = c.cap + 1u; c.last = 0; break;
            case 4: c.peak = c.cap + 1u; break;
            case 5: c.base = NULL; c.addr = 0; c.cap = c.cap == 0 ? 1u : c.cap; c.off = c.last = c.peak = 0; break;
            case 6: c.addr = UINTPTR_MAX - 7u; c.base = (char *)c.addr; c.cap = 64; c.off = c.last = c.peak = 0; break;
            default: c.cap = c.off == 0 ? 0 : c.off - 1u; c.peak = c.last = 0; c.off = c.cap + 1u; break;
            }
            if (memapi_bump_is_valid(&c))
                failf(what, "an arena with field %u out of bounds passes memapi_bump_is_valid", k);
        }
        break;
    }
    case A_GUARD: {
        /* guard.h: a damaged canary is CORRUPTION on free, and the block stays allocated */
        if (!t->live || !t->guarded || !S.gopt.canary || t->l.size == 0)
            break;
        unsigned char *c;
        if ((arg & 1u) && (uintptr_t)t->ptr % S.page != 0)
            c = (unsigned char *)t->ptr - 1u;
        else if (((uintptr_t)t->ptr + t->l.size) % S.page != 0)
            c = (unsigned char *)t->ptr + t->l.size;
        else
            break;
        unsigned char saved = *c;
        *c = (unsigned char)(saved ^ (1u + (unsigned)(arg >> 2)));
        expect x = x_fail(fuzz_err_ptr(MEMAPI_E_CORRUPTION, t->ptr, "canary overwritten"));
        fault_snap f = fault_before();
        if (arg & 2u) {
            /* A resize is allocate, copy, free the old block; that free fails, so the new block is
             * freed again and the old one stays (alloc.h, memapi_default_resize). */
            memapi_layout n = lay(t->l.size + 1u, t->l.align);
            model m = S.m;
            bool g;
            expect y = ev_alloc(&m, n, &g);
            if (!y.ok)
                x = y; /* guard.h, capacity: the new block is refused before the old one is freed */
            x.reaches = true;
            x.req = n;
            void *r = memapi_realloc(S.a, t->ptr, t->l, n, &e);
            (void)judge(what, f, &x, r != NULL, &e, false);
            if (y.ok && e.kind == MEMAPI_E_CORRUPTION) {
                ev_free(&m, NULL, n, g);
                S.m = m;
            }
        } else {
            judge(what, f, &x, memapi_try_dealloc(S.a, t->ptr, t->l, &e) == MEMAPI_OK, &e, false);
        }
        *c = saved;
        require_pattern(what, t->ptr, 0, t->l.size, t->seed);
        break;
    }
    case A_FAILING: {
        /* failing.h: init refuses an allocator without a vtable or an alloc entry, *f untouched */
        memapi_failing g;
        memset(&g, 0xA5, sizeof g);
        memapi_allocator bad = {(arg & 1u) ? &no_alloc_vt : NULL, NULL};
        memapi_error want = fuzz_err_zero(MEMAPI_E_UNSUPPORTED);
        poison(&e);
        if (memapi_failing_init(&g, bad, &e) == MEMAPI_OK)
            failf(what, "failing init over an allocator without alloc succeeded");
        fuzz_require_err(what, &e, &want);
        for (size_t k = 0; k < sizeof g; k++)
            if (((const unsigned char *)&g)[k] != 0xA5)
                failf(what, "failing init wrote its state although it failed");
        /* over an allocator with alloc and try_dealloc only (no dealloc entry, no owns) */
        memapi_allocator mini = {&minimal_vt, NULL};
        if (memapi_failing_init(&g, mini, &e) != MEMAPI_OK)
            failf(what, "failing init over alloc + try_dealloc failed");
        memapi_allocator fa = memapi_failing_allocator(&g);
        if (fa.vt->dealloc != NULL || fa.vt->owns != NULL || (fa.vt->caps & MEMAPI_CAP_REALLOC) == 0)
            failf(what, "failing over alloc + try_dealloc: dealloc/owns entries or no REALLOC capability");
        /* the size rule alone: above max_size fails, max_size itself does not */
        size_t max = 1u + (size_t)(arg >> 1) % 64u;
        memapi_failing_set_max_size(&g, max);
        poison(&e);
        void *p = memapi_alloc(fa, lay(max, 1), &e);
        if (p == NULL)
            failf(what, "alloc of max_size %zu failed", max);
        memapi_dealloc(fa, p, lay(max, 1));
        want = fuzz_err_alloc(lay(max + 1u, 1), MEMAPI_CAUSE_OUT_OF_MEMORY, NULL);
        poison(&e);
        if (memapi_alloc(fa, lay(max + 1u, 1), &e) != NULL)
            failf(what, "alloc above max_size %zu succeeded", max);
        fuzz_require_err(what, &e, &want);
        /* a probability above 1000000 acts as 1000000: every call fails */
        memapi_failing_clear(&g);
        memapi_failing_set_probability(&g, 1000001u + arg, arg);
        want = fuzz_err_alloc(lay(8, 8), MEMAPI_CAUSE_OUT_OF_MEMORY, NULL);
        for (unsigned k = 0; k < 3; k++) {
            poison(&e);
            if (memapi_zalloc(fa, lay(8, 8), &e) != NULL)
                failf(what, "zalloc succeeded under probability %u ppm", 1000001u + arg);
            fuzz_require_err(what, &e, &want);
        }
        if (memapi_failing_calls(&g) != 5 || memapi_failing_failures(&g) != 4)
            failf(what, "local failing counted %zu calls, %zu failures (want 5, 4)", (size_t)memapi_failing_calls(&g),
                  (size_t)memapi_failing_failures(&g));
        break;
    }
    case A_TRACKING:
    case A_TRACKING_TABLE: {
        if (arg & 0x80u) {
            tracking_burst(arg, what);
            break;
        }
        /* tracking.h: the leak report lists exactly the live blocks */
        char head[64], text[2048];
        size_t n = memapi_tracking_report(&S.trk, text, sizeof text);
        int hl = snprintf(head, sizeof head, "%zu leaked blocks, %zu bytes\n", S.m.t_live, S.m.t_bytes);
        if (hl < 0 || strncmp(text, head, (size_t)hl) != 0 || n < (size_t)hl)
            failf(what, "tracking report header differs from the model (%zu blocks, %zu bytes)", S.m.t_live,
                  S.m.t_bytes);
        /* tracking.h: snprintf-style: the full length whatever cap is, a NUL-terminated prefix */
        char small[16];
        size_t cap = (size_t)(arg & 15u);
        memset(small, 0x7E, sizeof small);
        if (memapi_tracking_report(&S.trk, NULL, 0) != n || memapi_tracking_report(&S.trk, small, cap) != n)
            failf(what, "tracking report length differs with a small buffer (full %zu)", n);
        if (cap > 0 && (strncmp(small, text, cap - 1u) != 0 || small[cap - 1u] != '\0'))
            failf(what, "tracking report into %zu bytes is not the prefix of the full report", cap);
        if (small[cap < sizeof small ? cap : sizeof small - 1u] != 0x7E && cap < sizeof small)
            failf(what, "tracking report wrote past %zu bytes", cap);
        /* tracking.h: when the inner allocator's try_dealloc refuses a recorded block, its error
         * is returned and the block stays recorded */
        memapi_tracking local;
        memapi_allocator refusing = {&refusing_vt, NULL};
        if (memapi_tracking_init(&local, refusing, &e) != MEMAPI_OK)
            failf(what, "tracking init over an allocator with alloc and try_dealloc failed");
        memapi_allocator la = memapi_tracking_allocator(&local);
        memapi_layout bl = lay(1u + cap * 3u, 8);
        void *q = memapi_alloc(la, bl, &e);
        if (q == NULL)
            failf(what, "local tracking's alloc failed");
        refuse_frees = true;
        memapi_error refused = fuzz_err_other("refused");
        poison(&e);
        if (memapi_try_dealloc(la, q, bl, &e) == MEMAPI_OK)
            failf(what, "try_dealloc succeeded although the inner allocator refused");
        refuse_frees = false;
        fuzz_require_err(what, &e, &refused);
        if (memapi_tracking_live_blocks(&local) != 1 || memapi_tracking_live_bytes(&local) != bl.size)
            failf(what, "a refused free changed the counts (%zu blocks, %zu bytes)", memapi_tracking_live_blocks(&local),
                  memapi_tracking_live_bytes(&local));
        if (memapi_try_dealloc(la, q, bl, &e) != MEMAPI_OK || memapi_tracking_live_blocks(&local) != 0)
            failf(what, "the second try_dealloc did not free the block");
        memapi_tracking_destroy(&local);
        /* tracking.h: init's errors (nothing else changes) */
        memapi_tracking other;
        memapi_error want = fuzz_err_ptr(MEMAPI_E_INVALID_POINTER, NULL, "null table");
        poison(&e);
        if (memapi_tracking_init_table(&other, S.a, NULL, 1u + cap, &e) == MEMAPI_OK)
            failf(what, "init_table with a NULL table of %zu entries succeeded", 1u + cap);
        fuzz_require_err(what, &e, &want);
        memapi_allocator bad[2] = {{NULL, NULL}, {&no_alloc_vt, NULL}};
        want = fuzz_err_zero(MEMAPI_E_UNSUPPORTED);
        for (size_t k = 0; k < 2; k++) {
            poison(&e);
            if (memapi_tracking_init_table(&other, bad[k], S.table, TABLE_MAX, &e) == MEMAPI_OK ||
                memapi_tracking_init(&other, bad[k], NULL) == MEMAPI_OK)
                failf(what, "tracking init over an allocator without alloc succeeded");
            fuzz_require_err(what, &e, &want);
        }
        if (memapi_tracking_leaks(&S.trk, NULL, NULL) != S.m.t_live)
            failf(what, "tracking leaks() counts %zu, model %zu", memapi_tracking_leaks(&S.trk, NULL, NULL),
                  S.m.t_live);
        size_t seen = 0;
        if (memapi_tracking_leaks(&S.trk, leak_cb, &seen) != S.m.t_live || seen != S.m.t_live)
            failf(what, "tracking leaks() called back %zu times, model %zu", seen, S.m.t_live);
        break;
    }
#if MEMAPI_STACK_ALLOC
    case A_STACK: {
        /* stack.h: the direct entry checks the layout, then the callback, then the cap */
        memapi_layout l = rd_layout(in);
        memapi_error le;
        bool null_cb = (arg & 1u) != 0;
        expect x = x_ok();
        if (model_layout_err(l, &le))
            x = x_fail(le);
        else if (null_cb)
            x = x_fail(fuzz_err_ptr(MEMAPI_E_INVALID_POINTER, NULL, "null callback"));
        else if (l.size > 0 && (fuzz_u128)l.size + l.align - 1u > MEMAPI_STACK_ALLOC_MAX)
            x = x_fail(fuzz_err_alloc(l, MEMAPI_CAUSE_OTHER, "request exceeds the stack allocator's size cap"));
        temp_ctx c = {l, false, false, 0, NULL, what, false};
        fault_snap f = fault_before();
        bool ok = judge(what, f, &x, memapi_stack_alloc_temp(l, null_cb ? NULL : temp_cb, &c, &e) == MEMAPI_OK, &e,
                        false);
        if (c.ran != (ok ? 1u : 0u))
            failf(what, "the callback ran %u times", c.ran);
        break;
    }
#endif
    case A_DEFAULT:
    case A_SYSTEM:
    case A_C_ALLOC:
    case A_LOCKED: {
        if (S.fault)
            break;
        /* A request no heap can serve (2 TiB and more, under ASan's 1 TiB cap too): the OS's own
         * out of memory, as the allocator reports it (default.h, c_alloc.h): ALLOC_FAILED with the
         * request's layout (c_alloc: adjusted to at least pointer alignment), cause OS_ERR, errno
         * ENOMEM; nothing changes. */
        size_t align = (size_t)1 << (arg % 17u);
        memapi_layout l = lay(((size_t)1 << 41) + (size_t)arg * 4096u, align);
        memapi_layout adj = S.id == A_C_ALLOC && align < sizeof(void *) ? lay(l.size, sizeof(void *)) : l;
        memapi_error want = fuzz_err_os(adj, ENOMEM);
        for (unsigned zero = 0; zero < 2u; zero++) {
            if (S.os)
                os_faults_arm(OS_CALL_COUNT, 0, 0);
            poison(&e);
            errno = 0;
            void *p = zero ? memapi_zalloc(S.a, l, &e) : memapi_alloc(S.a, l, &e);
            if (p != NULL)
                failf(what, "a %zu-byte request succeeded", l.size);
            fuzz_require_err(what, &e, &want);
        }
        break;
    }
    default:
        (void)in;
        break;
    }
    check_counters(what);
}

/* ---- setup and teardown --------------------------------------------------------------------------- */

static void require_init_err(const char *what, memapi_status st, const memapi_error *e, memapi_error want)
{
    if (st == MEMAPI_OK)
        failf(what, "initialisation with invalid arguments succeeded");
    fuzz_require_err(what, e, &want);
}

/* guard.h, init: one sysconf, the metadata's mmap and mprotect, the pool's mmap, the guard-region
 * probe (madvise) unless force_mprotect, getentropy; nothing unmapped; both mappings live. */
static void guard_init_calls(const char *what)
{
    static const os_call calls[] = {OS_SYSCONF, OS_MMAP, OS_MPROTECT, OS_MUNMAP, OS_MADVISE, OS_GETENTROPY};
    unsigned long want[] = {1, 2, 1, 0, S.gopt.force_mprotect ? 0u : 1u, 1};
    for (size_t k = 0; k < sizeof calls / sizeof calls[0]; k++)
        if (os_faults_calls(calls[k]) != want[k])
            failf(what, "%lu calls of %s, the model predicts %lu", os_faults_calls(calls[k]),
                  os_faults_name(calls[k]), want[k]);
    if (os_faults_live_maps() != 2)
        failf(what, "%ld mappings live after init, the model predicts 2", os_faults_live_maps());
}

/*
 * memapi_guard_init with one platform call failing (the setup's fault byte), against guard.h: a
 * failed mapping or protection is ALLOC_FAILED(the mapping's layout: its length, page-aligned; os
 * error errno) with nothing left mapped; the metadata mapping is its body (the mprotect) plus an
 * inaccessible page each side; the pool's is (slot_pages + 2) pages per slot. A failed guard-region
 * probe means mprotect mode; a failed sysconf, 4096-byte pages; a failed getentropy, nothing
 * visible. The caller then initialises the guard without a fault.
 */
static void guard_init_os(uint8_t b)
{
    const char *what = "guard_init (OS fault)";
    os_call c;
    unsigned nth;
    int code;
    os_decode(b, &c, &nth, &code);
    memapi_error e;
    poison(&e);
    os_faults_arm(c, nth, code);
    memapi_status st = memapi_guard_init(&S.guard, &S.gopt, &e);
    bool fired = os_faults_fired();
    size_t page = S.page;
    size_t pool_bytes = (S.gopt.slot_pages + 2u) * page * S.gopt.pool_slots;
    bool fails = (c == OS_MMAP && nth <= 2u) || (c == OS_MPROTECT && nth == 1u);
    bool fires = fails || (nth == 1u && (c == OS_SYSCONF || c == OS_GETENTROPY ||
                                         (c == OS_MADVISE && !S.gopt.force_mprotect)));
    tracef("guard_init: %s call %u fails with %d: %s\n", os_faults_name(c), nth, code,
           st == MEMAPI_OK ? "ok" : "error");
    if (fired != fires)
        failf(what, "the %s fault %s, the model says it %s", os_faults_name(c), fired ? "fired" : "did not fire",
              fires ? "fires" : "does not");
    if (!fails) {
        if (st != MEMAPI_OK)
            failf(what, "init failed; the model expects success");
        guard_init_calls(what);
        memapi_guard_statistics gs = memapi_guard_stats(&S.guard);
        if (c == OS_MADVISE && fired && !gs.uses_mprotect)
            failf(what, "the guard-region probe failed but the guard does not use mprotect");
        if (S.gopt.force_mprotect && !gs.uses_mprotect)
            failf(what, "force_mprotect set but the guard does not use mprotect");
        if (gs.pool_bytes != (c == OS_SYSCONF && fired ? (S.gopt.slot_pages + 2u) * 4096u * S.gopt.pool_slots
                                                          : pool_bytes))
            failf(what, "pool of %zu bytes, the model predicts %zu pages per slot", gs.pool_bytes,
                  (size_t)S.gopt.slot_pages + 2u);
        os_faults_arm(OS_CALL_COUNT, 0, 0); /* a fault of a later call (munmap) is not this test's */
        memapi_guard_destroy(&S.guard);
        if (os_faults_live_maps() != 0)
            failf(what, "%ld mappings live after destroy", os_faults_live_maps());
        return;
    }
    memapi_layout l;
    unsigned long mm = 1, mp = 0, mu = 0;
    if (c == OS_MMAP && nth == 1u) {
        l = lay(os_faults_last_len(OS_MMAP), page);
        if (l.size % page != 0 || l.size < 3u * page)
            failf(what, "the metadata mapping of %zu bytes is not whole pages with a guard page each side", l.size);
    } else if (c == OS_MPROTECT) {
        l = lay(os_faults_last_len(OS_MPROTECT) + 2u * page, page);
        mp = mu = 1;
    } else {
        l = lay(pool_bytes, page);
        if (os_faults_last_len(OS_MMAP) != pool_bytes)
            failf(what, "pool mapping of %zu bytes, the model predicts %zu", os_faults_last_len(OS_MMAP), pool_bytes);
        mm = 2;
        mp = mu = 1;
    }
    if (st == MEMAPI_OK)
        failf(what, "init succeeded although the %s failed", os_faults_name(c));
    memapi_error want = fuzz_err_os(l, code);
    fuzz_require_err(what, &e, &want);
    if (os_faults_calls(OS_MMAP) != mm || os_faults_calls(OS_MPROTECT) != mp || os_faults_calls(OS_MUNMAP) != mu ||
        os_faults_calls(OS_MADVISE) != 0 || os_faults_calls(OS_GETENTROPY) != 0)
        failf(what, "platform calls mmap %lu, mprotect %lu, munmap %lu, madvise %lu, getentropy %lu; the model "
              "predicts %lu, %lu, %lu, 0, 0", os_faults_calls(OS_MMAP), os_faults_calls(OS_MPROTECT),
              os_faults_calls(OS_MUNMAP), os_faults_calls(OS_MADVISE), os_faults_calls(OS_GETENTROPY), mm, mp, mu);
    if (os_faults_live_maps() != 0)
        failf(what, "%ld mappings left after the failed init", os_faults_live_maps());
}

/*
 * locked.h, memapi_locked_init with one of its pthread calls failing (the byte's low 2 bits:
 * pthread_mutexattr_init, pthread_mutexattr_settype, pthread_mutex_init, none; bits 5-7 the code):
 * "mutex initialisation failed", the calls up to the failing one made and no later one, the
 * wrapper's state untouched.
 */
static void locked_init_os(uint8_t b, memapi_allocator inner)
{
    static const os_call calls[3] = {OS_MUTEXATTR_INIT, OS_MUTEXATTR_SETTYPE, OS_MUTEX_INIT};
    const char *what = "locked_init";
    unsigned which = b & 3u;
    if (which == 3u)
        return;
    os_call c = calls[which];
    int code = os_faults_code(c, (unsigned)b >> 5);
    memapi_locked before;
    memset(&before, 0xA5, sizeof before);
    memapi_locked l = before;
    memapi_error e;
    poison(&e);
    os_faults_arm(c, 1, code);
    memapi_status st = memapi_locked_init(&l, inner, &e);
    tracef("locked_init: %s fails with %d: %s\n", os_faults_name(c), code, st == MEMAPI_OK ? "ok" : "error");
    if (!os_faults_fired())
        failf(what, "the %s fault did not fire", os_faults_name(c));
    require_init_err(what, st, &e, fuzz_err_other("mutex initialisation failed"));
    for (unsigned k = 0; k < 3u; k++) {
        unsigned long want = k <= which ? 1u : 0u;
        if (os_faults_calls(calls[k]) != want)
            failf(what, "%lu calls of %s, the model predicts %lu", os_faults_calls(calls[k]), os_faults_name(calls[k]),
                  want);
    }
    if (memcmp(&l, &before, sizeof l) != 0)
        failf(what, "the failed init changed the wrapper's state");
    os_faults_arm(OS_CALL_COUNT, 0, 0);
}

static bool setup_failing(memapi_allocator inner)
{
    memapi_error e;
    memapi_allocator none = {NULL, NULL};
    memapi_failing spare;
    poison(&e); /* failing.h: an inner allocator without alloc entry */
    require_init_err("failing_init", memapi_failing_init(&spare, none, &e), &e, fuzz_err_zero(MEMAPI_E_UNSUPPORTED));
    if (memapi_failing_init(&S.fail, inner, &e) != MEMAPI_OK)
        fuzz_fail("setup", "memapi_failing_init failed");
    S.has_fail = true;
    S.nth = 0;
    S.after = UINT64_MAX;
    S.max_size = SIZE_MAX;
    S.ppm = 0;
    return true;
}

static bool setup(fuzz_in *in)
{
    uint8_t id = fin_u8(in), flags = fin_u8(in), c1 = fin_u8(in), c2 = fin_u8(in);
    memapi_error e;
    memset(&S, 0, sizeof S);
    forks_left = 2;
    S.id = id % A_COUNT;
    S.os = (flags & 2u) != 0 && (S.id == A_DEFAULT || S.id == A_SYSTEM || S.id == A_GUARD || S.id == A_C_ALLOC ||
                                 S.id == A_LOCKED);
    S.fault = (flags & 1u) != 0 && S.id != A_STACK && !S.os;
    if (S.os)
        os_faults_install();
    S.nslots = NSLOTS;
    /* alignments up to 64 KiB: above the page, where the heap's aligned paths start; the guard up to
     * the page (fuzz_guard.c models its alignments above the page) */
    S.max_log2 = S.id == A_GUARD ? 12u : 16u;
    S.next_seed = (uint8_t)(flags ^ c1);
    long ps = sysconf(_SC_PAGESIZE);
    S.page = ps > 0 ? (size_t)ps : 4096u;
    memapi_allocator leaf = memapi_default();
    switch (S.id) {
    case A_SYSTEM: leaf = memapi_system(); break;
#if MEMAPI_C_ALLOC
    case A_C_ALLOC: leaf = memapi_c_alloc(); break;
#else
    case A_C_ALLOC: return false;
#endif
#if MEMAPI_STACK_ALLOC
    case A_STACK:
        leaf = memapi_stack();
        S.max_log2 = 10;
        break;
#else
    case A_STACK: return false;
#endif
    case A_BUMP: {
        static const size_t caps[8] = {0, 1, 64, 1000, 4096, 16384, BUMP_BYTES, BUMP_BYTES - 7u};
        S.bump_cap = caps[c1 % 8u];
        S.bump_base = S.bump_cap == 0 && (c1 & 8u) ? NULL : bump_buf + (c1 >> 4);
        /* bump.h: a NULL buffer with a nonzero capacity is refused */
        memapi_error want = fuzz_err_ptr(MEMAPI_E_INVALID_POINTER, NULL, "null buffer");
        poison(&e);
        if (memapi_bump_init(&S.bump, NULL, 5, &e) == MEMAPI_OK)
            fuzz_fail("setup", "memapi_bump_init(NULL, 5) succeeded");
        fuzz_require_err("bump_init", &e, &want);
        /* a capacity above MAX; a buffer that would wrap around the address space */
        poison(&e);
        require_init_err("bump_init", memapi_bump_init(&S.bump, bump_buf, FUZZ_HIGH, &e), &e,
                         fuzz_err_layout(MEMAPI_LE_EXCEEDS_MAX, FUZZ_HIGH, 1, 1));
        void *top = (void *)(UINTPTR_MAX - 15u);
        poison(&e);
        require_init_err("bump_init", memapi_bump_init(&S.bump, top, 64, &e), &e,
                         fuzz_err_ptr(MEMAPI_E_INVALID_POINTER, top, "buffer wraps around the address space"));
        if (memapi_bump_init(&S.bump, S.bump_base, S.bump_cap, &e) != MEMAPI_OK)
            fuzz_fail("setup", "memapi_bump_init failed");
        S.has_bump = true;
        leaf = memapi_bump_allocator(&S.bump);
        S.has_owns = S.detects_foreign = true;
        break;
    }
    case A_GUARD: {
        static const size_t quarantine[4] = {0, 1, 16, 100};
        static const size_t sample[4] = {1, 1, 2, 3};
        static const size_t pool[4] = {64, 2, 3, 1}; /* fewer slots than GUARD_SLOTS: the pool fills */
        static const memapi_guard_placement place[4] = {MEMAPI_GUARD_PLACE_END, MEMAPI_GUARD_PLACE_START,
                                                        MEMAPI_GUARD_PLACE_ALTERNATE, MEMAPI_GUARD_PLACE_END};
        S.gopt = memapi_guard_options_default();
        S.gopt.pool_slots = pool[(c2 >> 4) % 4u];
        S.gopt.slot_pages = (c2 & 64u) ? 1u : 2u;
        S.gopt.force_mprotect = (c2 & 128u) != 0;
        S.gopt.quarantine = quarantine[c1 % 4u] < S.gopt.pool_slots ? quarantine[c1 % 4u] : S.gopt.pool_slots;
        S.gopt.placement = place[(c1 >> 2) % 4u];
        S.gopt.canary = (c1 & 16u) == 0;
        S.gopt.sample_every = sample[(c1 >> 5) % 4u];
        S.gopt.fill_byte = (c2 % 4u) == 0 ? 0xAA : (c2 % 4u) == 1 ? -1 : (c2 % 4u) == 2 ? 0 : 0x11;
        S.gopt.free_fill = (c2 & 4u) ? 0x5A : -1;
        /* guard.h: each invalid option, with its message */
        memapi_guard_options bad = S.gopt;
        bad.sample_every = 0;
        poison(&e);
        require_init_err("guard_init", memapi_guard_init(&S.guard, &bad, &e), &e,
                         fuzz_err_other("guard options: sample_every must be at least 1"));
        bad = S.gopt;
        if (c2 & 8u)
            bad.free_fill = 256;
        else
            bad.fill_byte = -2;
        poison(&e);
        require_init_err("guard_init", memapi_guard_init(&S.guard, &bad, &e), &e,
                         fuzz_err_other("guard options: fill_byte and free_fill must be -1 or 0..255"));
        bad = S.gopt;
        if (c2 & 8u)
            bad.pool_slots = 0;
        else
            bad.slot_pages = 65537;
        poison(&e);
        require_init_err("guard_init", memapi_guard_init(&S.guard, &bad, &e), &e,
                         fuzz_err_other("guard options: pool_slots must be 1 .. 4294967295 and slot_pages 1 .. 65536"));
        bad = S.gopt;
        bad.quarantine = bad.pool_slots + 1u;
        poison(&e);
        require_init_err("guard_init", memapi_guard_init(&S.guard, &bad, &e), &e,
                         fuzz_err_other("guard options: quarantine must be at most pool_slots"));
        bad = S.gopt;
        bad.sample_every = 2;
        bad.fallback.vt = NULL;
        poison(&e);
        require_init_err("guard_init", memapi_guard_init(&S.guard, &bad, &e), &e,
                         fuzz_err_other("guard options: the fallback needs alloc and try_dealloc"));
        if (S.os) {
            guard_init_os(fin_u8(in));
            os_faults_arm(OS_CALL_COUNT, 0, 0);
        }
        if (memapi_guard_init(&S.guard, &S.gopt, &e) != MEMAPI_OK)
            fuzz_fail("setup", "memapi_guard_init failed");
        if (S.os)
            guard_init_calls("guard_init");
        /* guard.h: with mprotect every slot is usable from the start; guard regions are armed on use */
        S.g_mprotect = memapi_guard_stats(&S.guard).uses_mprotect;
        S.m.g_armed = S.g_mprotect ? S.gopt.pool_slots : 0u;
        S.has_guard = true;
        leaf = memapi_guard_allocator(&S.guard);
        S.nslots = GUARD_SLOTS;
        S.has_owns = true;
        S.detects_foreign = S.gopt.sample_every == 1;
        S.detects_mismatch = true;
        break;
    }
    default: break;
    }

    switch (S.id) {
    case A_LOCKED:
    case A_TRACKING:
    case A_TRACKING_TABLE: {
        memapi_allocator inner = memapi_default();
        if (S.fault) {
            setup_failing(inner);
            inner = memapi_failing_allocator(&S.fail);
            S.fail_outer = S.id == A_LOCKED; /* locked makes exactly the calls asked of it */
        }
        if (S.id == A_LOCKED) {
            memapi_allocator none = {NULL, NULL};
            poison(&e); /* locked.h: no state, or no alloc entry */
            require_init_err("locked_init", memapi_locked_init(NULL, inner, &e), &e,
                             fuzz_err_ptr(MEMAPI_E_INVALID_POINTER, NULL, "null pointer"));
            poison(&e);
            require_init_err("locked_init", memapi_locked_init(&S.lock, none, &e), &e,
                             fuzz_err_zero(MEMAPI_E_UNSUPPORTED));
            if (S.os)
                locked_init_os(fin_u8(in), inner);
            if (memapi_locked_init(&S.lock, inner, &e) != MEMAPI_OK)
                fuzz_fail("setup", "memapi_locked_init failed");
            S.has_lock = true;
            S.a = memapi_locked_allocator(&S.lock);
#if MEMAPI_STACK_ALLOC
            if (memapi_locked_init(&S.lock_stack, memapi_stack(), &e) != MEMAPI_OK)
                fuzz_fail("setup", "memapi_locked_init(stack) failed");
#endif
        } else {
            poison(&e); /* tracking.h: a NULL table with a capacity; an inner allocator without try_dealloc */
            require_init_err("tracking_init_table", memapi_tracking_init_table(&S.trk, inner, NULL, 3, &e), &e,
                             fuzz_err_ptr(MEMAPI_E_INVALID_POINTER, NULL, "null table"));
#if MEMAPI_STACK_ALLOC
            poison(&e);
            require_init_err("tracking_init", memapi_tracking_init(&S.trk, memapi_stack(), &e), &e,
                             fuzz_err_zero(MEMAPI_E_UNSUPPORTED));
#endif
            memapi_status st;
            if (S.id == A_TRACKING) {
                S.trk_grows = true;
                st = memapi_tracking_init(&S.trk, inner, &e);
            } else {
                S.trk_cap = c1 % (TABLE_MAX + 1u);
                st = memapi_tracking_init_table(&S.trk, inner, S.table, S.trk_cap, &e);
            }
            if (st != MEMAPI_OK)
                fuzz_fail("setup", "memapi_tracking_init failed");
            S.has_trk = true;
            S.a = memapi_tracking_allocator(&S.trk);
            S.has_owns = S.detects_foreign = S.detects_mismatch = true;
        }
        break;
    }
    case A_FAILING:
        setup_failing(leaf);
        S.fail_outer = true;
        S.a = memapi_failing_allocator(&S.fail);
        if (!S.fault) {
            /* fixed rules for the whole input */
            uint8_t r0 = fin_u8(in), r1 = fin_u8(in), r2 = fin_u8(in), r3 = fin_u8(in);
            S.nth = r0 % 32u;
            S.after = r1 < 128u ? UINT64_MAX : (uint64_t)(r1 - 128u);
            S.max_size = r2 == 0 ? SIZE_MAX : (size_t)r2 * 16u;
            S.ppm = (r3 & 0x80u) ? (uint32_t)(r3 & 0x7Fu) * 7000u : 0u;
            memapi_failing_set_nth(&S.fail, S.nth);
            memapi_failing_set_after(&S.fail, S.after);
            memapi_failing_set_max_size(&S.fail, S.max_size);
            if (S.ppm != 0)
                memapi_failing_set_probability(&S.fail, S.ppm, r0);
        }
        break;
    default:
        if (S.fault) {
            setup_failing(leaf);
            S.fail_outer = true;
            S.a = memapi_failing_allocator(&S.fail);
        } else {
            S.a = leaf;
        }
        break;
    }
    /* bump: a block below the mark that must survive the rewind at the end */
    if (S.has_bump) {
        if (c2 & 1u) {
            memapi_layout pl = lay((size_t)(c2 >> 1) % 48u + 1u, 8);
            S.prefix = memapi_bump_alloc(&S.bump, pl, NULL);
            if (S.prefix != NULL) {
                S.prefix_l = pl;
                fill(S.prefix, 0, pl.size, 0x5C);
            }
        }
        S.m.b_used = memapi_bump_used(&S.bump);
        S.bump_mark = memapi_bump_mark(&S.bump);
    }
    tracef("allocator %s%s, config 0x%02x 0x%02x\n", alloc_names[S.id], S.fault ? " (fault mode)" : "", c1, c2);
    return true;
}

static void teardown(void)
{
    verify_all("teardown");
    for (size_t i = 0; i < S.nslots; i++) {
        if (S.s[i].live)
            free_slot(i, (unsigned)(i % 3u == 2u && S.has_owns ? 2u : i % 2u), false);
        if (S.s[i].live) /* checked_dealloc refused it (owns said so, and was checked): free it plainly */
            free_slot(i, 0, false);
    }
    const char *what = "teardown";
    if (S.has_fail) {
        memapi_failing_clear(&S.fail);
        S.nth = 0;
        S.after = UINT64_MAX;
        S.max_size = SIZE_MAX;
        S.ppm = 0;
    }
    if (S.has_trk) {
        char text[64];
        if (memapi_tracking_live_blocks(&S.trk) != 0 || memapi_tracking_live_bytes(&S.trk) != 0 ||
            memapi_tracking_leaks(&S.trk, NULL, NULL) != 0)
            failf(what, "tracking still counts %zu blocks, %zu bytes", memapi_tracking_live_blocks(&S.trk),
                  memapi_tracking_live_bytes(&S.trk));
        (void)memapi_tracking_report(&S.trk, text, sizeof text);
        if (strcmp(text, "0 leaked blocks, 0 bytes\n") != 0)
            failf(what, "tracking report not empty: %s", text);
        memapi_tracking_destroy(&S.trk);
    }
    if (S.has_bump) {
        memapi_error e;
        if (memapi_bump_used(&S.bump) < S.bump_mark)
            failf(what, "bump used %zu below the mark %zu", memapi_bump_used(&S.bump), S.bump_mark);
        if (memapi_bump_rewind(&S.bump, S.bump_mark, &e) != MEMAPI_OK)
            failf(what, "rewind to the mark %zu failed", S.bump_mark);
        if (memapi_bump_used(&S.bump) != S.bump_mark)
            failf(what, "bump used %zu after the rewind to %zu", memapi_bump_used(&S.bump), S.bump_mark);
        if (S.prefix != NULL)
            require_pattern(what, S.prefix, 0, S.prefix_l.size, 0x5C);
        memapi_bump_reset(&S.bump);
        if (memapi_bump_used(&S.bump) != 0)
            failf(what, "bump used %zu after reset", memapi_bump_used(&S.bump));
        memapi_bump_release(&S.bump);
    }
    if (S.has_guard) {
        memapi_guard_statistics st = memapi_guard_stats(&S.guard);
        if (st.live_blocks != 0)
            failf(what, "guard still has %zu live blocks", st.live_blocks);
        memapi_guard_destroy(&S.guard);
        if (S.os && os_faults_live_maps() != 0)
            failf(what, "%ld mappings live after memapi_guard_destroy", os_faults_live_maps());
    }
    if (S.os) {
        if (os_faults_live_heap() != 0)
            failf(what, "%ld heap blocks still held after every block was freed", os_faults_live_heap());
        os_faults_uninstall();
    }
    if (S.has_lock) {
        memapi_locked_destroy(&S.lock);
#if MEMAPI_STACK_ALLOC
        memapi_locked_destroy(&S.lock_stack);
#endif
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    if (!setup(&in))
        return 0;
    for (int steps = 0; in.n > 0 && steps < MAX_STEPS; steps++) {
        if (S.fault)
            fault_rules(fin_u8(&in));
        if (S.os) {
            os_decode(fin_u8(&in), &S.os_call, &S.os_nth, &S.os_code);
            os_arm(false);
        }
        uint8_t ob = fin_u8(&in);
        uint8_t sb = fin_u8(&in);
        size_t i = (size_t)(sb >> 1) % S.nslots;
        S.exported = (sb & 1u) != 0;
        bool err_null = (ob >> 4) == 15u;
        switch (ob % 16u) {
        case 0: op_alloc(&in, i, false, err_null); break;
        case 1: op_alloc(&in, i, true, err_null); break;
        case 2:
        case 3:
            S.free_step = true;
            if (S.s[i].live)
                free_slot(i, ob % 16u == 2u ? 0u : 1u, err_null);
            S.free_step = false;
            break;
        case 4: op_resize(&in, i, RK_GROW, false, err_null); break;
        case 5: op_resize(&in, i, RK_ZGROW, false, err_null); break;
        case 6: op_resize(&in, i, RK_SHRINK, false, err_null); break;
        case 7: op_resize(&in, i, RK_REALLOC, false, err_null); break;
        case 8: op_resize(&in, i, RK_REZALLOC, false, err_null); break;
#if MEMAPI_ALLOC_TEMP
        case 9: op_temp(&in, false, err_null); break;
        case 10: op_temp(&in, true, err_null); break;
#endif
#if MEMAPI_CHECKED_OPS
        case 11:
            if (S.s[i].live)
                free_slot(i, 2, err_null);
            break;
        case 12: op_resize(&in, i, (resize_kind)(fin_u8(&in) % RK_COUNT), true, err_null); break;
#endif
        case 13: op_negative(&in, i, err_null); break;
        case 14: verify_all("verify"); break;
        default: op_special(&in, i); break;
        }
    }
    teardown();
    return 0;
}
