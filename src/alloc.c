/*
 * The allocator interface's allocation and deallocation (alloc.h): argument validation in the
 * reference's check order, then the allocator's vtable entry (docs/design.md section 3), and the
 * message of a failed memapi_dealloc. The resizes are in resize.c, scoped allocation in
 * alloc_temp.c, the checked operations in checked.c; what they share is internal/dispatch.h.
 *
 * The contracts of the exported functions are on their declarations in alloc.h (one text each,
 * memapi2/alloc_acsl.h, also proved of their inline fast paths).
 */
#include "internal/dispatch.h"

#ifdef __FRAMAC__
/*@ ghost int memapi_proof_heap; */
#endif

const char memapi__msg_null_pointer[13] = "null pointer";
const char memapi__msg_misaligned[34] = "pointer not aligned to its layout";

/*@ requires !memapi_valid_layout(layout);
    requires err == \null || \valid(err);
    assigns *err;
    ensures \result == \null;
    ensures err != \null ==> memapi_check_err(err, layout.size, layout.align);
*/
static __attribute__((noinline, cold)) void *layout_rejected_null(memapi_layout layout, memapi_error *err)
{
    (void)layout_rejected(layout, err);
    return NULL;
}

void *(memapi_alloc)(memapi_allocator a, memapi_layout layout, memapi_error *err)
{
    if (MEMAPI_UNLIKELY(!memapi_layout_is_valid(layout)))
        return layout_rejected_null(layout, err);
    if (MEMAPI_LIKELY(has_entry_table(a))) {
        const memapi_alloc_vtable vt = *a.vt;
        if (MEMAPI_LIKELY(vt.alloc != NULL))
            return MEMAPI__ENTRY_ALLOC(vt.alloc, a.self, layout, err);
    }
    memapi__fail(err, MEMAPI_E_UNSUPPORTED); /* no vtable, or no alloc entry */
    return NULL;
}

void *(memapi_zalloc)(memapi_allocator a, memapi_layout layout, memapi_error *err)
{
    if (MEMAPI_UNLIKELY(!memapi_layout_is_valid(layout)))
        return layout_rejected_null(layout, err);
    return do_alloc(a, layout, true, err);
}

