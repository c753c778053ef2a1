/*
 * Dispatch of the allocator interface: argument validation in the reference's check order, then the
 * allocator's vtable entry or the library default (docs/design.md section 3).
 *
 * The ACSL contracts are proved with Frama-C WP (proofs/README.md). The allocator entries are
 * modelled by the extern contracts of proofs/extern.h (the interface contract of each entry kind):
 * under Frama-C each ENTRY_* call below goes through them; compiled, it is the plain indirect call.
 * The vtable is read by value (`memapi_alloc_vtable vt = *a.vt;`): a read of a function pointer out
 * of memory raises a `\valid_function` alarm that WP 25 cannot translate, a read out of a local
 * copy does not; compilers load only the fields used.
 */
#include "memapi2/alloc.h"
#include "internal/error_set.h"
#include "internal/mem.h"
#include "internal/acsl.h"

#ifdef __FRAMAC__
/*@ ghost int memapi_proof_heap; */
#define ENTRY_ALLOC(f, self, l, e) memapi_proof_entry_alloc((f), (self), (l), (e))
#define ENTRY_ZALLOC(f, self, l, e) memapi_proof_entry_zalloc((f), (self), (l), (e))
#define ENTRY_TRY_DEALLOC(f, self, p, l, e) memapi_proof_entry_try_dealloc((f), (self), (p), (l), (e))
#define ENTRY_DEALLOC(f, self, p, l) memapi_proof_entry_dealloc((f), (self), (p), (l))
#define ENTRY_RESIZE(f, zero, self, p, ol, nl, e) memapi_proof_entry_resize((f), (zero), (self), (p), (ol), (nl), (e))
#define ENTRY_OWNS(f, self, p, l, e) memapi_proof_entry_owns((f), (self), (p), (l), (e))
#define ENTRY_ALLOC_TEMP(f, self, l, cb, ctx, e) memapi_proof_entry_alloc_temp((f), (self), (l), (cb), (ctx), (e))
#define CALL_TEMP_CB(cb, ctx, mem, size) memapi_proof_temp_cb((cb), (ctx), (mem), (size))
#else
#define ENTRY_ALLOC(f, self, l, e) (f)((self), (l), (e))
#define ENTRY_ZALLOC(f, self, l, e) (f)((self), (l), (e))
#define ENTRY_TRY_DEALLOC(f, self, p, l, e) (f)((self), (p), (l), (e))
#define ENTRY_DEALLOC(f, self, p, l) (f)((self), (p), (l))
#define ENTRY_RESIZE(f, zero, self, p, ol, nl, e) (f)((self), (p), (ol), (nl), (e))
#define ENTRY_OWNS(f, self, p, l, e) (f)((self), (p), (l), (e))
#define ENTRY_ALLOC_TEMP(f, self, l, cb, ctx, e) (f)((self), (l), (cb), (ctx), (e))
#define CALL_TEMP_CB(cb, ctx, mem, size) (cb)((ctx), (mem))
#endif

/* Messages as arrays rather than literals: WP 25 knows the contents of const arrays, not of literals. */
static const char msg_null_pointer[] = "null pointer";
static const char msg_misaligned[] = "pointer not aligned to its layout";

/*@ // The allocator value can be dispatched on: no vtable, or a readable one apart from *err.
    predicate vt_ok(memapi_allocator a, memapi_error *err) =
      a.vt == \null || (\valid_read(a.vt) && (err == \null || \separated(err, a.vt)));

    // What check_block rejects as misaligned, written as the code computes it.
    predicate misaligned(void *p, integer align) = ((uintptr_t)p & (align - 1)) != 0;

    // A block the caller hands in: live in the current heap, valid for n bytes (the first `room`
    // of which an in-place resize may write), with *err outside it.
    predicate block_ok{L}(void *p, integer n, integer room, memapi_error *err) =
      memapi_owned(memapi_proof_heap, (char *)p, n) && \valid((char *)p + (0 .. n - 1)) &&
      (err == \null || (\valid(err) && \separated(err, (char *)p + (0 .. room - 1))));

    // UNSUPPORTED, as memapi__fail leaves it.
    predicate unsupported{L}(memapi_error *err) =
      err != \null ==> err->kind == MEMAPI_E_UNSUPPORTED && err->msg == \null && err->ptr == \null;

    // INVALID_POINTER at p with check_block's message.
    predicate invalid_pointer{L}(memapi_error *err, void *p) =
      err != \null ==> err->kind == MEMAPI_E_INVALID_POINTER && err->ptr == p &&
                       (err->msg == msg_null_pointer || err->msg == msg_misaligned) &&
                       memapi_text((char *)err->msg) &&
                       memapi_zero_layout(err->layout) && memapi_zero_layout(err->recorded);
*/

/*@ assigns \nothing;
    behavior none:
      assumes a.vt == \null;
      ensures \result == 0;
    behavior some:
      assumes a.vt != \null;
      ensures \result == 1;
    complete behaviors;
    disjoint behaviors;
*/
static bool has_entry_table(memapi_allocator a)
{
    return a.vt != NULL;
}

/* A block pointer must be non-NULL and aligned to its layout before anything looks at it. */
/*@ requires memapi_valid_layout(layout);
    requires err == \null || \valid(err);
    assigns *err;
    behavior null:
      assumes ptr == \null;
      ensures \result == MEMAPI_ERROR;
      ensures invalid_pointer(err, ptr);
    behavior misaligned:
      assumes ptr != \null && misaligned(ptr, layout.align);
      ensures \result == MEMAPI_ERROR;
      ensures invalid_pointer(err, ptr);
    behavior ok:
      assumes ptr != \null && !misaligned(ptr, layout.align);
      assigns \nothing;
      ensures \result == MEMAPI_OK;
      ensures err != \null ==> *err == \old(*err);
    complete behaviors;
    disjoint behaviors;
*/
static memapi_status check_block(const void *ptr, memapi_layout layout, memapi_error *err)
{
    /*@ assert \forall integer j; 0 <= j < 12 ==> msg_null_pointer[j] != '\0'; */
    /*@ assert msg_null_pointer[12] == '\0'; */
    /*@ assert strlen((char *)msg_null_pointer) == 12; */
    /*@ assert \forall integer j; 0 <= j < 33 ==> msg_misaligned[j] != '\0'; */
    /*@ assert msg_misaligned[33] == '\0'; */
    /*@ assert strlen((char *)msg_misaligned) == 33; */
    if (ptr == NULL)
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, ptr, msg_null_pointer);
    if (((uintptr_t)ptr & (layout.align - 1)) != 0)
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, ptr, msg_misaligned);
    return MEMAPI_OK;
}

/*
 * Every entry point checks its layouts with the inline predicate memapi_layout_is_valid (the same
 * verdict as memapi_layout_check) and calls one of these, out of line and as a tail call, only for
 * a rejected layout: the hot paths then carry no call and none of the register saves it forces.
 */
/*@ requires !memapi_valid_layout(layout);
    requires err == \null || \valid(err);
    assigns *err;
    ensures \result == MEMAPI_ERROR;
    ensures err != \null ==> memapi_check_err(err, layout.size, layout.align);
*/
static __attribute__((noinline, cold)) memapi_status layout_rejected(memapi_layout layout, memapi_error *err)
{
    return memapi_layout_check(layout.size, layout.align, err); /* MEMAPI_ERROR, *err filled */
}

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

/*@ requires err == \null || \valid(err);
    assigns *err;
    behavior valid:
      assumes memapi_valid_layout(layout);
      assigns \nothing;
      ensures \result == 1;
      ensures err != \null ==> *err == \old(*err);
    behavior invalid:
      assumes !memapi_valid_layout(layout);
      ensures \result == 0;
      ensures err != \null ==> memapi_check_err(err, layout.size, layout.align);
    complete behaviors;
    disjoint behaviors;
*/
static inline bool layout_ok(memapi_layout layout, memapi_error *err)
{
    if (MEMAPI_LIKELY(memapi_layout_is_valid(layout)))
        return true;
    (void)layout_rejected(layout, err);
    return false;
}

/* Allocation without re-validation, for paths whose layout was checked already. */
/*@ requires vt_ok(a, err);
    requires memapi_valid_layout(layout);
    requires err == \null || \valid(err);
    assigns memapi_proof_heap, *err, memapi_proof_next(memapi_proof_heap, layout)[0 .. layout.size - 1];
    behavior unsupported:
      assumes a.vt == \null || a.vt->alloc == \null;
      assigns *err;
      ensures \result == \null;
      ensures unsupported(err);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior supported:
      assumes a.vt != \null && a.vt->alloc != \null;
      ensures \result == \null ==> memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null && err != \null ==> memapi_err_texts(err);
      ensures \result != \null ==>
              memapi_new_block(\old(memapi_proof_heap), memapi_proof_heap, (char *)\result, layout, err);
      ensures \result != \null && zero ==> memapi_zero_bytes((char *)\result, 0, layout.size);
    complete behaviors;
    disjoint behaviors;
*/
static void *do_alloc(memapi_allocator a, memapi_layout layout, bool zero, memapi_error *err)
{
    if (!has_entry_table(a)) {
        memapi__fail(err, MEMAPI_E_UNSUPPORTED);
        return NULL;
    }
    const memapi_alloc_vtable vt = *a.vt;
    if (vt.alloc == NULL) {
        memapi__fail(err, MEMAPI_E_UNSUPPORTED);
        return NULL;
    }
    if (zero && vt.zalloc != NULL)
        return ENTRY_ZALLOC(vt.zalloc, a.self, layout, err);
    void *p = ENTRY_ALLOC(vt.alloc, a.self, layout, err);
    if (zero && p != NULL)
        memapi__zero(p, layout.size);
    return p;
}

