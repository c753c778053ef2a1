/*
 * Shared oracles of the harnesses: expected errors built field by field (the error.h contract: on
 * failure the whole struct is overwritten and every field not documented for the kind is zero), a
 * full comparison, the "untouched" checks for out-parameters and for `*err` on success, and the
 * formatted failure (FUZZ_DEFINE_FAILF). Every mismatch prints what was compared and aborts, so
 * both engines see a crash.
 */
#ifndef MEMAPI_FUZZ_ORACLE_H
#define MEMAPI_FUZZ_ORACLE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "memapi2.h"
#include "fuzz_input.h"

#define FUZZ_POISON 0xA5

static inline _Noreturn void fuzz_fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz oracle mismatch in %s: %s\n", what, detail);
    abort();
}

#define FUZZ_REQUIRE(what, cond) ((cond) ? (void)0 : fuzz_fail((what), #cond))

/* A formatted failure: `context` (when not NULL) prints the harness's own line first (the
 * allocator, the stack, the threads), then the detail. */
__attribute__((format(printf, 3, 0))) static inline _Noreturn void fuzz_vfailf(void (*context)(void), const char *what,
                                                                            const char *fmt, va_list ap)
{
    char detail[512];
    vsnprintf(detail, sizeof detail, fmt, ap);
    if (context != NULL)
        context();
    fuzz_fail(what, detail);
}

/* Defines the harness's `failf(what, fmt, ...)` over fuzz_vfailf with its context printer. */
#define FUZZ_DEFINE_FAILF(context)                                                                 \
    __attribute__((format(printf, 2, 3))) static _Noreturn void failf(const char *what, const char *fmt, ...) \
    {                                                                                              \
        va_list ap;                                                                                \
        va_start(ap, fmt);                                                                         \
        fuzz_vfailf((context), what, fmt, ap);                                                     \
    }

/* An error with every field zero, as the library's constructors leave the unused ones. */
static inline memapi_error fuzz_err_zero(memapi_error_kind kind)
{
    memapi_error e;
    memset(&e, 0, sizeof e);
    e.kind = kind;
    e.cause.kind = MEMAPI_CAUSE_UNKNOWN;
    e.layout_err.kind = MEMAPI_LE_ZERO_SIZE;
    e.layout_err.arith.op = MEMAPI_OP_ADD;
    e.arith.op = MEMAPI_OP_ADD;
    e.cause.msg = NULL;
    e.msg = NULL;
    e.ptr = NULL;
    return e;
}

/* The allocator errors (alloc.h, error.h): a pointer and its message; a resize's old and new values;
 * ALLOC_FAILED(layout, cause); a layout mismatch; OTHER(message). */
#define FUZZ_NOT_OWNED "pointer not owned by this allocator"

static inline memapi_error fuzz_err_ptr(memapi_error_kind kind, const void *ptr, const char *msg)
{
    memapi_error e = fuzz_err_zero(kind);
    e.ptr = ptr;
    e.msg = msg;
    return e;
}

static inline memapi_error fuzz_err_resize(memapi_error_kind kind, size_t o, size_t n)
{
    memapi_error e = fuzz_err_zero(kind);
    e.old_val = o;
    e.new_val = n;
    return e;
}

static inline memapi_error fuzz_err_alloc(memapi_layout l, memapi_cause_kind cause, const char *msg)
{
    memapi_error e = fuzz_err_zero(MEMAPI_E_ALLOC_FAILED);
    e.layout = l;
    e.cause.kind = cause;
    e.cause.msg = msg;
    return e;
}

/* A failed platform call (default.h, c_alloc.h, guard.h): ALLOC_FAILED(layout, os error errno), or
 * cause unknown without MEMAPI_OS_ERR_REPORTING (config.h). */
static inline memapi_error fuzz_err_os(memapi_layout l, int code)
{
#if MEMAPI_OS_ERR_REPORTING
    memapi_error e = fuzz_err_alloc(l, MEMAPI_CAUSE_OS_ERR, NULL);
    e.cause.os_errno = code;
#else
    (void)code;
    memapi_error e = fuzz_err_alloc(l, MEMAPI_CAUSE_UNKNOWN, NULL);
#endif
    return e;
}

static inline memapi_error fuzz_err_mismatch(const void *ptr, memapi_layout given, memapi_layout rec)
{
    memapi_error e = fuzz_err_zero(MEMAPI_E_LAYOUT_MISMATCH);
    e.ptr = ptr;
    e.layout = given;
    e.recorded = rec;
    return e;
}

static inline memapi_error fuzz_err_other(const char *msg)
{
    memapi_error e = fuzz_err_zero(MEMAPI_E_OTHER);
    e.msg = msg;
    return e;
}

static inline memapi_error fuzz_err_layout(memapi_layout_err_kind kind, size_t size, size_t align, size_t n)
{
    memapi_error e = fuzz_err_zero(MEMAPI_E_LAYOUT);
    e.layout_err.kind = kind;
    e.layout_err.size = size;
    e.layout_err.align = align;
    e.layout_err.n = n;
    return e;
}

static inline memapi_error fuzz_err_layout_arith(size_t l, memapi_arith_op op, size_t r)
{
    memapi_error e = fuzz_err_zero(MEMAPI_E_LAYOUT);
    e.layout_err.kind = MEMAPI_LE_ARITH;
    e.layout_err.arith.l = l;
    e.layout_err.arith.op = op;
    e.layout_err.arith.r = r;
    return e;
}

