/*
 * Benchmark driver: deterministic traces replayed against every row of `bench_rows`.
 *
 *   driver time            median ns/op of each operation kind (>= 5 runs),
 *                          lines "T<TAB>trace<TAB>op<TAB>row<TAB>ns"
 *   driver rows            the row table: lines "R<TAB>index<TAB>traces<TAB>name"
 *   driver cg mixed ROW    one short pass of the mixed phases of row ROW (an index) for callgrind,
 *                          lines "C<TAB>trace<TAB>op<TAB>row<TAB>fn<TAB>calls<TAB>dump label"
 *   driver cg small ROW    the same for the small-size trace
 *   driver cg extra        the rows file's extra kernels (layout micro-benchmarks) for callgrind
 *
 * Callgrind runs one row per process, so that every row (raw libc included) starts from the same
 * fresh heap and makes the same libc calls on the same sizes in the same order. Each phase is
 * bracketed by callgrind client requests (zero the counters before, dump them after, labelled
 * "trace/op"), so that each dump holds exactly one phase: report.py takes the entry function's
 * inclusive cost from it and, separately, the inclusive cost of the calls into libc made inside it.
 *
 * Mixed distribution: sizes 8 B..64 KiB log-distributed, alignments 1..16 (85 %) or 32..4096 (15 %).
 * Per-kind phases work on a live set of 1000 blocks: alloc, grow, shrink, free; zalloc; over-aligned
 * alloc. The mixed trace interleaves all kinds around a live set of ~1000 blocks and is timed whole.
 * Small trace: rounds of 1024 allocations of 8..256 B, align <= 16, then all freed (LIFO), or one
 * reset for rows that have it (the bump arena).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <valgrind/callgrind.h>
#include "bench.h"

#define LIVE 1000u
#define SMALL_BLOCKS 1024u
#define TRACE_OPS 200000u
#define MIN_ALIGN 16u

static uint64_t rng_state;

static uint64_t rng(void)
{
    /* splitmix64: tiny, deterministic, good enough to drive a workload. */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static size_t rnd(size_t n)
{
    return (size_t)(rng() % n);
}

static size_t mixed_size(void)
{
    size_t e = 3 + rnd(13); /* 2^3 .. 2^15, plus up to the same again: 8 .. 64 KiB */
    size_t s = ((size_t)1 << e) + rnd((size_t)1 << e);
    return s > 65536 ? 65536 : s;
}

static size_t mixed_align(void)
{
    return rnd(100) < 85 ? (size_t)1 << rnd(5) : (size_t)1 << (5 + rnd(8));
}

static bool malloc_servable(memapi_layout l)
{
    return l.align <= MIN_ALIGN && l.size >= l.align;
}

static memapi_layout lay(size_t size, size_t align)
{
    memapi_layout l = {size, align};
    return l;
}

/* A layout malloc can serve (the plain alloc path) or one it cannot (the aligned path). */
static memapi_layout mixed_layout(bool aligned)
{
    for (;;) {
        memapi_layout l = lay(mixed_size(), mixed_align());
        if (malloc_servable(l) != aligned)
            return l;
    }
}

static memapi_layout grown(memapi_layout l)
{
    size_t s = l.size + 1 + rnd(l.size);
    return lay(s > 65536 ? (l.size > 65536 ? l.size : 65536) : s, l.align);
}

static memapi_layout shrunk(memapi_layout l)
{
    size_t s = l.size / 2 + rnd(l.size / 2 + 1);
    return lay(s == 0 ? 1 : s, l.align);
}

/* ---- reporting -------------------------------------------------------------------------------- */

_Noreturn void bench_die(const char *row, const char *what)
{
    fprintf(stderr, "bench: %s: %s failed\n", row, what);
    exit(2);
}

void bench_report_time(const char *trace, const char *op, const char *row, double ns_per_op)
{
    printf("T\t%s\t%s\t%s\t%.3f\n", trace, op, row, ns_per_op);
}

void bench_report_calls(const char *trace, const char *op, const char *row, const char *fn, unsigned long calls)
{
    printf("C\t%s\t%s\t%s\t%s\t%lu\n", trace, op, row, fn, calls);
}

/* Callgrind mode: no clock reads (they would be libc calls inside the measured phases). */
static bool cg_mode;

