/*
 * Layout micro-benchmarks (the library's checked constructors against the checks a careful C
 * programmer writes by hand) and the bump arena's direct API with a constant layout.
 *
 * Each measured operation is one non-inlined function `lay_<name>`, so that callgrind's inclusive
 * count divided by the call count is the operation's price plus an identical call overhead on both
 * sides. Inputs come from volatile loads, so the compiler cannot fold them; the `const` variants
 * use a layout known at compile time, as `MEMAPI_LAYOUT_ARRAY(T, n, ...)` gives.
 *
 * Also an uncontended pthread mutex lock+unlock pair, of the error-checking kind the locked wrapper
 * uses (the unit of its budget) and of the default kind.
 */
#define _POSIX_C_SOURCE 200809L /* pthread_mutexattr_settype */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include "bench.h"
#include "memapi2/layout.h"
#include "memapi2/type_props.h"
#if __has_include("memapi2/bump.h")
#include "memapi2/alloc.h"
#include "memapi2/bump.h"
#define HAVE_BUMP 1
#endif

typedef struct elem {
    double x, y;
    uint32_t tag;
} elem; /* 24 bytes, align 8 */

static memapi_layout lay_of(size_t s, size_t a)
{
    memapi_layout l = {s, a};
    return l;
}

/* ---- the operations -------------------------------------------------------------------------- */

static BENCH_NOINLINE int lay_fsa_memapi(size_t s, size_t a, memapi_layout *o)
{
    return memapi_layout_from_size_align(s, a, o, NULL) != MEMAPI_OK;
}

static BENCH_NOINLINE int lay_fsa_hand(size_t s, size_t a, memapi_layout *o)
{
    if (a == 0 || (a & (a - 1)) != 0 || s > (size_t)PTRDIFF_MAX - (a - 1))
        return 1;
    o->size = s;
    o->align = a;
    return 0;
}

static BENCH_NOINLINE int lay_fsa_const_memapi(size_t s, size_t a, memapi_layout *o)
{
    (void)s;
    (void)a;
    return memapi_layout_from_size_align(sizeof(elem), _Alignof(elem), o, NULL) != MEMAPI_OK;
}

static BENCH_NOINLINE int lay_fsa_const_hand(size_t s, size_t a, memapi_layout *o)
{
    (void)s;
    (void)a;
    if (sizeof(elem) > (size_t)PTRDIFF_MAX - (_Alignof(elem) - 1))
        return 1;
    o->size = sizeof(elem);
    o->align = _Alignof(elem);
    return 0;
}

/* array: (s, a) is the element, n the count. */
static BENCH_NOINLINE int lay_array_memapi(size_t s, size_t a, size_t n, memapi_layout *o)
{
    return memapi_layout_array(s, a, n, o, NULL) != MEMAPI_OK;
}

static BENCH_NOINLINE int lay_array_hand(size_t s, size_t a, size_t n, memapi_layout *o)
{
    size_t sz;
    if (__builtin_mul_overflow(n, s, &sz) || sz > PTRDIFF_MAX)
        return 1;
    o->size = sz;
    o->align = a;
    return 0;
}

/* MEMAPI_LAYOUT_ARRAY over a type whose size is known at run time only (a row of `s / 8` doubles,
   say): the alignment of a type is a constant, the size is not. */
static BENCH_NOINLINE int lay_array_vsize_memapi(size_t s, size_t a, size_t n, memapi_layout *o)
{
    (void)a;
    return memapi_layout_array(s, _Alignof(double), n, o, NULL) != MEMAPI_OK;
}

static BENCH_NOINLINE int lay_array_vsize_hand(size_t s, size_t a, size_t n, memapi_layout *o)
{
    (void)a;
    size_t sz;
    if (__builtin_mul_overflow(n, s, &sz) || sz > PTRDIFF_MAX - (_Alignof(double) - 1))
        return 1;
    o->size = sz;
    o->align = _Alignof(double);
    return 0;
}

static BENCH_NOINLINE int lay_array_const_memapi(size_t s, size_t a, size_t n, memapi_layout *o)
{
    (void)s;
    (void)a;
    return MEMAPI_LAYOUT_ARRAY(elem, n, o, NULL) != MEMAPI_OK;
}

static BENCH_NOINLINE int lay_array_const_hand(size_t s, size_t a, size_t n, memapi_layout *o)
{
    (void)s;
    (void)a;
    size_t sz;
    if (__builtin_mul_overflow(n, sizeof(elem), &sz) || sz > PTRDIFF_MAX)
        return 1;
    o->size = sz;
    o->align = _Alignof(elem);
    return 0;
}

