/*
 * libmemapi2-preload.so: the C allocation functions of an unmodified, dynamically linked program
 * (LD_PRELOAD) served by memapi's guard, tracking and failing allocators over glibc's own
 * allocator, configured by MEMAPI_* environment variables (README.md, "The preload library";
 * docs/design.md, "The preload library").
 *
 * The allocators composed here:
 *   alloc:  [failing] -> [tracking] -> sampler -> guard (1 in N) | glibc (__libc_malloc ...)
 *   free:                [tracking] -> sampler -> guard (pointer in its pool) | glibc (__libc_free)
 * The sampler is the fast path: with neither tracking nor failing on, no lock is taken unless the
 * allocation is sampled or the pointer lies in the guard's pool (one range test). The layout a free
 * needs comes from where the block is recorded: the tracking table, the guard's slot record, or
 * glibc itself (which needs none).
 *
 * This file's globals (the configuration, the allocators' states, the locks, the bootstrap arena)
 * are the preload's state DESIGN.md section 2 allows: an interposed malloc has no caller to hand it
 * a context.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "memapi2.h"
#include "internal/error_set.h"

#define EXPORT __attribute__((visibility("default")))
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/* glibc's allocator under its internal names: always there, needing no lookup (and so no dlsym
 * during the first malloc). malloc_usable_size has no such name: dlsym(RTLD_NEXT) at init. */
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t align, size_t n);
extern void __libc_free(void *p);

#define MALLOC_ALIGN ((size_t)16) /* glibc's guarantee on x86-64, _Alignof(max_align_t) */

/* ---- configuration -------------------------------------------------------------------------- */

typedef struct config {
    size_t guard_sample;   /* MEMAPI_GUARD_SAMPLE: 1 in N allocations guarded; 0 = off */
    size_t guard_slots;    /* MEMAPI_GUARD_SLOTS */
    size_t guard_pages;    /* MEMAPI_GUARD_SLOT_PAGES */
    size_t quarantine;     /* MEMAPI_GUARD_QUARANTINE */
    memapi_guard_placement placement; /* MEMAPI_GUARD_PLACEMENT: end, start, alternate */
    bool track;            /* MEMAPI_TRACK=1 (or MEMAPI_LEAKS=1) */
    bool leaks;            /* MEMAPI_LEAKS=1: leak report at exit */
    bool keep_going;       /* MEMAPI_CONTINUE=1: report a misuse, skip the call, go on */
    bool stats;            /* MEMAPI_STATS=1: counters at exit, on stderr */
    const char *stats_file; /* MEMAPI_STATS_FILE: counters at exit, appended to this file instead */
    uint64_t fail_nth;     /* MEMAPI_FAIL_NTH */
    uint64_t fail_after;   /* MEMAPI_FAIL_AFTER (UINT64_MAX: off) */
} config;

static config cfg;

enum { BOOT_NONE = 0, BOOT_RUNNING = 1, BOOT_READY = 2 };
static _Atomic int boot_state;
static _Atomic pthread_t boot_owner;

static bool guard_on;   /* cfg.guard_sample != 0 and the guard initialised */
static bool wrapped;    /* tracking or failing on: every call goes through wrap_lock */
static memapi_guard guard;
static memapi_tracking tracking;
static memapi_failing failing;
static memapi_allocator alloc_top; /* failing, tracking or the sampler */
static memapi_allocator free_top;  /* tracking or the sampler (frees are never failed) */
static pthread_mutex_t guard_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t wrap_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic size_t countdown = 1;
static _Atomic size_t misuses;
static size_t (*real_usable_size)(void *);

/* ---- reporting ------------------------------------------------------------------------------ */

