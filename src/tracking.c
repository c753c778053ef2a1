/* The tracking allocator: live-block table, layout checks and leak report (DESIGN.md section 4). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include "memapi2/tracking.h"
#include "internal/error_set.h"

#define FIRST_TABLE_CAP 16u

static const char not_owned[] = "pointer not owned by this allocator";

static memapi_status table_layout(size_t n, memapi_layout *out, memapi_error *err)
{
    return memapi_layout_array(sizeof(memapi_tracking_entry), _Alignof(memapi_tracking_entry), n, out, err);
}

/* Makes room for one more entry, growing the table from the inner allocator when allowed. */
static memapi_status reserve(memapi_tracking *t, memapi_layout block, memapi_error *err)
{
    if (t->len < t->cap)
        return MEMAPI_OK;
    if (!t->grows)
        return memapi__fail_alloc(err, block, MEMAPI_CAUSE_OTHER, 0, "tracking table full");
    size_t new_cap = t->cap == 0 ? FIRST_TABLE_CAP : t->cap * 2;
    if (new_cap < t->cap)
        return memapi__fail_arith(err, t->cap, MEMAPI_OP_MUL, 2);
    memapi_layout new_l;
    if (table_layout(new_cap, &new_l, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    void *p;
    if (t->table == NULL) {
        p = memapi_alloc(t->inner, new_l, err);
    } else {
        memapi_layout old_l;
        if (table_layout(t->cap, &old_l, err) != MEMAPI_OK)
            return MEMAPI_ERROR;
        p = memapi_realloc(t->inner, t->table, old_l, new_l, err);
    }
    if (p == NULL)
        return MEMAPI_ERROR;
    t->table = p;
    t->cap = new_cap;
    return MEMAPI_OK;
}

static bool find(const memapi_tracking *t, const void *ptr, size_t *index)
{
    for (size_t i = 0; i < t->len; i++) {
        if (t->table[i].ptr == ptr) {
            *index = i;
            return true;
        }
    }
    return false;
}

/* The block must be live with exactly `layout`; *index gets its entry. */
static memapi_status lookup(const memapi_tracking *t, const void *ptr, memapi_layout layout, size_t *index,
                            memapi_error *err)
{
    if (!find(t, ptr, index))
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, ptr, not_owned);
    memapi_layout rec = t->table[*index].layout;
    if (!memapi_layout_eq(rec, layout))
        return memapi__fail_mismatch(err, ptr, layout, rec);
    return MEMAPI_OK;
}

static bool is_untracked(const void *ptr, memapi_layout l)
{
    return l.size == 0 && ptr == memapi_layout_dangling(l);
}

static void note_bytes(memapi_tracking *t)
{
    if (t->live_bytes > t->peak_bytes)
        t->peak_bytes = t->live_bytes;
}

static void *track_alloc(memapi_tracking *t, memapi_layout l, bool zero, memapi_error *err)
{
    void *p = zero ? memapi_zalloc(t->inner, l, err) : memapi_alloc(t->inner, l, err);
    if (p == NULL)
        return NULL;
    if (!is_untracked(p, l)) {
        if (reserve(t, l, err) != MEMAPI_OK) {
            (void)t->inner.vt->try_dealloc(t->inner.self, p, l, NULL);
            return NULL;
        }
        t->table[t->len].ptr = p;
        t->table[t->len].layout = l;
        t->len++;
        t->live_bytes += l.size;
        note_bytes(t);
    }
    t->total_allocs++;
    return p;
}

static void *vt_alloc(void *self, memapi_layout l, memapi_error *err)
{
    return track_alloc((memapi_tracking *)self, l, false, err);
}

static void *vt_zalloc(void *self, memapi_layout l, memapi_error *err)
{
    return track_alloc((memapi_tracking *)self, l, true, err);
}

static memapi_status vt_try_dealloc(void *self, void *ptr, memapi_layout l, memapi_error *err)
{
    memapi_tracking *t = self;
    size_t i = 0;
    if (!find(t, ptr, &i) && is_untracked(ptr, l))
        return memapi_try_dealloc(t->inner, ptr, l, err);
    if (lookup(t, ptr, l, &i, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    if (memapi_try_dealloc(t->inner, ptr, l, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    t->live_bytes -= l.size;
    t->table[i] = t->table[t->len - 1];
    t->len--;
    return MEMAPI_OK;
}

typedef void *(*inner_resize_fn)(memapi_allocator, void *, memapi_layout, memapi_layout, memapi_error *);

static void *track_resize(memapi_tracking *t, void *ptr, memapi_layout old_l, memapi_layout new_l,
                          inner_resize_fn op, memapi_error *err)
{
    size_t i = 0;
    if (is_untracked(ptr, old_l) && !find(t, ptr, &i)) {
        /* Growing from a size-0 dangling block is a fresh allocation that must be recorded. */
        if (reserve(t, new_l, err) != MEMAPI_OK)
            return NULL;
        void *p = op(t->inner, ptr, old_l, new_l, err);
        if (p == NULL)
            return NULL;
        if (!is_untracked(p, new_l)) {
            t->table[t->len].ptr = p;
            t->table[t->len].layout = new_l;
            t->len++;
            t->live_bytes += new_l.size;
            note_bytes(t);
        }
        return p;
    }
    if (lookup(t, ptr, old_l, &i, err) != MEMAPI_OK)
        return NULL;
    void *p = op(t->inner, ptr, old_l, new_l, err);
    if (p == NULL)
        return NULL;
    t->live_bytes = t->live_bytes - old_l.size + new_l.size;
    note_bytes(t);
    if (is_untracked(p, new_l)) {
        t->table[i] = t->table[t->len - 1];
        t->len--;
    } else {
        t->table[i].ptr = p;
        t->table[i].layout = new_l;
    }
    return p;
}

static void *vt_grow(void *self, void *ptr, memapi_layout o, memapi_layout n, memapi_error *err)
{
    return track_resize(self, ptr, o, n, memapi_grow, err);
}

static void *vt_zgrow(void *self, void *ptr, memapi_layout o, memapi_layout n, memapi_error *err)
{
    return track_resize(self, ptr, o, n, memapi_zgrow, err);
}

static void *vt_shrink(void *self, void *ptr, memapi_layout o, memapi_layout n, memapi_error *err)
{
    return track_resize(self, ptr, o, n, memapi_shrink, err);
}

static void *vt_realloc(void *self, void *ptr, memapi_layout o, memapi_layout n, memapi_error *err)
{
    return track_resize(self, ptr, o, n, memapi_realloc, err);
}

static void *vt_rezalloc(void *self, void *ptr, memapi_layout o, memapi_layout n, memapi_error *err)
{
    return track_resize(self, ptr, o, n, memapi_rezalloc, err);
}

static memapi_status vt_owns(void *self, const void *ptr, memapi_layout l, memapi_error *err)
{
    const memapi_tracking *t = self;
    size_t i = 0;
    if (l.size == 0 && ptr == memapi_layout_dangling(l) && !find(t, ptr, &i))
        return MEMAPI_OK;
    return lookup(t, ptr, l, &i, err);
}

memapi_status memapi_tracking_init_table(memapi_tracking *t, memapi_allocator inner, memapi_tracking_entry *entries,
                                         size_t capacity, memapi_error *err)
{
    if (inner.vt == NULL || inner.vt->alloc == NULL || inner.vt->try_dealloc == NULL)
        return memapi__fail(err, MEMAPI_E_UNSUPPORTED);
    if (entries == NULL && capacity > 0)
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, entries, "null table");
    uint32_t low = inner.vt->caps & 0x0Fu;
    memapi_alloc_vtable vt = {
        .name = "tracking",
        .caps = low | (low << 4),
        .alloc = vt_alloc,
        .zalloc = vt_zalloc,
        .try_dealloc = vt_try_dealloc,
        .grow = vt_grow,
        .zgrow = vt_zgrow,
        .shrink = vt_shrink,
        .realloc = vt_realloc,
        .rezalloc = vt_rezalloc,
        .owns = vt_owns,
        .alloc_temp = NULL,
    };
    t->inner = inner;
    t->vt = vt;
    t->table = entries;
    t->len = 0;
    t->cap = capacity;
    t->grows = false;
    t->live_bytes = 0;
    t->peak_bytes = 0;
    t->total_allocs = 0;
    return MEMAPI_OK;
}

memapi_status memapi_tracking_init(memapi_tracking *t, memapi_allocator inner, memapi_error *err)
{
    if (memapi_tracking_init_table(t, inner, NULL, 0, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    t->grows = true;
    return MEMAPI_OK;
}

void memapi_tracking_destroy(memapi_tracking *t)
{
    if (t->grows && t->table != NULL) {
        memapi_layout l;
        if (table_layout(t->cap, &l, NULL) == MEMAPI_OK)
            (void)t->inner.vt->try_dealloc(t->inner.self, t->table, l, NULL);
    }
    t->table = NULL;
    t->cap = 0;
    t->len = 0;
}

size_t memapi_tracking_leaks(const memapi_tracking *t, memapi_tracking_leak_cb cb, void *ctx)
{
    if (cb != NULL) {
        for (size_t i = 0; i < t->len; i++)
            cb(ctx, t->table[i].ptr, t->table[i].layout);
    }
    return t->len;
}

/* snprintf-style appender: counts the full length, writes what fits. */
typedef struct out {
    char *buf;
    size_t cap;
    size_t len;
} out;

#if defined(__GNUC__) || defined(__clang__)
static void append(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#endif

static void append(out *o, const char *fmt, ...)
{
    char *dst = o->len < o->cap ? o->buf + o->len : NULL;
    size_t room = o->len < o->cap ? o->cap - o->len : 0;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(dst, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
}

size_t memapi_tracking_report(const memapi_tracking *t, char *buf, size_t cap)
{
    out o = {buf, cap, 0};
    if (cap > 0)
        buf[0] = '\0';
    append(&o, "%zu leaked blocks, %zu bytes\n", t->len, t->live_bytes);
    for (size_t i = 0; i < t->len; i++)
        append(&o, "  0x%" PRIxPTR " Layout(size: %zu, align: %zu)\n", (uintptr_t)t->table[i].ptr,
               t->table[i].layout.size, t->table[i].layout.align);
    return o.len;
}