static BENCH_NOINLINE int lay_repeat_memapi(size_t s, size_t a, size_t n, memapi_layout *o)
{
    size_t stride;
    return memapi_layout_repeat(lay_of(s, a), n, o, &stride, NULL) != MEMAPI_OK;
}

static BENCH_NOINLINE int lay_repeat_hand(size_t s, size_t a, size_t n, memapi_layout *o)
{
    size_t padded, sz;
    if (a == 0 || (a & (a - 1)) != 0 || __builtin_add_overflow(s, a - 1, &padded))
        return 1;
    padded &= ~(a - 1);
    if (__builtin_mul_overflow(padded, n, &sz) || sz > (size_t)PTRDIFF_MAX - (a - 1))
        return 1;
    o->size = sz;
    o->align = a;
    return 0;
}

/* extend: the first layout is (s, a), the appended one (n, 8). */
static BENCH_NOINLINE int lay_extend_memapi(size_t s, size_t a, size_t n, memapi_layout *o)
{
    size_t off;
    return memapi_layout_extend(lay_of(s, a), lay_of(n, 8), o, &off, NULL) != MEMAPI_OK;
}

static BENCH_NOINLINE int lay_extend_hand(size_t s, size_t a, size_t n, memapi_layout *o)
{
    size_t off, sz, al = a > 8 ? a : 8;
    if (a == 0 || (a & (a - 1)) != 0 || __builtin_add_overflow(s, (size_t)7, &off))
        return 1;
    off &= ~(size_t)7;
    if (__builtin_add_overflow(off, n, &sz) || sz > (size_t)PTRDIFF_MAX - (al - 1))
        return 1;
    o->size = sz;
    o->align = al;
    return 0;
}

#ifdef HAVE_BUMP
#define ARENA_CAP (1024u * 512u)
static _Alignas(4096) char arena_buf[ARENA_CAP];
static memapi_bump arena;

static BENCH_NOINLINE void *bump_direct_const(memapi_bump *b)
{
    return memapi_bump_alloc(b, MEMAPI_LAYOUT_OF(elem), NULL);
}

static BENCH_NOINLINE void *bump_iface_const(memapi_allocator a)
{
    return memapi_alloc(a, MEMAPI_LAYOUT_OF(elem), NULL);
}
#endif

/* One uncontended lock+unlock pair: `errorcheck_mutex` is set up as the locked wrapper sets up its
   own (src/locked.c, PTHREAD_MUTEX_ERRORCHECK), `default_mutex` is a default mutex. */
static pthread_mutex_t errorcheck_mutex, default_mutex = PTHREAD_MUTEX_INITIALIZER;

static BENCH_NOINLINE int mutex_pair_errorcheck(void)
{
    if (pthread_mutex_lock(&errorcheck_mutex) != 0)
        return 1;
    return pthread_mutex_unlock(&errorcheck_mutex) != 0;
}

static BENCH_NOINLINE int mutex_pair_default(void)
{
    if (pthread_mutex_lock(&default_mutex) != 0)
        return 1;
    return pthread_mutex_unlock(&default_mutex) != 0;
}

/* ---- kernels ---------------------------------------------------------------------------------- */

#define NIN 64u
static volatile size_t in_s[NIN], in_a[NIN], in_n[NIN];
static volatile int sink;

typedef int (*lay_fn)(size_t s, size_t a, size_t n, memapi_layout *o);
typedef int (*lay2_fn)(size_t s, size_t a, memapi_layout *o);

typedef struct lay_case {
    const char *op;   /* table label */
    const char *row;  /* "memapi" or "hand-written" */
    const char *fn;   /* function name for callgrind */
    lay_fn f3;        /* three-argument form, or */
    lay2_fn f2;       /* two-argument form */
} lay_case;

#define CASE2(op, side, name) {op, side, #name, NULL, name}
#define CASE3(op, side, name) {op, side, #name, name, NULL}

static const lay_case cases[] = {
    CASE2("from_size_align", "memapi", lay_fsa_memapi),
    CASE2("from_size_align", "hand-written", lay_fsa_hand),
    CASE2("from_size_align (const)", "memapi", lay_fsa_const_memapi),
    CASE2("from_size_align (const)", "hand-written", lay_fsa_const_hand),
    CASE3("array", "memapi", lay_array_memapi),
    CASE3("array", "hand-written", lay_array_hand),
    CASE3("array (variable size)", "memapi", lay_array_vsize_memapi),
    CASE3("array (variable size)", "hand-written", lay_array_vsize_hand),
    CASE3("array (const elem)", "memapi", lay_array_const_memapi),
    CASE3("array (const elem)", "hand-written", lay_array_const_hand),
    CASE3("repeat", "memapi", lay_repeat_memapi),
    CASE3("repeat", "hand-written", lay_repeat_hand),
    CASE3("extend", "memapi", lay_extend_memapi),
    CASE3("extend", "hand-written", lay_extend_hand),
};

