/*
 * The error formatters against an independent snprintf model of spec section 2's Display texts (plus
 * error.h's texts for the hardening kinds and forged values), then their snprintf contract at every
 * capacity 0..len+1 inside a guarded buffer: nothing written outside [buf, buf + cap), NUL-terminated
 * when cap > 0, the stored text a prefix of the full text, the return value its full length.
 */
#include <inttypes.h>
#include <errno.h>
#include <stdarg.h>
#include "fuzz_oracle.h"
#include "internal/error_set.h"
#include "os_faults.h"

#define TEXT_CAP 2048
#define GUARD 32
#define CANARY 0xCB

static const char LONG_MSG[] =
    "a longer static message with conversions %s %d %zu, escapes \\ ` ' \" and UTF-8 \xc3\xa9 at the end";

static const char *const MSGS[] = {NULL, "", "lock failed", "x", "%s%n%p", LONG_MSG, "line\nbreak"};

static const char *const OP_NAMES[] = {"add", "sub", "mul", "div", "rem", "div_ceil", "pow"};

typedef struct text {
    char s[TEXT_CAP];
    size_t len;
} text;

__attribute__((format(printf, 2, 3))) static void ap(text *t, const char *fmt, ...)
{
    va_list va;
    va_start(va, fmt);
    int n = vsnprintf(t->s + t->len, TEXT_CAP - t->len, fmt, va);
    va_end(va);
    if (n < 0 || (size_t)n >= TEXT_CAP - t->len)
        fuzz_fail("model", "expected text too long for the model's buffer");
    t->len += (size_t)n;
}

static void m_arith(text *t, const memapi_arith_err *a)
{
    unsigned op = (unsigned)a->op;
    ap(t, "arithmetic operation would overflow: %zu.%s(%zu)", a->l, op < 7 ? OP_NAMES[op] : "?", a->r);
}

static void m_layout_err(text *t, const memapi_layout_err *e)
{
    switch ((unsigned)e->kind) {
    case 0: ap(t, "size is zero"); return;
    case 1: ap(t, "alignment is zero"); return;
    case 2: ap(t, "alignment %zu isn't a power of two", e->align); return;
    case 3:
        if (e->n == 1)
            ap(t, "size %zu would exceed %zu when rounded up to a multiple of %zu", e->size, FUZZ_MAX, e->align);
        else
            ap(t, "array with %zu elements of size %zu would have its total size exceed %zu when rounded up to a "
                  "multiple of %zu",
               e->n, e->size, FUZZ_MAX, e->align);
        return;
    case 4: m_arith(t, &e->arith); return;
    case 5:
        ap(t, "alignment %zu would overflow `usize::MAX` when rounded up to a multiple of %zu", e->align,
           sizeof(void *));
        return;
    default: ap(t, "unknown layout error kind %u", (unsigned)e->kind);
    }
}

static void m_cause(text *t, const memapi_cause *c)
{
    switch ((unsigned)c->kind) {
    case 0: ap(t, "unknown"); return;
    case 1: ap(t, "out of memory"); return;
    case 2: ap(t, "%s", c->msg ? c->msg : ""); return;
    case 3:
#if MEMAPI_OS_ERR_REPORTING
        ap(t, "os error: %s (os error %d)", strerror(c->os_errno), c->os_errno);
#else
        ap(t, "os error code: %d", c->os_errno);
#endif
        return;
    default: ap(t, "unknown cause kind %u", (unsigned)c->kind);
    }
}

static void m_layout_paren(text *t, memapi_layout l)
{
    ap(t, "Layout(size: %zu, align: %zu)", l.size, l.align);
}

static void m_error(text *t, const memapi_error *e)
{
    const char *msg = e->msg ? e->msg : "";
    switch ((unsigned)e->kind) {
    case 0:
        ap(t, "allocation failed: ");
        m_layout_paren(t, e->layout);
        ap(t, ", cause: ");
        m_cause(t, &e->cause);
        return;
    case 1:
        ap(t, "layout error: ");
        m_layout_err(t, &e->layout_err);
        return;
    case 2: ap(t, "attempted to grow from size %zu to smaller size %zu", e->old_val, e->new_val); return;
    case 3: ap(t, "attempted to shrink from size %zu to larger size %zu", e->old_val, e->new_val); return;
    case 4: ap(t, "attempted to reallocate from align %zu to smaller align %zu", e->old_val, e->new_val); return;
    case 5: m_arith(t, &e->arith); return;
    case 6: ap(t, "unwind caught in unsupported function"); return;
    case 7: ap(t, "unsupported operation"); return;
    case 8: ap(t, "%s", msg); return;
    case 9: ap(t, "invalid pointer 0x%" PRIxPTR ": %s", (uintptr_t)e->ptr, msg); return;
    case 10:
        ap(t, "layout mismatch for block at 0x%" PRIxPTR ": given ", (uintptr_t)e->ptr);
        m_layout_paren(t, e->layout);
        ap(t, ", allocated with ");
        m_layout_paren(t, e->recorded);
        return;
    case 11: ap(t, "memory corruption detected at 0x%" PRIxPTR ": %s", (uintptr_t)e->ptr, msg); return;
    default: ap(t, "unknown error kind %u", (unsigned)e->kind);
    }
}

