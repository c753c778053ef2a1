/*
 * The guard allocator (include/memapi2/guard.h): a pool of slots, each with its own guard page on
 * both sides, one record per slot in a separate guarded mapping, a FIFO quarantine, and a SIGSEGV
 * handler that names the block a fault belongs to.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#ifndef __FRAMAC__ /* what only the parts not proved yet use (their libc declarations would join every proof key) */
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#endif
#include "memapi2/guard.h"
#include "memapi2/default.h"
#include "internal/error_set.h"
#include "internal/os.h"
#ifdef __FRAMAC__
#include "libc_mman.h" /* mprotect and madvise as WP sees them (trusted: proofs/trusted.tsv) */
#endif

/* Linux 6.13 guard regions; the values are the kernel's ABI, absent from older C library headers. */
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif
#ifndef MADV_GUARD_REMOVE
#define MADV_GUARD_REMOVE 103
#endif

#define MAX_SLOT_PAGES 65536u
#define MAX_POOL_SLOTS 4294967295u
/* The pool's reservation: far below the address space on 64-bit, a quarter of it on 32-bit. */
#if SIZE_MAX > 0xFFFFFFFFu
#define MAX_POOL_BYTES ((size_t)1 << 46)
#else
#define MAX_POOL_BYTES ((size_t)1 << 30)
#endif
#define ALT_STACK_BYTES (64u * 1024u)

enum { SLOT_EMPTY = 0, SLOT_LIVE = 1, SLOT_FREED = 2 };

/*
 * One slot's block. The allocator (one writer: the guard is exclusive) changes a record between two
 * increments of `seq` (odd while it writes); the signal handler, which may run in any thread at any
 * time, reads it lock-free and retries when `seq` moved. Every field is atomic so that the reads
 * race with nothing.
 */
typedef struct record {
    _Atomic uint32_t seq;
    _Atomic uint32_t state;
    _Atomic uintptr_t ptr;
    _Atomic size_t size;
    _Atomic size_t align;
} record;

/* The metadata mapping's header: what the handler needs, immutable once published, then the link.
 * The atomic pointers are written with the _Atomic qualifier (`T *_Atomic`), the same type as the
 * specifier form `_Atomic(T *)` (C11 6.7.3p5), which Frama-C's parser does not read (proofs/README.md, "Eva"). */
struct memapi__guard_meta {
    struct memapi__guard_meta *_Atomic next;
    uintptr_t pool;
    size_t pool_bytes;
    size_t stride;
    size_t page;
    record *rec;     /* pool_slots records */
    uint32_t *fifo;  /* free slots, FIFO, pool_slots entries */
    uint32_t *ring;  /* quarantined slots, FIFO, quarantine entries */
};

typedef struct memapi__guard_meta meta;

typedef struct snapshot {
    uint32_t state;
    uintptr_t ptr;
    memapi_layout layout;
} snapshot;

/*@ // The proof's vocabulary for the slot queues (proofs/README.md, "The guard allocator").
    // Index k places after i in a ring of n entries (i < n, k <= n): what wrap_add computes.
    logic integer guard_idx(integer i, integer k, integer n) = i + k < n ? i + k : i + k - n;

    // The i-th oldest entry of the free-slot FIFO and of the quarantine ring.
    logic integer guard_fifo_at{L}(memapi_guard *g, integer i) =
      g->meta->fifo[guard_idx(g->free_head, i, g->opts.pool_slots)];
    logic integer guard_ring_at{L}(memapi_guard *g, integer i) =
      g->meta->ring[guard_idx(g->ring_head, i, g->opts.quarantine)];
    predicate guard_in_fifo{L}(memapi_guard *g, integer s) =
      \exists integer i; 0 <= i < g->free_count && guard_fifo_at(g, i) == s;
    predicate guard_in_ring{L}(memapi_guard *g, integer s) =
      \exists integer i; 0 <= i < g->stats.quarantined_blocks && guard_ring_at(g, i) == s;

    // The queues: slots [0, fresh) have been used, [fresh, pool_slots) never; each used slot is in
    // the free FIFO at most once, in the quarantine ring at most once, and not in both.
    predicate guard_queues{L}(memapi_guard *g) =
      \valid(g) && \valid(g->meta) &&
      1 <= g->opts.pool_slots <= MAX_POOL_SLOTS && g->opts.quarantine <= g->opts.pool_slots &&
      g->fresh <= g->opts.pool_slots &&
      g->free_head < g->opts.pool_slots && g->free_count <= g->opts.pool_slots &&
      g->stats.quarantined_blocks <= g->opts.quarantine &&
      (g->opts.quarantine == 0 ? g->ring_head == 0 : g->ring_head < g->opts.quarantine) &&
      \valid(g->meta->fifo + (0 .. g->opts.pool_slots - 1)) &&
      \valid(g->meta->ring + (0 .. g->opts.quarantine - 1)) &&
      \separated(g, g->meta, g->meta->fifo + (0 .. g->opts.pool_slots - 1),
                 g->meta->ring + (0 .. g->opts.quarantine - 1)) &&
      (\forall integer i; 0 <= i < g->free_count ==> guard_fifo_at(g, i) < g->fresh) &&
      (\forall integer i; 0 <= i < g->stats.quarantined_blocks ==> guard_ring_at(g, i) < g->fresh) &&
      (\forall integer i, j; 0 <= i < j < g->free_count ==> guard_fifo_at(g, i) != guard_fifo_at(g, j)) &&
      (\forall integer i, j; 0 <= i < j < g->stats.quarantined_blocks ==>
         guard_ring_at(g, i) != guard_ring_at(g, j)) &&
      (\forall integer i, j; 0 <= i < g->free_count && 0 <= j < g->stats.quarantined_blocks ==>
         guard_fifo_at(g, i) != guard_ring_at(g, j));

    // Every used slot counted once: free, quarantined, live, or one of the `held` slots that the
    // operation running holds (0 between operations: then the live slots are exactly the used
    // slots in neither queue).
    predicate guard_count{L}(memapi_guard *g, integer held) =
      g->free_count + g->stats.quarantined_blocks + g->stats.live_blocks + held == g->fresh;

    // The pool as init maps it: pool_slots slots of stride bytes, one mapping (which cannot wrap
    // the address space), slots [0, armed) armed.
    predicate guard_pool{L}(memapi_guard *g) =
      \valid(g) && g->stride > 0 && 1 <= g->opts.pool_slots && g->armed <= g->opts.pool_slots &&
      g->opts.pool_slots * g->stride <= MAX_POOL_BYTES &&
      g->pool + g->opts.pool_slots * g->stride <= UINTPTR_MAX + 1;
*/

#ifndef __FRAMAC__ /* not proved yet (proofs/README.md, "The guard allocator") */
/* ---- records --------------------------------------------------------------------------------- */

