/*
 * Error construction and the reference's Display texts. No libc: the formatting is done by hand
 * so that the freestanding core can report errors too. The only libc use (strerror_r for OS error
 * descriptions) lives in os_error.c and is compiled only with MEMAPI_OS_ERR_REPORTING.
 */
#include "memapi2/error.h"
#include "internal/error_set.h"

/* ---- construction ---------------------------------------------------------------------------- */

static void clear(memapi_error *e, memapi_error_kind kind)
{
    e->kind = kind;
    e->layout.size = 0;
    e->layout.align = 0;
    e->cause.kind = MEMAPI_CAUSE_UNKNOWN;
    e->cause.os_errno = 0;
    e->cause.msg = 0;
    e->layout_err.kind = MEMAPI_LE_ZERO_SIZE;
    e->layout_err.size = 0;
    e->layout_err.align = 0;
    e->layout_err.n = 0;
    e->layout_err.arith.l = 0;
    e->layout_err.arith.op = MEMAPI_OP_ADD;
    e->layout_err.arith.r = 0;
    e->old_val = 0;
    e->new_val = 0;
    e->arith.l = 0;
    e->arith.op = MEMAPI_OP_ADD;
    e->arith.r = 0;
    e->msg = 0;
    e->ptr = 0;
    e->recorded.size = 0;
    e->recorded.align = 0;
}

memapi_status memapi__fail(memapi_error *err, memapi_error_kind kind)
{
    if (err)
        clear(err, kind);
    return MEMAPI_ERROR;
}

memapi_status memapi__fail_layout(memapi_error *err, memapi_layout_err_kind kind, size_t size, size_t align,
                                  size_t n)
{
    if (err) {
        clear(err, MEMAPI_E_LAYOUT);
        err->layout_err.kind = kind;
        err->layout_err.size = size;
        err->layout_err.align = align;
        err->layout_err.n = n;
    }
    return MEMAPI_ERROR;
}

memapi_status memapi__fail_layout_arith(memapi_error *err, size_t l, memapi_arith_op op, size_t r)
{
    if (err) {
        clear(err, MEMAPI_E_LAYOUT);
        err->layout_err.kind = MEMAPI_LE_ARITH;
        err->layout_err.arith.l = l;
        err->layout_err.arith.op = op;
        err->layout_err.arith.r = r;
    }
    return MEMAPI_ERROR;
}

memapi_status memapi__fail_arith(memapi_error *err, size_t l, memapi_arith_op op, size_t r)
{
    if (err) {
        clear(err, MEMAPI_E_ARITH);
        err->arith.l = l;
        err->arith.op = op;
        err->arith.r = r;
    }
    return MEMAPI_ERROR;
}

memapi_status memapi__fail_other(memapi_error *err, const char *msg)
{
    if (err) {
        clear(err, MEMAPI_E_OTHER);
        err->msg = msg;
    }
    return MEMAPI_ERROR;
}

memapi_status memapi__fail_resize(memapi_error *err, memapi_error_kind kind, size_t old_val, size_t new_val)
{
    if (err) {
        clear(err, kind);
        err->old_val = old_val;
        err->new_val = new_val;
    }
    return MEMAPI_ERROR;
}

memapi_status memapi__fail_alloc(memapi_error *err, memapi_layout layout, memapi_cause_kind cause, int os_errno,
                                 const char *msg)
{
    if (err) {
        clear(err, MEMAPI_E_ALLOC_FAILED);
        err->layout = layout;
        err->cause.kind = cause;
        err->cause.os_errno = os_errno;
        err->cause.msg = msg;
    }
    return MEMAPI_ERROR;
}

memapi_status memapi__fail_ptr(memapi_error *err, memapi_error_kind kind, const void *ptr, const char *msg)
{
    if (err) {
        clear(err, kind);
        err->ptr = ptr;
        err->msg = msg;
    }
    return MEMAPI_ERROR;
}

memapi_status memapi__fail_mismatch(memapi_error *err, const void *ptr, memapi_layout given, memapi_layout recorded)
{
    if (err) {
        clear(err, MEMAPI_E_LAYOUT_MISMATCH);
        err->ptr = ptr;
        err->layout = given;
        err->recorded = recorded;
    }
    return MEMAPI_ERROR;
}

/* ---- formatting ------------------------------------------------------------------------------ */

/*
 * A bounded writer: `len` counts every byte of the full text, but only bytes at positions
 * < cap - 1 are stored, leaving room for the NUL that finish() writes.
 */
typedef struct writer {
    char *buf;
    size_t cap;
    size_t len;
} writer;

