/*
 * Dispatch of the allocator interface: argument validation in the reference's check order, then the
 * allocator's vtable entry or the library default (spec 4.4-4.9, DESIGN.md section 3).
 */
#include "memapi2/alloc.h"
#include "internal/error_set.h"
#include "internal/mem.h"

static bool has_entry_table(memapi_allocator a)
{
    return a.vt != NULL;
}

/* A block pointer must be non-NULL and aligned to its layout before anything looks at it. */
static memapi_status check_block(const void *ptr, memapi_layout layout, memapi_error *err)
{
    if (ptr == NULL)
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, ptr, "null pointer");
    if (((uintptr_t)ptr & (layout.align - 1)) != 0)
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, ptr, "pointer not aligned to its layout");
    return MEMAPI_OK;
}

/*
 * Every entry point checks its layouts with the inline predicate memapi_layout_is_valid (the same
 * verdict as memapi_layout_check) and calls one of these, out of line and as a tail call, only for
 * a rejected layout: the hot paths then carry no call and none of the register saves it forces.
 */
static __attribute__((noinline, cold)) memapi_status layout_rejected(memapi_layout layout, memapi_error *err)
{
    return memapi_layout_check(layout.size, layout.align, err); /* MEMAPI_ERROR, *err filled */
}

static __attribute__((noinline, cold)) void *layout_rejected_null(memapi_layout layout, memapi_error *err)
{
    (void)layout_rejected(layout, err);
    return NULL;
}

static inline bool layout_ok(memapi_layout layout, memapi_error *err)
{
    if (MEMAPI_LIKELY(memapi_layout_is_valid(layout)))
        return true;
    (void)layout_rejected(layout, err);
    return false;
}

/* Allocation without re-validation, for paths whose layout was checked already. */
static void *do_alloc(memapi_allocator a, memapi_layout layout, bool zero, memapi_error *err)
{
    if (!has_entry_table(a) || a.vt->alloc == NULL) {
        memapi__fail(err, MEMAPI_E_UNSUPPORTED);
        return NULL;
    }
    if (zero && a.vt->zalloc != NULL)
        return a.vt->zalloc(a.self, layout, err);
    void *p = a.vt->alloc(a.self, layout, err);
    if (zero && p != NULL)
        memapi__zero(p, layout.size);
    return p;
}

static memapi_status do_try_dealloc(memapi_allocator a, void *ptr, memapi_layout layout, memapi_error *err)
{
    if (!has_entry_table(a) || a.vt->try_dealloc == NULL)
        return memapi__fail(err, MEMAPI_E_UNSUPPORTED);
    return a.vt->try_dealloc(a.self, ptr, layout, err);
}

void *memapi_alloc(memapi_allocator a, memapi_layout layout, memapi_error *err)
{
    if (MEMAPI_UNLIKELY(!memapi_layout_is_valid(layout)))
        return layout_rejected_null(layout, err);
    if (MEMAPI_LIKELY(has_entry_table(a) && a.vt->alloc != NULL))
        return a.vt->alloc(a.self, layout, err);
    return do_alloc(a, layout, false, err); /* reports the missing entry */
}

void *memapi_zalloc(memapi_allocator a, memapi_layout layout, memapi_error *err)
{
    if (MEMAPI_UNLIKELY(!memapi_layout_is_valid(layout)))
        return layout_rejected_null(layout, err);
    return do_alloc(a, layout, true, err);
}

/* Inline into both public forms, so that memapi_dealloc's own layout test and this one fold. */
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
/* Appends text to a bounded message (snprintf semantics: *len counts the full length). */
static void msg_append(char *buf, size_t cap, size_t *len, const char *s)
{
    for (; *s; s++, (*len)++)
        if (*len + 1 < cap)
            buf[*len] = *s;
    if (cap != 0)
        buf[*len + 1 < cap ? *len : cap - 1] = '\0';
}

/*
 * The reference's default-dealloc panic message, `deallocation of block at 0xADDR with layout
 * Layout { size: S, align: A } failed: <error text>`, built from the public formatters.
 */