static void record_write(record *r, uint32_t state, uintptr_t ptr, memapi_layout l)
{
    uint32_t s = atomic_load_explicit(&r->seq, memory_order_relaxed);
    atomic_store_explicit(&r->seq, s + 1u, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(&r->state, state, memory_order_relaxed);
    atomic_store_explicit(&r->ptr, ptr, memory_order_relaxed);
    atomic_store_explicit(&r->size, l.size, memory_order_relaxed);
    atomic_store_explicit(&r->align, l.align, memory_order_relaxed);
    atomic_store_explicit(&r->seq, s + 2u, memory_order_release);
}

static void record_set_state(record *r, uint32_t state)
{
    uint32_t s = atomic_load_explicit(&r->seq, memory_order_relaxed);
    atomic_store_explicit(&r->seq, s + 1u, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(&r->state, state, memory_order_relaxed);
    atomic_store_explicit(&r->seq, s + 2u, memory_order_release);
}

static snapshot record_fields(const record *r)
{
    snapshot s;
    s.state = atomic_load_explicit(&r->state, memory_order_relaxed);
    s.ptr = atomic_load_explicit(&r->ptr, memory_order_relaxed);
    s.layout.size = atomic_load_explicit(&r->size, memory_order_relaxed);
    s.layout.align = atomic_load_explicit(&r->align, memory_order_relaxed);
    return s;
}

/* The writer's own read: nothing else writes. */
static snapshot record_read(const record *r)
{
    return record_fields(r);
}

/* A consistent copy for the signal handler; false when a writer kept it busy. */
static bool record_read_racing(const record *r, snapshot *out)
{
    for (int tries = 0; tries < 64; tries++) {
        uint32_t s1 = atomic_load_explicit(&r->seq, memory_order_acquire);
        if ((s1 & 1u) != 0)
            continue;
        snapshot s = record_fields(r);
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&r->seq, memory_order_relaxed) == s1) {
            *out = s;
            return true;
        }
    }
    return false;
}

/* ---- the SIGSEGV handler and the list of live guard allocators it searches -------------------- */

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static meta *_Atomic registry_head;
static pthread_once_t handler_once = PTHREAD_ONCE_INIT;
static struct sigaction previous_action;
static int handler_status = -1;

typedef struct line {
    char buf[160];
    size_t len;
} line;

static void line_str(line *l, const char *s)
{
    while (*s != '\0' && l->len < sizeof l->buf)
        l->buf[l->len++] = *s++;
}

static void line_num(line *l, uintptr_t v, unsigned base)
{
    /* Zeroed (as -ftrivial-auto-var-init=zero does anyway): every digit read below was written by
     * the first loop, which Eva cannot relate to n when v is not a single value (proofs/README.md, "Eva"). */
    char digits[2 * sizeof(uintptr_t) * 4] = {0};
    size_t n = 0;
    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v != 0 && n < sizeof digits);
    while (n > 0 && l->len < sizeof l->buf)
        l->buf[l->len++] = digits[--n];
}

