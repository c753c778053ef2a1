/*
 * Error construction and the reference's Display texts. No libc: the formatting is done by hand
 * so that the freestanding core can report errors too. The only libc use (strerror_r for OS error
 * descriptions) lives in os_error.c and is compiled only with MEMAPI_OS_ERR_REPORTING.
 */
#include "memapi2/error.h"
#include "internal/error_set.h"
#include "internal/acsl.h"

/* ---- construction ---------------------------------------------------------------------------- */

/*@ requires \valid(e);
    assigns *e;
    ensures e->kind == kind;
    ensures memapi_zero_layout(e->layout) && memapi_zero_layout(e->recorded);
    ensures e->cause.kind == MEMAPI_CAUSE_UNKNOWN && e->cause.os_errno == 0 && e->cause.msg == \null;
    ensures e->layout_err.kind == MEMAPI_LE_ZERO_SIZE && e->layout_err.size == 0 &&
            e->layout_err.align == 0 && e->layout_err.n == 0 && memapi_zero_arith(e->layout_err.arith);
    ensures e->old_val == 0 && e->new_val == 0 && memapi_zero_arith(e->arith);
    ensures e->msg == \null && e->ptr == \null;
*/
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

/*@ requires err == \null || \valid(err);
    assigns *err;
    ensures \result == MEMAPI_ERROR;
    ensures err != \null ==> err->kind == kind && err->msg == \null && err->ptr == \null &&
                             memapi_zero_layout(err->layout) && memapi_zero_arith(err->arith);
*/
memapi_status memapi__fail(memapi_error *err, memapi_error_kind kind)
{
    if (err)
        clear(err, kind);
    return MEMAPI_ERROR;
}

/*@ requires err == \null || \valid(err);
    assigns *err;
    ensures \result == MEMAPI_ERROR;
    ensures err != \null ==> memapi_err_layout_payload(err, kind, size, align, n);
    ensures err != \null ==> memapi_zero_arith(err->layout_err.arith) && memapi_zero_arith(err->arith);
    ensures err != \null ==> err->msg == \null;
    ensures err != \null ==> memapi_zero_common(err);
*/
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

/*@ requires err == \null || \valid(err);
    assigns *err;
    ensures \result == MEMAPI_ERROR;
    ensures err != \null ==> memapi_err_layout_arith_payload(err, l, op, r);
    ensures err != \null ==> err->layout_err.size == 0 && err->layout_err.align == 0 && err->layout_err.n == 0;
    ensures err != \null ==> memapi_zero_arith(err->arith) && err->msg == \null;
    ensures err != \null ==> memapi_zero_common(err);
*/
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

/*@ requires err == \null || \valid(err);
    assigns *err;
    ensures \result == MEMAPI_ERROR;
    ensures err != \null ==> err->kind == MEMAPI_E_ARITH && err->arith.l == l && err->arith.op == op && err->arith.r == r;
    ensures err != \null ==> memapi_zero_layout_err(err) && err->msg == \null;
    ensures err != \null ==> memapi_zero_common(err);
*/
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

/*@ requires err == \null || \valid(err);
    assigns *err;
    ensures \result == MEMAPI_ERROR;
    ensures err != \null ==> err->kind == MEMAPI_E_OTHER && err->msg == msg;
    ensures err != \null ==> memapi_zero_layout_err(err) && memapi_zero_arith(err->arith);
    ensures err != \null ==> memapi_zero_common(err);
*/
memapi_status memapi__fail_other(memapi_error *err, const char *msg)
{
    if (err) {
        clear(err, MEMAPI_E_OTHER);
        err->msg = msg;
    }
    return MEMAPI_ERROR;
}

/*@ requires err == \null || \valid(err);
    assigns *err;
    ensures \result == MEMAPI_ERROR;
    ensures err != \null ==> err->kind == kind && err->old_val == old_val && err->new_val == new_val &&
                             err->msg == \null && err->ptr == \null && memapi_zero_layout(err->layout);
*/
memapi_status memapi__fail_resize(memapi_error *err, memapi_error_kind kind, size_t old_val, size_t new_val)
{
    if (err) {
        clear(err, kind);
        err->old_val = old_val;
        err->new_val = new_val;
    }
    return MEMAPI_ERROR;
}

