/*
 * The guard allocator (include/memapi2/guard.h): one mapping per block with PROT_NONE guard pages,
 * canaries in the slack, a FIFO quarantine of PROT_NONE freed blocks, and a SIGSEGV handler that
 * names the block a fault belongs to.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "memapi2/guard.h"
#include "memapi2/default.h"
#include "internal/error_set.h"

#define MAX_GUARD_PAGES 65536u
#define ALT_STACK_BYTES (64u * 1024u)

struct memapi__guard_entry {
    uintptr_t ptr;
    memapi_layout layout;
    uintptr_t base;
    size_t len;
    bool freed;
};

typedef struct memapi__guard_entry entry;

/* ---- the SIGSEGV handler and the list of live guard allocators it searches -------------------- */

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic(memapi_guard *) registry_head;
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
    char digits[2 * sizeof(uintptr_t) * 4];
    size_t n = 0;
    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v != 0 && n < sizeof digits);
    while (n > 0 && l->len < sizeof l->buf)
        l->buf[l->len++] = digits[--n];
}

static void report_fault(const char *what, const entry *e)
{
    line l = {{0}, 0};
    line_str(&l, "memapi guard: ");
    line_str(&l, what);
    line_str(&l, " block 0x");
    line_num(&l, e->ptr, 16u);
    line_str(&l, " (Layout(size: ");
    line_num(&l, e->layout.size, 10u);
    line_str(&l, ", align: ");
    line_num(&l, e->layout.align, 10u);
    line_str(&l, "))\n");
    size_t off = 0;
    while (off < l.len) {
        ssize_t w = write(STDERR_FILENO, l.buf + off, l.len - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
}

/* What a fault at `addr` means for the blocks of g, or NULL when it is not one of g's pages. */
static const char *classify(const memapi_guard *g, uintptr_t addr, const entry **hit)
{
    size_t before = g->opts.guard_before * g->page;
    size_t after = g->opts.guard_after * g->page;
    for (size_t i = 0; i < g->count; i++) {
        const entry *e = &g->table[i];
        if (addr < e->base || addr - e->base >= e->len)
            continue;
        *hit = e;
        if (addr - e->base < before)
            return "underflow before";
        if (addr - e->base >= e->len - after)
            return "overflow past";
        return e->freed ? "use after free of" : NULL;
    }
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
    for (memapi_guard *g = atomic_load(&registry_head); g != NULL; g = g->next) {
        const entry *hit = NULL;
        const char *what = classify(g, addr, &hit);
        if (what != NULL) {
            report_fault(what, hit);
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

static void register_guard(memapi_guard *g)
{
    pthread_mutex_lock(&registry_lock);
    g->next = atomic_load(&registry_head);
    atomic_store(&registry_head, g);
    pthread_mutex_unlock(&registry_lock);
}

static void unregister_guard(memapi_guard *g)
{
    pthread_mutex_lock(&registry_lock);
    memapi_guard *cur = atomic_load(&registry_head);
    if (cur == g) {
        atomic_store(&registry_head, g->next);
    } else {
        while (cur != NULL && cur->next != g)
            cur = cur->next;
        if (cur != NULL)
            cur->next = g->next;
    }
    pthread_mutex_unlock(&registry_lock);
}

/* ---- helpers --------------------------------------------------------------------------------- */

static void *fail_os(memapi_error *err, memapi_layout l, int code)
{
    memapi__fail_alloc(err, l, MEMAPI_CAUSE_OS_ERR, code, NULL);
    return NULL;
}

static size_t round_up(size_t v, size_t align)
{
    return (v + align - 1) & ~(align - 1);
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

static uintptr_t data_start(const memapi_guard *g, const entry *e)
{
    return e->base + g->opts.guard_before * g->page;
}

static uintptr_t data_end(const memapi_guard *g, const entry *e)
{
    return e->base + e->len - g->opts.guard_after * g->page;
}

static void write_canary(const memapi_guard *g, const entry *e)
{
    unsigned char pat[8];
    block_pattern(g, e->ptr, pat);
    uintptr_t start = data_start(g, e);
    pattern_fill(start, e->ptr, pat);
    if (start < e->ptr)
        *(unsigned char *)start = 0;
    pattern_fill(e->ptr + e->layout.size, data_end(g, e), pat);
}

static bool canary_intact(const memapi_guard *g, const entry *e)
{
    unsigned char pat[8];
    block_pattern(g, e->ptr, pat);
    uintptr_t start = data_start(g, e);
    if (start < e->ptr && (*(const unsigned char *)start != 0 || !pattern_intact(start + 1, e->ptr, pat)))
        return false;
    return pattern_intact(e->ptr + e->layout.size, data_end(g, e), pat);
}

static size_t find_exact(const memapi_guard *g, uintptr_t p)
{
    for (size_t i = 0; i < g->count; i++)
        if (g->table[i].ptr == p)
            return i;
    return g->count;
}

static size_t find_range(const memapi_guard *g, uintptr_t p)
{
    for (size_t i = 0; i < g->count; i++)
        if (p >= g->table[i].base && p - g->table[i].base < g->table[i].len)
            return i;
    return g->count;
}

/* Room for one more entry: the table moves to a mapping twice as large when full. */
static memapi_status table_reserve(memapi_guard *g, memapi_layout l, memapi_error *err)
{
    if (g->count < g->cap)
        return MEMAPI_OK;
    size_t cap = g->cap == 0 ? g->page / sizeof(entry) : g->cap * 2;
    void *m = mmap(NULL, cap * sizeof(entry), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        fail_os(err, l, errno);
        return MEMAPI_ERROR;
    }
    entry *old = g->table;
    if (old != NULL)
        memcpy(m, old, g->count * sizeof(entry));
    g->table = (entry *)m;
    if (old != NULL)
        (void)munmap(old, g->cap * sizeof(entry));
    g->cap = cap;
    return MEMAPI_OK;
}

static void unmap_entry(memapi_guard *g, size_t i)
{
    entry *e = &g->table[i];
    (void)munmap((void *)e->base, e->len);
    g->stats.mapped_bytes -= e->len;
    g->table[i] = g->table[g->count - 1];
    g->count--;
}

/* ---- the allocator --------------------------------------------------------------------------- */

static void *guarded_alloc(memapi_guard *g, memapi_layout l, bool zero, memapi_error *err)
{
    if (table_reserve(g, l, err) != MEMAPI_OK)
        return NULL;
    size_t page = g->page;
    size_t before = g->opts.guard_before * page;
    size_t data = round_up(l.size, page) + (l.align > page ? l.align - page : 0);
    size_t len = before + data + g->opts.guard_after * page;
    void *m = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return fail_os(err, l, errno);
    uintptr_t dstart = (uintptr_t)m + before;
    if (mprotect((void *)dstart, data, PROT_READ | PROT_WRITE) != 0) {
        int code = errno;
        (void)munmap(m, len);
        return fail_os(err, l, code);
    }
    entry *e = &g->table[g->count];
    e->ptr = (dstart + data - l.size) & ~(uintptr_t)(l.align - 1);
    e->layout = l;
    e->base = (uintptr_t)m;
    e->len = len;
    e->freed = false;
    if (!zero && g->opts.fill_byte >= 0)
        memset((void *)e->ptr, g->opts.fill_byte, l.size);
    if (g->opts.canary)
        write_canary(g, e);
    g->count++;
    g->stats.live_blocks++;
    g->stats.mapped_bytes += len;
    g->stats.guarded_allocs++;
    return (void *)e->ptr;
}

static void *guard_any_alloc(void *self, memapi_layout l, bool zero, memapi_error *err)
{
    memapi_guard *g = (memapi_guard *)self;
    if (l.size == 0)
        return memapi_layout_dangling(l);
    size_t seq = g->alloc_seq++;
    if (seq % g->opts.sample_every != 0) {
        g->stats.sampled_out_allocs++;
        return zero ? memapi_zalloc(g->opts.fallback, l, err) : memapi_alloc(g->opts.fallback, l, err);
    }
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

/* Protect a freed block and queue it; the oldest quarantined block is unmapped when the queue is full. */
static void release(memapi_guard *g, size_t i)
{
    entry *e = &g->table[i];
    uintptr_t dstart = data_start(g, e);
    g->stats.live_blocks--;
    if (g->opts.free_fill >= 0)
        memset((void *)e->ptr, g->opts.free_fill, e->layout.size);
    size_t depth = g->opts.quarantine;
    if (depth == 0 || mprotect((void *)dstart, data_end(g, e) - dstart, PROT_NONE) != 0) {
        unmap_entry(g, i);
        return;
    }
    e->freed = true;
    uintptr_t p = e->ptr;
    if (g->stats.quarantined_blocks == depth) {
        size_t oldest = find_exact(g, (uintptr_t)g->ring[g->ring_head]);
        if (oldest < g->count)
            unmap_entry(g, oldest);
        g->ring_head = (g->ring_head + 1) % depth;
        g->stats.quarantined_blocks--;
    }
    g->ring[(g->ring_head + g->stats.quarantined_blocks) % depth] = (void *)p;
    g->stats.quarantined_blocks++;
}

static bool sampling(const memapi_guard *g)
{
    return g->opts.sample_every > 1;
}

static memapi_status guard_try_dealloc(void *self, void *ptr, memapi_layout l, memapi_error *err)
{
    memapi_guard *g = (memapi_guard *)self;
    uintptr_t p = (uintptr_t)ptr;
    size_t i = find_exact(g, p);
    if (i == g->count) {
        if (find_range(g, p) < g->count)
            return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, ptr, "interior pointer");
        if (l.size == 0 || ptr == memapi_layout_dangling(l))
            return MEMAPI_OK;
        if (sampling(g))
            return memapi_try_dealloc(g->opts.fallback, ptr, l, err);
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, ptr, "pointer not owned by this allocator");
    }
    const entry *e = &g->table[i];
    if (e->freed)
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, ptr, "double free");
    if (!memapi_layout_eq(e->layout, l))
        return memapi__fail_mismatch(err, ptr, l, e->layout);
    if (g->opts.canary && !canary_intact(g, e))
        return memapi__fail_ptr(err, MEMAPI_E_CORRUPTION, ptr, "canary overwritten");
    release(g, i);
    return MEMAPI_OK;
}

static memapi_status guard_owns(void *self, const void *ptr, memapi_layout l, memapi_error *err)
{
    memapi_guard *g = (memapi_guard *)self;
    uintptr_t p = (uintptr_t)ptr;
    size_t i = find_exact(g, p);
    if (i < g->count) {
        const entry *e = &g->table[i];
        if (e->freed)
            return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, ptr, "block already freed");
        if (!memapi_layout_eq(e->layout, l))
            return memapi__fail_mismatch(err, ptr, l, e->layout);
        return MEMAPI_OK;
    }
    if (find_range(g, p) < g->count)
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, ptr, "interior pointer");
    if (l.size == 0 && ptr == memapi_layout_dangling(l))
        return MEMAPI_OK;
    if (!sampling(g))
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, ptr, "pointer not owned by this allocator");
    if (g->opts.fallback.vt->owns == NULL)
        return memapi__fail(err, MEMAPI_E_UNSUPPORTED);
    return g->opts.fallback.vt->owns(g->opts.fallback.self, ptr, l, err);
}

static const memapi_alloc_vtable guard_vtable = {
    .name = "guard",
    .caps = MEMAPI_CAP_DEALLOC | MEMAPI_CAP_REALLOC | MEMAPI_CAP_CHECKED_DEALLOC | MEMAPI_CAP_CHECKED_REALLOC,
    .alloc = guard_alloc,
    .zalloc = guard_zalloc,
    .try_dealloc = guard_try_dealloc,
    .grow = NULL,
    .zgrow = NULL,
    .shrink = NULL,
    .realloc = NULL,
    .rezalloc = NULL,
    .owns = guard_owns,
    .alloc_temp = NULL,
};

/* ---- lifecycle ------------------------------------------------------------------------------- */

memapi_guard_options memapi_guard_options_default(void)
{
    memapi_guard_options o;
    memset(&o, 0, sizeof o);
    o.guard_before = 0;
    o.guard_after = 1;
    o.canary = true;
    o.fill_byte = 0xAA;
    o.free_fill = -1;
    o.quarantine = 16;
    o.sample_every = 1;
    o.fallback = memapi_default();
    return o;
}

static bool byte_or_none(int v)
{
    return v >= -1 && v <= 255;
}

static memapi_status check_options(const memapi_guard_options *o, memapi_error *err)
{
    if (o->sample_every == 0)
        return memapi__fail_other(err, "guard options: sample_every must be at least 1");
    if (!byte_or_none(o->fill_byte) || !byte_or_none(o->free_fill))
        return memapi__fail_other(err, "guard options: fill_byte and free_fill must be -1 or 0..255");
    if (o->guard_before > MAX_GUARD_PAGES || o->guard_after > MAX_GUARD_PAGES)
        return memapi__fail_other(err, "guard options: guard_before and guard_after must be at most 65536 pages");
    if (o->sample_every > 1 &&
        (o->fallback.vt == NULL || o->fallback.vt->alloc == NULL || o->fallback.vt->try_dealloc == NULL))
        return memapi__fail_other(err, "guard options: the fallback needs alloc and try_dealloc");
    return MEMAPI_OK;
}

static uint64_t make_secret(const memapi_guard *g)
{
    uint64_t s = 0;
    if (getentropy(&s, sizeof s) != 0)
        s = (uint64_t)(uintptr_t)g ^ (uint64_t)(uintptr_t)&s ^ (uint64_t)getpid();
    return mix64(s);
}

memapi_status memapi_guard_init(memapi_guard *g, const memapi_guard_options *opts, memapi_error *err)
{
    memapi_guard_options o = opts != NULL ? *opts : memapi_guard_options_default();
    if (check_options(&o, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    long ps = sysconf(_SC_PAGESIZE);
    size_t page = ps > 0 ? (size_t)ps : 4096u;
    void **ring = NULL;
    size_t ring_bytes = 0;
    if (o.quarantine > 0) {
        memapi_layout rl = {o.quarantine, sizeof(void *)};
        if (o.quarantine > MEMAPI_USIZE_MAX_NO_HIGH_BIT / sizeof(void *) / 2) {
            fail_os(err, rl, ENOMEM);
            return MEMAPI_ERROR;
        }
        ring_bytes = round_up(o.quarantine * sizeof(void *), page);
        rl.size = ring_bytes;
        void *m = mmap(NULL, ring_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) {
            fail_os(err, rl, errno);
            return MEMAPI_ERROR;
        }
        ring = (void **)m;
    }
    (void)pthread_once(&handler_once, install_handler);
    if (handler_status != 0) {
        if (ring != NULL)
            (void)munmap(ring, ring_bytes);
        return memapi__fail_other(err, "guard: cannot install the SIGSEGV handler");
    }
    memset(g, 0, sizeof *g);
    g->opts = o;
    g->page = page;
    g->ring = ring;
    g->secret = make_secret(g);
    register_guard(g);
    return MEMAPI_OK;
}

void memapi_guard_destroy(memapi_guard *g)
{
    unregister_guard(g);
    for (size_t i = 0; i < g->count; i++)
        (void)munmap((void *)g->table[i].base, g->table[i].len);
    if (g->table != NULL)
        (void)munmap(g->table, g->cap * sizeof(entry));
    if (g->ring != NULL)
        (void)munmap(g->ring, round_up(g->opts.quarantine * sizeof(void *), g->page));
    memset(g, 0, sizeof *g);
}

memapi_allocator memapi_guard_allocator(memapi_guard *g)
{
    memapi_allocator a = {&guard_vtable, g};
    return a;
}

memapi_guard_statistics memapi_guard_stats(const memapi_guard *g)
{
    return g->stats;
}
