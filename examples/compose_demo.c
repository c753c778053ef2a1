/*
 * Composing allocators: a bump arena over a stack buffer, fault injection around the default
 * allocator, and the tracking allocator catching a mismatched free and reporting a leak.
 */
#include <stdio.h>
#include <string.h>
#include "memapi2.h"

static int arena_demo(void)
{
    _Alignas(16) char buf[256];
    memapi_bump arena;
    memapi_error err;
    if (memapi_bump_init(&arena, buf, sizeof buf, &err) != MEMAPI_OK)
        return 1;
    memapi_allocator a = memapi_bump_allocator(&arena);

    size_t mark = memapi_bump_mark(&arena);
    char *name = memapi_alloc(a, (memapi_layout){6, 1}, &err);
    double *xs = memapi_zalloc(a, (memapi_layout){4 * sizeof(double), _Alignof(double)}, &err);
    if (name == NULL || xs == NULL)
        return 1;
    memcpy(name, "arena", 6);
    xs[3] = 2.5;
    printf("bump: '%s' and xs[3] = %.1f, %zu bytes used, %zu left\n", name, xs[3], memapi_bump_used(&arena),
           memapi_bump_remaining(&arena));

    char text[160];
    if (memapi_alloc(a, (memapi_layout){1000, 8}, &err) == NULL) {
        memapi_error_format(&err, text, sizeof text);
        printf("bump: too big: %s\n", text);
    }
    if (memapi_bump_rewind(&arena, mark, &err) != MEMAPI_OK)
        return 1;
    printf("bump: rewound to %zu bytes used (peak %zu)\n", memapi_bump_used(&arena), memapi_bump_peak(&arena));
    memapi_bump_release(&arena);
    return 0;
}

static int failing_demo(void)
{
    memapi_failing f;
    memapi_error err;
    if (memapi_failing_init(&f, memapi_default(), &err) != MEMAPI_OK)
        return 1;
    memapi_allocator a = memapi_failing_allocator(&f);
    memapi_failing_set_nth(&f, 2);

    memapi_layout l = {32, 8};
    void *first = memapi_alloc(a, l, &err);
    void *second = memapi_alloc(a, l, &err);
    char text[160];
    memapi_error_format(&err, text, sizeof text);
    printf("failing (set to fail the 2nd allocation): first %s, second %s: %s\n", first ? "ok" : "failed",
           second ? "ok" : "failed", text);
    if (first == NULL || second != NULL)
        return 1;
    memapi_dealloc(a, first, l);
    printf("failing: it counted %llu allocation calls, %llu of them failed on purpose\n",
           (unsigned long long)memapi_failing_calls(&f), (unsigned long long)memapi_failing_failures(&f));
    return 0;
}

static int tracking_demo(void)
{
    memapi_tracking t;
    memapi_error err;
    if (memapi_tracking_init(&t, memapi_default(), &err) != MEMAPI_OK)
        return 1;
    memapi_allocator a = memapi_tracking_allocator(&t);

    memapi_layout l = {64, 16};
    void *kept = memapi_alloc(a, l, &err);
    void *leaked = memapi_alloc(a, (memapi_layout){24, 8}, &err);
    if (kept == NULL || leaked == NULL)
        return 1;
    char text[256];
    if (memapi_try_dealloc(a, kept, (memapi_layout){32, 16}, &err) != MEMAPI_OK) {
        memapi_error_format(&err, text, sizeof text);
        printf("tracking: caught: %s\n", text);
    }
    memapi_dealloc(a, kept, l);

    memapi_tracking_report(&t, text, sizeof text);
    printf("tracking: leak report:\n%s", text);
    memapi_tracking_destroy(&t);
    /* The demo cleans up the block it leaked on purpose. */
    memapi_dealloc(memapi_default(), leaked, (memapi_layout){24, 8});
    return 0;
}

int main(void)
{
    if (arena_demo() != 0 || failing_demo() != 0 || tracking_demo() != 0) {
        fputs("compose_demo: unexpected result\n", stderr);
        return 1;
    }
    return 0;
}