static void report_fault(const char *what, const snapshot *s)
{
    line l = {{0}, 0};
    line_str(&l, "memapi guard: ");
    line_str(&l, what);
    line_str(&l, " block 0x");
    line_num(&l, s->ptr, 16u);
    line_str(&l, " (Layout(size: ");
    line_num(&l, s->layout.size, 10u);
    line_str(&l, ", align: ");
    line_num(&l, s->layout.align, 10u);
    line_str(&l, "))\n");
    size_t off = 0;
    while (off < l.len) {
        ssize_t w = write(STDERR_FILENO, l.buf + off, l.len - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
}

#endif /* __FRAMAC__ */

/*@ requires page >= 1;
    assigns \nothing; */
static uintptr_t page_down(uintptr_t v, size_t page)
{
    return v & ~(uintptr_t)(page - 1);
}

/*@ requires page >= 1 && v + page - 1 <= UINTPTR_MAX;
    assigns \nothing; */
static uintptr_t page_up(uintptr_t v, size_t page)
{
    return (v + (page - 1)) & ~(uintptr_t)(page - 1);
}

#ifndef __FRAMAC__ /* not proved yet (proofs/README.md, "The guard allocator") */
/* What a fault at `addr` means for the pool of m, or NULL when no block of m is concerned. */
static const char *classify(const meta *m, uintptr_t addr, snapshot *s)
{
    if (addr < m->pool || addr - m->pool >= m->pool_bytes)
        return NULL;
    if (!record_read_racing(&m->rec[(addr - m->pool) / m->stride], s))
        return NULL;
    if (s->state == SLOT_EMPTY)
        return NULL;
    uintptr_t end = s->ptr + s->layout.size;
    if (s->state == SLOT_FREED && addr >= page_down(s->ptr, m->page) && addr < page_up(end, m->page))
        return "use after free of";
    if (addr < s->ptr)
        return "underflow before";
    if (addr >= end)
        return "overflow past";
    return NULL;
}

static void die_by_default(void)
{
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    (void)sigaction(SIGSEGV, &dfl, NULL);
    /* Pending until the handler returns (SIGSEGV is blocked in it), then fatal. */
    (void)raise(SIGSEGV);
}

static void on_segv(int sig, siginfo_t *info, void *uctx)
{
    int saved_errno = errno;
    uintptr_t addr = (uintptr_t)info->si_addr;
    for (meta *m = atomic_load_explicit(&registry_head, memory_order_acquire); m != NULL;
         m = atomic_load_explicit(&m->next, memory_order_acquire)) {
        snapshot s;
        const char *what = classify(m, addr, &s);
        if (what != NULL) {
            report_fault(what, &s);
            die_by_default();
            return;
        }
    }
    errno = saved_errno;
    if ((previous_action.sa_flags & SA_SIGINFO) != 0 && previous_action.sa_sigaction != NULL) {
        previous_action.sa_sigaction(sig, info, uctx);
        return;
    }
    if (previous_action.sa_handler == SIG_DFL || previous_action.sa_handler == SIG_IGN) {
        /* A fault cannot be ignored: returning would re-execute the access forever. */
        die_by_default();
        return;
    }
    previous_action.sa_handler(sig);
}

static void install_handler(void)
{
    stack_t cur;
    if (sigaltstack(NULL, &cur) == 0 && (cur.ss_flags & SS_DISABLE) != 0) {
        /* Mapped once for the process, never unmapped: the stack must outlive any handler call. */
        void *mem = mmap(NULL, ALT_STACK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mem != MAP_FAILED) {
            stack_t ss;
            memset(&ss, 0, sizeof ss);
            ss.ss_sp = mem;
            ss.ss_size = ALT_STACK_BYTES;
            if (sigaltstack(&ss, NULL) != 0)
                (void)munmap(mem, ALT_STACK_BYTES);
        }
    }
    struct sigaction act;
    memset(&act, 0, sizeof act);
    act.sa_sigaction = on_segv;
    act.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&act.sa_mask);
    handler_status = sigaction(SIGSEGV, &act, &previous_action);
}

static void register_meta(meta *m)
{
    pthread_mutex_lock(&registry_lock);
    atomic_store_explicit(&m->next, atomic_load_explicit(&registry_head, memory_order_relaxed),
                          memory_order_relaxed);
    atomic_store_explicit(&registry_head, m, memory_order_release);
    pthread_mutex_unlock(&registry_lock);
}

static void unregister_meta(meta *m)
{
    pthread_mutex_lock(&registry_lock);
    meta *_Atomic *link = &registry_head;
    meta *cur;
    while ((cur = atomic_load_explicit(link, memory_order_relaxed)) != NULL && cur != m)
        link = &cur->next;
    if (cur == m)
        atomic_store_explicit(link, atomic_load_explicit(&m->next, memory_order_relaxed), memory_order_release);
    pthread_mutex_unlock(&registry_lock);
}

#endif /* __FRAMAC__ */

/* ---- helpers --------------------------------------------------------------------------------- */

#ifndef __FRAMAC__ /* not proved yet (proofs/README.md, "The guard allocator") */
static void *fail_os(memapi_error *err, memapi_layout l, int code)
{
    memapi__fail_alloc(err, l, MEMAPI_CAUSE_OS_ERR, code, NULL);
    return NULL;
}

static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

/* Canary byte at an address with a % 8 == k is pat[k]; no byte is 0, so a stray NUL is caught. */
static void block_pattern(const memapi_guard *g, uintptr_t ptr, unsigned char pat[8])
{
    uint64_t k = mix64(g->secret ^ (uint64_t)ptr);
    for (unsigned i = 0; i < 8; i++) {
        unsigned char b = (unsigned char)(k >> (8u * i));
        pat[i] = b != 0 ? b : (unsigned char)0xA5;
    }
}

static void pattern_fill(uintptr_t from, uintptr_t to, const unsigned char pat[8])
{
    while (from < to && (from & 7u) != 0) {
        *(unsigned char *)from = pat[from & 7u];
        from++;
    }
    uint64_t word;
    memcpy(&word, pat, 8);
    size_t words = from < to ? (to - from) / 8 : 0;
    unsigned char *d = (unsigned char *)from;
    for (size_t i = 0; i < words; i++)
        memcpy(d + 8 * i, &word, 8);
    from += words * 8;
    for (; from < to; from++)
        *(unsigned char *)from = pat[from & 7u];
}

static bool pattern_intact(uintptr_t from, uintptr_t to, const unsigned char pat[8])
{
    while (from < to && (from & 7u) != 0) {
        if (*(const unsigned char *)from != pat[from & 7u])
            return false;
        from++;
    }
    uint64_t word, diff = 0;
    memcpy(&word, pat, 8);
    /* No early exit: the loop vectorises, and a damaged canary is the rare case. */
    size_t words = from < to ? (to - from) / 8 : 0;
    const unsigned char *src = (const unsigned char *)from;
    for (size_t i = 0; i < words; i++) {
        uint64_t got;
        memcpy(&got, src + 8 * i, 8);
        diff |= got ^ word;
    }
    if (diff != 0)
        return false;
    from += words * 8;
    for (; from < to; from++)
        if (*(const unsigned char *)from != pat[from & 7u])
            return false;
    return true;
}

/* The canary: the bytes of the block's pages that are not the block. */
static void write_canary(const memapi_guard *g, uintptr_t ptr, size_t size)
{
    unsigned char pat[8];
    block_pattern(g, ptr, pat);
    pattern_fill(page_down(ptr, g->page), ptr, pat);
    pattern_fill(ptr + size, page_up(ptr + size, g->page), pat);
}

static bool canary_intact(const memapi_guard *g, uintptr_t ptr, size_t size)
{
    unsigned char pat[8];
    block_pattern(g, ptr, pat);
    return pattern_intact(page_down(ptr, g->page), ptr, pat) &&
           pattern_intact(ptr + size, page_up(ptr + size, g->page), pat);
}

/* Makes [start, start + len) of the pool accessible; 0 or the errno. */
static int open_pages(const memapi_guard *g, uintptr_t start, size_t len)
{
    if (g->use_mprotect)
        return MEMAPI_OS(mprotect)((void *)start, len, PROT_READ | PROT_WRITE) == 0 ? 0 : errno;
    return MEMAPI_OS(madvise)((void *)start, len, MADV_GUARD_REMOVE) == 0 ? 0 : errno;
}

/* Makes pages inaccessible again and gives their memory back. A failure leaves them accessible:
 * the freed block loses its use-after-free check, nothing else changes. */
static void close_pages(const memapi_guard *g, uintptr_t start, size_t len)
{
    if (!g->use_mprotect) {
        (void)MEMAPI_OS(madvise)((void *)start, len, MADV_GUARD_INSTALL);
        return;
    }
    if (MEMAPI_OS(mprotect)((void *)start, len, PROT_NONE) == 0)
        (void)MEMAPI_OS(madvise)((void *)start, len, MADV_DONTNEED);
}

#endif /* __FRAMAC__ */

/* ---- slots ----------------------------------------------------------------------------------- */

#define NO_SLOT ((size_t)-1)

/* (i + k) % n for i < n and k <= n, without the division. */
/*@ requires i < n && k <= n && n <= MAX_POOL_SLOTS;
    assigns \nothing;
    ensures \result == guard_idx(i, k, n) && \result < n; */
static inline size_t wrap_add(size_t i, size_t k, size_t n)
{
    size_t j = i + k;
    return j >= n ? j - n : j;
}

/* The slot joins the free FIFO, as its newest entry. */
/*@ requires guard_queues(g);
    requires slot < g->fresh && g->free_count < g->opts.pool_slots;
    requires !guard_in_fifo(g, slot) && !guard_in_ring(g, slot);
    assigns g->free_count, g->meta->fifo[0 .. g->opts.pool_slots - 1];
    ensures guard_queues(g);
    ensures g->free_count == \old(g->free_count) + 1;
    ensures guard_fifo_at(g, \old(g->free_count)) == slot;
    ensures \forall integer i; 0 <= i < \old(g->free_count) ==> guard_fifo_at(g, i) == \old(guard_fifo_at(g, i));
*/
static void push_free(memapi_guard *g, size_t slot)
{
    size_t n = g->opts.pool_slots;
    g->meta->fifo[wrap_add(g->free_head, g->free_count, n)] = (uint32_t)slot;
    g->free_count++;
}

/* The slot joins the quarantine ring, as its newest entry. */
/*@ requires guard_queues(g) && g->opts.quarantine > 0 && g->stats.quarantined_blocks < g->opts.quarantine;
    requires slot < g->fresh && !guard_in_fifo(g, slot) && !guard_in_ring(g, slot);
    assigns g->stats.quarantined_blocks, g->meta->ring[0 .. g->opts.quarantine - 1];
    ensures guard_queues(g);
    ensures g->stats.quarantined_blocks == \old(g->stats.quarantined_blocks) + 1;
    ensures guard_ring_at(g, \old(g->stats.quarantined_blocks)) == slot;
    ensures \forall integer i; 0 <= i < \old(g->stats.quarantined_blocks) ==>
              guard_ring_at(g, i) == \old(guard_ring_at(g, i));
*/
static void push_quarantined(memapi_guard *g, size_t slot)
{
    size_t depth = g->opts.quarantine;
    g->meta->ring[wrap_add(g->ring_head, g->stats.quarantined_blocks, depth)] = (uint32_t)slot;
    g->stats.quarantined_blocks++;
}

/* The oldest entry of the free FIFO leaves it. */
/*@ requires guard_queues(g) && g->free_count > 0;
    assigns g->free_head, g->free_count;
    ensures guard_queues(g);
    ensures \result == \old(guard_fifo_at(g, 0)) && \result < g->fresh;
    ensures !guard_in_fifo(g, \result);
    ensures !guard_in_ring(g, \result);
    ensures g->free_count == \old(g->free_count) - 1;
*/
static size_t pop_free(memapi_guard *g)
{
    size_t slot = g->meta->fifo[g->free_head];
    /*@ assert slot == guard_fifo_at(g, 0); */
    /*@ assert \forall integer i; 0 < i < g->free_count ==> guard_fifo_at(g, i) != slot; */
    /*@ assert \forall integer j; 0 <= j < g->stats.quarantined_blocks ==> guard_ring_at(g, j) != slot; */
    g->free_head = wrap_add(g->free_head, 1, g->opts.pool_slots);
    g->free_count--;
    /*@ assert \forall integer i; 0 <= i < g->free_count ==>
          guard_idx(g->free_head, i, g->opts.pool_slots) == guard_idx(\at(g->free_head, Pre), i + 1, g->opts.pool_slots); */
    /*@ assert \forall integer i; 0 <= i < g->free_count ==> guard_fifo_at(g, i) == \at(guard_fifo_at(g, i + 1), Pre); */
    /*@ assert \forall integer i; 0 <= i < g->free_count ==> guard_fifo_at(g, i) != slot; */
    /*@ assert \forall integer j; 0 <= j < g->stats.quarantined_blocks ==> guard_ring_at(g, j) != slot; */
    return slot;
}

/* The oldest entry of the quarantine ring leaves it. */
/*@ requires guard_queues(g) && g->stats.quarantined_blocks > 0;
    assigns g->ring_head, g->stats.quarantined_blocks;
    ensures guard_queues(g);
    ensures \result == \old(guard_ring_at(g, 0)) && \result < g->fresh;
    ensures !guard_in_fifo(g, \result);
    ensures !guard_in_ring(g, \result);
    ensures g->stats.quarantined_blocks == \old(g->stats.quarantined_blocks) - 1;
    ensures \forall integer i; 0 <= i < g->stats.quarantined_blocks ==> guard_ring_at(g, i) == \old(guard_ring_at(g, i + 1));
*/
static size_t pop_quarantined(memapi_guard *g)
{
    size_t slot = g->meta->ring[g->ring_head];
    /*@ assert slot == guard_ring_at(g, 0); */
    /*@ assert \forall integer i; 0 < i < g->stats.quarantined_blocks ==> guard_ring_at(g, i) != slot; */
    /*@ assert \forall integer j; 0 <= j < g->free_count ==> guard_fifo_at(g, j) != slot; */
    g->ring_head = wrap_add(g->ring_head, 1, g->opts.quarantine);
    g->stats.quarantined_blocks--;
    /*@ assert \forall integer i; 0 <= i < g->stats.quarantined_blocks ==>
          guard_idx(g->ring_head, i, g->opts.quarantine) == guard_idx(\at(g->ring_head, Pre), i + 1, g->opts.quarantine); */
    /*@ assert \forall integer i; 0 <= i < g->stats.quarantined_blocks ==>
          guard_ring_at(g, i) == \at(guard_ring_at(g, i + 1), Pre); */
    /*@ assert \forall integer i; 0 <= i < g->stats.quarantined_blocks ==> guard_ring_at(g, i) != slot; */
    /*@ assert \forall integer j; 0 <= j < g->free_count ==> guard_fifo_at(g, j) != slot; */
    return slot;
}

/* The oldest quarantined slot leaves the quarantine for the free FIFO. */
/*@ requires guard_queues(g);
    requires g->stats.quarantined_blocks > 0 && g->free_count < g->opts.pool_slots;
    assigns g->free_count, g->ring_head, g->stats.quarantined_blocks, g->meta->fifo[0 .. g->opts.pool_slots - 1];
    ensures guard_queues(g);
    ensures g->free_count == \old(g->free_count) + 1;
    ensures g->stats.quarantined_blocks == \old(g->stats.quarantined_blocks) - 1;
    ensures guard_fifo_at(g, \old(g->free_count)) == \old(guard_ring_at(g, 0));
    ensures \forall integer i; 0 <= i < \old(g->free_count) ==> guard_fifo_at(g, i) == \old(guard_fifo_at(g, i));
    ensures \forall integer i; 0 <= i < g->stats.quarantined_blocks ==> guard_ring_at(g, i) == \old(guard_ring_at(g, i + 1));
*/
static void evict_oldest_quarantined(memapi_guard *g)
{
    size_t slot = pop_quarantined(g);
    push_free(g, slot);
}

/*
 * With guard regions the pool starts as one PROT_NONE reservation: no page table, nothing for the
 * kernel to set up or tear down. Slots are armed in order, the way never-used slots are taken: the
 * next run of them gets its guard regions (while still PROT_NONE) and only then becomes read-write,
 * so no page of the pool is accessible at any moment unless a live block is on it. The run doubles
 * what is armed, from ARM_MIN_BYTES up to ARM_MAX_BYTES of address space per step (at least one
 * slot): a process that guards a few blocks arms a few hundred pages, and a full pool costs what
 * arming it at once did, spread over its steps (8 for the default 4,096 slots). The armed part
 * merges into one read-write mapping: the pool is at most two.
 */
#define ARM_MIN_BYTES ((size_t)1 << 20)
#define ARM_MAX_BYTES ((size_t)64 << 20)

/*@ requires guard_pool(g) && g->armed < g->opts.pool_slots;
    assigns g->armed, __fc_errno;
    ensures guard_pool(g);
    ensures \result == 0 ==> \old(g->armed) < g->armed;
    ensures \result != 0 ==> \result > 0 && g->armed == \old(g->armed);
*/
static int arm_slots(memapi_guard *g)
{
    size_t lo = ARM_MIN_BYTES / g->stride, hi = ARM_MAX_BYTES / g->stride;
    size_t n = g->armed < lo ? lo : g->armed > hi ? hi : g->armed;
    if (n == 0)
        n = 1;
    if (n > g->opts.pool_slots - g->armed)
        n = g->opts.pool_slots - g->armed;
    void *start = (void *)(g->pool + g->armed * g->stride);
    size_t len = n * g->stride;
    if (MEMAPI_OS(madvise)(start, len, MADV_GUARD_INSTALL) != 0 ||
        MEMAPI_OS(mprotect)(start, len, PROT_READ | PROT_WRITE) != 0)
        return errno;
    g->armed += n;
    return 0;
}

/* Never-used slots first, then the free FIFO, then the oldest quarantined slot: reuse is late. A
 * slot that cannot be armed (the kernel refused: *code) is treated as a never-used slot missing. */
/*@ requires guard_queues(g) && guard_pool(g) && guard_count(g, 0);
    requires \valid(code) && \separated(code, g);
    assigns g->fresh, g->armed, g->free_head, g->free_count, g->ring_head, g->stats.quarantined_blocks,
            g->meta->fifo[0 .. g->opts.pool_slots - 1], *code, __fc_errno;
    ensures guard_queues(g) && guard_pool(g);
    ensures \result == NO_SLOT ==> guard_count(g, 0) && g->free_count == 0 && g->stats.quarantined_blocks == 0;
    ensures \result == NO_SLOT ==> g->fresh == g->opts.pool_slots || *code > 0;
    ensures \result != NO_SLOT ==> guard_count(g, 1) && \result < g->fresh;
    ensures \result != NO_SLOT ==> !guard_in_fifo(g, \result);
    ensures \result != NO_SLOT ==> !guard_in_ring(g, \result);
    // never-used slots first, then the oldest free slot, then the oldest quarantined one
    ensures \old(g->fresh) < \old(g->armed) ==> \result == \old(g->fresh);
    ensures \result != NO_SLOT && \result != \old(g->fresh) && \old(g->free_count) > 0 ==>
              \result == \old(guard_fifo_at(g, 0));
    ensures \result != NO_SLOT && \result != \old(g->fresh) && \old(g->free_count) == 0 ==>
              \result == \old(guard_ring_at(g, 0));
*/
static size_t take_slot(memapi_guard *g, int *code)
{
    if (g->fresh < g->opts.pool_slots && (g->fresh < g->armed || (*code = arm_slots(g)) == 0))
        return g->fresh++;
    if (g->free_count == 0 && g->stats.quarantined_blocks > 0)
        evict_oldest_quarantined(g);
    if (g->free_count == 0)
        return NO_SLOT;
    return pop_free(g);
}

/* A freed block's slot joins the quarantine as its newest entry (the oldest leaves for the free FIFO
 * when the quarantine is full); without a quarantine, it joins the free FIFO. */
/*@ requires guard_queues(g) && guard_count(g, 1);
    requires slot < g->fresh && !guard_in_fifo(g, slot) && !guard_in_ring(g, slot);
    assigns g->free_count, g->ring_head, g->stats.quarantined_blocks,
            g->meta->fifo[0 .. g->opts.pool_slots - 1], g->meta->ring[0 .. g->opts.quarantine - 1];
    ensures guard_queues(g) && guard_count(g, 0);
    ensures g->opts.quarantine == 0 ==> guard_in_fifo(g, slot);
    ensures g->opts.quarantine > 0 ==> guard_ring_at(g, g->stats.quarantined_blocks - 1) == slot;
*/
static void quarantine_slot(memapi_guard *g, size_t slot)
{
    size_t depth = g->opts.quarantine;
    if (depth == 0) {
        push_free(g, slot);
        return;
    }
    if (g->stats.quarantined_blocks == depth)
        evict_oldest_quarantined(g);
    push_quarantined(g, slot);
}

#ifndef __FRAMAC__ /* not proved yet (proofs/README.md, "The guard allocator") */
/* ---- the allocator --------------------------------------------------------------------------- */

/* Anything outside the pool may be the fallback's once an allocation can have gone there. */
static bool fallback_may_own(const memapi_guard *g)
{
    return g->opts.sample_every > 1 || g->stats.sampled_out_allocs != 0 || g->stats.capacity_fallbacks != 0 ||
           g->stats.oversize_fallbacks != 0;
}

static void *fallback_alloc(memapi_guard *g, memapi_layout l, bool zero, memapi_error *err)
{
    const memapi_alloc_vtable *vt = g->opts.fallback.vt;
    if (!zero)
        return vt->alloc(g->opts.fallback.self, l, err);
    if (vt->zalloc != NULL)
        return vt->zalloc(g->opts.fallback.self, l, err);
    return memapi_zalloc(g->opts.fallback, l, err);
}

/* A guarded allocation the pool cannot hold: the fallback's when sampling, else a capacity error. */
static void *cannot_hold(memapi_guard *g, memapi_layout l, bool zero, bool oversize, memapi_error *err)
{
    if (g->opts.sample_every == 1) {
        memapi__fail_alloc(err, l, MEMAPI_CAUSE_OTHER, 0, oversize ? "block larger than a guard slot" : "guard pool full");
        return NULL;
    }
    if (oversize)
        g->stats.oversize_fallbacks++;
    else
        g->stats.capacity_fallbacks++;
    return fallback_alloc(g, l, zero, err);
}

static bool place_at_start(memapi_guard *g)
{
    switch (g->opts.placement) {
    case MEMAPI_GUARD_PLACE_START:
        return true;
    case MEMAPI_GUARD_PLACE_ALTERNATE:
        return (g->placements++ & 1u) != 0;
    case MEMAPI_GUARD_PLACE_END:
    default:
        return false;
    }
}

static void *guarded_alloc(memapi_guard *g, memapi_layout l, bool zero, memapi_error *err)
{
    size_t page = g->page;
    size_t data = g->opts.slot_pages * page;
    /* A valid layout has size <= PTRDIFF_MAX - (align - 1): none of these sums overflows. */
    if (page_up(l.size, page) + (l.align > page ? l.align - page : 0) > data)
        return cannot_hold(g, l, zero, true, err);
    int code = 0;
    size_t slot = take_slot(g, &code);
    if (slot == NO_SLOT) {
        /* ENOMEM is the mapping limit or the memory for page tables: the pool is as full as the
         * kernel allows. */
        if (code != 0 && code != ENOMEM)
            return fail_os(err, l, code);
        return cannot_hold(g, l, zero, false, err);
    }
    uintptr_t dstart = g->pool + slot * g->stride + page;
    uintptr_t ptr = place_at_start(g) ? (dstart + l.align - 1) & ~(uintptr_t)(l.align - 1)
                                      : (dstart + data - l.size) & ~(uintptr_t)(l.align - 1);
    uintptr_t first = page_down(ptr, page), last = page_up(ptr + l.size, page);
    int rc = open_pages(g, first, last - first);
    if (rc != 0) {
        push_free(g, slot);
        /* With mprotect, ENOMEM is the mapping limit: the pool is as full as the kernel allows. */
        if (rc == ENOMEM && g->use_mprotect)
            return cannot_hold(g, l, zero, false, err);
        return fail_os(err, l, rc);
    }
    record_write(&g->meta->rec[slot], SLOT_LIVE, ptr, l);
    if (zero)
        memset((void *)ptr, 0, l.size);
    else if (g->opts.fill_byte >= 0)
        memset((void *)ptr, g->opts.fill_byte, l.size);
    if (g->opts.canary)
        write_canary(g, ptr, l.size);
    g->stats.live_blocks++;
    g->stats.accessible_bytes += last - first;
    g->stats.guarded_allocs++;
    return (void *)ptr;
}

static void *guard_any_alloc(void *self, memapi_layout l, bool zero, memapi_error *err)
{
    memapi_guard *g = (memapi_guard *)self;
    if (l.size == 0)
        return memapi_layout_dangling(l);
    if (--g->countdown != 0) {
        g->stats.sampled_out_allocs++;
        return fallback_alloc(g, l, zero, err);
    }
    g->countdown = g->opts.sample_every;
    return guarded_alloc(g, l, zero, err);
}

static void *guard_alloc(void *self, memapi_layout l, memapi_error *err)
{
    return guard_any_alloc(self, l, false, err);
}

static void *guard_zalloc(void *self, memapi_layout l, memapi_error *err)
{
    return guard_any_alloc(self, l, true, err);
}

static void release(memapi_guard *g, size_t slot, const snapshot *s)
{
    uintptr_t first = page_down(s->ptr, g->page), last = page_up(s->ptr + s->layout.size, g->page);
    if (g->opts.free_fill >= 0)
        memset((void *)s->ptr, g->opts.free_fill, s->layout.size);
    close_pages(g, first, last - first);
    record_set_state(&g->meta->rec[slot], SLOT_FREED);
    g->stats.live_blocks--;
    g->stats.accessible_bytes -= last - first;
    quarantine_slot(g, slot);
}

/* The record of the slot holding pool address p, with the checks shared by try_dealloc and owns. */
static memapi_status pool_lookup(const memapi_guard *g, const void *ptr, size_t *slot, snapshot *s,
                                 memapi_error *err)
{
    *slot = ((uintptr_t)ptr - g->pool) / g->stride;
    *s = record_read(&g->meta->rec[*slot]);
    if (s->state == SLOT_EMPTY)
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, ptr, "pointer not owned by this allocator");
    if (s->ptr != (uintptr_t)ptr)
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, ptr, "interior pointer");
    return MEMAPI_OK;
}

