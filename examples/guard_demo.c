/*
 * The guard allocator catching a mismatched free: memapi_try_dealloc returns the structured error
 * (memapi_dealloc would stop the program with it), the block stays allocated, and the correct free
 * then succeeds. Prints the error text and the allocator's counters.
 */
#include <stdio.h>
#include <string.h>
#include "memapi2.h"

static void print_stats(const char *when, const memapi_guard *g)
{
    memapi_guard_statistics s = memapi_guard_stats(g);
    printf("%s: live %zu, quarantined %zu, accessible %zu bytes, guarded %zu, sampled out %zu\n", when,
           s.live_blocks, s.quarantined_blocks, s.accessible_bytes, s.guarded_allocs, s.sampled_out_allocs);
}

int main(void)
{
    memapi_guard g;
    memapi_error err;
    char text[256];
    if (memapi_guard_init(&g, NULL, &err) != MEMAPI_OK) {
        memapi_error_format(&err, text, sizeof text);
        fprintf(stderr, "guard init failed: %s\n", text);
        return 1;
    }
    memapi_allocator a = memapi_guard_allocator(&g);

    memapi_layout twelve_ints = {12 * sizeof(int), _Alignof(int)};
    int *v = memapi_alloc(a, twelve_ints, &err);
    if (v == NULL) {
        memapi_error_format(&err, text, sizeof text);
        fprintf(stderr, "allocation failed: %s\n", text);
        memapi_guard_destroy(&g);
        return 1;
    }
    memset(v, 0, twelve_ints.size);
    print_stats("after alloc", &g);

    memapi_layout wrong = {10 * sizeof(int), _Alignof(int)};
    if (memapi_try_dealloc(a, v, wrong, &err) == MEMAPI_OK) {
        fprintf(stderr, "the mismatched free was not caught\n");
        memapi_guard_destroy(&g);
        return 1;
    }
    memapi_error_format(&err, text, sizeof text);
    printf("caught: %s\n", text);

    if (memapi_try_dealloc(a, v, twelve_ints, &err) != MEMAPI_OK) {
        memapi_error_format(&err, text, sizeof text);
        fprintf(stderr, "free failed: %s\n", text);
        memapi_guard_destroy(&g);
        return 1;
    }
    print_stats("after free", &g);
    memapi_guard_destroy(&g);
    return 0;
}
