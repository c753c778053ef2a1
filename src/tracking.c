/* The tracking allocator: live-block table, layout checks and leak report (docs/design.md section 4). */
#include <inttypes.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include "memapi2/tracking.h"
#include "internal/error_set.h"
#include "internal/forward.h"

/* The forwarders are handed &t->inner, which is t itself. */
_Static_assert(offsetof(memapi_tracking, inner) == 0, "memapi_tracking starts with its inner allocator");

#define FIRST_TABLE_CAP 16u
/* A full table doubles. */
#define TABLE_GROWTH 2u

static const char not_owned[] = "pointer not owned by this allocator";

static void note_bytes(memapi_tracking *t)
{
    if (t->live_bytes > t->peak_bytes)
        t->peak_bytes = t->live_bytes;
}

static memapi_status table_layout(size_t n, memapi_layout *out, memapi_error *err)
{
    return memapi_layout_array(sizeof(memapi_tracking_entry), _Alignof(memapi_tracking_entry), n, out, err);
}

/*
 * The hash index lives in the table itself: slot b's `bucket_` heads bucket b (b <= mask), each
 * entry's `next_` chains it to the next entry of its bucket; both hold 1 + an index, 0 for none.
 * Each entry's `link_` is the byte offset from the table's start of the field (a bucket_ or a
 * next_) that holds 1 + its index: an offset, not a pointer, so it survives the table's realloc.
 * The live entries stay dense in [0, len), so the leak report keeps walking them in order; the
 * back-link lets a free unlink its entry and re-point the links of the last entry (which moves
 * into the freed slot) without walking a chain.
 * On 64-bit targets the hash keeps bits 32.. of the address times 2^64/phi: one multiply and
 * one shift. Like the previous multiply-xorshift hash it depends on every address bit, so which
 * blocks share a bucket still follows the heap's addresses, no more and no less than before.
 * The multiply wraps by design: fuzz/ubsan-ignore.txt exempts this function by its name.
 */
static inline size_t bucket_of(const void *ptr, size_t mask)
{
    uintptr_t x = (uintptr_t)ptr;
#if UINTPTR_MAX > 0xFFFFFFFFu
    x *= (uintptr_t)0x9E3779B97F4A7C15u;
    x >>= 32;
#else
    x *= (uintptr_t)0x9E3779B9u;
    x ^= x >> 16;
#endif
    return (size_t)x & mask;
}

/* The bucket of `ptr` in t's table. */
static inline size_t bucket_in(const memapi_tracking *t, const void *ptr)
{
    return bucket_of(ptr, t->mask);
}

/* The link field (a bucket head or a next_ field) at byte offset `off` from the table's start. */
static inline size_t *link_at(const memapi_tracking *t, size_t off)
{
    return (size_t *)(void *)((char *)t->table + off);
}

/* The byte offsets of slot i's next_ and bucket_ fields (from the index, which the caller has
 * already scaled to address the slot). */
#define NEXT_OFFSET(i) ((i) * sizeof(memapi_tracking_entry) + offsetof(memapi_tracking_entry, next_))
#define BUCKET_OFFSET(b) ((b) * sizeof(memapi_tracking_entry) + offsetof(memapi_tracking_entry, bucket_))

/* Links entry i at the head of bucket b of table tab. */
static inline __attribute__((always_inline)) void link_into(memapi_tracking_entry *tab, size_t i, size_t b)
{
    size_t k = tab[b].bucket_;
    tab[i].next_ = k;
    if (k != 0)
        tab[k - 1].link_ = NEXT_OFFSET(i);
    tab[b].bucket_ = i + 1;
    tab[i].link_ = BUCKET_OFFSET(b);
}

/* Links entry i at the head of the bucket of its block. */
static inline __attribute__((always_inline)) void link_entry(memapi_tracking *t, size_t i)
{
    link_into(t->table, i, bucket_in(t, t->table[i].ptr));
}

/* Takes entry i out of its bucket's chain (through its back-link: no walk). */
static inline __attribute__((always_inline)) void unlink_entry(memapi_tracking *t, size_t i)
{
    memapi_tracking_entry *e = &t->table[i];
    size_t k = e->next_;
    *link_at(t, e->link_) = k;
    if (k != 0)
        t->table[k - 1].link_ = e->link_;
}

/* Rebuilds the index for the current capacity (after init or growth): O(cap). The table, mask
 * and length in locals: the stores into the table cannot then make the compiler reload them. */
