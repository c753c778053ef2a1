/*
 * Death tests: debug precondition checks (spec 0.6, 10.1 "panic!" row) and the fatal-error hook
 * (error.h). Criterion runs every test in its own process, so a test may abort or exit, and the
 * hook installed by one test never leaks into another.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "memapi2/arith.h"
#include "memapi2/layout.h"

#ifdef NDEBUG
#error "the death tests need the debug precondition checks: build the tests without NDEBUG"
#endif

#define PREFIX "unsafe precondition(s) violated: "
#define HOOK_MATCHED 42
#define HOOK_MISMATCHED 43

/* Inputs the compiler cannot see through, so the checks run at run time. */
static volatile size_t v_one = 1, v_three = 3, v_eight = 8;

/* What the recording hooks compare the message with. */
static const char *expected_prefix;
static const char *expected_exact;

static void exit_if_expected(const char *msg)
{
    int ok = msg != NULL;
    if (ok && expected_prefix)
        ok = strncmp(msg, expected_prefix, strlen(expected_prefix)) == 0 && strlen(msg) > strlen(expected_prefix);
    if (ok && expected_exact)
        ok = strcmp(msg, expected_exact) == 0;
    if (!ok)
        fprintf(stderr, "fatal hook got an unexpected message: %s\n", msg ? msg : "(null)");
    _exit(ok ? HOOK_MATCHED : HOOK_MISMATCHED);
}

static void hook_other(const char *msg)
{
    (void)msg;
    _exit(HOOK_MISMATCHED);
}

/* Breaks the hook contract by returning: the library must abort anyway. */
static void returning_hook(const char *msg)
{
    fprintf(stderr, "returning hook: %s\n", msg);
    fflush(stderr);
}

/* ---- the default hook: stderr message, then SIGABRT ------------------------------------------- */

Test(fatal, align_up_precondition_aborts, .signal = SIGABRT)
{
    (void)memapi_align_up(v_one, v_three);
}

Test(fatal, unchecked_layout_precondition_aborts, .signal = SIGABRT)
{
    (void)memapi_layout_from_size_align_unchecked(v_eight, v_three);
}

Test(fatal, unchecked_layout_exceeding_max_aborts, .signal = SIGABRT)
{
    (void)memapi_layout_from_size_align_unchecked(MEMAPI_USIZE_MAX_NO_HIGH_BIT, v_eight);
}

Test(fatal, align_up_past_size_max_aborts, .signal = SIGABRT)
{
    /* v + align - 1 = SIZE_MAX + 1: one past the precondition's bound */
    (void)memapi_align_up(SIZE_MAX - 6, v_eight);
}

Test(fatal, memapi_fatal_aborts_by_default, .signal = SIGABRT)
{
    memapi_fatal("boom");
}

/*
 * Runs fn in a child with stderr on a pipe; returns the text written to stderr and checks the
 * child died of SIGABRT.
 */
static void expect_abort_with_stderr(void (*fn)(void), char *out, size_t cap)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], STDERR_FILENO);
        fn();
        _exit(0);
    }
    close(fds[1]);
    size_t len = 0;
    ssize_t r;
    while (len + 1 < cap && (r = read(fds[0], out + len, cap - 1 - len)) > 0)
        len += (size_t)r;
    out[len] = '\0';
    close(fds[0]);
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFSIGNALED(status), "child was not killed by a signal (status %d)", status);
    cr_assert_eq(WTERMSIG(status), SIGABRT);
}

static void violate_align_up(void)
{
    (void)memapi_align_up(v_one, v_three);
}

static void violate_unchecked(void)
{
    (void)memapi_layout_from_size_align_unchecked(v_eight, v_three);
}

static void fatal_with_text(void)
{
    memapi_fatal("custom fatal message");
}

