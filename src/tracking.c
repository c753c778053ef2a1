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
 * The table: slots [0, cap) of t->table, a chained hash table by slot index, and a free list.
 * Slots never move: a block keeps its slot from its recording to its removal.
 * - Slot s is live (ptr != NULL: a block, with its layout) or free (ptr == NULL).
 * - Buckets: b in [0, mask], mask + 1 the largest power of two <= cap (no bucket when cap == 0);
 *   slot b's `bucket_` heads bucket b and each live slot's `next_` follows its chain; both hold
 *   1 + a slot index, 0 for none. A free slot's `next_` is the free list's link, as is t->free_.
 * The invariant (init and every operation keep it; none relies on more):
 *   every live slot is in exactly one chain, once: that of bucket_of(ptr, mask); every chain holds
 *   live slots only; every free slot is on the free list, once, and the list holds free slots
 *   only; so each slot is either live or free, and len == the number of live slots, live_bytes ==
 *   the sum of their sizes, live_bytes <= peak_bytes.
 * A free finds the link (a bucket head or a next_ field) that points at its slot, writes the slot's
 * next_ into it, and pushes the slot on the free list: no entry moves and no link is re-pointed.
 * A new block takes the free list's first slot. The list is a stack: a freed slot goes on top, and
 * the slots a table adds (all of them at init, the new half at a growth, which happens only when
 * the table is full and the list empty) are stacked lowest on top. The leak walk goes in slot order.
 * On 64-bit targets the hash keeps bits 32.. of the address times 2^64/phi: one multiply and
 * one shift. It depends on every address bit, so which blocks share a bucket follows the heap's
 * addresses.
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

/* Links live slot s (its ptr set) at the head of bucket b of table tab. */
static inline __attribute__((always_inline)) void link_into(memapi_tracking_entry *tab, size_t s, size_t b)
{
    tab[s].next_ = tab[b].bucket_;
    tab[b].bucket_ = s + 1;
}

/* Slots [from, to) are new (to > from): marks them free and stacks them on the free list, which is
 * empty (a growth happens only when the table is full), so that slot `from` comes off first. */
static void add_free_slots(memapi_tracking *t, size_t from, size_t to)
{
    memapi_tracking_entry *tab = t->table;
    for (size_t s = from; s + 1 < to; s++) {
        tab[s].ptr = NULL;
        tab[s].next_ = s + 2;
    }
    tab[to - 1].ptr = NULL;
    tab[to - 1].next_ = 0;
    t->free_ = from + 1;
}

/* Rebuilds the buckets for the current capacity (after init or growth), relinking the live slots
 * [0, live_end): at a growth every old slot is live, at init there is none. O(cap). The table and
 * mask in locals: the stores into the table cannot then make the compiler reload them. */
static void rehash(memapi_tracking *t, size_t live_end)
{
    size_t buckets = 1;
    while (buckets <= t->cap / 2)
        buckets *= 2;
    const size_t mask = buckets - 1;
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
    for (size_t s = 0; s < live_end; s++)
        link_into(tab, s, bucket_of(tab[s].ptr, mask));
}

/* Records a block in the free list's first slot; the caller has made room (t->free_ != 0). */
static inline __attribute__((always_inline)) void insert(memapi_tracking *t, void *ptr, memapi_layout l)
{
    memapi_tracking_entry *tab = t->table;
    size_t k = t->free_;
    memapi_tracking_entry *e = &tab[k - 1];
    t->free_ = e->next_;
    /* Field by field: the slot's bucket_ belongs to the bucket it heads, not to this entry. */
    e->ptr = ptr;
    e->layout.size = l.size;
    e->layout.align = l.align;
    size_t b = bucket_of(ptr, t->mask);
    e->next_ = tab[b].bucket_;
    tab[b].bucket_ = k;
    t->len++;
    t->live_bytes += l.size;
    note_bytes(t);
}

/* Removes live slot k - 1 (e), which *link (a bucket head or a next_ field) points at: unlinks it
 * from its chain and pushes it on the free list. */
static inline __attribute__((always_inline)) void remove_slot(memapi_tracking *t, size_t *link, memapi_tracking_entry *e,
                                                              size_t k)
{
    *link = e->next_;
    e->ptr = NULL;
    e->next_ = t->free_;
    t->free_ = k;
    t->len--;
}

/* remove_slot for the slot that *link points at. */
static inline void remove_at(memapi_tracking *t, size_t *link)
{
    size_t k = *link;
    remove_slot(t, link, &t->table[k - 1], k);
}

/* The live slot that *link points at now describes `ptr` with `l` (after a resize): same slot, and
 * when the block moved, the head of its new bucket's chain. */