/*@ requires vt_ok(a, err);
    requires memapi_valid_layout(layout);
    requires block_ok(ptr, layout.size, layout.size, err);
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. layout.size - 1];
    behavior unsupported:
      assumes a.vt == \null || a.vt->try_dealloc == \null;
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures unsupported(err);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior supported:
      assumes a.vt != \null && a.vt->try_dealloc != \null;
      ensures \result == MEMAPI_OK || \result == MEMAPI_ERROR;
      ensures \result == MEMAPI_OK ==>
              memapi_freed(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, layout.size);
      ensures \result == MEMAPI_ERROR ==> memapi_proof_heap == \old(memapi_proof_heap) &&
              memapi_same_bytes{Old, Here}((char *)ptr, layout.size);
      ensures \result == MEMAPI_ERROR && err != \null ==> memapi_err_texts(err);
    complete behaviors;
    disjoint behaviors;
*/
static memapi_status do_try_dealloc(memapi_allocator a, void *ptr, memapi_layout layout, memapi_error *err)
{
    if (!has_entry_table(a))
        return memapi__fail(err, MEMAPI_E_UNSUPPORTED);
    const memapi_alloc_vtable vt = *a.vt;
    if (vt.try_dealloc == NULL)
        return memapi__fail(err, MEMAPI_E_UNSUPPORTED);
    return ENTRY_TRY_DEALLOC(vt.try_dealloc, a.self, ptr, layout, err);
}

/*@ requires vt_ok(a, err);
    requires err == \null || \valid(err);
    assigns memapi_proof_heap, *err;
    behavior invalid_layout:
      assumes !memapi_valid_layout(layout);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures err != \null ==> memapi_check_err(err, layout.size, layout.align);
    behavior unsupported:
      assumes memapi_valid_layout(layout) && (a.vt == \null || a.vt->alloc == \null);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures unsupported(err);
    behavior supported:
      assumes memapi_valid_layout(layout) && a.vt != \null && a.vt->alloc != \null;
      ensures \result == \null ==> memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null && err != \null ==> memapi_err_texts(err);
      ensures \result != \null ==>
              memapi_new_block(\old(memapi_proof_heap), memapi_proof_heap, (char *)\result, layout, err);
    complete behaviors;
    disjoint behaviors;
*/
void *(memapi_alloc)(memapi_allocator a, memapi_layout layout, memapi_error *err)
{
    if (MEMAPI_UNLIKELY(!memapi_layout_is_valid(layout)))
        return layout_rejected_null(layout, err);
    if (MEMAPI_LIKELY(has_entry_table(a))) {
        const memapi_alloc_vtable vt = *a.vt;
        if (MEMAPI_LIKELY(vt.alloc != NULL))
            return ENTRY_ALLOC(vt.alloc, a.self, layout, err);
    }
    memapi__fail(err, MEMAPI_E_UNSUPPORTED); /* no vtable, or no alloc entry */
    return NULL;
}

/*@ requires vt_ok(a, err);
    requires err == \null || \valid(err);
    assigns memapi_proof_heap, *err, memapi_proof_next(memapi_proof_heap, layout)[0 .. layout.size - 1];
    behavior invalid_layout:
      assumes !memapi_valid_layout(layout);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures err != \null ==> memapi_check_err(err, layout.size, layout.align);
    behavior unsupported:
      assumes memapi_valid_layout(layout) && (a.vt == \null || a.vt->alloc == \null);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures unsupported(err);
    behavior supported:
      assumes memapi_valid_layout(layout) && a.vt != \null && a.vt->alloc != \null;
      ensures \result == \null ==> memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null && err != \null ==> memapi_err_texts(err);
      ensures \result != \null ==>
              memapi_new_block(\old(memapi_proof_heap), memapi_proof_heap, (char *)\result, layout, err);
      ensures \result != \null ==> memapi_zero_bytes((char *)\result, 0, layout.size);
    complete behaviors;
    disjoint behaviors;
*/
void *(memapi_zalloc)(memapi_allocator a, memapi_layout layout, memapi_error *err)
{
    if (MEMAPI_UNLIKELY(!memapi_layout_is_valid(layout)))
        return layout_rejected_null(layout, err);
    return do_alloc(a, layout, true, err);
}

/*@ // The block argument of try_dealloc / dealloc once the layout and the pointer passed their checks.
    predicate dealloc_block{L}(void *ptr, memapi_layout layout, memapi_error *err) =
      memapi_valid_layout(layout) && ptr != \null && !misaligned(ptr, layout.align) ==>
      block_ok(ptr, layout.size, layout.size, err);
*/

/* Inline into both public forms, so that memapi_dealloc's own layout test and this one fold. */
/*@ requires vt_ok(a, err);
    requires err == \null || \valid(err);
    requires dealloc_block(ptr, layout, err);
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. layout.size - 1];
    behavior invalid_layout:
      assumes !memapi_valid_layout(layout);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, layout.size, layout.align);
    behavior invalid_pointer:
      assumes memapi_valid_layout(layout) && (ptr == \null || misaligned(ptr, layout.align));
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == MEMAPI_ERROR;
      ensures invalid_pointer(err, ptr);
    behavior unsupported:
      assumes memapi_valid_layout(layout) && ptr != \null && !misaligned(ptr, layout.align);
      assumes a.vt == \null || a.vt->try_dealloc == \null;
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == MEMAPI_ERROR;
      ensures unsupported(err);
    behavior supported:
      assumes memapi_valid_layout(layout) && ptr != \null && !misaligned(ptr, layout.align);
      assumes a.vt != \null && a.vt->try_dealloc != \null;
      ensures \result == MEMAPI_OK || \result == MEMAPI_ERROR;
      ensures \result == MEMAPI_OK ==>
              memapi_freed(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, layout.size);
      ensures \result == MEMAPI_ERROR ==> memapi_proof_heap == \old(memapi_proof_heap) &&
              memapi_same_bytes{Old, Here}((char *)ptr, layout.size);
      ensures \result == MEMAPI_ERROR && err != \null ==> memapi_err_texts(err);
    complete behaviors;
    disjoint behaviors;
*/
static inline memapi_status try_dealloc(memapi_allocator a, void *ptr, memapi_layout layout, memapi_error *err)
{
    if (MEMAPI_UNLIKELY(!memapi_layout_is_valid(layout)))
        return layout_rejected(layout, err);
    if (check_block(ptr, layout, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    return do_try_dealloc(a, ptr, layout, err);
}

/*@ requires vt_ok(a, err);
    requires err == \null || \valid(err);
    requires dealloc_block(ptr, layout, err);
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. layout.size - 1];
    behavior invalid_layout:
      assumes !memapi_valid_layout(layout);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, layout.size, layout.align);
    behavior invalid_pointer:
      assumes memapi_valid_layout(layout) && (ptr == \null || misaligned(ptr, layout.align));
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == MEMAPI_ERROR;
      ensures invalid_pointer(err, ptr);
    behavior unsupported:
      assumes memapi_valid_layout(layout) && ptr != \null && !misaligned(ptr, layout.align);
      assumes a.vt == \null || a.vt->try_dealloc == \null;
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == MEMAPI_ERROR;
      ensures unsupported(err);
    behavior supported:
      assumes memapi_valid_layout(layout) && ptr != \null && !misaligned(ptr, layout.align);
      assumes a.vt != \null && a.vt->try_dealloc != \null;
      ensures \result == MEMAPI_OK || \result == MEMAPI_ERROR;
      ensures \result == MEMAPI_OK ==>
              memapi_freed(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, layout.size);
      ensures \result == MEMAPI_ERROR ==> memapi_proof_heap == \old(memapi_proof_heap) &&
              memapi_same_bytes{Old, Here}((char *)ptr, layout.size);
      ensures \result == MEMAPI_ERROR && err != \null ==> memapi_err_texts(err);
    complete behaviors;
    disjoint behaviors;
*/
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
/*@ requires vt_ok(a, \null);
    requires ptr == \null || \object_pointer((char *)ptr);
    requires memapi_valid_layout(layout) && ptr != (void *)(uintptr_t)layout.align ==>
             dealloc_block(ptr, layout, \null);
    assigns memapi_proof_heap, ((char *)ptr)[0 .. layout.size - 1];
    behavior dangling:
      assumes memapi_valid_layout(layout) && ptr == (void *)(uintptr_t)layout.align;
      assigns \nothing;
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior rejected:
      assumes !(memapi_valid_layout(layout) && ptr == (void *)(uintptr_t)layout.align);
      assumes !memapi_valid_layout(layout) || ptr == \null || misaligned(ptr, layout.align) ||
              a.vt == \null || a.vt->try_dealloc == \null;
      ensures \false; // stops the program through memapi_fatal
    behavior supported:
      assumes memapi_valid_layout(layout) && ptr != (void *)(uintptr_t)layout.align;
      assumes ptr != \null && !misaligned(ptr, layout.align) && a.vt != \null && a.vt->try_dealloc != \null;
      // When it returns, the block was freed (a failed free stops the program).
      ensures memapi_freed(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, layout.size);
    complete behaviors;
    disjoint behaviors;
*/
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

/*@ requires vt_ok(a, \null);
    requires ptr == \null || \object_pointer((char *)ptr);
    requires memapi_valid_layout(layout) && ptr != (void *)(uintptr_t)layout.align ==>
             dealloc_block(ptr, layout, \null);
    assigns memapi_proof_heap, ((char *)ptr)[0 .. layout.size - 1];
    behavior dangling:
      assumes memapi_valid_layout(layout) && ptr == (void *)(uintptr_t)layout.align;
      assigns \nothing;
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior rejected:
      assumes !(memapi_valid_layout(layout) && ptr == (void *)(uintptr_t)layout.align);
      assumes !memapi_valid_layout(layout) || ptr == \null || misaligned(ptr, layout.align) ||
              a.vt == \null || a.vt->try_dealloc == \null;
      ensures \false; // stops the program through memapi_fatal
    behavior supported:
      assumes memapi_valid_layout(layout) && ptr != (void *)(uintptr_t)layout.align;
      assumes ptr != \null && !misaligned(ptr, layout.align) && a.vt != \null && a.vt->try_dealloc != \null;
      // When it returns, the block was freed (a failed free stops the program).
      ensures memapi_freed(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, layout.size);
    complete behaviors;
    disjoint behaviors;
*/
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
                ENTRY_DEALLOC(vt.dealloc, a.self, ptr, layout);
                return;
            }
        }
    }
    dealloc_reporting(a, ptr, layout);
}