Test(fatal, default_hook_prints_the_message)
{
    char text[512];
    expect_abort_with_stderr(violate_align_up, text, sizeof text);
    cr_assert_eq(strncmp(text, PREFIX, strlen(PREFIX)), 0, "stderr was: %s", text);
    cr_assert_gt(strlen(text), strlen(PREFIX) + 1, "no description after the prefix: %s", text);
    cr_assert_eq(text[strlen(text) - 1], '\n', "the message ends with a newline");

    expect_abort_with_stderr(violate_unchecked, text, sizeof text);
    cr_assert_eq(strncmp(text, PREFIX, strlen(PREFIX)), 0, "stderr was: %s", text);

    expect_abort_with_stderr(fatal_with_text, text, sizeof text);
    cr_assert_str_eq(text, "custom fatal message\n");
}

/* ---- installed hooks --------------------------------------------------------------------------- */

Test(fatal, hook_receives_align_up_message, .exit_code = HOOK_MATCHED)
{
    expected_prefix = PREFIX;
    (void)memapi_set_fatal_hook(exit_if_expected);
    (void)memapi_align_up(v_one, v_three);
}

Test(fatal, hook_receives_unchecked_layout_message, .exit_code = HOOK_MATCHED)
{
    expected_prefix = PREFIX;
    (void)memapi_set_fatal_hook(exit_if_expected);
    (void)memapi_layout_from_size_align_unchecked(v_eight, v_three);
}

Test(fatal, hook_receives_memapi_fatal_message_verbatim, .exit_code = HOOK_MATCHED)
{
    expected_exact = "deallocation failed";
    (void)memapi_set_fatal_hook(exit_if_expected);
    memapi_fatal("deallocation failed");
}

Test(fatal, returning_hook_still_aborts, .signal = SIGABRT)
{
    (void)memapi_set_fatal_hook(returning_hook);
    memapi_fatal("the hook returns");
}

static void fatal_with_returning_hook(void)
{
    (void)memapi_set_fatal_hook(returning_hook);
    memapi_fatal("the hook returns");
}

Test(fatal, returning_hook_is_called_then_abort)
{
    char text[128];
    expect_abort_with_stderr(fatal_with_returning_hook, text, sizeof text);
    cr_assert_str_eq(text, "returning hook: the hook returns\n", "the hook did not see the message: %s", text);
}

Test(fatal, set_hook_returns_previous_and_null_restores_default)
{
    memapi_fatal_hook dflt = memapi_set_fatal_hook(exit_if_expected);
    cr_assert_not_null(dflt, "the default hook is a function");
    cr_assert_neq(dflt, exit_if_expected);
    cr_assert_eq(memapi_set_fatal_hook(hook_other), exit_if_expected);
    cr_assert_eq(memapi_set_fatal_hook(NULL), hook_other);
    /* after NULL the default is back: the next swap returns it */
    cr_assert_eq(memapi_set_fatal_hook(NULL), dflt);
    cr_assert_eq(memapi_set_fatal_hook(dflt), dflt, "installing the default explicitly");
    cr_assert_eq(memapi_set_fatal_hook(NULL), dflt);

    /* and it behaves as the default: message on stderr, then SIGABRT (not hook_other's exit) */
    char text[128];
    expect_abort_with_stderr(fatal_with_text, text, sizeof text);
    cr_assert_str_eq(text, "custom fatal message\n");
}

Test(fatal, valid_unchecked_inputs_do_not_abort)
{
    (void)memapi_set_fatal_hook(hook_other);
    memapi_layout l = memapi_layout_from_size_align_unchecked(0, 1);
    cr_assert(memapi_layout_eq(l, (memapi_layout){0, 1}));
    l = memapi_layout_from_size_align_unchecked(MEMAPI_USIZE_MAX_NO_HIGH_BIT, 1);
    cr_assert_eq(l.size, MEMAPI_USIZE_MAX_NO_HIGH_BIT);
    l = memapi_layout_from_size_align_unchecked(0, MEMAPI_USIZE_HIGH_BIT);
    cr_assert_eq(l.align, MEMAPI_USIZE_HIGH_BIT);
    cr_assert_eq(memapi_align_up(SIZE_MAX - 7, 8), SIZE_MAX - 7);
    cr_assert_eq(memapi_align_up(7, 8), 8);
}