static void rehash(memapi_tracking *t)
{
    size_t buckets = 1;
    while (buckets <= t->cap / 2)
        buckets *= 2;
    const size_t mask = buckets - 1, len = t->len;
    memapi_tracking_entry *tab = t->table;
    t->mask = mask;
    /* The bucket heads, four a step (buckets is a power of two): the growths of a table clear
     * about twice its final capacity in all. */
    memapi_tracking_entry *e = tab, *end = tab + buckets;
    for (; buckets >= 4 && e != end; e += 4) {
        e[0].bucket_ = 0;
        e[1].bucket_ = 0;
        e[2].bucket_ = 0;
        e[3].bucket_ = 0;
    }
    for (; e != end; e++)
        e->bucket_ = 0;
    for (size_t i = 0; i < len; i++) {
        link_into(tab, i, bucket_of(tab[i].ptr, mask));
    }
}

/* Records a block in the next free slot; the caller has made room (reserve). */
static inline __attribute__((always_inline)) void insert(memapi_tracking *t, void *ptr, memapi_layout l)
{
    size_t i = t->len++;
    /* Field by field: the slot's bucket_ belongs to the bucket it heads, not to this entry. */
    t->table[i].ptr = ptr;
    t->table[i].layout.size = l.size;
    t->table[i].layout.align = l.align;
    link_entry(t, i);
    t->live_bytes += l.size;
    note_bytes(t);
}

/* Removes entry i; the last entry moves into its slot, and the two links that point at the moved
 * entry (its back-link's target and its successor's back-link) follow it. */
static inline __attribute__((always_inline)) void remove_entry(memapi_tracking *t, size_t i)
{
    unlink_entry(t, i);
    size_t last = t->len - 1;
    if (i != last) {
        memapi_tracking_entry *e = &t->table[i];
        const memapi_tracking_entry *m = &t->table[last];
        e->ptr = m->ptr;
        e->layout = m->layout;
        e->next_ = m->next_;
        e->link_ = m->link_;
        *link_at(t, e->link_) = i + 1;
        if (e->next_ != 0)
            t->table[e->next_ - 1].link_ = (size_t)((char *)&e->next_ - (char *)t->table);
    }
    t->len = last;
}

/* Entry i now describes `ptr` with `l` (after a resize). */
static void update_entry(memapi_tracking *t, size_t i, void *ptr, memapi_layout l)
{
    if (ptr != t->table[i].ptr) {
        unlink_entry(t, i);
        t->table[i].ptr = ptr;
        link_entry(t, i);
    }
    t->table[i].layout = l;
}

/* Makes room for one more entry when the table is full, growing it from the inner allocator when
 * allowed (out of line: reserve's test is all an allocation pays while there is room). */
static __attribute__((noinline)) memapi_status grow_table(memapi_tracking *t, memapi_layout block, memapi_error *err)
{
    if (!t->grows)
        return memapi__fail_alloc(err, block, MEMAPI_CAUSE_OTHER, 0, "tracking table full");
    if (t->cap > SIZE_MAX / TABLE_GROWTH)
        return memapi__fail_arith(err, t->cap, MEMAPI_OP_MUL, TABLE_GROWTH);
    size_t new_cap = t->cap == 0 ? FIRST_TABLE_CAP : t->cap * TABLE_GROWTH;
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
    rehash(t);
    return MEMAPI_OK;
}

/* Makes room for one more entry. */
static inline memapi_status reserve(memapi_tracking *t, memapi_layout block, memapi_error *err)
{
    if (MEMAPI_LIKELY(t->len < t->cap))
        return MEMAPI_OK;
    return grow_table(t, block, err);
}

/* Where a lookup landed: the live entry with this address and layout, or failing that the first
 * one with this address. */
typedef enum found { FOUND_NONE, FOUND_OTHER_LAYOUT, FOUND } found;

static found find(const memapi_tracking *t, const void *ptr, memapi_layout layout, size_t *index)
{
    found f = FOUND_NONE;
    if (t->len == 0)
        return f;
    for (size_t k = t->table[bucket_in(t, ptr)].bucket_; k != 0; k = t->table[k - 1].next_) {
        const memapi_tracking_entry *e = &t->table[k - 1];
        if (e->ptr != ptr)
            continue;
        if (memapi_layout_eq(e->layout, layout)) {
            *index = k - 1;
            return FOUND;
        }
        if (f == FOUND_NONE) {
            *index = k - 1;
            f = FOUND_OTHER_LAYOUT;
        }
    }
    return f;
}

/* The index of the live entry with exactly this block and layout, or SIZE_MAX: the entry find()
 * reports as FOUND. */