static void put_char(writer *w, char c)
{
    if (w->cap != 0 && w->len < w->cap - 1)
        w->buf[w->len] = c;
    if (w->len < SIZE_MAX)
        w->len++;
}

static void put_str(writer *w, const char *s)
{
    if (!s)
        return;
    while (*s)
        put_char(w, *s++);
}

static void put_uint(writer *w, size_t v)
{
    char digits[3 * sizeof(size_t)];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v != 0);
    while (n > 0)
        put_char(w, digits[--n]);
}

static void put_int(writer *w, int v)
{
    if (v < 0) {
        put_char(w, '-');
        /* -(v + 1) + 1 avoids negating INT_MIN. */
        put_uint(w, (size_t)(-(v + 1)) + 1u);
        return;
    }
    put_uint(w, (size_t)v);
}

static void put_hex(writer *w, uintptr_t v)
{
    static const char hex[] = "0123456789abcdef";
    char digits[2 * sizeof(uintptr_t)];
    size_t n = 0;
    do {
        digits[n++] = hex[v & 0xfu];
        v >>= 4;
    } while (v != 0);
    put_str(w, "0x");
    while (n > 0)
        put_char(w, digits[--n]);
}

static size_t finish(writer *w)
{
    if (w->cap != 0)
        w->buf[w->len < w->cap - 1 ? w->len : w->cap - 1] = '\0';
    return w->len;
}

const char *memapi_arith_op_name(memapi_arith_op op)
{
    switch (op) {
    case MEMAPI_OP_ADD: return "add";
    case MEMAPI_OP_SUB: return "sub";
    case MEMAPI_OP_MUL: return "mul";
    case MEMAPI_OP_DIV: return "div";
    case MEMAPI_OP_REM: return "rem";
    case MEMAPI_OP_DIV_CEIL: return "div_ceil";
    case MEMAPI_OP_POW: return "pow";
    }
    return "?";
}

static void put_arith(writer *w, const memapi_arith_err *e)
{
    put_str(w, "arithmetic operation would overflow: ");
    put_uint(w, e->l);
    put_char(w, '.');
    put_str(w, memapi_arith_op_name(e->op));
    put_char(w, '(');
    put_uint(w, e->r);
    put_char(w, ')');
}

static void put_layout_err(writer *w, const memapi_layout_err *e)
{
    switch (e->kind) {
    case MEMAPI_LE_ZERO_SIZE:
        put_str(w, "size is zero");
        return;
    case MEMAPI_LE_ZERO_ALIGN:
        put_str(w, "alignment is zero");
        return;
    case MEMAPI_LE_NON_POW2_ALIGN:
        put_str(w, "alignment ");
        put_uint(w, e->align);
        put_str(w, " isn't a power of two");
        return;
    case MEMAPI_LE_EXCEEDS_MAX:
        if (e->n == 1) {
            put_str(w, "size ");
            put_uint(w, e->size);
        } else {
            put_str(w, "array with ");
            put_uint(w, e->n);
            put_str(w, " elements of size ");
            put_uint(w, e->size);
            put_str(w, " would have its total size");
        }
        put_str(w, e->n == 1 ? " would exceed " : " exceed ");
        put_uint(w, MEMAPI_USIZE_MAX_NO_HIGH_BIT);
        put_str(w, " when rounded up to a multiple of ");
        put_uint(w, e->align);
        return;
    case MEMAPI_LE_ARITH:
        put_arith(w, &e->arith);
        return;
    case MEMAPI_LE_C_ROUND_UP:
        put_str(w, "alignment ");
        put_uint(w, e->align);
        put_str(w, " would overflow `usize::MAX` when rounded up to a multiple of ");
        put_uint(w, MEMAPI_PTR_SIZE);
        return;
    }
    put_str(w, "unknown layout error kind ");
    put_uint(w, (size_t)e->kind);
}

static void put_cause(writer *w, const memapi_cause *c)
{
    switch (c->kind) {
    case MEMAPI_CAUSE_UNKNOWN:
        put_str(w, "unknown");
        return;
    case MEMAPI_CAUSE_OUT_OF_MEMORY:
        put_str(w, "out of memory");
        return;
    case MEMAPI_CAUSE_OTHER:
        put_str(w, c->msg);
        return;
    case MEMAPI_CAUSE_OS_ERR:
#if MEMAPI_OS_ERR_REPORTING
    {
        char desc[256];
        put_str(w, "os error: ");
        (void)memapi__os_strerror(c->os_errno, desc, sizeof desc);
        put_str(w, desc);
        put_str(w, " (os error ");
        put_int(w, c->os_errno);
        put_char(w, ')');
    }
#else
        put_str(w, "os error code: ");
        put_int(w, c->os_errno);
#endif
        return;
    }
    put_str(w, "unknown cause kind ");
    put_uint(w, (size_t)c->kind);
}