static void dealloc_message(char *buf, size_t cap, const void *ptr, memapi_layout layout, const memapi_error *e)
{
    char hex[2 + 2 * sizeof(uintptr_t) + 1];
    size_t n = sizeof hex - 1;
    uintptr_t v = (uintptr_t)ptr;
    hex[n] = '\0';
    do {
        hex[--n] = "0123456789abcdef"[v & 0xfu];
        v >>= 4;
    } while (v != 0);
    hex[--n] = 'x';
    hex[--n] = '0';
    size_t len = 0;
    msg_append(buf, cap, &len, "deallocation of block at ");
    msg_append(buf, cap, &len, hex + n);
    msg_append(buf, cap, &len, " with layout ");
    len += memapi_layout_debug_format(layout, len < cap ? buf + len : NULL, len < cap ? cap - len : 0);
    msg_append(buf, cap, &len, " failed: ");
    (void)memapi_error_format(e, len < cap ? buf + len : NULL, len < cap ? cap - len : 0);
}

static __attribute__((noinline, cold)) MEMAPI_NORETURN void dealloc_failed(const void *ptr, memapi_layout layout,
                                                                          const memapi_error *e)
{
    char msg[512] MEMAPI__NO_AUTO_INIT; /* written whole by the formatter below */
    dealloc_message(msg, sizeof msg, ptr, layout, e);
    memapi_fatal(msg);
}

void memapi_dealloc(memapi_allocator a, void *ptr, memapi_layout layout)
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

void *memapi_default_resize(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                            bool zero, memapi_error *err)
{
    if (!has_entry_table(a) || a.vt->try_dealloc == NULL) {
        memapi__fail(err, MEMAPI_E_UNSUPPORTED);
        return NULL;
    }
    void *fresh = do_alloc(a, new_layout, zero, err);
    if (fresh == NULL)
        return NULL;
    if (old_layout.size > 0)
        memapi__copy(fresh, ptr, old_layout.size < new_layout.size ? old_layout.size : new_layout.size);
    if (a.vt->try_dealloc(a.self, ptr, old_layout, err) != MEMAPI_OK) {
        /* DESIGN decision 4: undo the allocation so the caller keeps exactly what it had. */
        (void)a.vt->try_dealloc(a.self, fresh, new_layout, NULL);
        return NULL;
    }
    return fresh;
}

typedef enum resize_kind { RESIZE_GROW, RESIZE_ZGROW, RESIZE_SHRINK, RESIZE_REALLOC, RESIZE_REZALLOC } resize_kind;

static void *resize(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                    resize_kind kind, memapi_error *err)
{
    if (!layout_ok(old_layout, err) || !layout_ok(new_layout, err) || check_block(ptr, old_layout, err) != MEMAPI_OK)
        return NULL;
    if (new_layout.align < old_layout.align) {
        memapi__fail_resize(err, MEMAPI_E_REALLOC_SMALLER_ALIGN, old_layout.align, new_layout.align);
        return NULL;
    }
    if ((kind == RESIZE_GROW || kind == RESIZE_ZGROW) && new_layout.size < old_layout.size) {
        memapi__fail_resize(err, MEMAPI_E_GROW_SMALLER, old_layout.size, new_layout.size);
        return NULL;
    }
    if (kind == RESIZE_SHRINK && new_layout.size > old_layout.size) {
        memapi__fail_resize(err, MEMAPI_E_SHRINK_LARGER, old_layout.size, new_layout.size);
        return NULL;
    }
    /* DESIGN decision 2: the reference copies onto itself and frees the block it returns. */
    if (memapi_layout_eq(old_layout, new_layout))
        return ptr;
    if (!has_entry_table(a)) {
        memapi__fail(err, MEMAPI_E_UNSUPPORTED);
        return NULL;
    }
    memapi_resize_fn entry = NULL;
    switch (kind) {
    case RESIZE_GROW: entry = a.vt->grow; break;
    case RESIZE_ZGROW: entry = a.vt->zgrow; break;
    case RESIZE_SHRINK: entry = a.vt->shrink; break;
    case RESIZE_REALLOC: entry = a.vt->realloc; break;
    case RESIZE_REZALLOC: entry = a.vt->rezalloc; break;
    }
    if (entry != NULL)
        return entry(a.self, ptr, old_layout, new_layout, err);
    return memapi_default_resize(a, ptr, old_layout, new_layout, kind == RESIZE_ZGROW || kind == RESIZE_REZALLOC,
                                 err);
}

void *memapi_grow(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                  memapi_error *err)
{
    return resize(a, ptr, old_layout, new_layout, RESIZE_GROW, err);
}