static bool in_pool(const memapi_guard *g, const void *ptr)
{
    return (uintptr_t)ptr >= g->pool && (uintptr_t)ptr - g->pool < g->pool_bytes;
}

static memapi_status guard_try_dealloc(void *self, void *ptr, memapi_layout l, memapi_error *err)
{
    memapi_guard *g = (memapi_guard *)self;
    if (!in_pool(g, ptr)) {
        if (l.size == 0 || ptr == memapi_layout_dangling(l))
            return MEMAPI_OK;
        if (fallback_may_own(g))
            return g->opts.fallback.vt->try_dealloc(g->opts.fallback.self, ptr, l, err);
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, ptr, "pointer not owned by this allocator");
    }
    size_t slot;
    snapshot s;
    if (pool_lookup(g, ptr, &slot, &s, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    if (s.state == SLOT_FREED)
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, ptr, "double free");
    if (!memapi_layout_eq(s.layout, l))
        return memapi__fail_mismatch(err, ptr, l, s.layout);
    if (g->opts.canary && !canary_intact(g, s.ptr, s.layout.size))
        return memapi__fail_ptr(err, MEMAPI_E_CORRUPTION, ptr, "canary overwritten");
    release(g, slot, &s);
    return MEMAPI_OK;
}

static memapi_status guard_owns(void *self, const void *ptr, memapi_layout l, memapi_error *err)
{
    memapi_guard *g = (memapi_guard *)self;
    if (!in_pool(g, ptr)) {
        if (l.size == 0 && ptr == memapi_layout_dangling(l))
            return MEMAPI_OK;
        if (!fallback_may_own(g))
            return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, ptr, "pointer not owned by this allocator");
        if (g->opts.fallback.vt->owns == NULL)
            return memapi__fail(err, MEMAPI_E_UNSUPPORTED);
        return g->opts.fallback.vt->owns(g->opts.fallback.self, ptr, l, err);
    }
    size_t slot;
    snapshot s;
    if (pool_lookup(g, ptr, &slot, &s, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    if (s.state == SLOT_FREED)
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, ptr, "block already freed");
    if (!memapi_layout_eq(s.layout, l))
        return memapi__fail_mismatch(err, ptr, l, s.layout);
    /* The dispatch asks owns before a resize to the identical layout, which frees nothing: this is
     * that resize's canary check. */
    if (g->opts.canary && !canary_intact(g, s.ptr, s.layout.size))
        return memapi__fail_ptr(err, MEMAPI_E_CORRUPTION, ptr, "canary overwritten");
    return MEMAPI_OK;
}