static inline int fuzz_arith_eq(const memapi_arith_err *a, const memapi_arith_err *b)
{
    return a->l == b->l && a->op == b->op && a->r == b->r;
}

/* Every field, pointers by identity except messages, which are compared as text. */
static inline int fuzz_err_eq(const memapi_error *a, const memapi_error *b)
{
    int msg_eq = (a->msg == NULL || b->msg == NULL) ? a->msg == b->msg : strcmp(a->msg, b->msg) == 0;
    int cmsg_eq = (a->cause.msg == NULL || b->cause.msg == NULL) ? a->cause.msg == b->cause.msg
                                                                 : strcmp(a->cause.msg, b->cause.msg) == 0;
    return a->kind == b->kind && a->layout.size == b->layout.size && a->layout.align == b->layout.align &&
           a->cause.kind == b->cause.kind && a->cause.os_errno == b->cause.os_errno && cmsg_eq &&
           a->layout_err.kind == b->layout_err.kind && a->layout_err.size == b->layout_err.size &&
           a->layout_err.align == b->layout_err.align && a->layout_err.n == b->layout_err.n &&
           fuzz_arith_eq(&a->layout_err.arith, &b->layout_err.arith) && a->old_val == b->old_val &&
           a->new_val == b->new_val && fuzz_arith_eq(&a->arith, &b->arith) && msg_eq && a->ptr == b->ptr &&
           a->recorded.size == b->recorded.size && a->recorded.align == b->recorded.align;
}

static inline void fuzz_print_err(const char *label, const memapi_error *e)
{
    char text[512];
    (void)memapi_error_format(e, text, sizeof text);
    fprintf(stderr,
            "  %s: kind=%u layout_err{kind=%u size=%zu align=%zu n=%zu arith{%zu,%u,%zu}} "
            "arith{%zu,%u,%zu} msg=%s\n    text: %s\n",
            label, (unsigned)e->kind, (unsigned)e->layout_err.kind, e->layout_err.size, e->layout_err.align,
            e->layout_err.n, e->layout_err.arith.l, (unsigned)e->layout_err.arith.op, e->layout_err.arith.r,
            e->arith.l, (unsigned)e->arith.op, e->arith.r, e->msg ? e->msg : "(null)", text);
}

static inline void fuzz_require_err(const char *what, const memapi_error *got, const memapi_error *want)
{
    if (fuzz_err_eq(got, want))
        return;
    fuzz_print_err("got ", got);
    fuzz_print_err("want", want);
    fuzz_fail(what, "error payload differs from the model");
}

static inline int fuzz_is_poisoned(const void *p, size_t n)
{
    static unsigned char poison[sizeof(memapi_error)];
    if (poison[0] != FUZZ_POISON)
        memset(poison, FUZZ_POISON, sizeof poison);
    return n <= sizeof poison && memcmp(p, poison, n) == 0;
}

/* Exactly one bit set, by population count (independent of the library's x & (x - 1) test). */
static inline int fuzz_pow2(size_t x)
{
    return __builtin_popcountll((unsigned long long)x) == 1;
}

/* v rounded up to a multiple of a (a != 0), in 128 bits: never wraps for size_t inputs. */
static inline fuzz_u128 fuzz_round_up(size_t v, size_t a)
{
    return ((fuzz_u128)v + a - 1) / a * a;
}

/*
 * Debug preconditions (MEMAPI_PRECONDITION) report through the fatal hook, which must not return:
 * this one records the message and jumps back to fuzz_expect_fatal's caller.
 */
static jmp_buf fuzz_fatal_env;
static char fuzz_fatal_msg[256];

static inline _Noreturn void fuzz_fatal_hook(const char *msg)
{
    snprintf(fuzz_fatal_msg, sizeof fuzz_fatal_msg, "%s", msg ? msg : "(null)");
    longjmp(fuzz_fatal_env, 1);
}

#define FUZZ_PRECONDITION_PREFIX "unsafe precondition(s) violated: "

/*
 * Runs `expr` (which violates a precondition) and requires that it stops through the fatal hook
 * with a message naming `fn`. Without debug checks (NDEBUG) the call is skipped: it would be UB.
 */
#ifdef NDEBUG
#define FUZZ_EXPECT_FATAL(fn, expr) ((void)0)
#else
#define FUZZ_EXPECT_FATAL(fn, expr)                                                                \
    do {                                                                                         \
        memapi_fatal_hook prev_ = memapi_set_fatal_hook(fuzz_fatal_hook);                        \
        fuzz_fatal_msg[0] = '\0';                                                                \
        if (setjmp(fuzz_fatal_env) == 0) {                                                       \
            (void)(expr);                                                                        \
            (void)memapi_set_fatal_hook(prev_);                                                  \
            fuzz_fail(fn, "violated precondition not reported");                                 \
        }                                                                                        \
        (void)memapi_set_fatal_hook(prev_);                                                      \
        FUZZ_REQUIRE(fn, strncmp(fuzz_fatal_msg, FUZZ_PRECONDITION_PREFIX,                       \
                                 sizeof FUZZ_PRECONDITION_PREFIX - 1) == 0 &&                    \
                             strstr(fuzz_fatal_msg, fn) != NULL);                                \
    } while (0)
#endif

#endif /* MEMAPI_FUZZ_ORACLE_H */