static void put_layout_paren(writer *w, memapi_layout l)
{
    put_str(w, "Layout(size: ");
    put_uint(w, l.size);
    put_str(w, ", align: ");
    put_uint(w, l.align);
    put_char(w, ')');
}

static void put_error(writer *w, const memapi_error *e)
{
    switch (e->kind) {
    case MEMAPI_E_ALLOC_FAILED:
        put_str(w, "allocation failed: ");
        put_layout_paren(w, e->layout);
        put_str(w, ", cause: ");
        put_cause(w, &e->cause);
        return;
    case MEMAPI_E_LAYOUT:
        put_str(w, "layout error: ");
        put_layout_err(w, &e->layout_err);
        return;
    case MEMAPI_E_GROW_SMALLER:
        put_str(w, "attempted to grow from size ");
        put_uint(w, e->old_val);
        put_str(w, " to smaller size ");
        put_uint(w, e->new_val);
        return;
    case MEMAPI_E_SHRINK_LARGER:
        put_str(w, "attempted to shrink from size ");
        put_uint(w, e->old_val);
        put_str(w, " to larger size ");
        put_uint(w, e->new_val);
        return;
    case MEMAPI_E_REALLOC_SMALLER_ALIGN:
        put_str(w, "attempted to reallocate from align ");
        put_uint(w, e->old_val);
        put_str(w, " to smaller align ");
        put_uint(w, e->new_val);
        return;
    case MEMAPI_E_ARITH:
        put_arith(w, &e->arith);
        return;
    case MEMAPI_E_CAUGHT_UNWIND:
        put_str(w, "unwind caught in unsupported function");
        return;
    case MEMAPI_E_UNSUPPORTED:
        put_str(w, "unsupported operation");
        return;
    case MEMAPI_E_OTHER:
        put_str(w, e->msg);
        return;
    case MEMAPI_E_INVALID_POINTER:
        put_str(w, "invalid pointer ");
        put_hex(w, (uintptr_t)e->ptr);
        put_str(w, ": ");
        put_str(w, e->msg);
        return;
    case MEMAPI_E_LAYOUT_MISMATCH:
        put_str(w, "layout mismatch for block at ");
        put_hex(w, (uintptr_t)e->ptr);
        put_str(w, ": given ");
        put_layout_paren(w, e->layout);
        put_str(w, ", allocated with ");
        put_layout_paren(w, e->recorded);
        return;
    case MEMAPI_E_CORRUPTION:
        put_str(w, "memory corruption detected at ");
        put_hex(w, (uintptr_t)e->ptr);
        put_str(w, ": ");
        put_str(w, e->msg);
        return;
    }
    put_str(w, "unknown error kind ");
    put_uint(w, (size_t)e->kind);
}

size_t memapi_error_format(const memapi_error *e, char *buf, size_t cap)
{
    writer w = {buf, cap, 0};
    put_error(&w, e);
    return finish(&w);
}

size_t memapi_cause_format(const memapi_cause *c, char *buf, size_t cap)
{
    writer w = {buf, cap, 0};
    put_cause(&w, c);
    return finish(&w);
}

size_t memapi_layout_err_format(const memapi_layout_err *e, char *buf, size_t cap)
{
    writer w = {buf, cap, 0};
    put_layout_err(&w, e);
    return finish(&w);
}

size_t memapi_arith_err_format(const memapi_arith_err *e, char *buf, size_t cap)
{
    writer w = {buf, cap, 0};
    put_arith(&w, e);
    return finish(&w);
}

size_t memapi_layout_debug_format(memapi_layout l, char *buf, size_t cap)
{
    writer w = {buf, cap, 0};
    put_str(&w, "Layout { size: ");
    put_uint(&w, l.size);
    put_str(&w, ", align: ");
    put_uint(&w, l.align);
    put_str(&w, " }");
    return finish(&w);
}

size_t memapi__format_dealloc_failure(char *buf, size_t cap, const void *ptr, memapi_layout layout,
                                      const memapi_error *e)
{
    writer w = {buf, cap, 0};
    put_str(&w, "deallocation of block at ");
    put_hex(&w, (uintptr_t)ptr);
    put_str(&w, " with layout Layout { size: ");
    put_uint(&w, layout.size);
    put_str(&w, ", align: ");
    put_uint(&w, layout.align);
    put_str(&w, " } failed: ");
    put_error(&w, e);
    return finish(&w);
}