#define GUARD_VTABLE_ENTRIES                                                                                      \
    .name = "guard",                                                                                             \
    .caps = MEMAPI_CAP_DEALLOC | MEMAPI_CAP_REALLOC | MEMAPI_CAP_CHECKED_DEALLOC | MEMAPI_CAP_CHECKED_REALLOC,   \
    .alloc = guard_alloc, .zalloc = guard_zalloc, .try_dealloc = guard_try_dealloc, .grow = NULL, .zgrow = NULL, \
    .shrink = NULL, .realloc = NULL, .rezalloc = NULL, .owns = guard_owns, .alloc_temp = NULL

/* The guard without its dealloc entry: memapi_dealloc then runs try_dealloc and, when it fails,
 * stops the program with the library's own report. */
static const memapi_alloc_vtable guard_checked_vtable = {GUARD_VTABLE_ENTRIES, .dealloc = NULL};

/*
 * memapi_dealloc's entry. A sampled-out block (outside the pool) goes straight to the fallback's
 * own dealloc entry, so that a sampled-out free costs what the fallback's costs; anything else is
 * the checked path above, whose failure is reported exactly as memapi_dealloc reports it.
 */
static void guard_dealloc(void *self, void *ptr, memapi_layout l)
{
    memapi_guard *g = (memapi_guard *)self;
    if (!in_pool(g, ptr) && fallback_may_own(g)) {
        const memapi_alloc_vtable *vt = g->opts.fallback.vt;
        if (vt->dealloc != NULL)
            vt->dealloc(g->opts.fallback.self, ptr, l);
        else
            (memapi_dealloc)(g->opts.fallback, ptr, l);
        return;
    }
    memapi_allocator checked = {&guard_checked_vtable, g};
    (memapi_dealloc)(checked, ptr, l);
}