static void update_at(memapi_tracking *t, size_t *link, void *ptr, memapi_layout l)
{
    size_t k = *link;
    memapi_tracking_entry *e = &t->table[k - 1];
    if (ptr != e->ptr) {
        *link = e->next_;
        e->ptr = ptr;
        link_into(t->table, k - 1, bucket_of(ptr, t->mask));
    }
    e->layout = l;
}

/* Makes room for one more entry when the table is full, growing it from the inner allocator when
 * allowed (out of line: the room test is all an allocation pays while there is room). */
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
    size_t old_cap = t->cap;
    t->table = p;
    t->cap = new_cap;
    rehash(t, old_cap);
    add_free_slots(t, old_cap, new_cap);
    return MEMAPI_OK;
}

/* Makes room for one more entry. */
static inline memapi_status reserve(memapi_tracking *t, memapi_layout block, memapi_error *err)
{
    if (MEMAPI_LIKELY(t->free_ != 0))
        return MEMAPI_OK;
    return grow_table(t, block, err);
}

/* The link (a bucket head or a next_ field) that points at the live slot with exactly this block
 * and layout, or NULL. */
static inline size_t *find_exact(const memapi_tracking *t, const void *ptr, memapi_layout layout)
{
    if (t->len == 0)
        return NULL;
    memapi_tracking_entry *tab = t->table;
    size_t *link = &tab[bucket_of(ptr, t->mask)].bucket_;
    for (size_t k = *link; k != 0; k = *link) {
        const memapi_tracking_entry *e = &tab[k - 1];
        if (e->ptr == ptr && e->layout.size == layout.size && e->layout.align == layout.align)
            return link;
        link = &tab[k - 1].next_;
    }
    return NULL;
}

/* The first live slot of ptr's chain that holds `ptr` (with any layout), or NULL. */
static const memapi_tracking_entry *find_any(const memapi_tracking *t, const void *ptr)
{
    if (t->len == 0)
        return NULL;
    for (size_t k = t->table[bucket_of(ptr, t->mask)].bucket_; k != 0; k = t->table[k - 1].next_) {
        if (t->table[k - 1].ptr == ptr)
            return &t->table[k - 1];
    }
    return NULL;
}

/* The error for a block that find_exact did not find with `layout`: a wrong layout when `ptr` is
 * recorded with another one (e, from find_any), not owned otherwise. */
static memapi_status lookup_failed(const memapi_tracking_entry *e, const void *ptr, memapi_layout layout,
                                   memapi_error *err)
{
    if (e == NULL)
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, ptr, not_owned);
    return memapi__fail_mismatch(err, ptr, layout, e->layout);
}

/* l is valid (the dispatch checked it), so its dangling pointer is its alignment as an address
 * (tested first: a block's address is almost never its alignment). */
static bool is_untracked(const void *ptr, memapi_layout l)
{
    return MEMAPI_UNLIKELY((uintptr_t)ptr == l.align) && l.size == 0;
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
        if (MEMAPI_UNLIKELY(t->free_ == 0))
            return record_grown(t, p, l, err);
        insert(t, p, l);
    }
    t->total_allocs++;
    return p;
}

/*
 * The dispatch has validated l: the inner allocator's alloc entry, called directly. init checked
 * that the inner allocator has a vtable with alloc and try_dealloc entries (record_grown and
 * destroy call try_dealloc on that check too), so memapi__fwd_alloc's tests of the vtable and the
 * entry would only repeat it.
 */