/* The formatters, with one signature. */
typedef size_t (*formatter)(const memapi_error *e, char *buf, size_t cap);

static size_t f_error(const memapi_error *e, char *buf, size_t cap)
{
    return memapi_error_format(e, buf, cap);
}
static size_t f_cause(const memapi_error *e, char *buf, size_t cap)
{
    return memapi_cause_format(&e->cause, buf, cap);
}
static size_t f_layout_err(const memapi_error *e, char *buf, size_t cap)
{
    return memapi_layout_err_format(&e->layout_err, buf, cap);
}
static size_t f_arith(const memapi_error *e, char *buf, size_t cap)
{
    return memapi_arith_err_format(&e->arith, buf, cap);
}
static size_t f_layout_arith(const memapi_error *e, char *buf, size_t cap)
{
    return memapi_arith_err_format(&e->layout_err.arith, buf, cap);
}
static size_t f_debug(const memapi_error *e, char *buf, size_t cap)
{
    return memapi_layout_debug_format(e->layout, buf, cap);
}

static void check_formatter(const char *name, formatter f, const memapi_error *e, const text *want)
{
    static char full[TEXT_CAP];
    size_t len = f(e, full, sizeof full);
    if (len != want->len || strcmp(full, want->s) != 0) {
        fprintf(stderr, "%s:\n  got  (%zu) \"%s\"\n  want (%zu) \"%s\"\n", name, len, full, want->len, want->s);
        fuzz_fail(name, "text differs from the model");
    }
    FUZZ_REQUIRE(name, f(e, NULL, 0) == len);

    static unsigned char canary[TEXT_CAP + 2 * GUARD];
    if (canary[0] != CANARY)
        memset(canary, CANARY, sizeof canary);
    size_t total = len + 1 + 2 * GUARD;
    unsigned char *g = malloc(total);
    FUZZ_REQUIRE(name, g != NULL);
    for (size_t cap = 0; cap <= len + 1; cap++) {
        memset(g, CANARY, total);
        char *buf = (char *)g + GUARD;
        size_t r = f(e, buf, cap);
        if (r != len) {
            fprintf(stderr, "%s: cap %zu returned %zu, full length %zu\n", name, cap, r, len);
            fuzz_fail(name, "return value is not the full length");
        }
        if (memcmp(g, canary, GUARD) != 0 || memcmp(buf + cap, canary, total - GUARD - cap) != 0) {
            fprintf(stderr, "%s: cap %zu, full length %zu\n", name, cap, len);
            fuzz_fail(name, "write outside [buf, buf + cap)");
        }
        if (cap == 0)
            continue;
        size_t stored = len < cap - 1 ? len : cap - 1;
        if (buf[stored] != '\0' || memcmp(buf, want->s, stored) != 0) {
            fprintf(stderr, "%s: cap %zu stored \"%.*s\"\n", name, cap, (int)stored, buf);
            fuzz_fail(name, "truncated text is not a NUL-terminated prefix of the full text");
        }
    }
    free(g);
}

/* A kind: mostly a real one, sometimes forged (kept within int range so that it prints the same). */
static unsigned read_kind(fuzz_in *in, unsigned count)
{
    uint8_t b = fin_u8(in);
    if (b < 0xF0)
        return b % count;
    static const unsigned forged[] = {12, 13, 100, 255, 65535, 0x7fffffffu};
    if (b < 0xF0 + 6)
        return forged[b - 0xF0];
    return count + (unsigned)fin_le(in, 4) % (0x7fffffffu - count);
}

static int read_errno(fuzz_in *in)
{
    static const int edges[] = {0, 1, 12, 22, -1, INT_MIN, INT_MAX, 12345, 133, 134};
    uint8_t b = fin_u8(in);
    if (b < 0x80)
        return edges[b % (sizeof edges / sizeof edges[0])];
    if (b < 0xC0)
        return b - 0x80;
    uint32_t u = (uint32_t)fin_le(in, 4);
    return u <= INT32_MAX ? (int)u : -(int)(u - (uint32_t)INT32_MAX - 1u) - 1;
}

static const char *read_msg(fuzz_in *in)
{
    return MSGS[fin_u8(in) % (sizeof MSGS / sizeof MSGS[0])];
}

static memapi_arith_err read_arith(fuzz_in *in)
{
    memapi_arith_err a;
    a.l = fin_size(in);
    a.op = (memapi_arith_op)read_kind(in, 7);
    a.r = fin_size(in);
    return a;
}

