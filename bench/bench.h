/*
 * Benchmark driver interface: an allocator under test is one row of operation entry points.
 *
 * The driver (driver.c) replays deterministic traces and per-operation phases against every row of
 * `bench_rows`; which rows exist depends on the binary it is linked into (rows_memapi.c for the
 * library's allocators and raw libc, rows_mimalloc.c and rows_jemalloc.c for the reference
 * allocators, which replace malloc for the whole process and so get binaries of their own).
 *
 * Every entry is a distinct, non-inlined function so that callgrind can attribute inclusive
 * instruction counts to (row, operation) by function name: `row_<tag>_<op>`, a prefix no library
 * function has (the report also keys functions by file).
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include "memapi2/layout.h"

#define BENCH_NOINLINE __attribute__((noinline))

/* Traces a row takes part in. */
#define BENCH_MIXED 0x1u
#define BENCH_SMALL 0x2u

typedef void *(*bench_alloc_fn)(void *ctx, memapi_layout l);
typedef void *(*bench_resize_fn)(void *ctx, void *p, memapi_layout old_l, memapi_layout new_l);
typedef void (*bench_free_fn)(void *ctx, void *p, memapi_layout l);

typedef struct bench_row {
    const char *name;   /* row label in the table */
    const char *tag;    /* C identifier prefix of the entry functions */
    unsigned traces;    /* BENCH_MIXED | BENCH_SMALL */
    unsigned small_div; /* the small trace runs 1/small_div of the rounds (guard pages are slow); 0 = 1 */
    void *ctx;          /* state given to every entry */
    void (*open)(struct bench_row *r);  /* optional: build the state */
    void (*close)(struct bench_row *r); /* optional: release it */
    bench_alloc_fn alloc;               /* an allocation malloc itself could serve */
    bench_alloc_fn alloc_al;            /* an over-aligned allocation (posix_memalign territory) */
    bench_alloc_fn zalloc;
    bench_resize_fn grow;
    bench_resize_fn shrink;
    bench_free_fn free;
    void (*reset)(void *ctx); /* optional: the small trace frees a round with one reset instead */
} bench_row;

extern bench_row bench_rows[];
extern const size_t bench_nrows;

/* Stops the benchmark: an operation that must succeed failed. */
_Noreturn void bench_die(const char *row, const char *what);

/* Extra kernels a rows file may run (layout micro-benchmarks, direct arena API); may do nothing. */
void bench_extra(bool callgrind, unsigned runs);

/* Reports one measurement line: kind is "T" (ns/op) or "C" (function, calls). */
void bench_report_time(const char *trace, const char *op, const char *row, double ns_per_op);
void bench_report_calls(const char *trace, const char *op, const char *row, const char *fn, unsigned long calls);

/* Median ns/op of `runs` timed runs of kernel(arg, iters). */
double bench_time_kernel(void (*kernel)(void *arg, unsigned long iters), void *arg, unsigned long iters,
                         unsigned runs);

#endif