/*@ requires err == \null || \valid(err);
    assigns *err;
    ensures \result == MEMAPI_ERROR;
    ensures err != \null ==> err->kind == MEMAPI_E_ALLOC_FAILED &&
                             err->layout.size == layout.size && err->layout.align == layout.align &&
                             err->cause.kind == cause && err->cause.os_errno == os_errno &&
                             err->cause.msg == msg && err->msg == \null && err->ptr == \null;
*/
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

/*@ requires err == \null || \valid(err);
    assigns *err;
    ensures \result == MEMAPI_ERROR;
    ensures err != \null ==> err->kind == kind && err->ptr == ptr && err->msg == msg &&
                             memapi_zero_layout(err->layout) && memapi_zero_layout(err->recorded);
*/
memapi_status memapi__fail_ptr(memapi_error *err, memapi_error_kind kind, const void *ptr, const char *msg)
{
    if (err) {
        clear(err, kind);
        err->ptr = ptr;
        err->msg = msg;
    }
    return MEMAPI_ERROR;
}

/*@ requires err == \null || \valid(err);
    assigns *err;
    ensures \result == MEMAPI_ERROR;
    ensures err != \null ==> err->kind == MEMAPI_E_LAYOUT_MISMATCH && err->ptr == ptr && err->msg == \null &&
                             err->layout.size == given.size && err->layout.align == given.align &&
                             err->recorded.size == recorded.size && err->recorded.align == recorded.align;
*/
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

/*@ // The writer's buffer is writable over [0, cap) and does not overlap the writer itself.
    predicate writer_ok{L}(writer *w) =
      \valid(w) && (w->cap == 0 || \valid(w->buf + (0 .. w->cap - 1))) &&
      \separated(w, w->buf + (0 .. w->cap - 1));

    // A text the writer may read: NULL or a string that does not overlap the output buffer.
    predicate text_ok{L}(char *s, char *buf, integer cap) =
      s == \null ||
      (valid_read_string(s) && strlen(s) < SIZE_MAX && \separated(s + (0 .. strlen(s)), buf + (0 .. cap - 1)));

    // n readable bytes at s and its terminator (nothing when s is NULL), overlapping neither the
    // buffer nor the writer.
    predicate span_ok{L}(char *s, integer n, writer *w) =
      (s == \null ==> n == 0) &&
      (s != \null ==> \valid_read(s + (0 .. n)) && \separated(s + (0 .. n - 1), w->buf + (0 .. w->cap - 1)) &&
                       \separated(s + (0 .. n - 1), w));

    // Bytes at positions >= from are the ones the writer had at label L1.
    predicate kept{L1, L2}(char *buf, integer cap, integer from) =
      \forall integer i; from <= i < cap ==> \at(buf[i], L1) == \at(buf[i], L2);
*/

/*@ requires writer_ok(w);
    assigns w->len, w->buf[0 .. w->cap - 1];
    ensures w->len == (\old(w->len) < SIZE_MAX ? \old(w->len) + 1 : \old(w->len));
    ensures kept{Pre, Post}(w->buf, w->cap, w->len);
*/
static void put_char(writer *w, char c)
{
    if (w->cap != 0 && w->len < w->cap - 1)
        w->buf[w->len] = c;
    if (w->len < SIZE_MAX)
        w->len++;
}

/*@ requires writer_ok(w);
    requires text_ok((char *)s, w->buf, w->cap);
    requires s != \null ==> \separated(w, s + (0 .. strlen(s)));
    assigns w->len, w->buf[0 .. w->cap - 1];
    ensures w->len >= \old(w->len);
    ensures kept{Pre, Post}(w->buf, w->cap, w->len);
*/
static void put_str(writer *w, const char *s)
{
    if (!s)
        return;
    /*@ loop invariant 0 <= i <= \at(strlen(s), Pre);
        loop invariant w->len >= \at(w->len, Pre);
        loop invariant kept{Pre, Here}(w->buf, w->cap, w->len);
        loop assigns i, w->len, w->buf[0 .. w->cap - 1];
        loop variant \at(strlen(s), Pre) - i;
    */
    for (size_t i = 0; s[i] != '\0'; i++)
        put_char(w, s[i]);
}