/*@ requires vt_ok(a, err);
    requires memapi_valid_layout(old_layout) && memapi_valid_layout(new_layout);
    requires block_ok(ptr, old_layout.size, old_layout.size, err);
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. old_layout.size - 1],
            memapi_proof_next(memapi_proof_heap, new_layout)[0 .. new_layout.size - 1];
    behavior unsupported:
      assumes a.vt == \null || a.vt->try_dealloc == \null;
      assigns *err;
      ensures \result == \null;
      ensures unsupported(err);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size);
    behavior supported:
      assumes a.vt != \null && a.vt->try_dealloc != \null;
      // Failure: every block the caller owned is still live, the old block byte-for-byte intact
      // (when the old block's free failed, the fresh block was handed back to try_dealloc).
      ensures \result == \null ==> memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap) &&
              memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size);
      // Success: the fresh block of new_layout, holding the first min(old, new) bytes of the old
      // block (zero after them when `zero`); the old block is freed.
      ensures \result != \null ==> \result == memapi_proof_next(\old(memapi_proof_heap), new_layout);
      ensures \result != \null ==>
              memapi_resized{Old, Here}(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, old_layout,
                                        (char *)\result, new_layout, zero);
      ensures \result != \null ==> memapi_freed(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr,
                                                old_layout.size);
    complete behaviors;
    disjoint behaviors;
*/
void *memapi_default_resize(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                            bool zero, memapi_error *err)
{
    if (!has_entry_table(a)) {
        memapi__fail(err, MEMAPI_E_UNSUPPORTED);
        return NULL;
    }
    const memapi_alloc_vtable vt = *a.vt;
    if (vt.try_dealloc == NULL) {
        memapi__fail(err, MEMAPI_E_UNSUPPORTED);
        return NULL;
    }
    void *fresh = do_alloc(a, new_layout, zero, err);
    if (fresh == NULL) {
        /*@ assert memapi_proof_heap == \at(memapi_proof_heap, Pre); */
        /*@ assert memapi_same_bytes{Pre, Here}((char *)ptr, old_layout.size); */
        return NULL;
    }
    /*@ ghost int h1 = memapi_proof_heap; */
    /*@ assert kept: memapi_live_kept(\at(memapi_proof_heap, Pre), h1); */
    /*@ assert old_live: memapi_owned(h1, (char *)ptr, old_layout.size); */
    /*@ assert apart: \separated((char *)ptr + (0 .. old_layout.size - 1), (char *)fresh + (0 .. new_layout.size - 1)); */
    if (old_layout.size > 0)
        memapi__copy(fresh, ptr, old_layout.size < new_layout.size ? old_layout.size : new_layout.size);
    /*@ assert old_kept: memapi_same_bytes{Pre, Here}((char *)ptr, old_layout.size); */
    /*@ assert copied: \forall integer i; 0 <= i < \min(old_layout.size, new_layout.size) ==>
                       ((char *)fresh)[i] == \at(((char *)ptr)[i], Pre); */
    if (ENTRY_TRY_DEALLOC(vt.try_dealloc, a.self, ptr, old_layout, err) != MEMAPI_OK) {
        /* docs/design.md decision D4: undo the allocation so the caller keeps exactly what it had. */
        /*@ assert h1 == memapi_proof_heap; */
        (void)ENTRY_TRY_DEALLOC(vt.try_dealloc, a.self, fresh, new_layout, NULL);
        /*@ assert old_bytes: memapi_same_bytes{Pre, Here}((char *)ptr, old_layout.size); */
        /*@ assert live: memapi_live_kept(\at(memapi_proof_heap, Pre), memapi_proof_heap); */
        return NULL;
    }
    /*@ assert freed: memapi_freed(h1, memapi_proof_heap, (char *)ptr, old_layout.size); */
    /*@ assert fresh_live: memapi_owned(memapi_proof_heap, (char *)fresh, new_layout.size); */
    /*@ assert fresh_bytes: \forall integer i; 0 <= i < \min(old_layout.size, new_layout.size) ==>
                            ((char *)fresh)[i] == \at(((char *)ptr)[i], Pre); */
    /*@ assert fresh_zero: zero ==> memapi_zero_bytes((char *)fresh, old_layout.size, new_layout.size); */
    /*@ assert others: \forall char *q, integer m; memapi_owned(\at(memapi_proof_heap, Pre), q, m) && q != ptr &&
                       \separated(q + (0 .. m - 1), (char *)ptr + (0 .. old_layout.size - 1)) ==>
                       memapi_owned(memapi_proof_heap, q, m) &&
                       \separated(q + (0 .. m - 1), (char *)fresh + (0 .. new_layout.size - 1)); */
    return fresh;
}

typedef enum resize_kind { RESIZE_GROW, RESIZE_ZGROW, RESIZE_SHRINK, RESIZE_REALLOC, RESIZE_REZALLOC } resize_kind;

/*@ // Checks of docs/design.md section 3.3, in the reference's order: both layouts, the pointer, the
    // alignment, the direction of grow / shrink.
    predicate ptr_ok(void *p, memapi_layout l) = p != \null && !misaligned(p, l.align);
    predicate layouts_ok(memapi_layout ol, memapi_layout nl) = memapi_valid_layout(ol) && memapi_valid_layout(nl);
    predicate grows(integer kind) = kind == RESIZE_GROW || kind == RESIZE_ZGROW;
    predicate checks_pass(void *p, memapi_layout ol, memapi_layout nl, integer kind) =
      layouts_ok(ol, nl) && ptr_ok(p, ol) && nl.align >= ol.align &&
      !(grows(kind) && nl.size < ol.size) && !(kind == RESIZE_SHRINK && nl.size > ol.size);
    predicate same_layout(memapi_layout ol, memapi_layout nl) = ol.size == nl.size && ol.align == nl.align;
    // The allocator can say whether it owns a block (guard, tracking, bump): an identical-layout
    // resize asks it before handing the pointer back.
    predicate owns_entry{L}(memapi_allocator a) = a.vt != \null && a.vt->owns != \null;
    logic integer zeroing(integer kind) = kind == RESIZE_ZGROW || kind == RESIZE_REZALLOC ? 1 : 0;

    // The block argument of a resize once the layouts and the pointer passed their checks.
    predicate resize_block{L}(void *ptr, memapi_layout ol, memapi_layout nl, memapi_error *err) =
      layouts_ok(ol, nl) && ptr_ok(ptr, ol) ==> block_ok(ptr, ol.size, \max(ol.size, nl.size), err);

    // A REALLOC_SMALLER_ALIGN / GROW_SMALLER / SHRINK_LARGER error with its two values.
    predicate resize_err{L}(memapi_error *err, integer kind, integer o, integer n) =
      err != \null ==> err->kind == kind && err->old_val == o && err->new_val == n && err->msg == \null &&
                       err->ptr == \null && memapi_zero_layout(err->layout);
*/