void *memapi_zgrow(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                   memapi_error *err)
{
    return resize(a, ptr, old_layout, new_layout, RESIZE_ZGROW, err);
}

void *memapi_shrink(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                    memapi_error *err)
{
    return resize(a, ptr, old_layout, new_layout, RESIZE_SHRINK, err);
}

void *memapi_realloc(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                     memapi_error *err)
{
    return resize(a, ptr, old_layout, new_layout, RESIZE_REALLOC, err);
}

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

static void zero_then_call_cb(void *ctx, void *mem)
{
    zero_then_call *z = ctx;
    memapi__zero(mem, z->size);
    z->cb(z->ctx, mem);
}

static memapi_status temp(memapi_allocator a, memapi_layout layout, memapi_temp_cb cb, void *ctx, bool zero,
                          memapi_error *err)
{
    if (memapi_layout_check(layout.size, layout.align, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    if (cb == NULL)
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, NULL, "null callback");
    if (!has_entry_table(a))
        return memapi__fail(err, MEMAPI_E_UNSUPPORTED);
    if (a.vt->alloc_temp != NULL) {
        if (!zero)
            return a.vt->alloc_temp(a.self, layout, cb, ctx, err);
        zero_then_call z = {cb, ctx, layout.size};
        return a.vt->alloc_temp(a.self, layout, zero_then_call_cb, &z, err);
    }
    if (a.vt->alloc == NULL || a.vt->try_dealloc == NULL)
        return memapi__fail(err, MEMAPI_E_UNSUPPORTED);
    void *mem = do_alloc(a, layout, zero, err);
    if (mem == NULL)
        return MEMAPI_ERROR;
    cb(ctx, mem);
    return a.vt->try_dealloc(a.self, mem, layout, err);
}

memapi_status memapi_alloc_temp(memapi_allocator a, memapi_layout layout, memapi_temp_cb cb, void *ctx,
                                memapi_error *err)
{
    return temp(a, layout, cb, ctx, false, err);
}

memapi_status memapi_zalloc_temp(memapi_allocator a, memapi_layout layout, memapi_temp_cb cb, void *ctx,
                                 memapi_error *err)
{
    return temp(a, layout, cb, ctx, true, err);
}
#endif

#if MEMAPI_CHECKED_OPS
static memapi_status check_owned(memapi_allocator a, const void *ptr, memapi_layout layout, memapi_error *err)
{
    if (memapi_layout_check(layout.size, layout.align, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    if (!has_entry_table(a) || a.vt->owns == NULL)
        return memapi__fail(err, MEMAPI_E_UNSUPPORTED);
    return a.vt->owns(a.self, ptr, layout, err);
}

memapi_status memapi_checked_dealloc(memapi_allocator a, void *ptr, memapi_layout layout, memapi_error *err)
{
    if (check_owned(a, ptr, layout, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    memapi_dealloc(a, ptr, layout);
    return MEMAPI_OK;
}

void *memapi_checked_grow(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                          memapi_error *err)
{
    return check_owned(a, ptr, old_layout, err) == MEMAPI_OK ? memapi_grow(a, ptr, old_layout, new_layout, err)
                                                             : NULL;
}

void *memapi_checked_zgrow(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                           memapi_error *err)
{
    return check_owned(a, ptr, old_layout, err) == MEMAPI_OK ? memapi_zgrow(a, ptr, old_layout, new_layout, err)
                                                             : NULL;
}

void *memapi_checked_shrink(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                            memapi_error *err)
{
    return check_owned(a, ptr, old_layout, err) == MEMAPI_OK ? memapi_shrink(a, ptr, old_layout, new_layout, err)
                                                             : NULL;
}

void *memapi_checked_realloc(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                             memapi_error *err)
{
    return check_owned(a, ptr, old_layout, err) == MEMAPI_OK ? memapi_realloc(a, ptr, old_layout, new_layout, err)
                                                             : NULL;
}

void *memapi_checked_rezalloc(memapi_allocator a, void *ptr, memapi_layout old_layout, memapi_layout new_layout,
                              memapi_error *err)
{
    return check_owned(a, ptr, old_layout, err) == MEMAPI_OK ? memapi_rezalloc(a, ptr, old_layout, new_layout, err)
                                                             : NULL;
}
#endif