static inline size_t find_exact(const memapi_tracking *t, const void *ptr, memapi_layout layout)
{
    if (t->len == 0)
        return SIZE_MAX;
    for (size_t k = t->table[bucket_in(t, ptr)].bucket_; k != 0;) {
        const memapi_tracking_entry *e = &t->table[k - 1];
        if (e->ptr == ptr && e->layout.size == layout.size && e->layout.align == layout.align)
            return k - 1;
        k = e->next_;
    }
    return SIZE_MAX;
}

/* The error for a lookup that did not find the block with exactly `layout`. */
static memapi_status lookup_failed(const memapi_tracking *t, found f, const void *ptr, memapi_layout layout,
                                   size_t index, memapi_error *err)
{
    if (f == FOUND_NONE)
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, ptr, not_owned);
    return memapi__fail_mismatch(err, ptr, layout, t->table[index].layout);
}

/* l is valid (the dispatch checked it), so its dangling pointer is its alignment as an address. */
static bool is_untracked(const void *ptr, memapi_layout l)
{
    return l.size == 0 && (uintptr_t)ptr == l.align;
}

/* record's path when the table is full: grow it and record p, or free p and fail. */
static __attribute__((noinline, cold)) void *record_grown(memapi_tracking *t, void *p, memapi_layout l,
                                                          memapi_error *err)
{
    if (grow_table(t, l, err) != MEMAPI_OK) {
        (void)t->inner.vt->try_dealloc(t->inner.self, p, l, NULL);
        return NULL;
    }
    insert(t, p, l);
    t->total_allocs++;
    return p;
}

/* Records the block p of layout l that the inner allocator has just returned (a size-0 dangling
 * block owns nothing and is not recorded); when the table has no room and cannot grow, frees p
 * and fails. Inline in vt_alloc and vt_zalloc: the fast path needs no frame of its own. */
static inline void *record(memapi_tracking *t, void *p, memapi_layout l, memapi_error *err)
{
    if (!is_untracked(p, l)) {
        if (MEMAPI_UNLIKELY(t->len >= t->cap))
            return record_grown(t, p, l, err);
        insert(t, p, l);
    }
    t->total_allocs++;
    return p;
}

/* The dispatch has validated l: the inner allocator's entry, without a second validation. */
static void *vt_alloc(void *self, memapi_layout l, memapi_error *err)
{
    memapi_tracking *t = self;
    void *p = memapi__fwd_alloc(&t->inner, l, err);
    return p != NULL ? record(t, p, l, err) : NULL;
}

static void *vt_zalloc(void *self, memapi_layout l, memapi_error *err)
{
    memapi_tracking *t = self;
    void *p = memapi__fwd_zalloc(&t->inner, l, err);
    return p != NULL ? record(t, p, l, err) : NULL;
}