/* The checks of docs/design.md section 3.3 before any resize, in the reference's order. */
/*@ requires err == \null || \valid(err);
    requires RESIZE_GROW <= kind <= RESIZE_REZALLOC;
    assigns *err;
    behavior invalid_old_layout:
      assumes !memapi_valid_layout(old_layout);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, old_layout.size, old_layout.align);
    behavior invalid_new_layout:
      assumes memapi_valid_layout(old_layout) && !memapi_valid_layout(new_layout);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, new_layout.size, new_layout.align);
    behavior invalid_pointer:
      assumes layouts_ok(old_layout, new_layout) && !ptr_ok(ptr, old_layout);
      ensures \result == MEMAPI_ERROR;
      ensures invalid_pointer(err, ptr);
    behavior smaller_align:
      assumes layouts_ok(old_layout, new_layout) && ptr_ok(ptr, old_layout);
      assumes new_layout.align < old_layout.align;
      ensures \result == MEMAPI_ERROR;
      ensures resize_err(err, MEMAPI_E_REALLOC_SMALLER_ALIGN, old_layout.align, new_layout.align);
    behavior grow_smaller:
      assumes layouts_ok(old_layout, new_layout) && ptr_ok(ptr, old_layout);
      assumes new_layout.align >= old_layout.align && grows(kind) && new_layout.size < old_layout.size;
      ensures \result == MEMAPI_ERROR;
      ensures resize_err(err, MEMAPI_E_GROW_SMALLER, old_layout.size, new_layout.size);
    behavior shrink_larger:
      assumes layouts_ok(old_layout, new_layout) && ptr_ok(ptr, old_layout);
      assumes new_layout.align >= old_layout.align && kind == RESIZE_SHRINK && new_layout.size > old_layout.size;
      ensures \result == MEMAPI_ERROR;
      ensures resize_err(err, MEMAPI_E_SHRINK_LARGER, old_layout.size, new_layout.size);
    behavior pass:
      assumes checks_pass(ptr, old_layout, new_layout, kind);
      ensures \result == MEMAPI_OK;
      ensures err != \null ==> *err == \old(*err);
    complete behaviors;
    disjoint behaviors;
*/
static inline memapi_status resize_checks(void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                                          resize_kind kind, memapi_error *err)
{
    if (!layout_ok(old_layout, err) || !layout_ok(new_layout, err) || check_block(ptr, old_layout, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    if (new_layout.align < old_layout.align)
        return memapi__fail_resize(err, MEMAPI_E_REALLOC_SMALLER_ALIGN, old_layout.align, new_layout.align);
    if ((kind == RESIZE_GROW || kind == RESIZE_ZGROW) && new_layout.size < old_layout.size)
        return memapi__fail_resize(err, MEMAPI_E_GROW_SMALLER, old_layout.size, new_layout.size);
    if (kind == RESIZE_SHRINK && new_layout.size > old_layout.size)
        return memapi__fail_resize(err, MEMAPI_E_SHRINK_LARGER, old_layout.size, new_layout.size);
    return MEMAPI_OK;
}

/* The vtable entry of a resize kind (NULL: the allocator leaves it to the default). */
/*@ assigns \nothing;
    ensures kind == RESIZE_GROW ==> \result == vt.grow;
    ensures kind == RESIZE_ZGROW ==> \result == vt.zgrow;
    ensures kind == RESIZE_SHRINK ==> \result == vt.shrink;
    ensures kind == RESIZE_REALLOC ==> \result == vt.realloc;
    ensures kind == RESIZE_REZALLOC ==> \result == vt.rezalloc;
*/
static inline memapi_resize_fn resize_entry(memapi_alloc_vtable vt, resize_kind kind)
{
    switch (kind) {
    case RESIZE_GROW: return vt.grow;
    case RESIZE_ZGROW: return vt.zgrow;
    case RESIZE_SHRINK: return vt.shrink;
    case RESIZE_REALLOC: return vt.realloc;
    case RESIZE_REZALLOC: return vt.rezalloc;
    }
    return NULL;
}

/* A resize that passed the checks, to a different layout: the allocator's entry or the default. */
/*@ requires \valid_read(a.vt) && (err == \null || \separated(err, a.vt));
    requires err == \null || \valid(err);
    requires RESIZE_GROW <= kind <= RESIZE_REZALLOC;
    requires checks_pass(ptr, old_layout, new_layout, kind);
    requires block_ok(ptr, old_layout.size, \max(old_layout.size, new_layout.size), err);
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. \max(old_layout.size, new_layout.size) - 1],
            memapi_proof_next(memapi_proof_heap, new_layout)[0 .. new_layout.size - 1];
    ensures \result == \null ==> memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap) &&
            memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size);
    ensures \result != \null ==>
            memapi_resized{Old, Here}(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, old_layout,
                                      (char *)\result, new_layout, zeroing(kind));
*/
static void *resize_dispatch(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                             resize_kind kind, memapi_error *err)
{
    const memapi_alloc_vtable vt = *a.vt;
    memapi_resize_fn entry = resize_entry(vt, kind);
    bool zero = kind == RESIZE_ZGROW || kind == RESIZE_REZALLOC;
    if (entry != NULL)
        return ENTRY_RESIZE(entry, zero, a.self, ptr, old_layout, new_layout, err);
    return memapi_default_resize(a, ptr, old_layout, new_layout, zero, err);
}

/* Does the owns entry refuse the block (an error other than UNSUPPORTED, which says the allocator
 * cannot tell)? Asked into an error of its own: the caller's is not touched. */
/*@ requires entry != \null && memapi_valid_layout(layout);
    assigns \nothing;
*/
static bool owns_refuses(memapi_status (*entry)(void *, const void *, memapi_layout, memapi_error *), void *self,
                         const void *ptr, memapi_layout layout)
{
    memapi_error verdict;
    if (ENTRY_OWNS(entry, self, ptr, layout, &verdict) == MEMAPI_OK)
        return false;
    return verdict.kind != MEMAPI_E_UNSUPPORTED;
}

/*
 * A resize to the layout the block already has (the reference's rule, kept: the pointer itself, no
 * copy, no free). An allocator that can check ownership is asked first, so that a freed or foreign
 * pointer gets that allocator's error (the guard's use-after-free report, tracking's unknown block)
 * instead of a success that hides it. An owns entry that answers UNSUPPORTED cannot tell for this
 * block (a guard's sampled-out block when its fallback has no owns): the block is then handed back,
 * as by an allocator without an owns entry.
 */
/*@ requires vt_ok(a, err);
    requires err == \null || \valid(err);
    requires memapi_valid_layout(layout) && ptr != \null;
    assigns *err;
    behavior unchecked:
      assumes !owns_entry(a);
      assigns \nothing;
      ensures \result == ptr;
      ensures err != \null ==> *err == \old(*err);
    behavior checked:
      assumes owns_entry(a);
      ensures \result == ptr || \result == \null;
      ensures \result == ptr && err != \null ==> *err == \old(*err);
      ensures \result == \null && err != \null ==> memapi_err_texts(err);
    complete behaviors;
    disjoint behaviors;
*/
static void *same_layout_resize(memapi_allocator a, void *ptr, memapi_layout layout, memapi_error *err)
{
    if (!has_entry_table(a))
        return ptr;
    const memapi_alloc_vtable vt = *a.vt;
    if (vt.owns == NULL)
        return ptr;
    /* The verdict's kind decides first, asked into a local error (owns_refuses): a success,
     * UNSUPPORTED included, must leave *err as it was. A refusal is asked again into the caller's
     * error (an error is never copied out of a local: the entry may point its texts into it). An
     * owns entry is a query, so it refuses again; the dispatch cannot work with one that does not
     * (UNSUPPORTED). */
    if (!owns_refuses(vt.owns, a.self, ptr, layout))
        return ptr;
    if (err != NULL && ENTRY_OWNS(vt.owns, a.self, ptr, layout, err) == MEMAPI_OK)
        (void)memapi__fail(err, MEMAPI_E_UNSUPPORTED);
    return NULL;
}

/*@ requires vt_ok(a, err);
    requires err == \null || \valid(err);
    requires RESIZE_GROW <= kind <= RESIZE_REZALLOC;
    requires resize_block(ptr, old_layout, new_layout, err);
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. \max(old_layout.size, new_layout.size) - 1],
            memapi_proof_next(memapi_proof_heap, new_layout)[0 .. new_layout.size - 1];
    // On any failure the old block keeps its bytes (when *err is not inside it).
    ensures \result == \null && (err == \null || \separated(err, (char *)ptr + (0 .. old_layout.size - 1))) ==>
            memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size);
    behavior invalid_old_layout:
      assumes !memapi_valid_layout(old_layout);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures err != \null ==> memapi_check_err(err, old_layout.size, old_layout.align);
    behavior invalid_new_layout:
      assumes memapi_valid_layout(old_layout) && !memapi_valid_layout(new_layout);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures err != \null ==> memapi_check_err(err, new_layout.size, new_layout.align);
    behavior invalid_pointer:
      assumes layouts_ok(old_layout, new_layout) && !ptr_ok(ptr, old_layout);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures invalid_pointer(err, ptr);
    behavior smaller_align:
      assumes layouts_ok(old_layout, new_layout) && ptr_ok(ptr, old_layout);
      assumes new_layout.align < old_layout.align;
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures resize_err(err, MEMAPI_E_REALLOC_SMALLER_ALIGN, old_layout.align, new_layout.align);
    behavior grow_smaller:
      assumes layouts_ok(old_layout, new_layout) && ptr_ok(ptr, old_layout);
      assumes new_layout.align >= old_layout.align && grows(kind) && new_layout.size < old_layout.size;
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures resize_err(err, MEMAPI_E_GROW_SMALLER, old_layout.size, new_layout.size);
    behavior shrink_larger:
      assumes layouts_ok(old_layout, new_layout) && ptr_ok(ptr, old_layout);
      assumes new_layout.align >= old_layout.align && kind == RESIZE_SHRINK && new_layout.size > old_layout.size;
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures resize_err(err, MEMAPI_E_SHRINK_LARGER, old_layout.size, new_layout.size);
    behavior same_layout:
      assumes checks_pass(ptr, old_layout, new_layout, kind) && same_layout(old_layout, new_layout);
      ensures \result == ptr || (\result == \null && owns_entry(a) && (err != \null ==> memapi_err_texts(err)));
      ensures !owns_entry(a) ==> \result == ptr;
      ensures \result == ptr && err != \null ==> *err == \old(*err);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size);
    behavior unsupported:
      assumes checks_pass(ptr, old_layout, new_layout, kind) && !same_layout(old_layout, new_layout);
      assumes a.vt == \null;
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures unsupported(err);
    behavior dispatched:
      assumes checks_pass(ptr, old_layout, new_layout, kind) && !same_layout(old_layout, new_layout);
      assumes a.vt != \null;
      ensures \result == \null ==> memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap) &&
              memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size);
      ensures \result != \null ==>
              memapi_resized{Old, Here}(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, old_layout,
                                        (char *)\result, new_layout, zeroing(kind));
    complete behaviors;
    disjoint behaviors;
*/
static void *resize(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                    resize_kind kind, memapi_error *err)
{
    if (resize_checks(ptr, old_layout, new_layout, kind, err) != MEMAPI_OK)
        return NULL;
    /* docs/design.md decision D2: the reference copies onto itself and frees the block it returns;
     * we return the block, once an allocator that can check ownership has confirmed it. */
    if (memapi_layout_eq(old_layout, new_layout))
        return same_layout_resize(a, ptr, old_layout, err);
    if (!has_entry_table(a)) {
        memapi__fail(err, MEMAPI_E_UNSUPPORTED);
        return NULL;
    }
    return resize_dispatch(a, ptr, old_layout, new_layout, kind, err);
}

/*@ requires vt_ok(a, err);
    requires err == \null || \valid(err);
    requires resize_block(ptr, old_layout, new_layout, err);
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. \max(old_layout.size, new_layout.size) - 1],
            memapi_proof_next(memapi_proof_heap, new_layout)[0 .. new_layout.size - 1];
    // On any failure the old block keeps its bytes (when *err is not inside it).
    ensures \result == \null && (err == \null || \separated(err, (char *)ptr + (0 .. old_layout.size - 1))) ==>
            memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size);
    behavior invalid_old_layout:
      assumes !memapi_valid_layout(old_layout);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures err != \null ==> memapi_check_err(err, old_layout.size, old_layout.align);
    behavior invalid_new_layout:
      assumes memapi_valid_layout(old_layout) && !memapi_valid_layout(new_layout);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures err != \null ==> memapi_check_err(err, new_layout.size, new_layout.align);
    behavior invalid_pointer:
      assumes layouts_ok(old_layout, new_layout) && !ptr_ok(ptr, old_layout);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures invalid_pointer(err, ptr);
    behavior smaller_align:
      assumes layouts_ok(old_layout, new_layout) && ptr_ok(ptr, old_layout);
      assumes new_layout.align < old_layout.align;
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures resize_err(err, MEMAPI_E_REALLOC_SMALLER_ALIGN, old_layout.align, new_layout.align);
    behavior grow_smaller:
      assumes layouts_ok(old_layout, new_layout) && ptr_ok(ptr, old_layout);
      assumes new_layout.align >= old_layout.align && new_layout.size < old_layout.size;
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures resize_err(err, MEMAPI_E_GROW_SMALLER, old_layout.size, new_layout.size);
    behavior same_layout:
      assumes checks_pass(ptr, old_layout, new_layout, RESIZE_GROW) && same_layout(old_layout, new_layout);
      ensures \result == ptr || (\result == \null && owns_entry(a) && (err != \null ==> memapi_err_texts(err)));
      ensures !owns_entry(a) ==> \result == ptr;
      ensures \result == ptr && err != \null ==> *err == \old(*err);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size);
    behavior unsupported:
      assumes checks_pass(ptr, old_layout, new_layout, RESIZE_GROW) && !same_layout(old_layout, new_layout);
      assumes a.vt == \null;
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures unsupported(err);
    behavior dispatched:
      assumes checks_pass(ptr, old_layout, new_layout, RESIZE_GROW) && !same_layout(old_layout, new_layout);
      assumes a.vt != \null;
      ensures \result == \null ==> memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap) &&
              memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size);
      ensures \result != \null ==>
              memapi_resized{Old, Here}(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, old_layout,
                                        (char *)\result, new_layout, 0);
    complete behaviors;
    disjoint behaviors;
*/
void *(memapi_grow)(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                  memapi_error *err)
{
    return resize(a, ptr, old_layout, new_layout, RESIZE_GROW, err);
}

/*@ requires vt_ok(a, err);
    requires err == \null || \valid(err);
    requires resize_block(ptr, old_layout, new_layout, err);
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. \max(old_layout.size, new_layout.size) - 1],
            memapi_proof_next(memapi_proof_heap, new_layout)[0 .. new_layout.size - 1];
    // On any failure the old block keeps its bytes (when *err is not inside it).
    ensures \result == \null && (err == \null || \separated(err, (char *)ptr + (0 .. old_layout.size - 1))) ==>
            memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size);
    behavior invalid_old_layout:
      assumes !memapi_valid_layout(old_layout);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures err != \null ==> memapi_check_err(err, old_layout.size, old_layout.align);
    behavior invalid_new_layout:
      assumes memapi_valid_layout(old_layout) && !memapi_valid_layout(new_layout);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures err != \null ==> memapi_check_err(err, new_layout.size, new_layout.align);
    behavior invalid_pointer:
      assumes layouts_ok(old_layout, new_layout) && !ptr_ok(ptr, old_layout);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures invalid_pointer(err, ptr);
    behavior smaller_align:
      assumes layouts_ok(old_layout, new_layout) && ptr_ok(ptr, old_layout);
      assumes new_layout.align < old_layout.align;
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures resize_err(err, MEMAPI_E_REALLOC_SMALLER_ALIGN, old_layout.align, new_layout.align);
    behavior grow_smaller:
      assumes layouts_ok(old_layout, new_layout) && ptr_ok(ptr, old_layout);
      assumes new_layout.align >= old_layout.align && new_layout.size < old_layout.size;
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures resize_err(err, MEMAPI_E_GROW_SMALLER, old_layout.size, new_layout.size);
    behavior same_layout:
      assumes checks_pass(ptr, old_layout, new_layout, RESIZE_ZGROW) && same_layout(old_layout, new_layout);
      ensures \result == ptr || (\result == \null && owns_entry(a) && (err != \null ==> memapi_err_texts(err)));
      ensures !owns_entry(a) ==> \result == ptr;
      ensures \result == ptr && err != \null ==> *err == \old(*err);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size);
    behavior unsupported:
      assumes checks_pass(ptr, old_layout, new_layout, RESIZE_ZGROW) && !same_layout(old_layout, new_layout);
      assumes a.vt == \null;
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures unsupported(err);
    behavior dispatched:
      assumes checks_pass(ptr, old_layout, new_layout, RESIZE_ZGROW) && !same_layout(old_layout, new_layout);
      assumes a.vt != \null;
      ensures \result == \null ==> memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap) &&
              memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size);
      ensures \result != \null ==>
              memapi_resized{Old, Here}(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, old_layout,
                                        (char *)\result, new_layout, 1);
    complete behaviors;
    disjoint behaviors;
*/
void *memapi_zgrow(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                   memapi_error *err)
{
    return resize(a, ptr, old_layout, new_layout, RESIZE_ZGROW, err);
}

/*@ requires vt_ok(a, err);
    requires err == \null || \valid(err);
    requires resize_block(ptr, old_layout, new_layout, err);
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. \max(old_layout.size, new_layout.size) - 1],
            memapi_proof_next(memapi_proof_heap, new_layout)[0 .. new_layout.size - 1];
    // On any failure the old block keeps its bytes (when *err is not inside it).
    ensures \result == \null && (err == \null || \separated(err, (char *)ptr + (0 .. old_layout.size - 1))) ==>
            memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size);
    behavior invalid_old_layout:
      assumes !memapi_valid_layout(old_layout);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures err != \null ==> memapi_check_err(err, old_layout.size, old_layout.align);
    behavior invalid_new_layout:
      assumes memapi_valid_layout(old_layout) && !memapi_valid_layout(new_layout);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures err != \null ==> memapi_check_err(err, new_layout.size, new_layout.align);
    behavior invalid_pointer:
      assumes layouts_ok(old_layout, new_layout) && !ptr_ok(ptr, old_layout);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures invalid_pointer(err, ptr);
    behavior smaller_align:
      assumes layouts_ok(old_layout, new_layout) && ptr_ok(ptr, old_layout);
      assumes new_layout.align < old_layout.align;
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures resize_err(err, MEMAPI_E_REALLOC_SMALLER_ALIGN, old_layout.align, new_layout.align);
    behavior shrink_larger:
      assumes layouts_ok(old_layout, new_layout) && ptr_ok(ptr, old_layout);
      assumes new_layout.align >= old_layout.align && new_layout.size > old_layout.size;
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures resize_err(err, MEMAPI_E_SHRINK_LARGER, old_layout.size, new_layout.size);
    behavior same_layout:
      assumes checks_pass(ptr, old_layout, new_layout, RESIZE_SHRINK) && same_layout(old_layout, new_layout);
      ensures \result == ptr || (\result == \null && owns_entry(a) && (err != \null ==> memapi_err_texts(err)));
      ensures !owns_entry(a) ==> \result == ptr;
      ensures \result == ptr && err != \null ==> *err == \old(*err);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size);
    behavior unsupported:
      assumes checks_pass(ptr, old_layout, new_layout, RESIZE_SHRINK) && !same_layout(old_layout, new_layout);
      assumes a.vt == \null;
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures unsupported(err);
    behavior dispatched:
      assumes checks_pass(ptr, old_layout, new_layout, RESIZE_SHRINK) && !same_layout(old_layout, new_layout);
      assumes a.vt != \null;
      ensures \result == \null ==> memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap) &&
              memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size);
      ensures \result != \null ==>
              memapi_resized{Old, Here}(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, old_layout,
                                        (char *)\result, new_layout, 0);
    complete behaviors;
    disjoint behaviors;
*/
void *(memapi_shrink)(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                    memapi_error *err)
{
    return resize(a, ptr, old_layout, new_layout, RESIZE_SHRINK, err);
}

/*@ requires vt_ok(a, err);
    requires err == \null || \valid(err);
    requires resize_block(ptr, old_layout, new_layout, err);
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. \max(old_layout.size, new_layout.size) - 1],
            memapi_proof_next(memapi_proof_heap, new_layout)[0 .. new_layout.size - 1];
    // On any failure the old block keeps its bytes (when *err is not inside it).
    ensures \result == \null && (err == \null || \separated(err, (char *)ptr + (0 .. old_layout.size - 1))) ==>
            memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size);
    behavior invalid_old_layout:
      assumes !memapi_valid_layout(old_layout);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures err != \null ==> memapi_check_err(err, old_layout.size, old_layout.align);
    behavior invalid_new_layout:
      assumes memapi_valid_layout(old_layout) && !memapi_valid_layout(new_layout);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures err != \null ==> memapi_check_err(err, new_layout.size, new_layout.align);
    behavior invalid_pointer:
      assumes layouts_ok(old_layout, new_layout) && !ptr_ok(ptr, old_layout);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures invalid_pointer(err, ptr);
    behavior smaller_align:
      assumes layouts_ok(old_layout, new_layout) && ptr_ok(ptr, old_layout);
      assumes new_layout.align < old_layout.align;
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures resize_err(err, MEMAPI_E_REALLOC_SMALLER_ALIGN, old_layout.align, new_layout.align);
    behavior same_layout:
      assumes checks_pass(ptr, old_layout, new_layout, RESIZE_REALLOC) && same_layout(old_layout, new_layout);
      ensures \result == ptr || (\result == \null && owns_entry(a) && (err != \null ==> memapi_err_texts(err)));
      ensures !owns_entry(a) ==> \result == ptr;
      ensures \result == ptr && err != \null ==> *err == \old(*err);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size);
    behavior unsupported:
      assumes checks_pass(ptr, old_layout, new_layout, RESIZE_REALLOC) && !same_layout(old_layout, new_layout);
      assumes a.vt == \null;
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures unsupported(err);
    behavior dispatched:
      assumes checks_pass(ptr, old_layout, new_layout, RESIZE_REALLOC) && !same_layout(old_layout, new_layout);
      assumes a.vt != \null;
      ensures \result == \null ==> memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap) &&
              memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size);
      ensures \result != \null ==>
              memapi_resized{Old, Here}(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, old_layout,
                                        (char *)\result, new_layout, 0);
    complete behaviors;
    disjoint behaviors;
*/
void *memapi_realloc(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                     memapi_error *err)
{
    return resize(a, ptr, old_layout, new_layout, RESIZE_REALLOC, err);
}

/*@ requires vt_ok(a, err);
    requires err == \null || \valid(err);
    requires resize_block(ptr, old_layout, new_layout, err);
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. \max(old_layout.size, new_layout.size) - 1],
            memapi_proof_next(memapi_proof_heap, new_layout)[0 .. new_layout.size - 1];
    // On any failure the old block keeps its bytes (when *err is not inside it).
    ensures \result == \null && (err == \null || \separated(err, (char *)ptr + (0 .. old_layout.size - 1))) ==>
            memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size);
    behavior invalid_old_layout:
      assumes !memapi_valid_layout(old_layout);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures err != \null ==> memapi_check_err(err, old_layout.size, old_layout.align);
    behavior invalid_new_layout:
      assumes memapi_valid_layout(old_layout) && !memapi_valid_layout(new_layout);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures err != \null ==> memapi_check_err(err, new_layout.size, new_layout.align);
    behavior invalid_pointer:
      assumes layouts_ok(old_layout, new_layout) && !ptr_ok(ptr, old_layout);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures invalid_pointer(err, ptr);
    behavior smaller_align:
      assumes layouts_ok(old_layout, new_layout) && ptr_ok(ptr, old_layout);
      assumes new_layout.align < old_layout.align;
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures resize_err(err, MEMAPI_E_REALLOC_SMALLER_ALIGN, old_layout.align, new_layout.align);
    behavior same_layout:
      assumes checks_pass(ptr, old_layout, new_layout, RESIZE_REZALLOC) && same_layout(old_layout, new_layout);
      ensures \result == ptr || (\result == \null && owns_entry(a) && (err != \null ==> memapi_err_texts(err)));
      ensures !owns_entry(a) ==> \result == ptr;
      ensures \result == ptr && err != \null ==> *err == \old(*err);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size);
    behavior unsupported:
      assumes checks_pass(ptr, old_layout, new_layout, RESIZE_REZALLOC) && !same_layout(old_layout, new_layout);
      assumes a.vt == \null;
      ensures memapi_proof_heap == \old(memapi_proof_heap);
      ensures \result == \null;
      ensures unsupported(err);
    behavior dispatched:
      assumes checks_pass(ptr, old_layout, new_layout, RESIZE_REZALLOC) && !same_layout(old_layout, new_layout);
      assumes a.vt != \null;
      ensures \result == \null ==> memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap) &&
              memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size);
      ensures \result != \null ==>
              memapi_resized{Old, Here}(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, old_layout,
                                        (char *)\result, new_layout, 1);
    complete behaviors;
    disjoint behaviors;
*/
void *memapi_rezalloc(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                      memapi_error *err)
{
    return resize(a, ptr, old_layout, new_layout, RESIZE_REZALLOC, err);
}

#if MEMAPI_ALLOC_TEMP
typedef struct zero_then_call {
    memapi_temp_cb cb;
    void *ctx;
    size_t size;
} zero_then_call;

static const char msg_null_callback[] = "null callback";

#ifdef __FRAMAC__
/*
 * Trusted (proofs/README.md): WP's Typed memory model cannot follow the `void *` -> `zero_then_call *`
 * cast of a callback context, so Frama-C sees only this contract: zero z->size bytes of mem, then
 * z->cb(z->ctx, mem). The body below is covered by the zalloc_temp unit tests.
 */
/*@ requires \valid((char *)mem + (0 .. ((zero_then_call *)ctx)->size - 1));
    assigns memapi_proof_user, memapi_proof_heap, ((char *)mem)[0 .. ((zero_then_call *)ctx)->size - 1];
    ensures memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap);
*/
static void zero_then_call_cb(void *ctx, void *mem);
#else
static void zero_then_call_cb(void *ctx, void *mem)
{
    zero_then_call *z = ctx;
    memapi__zero(mem, z->size);
    z->cb(z->ctx, mem);
}
#endif

/* The fallback of a scoped allocation: alloc, call, free (the allocator has no alloc_temp entry). */
/*@ requires vt_ok(a, err);
    requires err == \null || \valid(err);
    requires memapi_valid_layout(layout) && cb != \null;
    requires a.vt != \null && a.vt->alloc != \null && a.vt->try_dealloc != \null;
    assigns memapi_proof_heap, memapi_proof_user, *err,
            memapi_proof_next(memapi_proof_heap, layout)[0 .. layout.size - 1];
    ensures \result == MEMAPI_OK || \result == MEMAPI_ERROR;
    ensures memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap);
*/
static memapi_status temp_fallback(memapi_allocator a, memapi_layout layout, memapi_temp_cb cb, void *ctx, bool zero,
                                   memapi_error *err)
{
    const memapi_alloc_vtable vt = *a.vt;
    void *mem = do_alloc(a, layout, zero, err);
    if (mem == NULL)
        return MEMAPI_ERROR;
    CALL_TEMP_CB(cb, ctx, mem, layout.size);
    return ENTRY_TRY_DEALLOC(vt.try_dealloc, a.self, mem, layout, err);
}

/* A scoped allocation once the layout and the callback passed their checks. */
/*@ requires vt_ok(a, err);
    requires err == \null || \valid(err);
    requires memapi_valid_layout(layout) && cb != \null;
    assigns memapi_proof_heap, memapi_proof_user, *err,
            memapi_proof_next(memapi_proof_heap, layout)[0 .. layout.size - 1];
    behavior unsupported:
      assumes a.vt == \null || (a.vt->alloc_temp == \null && (a.vt->alloc == \null || a.vt->try_dealloc == \null));
      ensures \result == MEMAPI_ERROR;
      ensures unsupported(err);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior supported:
      assumes a.vt != \null;
      assumes a.vt->alloc_temp != \null || (a.vt->alloc != \null && a.vt->try_dealloc != \null);
      ensures \result == MEMAPI_OK || \result == MEMAPI_ERROR;
      ensures memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap);
    complete behaviors;
    disjoint behaviors;
*/
static memapi_status temp_dispatch(memapi_allocator a, memapi_layout layout, memapi_temp_cb cb, void *ctx, bool zero,
                                   memapi_error *err)
{
    if (!has_entry_table(a))
        return memapi__fail(err, MEMAPI_E_UNSUPPORTED);
    const memapi_alloc_vtable vt = *a.vt;
    if (vt.alloc_temp != NULL) {
        if (!zero)
            return ENTRY_ALLOC_TEMP(vt.alloc_temp, a.self, layout, cb, ctx, err);
        zero_then_call z = {cb, ctx, layout.size};
        return ENTRY_ALLOC_TEMP(vt.alloc_temp, a.self, layout, zero_then_call_cb, &z, err);
    }
    if (vt.alloc == NULL || vt.try_dealloc == NULL)
        return memapi__fail(err, MEMAPI_E_UNSUPPORTED);
    return temp_fallback(a, layout, cb, ctx, zero, err);
}

/*@ requires vt_ok(a, err);
    requires err == \null || \valid(err);
    assigns memapi_proof_heap, memapi_proof_user, *err,
            memapi_proof_next(memapi_proof_heap, layout)[0 .. layout.size - 1];
    behavior invalid_layout:
      assumes !memapi_valid_layout(layout);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, layout.size, layout.align);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior null_callback:
      assumes memapi_valid_layout(layout) && cb == \null;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> err->kind == MEMAPI_E_INVALID_POINTER && err->ptr == \null &&
                               err->msg == msg_null_callback;
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior unsupported:
      assumes memapi_valid_layout(layout) && cb != \null;
      assumes a.vt == \null || (a.vt->alloc_temp == \null && (a.vt->alloc == \null || a.vt->try_dealloc == \null));
      ensures \result == MEMAPI_ERROR;
      ensures unsupported(err);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior supported:
      assumes memapi_valid_layout(layout) && cb != \null && a.vt != \null;
      assumes a.vt->alloc_temp != \null || (a.vt->alloc != \null && a.vt->try_dealloc != \null);
      ensures \result == MEMAPI_OK || \result == MEMAPI_ERROR;
      ensures memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap);
    complete behaviors;
    disjoint behaviors;
*/
static memapi_status temp(memapi_allocator a, memapi_layout layout, memapi_temp_cb cb, void *ctx, bool zero,
                          memapi_error *err)
{
    if (!layout_ok(layout, err))
        return MEMAPI_ERROR;
    if (cb == NULL)
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, NULL, msg_null_callback);
    return temp_dispatch(a, layout, cb, ctx, zero, err);
}

/*@ requires vt_ok(a, err);
    requires err == \null || \valid(err);
    assigns memapi_proof_heap, memapi_proof_user, *err,
            memapi_proof_next(memapi_proof_heap, layout)[0 .. layout.size - 1];
    behavior invalid_layout:
      assumes !memapi_valid_layout(layout);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, layout.size, layout.align);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior null_callback:
      assumes memapi_valid_layout(layout) && cb == \null;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> err->kind == MEMAPI_E_INVALID_POINTER && err->ptr == \null &&
                               err->msg == msg_null_callback;
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior unsupported:
      assumes memapi_valid_layout(layout) && cb != \null;
      assumes a.vt == \null || (a.vt->alloc_temp == \null && (a.vt->alloc == \null || a.vt->try_dealloc == \null));
      ensures \result == MEMAPI_ERROR;
      ensures unsupported(err);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior supported:
      assumes memapi_valid_layout(layout) && cb != \null && a.vt != \null;
      assumes a.vt->alloc_temp != \null || (a.vt->alloc != \null && a.vt->try_dealloc != \null);
      ensures \result == MEMAPI_OK || \result == MEMAPI_ERROR;
      ensures memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap);
    complete behaviors;
    disjoint behaviors;
*/
memapi_status memapi_alloc_temp(memapi_allocator a, memapi_layout layout, memapi_temp_cb cb, void *ctx,
                                memapi_error *err)
{
    return temp(a, layout, cb, ctx, false, err);
}

/*@ requires vt_ok(a, err);
    requires err == \null || \valid(err);
    assigns memapi_proof_heap, memapi_proof_user, *err,
            memapi_proof_next(memapi_proof_heap, layout)[0 .. layout.size - 1];
    behavior invalid_layout:
      assumes !memapi_valid_layout(layout);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, layout.size, layout.align);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior null_callback:
      assumes memapi_valid_layout(layout) && cb == \null;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> err->kind == MEMAPI_E_INVALID_POINTER && err->ptr == \null &&
                               err->msg == msg_null_callback;
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior unsupported:
      assumes memapi_valid_layout(layout) && cb != \null;
      assumes a.vt == \null || (a.vt->alloc_temp == \null && (a.vt->alloc == \null || a.vt->try_dealloc == \null));
      ensures \result == MEMAPI_ERROR;
      ensures unsupported(err);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior supported:
      assumes memapi_valid_layout(layout) && cb != \null && a.vt != \null;
      assumes a.vt->alloc_temp != \null || (a.vt->alloc != \null && a.vt->try_dealloc != \null);
      ensures \result == MEMAPI_OK || \result == MEMAPI_ERROR;
      ensures memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap);
    complete behaviors;
    disjoint behaviors;
*/
memapi_status memapi_zalloc_temp(memapi_allocator a, memapi_layout layout, memapi_temp_cb cb, void *ctx,
                                 memapi_error *err)
{
    return temp(a, layout, cb, ctx, true, err);
}
#endif

#if MEMAPI_CHECKED_OPS
/* The owns entry, for a valid layout. */
/*@ requires vt_ok(a, err);
    requires err == \null || \valid(err);
    requires memapi_valid_layout(layout);
    assigns *err;
    behavior unsupported:
      assumes a.vt == \null || a.vt->owns == \null;
      ensures \result == MEMAPI_ERROR;
      ensures unsupported(err);
    behavior supported:
      assumes a.vt != \null && a.vt->owns != \null;
      ensures \result == MEMAPI_OK || \result == MEMAPI_ERROR;
      ensures \result == MEMAPI_OK ==> memapi_owned(memapi_proof_heap, (char *)ptr, layout.size) &&
                                      \valid((char *)ptr + (0 .. layout.size - 1));
      ensures \result == MEMAPI_ERROR && err != \null ==> memapi_err_texts(err);
    complete behaviors;
    disjoint behaviors;
*/
static memapi_status ask_owns(memapi_allocator a, const void *ptr, memapi_layout layout, memapi_error *err)
{
    if (!has_entry_table(a))
        return memapi__fail(err, MEMAPI_E_UNSUPPORTED);
    const memapi_alloc_vtable vt = *a.vt;
    if (vt.owns == NULL)
        return memapi__fail(err, MEMAPI_E_UNSUPPORTED);
    return ENTRY_OWNS(vt.owns, a.self, ptr, layout, err);
}

/*@ requires vt_ok(a, err);
    requires err == \null || \valid(err);
    assigns *err;
    behavior invalid_layout:
      assumes !memapi_valid_layout(layout);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, layout.size, layout.align);
    behavior unsupported:
      assumes memapi_valid_layout(layout) && (a.vt == \null || a.vt->owns == \null);
      ensures \result == MEMAPI_ERROR;
      ensures unsupported(err);
    behavior supported:
      assumes memapi_valid_layout(layout) && a.vt != \null && a.vt->owns != \null;
      ensures \result == MEMAPI_OK || \result == MEMAPI_ERROR;
      ensures \result == MEMAPI_OK ==> memapi_owned(memapi_proof_heap, (char *)ptr, layout.size) &&
                                      \valid((char *)ptr + (0 .. layout.size - 1));
      ensures \result == MEMAPI_ERROR && err != \null ==> memapi_err_texts(err);
    complete behaviors;
    disjoint behaviors;
*/
static memapi_status check_owned(memapi_allocator a, const void *ptr, memapi_layout layout, memapi_error *err)
{
    if (!layout_ok(layout, err))
        return MEMAPI_ERROR;
    return ask_owns(a, ptr, layout, err);
}

/*@ requires vt_ok(a, err);
    requires err == \null || \valid(err);
    requires ptr == \null || \object_pointer((char *)ptr);
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. layout.size - 1];
    behavior invalid_layout:
      assumes !memapi_valid_layout(layout);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, layout.size, layout.align);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior unsupported:
      assumes memapi_valid_layout(layout) && (a.vt == \null || a.vt->owns == \null);
      ensures \result == MEMAPI_ERROR;
      ensures unsupported(err);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior supported:
      assumes memapi_valid_layout(layout) && a.vt != \null && a.vt->owns != \null;
      ensures \result == MEMAPI_OK || \result == MEMAPI_ERROR;
      ensures \result == MEMAPI_ERROR ==> memapi_proof_heap == \old(memapi_proof_heap);
      // MEMAPI_OK: the block was freed, or it was the layout's dangling pointer (nothing to free).
      ensures \result == MEMAPI_OK ==>
              memapi_freed(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, layout.size) ||
              (ptr == (void *)(uintptr_t)layout.align && memapi_proof_heap == \old(memapi_proof_heap));
    complete behaviors;
    disjoint behaviors;
*/
memapi_status memapi_checked_dealloc(memapi_allocator a, void *ptr, memapi_layout layout, memapi_error *err)
{
    if (check_owned(a, ptr, layout, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    memapi_dealloc(a, ptr, layout);
    return MEMAPI_OK;
}

/*@ requires vt_ok(a, err);
    requires err == \null || (\valid(err) &&
             \separated(err, (char *)ptr + (0 .. \max(old_layout.size, new_layout.size) - 1)));
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. \max(old_layout.size, new_layout.size) - 1],
            memapi_proof_next(memapi_proof_heap, new_layout)[0 .. new_layout.size - 1];
    behavior invalid_layout:
      assumes !memapi_valid_layout(old_layout);
      ensures \result == \null;
      ensures err != \null ==> memapi_check_err(err, old_layout.size, old_layout.align);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior unsupported:
      assumes memapi_valid_layout(old_layout) && (a.vt == \null || a.vt->owns == \null);
      ensures \result == \null;
      ensures unsupported(err);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior supported:
      assumes memapi_valid_layout(old_layout) && a.vt != \null && a.vt->owns != \null;
      // Not owned, or the resize failed: everything as it was.
      ensures \result == \null ==> memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap) &&
              memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size);
      // Owned and resized (or the identical layout: ptr itself, nothing changed).
      ensures \result != \null ==>
              memapi_resized{Old, Here}(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, old_layout,
                                        (char *)\result, new_layout, 0) ||
              (\result == ptr && same_layout(old_layout, new_layout) &&
               memapi_proof_heap == \old(memapi_proof_heap));
    complete behaviors;
    disjoint behaviors;
*/
void *memapi_checked_grow(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                          memapi_error *err)
{
    return check_owned(a, ptr, old_layout, err) == MEMAPI_OK ? memapi_grow(a, ptr, old_layout, new_layout, err)
                                                             : NULL;
}

/*@ requires vt_ok(a, err);
    requires err == \null || (\valid(err) &&
             \separated(err, (char *)ptr + (0 .. \max(old_layout.size, new_layout.size) - 1)));
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. \max(old_layout.size, new_layout.size) - 1],
            memapi_proof_next(memapi_proof_heap, new_layout)[0 .. new_layout.size - 1];
    behavior invalid_layout:
      assumes !memapi_valid_layout(old_layout);
      ensures \result == \null;
      ensures err != \null ==> memapi_check_err(err, old_layout.size, old_layout.align);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior unsupported:
      assumes memapi_valid_layout(old_layout) && (a.vt == \null || a.vt->owns == \null);
      ensures \result == \null;
      ensures unsupported(err);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior supported:
      assumes memapi_valid_layout(old_layout) && a.vt != \null && a.vt->owns != \null;
      // Not owned, or the resize failed: everything as it was.
      ensures \result == \null ==> memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap) &&
              memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size);
      // Owned and resized (or the identical layout: ptr itself, nothing changed).
      ensures \result != \null ==>
              memapi_resized{Old, Here}(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, old_layout,
                                        (char *)\result, new_layout, 1) ||
              (\result == ptr && same_layout(old_layout, new_layout) &&
               memapi_proof_heap == \old(memapi_proof_heap));
    complete behaviors;
    disjoint behaviors;
*/
void *memapi_checked_zgrow(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                           memapi_error *err)
{
    return check_owned(a, ptr, old_layout, err) == MEMAPI_OK ? memapi_zgrow(a, ptr, old_layout, new_layout, err)
                                                             : NULL;
}

/*@ requires vt_ok(a, err);
    requires err == \null || (\valid(err) &&
             \separated(err, (char *)ptr + (0 .. \max(old_layout.size, new_layout.size) - 1)));
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. \max(old_layout.size, new_layout.size) - 1],
            memapi_proof_next(memapi_proof_heap, new_layout)[0 .. new_layout.size - 1];
    behavior invalid_layout:
      assumes !memapi_valid_layout(old_layout);
      ensures \result == \null;
      ensures err != \null ==> memapi_check_err(err, old_layout.size, old_layout.align);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior unsupported:
      assumes memapi_valid_layout(old_layout) && (a.vt == \null || a.vt->owns == \null);
      ensures \result == \null;
      ensures unsupported(err);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior supported:
      assumes memapi_valid_layout(old_layout) && a.vt != \null && a.vt->owns != \null;
      // Not owned, or the resize failed: everything as it was.
      ensures \result == \null ==> memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap) &&
              memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size);
      // Owned and resized (or the identical layout: ptr itself, nothing changed).
      ensures \result != \null ==>
              memapi_resized{Old, Here}(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, old_layout,
                                        (char *)\result, new_layout, 0) ||
              (\result == ptr && same_layout(old_layout, new_layout) &&
               memapi_proof_heap == \old(memapi_proof_heap));
    complete behaviors;
    disjoint behaviors;
*/
void *memapi_checked_shrink(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                            memapi_error *err)
{
    return check_owned(a, ptr, old_layout, err) == MEMAPI_OK ? memapi_shrink(a, ptr, old_layout, new_layout, err)
                                                             : NULL;
}

/*@ requires vt_ok(a, err);
    requires err == \null || (\valid(err) &&
             \separated(err, (char *)ptr + (0 .. \max(old_layout.size, new_layout.size) - 1)));
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. \max(old_layout.size, new_layout.size) - 1],
            memapi_proof_next(memapi_proof_heap, new_layout)[0 .. new_layout.size - 1];
    behavior invalid_layout:
      assumes !memapi_valid_layout(old_layout);
      ensures \result == \null;
      ensures err != \null ==> memapi_check_err(err, old_layout.size, old_layout.align);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior unsupported:
      assumes memapi_valid_layout(old_layout) && (a.vt == \null || a.vt->owns == \null);
      ensures \result == \null;
      ensures unsupported(err);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior supported:
      assumes memapi_valid_layout(old_layout) && a.vt != \null && a.vt->owns != \null;
      // Not owned, or the resize failed: everything as it was.
      ensures \result == \null ==> memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap) &&
              memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size);
      // Owned and resized (or the identical layout: ptr itself, nothing changed).
      ensures \result != \null ==>
              memapi_resized{Old, Here}(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, old_layout,
                                        (char *)\result, new_layout, 0) ||
              (\result == ptr && same_layout(old_layout, new_layout) &&
               memapi_proof_heap == \old(memapi_proof_heap));
    complete behaviors;
    disjoint behaviors;
*/
void *memapi_checked_realloc(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                             memapi_error *err)
{
    return check_owned(a, ptr, old_layout, err) == MEMAPI_OK ? memapi_realloc(a, ptr, old_layout, new_layout, err)
                                                             : NULL;
}

/*@ requires vt_ok(a, err);
    requires err == \null || (\valid(err) &&
             \separated(err, (char *)ptr + (0 .. \max(old_layout.size, new_layout.size) - 1)));
    assigns memapi_proof_heap, *err, ((char *)ptr)[0 .. \max(old_layout.size, new_layout.size) - 1],
            memapi_proof_next(memapi_proof_heap, new_layout)[0 .. new_layout.size - 1];
    behavior invalid_layout:
      assumes !memapi_valid_layout(old_layout);
      ensures \result == \null;
      ensures err != \null ==> memapi_check_err(err, old_layout.size, old_layout.align);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior unsupported:
      assumes memapi_valid_layout(old_layout) && (a.vt == \null || a.vt->owns == \null);
      ensures \result == \null;
      ensures unsupported(err);
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior supported:
      assumes memapi_valid_layout(old_layout) && a.vt != \null && a.vt->owns != \null;
      // Not owned, or the resize failed: everything as it was.
      ensures \result == \null ==> memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap) &&
              memapi_same_bytes{Old, Here}((char *)ptr, old_layout.size);
      // Owned and resized (or the identical layout: ptr itself, nothing changed).
      ensures \result != \null ==>
              memapi_resized{Old, Here}(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, old_layout,
                                        (char *)\result, new_layout, 1) ||
              (\result == ptr && same_layout(old_layout, new_layout) &&
               memapi_proof_heap == \old(memapi_proof_heap));
    complete behaviors;
    disjoint behaviors;
*/
void *memapi_checked_rezalloc(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                              memapi_error *err)
{
    return check_owned(a, ptr, old_layout, err) == MEMAPI_OK ? memapi_rezalloc(a, ptr, old_layout, new_layout, err)
                                                             : NULL;
}
#endif
