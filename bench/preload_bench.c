/*
 * make bench-preload's driver: malloc/free pairs of mixed sizes (16..527 bytes, 64 live blocks),
 * either through the C library (under libmemapi2-preload.so when LD_PRELOAD says so) or through
 * the malloc front end over the default allocator (the header's cost).
 *
 *   preload_bench libc|cmalloc N     runs N pairs and prints ns per pair
 * Under callgrind, --toggle-collect=loop_libc / loop_cmalloc counts the loop alone.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "memapi2.h"

#define LIVE 64
static void *slots[LIVE];

__attribute__((noinline)) static void loop_libc(size_t n)
{
    unsigned x = 1;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        size_t k = (x >> 8) % LIVE;
        free(slots[k]);
        slots[k] = malloc(16 + (x >> 16) % 512);
        if (slots[k] == NULL)
            abort();
    }
}

__attribute__((noinline)) static void loop_cmalloc(size_t n)
{
    memapi_allocator a = memapi_default();
    unsigned x = 1;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        size_t k = (x >> 8) % LIVE;
        memapi_cmalloc_free(a, slots[k]);
        slots[k] = memapi_cmalloc_malloc(a, 16 + (x >> 16) % 512, NULL);
        if (slots[k] == NULL)
            abort();
    }
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    size_t n = strtoull(argv[2], NULL, 10);
    bool cm = strcmp(argv[1], "cmalloc") == 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (cm)
        loop_cmalloc(n);
    else
        loop_libc(n);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    for (size_t k = 0; k < LIVE; k++) {
        if (cm)
            memapi_cmalloc_free(memapi_default(), slots[k]);
        else
            free(slots[k]);
    }
    double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
    printf("%.1f\n", ns / (double)n);
    return 0;
}
