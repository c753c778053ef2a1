/*
 * Runner of tests/harness32/criterion/criterion.h: each registered test runs in a forked child
 * (a crash, an abort or an exit ends only that test, as with Criterion). A test passes when the
 * child ends the way the test declared: killed by .signal, exited with .exit_code, or by default
 * exited with 0. A failed assertion exits with FAILED_ASSERT, which no test declares.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define FAILED_ASSERT 99

static struct cr32_test *head;
static struct cr32_test **tail = &head;

void cr32_register(struct cr32_test *t)
{
    /* Constructors run in definition order: appending keeps the file's order. */
    *tail = t;
    tail = &t->next;
}

void cr32_fail(const char *file, int line, const char *expr, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: Assertion failed: %s:", file, line, expr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
    _exit(FAILED_ASSERT);
}

void cr32_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* 1 when the child's end is the one the test declared; otherwise says why on stdout. */
static int judge(const struct cr32_test *t, int status)
{
    if (t->extra.signal != 0) {
        if (WIFSIGNALED(status) && WTERMSIG(status) == t->extra.signal)
            return 1;
        printf("[FAIL] %s::%s: expected signal %d\n", t->suite, t->name, t->extra.signal);
        return 0;
    }
    if (WIFSIGNALED(status)) {
        printf("[FAIL] %s::%s: CRASH (signal %d)\n", t->suite, t->name, WTERMSIG(status));
        return 0;
    }
    int code = WEXITSTATUS(status);
    if (code == t->extra.exit_code)
        return 1;
    if (code == FAILED_ASSERT)
        printf("[FAIL] %s::%s: assertion failed\n", t->suite, t->name);
    else
        printf("[FAIL] %s::%s: exit status %d, expected %d\n", t->suite, t->name, code, t->extra.exit_code);
    return 0;
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    int tested = 0, passing = 0, crashing = 0;
    for (struct cr32_test *t = head; t != NULL; t = t->next) {
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 2;
        }
        if (pid == 0) {
            t->fn();
            fflush(NULL);
            _exit(0);
        }
        int status = 0;
        if (waitpid(pid, &status, 0) != pid) {
            perror("waitpid");
            return 2;
        }
        tested++;
        if (judge(t, status))
            passing++;
        else if (WIFSIGNALED(status) && t->extra.signal == 0)
            crashing++;
    }
    int failing = tested - passing - crashing;
    printf("[====] Synthesis: Tested: %d | Passing: %d | Failing: %d | Crashing: %d\n", tested, passing, failing,
           crashing);
    return passing == tested && tested > 0 ? 0 : 1;
}
