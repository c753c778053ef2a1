/*
 * Planted heap bugs and C allocation semantics, run under libmemapi2-preload.so by
 * tests/preload/run.sh. It uses no stdio (whose buffers are heap blocks of their own): lines go
 * out with write(2), so that a leak report or a tracking count sees only what this program does.
 *
 *   planted MODE   MODE: overflow overflow-slack underflow use-after-free double-free interior
 *                        leak failing semantics fork threads
 * Before a planted fault it prints `BLOCK 0xADDR` (the block) on standard output.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n > 0 && write(STDOUT_FILENO, line, (size_t)n) < 0)
        _exit(2);
}

/* Keep the compiler from removing, moving or diagnosing the planted bugs (they are on purpose). */
static volatile char *volatile sink;
static char *volatile hidden;
static volatile size_t big_count = SIZE_MAX / 2 + 1;


static char *block(size_t n)
{
    char *p = malloc(n);
    if (p == NULL)
        _exit(2);
    memset(p, 1, n);
    out("BLOCK %p\n", (void *)p);
    return p;
}

static void *churn(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    void *live[64] = {0};
    for (int i = 0; i < 20000; i++) {
        seed = seed * 1103515245u + 12345u;
        unsigned k = (seed >> 8) % 64;
        size_t n = (seed >> 16) % 700 + 1;
        if (live[k] == NULL) {
            live[k] = (seed & 1) ? malloc(n) : calloc(1, n);
            if (live[k] == NULL)
                _exit(3);
            memset(live[k], (int)k, n);
        } else if ((seed >> 4) & 1) {
            void *q = realloc(live[k], n);
            if (q == NULL)
                _exit(4);
            live[k] = q;
        } else {
            free(live[k]);
            live[k] = NULL;
        }
    }
    for (int k = 0; k < 64; k++)
        free(live[k]);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *m = argc > 1 ? argv[1] : "";
    if (strcmp(m, "overflow") == 0) {
        char *p = block(32);
        sink = p;
        sink[32] = 2; /* one byte past the end */
    } else if (strcmp(m, "overflow-slack") == 0) {
        char *p = block(13);
        sink = p;
        sink[13] = 2; /* one byte past the end, inside the alignment slack */
        free(p);
    } else if (strcmp(m, "underflow") == 0) {
        char *p = block(32);
        sink = p;
        sink[-1] = 2; /* one byte before the start */
        free(p);
    } else if (strcmp(m, "use-after-free") == 0) {
        hidden = block(32);
        free(hidden);
        sink = hidden;
        out("read %d\n", sink[0]);
    } else if (strcmp(m, "double-free") == 0) {
        hidden = block(32);
        free(hidden);
        free(hidden);
    } else if (strcmp(m, "interior") == 0) {
        hidden = block(32) + 8; /* a pointer from the middle of the block */
        free(hidden);
    } else if (strcmp(m, "leak") == 0) {
        sink = block(100); /* never freed */
        free(malloc(50));
    } else if (strcmp(m, "failing") == 0) {
        for (int i = 1; i <= 5; i++) {
            errno = 0;
            void *p = malloc(64);
            out("%d %s%s\n", i, p != NULL ? "ok" : "NULL", p == NULL && errno == ENOMEM ? " ENOMEM" : "");
            free(p);
        }
    } else if (strcmp(m, "semantics") == 0) {
        char *z = malloc(0);
        char *z2 = malloc(0);
        out("malloc(0) %s\n", z != NULL && z2 != NULL && z != z2 ? "unique" : "WRONG");
        free(z);
        free(z2);
        errno = 0;
        void *c = calloc(big_count, 2);
        out("calloc overflow %s\n", c == NULL && errno == ENOMEM ? "NULL ENOMEM" : "WRONG");
        errno = 0;
        void *a = aligned_alloc(24, 48);
        out("aligned_alloc(24) %s\n", a == NULL && errno == EINVAL ? "NULL EINVAL" : "WRONG");
        void *pm = NULL;
        out("posix_memalign(4) %s\n", posix_memalign(&pm, 4, 16) == EINVAL && pm == NULL ? "EINVAL" : "WRONG");
        out("posix_memalign(64) %s\n",
            posix_memalign(&pm, 64, 100) == 0 && ((uintptr_t)pm & 63) == 0 ? "aligned" : "WRONG");
        free(pm);
        void *al = aligned_alloc(4096, 10);
        void *ma = memalign(256, 10);
        void *va = valloc(10);
        out("aligned %s\n", ((uintptr_t)al & 4095) == 0 && ((uintptr_t)ma & 255) == 0 && ((uintptr_t)va & 4095) == 0
                                ? "ok" : "WRONG");
        free(al);
        free(ma);
        free(va);
        char *r = malloc(10);
        memcpy(r, "0123456789", 10);
        r = realloc(r, 100000);
        out("realloc grow %s\n", r != NULL && memcmp(r, "0123456789", 10) == 0 ? "kept" : "WRONG");
        r = realloc(r, 4);
        out("realloc shrink %s\n", r != NULL && memcmp(r, "0123", 4) == 0 ? "kept" : "WRONG");
        out("usable %s\n", malloc_usable_size(r) >= 4 ? "ok" : "WRONG");
        out("realloc(p, 0) %s\n", realloc(r, 0) == NULL ? "NULL" : "WRONG");
        errno = 0;
        void *ra = reallocarray(NULL, big_count / 2, 8);
        out("reallocarray overflow %s\n", ra == NULL && errno == ENOMEM ? "NULL ENOMEM" : "WRONG");
        out("free(NULL) ok\n");
        free(NULL);
    } else if (strcmp(m, "fork") == 0) {
        pthread_t t;
        pthread_create(&t, NULL, churn, (void *)1);
        for (int i = 0; i < 20; i++) {
            pid_t pid = fork();
            if (pid == 0) {
                churn((void *)(uintptr_t)(i + 7));
                _exit(0);
            }
            int st;
            if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
                return 5;
        }
        pthread_join(t, NULL);
        out("fork ok\n");
    } else if (strcmp(m, "threads") == 0) {
        pthread_t t[4];
        for (int i = 0; i < 4; i++)
            pthread_create(&t[i], NULL, churn, (void *)(uintptr_t)(i + 1));
        for (int i = 0; i < 4; i++)
            pthread_join(t[i], NULL);
        out("threads ok\n");
    } else {
        return 2;
    }
    return 0;
}