/*
 * Length of a text that is printed after other writes: measured first, before any byte of the
 * buffer changes, so that the later put_mem needs only the (memory-independent) validity of the
 * span, not a strlen that the provers would have to carry across each write.
 */
/*@ requires s == \null || (valid_read_string(s) && strlen(s) < SIZE_MAX);
    assigns \nothing;
    ensures s == \null ==> \result == 0;
    ensures s != \null ==> \result == strlen(s);
*/
static size_t text_len(const char *s)
{
    size_t n = 0;
    if (s == NULL)
        return 0;
    /*@ loop invariant 0 <= n <= strlen(s);
        loop assigns n;
        loop variant strlen(s) - n;
    */
    while (s[n] != '\0')
        n++;
    return n;
}

/*@ requires writer_ok(w);
    requires \valid_read(s + (0 .. n - 1));
    requires \separated(s + (0 .. n - 1), w->buf + (0 .. w->cap - 1));
    requires \separated(s + (0 .. n - 1), w);
    assigns w->len, w->buf[0 .. w->cap - 1];
    ensures w->len >= \old(w->len);
    ensures kept{Pre, Post}(w->buf, w->cap, w->len);
*/
static void put_mem(writer *w, const char *s, size_t n)
{
    /*@ loop invariant 0 <= i <= n;
        loop invariant w->len >= \at(w->len, Pre);
        loop invariant kept{Pre, Here}(w->buf, w->cap, w->len);
        loop assigns i, w->len, w->buf[0 .. w->cap - 1];
        loop variant n - i;
    */
    for (size_t i = 0; i < n; i++)
        put_char(w, s[i]);
}

/* The bytes of a string literal, without its terminating NUL. */
#define PUT_LIT(w, lit) put_mem((w), (lit), sizeof(lit) - 1)