/* Every field from the input, including those the kind does not use: formatters must ignore them. */
static memapi_error read_error(fuzz_in *in)
{
    memapi_error e;
    memset(&e, 0, sizeof e);
    e.kind = (memapi_error_kind)read_kind(in, 12);
    e.layout.size = fin_size(in);
    e.layout.align = fin_size(in);
    e.cause.kind = (memapi_cause_kind)read_kind(in, 4);
    e.cause.os_errno = read_errno(in);
    e.cause.msg = read_msg(in);
    e.layout_err.kind = (memapi_layout_err_kind)read_kind(in, 6);
    e.layout_err.size = fin_size(in);
    e.layout_err.align = fin_size(in);
    uint8_t nsel = fin_u8(in);
    e.layout_err.n = nsel % 4 == 0 ? 1 : nsel % 4 == 1 ? 0 : fin_size(in);
    e.layout_err.arith = read_arith(in);
    e.old_val = fin_size(in);
    e.new_val = fin_size(in);
    e.arith = read_arith(in);
    e.msg = read_msg(in);
    e.ptr = (const void *)(uintptr_t)fin_size(in);
    e.recorded.size = fin_size(in);
    e.recorded.align = fin_size(in);
    return e;
}

#if MEMAPI_OS_ERR_REPORTING
/*
 * os_error.c, memapi__os_strerror(code, buf, cap), at every capacity 0 .. len + 1 in a guarded
 * buffer, with strerror_r working, failing with ERANGE (glibc's cut text kept) and failing with
 * EINVAL without writing ("Unknown error"): the text is the description cut at cap - 1 and
 * terminated, the result its length, nothing written at or past buf + cap (nothing at all for cap 0).
 * Then the cause's Display text with strerror_r failing, through the formatter.
 */
static void check_os_strerror(const memapi_error *e)
{
    static const int modes[] = {0, ERANGE, EINVAL};
    int code = e->cause.os_errno;
    const char *full = strerror(code);
    size_t full_len = strlen(full);
    static unsigned char g[TEXT_CAP + 2 * GUARD];
    os_faults_install();
    for (size_t k = 0; k < sizeof modes / sizeof modes[0]; k++) {
        const char *want_text = modes[k] == EINVAL ? "Unknown error" : full;
        size_t want_len = modes[k] == EINVAL ? strlen(want_text) : full_len;
        for (size_t cap = 0; cap <= want_len + 1; cap++) {
            if (modes[k] != 0)
                os_faults_arm_every(OS_STRERROR_R, modes[k]);
            else
                os_faults_arm(OS_CALL_COUNT, 0, 0);
            memset(g, CANARY, sizeof g);
            char *buf = (char *)g + GUARD;
            size_t r = memapi__os_strerror(code, buf, cap);
            size_t stored = cap == 0 ? 0 : want_len < cap - 1 ? want_len : cap - 1;
            if (r != stored || (cap > 0 && (strncmp(buf, want_text, stored) != 0 || buf[stored] != '\0'))) {
                fprintf(stderr, "os_strerror(%d), strerror_r failing with %d, cap %zu: got %zu \"%.*s\", want %zu\n",
                        code, modes[k], cap, r, cap > 0 ? (int)stored : 0, buf, stored);
                fuzz_fail("os_strerror", "text differs from the model");
            }
            for (size_t i = 0; i < sizeof g; i++)
                if ((i < GUARD || i >= GUARD + cap) && g[i] != CANARY)
                    fuzz_fail("os_strerror", "write outside [buf, buf + cap)");
            FUZZ_REQUIRE("os_strerror", os_faults_calls(OS_STRERROR_R) == (cap > 0 ? 1u : 0u));
        }
    }
    os_faults_arm_every(OS_STRERROR_R, EINVAL);
    text t;
    t.len = 0;
    t.s[0] = '\0';
    ap(&t, "os error: Unknown error (os error %d)", code);
    check_formatter("cause_format (strerror_r failing)", f_cause, e, &t);
    FUZZ_REQUIRE("cause_format (strerror_r failing)", os_faults_fired());
    os_faults_uninstall();
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    do {
        memapi_error e = read_error(&in);
        text t;

        t.len = 0;
        t.s[0] = '\0';
        m_error(&t, &e);
        check_formatter("error_format", f_error, &e, &t);

        t.len = 0;
        m_cause(&t, &e.cause);
        check_formatter("cause_format", f_cause, &e, &t);

#if MEMAPI_OS_ERR_REPORTING
        if (e.cause.kind == MEMAPI_CAUSE_OS_ERR)
            check_os_strerror(&e);
#endif

        t.len = 0;
        m_layout_err(&t, &e.layout_err);
        check_formatter("layout_err_format", f_layout_err, &e, &t);

        t.len = 0;
        m_arith(&t, &e.arith);
        check_formatter("arith_err_format", f_arith, &e, &t);

        t.len = 0;
        m_arith(&t, &e.layout_err.arith);
        check_formatter("arith_err_format(layout_err.arith)", f_layout_arith, &e, &t);

        t.len = 0;
        ap(&t, "Layout { size: %zu, align: %zu }", e.layout.size, e.layout.align);
        check_formatter("layout_debug_format", f_debug, &e, &t);

        unsigned op = (unsigned)e.arith.op;
        FUZZ_REQUIRE("arith_op_name", strcmp(memapi_arith_op_name(e.arith.op), op < 7 ? OP_NAMES[op] : "?") == 0);
    } while (in.n > 0);
    return 0;
}