static void lay_kernel(void *arg, unsigned long iters)
{
    const lay_case *c = arg;
    memapi_layout o = {0, 1};
    int acc = 0;
    for (unsigned long i = 0; i < iters; i++) {
        unsigned k = (unsigned)i % NIN;
        acc += c->f3 ? c->f3(in_s[k], in_a[k], in_n[k], &o) : c->f2(in_s[k], in_a[k], &o);
    }
    sink = acc + (int)o.size;
}

static void mutex_kernel(void *arg, unsigned long iters)
{
    int (*pair)(void) = *(int (**)(void))arg;
    int acc = 0;
    for (unsigned long i = 0; i < iters; i++)
        acc += pair();
    if (acc != 0)
        bench_die("mutex", "lock+unlock");
}

static void mutex_rows(bool callgrind, unsigned long iters, unsigned runs)
{
    pthread_mutexattr_t attr;
    if (pthread_mutexattr_init(&attr) != 0 || pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK) != 0 ||
        pthread_mutex_init(&errorcheck_mutex, &attr) != 0)
        bench_die("mutex", "error-checking mutex setup");
    (void)pthread_mutexattr_destroy(&attr);
    static const struct {
        const char *row, *fn;
        int (*pair)(void);
    } kinds[] = {
        {"pthread, error-checking", "mutex_pair_errorcheck", mutex_pair_errorcheck},
        {"pthread, default", "mutex_pair_default", mutex_pair_default},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        int (*pair)(void) = kinds[i].pair;
        if (callgrind) {
            mutex_kernel(&pair, iters);
            bench_report_calls("mutex", "lock+unlock", kinds[i].row, kinds[i].fn, iters);
        } else {
            bench_report_time("mutex", "lock+unlock", kinds[i].row, bench_time_kernel(mutex_kernel, &pair, iters, runs));
        }
    }
}

#ifdef HAVE_BUMP
static void bump_direct_kernel(void *arg, unsigned long iters)
{
    (void)arg;
    for (unsigned long i = 0; i < iters; i++) {
        if (memapi_bump_remaining(&arena) < 64)
            memapi_bump_reset(&arena);
        if (bump_direct_const(&arena) == NULL)
            bench_die("bump arena", "direct alloc");
    }
}

static void bump_iface_kernel(void *arg, unsigned long iters)
{
    memapi_allocator a = *(memapi_allocator *)arg;
    for (unsigned long i = 0; i < iters; i++) {
        if (memapi_bump_remaining(&arena) < 64)
            memapi_bump_reset(&arena);
        if (bump_iface_const(a) == NULL)
            bench_die("bump arena", "interface alloc");
    }
}
#endif

void bench_extra(bool callgrind, unsigned runs)
{
    /* Valid, varied inputs: the common path is the one a program takes. */
    for (unsigned i = 0; i < NIN; i++) {
        in_a[i] = (size_t)1 << (i % 7);
        in_s[i] = (size_t)(i * 37 % 500) * in_a[i];
        in_n[i] = 1 + i * 13 % 1000;
    }
    unsigned long iters = callgrind ? 20000ul : 4000000ul;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const lay_case *c = &cases[i];
        if (callgrind) {
            lay_kernel((void *)c, iters);
            bench_report_calls("layout", c->op, c->row, c->fn, iters);
        } else {
            bench_report_time("layout", c->op, c->row, bench_time_kernel(lay_kernel, (void *)c, iters, runs));
        }
    }
    mutex_rows(callgrind, iters, runs);
#ifdef HAVE_BUMP
    if (memapi_bump_init(&arena, arena_buf, sizeof arena_buf, NULL) != MEMAPI_OK)
        bench_die("bump arena", "memapi_bump_init");
    memapi_allocator a = memapi_bump_allocator(&arena);
    if (callgrind) {
        bump_direct_kernel(NULL, iters);
        bench_report_calls("bump", "alloc (const layout)", "bump direct API", "bump_direct_const", iters);
        bump_iface_kernel(&a, iters);
        bench_report_calls("bump", "alloc (const layout)", "bump via memapi_alloc", "bump_iface_const", iters);
    } else {
        bench_report_time("bump", "alloc (const layout)", "bump direct API",
                          bench_time_kernel(bump_direct_kernel, NULL, iters, runs));
        bench_report_time("bump", "alloc (const layout)", "bump via memapi_alloc",
                          bench_time_kernel(bump_iface_kernel, &a, iters, runs));
    }
#endif
}