/* Decimal digits of v. The `n < sizeof digits` test never fails (20 digits at most); it bounds n for the prover. */
/*@ requires writer_ok(w);
    assigns w->len, w->buf[0 .. w->cap - 1];
    ensures w->len >= \old(w->len);
    ensures kept{Pre, Post}(w->buf, w->cap, w->len);
*/
static void put_uint(writer *w, size_t v)
{
    char digits[3 * sizeof(size_t)];
    size_t n = 0;
    /*@ loop invariant 0 <= n < sizeof(digits);
        loop assigns n, v, digits[0 .. sizeof(digits) - 1];
        loop variant sizeof(digits) - n;
    */
    do {
        digits[n++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v != 0 && n < sizeof digits);
    /*@ loop invariant 0 <= n <= sizeof(digits);
        loop invariant w->len >= \at(w->len, Pre);
        loop invariant kept{Pre, Here}(w->buf, w->cap, w->len);
        loop assigns n, w->len, w->buf[0 .. w->cap - 1];
        loop variant n;
    */
    while (n > 0)
        put_char(w, digits[--n]);
}

/*@ requires writer_ok(w);
    assigns w->len, w->buf[0 .. w->cap - 1];
    ensures w->len >= \old(w->len);
    ensures kept{Pre, Post}(w->buf, w->cap, w->len);
*/
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

/* Hexadecimal digits of v after "0x"; as in put_uint, the `n < sizeof digits` test never fails. */
/*@ requires writer_ok(w);
    assigns w->len, w->buf[0 .. w->cap - 1];
    ensures w->len >= \old(w->len);
    ensures kept{Pre, Post}(w->buf, w->cap, w->len);
*/
static void put_hex(writer *w, uintptr_t v)
{
    static const char hex[] = "0123456789abcdef";
    char digits[2 * sizeof(uintptr_t)];
    size_t n = 0;
    /*@ loop invariant 0 <= n < sizeof(digits);
        loop assigns n, v, digits[0 .. sizeof(digits) - 1];
        loop variant sizeof(digits) - n;
    */
    do {
        digits[n++] = hex[v % 16u];
        v /= 16u;
    } while (v != 0 && n < sizeof digits);
    PUT_LIT(w, "0x");
    /*@ loop invariant 0 <= n <= sizeof(digits);
        loop invariant w->len >= \at(w->len, Pre);
        loop invariant kept{Pre, Here}(w->buf, w->cap, w->len);
        loop assigns n, w->len, w->buf[0 .. w->cap - 1];
        loop variant n;
    */
    while (n > 0)
        put_char(w, digits[--n]);
}

/*@ requires writer_ok(w);
    assigns w->buf[0 .. w->cap - 1];
    ensures \result == w->len;
    ensures w->cap > 0 ==> w->buf[\min(w->len, w->cap - 1)] == '\0';
    ensures kept{Pre, Post}(w->buf, w->cap, w->len + 1);
*/
static size_t finish(writer *w)
{
    if (w->cap != 0)
        w->buf[w->len < w->cap - 1 ? w->len : w->cap - 1] = '\0';
    return w->len;
}

/* put_op writes the same texts; this returns them as strings. */
/*@ assigns \result \from op;
    ensures \result != \null && \valid_read(\result);
*/
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

/* The text of memapi_arith_op_name(op), written from literals of known length. */
/*@ requires writer_ok(w);
    assigns w->len, w->buf[0 .. w->cap - 1];
    ensures w->len >= \old(w->len);
    ensures kept{Pre, Post}(w->buf, w->cap, w->len);
*/
static void put_op(writer *w, memapi_arith_op op)
{
    switch (op) {
    case MEMAPI_OP_ADD: PUT_LIT(w, "add"); return;
    case MEMAPI_OP_SUB: PUT_LIT(w, "sub"); return;
    case MEMAPI_OP_MUL: PUT_LIT(w, "mul"); return;
    case MEMAPI_OP_DIV: PUT_LIT(w, "div"); return;
    case MEMAPI_OP_REM: PUT_LIT(w, "rem"); return;
    case MEMAPI_OP_DIV_CEIL: PUT_LIT(w, "div_ceil"); return;
    case MEMAPI_OP_POW: PUT_LIT(w, "pow"); return;
    }
    PUT_LIT(w, "?");
}

/*@ requires writer_ok(w) && \valid_read(e) && \separated(e, w->buf + (0 .. w->cap - 1));
    assigns w->len, w->buf[0 .. w->cap - 1];
    ensures w->len >= \old(w->len);
    ensures kept{Pre, Post}(w->buf, w->cap, w->len);
*/
static void put_arith(writer *w, const memapi_arith_err *e)
{
    PUT_LIT(w, "arithmetic operation would overflow: ");
    put_uint(w, e->l);
    put_char(w, '.');
    put_op(w, e->op);
    put_char(w, '(');
    put_uint(w, e->r);
    put_char(w, ')');
}

/*@ requires writer_ok(w) && \valid_read(e) && \separated(e, w->buf + (0 .. w->cap - 1));
    assigns w->len, w->buf[0 .. w->cap - 1];
    ensures w->len >= \old(w->len);
    ensures kept{Pre, Post}(w->buf, w->cap, w->len);
*/
static void put_layout_err(writer *w, const memapi_layout_err *e)
{
    switch (e->kind) {
    case MEMAPI_LE_ZERO_SIZE:
        PUT_LIT(w, "size is zero");
        return;
    case MEMAPI_LE_ZERO_ALIGN:
        PUT_LIT(w, "alignment is zero");
        return;
    case MEMAPI_LE_NON_POW2_ALIGN:
        PUT_LIT(w, "alignment ");
        put_uint(w, e->align);
        PUT_LIT(w, " isn't a power of two");
        return;
    case MEMAPI_LE_EXCEEDS_MAX:
        if (e->n == 1) {
            PUT_LIT(w, "size ");
            put_uint(w, e->size);
        } else {
            PUT_LIT(w, "array with ");
            put_uint(w, e->n);
            PUT_LIT(w, " elements of size ");
            put_uint(w, e->size);
            PUT_LIT(w, " would have its total size");
        }
        if (e->n == 1)
            PUT_LIT(w, " would exceed ");
        else
            PUT_LIT(w, " exceed ");
        put_uint(w, MEMAPI_USIZE_MAX_NO_HIGH_BIT);
        PUT_LIT(w, " when rounded up to a multiple of ");
        put_uint(w, e->align);
        return;
    case MEMAPI_LE_ARITH:
        put_arith(w, &e->arith);
        return;
    case MEMAPI_LE_C_ROUND_UP:
        PUT_LIT(w, "alignment ");
        put_uint(w, e->align);
        PUT_LIT(w, " would overflow `usize::MAX` when rounded up to a multiple of ");
        put_uint(w, MEMAPI_PTR_SIZE);
        return;
    }
    PUT_LIT(w, "unknown layout error kind ");
    put_uint(w, (size_t)e->kind);
}

/*@ requires writer_ok(w) && \valid_read(c) && \separated(c, w->buf + (0 .. w->cap - 1));
    requires c->kind == MEMAPI_CAUSE_OTHER ==> span_ok((char *)c->msg, msg_len, w);
    assigns w->len, w->buf[0 .. w->cap - 1];
    ensures w->len >= \old(w->len);
    ensures kept{Pre, Post}(w->buf, w->cap, w->len);
*/
static void put_cause(writer *w, const memapi_cause *c, size_t msg_len)
{
    switch (c->kind) {
    case MEMAPI_CAUSE_UNKNOWN:
        PUT_LIT(w, "unknown");
        return;
    case MEMAPI_CAUSE_OUT_OF_MEMORY:
        PUT_LIT(w, "out of memory");
        return;
    case MEMAPI_CAUSE_OTHER:
        put_mem(w, c->msg, msg_len);
        return;
    case MEMAPI_CAUSE_OS_ERR:
#if MEMAPI_OS_ERR_REPORTING
    {
        char desc[256];
        PUT_LIT(w, "os error: ");
        (void)memapi__os_strerror(c->os_errno, desc, sizeof desc);
        put_str(w, desc);
        PUT_LIT(w, " (os error ");
        put_int(w, c->os_errno);
        put_char(w, ')');
    }
#else
        PUT_LIT(w, "os error code: ");
        put_int(w, c->os_errno);
#endif
        return;
    }
    PUT_LIT(w, "unknown cause kind ");
    put_uint(w, (size_t)c->kind);
}

/*@ requires writer_ok(w);
    assigns w->len, w->buf[0 .. w->cap - 1];
    ensures w->len >= \old(w->len);
    ensures kept{Pre, Post}(w->buf, w->cap, w->len);
*/
static void put_layout_paren(writer *w, memapi_layout l)
{
    PUT_LIT(w, "Layout(size: ");
    put_uint(w, l.size);
    PUT_LIT(w, ", align: ");
    put_uint(w, l.align);
    put_char(w, ')');
}

/*@ // The texts an error prints verbatim are strings that do not overlap the output buffer, and the
    // block pointer it prints as a number is a pointer value C allows reading (not a freed one).
    predicate error_texts_ok{L}(memapi_error *e, char *buf, integer cap) =
      ((e->kind == MEMAPI_E_INVALID_POINTER || e->kind == MEMAPI_E_LAYOUT_MISMATCH ||
        e->kind == MEMAPI_E_CORRUPTION) ==> (e->ptr == \null || \object_pointer(e->ptr))) &&
      ((e->kind == MEMAPI_E_OTHER || e->kind == MEMAPI_E_INVALID_POINTER || e->kind == MEMAPI_E_CORRUPTION) ==>
         text_ok((char *)e->msg, buf, cap)) &&
      ((e->kind == MEMAPI_E_ALLOC_FAILED && e->cause.kind == MEMAPI_CAUSE_OTHER) ==>
         text_ok((char *)e->cause.msg, buf, cap));
*/

/*@ requires writer_ok(w) && \valid_read(e) && \separated(e, w->buf + (0 .. w->cap - 1));
    requires error_texts_ok((memapi_error *)e, w->buf, w->cap);
    requires e->msg != \null ==> \separated(w, e->msg + (0 .. strlen(e->msg)));
    requires e->cause.msg != \null ==> \separated(w, e->cause.msg + (0 .. strlen(e->cause.msg)));
    assigns w->len, w->buf[0 .. w->cap - 1];
    ensures w->len >= \old(w->len);
    ensures kept{Pre, Post}(w->buf, w->cap, w->len);
*/
static void put_error(writer *w, const memapi_error *e)
{
    switch (e->kind) {
    case MEMAPI_E_ALLOC_FAILED: {
        size_t n = e->cause.kind == MEMAPI_CAUSE_OTHER ? text_len(e->cause.msg) : 0;
        PUT_LIT(w, "allocation failed: ");
        //@ assert kept{Pre, Here}(w->buf, w->cap, w->len);
        put_layout_paren(w, e->layout);
        //@ assert kept{Pre, Here}(w->buf, w->cap, w->len);
        PUT_LIT(w, ", cause: ");
        //@ assert kept{Pre, Here}(w->buf, w->cap, w->len);
        put_cause(w, &e->cause, n);
        //@ assert kept{Pre, Here}(w->buf, w->cap, w->len);
        return;
    }
    case MEMAPI_E_LAYOUT:
        PUT_LIT(w, "layout error: ");
        put_layout_err(w, &e->layout_err);
        return;
    case MEMAPI_E_GROW_SMALLER:
        PUT_LIT(w, "attempted to grow from size ");
        put_uint(w, e->old_val);
        PUT_LIT(w, " to smaller size ");
        put_uint(w, e->new_val);
        return;
    case MEMAPI_E_SHRINK_LARGER:
        PUT_LIT(w, "attempted to shrink from size ");
        put_uint(w, e->old_val);
        PUT_LIT(w, " to larger size ");
        put_uint(w, e->new_val);
        return;
    case MEMAPI_E_REALLOC_SMALLER_ALIGN:
        PUT_LIT(w, "attempted to reallocate from align ");
        put_uint(w, e->old_val);
        PUT_LIT(w, " to smaller align ");
        put_uint(w, e->new_val);
        return;
    case MEMAPI_E_ARITH:
        put_arith(w, &e->arith);
        return;
    case MEMAPI_E_CAUGHT_UNWIND:
        PUT_LIT(w, "unwind caught in unsupported function");
        return;
    case MEMAPI_E_UNSUPPORTED:
        PUT_LIT(w, "unsupported operation");
        return;
    case MEMAPI_E_OTHER:
        put_str(w, e->msg);
        return;
    case MEMAPI_E_INVALID_POINTER: {
        size_t n = text_len(e->msg);
        PUT_LIT(w, "invalid pointer ");
        //@ assert kept{Pre, Here}(w->buf, w->cap, w->len);
        put_hex(w, (uintptr_t)e->ptr);
        //@ assert kept{Pre, Here}(w->buf, w->cap, w->len);
        PUT_LIT(w, ": ");
        //@ assert kept{Pre, Here}(w->buf, w->cap, w->len);
        put_mem(w, e->msg, n);
        //@ assert kept{Pre, Here}(w->buf, w->cap, w->len);
        return;
    }
    case MEMAPI_E_LAYOUT_MISMATCH:
        PUT_LIT(w, "layout mismatch for block at ");
        //@ assert kept{Pre, Here}(w->buf, w->cap, w->len);
        put_hex(w, (uintptr_t)e->ptr);
        //@ assert kept{Pre, Here}(w->buf, w->cap, w->len);
        PUT_LIT(w, ": given ");
        //@ assert kept{Pre, Here}(w->buf, w->cap, w->len);
        put_layout_paren(w, e->layout);
        //@ assert kept{Pre, Here}(w->buf, w->cap, w->len);
        PUT_LIT(w, ", allocated with ");
        //@ assert kept{Pre, Here}(w->buf, w->cap, w->len);
        put_layout_paren(w, e->recorded);
        //@ assert kept{Pre, Here}(w->buf, w->cap, w->len);
        return;
    case MEMAPI_E_CORRUPTION: {
        size_t n = text_len(e->msg);
        PUT_LIT(w, "memory corruption detected at ");
        //@ assert kept{Pre, Here}(w->buf, w->cap, w->len);
        put_hex(w, (uintptr_t)e->ptr);
        //@ assert kept{Pre, Here}(w->buf, w->cap, w->len);
        PUT_LIT(w, ": ");
        //@ assert kept{Pre, Here}(w->buf, w->cap, w->len);
        put_mem(w, e->msg, n);
        //@ assert kept{Pre, Here}(w->buf, w->cap, w->len);
        return;
    }
    }
    PUT_LIT(w, "unknown error kind ");
    put_uint(w, (size_t)e->kind);
}

/*
 * The public formatters share one contract: writes stay inside buf[0 .. cap-1], the text is
 * NUL-terminated when cap > 0 (at \result, or at cap - 1 when truncated), and nothing after the
 * terminator is touched, so the returned length is never less than the number of bytes written.
 */

/*@ requires \valid_read(e);
    requires cap == 0 || \valid(buf + (0 .. cap - 1));
    requires \separated(e, buf + (0 .. cap - 1));
    requires error_texts_ok((memapi_error *)e, buf, cap);
    assigns buf[0 .. cap - 1];
    ensures cap > 0 ==> buf[\min(\result, cap - 1)] == '\0';
    ensures \forall integer i; \result < i < cap ==> buf[i] == \old(buf[i]);
*/
size_t memapi_error_format(const memapi_error *e, char *buf, size_t cap)
{
    writer w = {buf, cap, 0};
    put_error(&w, e);
    return finish(&w);
}

/*@ requires \valid_read(c);
    requires cap == 0 || \valid(buf + (0 .. cap - 1));
    requires \separated(c, buf + (0 .. cap - 1));
    requires c->kind == MEMAPI_CAUSE_OTHER ==> text_ok((char *)c->msg, buf, cap);
    assigns buf[0 .. cap - 1];
    ensures cap > 0 ==> buf[\min(\result, cap - 1)] == '\0';
    ensures \forall integer i; \result < i < cap ==> buf[i] == \old(buf[i]);
*/
size_t memapi_cause_format(const memapi_cause *c, char *buf, size_t cap)
{
    writer w = {buf, cap, 0};
    put_cause(&w, c, c->kind == MEMAPI_CAUSE_OTHER ? text_len(c->msg) : 0);
    return finish(&w);
}

/*@ requires \valid_read(e);
    requires cap == 0 || \valid(buf + (0 .. cap - 1));
    requires \separated(e, buf + (0 .. cap - 1));
    assigns buf[0 .. cap - 1];
    ensures cap > 0 ==> buf[\min(\result, cap - 1)] == '\0';
    ensures \forall integer i; \result < i < cap ==> buf[i] == \old(buf[i]);
*/
size_t memapi_layout_err_format(const memapi_layout_err *e, char *buf, size_t cap)
{
    writer w = {buf, cap, 0};
    put_layout_err(&w, e);
    return finish(&w);
}

/*@ requires \valid_read(e);
    requires cap == 0 || \valid(buf + (0 .. cap - 1));
    requires \separated(e, buf + (0 .. cap - 1));
    assigns buf[0 .. cap - 1];
    ensures cap > 0 ==> buf[\min(\result, cap - 1)] == '\0';
    ensures \forall integer i; \result < i < cap ==> buf[i] == \old(buf[i]);
*/
size_t memapi_arith_err_format(const memapi_arith_err *e, char *buf, size_t cap)
{
    writer w = {buf, cap, 0};
    put_arith(&w, e);
    return finish(&w);
}

/*@ requires cap == 0 || \valid(buf + (0 .. cap - 1));
    assigns buf[0 .. cap - 1];
    ensures cap > 0 ==> buf[\min(\result, cap - 1)] == '\0';
    ensures \forall integer i; \result < i < cap ==> buf[i] == \old(buf[i]);
*/
size_t memapi_layout_debug_format(memapi_layout l, char *buf, size_t cap)
{
    writer w = {buf, cap, 0};
    PUT_LIT(&w, "Layout { size: ");
    put_uint(&w, l.size);
    PUT_LIT(&w, ", align: ");
    put_uint(&w, l.align);
    PUT_LIT(&w, " }");
    return finish(&w);
}