static memapi_status vt_try_dealloc(void *self, void *ptr, memapi_layout l, memapi_error *err)
{
    memapi_tracking *t = self;
    size_t i = 0;
    found f = find(t, ptr, l, &i);
    /* docs/design.md decision D3: a size-0 layout or the dangling pointer is never a live block; the inner
     * allocator decides (a no-op for the heap allocators). */
    if (f == FOUND_NONE && (l.size == 0 || ptr == memapi_layout_dangling(l)))
        return memapi__fwd_try_dealloc(&t->inner, ptr, l, err);
    if (f != FOUND)
        return lookup_failed(t, f, ptr, l, i, err);
    if (memapi__fwd_try_dealloc(&t->inner, ptr, l, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    t->live_bytes -= l.size;
    remove_entry(t, i);
    return MEMAPI_OK;
}

/* The tracking allocator without its dealloc entry: memapi_dealloc then runs try_dealloc above and,
 * when it fails, stops the program with the library's own report (only these two fields are read). */
static const memapi_alloc_vtable tracking_checked_vt = {
    .name = "tracking",
    .caps = MEMAPI_CAP_DEALLOC,
    .alloc = vt_alloc,
    .zalloc = NULL,
    .try_dealloc = vt_try_dealloc,
    .grow = NULL,
    .zgrow = NULL,
    .shrink = NULL,
    .realloc = NULL,
    .rezalloc = NULL,
    .owns = NULL,
    .alloc_temp = NULL,
    .dealloc = NULL,
};

/*
 * memapi_dealloc's entry. A recorded block with exactly this layout is freed through the inner
 * allocator's own dealloc path (which stops the program if the inner free fails, as memapi_dealloc
 * does) and its entry removed, without an error object. Anything else (an unknown block, a wrong
 * layout, a size-0 layout) is memapi_dealloc on the table without this entry: try_dealloc, and
 * the program stopped with the very report memapi_dealloc gives when try_dealloc fails. So
 * memapi_dealloc keeps reporting every foreign, double or mismatched free.
 */
static __attribute__((noinline, cold)) void dealloc_unrecorded(memapi_tracking *t, void *ptr, memapi_layout l)
{
    memapi_allocator checked = {&tracking_checked_vt, t};
    (memapi_dealloc)(checked, ptr, l);
}

static void vt_dealloc(void *self, void *ptr, memapi_layout l)
{
    memapi_tracking *t = self;
    size_t i = find_exact(t, ptr, l);
    if (MEMAPI_UNLIKELY(i == SIZE_MAX)) {
        /* Out of line, with the arguments in the entry's order: both exits pass them on as
         * they came. */
        dealloc_unrecorded(t, ptr, l);
        return;
    }
    /* The entry goes first, so that the inner free is a tail call: that free cannot fail (it
     * stops the program when the inner allocator cannot free the block). */
    t->live_bytes -= l.size;
    remove_entry(t, i);
    memapi__fwd_dealloc(&t->inner, ptr, l);
}

/* A forwarder of internal/forward.h: the dispatch's checks have passed, the inner allocator's entry runs. */
typedef void *(*inner_resize_fn)(const memapi_allocator *, void *, memapi_layout, memapi_layout, memapi_error *);

static void *track_resize(memapi_tracking *t, void *ptr, memapi_layout old_l, memapi_layout new_l,
                          inner_resize_fn op, memapi_error *err)
{
    size_t i = 0;
    found f = find(t, ptr, old_l, &i);
    if (f == FOUND_NONE && is_untracked(ptr, old_l)) {
        /* Growing from a size-0 dangling block is a fresh allocation that must be recorded (a
         * size-0 result is not recorded, so it needs no table room). */
        if (new_l.size > 0 && reserve(t, new_l, err) != MEMAPI_OK)
            return NULL;
        void *p = op(&t->inner, ptr, old_l, new_l, err);
        if (p == NULL)
            return NULL;
        if (!is_untracked(p, new_l))
            insert(t, p, new_l);
        return p;
    }
    if (f != FOUND) {
        (void)lookup_failed(t, f, ptr, old_l, i, err);
        return NULL;
    }
    void *p = op(&t->inner, ptr, old_l, new_l, err);
    if (p == NULL)
        return NULL;
    t->live_bytes = t->live_bytes - old_l.size + new_l.size;
    note_bytes(t);
    if (is_untracked(p, new_l))
        remove_entry(t, i);
    else
        update_entry(t, i, p, new_l);
    return p;
}

static void *vt_grow(void *self, void *ptr, memapi_layout o, memapi_layout n, memapi_error *err)
{
    return track_resize(self, ptr, o, n, memapi__fwd_grow, err);
}

static void *vt_zgrow(void *self, void *ptr, memapi_layout o, memapi_layout n, memapi_error *err)
{
    return track_resize(self, ptr, o, n, memapi__fwd_zgrow, err);
}

static void *vt_shrink(void *self, void *ptr, memapi_layout o, memapi_layout n, memapi_error *err)
{
    return track_resize(self, ptr, o, n, memapi__fwd_shrink, err);
}

static void *vt_realloc(void *self, void *ptr, memapi_layout o, memapi_layout n, memapi_error *err)
{
    return track_resize(self, ptr, o, n, memapi__fwd_realloc, err);
}

static void *vt_rezalloc(void *self, void *ptr, memapi_layout o, memapi_layout n, memapi_error *err)
{
    return track_resize(self, ptr, o, n, memapi__fwd_rezalloc, err);
}

static memapi_status vt_owns(void *self, const void *ptr, memapi_layout l, memapi_error *err)
{
    const memapi_tracking *t = self;
    size_t i = 0;
    found f = find(t, ptr, l, &i);
    if (f == FOUND)
        return MEMAPI_OK;
    if (f == FOUND_NONE && is_untracked(ptr, l))
        return MEMAPI_OK;
    return lookup_failed(t, f, ptr, l, i, err);
}

memapi_status memapi_tracking_layout_of(const memapi_tracking *t, const void *ptr, memapi_layout *out,
                                        memapi_error *err)
{
    if (t->len != 0) {
        for (size_t k = t->table[bucket_in(t, ptr)].bucket_; k != 0; k = t->table[k - 1].next_) {
            if (t->table[k - 1].ptr == ptr) {
                *out = t->table[k - 1].layout;
                return MEMAPI_OK;
            }
        }
    }
    return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, ptr, not_owned);
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
        .dealloc = vt_dealloc,
    };
    t->inner = inner;
    t->vt = vt;
    t->table = entries;
    t->len = 0;
    t->cap = capacity;
    t->mask = 0;
    if (capacity > 0)
        rehash(t);
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
    t->mask = 0;
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