static void *vt_alloc(void *self, memapi_layout l, memapi_error *err)
{
    memapi_tracking *t = self;
    void *p = MEMAPI__ENTRY_ALLOC(t->inner.vt->alloc, t->inner.self, l, err);
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
    size_t *link = find_exact(t, ptr, l);
    if (link == NULL) {
        const memapi_tracking_entry *e = find_any(t, ptr);
        /* docs/design.md decision D3: a size-0 layout or the dangling pointer is never a live block; the
         * inner allocator decides (a no-op for the heap allocators). */
        if (e == NULL && (l.size == 0 || ptr == memapi_layout_dangling(l)))
            return memapi__fwd_try_dealloc(&t->inner, ptr, l, err);
        return lookup_failed(e, ptr, l, err);
    }
    if (memapi__fwd_try_dealloc(&t->inner, ptr, l, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    t->live_bytes -= l.size;
    remove_at(t, link);
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
    if (MEMAPI_LIKELY(t->len != 0)) {
        /* find_exact's walk, the removal where it stops. */
        memapi_tracking_entry *tab = t->table;
        size_t *link = &tab[bucket_of(ptr, t->mask)].bucket_;
        for (size_t k = *link; k != 0; k = *link) {
            memapi_tracking_entry *e = &tab[k - 1];
            if (e->ptr == ptr && e->layout.size == l.size && e->layout.align == l.align) {
                /* The entry goes first, so that the inner free is a tail call: that free cannot
                 * fail (it stops the program when the inner allocator cannot free the block). */
                t->live_bytes -= l.size;
                remove_slot(t, link, e, k);
                /* The inner dealloc entry when it has one (init checked try_dealloc, which
                 * memapi__fwd_dealloc requires too), else memapi_dealloc's own path, as the
                 * forwarder would take. */
                const memapi_alloc_vtable *ivt = t->inner.vt;
                if (MEMAPI_LIKELY(ivt->dealloc != NULL))
                    MEMAPI__ENTRY_DEALLOC(ivt->dealloc, t->inner.self, ptr, l);
                else
                    (memapi_dealloc)(t->inner, ptr, l);
                return;
            }
            link = &e->next_;
        }
    }
    /* Out of line, with the arguments in the entry's order: both exits pass them on as they came. */
    dealloc_unrecorded(t, ptr, l);
}

/* A forwarder of internal/forward.h: the dispatch's checks have passed, the inner allocator's entry runs. */
typedef void *(*inner_resize_fn)(const memapi_allocator *, void *, memapi_layout, memapi_layout, memapi_error *);

/* track_resize's path for a block not recorded with old_l: a size-0 dangling block grows into a
 * fresh allocation, which is recorded; anything else fails before the inner allocator is called. */
static __attribute__((noinline)) void *resize_unrecorded(memapi_tracking *t, void *ptr, memapi_layout old_l,
                                                         memapi_layout new_l, inner_resize_fn op, memapi_error *err)
{
    const memapi_tracking_entry *e = find_any(t, ptr);
    if (e != NULL || !is_untracked(ptr, old_l)) {
        (void)lookup_failed(e, ptr, old_l, err);
        return NULL;
    }
    /* A size-0 result is not recorded, so it needs no table room. */
    if (new_l.size > 0 && reserve(t, new_l, err) != MEMAPI_OK)
        return NULL;
    void *p = op(&t->inner, ptr, old_l, new_l, err);
    if (p == NULL || is_untracked(p, new_l))
        return p;
    /* A size-0 result that is not the dangling pointer (an inner allocator may return a block for
     * size 0) had no room reserved: recorded as an allocation is. */
    if (MEMAPI_UNLIKELY(t->free_ == 0) && grow_table(t, new_l, err) != MEMAPI_OK) {
        (void)t->inner.vt->try_dealloc(t->inner.self, p, new_l, NULL);
        return NULL;
    }
    insert(t, p, new_l);
    return p;
}

static void *track_resize(memapi_tracking *t, void *ptr, memapi_layout old_l, memapi_layout new_l,
                          inner_resize_fn op, memapi_error *err)
{
    size_t *link = find_exact(t, ptr, old_l);
    if (MEMAPI_UNLIKELY(link == NULL))
        return resize_unrecorded(t, ptr, old_l, new_l, op, err);
    void *p = op(&t->inner, ptr, old_l, new_l, err);
    if (p == NULL)
        return NULL;
    t->live_bytes = t->live_bytes - old_l.size + new_l.size;
    note_bytes(t);
    if (is_untracked(p, new_l))
        remove_at(t, link);
    else
        update_at(t, link, p, new_l);
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
    if (find_exact(t, ptr, l) != NULL)
        return MEMAPI_OK;
    const memapi_tracking_entry *e = find_any(t, ptr);
    if (e == NULL && is_untracked(ptr, l))
        return MEMAPI_OK;
    return lookup_failed(e, ptr, l, err);
}

memapi_status memapi_tracking_layout_of(const memapi_tracking *t, const void *ptr, memapi_layout *out,
                                        memapi_error *err)
{
    const memapi_tracking_entry *e = find_any(t, ptr);
    if (e != NULL) {
        *out = e->layout;
        return MEMAPI_OK;
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
    t->free_ = 0;
    if (capacity > 0) {
        rehash(t, 0);
        add_free_slots(t, 0, capacity);
    }
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
    t->free_ = 0;
    t->len = 0;
}


size_t memapi_tracking_leaks(const memapi_tracking *t, memapi_tracking_leak_cb cb, void *ctx)
{
    if (cb != NULL) {
        /* Slot order; the walk stops after the last live slot. */
        for (size_t s = 0, n = 0; s < t->cap && n < t->len; s++) {
            if (t->table[s].ptr != NULL) {
                cb(ctx, t->table[s].ptr, t->table[s].layout);
                n++;
            }
        }
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
    for (size_t s = 0, n = 0; s < t->cap && n < t->len; s++) {
        if (t->table[s].ptr != NULL) {
            append(&o, "  0x%" PRIxPTR " Layout(size: %zu, align: %zu)\n", (uintptr_t)t->table[s].ptr,
                   t->table[s].layout.size, t->table[s].layout.align);
            n++;
        }
    }
    return o.len;
}
