/*
 * make bench-preload's driver: malloc/free pairs of mixed sizes (16..527 bytes, 64 live blocks),
 * either through the C library (under libmemapi2-preload.so when LD_PRELOAD says so) or through
 * the malloc front end over the default allocator (the header's cost).
 *
 *   preload_bench libc|cmalloc N     runs N pairs and prints ns per pair
 * Under callgrind, --toggle-collect=loop_libc / loop_cmalloc counts the loop alone.
 *
 *   preload_bench spawn N [--in FILE] [VAR=VALUE...] -- PROG [ARG...]
 * runs PROG N times (posix_spawnp, standard input from FILE or as is, standard output on /dev/null,
 * the VARs added to its environment, not to this driver's) and prints the shortest wall time from
 * spawn to exit and the shortest CPU time (user + system, from getrusage) of the N runs, in µs:
 * a process's start-up and exit, or a workload's time, with or without the preload.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include "memapi2.h"

extern char **environ;

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

static double elapsed_ns(const struct timespec *t0, const struct timespec *t1)
{
    return (double)(t1->tv_sec - t0->tv_sec) * 1e9 + (double)(t1->tv_nsec - t0->tv_nsec);
}

static double cpu_ns(const struct rusage *r)
{
    return (double)(r->ru_utime.tv_sec + r->ru_stime.tv_sec) * 1e9 +
           (double)(r->ru_utime.tv_usec + r->ru_stime.tv_usec) * 1e3;
}

static int spawn_best(int argc, char **argv)
{
    if (argc < 5)
        return 2;
    size_t n = strtoull(argv[2], NULL, 10);
    int i = 3;
    const char *in = NULL;
    if (i + 1 < argc && strcmp(argv[i], "--in") == 0) {
        in = argv[i + 1];
        i += 2;
    }
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        char *eq = strchr(argv[i], '=');
        if (eq == NULL)
            return 2;
        *eq = '\0';
        if (setenv(argv[i], eq + 1, 1) != 0)
            return 1;
    }
    if (i + 1 >= argc || n == 0)
        return 2;
    char **cmd = argv + i + 1;
    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa) != 0 ||
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0) != 0 ||
        (in != NULL && posix_spawn_file_actions_addopen(&fa, 0, in, O_RDONLY, 0) != 0))
        return 1;
    double best = -1, best_cpu = -1;
    for (size_t k = 0; k < n; k++) {
        struct timespec t0, t1;
        struct rusage r0, r1;
        pid_t pid;
        int status;
        if (getrusage(RUSAGE_CHILDREN, &r0) != 0)
            return 1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (posix_spawnp(&pid, cmd[0], &fa, NULL, cmd, environ) != 0)
            return 1;
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            return 1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (getrusage(RUSAGE_CHILDREN, &r1) != 0)
            return 1;
        double ns = elapsed_ns(&t0, &t1), cpu = cpu_ns(&r1) - cpu_ns(&r0);
        if (best < 0 || ns < best)
            best = ns;
        if (best_cpu < 0 || cpu < best_cpu)
            best_cpu = cpu;
    }
    posix_spawn_file_actions_destroy(&fa);
    printf("%.0f %.0f\n", best / 1e3, best_cpu / 1e3);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "spawn") == 0)
        return spawn_best(argc, argv);
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
    printf("%.1f\n", elapsed_ns(&t0, &t1) / (double)n);
    return 0;
}
