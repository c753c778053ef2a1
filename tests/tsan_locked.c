/*
 * ThreadSanitizer check of the locked wrapper (run by `make test-tsan`, see mk/tsan.mk).
 *
 * 8 threads each run N rounds of alloc, grow, shrink and free (checking the contents at every
 * step) through (a) the default allocator, which is thread-safe by itself, and (b) memapi_locked
 * around an exclusive test allocator whose counters are plain, unsynchronised fields. Without the
 * lock, (b) is a data race that TSan reports; built with -DTSAN_BYPASS_LOCK=1 the program calls
 * the exclusive allocator directly, and the stage requires TSan to report that race, so the check
 * is known to be able to fail. Exits 1 on any content or counter mismatch.
 *
 * A barrier starts all threads' rounds together, so that they really overlap (a thread that ran
 * to completion before the next one started could hand its TSan thread slot to it and hide the race).
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "memapi2.h"

#ifndef TSAN_BYPASS_LOCK
#define TSAN_BYPASS_LOCK 0
#endif

enum { THREADS = 8, ROUNDS = 2000 };

/* The exclusive allocator: correct only if one thread at a time calls it. */
typedef struct exclusive {
    long live_blocks;
    long allocs;
    long deallocs;
} exclusive;

static void *exclusive_alloc(void *self, memapi_layout l, memapi_error *err)
{
    exclusive *x = self;
    void *p = memapi_alloc(memapi_default(), l, err);
    if (p != NULL) {
        x->live_blocks++;
        x->allocs++;
    }
    return p;
}

static memapi_status exclusive_try_dealloc(void *self, void *ptr, memapi_layout l, memapi_error *err)
{
    exclusive *x = self;
    x->live_blocks--;
    x->deallocs++;
    return memapi_try_dealloc(memapi_default(), ptr, l, err);
}

static const memapi_alloc_vtable exclusive_vtable = {
    .name = "exclusive",
    .caps = MEMAPI_CAP_DEALLOC,
    .alloc = exclusive_alloc,
    .try_dealloc = exclusive_try_dealloc,
};

static bool filled_with(const unsigned char *p, size_t n, unsigned char v)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return false;
    return true;
}

static pthread_barrier_t start_line;

static void *worker(void *arg)
{
    memapi_allocator a = *(const memapi_allocator *)arg;
    int rc = pthread_barrier_wait(&start_line);
    if (rc != 0 && rc != PTHREAD_BARRIER_SERIAL_THREAD)
        return "pthread_barrier_wait failed";
    const memapi_layout small = {24, 8}, big = {200, 16}, tiny = {8, 16};
    for (int i = 0; i < ROUNDS; i++) {
        unsigned char v = (unsigned char)i;
        unsigned char *p = memapi_alloc(a, small, NULL);
        if (p == NULL)
            return "alloc failed";
        memset(p, v, small.size);
        p = memapi_grow(a, p, small, big, NULL);
        if (p == NULL || !filled_with(p, small.size, v))
            return "grow failed or lost the prefix";
        memset(p, v, big.size);
        p = memapi_shrink(a, p, big, tiny, NULL);
        if (p == NULL || !filled_with(p, tiny.size, v))
            return "shrink failed or lost the prefix";
        memapi_dealloc(a, p, tiny);
    }
    return NULL;
}

static int run(const char *name, memapi_allocator a)
{
    pthread_t t[THREADS];
    int bad = 0;
    if (pthread_barrier_init(&start_line, NULL, THREADS) != 0) {
        fprintf(stderr, "%s: pthread_barrier_init failed\n", name);
        return 1;
    }
    for (int i = 0; i < THREADS; i++)
        if (pthread_create(&t[i], NULL, worker, &a) != 0) {
            fprintf(stderr, "%s: pthread_create failed\n", name);
            return 1;
        }
    for (int i = 0; i < THREADS; i++) {
        void *msg = NULL;
        if (pthread_join(t[i], &msg) != 0 || msg != NULL) {
            fprintf(stderr, "%s: thread %d: %s\n", name, i, msg != NULL ? (const char *)msg : "join failed");
            bad = 1;
        }
    }
    (void)pthread_barrier_destroy(&start_line);
    printf("%s: %d threads x %d rounds of alloc/grow/shrink/free: %s\n", name, THREADS, ROUNDS,
           bad ? "FAILED" : "ok");
    return bad;
}

int main(void)
{
    int bad = run("default", memapi_default());

    static exclusive x;
    memapi_allocator inner = {&exclusive_vtable, &x};
    memapi_locked lock;
    memapi_error e;
    if (memapi_locked_init(&lock, inner, &e) != MEMAPI_OK) {
        fprintf(stderr, "memapi_locked_init failed (kind %d)\n", (int)e.kind);
        return 1;
    }
    bad |= run(TSAN_BYPASS_LOCK ? "exclusive (lock bypassed)" : "locked(exclusive)",
               TSAN_BYPASS_LOCK ? inner : memapi_locked_allocator(&lock));
    memapi_locked_destroy(&lock);

    /* Each round: alloc, grow (alloc + free), shrink (alloc + free), dealloc. */
    const long expected = (long)THREADS * ROUNDS * 3;
    if (x.live_blocks != 0 || x.allocs != expected || x.deallocs != expected) {
        fprintf(stderr, "counter mismatch: live %ld, allocs %ld, deallocs %ld, expected 0, %ld, %ld\n",
                x.live_blocks, x.allocs, x.deallocs, expected, expected);
        bad = 1;
    }
    return bad;
}
