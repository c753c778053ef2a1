/*
 * `make guard-million`: one million live guarded 32-byte blocks in one guard, every block written
 * and checked, with canary and fill on (the defaults), then all freed. Prints the time of each
 * phase and the peak resident memory. The scaled check of the same (one block in 1,000 written) is
 * tests/test_guard.c, one_million_live_blocks.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "memapi2.h"

#define N 1000000u

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static long peak_rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char row[256];
    long kib = -1;
    while (f != NULL && fgets(row, sizeof row, f) != NULL)
        if (strncmp(row, "VmHWM:", 6) == 0)
            kib = strtol(row + 6, NULL, 10);
    if (f != NULL)
        fclose(f);
    return kib;
}

int main(void)
{
    memapi_guard g;
    memapi_error e;
    char text[256];
    memapi_guard_options o = memapi_guard_options_default();
    o.pool_slots = N;
    o.slot_pages = 1;
    if (memapi_guard_init(&g, &o, &e) != MEMAPI_OK) {
        memapi_error_format(&e, text, sizeof text);
        fprintf(stderr, "guard init: %s\n", text);
        return 1;
    }
    memapi_allocator a = memapi_guard_allocator(&g);
    memapi_layout l = {32, 8};
    unsigned char **p = calloc(N, sizeof *p);
    if (p == NULL)
        return 1;
    double t0 = now();
    for (size_t i = 0; i < N; i++) {
        p[i] = memapi_alloc(a, l, &e);
        if (p[i] == NULL) {
            memapi_error_format(&e, text, sizeof text);
            fprintf(stderr, "allocation %zu: %s\n", i, text);
            return 1;
        }
        memset(p[i], (int)(i & 0xFF), l.size);
    }
    double t1 = now();
    memapi_guard_statistics s = memapi_guard_stats(&g);
    int full = memapi_alloc(a, l, &e) == NULL && strcmp(e.cause.msg, "guard pool full") == 0;
    for (size_t i = 0; i < N; i++) {
        if (p[i][0] != (unsigned char)(i & 0xFF) || p[i][31] != (unsigned char)(i & 0xFF))
            return 1;
        if (memapi_try_dealloc(a, p[i], l, &e) != MEMAPI_OK)
            return 1;
    }
    double t2 = now();
    printf("guard-million: %zu live guarded blocks (%s), accessible %zu MiB, pool %zu MiB reserved, metadata %zu MiB\n",
           s.live_blocks, s.uses_mprotect ? "mprotect" : "guard regions", s.accessible_bytes >> 20,
           s.pool_bytes >> 20, s.metadata_bytes >> 20);
    printf("guard-million: alloc+write %.2f s, check+free %.2f s, peak RSS %ld MiB, next allocation: %s\n", t1 - t0,
           t2 - t1, peak_rss_kib() / 1024, full ? "guard pool full" : "NOT the capacity error");
    memapi_guard_destroy(&g);
    free(p);
    return s.live_blocks == N && full ? 0 : 1;
}