/* Phase brackets for callgrind: only the phase's own calls land in the dump labelled `label`. */
static void phase_begin(void)
{
    if (cg_mode)
        CALLGRIND_ZERO_STATS;
}

static void phase_end(const char *label)
{
    if (cg_mode)
        CALLGRIND_DUMP_STATS_AT(label);
}

static double now_ns(void)
{
    if (cg_mode)
        return 0;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, unsigned n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double bench_time_kernel(void (*kernel)(void *arg, unsigned long iters), void *arg, unsigned long iters,
                         unsigned runs)
{
    double t[16];
    kernel(arg, iters / 8 + 1); /* warm-up */
    for (unsigned r = 0; r < runs; r++) {
        double t0 = now_ns();
        kernel(arg, iters);
        t[r] = (now_ns() - t0) / (double)iters;
    }
    return median(t, runs);
}

static void touch(void *p, size_t n)
{
    /* One write per block keeps the work honest (the memory is really handed out) at a fixed cost. */
    if (n > 0)
        ((volatile char *)p)[0] = 1;
}

/* ---- per-kind phases on the mixed distribution ------------------------------------------------ */

enum { K_ALLOC, K_GROW, K_SHRINK, K_FREE, K_ZALLOC, K_ALLOC_AL, K_N };
static const char *const kind_name[K_N] = {"alloc", "grow", "shrink", "free", "zalloc", "alloc_aligned"};
static const char *const kind_fn[K_N] = {"alloc", "grow", "shrink", "free", "zalloc", "alloc_al"};

typedef struct mixed_set {
    memapi_layout l[LIVE], g[LIVE], s[LIVE], z[LIVE], a[LIVE];
    unsigned perm[LIVE];
} mixed_set;

static mixed_set mset;
static void *blk[LIVE];

static void make_mixed_set(uint64_t seed)
{
    rng_state = seed;
    for (unsigned i = 0; i < LIVE; i++) {
        mset.l[i] = mixed_layout(false);
        mset.g[i] = grown(mset.l[i]);
        mset.s[i] = shrunk(mset.g[i]);
        /* A shrink below the alignment leaves malloc's territory; keep the phase on the realloc path. */
        if (mset.s[i].size < mset.s[i].align)
            mset.s[i].size = mset.s[i].align;
        mset.z[i] = mixed_layout(false);
        mset.a[i] = mixed_layout(true);
        mset.perm[i] = i;
    }
    for (unsigned i = LIVE - 1; i > 0; i--) {
        unsigned j = (unsigned)rnd(i + 1), t = mset.perm[i];
        mset.perm[i] = mset.perm[j];
        mset.perm[j] = t;
    }
}

/* One round of every phase; adds each phase's elapsed ns to acc[] and its call count to calls[]. */
static void mixed_round(const bench_row *r, double *acc, unsigned long *calls)
{
    phase_begin();
    double t0 = now_ns();
    for (unsigned i = 0; i < LIVE; i++) {
        if ((blk[i] = r->alloc(r->ctx, mset.l[i])) == NULL)
            bench_die(r->name, "alloc");
        touch(blk[i], mset.l[i].size);
    }
    double t1 = now_ns();
    phase_end("mixed/alloc");
    phase_begin();
    for (unsigned i = 0; i < LIVE; i++)
        if ((blk[i] = r->grow(r->ctx, blk[i], mset.l[i], mset.g[i])) == NULL)
            bench_die(r->name, "grow");
    double t2 = now_ns();
    phase_end("mixed/grow");
    phase_begin();
    for (unsigned i = 0; i < LIVE; i++)
        if ((blk[i] = r->shrink(r->ctx, blk[i], mset.g[i], mset.s[i])) == NULL)
            bench_die(r->name, "shrink");
    double t3 = now_ns();
    phase_end("mixed/shrink");
    phase_begin();
    for (unsigned i = 0; i < LIVE; i++) {
        unsigned k = mset.perm[i];
        r->free(r->ctx, blk[k], mset.s[k]);
    }
    double t4 = now_ns();
    phase_end("mixed/free");
    phase_begin();
    for (unsigned i = 0; i < LIVE; i++)
        if ((blk[i] = r->zalloc(r->ctx, mset.z[i])) == NULL)
            bench_die(r->name, "zalloc");
    double t5 = now_ns();
    phase_end("mixed/zalloc");
    phase_begin();
    for (unsigned i = 0; i < LIVE; i++)
        r->free(r->ctx, blk[i], mset.z[i]);
    double t6 = now_ns();
    phase_end("mixed/free");
    phase_begin();
    for (unsigned i = 0; i < LIVE; i++) {
        if ((blk[i] = r->alloc_al(r->ctx, mset.a[i])) == NULL)
            bench_die(r->name, "alloc_aligned");
        touch(blk[i], mset.a[i].size);
    }
    double t7 = now_ns();
    phase_end("mixed/alloc_aligned");
    phase_begin();
    for (unsigned i = 0; i < LIVE; i++)
        r->free(r->ctx, blk[i], mset.a[i]);
    phase_end("mixed/free");
    acc[K_ALLOC] += t1 - t0;
    acc[K_GROW] += t2 - t1;
    acc[K_SHRINK] += t3 - t2;
    acc[K_FREE] += t4 - t3;
    acc[K_ZALLOC] += t5 - t4;
    acc[K_ALLOC_AL] += t7 - t6;
    for (unsigned k = 0; k < K_N; k++)
        calls[k] += LIVE;
    calls[K_FREE] += 2 * LIVE; /* the untimed frees of the zalloc and aligned phases */
}

/* ---- the mixed trace: all kinds interleaved around ~1000 live blocks --------------------------- */

enum { OP_ALLOC, OP_ALLOC_AL, OP_ZALLOC, OP_GROW, OP_SHRINK, OP_FREE };

typedef struct trace_op {
    uint8_t op;
    uint32_t slot;
    memapi_layout l; /* new layout (alloc, resize) or the block's layout (free) */
    memapi_layout old;
} trace_op;

static trace_op trace[TRACE_OPS];
static unsigned trace_slots; /* slots used by the trace (its peak live set) */

static void make_trace(uint64_t seed)
{
    static memapi_layout cur[2 * LIVE];
    static uint32_t live[2 * LIVE], freelist[2 * LIVE];
    unsigned nlive = 0, nfree = 2 * LIVE;
    for (unsigned i = 0; i < 2 * LIVE; i++)
        freelist[i] = 2 * LIVE - 1 - i;
    rng_state = seed;
    for (unsigned i = 0; i < TRACE_OPS; i++) {
        trace_op *t = &trace[i];
        unsigned p = (unsigned)rnd(100);
        bool grow_set = nlive < LIVE * 9 / 10, shrink_set = nlive > LIVE * 11 / 10;
        if (nlive == 0 || grow_set)
            p = p % 40;              /* alloc-type ops only */
        else if (shrink_set)
            p = 70 + p % 30;         /* free only */
        if (p < 40) {
            uint32_t s = freelist[--nfree];
            if (p < 10) {
                t->op = OP_ZALLOC;
                t->l = mixed_layout(false);
            } else {
                memapi_layout l = lay(mixed_size(), mixed_align());
                t->op = malloc_servable(l) ? OP_ALLOC : OP_ALLOC_AL;
                t->l = l;
            }
            t->slot = s;
            cur[s] = t->l;
            live[nlive++] = s;
            if (s + 1 > trace_slots)
                trace_slots = s + 1;
            continue;
        }
        unsigned li = (unsigned)rnd(nlive);
        uint32_t s = live[li];
        t->slot = s;
        t->old = cur[s];
        if (p < 55) {
            t->op = OP_GROW;
            t->l = grown(cur[s]);
        } else if (p < 70) {
            t->op = OP_SHRINK;
            t->l = shrunk(cur[s]);
        } else {
            t->op = OP_FREE;
            t->l = cur[s];
            live[li] = live[--nlive];
            freelist[nfree++] = s;
            continue;
        }
        cur[s] = t->l;
    }
}

static void *tblk[2 * LIVE];
static memapi_layout tlay[2 * LIVE];

static void replay(const bench_row *r)
{
    for (unsigned i = 0; i < TRACE_OPS; i++) {
        const trace_op *t = &trace[i];
        void **b = &tblk[t->slot];
        switch (t->op) {
        case OP_ALLOC: *b = r->alloc(r->ctx, t->l); break;
        case OP_ALLOC_AL: *b = r->alloc_al(r->ctx, t->l); break;
        case OP_ZALLOC: *b = r->zalloc(r->ctx, t->l); break;
        case OP_GROW: *b = r->grow(r->ctx, *b, t->old, t->l); break;
        case OP_SHRINK: *b = r->shrink(r->ctx, *b, t->old, t->l); break;
        default:
            r->free(r->ctx, *b, t->l);
            *b = NULL;
            continue;
        }
        if (*b == NULL)
            bench_die(r->name, "trace op");
        tlay[t->slot] = t->l;
        touch(*b, t->l.size);
    }
    for (unsigned s = 0; s < trace_slots; s++)
        if (tblk[s] != NULL) {
            r->free(r->ctx, tblk[s], tlay[s]);
            tblk[s] = NULL;
        }
}

/* ---- the small-size trace ---------------------------------------------------------------------- */

static memapi_layout sset[SMALL_BLOCKS];
static void *sblk[SMALL_BLOCKS];

static void make_small_set(uint64_t seed)
{
    rng_state = seed;
    for (unsigned i = 0; i < SMALL_BLOCKS; i++) {
        size_t e = 3 + rnd(5); /* 8 .. 256 B, log-distributed */
        size_t s = ((size_t)1 << e) + rnd((size_t)1 << e);
        size_t a = (size_t)1 << rnd(5);
        s = (s + a - 1) & ~(a - 1);
        sset[i] = lay(s > 256 ? 256 : s, a);
    }
}

static void small_round(const bench_row *r, double *t_alloc, double *t_free, unsigned long *calls)
{
    phase_begin();
    double t0 = now_ns();
    for (unsigned i = 0; i < SMALL_BLOCKS; i++) {
        if ((sblk[i] = r->alloc(r->ctx, sset[i])) == NULL)
            bench_die(r->name, "small alloc");
        touch(sblk[i], sset[i].size);
    }
    double t1 = now_ns();
    phase_end("small/alloc");
    phase_begin();
    if (r->reset != NULL) {
        r->reset(r->ctx);
    } else {
        for (unsigned i = SMALL_BLOCKS; i-- > 0;)
            r->free(r->ctx, sblk[i], sset[i]);
        calls[1] += SMALL_BLOCKS;
    }
    double t2 = now_ns();
    phase_end(r->reset != NULL ? "small/free (reset)" : "small/free");
    *t_alloc += t1 - t0;
    *t_free += t2 - t1;
    calls[0] += SMALL_BLOCKS;
}

/* ---- modes ------------------------------------------------------------------------------------- */

#define RUNS 9u
#define MIXED_ROUNDS 8u
#define SMALL_ROUNDS 200u

static char fname[128];

static const char *fn_name(const bench_row *r, const char *op)
{
    snprintf(fname, sizeof fname, "row_%s_%s", r->tag, op);
    return fname;
}

/* Timing interleaves the rows run by run, so that heap growth and machine noise hit every row alike. */
#define MAX_ROWS 16u
#define N_SERIES (K_N + 4) /* mixed kinds, the trace, small alloc, small free, small alloc+free */
static double res[MAX_ROWS][N_SERIES][RUNS];

static void time_run(size_t ri, unsigned run)
{
    bench_row *r = &bench_rows[ri];
    unsigned long calls[K_N] = {0};
    if (r->traces & BENCH_MIXED) {
        double acc[K_N] = {0};
        for (unsigned k = 0; k < MIXED_ROUNDS; k++)
            mixed_round(r, acc, calls);
        for (unsigned k = 0; k < K_N; k++)
            res[ri][k][run] = acc[k] / (MIXED_ROUNDS * LIVE);
        double t0 = now_ns();
        replay(r);
        res[ri][K_N][run] = (now_ns() - t0) / TRACE_OPS;
    }
    if (r->traces & BENCH_SMALL) {
        unsigned rounds = SMALL_ROUNDS / (r->small_div ? r->small_div : 1);
        double ta = 0, tf = 0;
        for (unsigned k = 0; k < rounds; k++)
            small_round(r, &ta, &tf, calls);
        res[ri][K_N + 1][run] = ta / (rounds * SMALL_BLOCKS);
        res[ri][K_N + 2][run] = tf / (rounds * SMALL_BLOCKS);
        res[ri][K_N + 3][run] = (ta + tf) / (rounds * SMALL_BLOCKS);
    }
}

static void time_all(void)
{
    if (bench_nrows > MAX_ROWS)
        bench_die("driver", "row table size");
    for (size_t i = 0; i < bench_nrows; i++)
        if (bench_rows[i].open)
            bench_rows[i].open(&bench_rows[i]);
    for (unsigned run = 0; run <= RUNS; run++) /* run 0 warms every row up and is overwritten */
        for (size_t i = 0; i < bench_nrows; i++)
            time_run(i, run == 0 ? 0 : run - 1);
    for (size_t i = 0; i < bench_nrows; i++) {
        bench_row *r = &bench_rows[i];
        if (r->traces & BENCH_MIXED) {
            for (unsigned k = 0; k < K_N; k++)
                bench_report_time("mixed", kind_name[k], r->name, median(res[i][k], RUNS));
            bench_report_time("mixed", "trace (all ops)", r->name, median(res[i][K_N], RUNS));
        }
        if (r->traces & BENCH_SMALL) {
            bench_report_time("small", "alloc", r->name, median(res[i][K_N + 1], RUNS));
            bench_report_time("small", r->reset ? "free (reset)" : "free", r->name, median(res[i][K_N + 2], RUNS));
            bench_report_time("small", "alloc+free", r->name, median(res[i][K_N + 3], RUNS));
        }
        if (r->close)
            r->close(r);
    }
}

static void cg_mixed(bench_row *r)
{
    double acc[K_N] = {0};
    unsigned long calls[K_N] = {0};
    for (unsigned k = 0; k < 2; k++)
        mixed_round(r, acc, calls);
    for (unsigned k = 0; k < K_N; k++)
        bench_report_calls("mixed", kind_name[k], r->name, fn_name(r, kind_fn[k]), calls[k]);
}

static void cg_small(bench_row *r)
{
    unsigned long calls[2] = {0};
    double ta = 0, tf = 0;
    unsigned rounds = r->small_div > 1 ? 1 : 4;
    for (unsigned k = 0; k < rounds; k++)
        small_round(r, &ta, &tf, calls);
    bench_report_calls("small", "alloc", r->name, fn_name(r, "alloc"), calls[0]);
    if (r->reset != NULL)
        bench_report_calls("small", "free (reset)", r->name, fn_name(r, "reset"), (unsigned long)rounds);
    else
        bench_report_calls("small", "free", r->name, fn_name(r, "free"), calls[1]);
}

static _Noreturn void usage(const char *prog)
{
    fprintf(stderr, "usage: %s time | rows | cg mixed|small ROW | cg extra\n", prog);
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        usage(argv[0]);
    if (strcmp(argv[1], "rows") == 0) {
        for (size_t i = 0; i < bench_nrows; i++)
            printf("R\t%zu\t%s%s\t%s\n", i, bench_rows[i].traces & BENCH_MIXED ? "mixed " : "",
                   bench_rows[i].traces & BENCH_SMALL ? "small" : "", bench_rows[i].name);
        return 0;
    }
    cg_mode = strcmp(argv[1], "cg") == 0;
    if (!cg_mode && strcmp(argv[1], "time") != 0)
        usage(argv[0]);
    const char *what = argc > 2 ? argv[2] : "";
    bool extra = cg_mode && strcmp(what, "extra") == 0;
    size_t row = 0;
    if (cg_mode && !extra) {
        char *end = NULL;
        if (argc < 4 || (strcmp(what, "mixed") != 0 && strcmp(what, "small") != 0))
            usage(argv[0]);
        row = (size_t)strtoul(argv[3], &end, 10);
        if (*end != '\0' || row >= bench_nrows)
            usage(argv[0]);
    }
    make_mixed_set(0x6D656D617069ull);
    make_trace(0x7472616365ull);
    make_small_set(0x736D616C6Cull);
    if (!cg_mode) {
        time_all();
    } else if (!extra) {
        bench_row *r = &bench_rows[row];
        if (r->open)
            r->open(r);
        if ((r->traces & BENCH_MIXED) && strcmp(what, "mixed") == 0)
            cg_mixed(r);
        if ((r->traces & BENCH_SMALL) && strcmp(what, "small") == 0)
            cg_small(r);
        if (r->close)
            r->close(r);
    }
    fflush(stdout);
    if (!cg_mode || extra)
        bench_extra(cg_mode, RUNS);
    return 0;
}
