/*
 * ThreadSanitizer check of the guard allocator's SIGSEGV handler (guard.h: async-signal-safe against
 * the allocator running in other threads). Built and run by `make test-tsan`.
 *
 * The parent allocates a block through locked(guard) and forks. In the child, 8 threads allocate,
 * write and free guarded blocks through the same wrapper without pause, while the main thread writes
 * one byte past the parent's block: the handler runs while other threads change the records. The
 * parent requires that the child died of SIGSEGV, that its standard error is exactly the documented
 * line, and so that ThreadSanitizer reported nothing (a report would be printed there too).
 */
#define _DEFAULT_SOURCE
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "memapi2.h"

#define THREADS 8

static memapi_allocator shared;
static atomic_int started;

static void *churn(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    atomic_fetch_add(&started, 1);
    for (;;) {
        seed = seed * 1103515245u + 12345u;
        memapi_layout l = {1u + (seed >> 8) % 512u, (size_t)1 << ((seed >> 20) % 5u)};
        memapi_error e;
        unsigned char *p = memapi_alloc(shared, l, &e);
        if (p == NULL)
            continue;
        memset(p, 0x3C, l.size);
        memapi_dealloc(shared, p, l);
    }
    return NULL;
}

static void child(volatile char *victim)
{
    pthread_t t[THREADS];
    for (uintptr_t i = 0; i < THREADS; i++)
        if (pthread_create(&t[i], NULL, churn, (void *)(i + 1)) != 0)
            _exit(3);
    while (atomic_load(&started) < THREADS)
        sched_yield();
    struct timespec pause = {0, 50 * 1000 * 1000};
    nanosleep(&pause, NULL);
    victim[24] = 1; /* one byte past a 24-byte block */
    _exit(4);
}

int main(void)
{
    memapi_guard g;
    memapi_locked lk;
    memapi_error e;
    if (memapi_guard_init(&g, NULL, &e) != MEMAPI_OK || memapi_locked_init(&lk, memapi_guard_allocator(&g), &e))
        return 2;
    shared = memapi_locked_allocator(&lk);
    memapi_layout l = {24, 8};
    char *victim = memapi_alloc(shared, l, &e);
    if (victim == NULL)
        return 2;
    char want[160];
    snprintf(want, sizeof want, "memapi guard: overflow past block 0x%" PRIxPTR " (Layout(size: 24, align: 8))\n",
             (uintptr_t)victim);

    int fds[2];
    if (pipe(fds) != 0)
        return 2;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return 2;
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], STDERR_FILENO);
        child(victim);
    }
    close(fds[1]);
    static char got[1 << 16];
    size_t len = 0;
    ssize_t r;
    while (len < sizeof got - 1 && (r = read(fds[0], got + len, sizeof got - 1 - len)) > 0)
        len += (size_t)r;
    got[len] = '\0';
    int status = 0;
    if (waitpid(pid, &status, 0) != pid)
        return 2;
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSEGV) {
        fprintf(stderr, "tsan_guard: the child did not die of SIGSEGV (status %d); its stderr:\n%s", status, got);
        return 1;
    }
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "tsan_guard: the child's stderr differs.\nwant: %sgot:\n%s", want, got);
        return 1;
    }
    printf("tsan_guard: the fault was named while %d threads allocated; no ThreadSanitizer report\n", THREADS);
    memapi_dealloc(shared, victim, l);
    memapi_locked_destroy(&lk);
    memapi_guard_destroy(&g);
    return 0;
}