static void say(const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

/* The library's fatal hook, without stdio: the hook may run inside malloc. */
static void fatal_hook(const char *msg)
{
    say("memapi preload: ", 16);
    say(msg, strlen(msg));
    say("\n", 1);
    abort();
}

/* One line `memapi preload: fn(0xADDR): <the library's error text>`; stops unless MEMAPI_CONTINUE. */
static void misuse(const char *fn, const void *p, const memapi_error *e)
{
    char text[320], line[420];
    memapi_error_format(e, text, sizeof text);
    int n = snprintf(line, sizeof line, "memapi preload: %s(%p): %s\n", fn, p, text);
    if (n > 0)
        say(line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
    if (!cfg.keep_going)
        abort();
    atomic_fetch_add_explicit(&misuses, 1, memory_order_relaxed);
}

/* ---- glibc as a memapi allocator (the sampler's and the guard's fallback) ------------------- */

static void *libc_alloc_raw(size_t size, size_t align, bool zero)
{
    if (align <= MALLOC_ALIGN)
        return zero ? __libc_calloc(1, size) : __libc_malloc(size);
    void *p = __libc_memalign(align, size);
    if (p != NULL && zero)
        memset(p, 0, size);
    return p;
}

static void *libc_any_alloc(memapi_layout l, bool zero, memapi_error *err)
{
    void *p = libc_alloc_raw(l.size, l.align, zero);
    if (p == NULL)
        memapi__fail_alloc(err, l, MEMAPI_CAUSE_OS_ERR, errno, NULL);
    return p;
}

static void *libc_vt_alloc(void *self, memapi_layout l, memapi_error *err)
{
    (void)self;
    return libc_any_alloc(l, false, err);
}

static void *libc_vt_zalloc(void *self, memapi_layout l, memapi_error *err)
{
    (void)self;
    return libc_any_alloc(l, true, err);
}

static memapi_status libc_vt_free(void *self, void *p, memapi_layout l, memapi_error *err)
{
    (void)self, (void)l, (void)err;
    __libc_free(p);
    return MEMAPI_OK;
}

static const memapi_alloc_vtable libc_vtable = {
    .name = "glibc",
    .caps = MEMAPI_CAP_DEALLOC | MEMAPI_CAP_SHARED,
    .alloc = libc_vt_alloc,
    .zalloc = libc_vt_zalloc,
    .try_dealloc = libc_vt_free,
};

/* ---- the sampler: 1 in N allocations on the guard, the rest on glibc ------------------------- */

/* Relaxed load and store, no read-modify-write: under threads the rate is 1 in N on average. */
static bool sample_now(void)
{
    size_t n = atomic_load_explicit(&countdown, memory_order_relaxed);
    if (n > 1) {
        atomic_store_explicit(&countdown, n - 1, memory_order_relaxed);
        return false;
    }
    atomic_store_explicit(&countdown, cfg.guard_sample, memory_order_relaxed);
    return true;
}

/* A guarded block, or NULL when the guard cannot hold it (full pool, larger than a slot): the
 * caller then serves it from glibc, as GWP-ASan does. */
static void *guarded_alloc(memapi_layout l, bool zero)
{
    pthread_mutex_lock(&guard_lock);
    memapi_allocator g = memapi_guard_allocator(&guard);
    void *p = zero ? memapi_zalloc(g, l, NULL) : memapi_alloc(g, l, NULL);
    pthread_mutex_unlock(&guard_lock);
    return p;
}

/* sampled: the caller already drew the sample (1), drew none (0), or leaves it to this call (-1). */
static void *sampler_draw_alloc(memapi_layout l, bool zero, int sampled, memapi_error *err)
{
    if (sampled < 0)
        sampled = guard_on && sample_now();
    if (sampled && l.size != 0) {
        void *p = guarded_alloc(l, zero);
        if (p != NULL)
            return p;
    }
    return libc_any_alloc(l, zero, err);
}

static void *sampler_vt_alloc(void *self, memapi_layout l, memapi_error *err)
{
    (void)self;
    return sampler_draw_alloc(l, false, -1, err);
}

static void *sampler_vt_zalloc(void *self, memapi_layout l, memapi_error *err)
{
    (void)self;
    return sampler_draw_alloc(l, true, -1, err);
}

static memapi_status guarded_free(void *p, memapi_layout l, memapi_error *err)
{
    pthread_mutex_lock(&guard_lock);
    memapi_status st = memapi_try_dealloc(memapi_guard_allocator(&guard), p, l, err);
    pthread_mutex_unlock(&guard_lock);
    return st;
}

static memapi_status sampler_vt_free(void *self, void *p, memapi_layout l, memapi_error *err)
{
    (void)self;
    if (guard_on && memapi_guard_contains(&guard, p))
        return guarded_free(p, l, err);
    __libc_free(p);
    return MEMAPI_OK;
}

static const memapi_alloc_vtable sampler_vtable = {
    .name = "sampler",
    .caps = MEMAPI_CAP_DEALLOC | MEMAPI_CAP_SHARED,
    .alloc = sampler_vt_alloc,
    .zalloc = sampler_vt_zalloc,
    .try_dealloc = sampler_vt_free,
};

/* ---- bootstrap: calls made while this library initialises ------------------------------------ */

/*
 * A call made by the initialising thread itself (dlsym, pthread_atfork, the guard's first init)
 * is served from a static arena through the malloc front end over the bump allocator, so that its
 * size is known if it is resized later; such blocks are never given back (a free is a no-op). Other
 * threads wait for the initialisation to finish.
 */
#define BOOT_ARENA_BYTES ((size_t)64 * 1024)
static _Alignas(64) unsigned char boot_buf[BOOT_ARENA_BYTES];
static memapi_bump boot_bump;
static bool boot_bump_ready;

static bool in_boot_arena(const void *p)
{
    return (uintptr_t)p - (uintptr_t)boot_buf < BOOT_ARENA_BYTES;
}

static void *boot_alloc(size_t n, size_t align, bool zero)
{
    if (!boot_bump_ready) {
        if (memapi_bump_init(&boot_bump, boot_buf, sizeof boot_buf, NULL) != MEMAPI_OK)
            return NULL;
        boot_bump_ready = true;
    }
    memapi_allocator b = memapi_bump_allocator(&boot_bump);
    void *p = align <= MALLOC_ALIGN ? memapi_cmalloc_malloc(b, n, NULL) : memapi_cmalloc_aligned_alloc(b, align, n, NULL);
    if (p != NULL && zero)
        memset(p, 0, n);
    return p;
}

static size_t env_size(const char *name, size_t dflt)
{
    const char *v = getenv(name);
    if (v == NULL || *v == '\0')
        return dflt;
    char *end;
    unsigned long long x = strtoull(v, &end, 10);
    if (*end != '\0')
        return dflt;
    return (size_t)x;
}

static bool env_flag(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && strcmp(v, "1") == 0;
}

static void read_config(void)
{
    cfg.guard_sample = env_size("MEMAPI_GUARD_SAMPLE", 0);
    cfg.guard_slots = env_size("MEMAPI_GUARD_SLOTS", 4096);
    cfg.guard_pages = env_size("MEMAPI_GUARD_SLOT_PAGES", 4);
    cfg.quarantine = env_size("MEMAPI_GUARD_QUARANTINE", 16);
    const char *pl = getenv("MEMAPI_GUARD_PLACEMENT");
    cfg.placement = MEMAPI_GUARD_PLACE_END;
    if (pl != NULL && strcmp(pl, "start") == 0)
        cfg.placement = MEMAPI_GUARD_PLACE_START;
    else if (pl != NULL && strcmp(pl, "alternate") == 0)
        cfg.placement = MEMAPI_GUARD_PLACE_ALTERNATE;
    cfg.leaks = env_flag("MEMAPI_LEAKS");
    cfg.track = cfg.leaks || env_flag("MEMAPI_TRACK");
    cfg.keep_going = env_flag("MEMAPI_CONTINUE");
    cfg.stats_file = getenv("MEMAPI_STATS_FILE");
    cfg.stats = env_flag("MEMAPI_STATS") || cfg.stats_file != NULL;
    cfg.fail_nth = env_size("MEMAPI_FAIL_NTH", 0);
    cfg.fail_after = getenv("MEMAPI_FAIL_AFTER") != NULL ? env_size("MEMAPI_FAIL_AFTER", UINT64_MAX) : UINT64_MAX;
}

static void config_error(const char *what, const memapi_error *e)
{
    char text[320], line[420];
    memapi_error_format(e, text, sizeof text);
    int n = snprintf(line, sizeof line, "memapi preload: %s: %s\n", what, text);
    if (n > 0)
        say(line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
    _exit(127);
}

/* fork: no lock may be held by another thread at the moment of the fork, or the child, which
 * has only the forking thread, would wait for it forever. */
static void before_fork(void)
{
    pthread_mutex_lock(&wrap_lock);
    pthread_mutex_lock(&guard_lock);
}

static void after_fork_parent(void)
{
    pthread_mutex_unlock(&guard_lock);
    pthread_mutex_unlock(&wrap_lock);
}

static void after_fork_child(void)
{
    pthread_mutex_init(&guard_lock, NULL);
    pthread_mutex_init(&wrap_lock, NULL);
}

static void initialise(void)
{
    read_config();
    memapi_set_fatal_hook(fatal_hook);
    real_usable_size = (size_t(*)(void *))dlsym(RTLD_NEXT, "malloc_usable_size");
    memapi_error e;
    memapi_allocator libc = {&libc_vtable, NULL};
    memapi_allocator sampler = {&sampler_vtable, NULL};
    if (cfg.guard_sample != 0) {
        memapi_guard_options o = memapi_guard_options_default();
        o.pool_slots = cfg.guard_slots;
        o.slot_pages = cfg.guard_pages;
        o.quarantine = cfg.quarantine;
        o.placement = cfg.placement;
        o.fallback = libc;
        if (memapi_guard_init(&guard, &o, &e) != MEMAPI_OK)
            config_error("MEMAPI_GUARD_*", &e);
        guard_on = true;
    }
    free_top = sampler;
    if (cfg.track) {
        if (memapi_tracking_init(&tracking, sampler, &e) != MEMAPI_OK)
            config_error("MEMAPI_TRACK", &e);
        free_top = memapi_tracking_allocator(&tracking);
    }
    alloc_top = free_top;
    if (cfg.fail_nth != 0 || cfg.fail_after != UINT64_MAX) {
        if (memapi_failing_init(&failing, free_top, &e) != MEMAPI_OK)
            config_error("MEMAPI_FAIL_*", &e);
        memapi_failing_set_nth(&failing, cfg.fail_nth);
        memapi_failing_set_after(&failing, cfg.fail_after);
        alloc_top = memapi_failing_allocator(&failing);
    }
    wrapped = alloc_top.vt != &sampler_vtable;
    (void)pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}

/* False while this thread is the one initialising (its calls then go to the bootstrap arena). */
static bool ensure_ready(void)
{
    for (;;) {
        int s = atomic_load_explicit(&boot_state, memory_order_acquire);
        if (s == BOOT_READY)
            return true;
        if (s == BOOT_RUNNING) {
            if (pthread_equal(atomic_load_explicit(&boot_owner, memory_order_relaxed), pthread_self()))
                return false;
            sched_yield();
            continue;
        }
        int expected = BOOT_NONE;
        atomic_store_explicit(&boot_owner, pthread_self(), memory_order_relaxed);
        if (atomic_compare_exchange_strong(&boot_state, &expected, BOOT_RUNNING)) {
            initialise();
            atomic_store_explicit(&boot_state, BOOT_READY, memory_order_release);
            return true;
        }
    }
}

__attribute__((constructor)) static void preload_init(void)
{
    (void)ensure_ready();
}

/* ---- the allocation paths ------------------------------------------------------------------- */

/* The layout of a request: C gives malloc's alignment to every block. */
static bool request_layout(size_t n, size_t align, memapi_layout *l)
{
    if (align < MALLOC_ALIGN)
        align = MALLOC_ALIGN;
    if (n > (size_t)PTRDIFF_MAX - (align - 1))
        return false;
    l->size = n;
    l->align = align;
    return true;
}

/* Everything but the sampled-out path of malloc and free: out of line, so that the fast path in
 * the interposed functions keeps no frame for it. */
static __attribute__((noinline)) void *any_alloc_draw(size_t n, size_t align, bool zero, int sampled)
{
    if (UNLIKELY(!ensure_ready()))
        return boot_alloc(n, align, zero);
    memapi_layout l;
    if (!request_layout(n, align, &l)) {
        errno = ENOMEM;
        return NULL;
    }
    void *p;
    if (!wrapped) {
        p = sampler_draw_alloc(l, zero, sampled, NULL);
    } else {
        pthread_mutex_lock(&wrap_lock);
        p = zero ? memapi_zalloc(alloc_top, l, NULL) : memapi_alloc(alloc_top, l, NULL);
        pthread_mutex_unlock(&wrap_lock);
    }
    if (p == NULL)
        errno = ENOMEM;
    return p;
}

static void *any_alloc(size_t n, size_t align, bool zero)
{
    return any_alloc_draw(n, align, zero, -1);
}

/* The fast path's condition: initialised, neither tracking nor failing on. */
static inline bool plain_ready(void)
{
    return atomic_load_explicit(&boot_state, memory_order_acquire) == BOOT_READY && !wrapped;
}

/*
 * The layout a free or resize of p must use, from where p is recorded; false (with *e) for a
 * pointer that is not a live block where it is recorded. Called with wrap_lock held when wrapped.
 */
static bool recorded_layout(const void *p, memapi_layout *l, memapi_error *e)
{
    if (cfg.track)
        return memapi_tracking_layout_of(&tracking, p, l, e) == MEMAPI_OK;
    if (guard_on && memapi_guard_contains(&guard, p)) {
        pthread_mutex_lock(&guard_lock);
        memapi_status st = memapi_guard_block_layout(&guard, p, l, e);
        pthread_mutex_unlock(&guard_lock);
        return st == MEMAPI_OK;
    }
    l->size = 1; /* glibc's own block: glibc needs no layout; any valid non-zero one passes the dispatch */
    l->align = 1;
    return true;
}

static __attribute__((noinline)) void free_recorded(void *p)
{
    memapi_error e;
    memapi_layout l;
    if (wrapped)
        pthread_mutex_lock(&wrap_lock);
    bool ok = recorded_layout(p, &l, &e) && memapi_try_dealloc(free_top, p, l, &e) == MEMAPI_OK;
    if (wrapped)
        pthread_mutex_unlock(&wrap_lock);
    if (!ok)
        misuse("free", p, &e);
}

/* Frees that are not the fast path's: a block of the arena, before or during initialisation,
 * a guarded block, or any block when tracking or failing is on. */
static __attribute__((noinline)) void free_slow(void *p)
{
    if (in_boot_arena(p))
        return;
    if (!ensure_ready())
        return; /* the initialising thread frees a block it did not get from the arena: keep it */
    if (!wrapped && !(guard_on && memapi_guard_contains(&guard, p))) {
        __libc_free(p);
        return;
    }
    free_recorded(p);
}

/* The sampled-out path: one load of the state, one range test (two compares), glibc's free. */
EXPORT void free(void *p)
{
    if (p == NULL)
        return;
    if (MEMAPI_LIKELY(plain_ready() && !in_boot_arena(p) && !(guard_on && memapi_guard_contains(&guard, p)))) {
        __libc_free(p);
        return;
    }
    free_slow(p);
}

/* The sampled-out path: one load of the state, the sampling countdown, glibc's malloc. */
EXPORT void *malloc(size_t n)
{
    if (MEMAPI_LIKELY(plain_ready())) {
        if (!guard_on)
            return __libc_malloc(n);
        if (!sample_now())
            return __libc_malloc(n);
        return any_alloc_draw(n, MALLOC_ALIGN, false, 1);
    }
    return any_alloc(n, MALLOC_ALIGN, false);
}

EXPORT void *calloc(size_t nmemb, size_t size)
{
    size_t n;
    if (__builtin_mul_overflow(nmemb, size, &n)) {
        errno = ENOMEM;
        return NULL;
    }
    return any_alloc(n, MALLOC_ALIGN, true);
}

/* The usable size of a live block (guard and tracking: its exact size), or false with *e. */
static bool live_size(void *p, size_t *size, memapi_error *e)
{
    bool in_guard = guard_on && memapi_guard_contains(&guard, p);
    if (!cfg.track && !in_guard) {
        *size = real_usable_size != NULL ? real_usable_size(p) : 0;
        return true;
    }
    memapi_layout l;
    if (!recorded_layout(p, &l, e))
        return false;
    if (in_guard) {
        /* A freed guarded block still has its record: owns tells it apart (and checks the canary). */
        pthread_mutex_lock(&guard_lock);
        memapi_status st = memapi_guard_allocator(&guard).vt->owns(&guard, p, l, e);
        pthread_mutex_unlock(&guard_lock);
        if (st != MEMAPI_OK)
            return false;
    }
    *size = l.size;
    return true;
}

EXPORT void *realloc(void *p, size_t n)
{
    if (p == NULL)
        return malloc(n);
    if (UNLIKELY(in_boot_arena(p))) {
        size_t old = memapi_cmalloc_usable_size(memapi_bump_allocator(&boot_bump), p, NULL);
        void *q = malloc(n);
        if (q != NULL)
            memcpy(q, p, old < n ? old : n);
        return q;
    }
    if (UNLIKELY(!ensure_ready()))
        return NULL;
    if (n == 0) {
        free(p); /* glibc: realloc(p, 0) frees p and returns NULL */
        return NULL;
    }
    if (!wrapped && !(guard_on && memapi_guard_contains(&guard, p)))
        return __libc_realloc(p, n);
    memapi_error e;
    size_t old;
    if (wrapped)
        pthread_mutex_lock(&wrap_lock);
    bool ok = live_size(p, &old, &e);
    if (wrapped)
        pthread_mutex_unlock(&wrap_lock);
    if (!ok) {
        misuse("realloc", p, &e);
        errno = EINVAL;
        return NULL;
    }
    void *q = malloc(n);
    if (q == NULL)
        return NULL;
    memcpy(q, p, old < n ? old : n);
    free(p);
    return q;
}

EXPORT void *reallocarray(void *p, size_t nmemb, size_t size)
{
    size_t n;
    if (__builtin_mul_overflow(nmemb, size, &n)) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(p, n);
}

static bool pow2(size_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

EXPORT void *aligned_alloc(size_t align, size_t n)
{
    if (!pow2(align)) {
        errno = EINVAL;
        return NULL;
    }
    return any_alloc(n, align, false);
}

/* glibc's memalign raises an alignment that is not a power of two to the next one. */
EXPORT void *memalign(size_t align, size_t n)
{
    if (align > (SIZE_MAX >> 1) + 1) {
        errno = EINVAL;
        return NULL;
    }
    size_t a = 1;
    while (a < align)
        a <<= 1;
    return any_alloc(n, a, false);
}

EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
    if (!pow2(align) || align % sizeof(void *) != 0)
        return EINVAL;
    int saved = errno;
    void *p = any_alloc(n, align, false);
    int rc = p == NULL ? errno : 0;
    errno = saved;
    if (p != NULL)
        *out = p;
    return rc;
}

static size_t page_size(void)
{
    long ps = sysconf(_SC_PAGESIZE);
    return ps > 0 ? (size_t)ps : 4096u;
}

EXPORT void *valloc(size_t n)
{
    return any_alloc(n, page_size(), false);
}

EXPORT void *pvalloc(size_t n)
{
    size_t ps = page_size();
    if (n > SIZE_MAX - (ps - 1)) {
        errno = ENOMEM;
        return NULL;
    }
    size_t r = n == 0 ? ps : (n + ps - 1) & ~(ps - 1);
    return any_alloc(r, ps, false);
}

EXPORT size_t malloc_usable_size(void *p)
{
    if (p == NULL)
        return 0;
    if (UNLIKELY(in_boot_arena(p)))
        return memapi_cmalloc_usable_size(memapi_bump_allocator(&boot_bump), p, NULL);
    if (UNLIKELY(!ensure_ready()))
        return 0;
    memapi_error e;
    size_t size;
    if (wrapped)
        pthread_mutex_lock(&wrap_lock);
    bool ok = live_size(p, &size, &e);
    if (wrapped)
        pthread_mutex_unlock(&wrap_lock);
    if (!ok) {
        misuse("malloc_usable_size", p, &e);
        return 0;
    }
    return size;
}

/* ---- the report at exit --------------------------------------------------------------------- */

__attribute__((destructor)) static void preload_report(void)
{
    if (atomic_load_explicit(&boot_state, memory_order_acquire) != BOOT_READY)
        return;
    char line[512];
    int n;
    if (cfg.stats) {
        memapi_guard_statistics s;
        memset(&s, 0, sizeof s);
        if (guard_on)
            s = memapi_guard_stats(&guard);
        n = snprintf(line, sizeof line,
                     "memapi preload: stats: guarded %zu, guarded live at exit %zu, tracked allocations %llu, "
                     "failures injected %llu\n",
                     s.guarded_allocs, s.live_blocks,
                     cfg.track ? (unsigned long long)memapi_tracking_total_allocs(&tracking) : 0ull,
                     alloc_top.self == &failing ? (unsigned long long)memapi_failing_failures(&failing) : 0ull);
        size_t len = n > 0 ? ((size_t)n < sizeof line ? (size_t)n : sizeof line - 1) : 0;
        int fd = cfg.stats_file != NULL ? open(cfg.stats_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644) : -1;
        if (fd >= 0) {
            /* One write of one line with O_APPEND: the lines of concurrent processes do not mix. */
            if (write(fd, line, len) < 0)
                say(line, len);
            close(fd);
        } else {
            say(line, len);
        }
    }
    size_t bad = atomic_load_explicit(&misuses, memory_order_relaxed);
    if (bad != 0) {
        n = snprintf(line, sizeof line, "memapi preload: %zu misuses detected and skipped (reported above)\n", bad);
        if (n > 0)
            say(line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
    }
    if (cfg.leaks) {
        pthread_mutex_lock(&wrap_lock);
        if (memapi_tracking_live_blocks(&tracking) != 0) {
            size_t len = memapi_tracking_report(&tracking, NULL, 0);
            char *buf = __libc_malloc(len + 1);
            if (buf != NULL) {
                memapi_tracking_report(&tracking, buf, len + 1);
                say("memapi preload: ", 16);
                say(buf, len);
                __libc_free(buf);
            }
        }
        pthread_mutex_unlock(&wrap_lock);
    }
}