static const memapi_alloc_vtable guard_vtable = {GUARD_VTABLE_ENTRIES, .dealloc = guard_dealloc};

#endif /* __FRAMAC__ */

/* ---- lifecycle ------------------------------------------------------------------------------- */

/* Every field named (the padding is not part of the value). */
/*@ assigns \nothing;
    ensures \result.pool_slots == 4096 && \result.slot_pages == 4 && \result.placement == MEMAPI_GUARD_PLACE_END;
    ensures \result.canary == \true && \result.fill_byte == 0xAA && \result.free_fill == -1;
    ensures \result.quarantine == 16 && \result.sample_every == 1 && \result.force_mprotect == \false;
    ensures \result.fallback.vt == (memapi_alloc_vtable const *)&memapi_default_vtable && \result.fallback.self == \null;
*/
memapi_guard_options memapi_guard_options_default(void)
{
    memapi_guard_options o = {
        .pool_slots = 4096,
        .slot_pages = 4,
        .placement = MEMAPI_GUARD_PLACE_END,
        .canary = true,
        .fill_byte = 0xAA,
        .free_fill = -1,
        .quarantine = 16,
        .sample_every = 1,
        .fallback = memapi_default(),
        .force_mprotect = false,
    };
    return o;
}

/* The error texts of the option checks (guard.h, memapi_guard_init). */
static const char opt_sample[] = "guard options: sample_every must be at least 1";
static const char opt_bytes[] = "guard options: fill_byte and free_fill must be -1 or 0..255";
static const char opt_fallback[] = "guard options: the fallback needs alloc and try_dealloc";
static const char opt_sizes[] = "guard options: pool_slots must be 1 .. 4294967295 and slot_pages 1 .. 65536";
static const char opt_quarantine[] = "guard options: quarantine must be at most pool_slots";
static const char opt_placement[] = "guard options: unknown placement";
static const char opt_pool[] = "guard options: the pool would exceed 2^46 bytes";

