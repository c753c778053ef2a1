/*
 * The fatal-error hook: the library's only global mutable state (docs/design.md section 2). The default
 * reports on stderr and aborts; the freestanding build has no stderr and traps instead.
 */
#include "memapi2/error.h"

#if MEMAPI_FREESTANDING
static void default_hook(const char *msg)
{
    (void)msg;
    __builtin_trap();
}
#else
#include <stdio.h>
#include <stdlib.h>
static void default_hook(const char *msg)
{
    fputs(msg, stderr);
    fputc('\n', stderr);
    fflush(stderr);
    abort();
}
#endif

static memapi_fatal_hook current_hook = default_hook;

memapi_fatal_hook memapi_set_fatal_hook(memapi_fatal_hook hook)
{
    memapi_fatal_hook prev = current_hook;
    current_hook = hook ? hook : default_hook;
    return prev;
}

void memapi_fatal(const char *msg)
{
    current_hook(msg);
    /* A hook that returns breaks the contract; stop anyway. */
#if MEMAPI_FREESTANDING
    __builtin_trap();
#else
    abort();
#endif
}