/* Inline into both public forms, so that memapi_dealloc's own layout test and this one fold. */
/*@ MEMAPI_ACSL_TRY_DEALLOC */
static inline memapi_status try_dealloc(memapi_allocator a, void *ptr, memapi_layout layout, memapi_error *err)
{
    if (MEMAPI_UNLIKELY(!memapi_layout_is_valid(layout)))
        return layout_rejected(layout, err);
    if (check_block(ptr, layout, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    return do_try_dealloc(a, ptr, layout, err);
}

memapi_status memapi_try_dealloc(memapi_allocator a, void *ptr, memapi_layout layout, memapi_error *err)
{
    return try_dealloc(a, ptr, layout, err);
}

/* Out of line and cold, so that the message buffer costs nothing on the path that succeeds. */
/* Appends the n bytes of s to a bounded message (snprintf semantics: *len counts the full length). */
#define MSG_MAX 4096 /* bound on cap and on the lengths, far above the 512-byte buffer used */
#define MSG_TEXT 512 /* the message buffer of dealloc_failed */
/*@ requires 0 < cap <= MSG_MAX && \valid(buf + (0 .. cap - 1));
    requires \valid(len) && \separated(len, buf + (0 .. cap - 1));
    requires *len <= MSG_MAX && n <= MSG_MAX;
    requires \valid_read(s + (0 .. n - 1)) && \separated(s + (0 .. n - 1), buf + (0 .. cap - 1));
    assigns *len, buf[0 .. cap - 1];
    ensures *len == \old(*len) + n;
    ensures buf[\min(*len, cap - 1)] == '\0';
    ensures \forall integer i; 0 <= i < \min(\old(*len), cap - 1) ==> buf[i] == \old(buf[i]);
*/
static void msg_append(char *buf, size_t cap, size_t *len, const char *s, size_t n)
{
    /*@ loop invariant 0 <= i <= n && *len == \at(*len, Pre) + i;
        loop invariant \forall integer j; 0 <= j < \min(\at(*len, Pre), cap - 1) ==> buf[j] == \at(buf[j], Pre);
        loop assigns i, *len, buf[0 .. cap - 1];
        loop variant n - i; */
    for (size_t i = 0; i < n; i++, (*len)++)
        if (*len + 1 < cap)
            buf[*len] = s[i];
    buf[*len + 1 < cap ? *len : cap - 1] = '\0';
}
#define MSG_LIT(buf, cap, len, lit) msg_append((buf), (cap), (len), (lit), sizeof(lit) - 1)
static const char msg_hex_digits[] = "0123456789abcdef";
static const char msg_head[] = "deallocation of block at ";
static const char msg_with[] = " with layout ";
static const char msg_failed[] = " failed: ";

/*
 * The reference's default-dealloc panic message, `deallocation of block at 0xADDR with layout
 * Layout { size: S, align: A } failed: <error text>`, built from the public formatters.
 */
/*@ requires 0 < cap <= MSG_TEXT && \valid(buf + (0 .. cap - 1));
    requires \valid_read(e) && memapi_err_texts((memapi_error *)e);
    assigns buf[0 .. cap - 1];
    ensures \exists integer k; 0 <= k < cap && buf[k] == '\0';
*/
static void dealloc_message(char *buf, size_t cap, const void *ptr, memapi_layout layout, const memapi_error *e)
{
    /*
     * The error text is formatted first, into a buffer at least as large as the message, then
     * appended: the bytes that reach buf are those the formatter would have written there.
     */
    char text[MSG_TEXT] MEMAPI__NO_AUTO_INIT;
    size_t t = memapi_error_format(e, text, sizeof text);
    char hex[2 + 2 * sizeof(uintptr_t) + 1];
    size_t n = sizeof hex - 1;
    uintptr_t v = (uintptr_t)ptr;
    hex[n] = '\0';
    /* At most 2 * sizeof(uintptr_t) digits: the bound on n never stops the loop before v does. */
    /*@ loop invariant 3 <= n <= 2 + 2 * sizeof(uintptr_t);
        loop assigns n, v, hex[2 .. 1 + 2 * sizeof(uintptr_t)];
        loop variant n; */
    do {
        hex[--n] = msg_hex_digits[v % 16u];
        v /= 16u;
    } while (v != 0 && n > 2);
    hex[--n] = 'x';
    hex[--n] = '0';
    size_t len = 0;
    MSG_LIT(buf, cap, &len, msg_head);
    msg_append(buf, cap, &len, hex + n, sizeof hex - 1 - n);
    MSG_LIT(buf, cap, &len, msg_with);
    size_t k = memapi_layout_debug_format(layout, len < cap ? buf + len : NULL, len < cap ? cap - len : 0);
    /* Past cap only the terminator at cap - 1 is written, so counting at most up to cap changes nothing. */
    len = len < cap && k < cap - len ? len + k : cap;
    MSG_LIT(buf, cap, &len, msg_failed);
    msg_append(buf, cap, &len, text, t < sizeof text ? t : sizeof text - 1);
}

/*@ requires \valid_read(e) && memapi_err_texts((memapi_error *)e);
    assigns \nothing;
    ensures \false;
*/
static __attribute__((noinline, cold)) MEMAPI_NORETURN void dealloc_failed(const void *ptr, memapi_layout layout,
                                                                          const memapi_error *e)
{
    char msg[MSG_TEXT] MEMAPI__NO_AUTO_INIT; /* written whole by the formatter below */
    dealloc_message(msg, sizeof msg, ptr, layout, e);
    memapi_fatal(msg);
}

/* The whole of memapi_dealloc, with the error object its failure message needs. */
/*@ MEMAPI_ACSL_DEALLOC */
static __attribute__((noinline)) void dealloc_reporting(memapi_allocator a, void *ptr, memapi_layout layout)
{
    /*
     * Not zero-filled on every call (168 bytes): each failure path of the library writes the whole
     * error (internal/error_set.h). kind and msg are preset so that a foreign allocator entry that
     * fails without describing it still yields a defined message.
     */
    memapi_error e MEMAPI__NO_AUTO_INIT;
    e.kind = MEMAPI_E_OTHER;
    e.msg = NULL;
    /* The reference skips only the dangling pointer; a zero-size layout still reaches try_dealloc. */
    if (memapi_layout_is_valid(layout) && ptr == memapi_layout_dangling(layout))
        return;
    if (try_dealloc(a, ptr, layout, &e) == MEMAPI_OK)
        return;
    dealloc_failed(ptr, layout, &e);
}

void (memapi_dealloc)(memapi_allocator a, void *ptr, memapi_layout layout)
{
    /*
     * An allocator whose free cannot fail gets the block once the checks of try_dealloc (and the
     * dangling test) pass: no error object, no frame. Anything else, including every failure, is
     * dealloc_reporting's.
     */
    if (MEMAPI_LIKELY(memapi_layout_is_valid(layout))) {
        if (ptr == memapi_layout_dangling(layout))
            return;
        if (MEMAPI_LIKELY(ptr != NULL && ((uintptr_t)ptr & (layout.align - 1)) == 0 && has_entry_table(a))) {
            const memapi_alloc_vtable vt = *a.vt;
            if (MEMAPI_LIKELY(vt.try_dealloc != NULL && vt.dealloc != NULL)) {
                MEMAPI__ENTRY_DEALLOC(vt.dealloc, a.self, ptr, layout);
                return;
            }
        }
    }
    dealloc_reporting(a, ptr, layout);
}

/* The out-of-line halves of the inline fast paths (alloc.h): the exported functions, `self` unused. */
void *memapi_alloc_outline(void *self, memapi_layout layout, memapi_error *err, memapi_allocator a)
{
    (void)self;
    return (memapi_alloc)(a, layout, err);
}

void *memapi_zalloc_outline(void *self, memapi_layout layout, memapi_error *err, memapi_allocator a)
{
    (void)self;
    return (memapi_zalloc)(a, layout, err);
}

void memapi_dealloc_outline(void *self, void *ptr, memapi_layout layout, memapi_allocator a)
{
    (void)self;
    /* memapi_dealloc's own first test, repeated so that the proof sees that the dangling pointer
       assigns nothing (WP knows of a call only its callee's whole assigns clause). */
    if (memapi_layout_is_valid(layout) && ptr == memapi_layout_dangling(layout))
        return;
    (memapi_dealloc)(a, ptr, layout);
}