/*@ // The options memapi_guard_init accepts, in the order it checks them, for the page size page.
    predicate guard_byte_ok(integer v) = -1 <= v <= 255;
    predicate guard_fallback_ok{L}(memapi_allocator fb) =
      fb.vt != \null && fb.vt->alloc != \null && fb.vt->try_dealloc != \null;
    predicate guard_sampling_ok{L}(integer n, memapi_allocator fb) = n >= 1 && (n > 1 ==> guard_fallback_ok(fb));
    predicate guard_sizes_ok(memapi_guard_options o) =
      1 <= o.pool_slots <= MAX_POOL_SLOTS && 1 <= o.slot_pages <= MAX_SLOT_PAGES;
    predicate guard_placement_ok(memapi_guard_options o) =
      o.placement == MEMAPI_GUARD_PLACE_END || o.placement == MEMAPI_GUARD_PLACE_START ||
      o.placement == MEMAPI_GUARD_PLACE_ALTERNATE;
    // (slot_pages + 2) * page * pool_slots <= 2^46, as the code tests it (no product that can overflow).
    predicate guard_pool_fits(memapi_guard_options o, integer page) =
      o.slot_pages + 2 <= MAX_POOL_BYTES / o.pool_slots / page;
    predicate guard_options_ok{L}(memapi_guard_options o, integer page) =
      guard_sampling_ok(o.sample_every, o.fallback) && guard_byte_ok(o.fill_byte) && guard_byte_ok(o.free_fill) &&
      guard_sizes_ok(o) && o.quarantine <= o.pool_slots && guard_placement_ok(o) && guard_pool_fits(o, page);
*/

/*@ assigns \nothing;
    ensures \result <==> guard_byte_ok(v); */
static bool byte_or_none(int v)
{
    return v >= -1 && v <= 255;
}

/* NULL when one allocation in n may be guarded with this fallback, else the error text. */
/*@ requires n > 1 ==> fallback.vt == \null || \valid_read(fallback.vt);
    assigns \nothing;
    ensures guard_sampling_ok(n, fallback) <==> \result == \null;
    ensures n == 0 ==> \result == (char *)opt_sample;
    ensures n > 1 && !guard_fallback_ok(fallback) ==> \result == (char *)opt_fallback;
*/
static const char *sampling_error(size_t n, memapi_allocator fallback)
{
    if (n == 0)
        return opt_sample;
    if (n > 1) {
        if (fallback.vt == NULL)
            return opt_fallback;
        /* Read by value: WP cannot test a function pointer read out of memory (src/internal/dispatch.h). */
        const memapi_alloc_vtable vt = *fallback.vt;
        if (vt.alloc == NULL || vt.try_dealloc == NULL)
            return opt_fallback;
    }
    return NULL;
}

/*@ requires \valid_read(o) && page >= 1;
    requires err == \null || \valid(err);
    requires o->sample_every > 1 ==> o->fallback.vt == \null || \valid_read(o->fallback.vt);
    assigns *err;
    behavior ok:
      assumes guard_options_ok(*o, page);
      assigns \nothing;
      ensures \result == MEMAPI_OK;
    behavior sample_every:
      assumes o->sample_every == 0;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_other(err, (char *)opt_sample);
    behavior bytes:
      assumes o->sample_every != 0 && !(guard_byte_ok(o->fill_byte) && guard_byte_ok(o->free_fill));
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_other(err, (char *)opt_bytes);
    behavior fallback:
      assumes o->sample_every != 0 && guard_byte_ok(o->fill_byte) && guard_byte_ok(o->free_fill) &&
              !guard_sampling_ok(o->sample_every, o->fallback);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_other(err, (char *)opt_fallback);
    behavior sizes:
      assumes guard_sampling_ok(o->sample_every, o->fallback) && guard_byte_ok(o->fill_byte) &&
              guard_byte_ok(o->free_fill) && !guard_sizes_ok(*o);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_other(err, (char *)opt_sizes);
    behavior quarantine:
      assumes guard_sampling_ok(o->sample_every, o->fallback) && guard_byte_ok(o->fill_byte) &&
              guard_byte_ok(o->free_fill) && guard_sizes_ok(*o) && o->quarantine > o->pool_slots;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_other(err, (char *)opt_quarantine);
    behavior placement:
      assumes guard_sampling_ok(o->sample_every, o->fallback) && guard_byte_ok(o->fill_byte) &&
              guard_byte_ok(o->free_fill) && guard_sizes_ok(*o) && o->quarantine <= o->pool_slots &&
              !guard_placement_ok(*o);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_other(err, (char *)opt_placement);
    behavior pool:
      assumes guard_sampling_ok(o->sample_every, o->fallback) && guard_byte_ok(o->fill_byte) &&
              guard_byte_ok(o->free_fill) && guard_sizes_ok(*o) && o->quarantine <= o->pool_slots &&
              guard_placement_ok(*o) && !guard_pool_fits(*o, page);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_other(err, (char *)opt_pool);
    complete behaviors;
    disjoint behaviors;
*/
static memapi_status check_options(const memapi_guard_options *o, size_t page, memapi_error *err)
{
    if (o->sample_every == 0)
        return memapi__fail_other(err, opt_sample);
    if (!byte_or_none(o->fill_byte) || !byte_or_none(o->free_fill))
        return memapi__fail_other(err, opt_bytes);
    const char *why = sampling_error(o->sample_every, o->fallback);
    if (why != NULL)
        return memapi__fail_other(err, why);
    if (o->pool_slots == 0 || o->pool_slots > MAX_POOL_SLOTS || o->slot_pages == 0 || o->slot_pages > MAX_SLOT_PAGES)
        return memapi__fail_other(err, opt_sizes);
    if (o->quarantine > o->pool_slots)
        return memapi__fail_other(err, opt_quarantine);
    if (o->placement != MEMAPI_GUARD_PLACE_END && o->placement != MEMAPI_GUARD_PLACE_START &&
        o->placement != MEMAPI_GUARD_PLACE_ALTERNATE)
        return memapi__fail_other(err, opt_placement);
    /* (slot_pages + 2) * page * pool_slots > 2^46, in divisions: page is whatever sysconf said, so
     * the product could overflow (a > (m / s) / p <=> a * p * s > m for positive integers). */
    if (o->slot_pages + 2 > MAX_POOL_BYTES / o->pool_slots / page)
        return memapi__fail_other(err, opt_pool);
    return MEMAPI_OK;
}

#ifndef __FRAMAC__ /* not proved yet (proofs/README.md, "The guard allocator") */
static uint64_t make_secret(const memapi_guard *g)
{
    uint64_t s = 0;
    if (MEMAPI_OS(getentropy)(&s, sizeof s) != 0)
        s = (uint64_t)(uintptr_t)g ^ (uint64_t)(uintptr_t)&s ^ (uint64_t)getpid();
    return mix64(s);
}

#endif /* __FRAMAC__ */

/*@ requires align >= 1 && v + align - 1 <= SIZE_MAX;
    assigns \nothing; */
static size_t round_to(size_t v, size_t align)
{
    return (v + (align - 1)) & ~(align - 1);
}

