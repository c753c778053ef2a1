/*
 * The fatal-error hook: the library's only global mutable state (docs/design.md section 2). The default
 * reports on stderr and aborts; the freestanding build has no stderr and traps instead.
 *
 * Under Frama-C the hook is called through memapi_proof_fatal_hook (proofs/extern.h), which stands
 * for whatever function the pointer holds: the default hook (proved below against the same
 * contract) or the user's. The proof of memapi_fatal does not depend on what the hook does: if it
 * returns, abort() follows.
 */
#include "memapi2/error.h"
#include "internal/acsl.h"

#ifdef __FRAMAC__
#define CALL_FATAL_HOOK(hook, msg) memapi_proof_fatal_hook((hook), (msg))
#else
#define CALL_FATAL_HOOK(hook, msg) (hook)(msg)
#endif

#if MEMAPI_FREESTANDING
/* Proved in the freestanding configuration of the proof (proofs/README.md): it writes nothing and
   does not return (__builtin_trap's contract, proofs/extern.h). */
/*@ assigns \nothing;
    ensures \false;
*/
static void default_hook(const char *msg)
{
    (void)msg;
    __builtin_trap();
}
#else
#include <stdio.h>
#include <stdlib.h>
/* Proved under the two assumptions memapi_proof_fatal_hook states (proofs/extern.h): the message
   is a NUL-terminated text, and stderr is the C library's predefined stream (C11 7.21.3p7). */
/*@ requires valid_read_string(msg);
    requires \valid(stderr);
    assigns *stderr, __fc_fopen[0 .. __FC_FOPEN_MAX - 1];
    ensures \false;
*/
static void default_hook(const char *msg)
{
    fputs(msg, stderr);
    fputc('\n', stderr);
    fflush(stderr);
    abort();
}
#endif

static memapi_fatal_hook current_hook = default_hook;

/*@ assigns current_hook \from hook;
    ensures \result == \old(current_hook);
    ensures hook != \null ==> current_hook == hook;
    ensures hook == \null ==> current_hook == &default_hook;
*/
memapi_fatal_hook memapi_set_fatal_hook(memapi_fatal_hook hook)
{
    memapi_fatal_hook prev = current_hook;
    current_hook = hook ? hook : default_hook;
    return prev;
}

void memapi_fatal(const char *msg)
{
    CALL_FATAL_HOOK(current_hook, msg);
    /* A hook that returns breaks the contract; stop anyway. */
#if MEMAPI_FREESTANDING
    __builtin_trap();
#else
    abort();
#endif
}