#ifndef __FRAMAC__ /* not proved yet (proofs/README.md, "The guard allocator") */
/* The metadata: [inaccessible page][header, records, free FIFO, quarantine ring][inaccessible page]. */
static meta *map_meta(const memapi_guard_options *o, size_t page, size_t *bytes, memapi_error *err)
{
    size_t rec_off = round_to(sizeof(meta), _Alignof(record));
    size_t fifo_off = rec_off + o->pool_slots * sizeof(record);
    size_t ring_off = fifo_off + o->pool_slots * sizeof(uint32_t);
    size_t body = round_to(ring_off + o->quarantine * sizeof(uint32_t), page);
    size_t len = body + 2 * page;
    memapi_layout ml = {len, page};
    void *m = MEMAPI_OS(mmap)(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED)
        return fail_os(err, ml, errno);
    unsigned char *b = (unsigned char *)m + page;
    if (MEMAPI_OS(mprotect)(b, body, PROT_READ | PROT_WRITE) != 0) {
        int code = errno;
        (void)MEMAPI_OS(munmap)(m, len);
        return fail_os(err, ml, code);
    }
    meta *h = (meta *)(void *)b;
    h->rec = (record *)(void *)(b + rec_off);
    h->fifo = (uint32_t *)(void *)(b + fifo_off);
    h->ring = (uint32_t *)(void *)(b + ring_off);
    *bytes = len;
    return h;
}

/*
 * The pool, every page inaccessible: one PROT_NONE reservation. Guard regions are tried on its first
 * page only (that slot's leading guard page, which stays a guard): where the kernel has them, slots
 * are armed as they are first needed (arm_slots); elsewhere, or forced, the pool stays PROT_NONE and
 * each block's pages are opened with mprotect.
 */
static void *map_pool(size_t bytes, size_t page, bool force_mprotect, bool *use_mprotect, int *code)
{
    void *m = MEMAPI_OS(mmap)(NULL, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) {
        *code = errno;
        return NULL;
    }
    *use_mprotect = force_mprotect || MEMAPI_OS(madvise)(m, page, MADV_GUARD_INSTALL) != 0;
    return m;
}

memapi_status memapi_guard_init(memapi_guard *g, const memapi_guard_options *opts, memapi_error *err)
{
    memapi_guard_options o = opts != NULL ? *opts : memapi_guard_options_default();
    long ps = MEMAPI_OS(sysconf)(_SC_PAGESIZE);
    size_t page = ps > 0 ? (size_t)ps : 4096u;
    if (check_options(&o, page, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    (void)pthread_once(&handler_once, install_handler);
    if (handler_status != 0)
        return memapi__fail_other(err, "guard: cannot install the SIGSEGV handler");
    size_t meta_bytes = 0;
    meta *m = map_meta(&o, page, &meta_bytes, err);
    if (m == NULL)
        return MEMAPI_ERROR;
    size_t stride = (o.slot_pages + 2) * page;
    size_t pool_bytes = stride * o.pool_slots;
    bool use_mprotect = false;
    int code = 0;
    void *pool = map_pool(pool_bytes, page, o.force_mprotect, &use_mprotect, &code);
    if (pool == NULL) {
        (void)MEMAPI_OS(munmap)((unsigned char *)m - page, meta_bytes);
        memapi_layout pl = {pool_bytes, page};
        fail_os(err, pl, code);
        return MEMAPI_ERROR;
    }
    memset(g, 0, sizeof *g);
    g->opts = o;
    g->page = page;
    g->stride = stride;
    g->pool = (uintptr_t)pool;
    g->pool_bytes = pool_bytes;
    g->meta = m;
    g->meta_bytes = meta_bytes;
    g->countdown = 1;
    g->use_mprotect = use_mprotect;
    g->armed = use_mprotect ? o.pool_slots : 0; /* mprotect opens each block's pages itself */
    g->secret = make_secret(g);
    g->stats.pool_bytes = pool_bytes;
    g->stats.metadata_bytes = meta_bytes;
    g->stats.uses_mprotect = use_mprotect;
    m->pool = g->pool;
    m->pool_bytes = pool_bytes;
    m->stride = stride;
    m->page = page;
    register_meta(m);
    return MEMAPI_OK;
}

void memapi_guard_destroy(memapi_guard *g)
{
    unregister_meta(g->meta);
    (void)MEMAPI_OS(munmap)((void *)g->pool, g->pool_bytes);
    (void)MEMAPI_OS(munmap)((unsigned char *)g->meta - g->page, g->meta_bytes);
    memset(g, 0, sizeof *g);
}

#endif /* __FRAMAC__ */

/*@ requires \valid(g);
    requires err == \null || \valid(err);
    requires n > 1 ==> g->opts.fallback.vt == \null || \valid_read(g->opts.fallback.vt);
    assigns g->opts.sample_every, g->countdown, *err;
    behavior ok:
      assumes guard_sampling_ok(n, g->opts.fallback);
      assigns g->opts.sample_every, g->countdown;
      ensures \result == MEMAPI_OK && g->opts.sample_every == n && g->countdown == 1;
    behavior bad:
      assumes !guard_sampling_ok(n, g->opts.fallback);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_other(err, n == 0 ? (char *)opt_sample : (char *)opt_fallback);
    complete behaviors;
    disjoint behaviors;
*/
memapi_status memapi_guard_set_sample_every(memapi_guard *g, size_t n, memapi_error *err)
{
    const char *why = sampling_error(n, g->opts.fallback);
    if (why != NULL)
        return memapi__fail_other(err, why);
    g->opts.sample_every = n;
    g->countdown = 1;
    return MEMAPI_OK;
}

#ifndef __FRAMAC__ /* not proved yet (proofs/README.md, "The guard allocator") */
memapi_allocator memapi_guard_allocator(memapi_guard *g)
{
    memapi_allocator a = {&guard_vtable, g};
    return a;
}

memapi_status memapi_guard_block_layout(const memapi_guard *g, const void *ptr, memapi_layout *out,
                                        memapi_error *err)
{
    if (!in_pool(g, ptr))
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, ptr, "pointer not owned by this allocator");
    size_t slot;
    snapshot s;
    if (pool_lookup(g, ptr, &slot, &s, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    *out = s.layout;
    return MEMAPI_OK;
}

#endif /* __FRAMAC__ */

/*@ requires \valid_read(g);
    assigns \nothing;
    ensures \result.live_blocks == g->stats.live_blocks && \result.accessible_bytes == g->stats.accessible_bytes && \result.quarantined_blocks == g->stats.quarantined_blocks && \result.guarded_allocs == g->stats.guarded_allocs;
    ensures \result.sampled_out_allocs == g->stats.sampled_out_allocs && \result.capacity_fallbacks == g->stats.capacity_fallbacks && \result.oversize_fallbacks == g->stats.oversize_fallbacks;
    ensures \result.pool_bytes == g->stats.pool_bytes && \result.metadata_bytes == g->stats.metadata_bytes && \result.uses_mprotect == g->stats.uses_mprotect; */
memapi_guard_statistics memapi_guard_stats(const memapi_guard *g)
{
    return g->stats;
}
