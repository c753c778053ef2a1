/*
 * The bump arena (DESIGN.md section 4): part of the freestanding core, so no libc here; bytes are
 * zeroed with memapi__zero, which is a plain loop in the freestanding build.
 *
 * Written for the proofs: offsets, not pointers, carry the state; the alignment padding is the
 * modulo round-up of the address; every sum is guarded by the invariant off <= cap <= MAX.
 */
#include "memapi2/bump.h"
#include "internal/error_set.h"
#include "internal/mem.h"

#if MEMAPI__BUMP_ASAN
#include <sanitizer/asan_interface.h>
/* Only the ranges outside live blocks are poisoned: [from, to) offsets of the buffer. */
static void poison(const memapi_bump *b, size_t from, size_t to)
{
    if (from < to)
        ASAN_POISON_MEMORY_REGION(b->base + from, to - from);
}
static void unpoison(const memapi_bump *b, size_t from, size_t to)
{
    if (from < to)
        ASAN_UNPOISON_MEMORY_REGION(b->base + from, to - from);
}
#else
static void poison(const memapi_bump *b, size_t from, size_t to)
{
    (void)b;
    (void)from;
    (void)to;
}
static void unpoison(const memapi_bump *b, size_t from, size_t to)
{
    (void)b;
    (void)from;
    (void)to;
}
#endif

static const char not_owned[] = "pointer not owned by this allocator";

memapi_status memapi_bump_init(memapi_bump *b, void *buf, size_t cap, memapi_error *err)
{
    if (buf == NULL && cap > 0)
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, buf, "null buffer");
    if (cap > MEMAPI_USIZE_MAX_NO_HIGH_BIT)
        return memapi__fail_layout(err, MEMAPI_LE_EXCEEDS_MAX, cap, 1, 1);
    uintptr_t addr = (uintptr_t)buf;
    if (cap > UINTPTR_MAX - addr)
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, buf, "buffer wraps around the address space");
    b->base = (char *)buf;
    b->addr = addr;
    b->cap = cap;
    b->off = 0;
    b->last = 0;
    b->peak = 0;
    poison(b, 0, cap);
    return MEMAPI_OK;
}

bool memapi_bump_is_valid(const memapi_bump *b)
{
    return b != NULL && b->addr == (uintptr_t)b->base && b->cap <= MEMAPI_USIZE_MAX_NO_HIGH_BIT &&
           b->cap <= UINTPTR_MAX - b->addr && b->last <= b->off && b->off <= b->cap && b->peak <= b->cap &&
           (b->base != NULL || b->cap == 0);
}

/* Bytes from offset `off` to the next address that is a multiple of `align` (align > 0): the
 * modulo round-up, branch-free (align - r lies in [1, align], so the outer % maps align to 0). */
/*@ requires \valid_read(b);
    requires 0 < align;
    requires b->addr + off <= UINTPTR_MAX;
    assigns \nothing;
    ensures 0 <= \result < align;
    ensures (b->addr + off + \result) % align == 0; */
static size_t pad_at(const memapi_bump *b, size_t off, size_t align)
{
    return (align - (b->addr + off) % align) % align;
}

static void note_peak(memapi_bump *b)
{
    if (b->off > b->peak)
        b->peak = b->off;
}

/* Moves the offset down to `to` (<= off), keeping the peak and poisoning what was given back. */
static void give_back(memapi_bump *b, size_t to)
{
    note_peak(b);
    poison(b, to, b->off);
    b->off = to;
    if (b->last > to)
        b->last = to;
}

void *memapi_bump_alloc_outline(memapi_bump *b, memapi_layout layout, memapi_error *err)
{
    if (memapi_layout_check(layout.size, layout.align, err) != MEMAPI_OK)
        return NULL;
    if (layout.size == 0)
        return memapi_layout_dangling(layout);
    size_t start = b->off + pad_at(b, b->off, layout.align);
    if (start > b->cap || layout.size > b->cap - start) {
        memapi__fail_alloc(err, layout, MEMAPI_CAUSE_OUT_OF_MEMORY, 0, NULL);
        return NULL;
    }
    b->last = b->off;
    b->off = start + layout.size;
    unpoison(b, start, b->off);
    return b->base + start;
}

void *memapi_bump_zalloc(memapi_bump *b, memapi_layout layout, memapi_error *err)
{
    char *p = memapi_bump_alloc(b, layout, err);
    if (p != NULL && layout.size > 0)
        memapi__zero(p, layout.size);
    return p;
}

/* ptr lies in the used part [base, base + off); *off_out gets its offset. */
static bool in_use(const memapi_bump *b, const void *ptr, size_t *off_out)
{
    uintptr_t p = (uintptr_t)ptr;
    if (p < b->addr || p - b->addr >= b->off)
        return false;
    *off_out = (size_t)(p - b->addr);
    return true;
}

/* The block at offset `o` with `layout` is the most recent one: it starts where the last allocation
 * started (after its padding) and ends at the current offset. */
static bool is_recent(const memapi_bump *b, size_t o, memapi_layout layout)
{
    return o == b->last + pad_at(b, b->last, layout.align) && layout.size == b->off - o;
}

memapi_status memapi_bump_try_dealloc(memapi_bump *b, void *ptr, memapi_layout layout, memapi_error *err)
{
    if (memapi_layout_check(layout.size, layout.align, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    if (layout.size == 0 || ptr == memapi_layout_dangling(layout))
        return MEMAPI_OK;
    size_t o = 0;
    if (!in_use(b, ptr, &o))
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, ptr, not_owned);
    if (is_recent(b, o, layout))
        give_back(b, b->last);
    return MEMAPI_OK;
}

memapi_status memapi_bump_rewind(memapi_bump *b, size_t mark, memapi_error *err)
{
    if (mark > b->off)
        return memapi__fail_other(err, "bump mark beyond the current offset");
    give_back(b, mark);
    b->last = mark;
    return MEMAPI_OK;
}

void memapi_bump_reset(memapi_bump *b)
{
    give_back(b, 0);
    b->last = 0;
}

void memapi_bump_release(memapi_bump *b)
{
    note_peak(b);
    unpoison(b, 0, b->cap);
    b->cap = 0;
    b->off = 0;
    b->last = 0;
    if (b->peak > b->cap)
        b->peak = b->cap;
}

memapi_status memapi_bump_owns(const memapi_bump *b, const void *ptr, memapi_layout layout, memapi_error *err)
{
    if (memapi_layout_check(layout.size, layout.align, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    if (layout.size == 0 && ptr == memapi_layout_dangling(layout))
        return MEMAPI_OK;
    size_t o = 0;
    if (!in_use(b, ptr, &o) || (b->addr + o) % layout.align != 0 || layout.size > b->off - o)
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, ptr, not_owned);
    return MEMAPI_OK;
}

/*
 * The most recent block is resized in place when its address suits the new alignment; a block
 * that no longer fits after it is out of memory (moving it would need even more space). Every other
 * case is the library default on this arena, whose free of the old block is then a no-op.
 */
static void *bump_resize(memapi_bump *b, void *ptr, memapi_layout old_l, memapi_layout new_l, bool zero,
                         memapi_error *err)
{
    size_t o = 0;
    if (old_l.size > 0 && ptr != memapi_layout_dangling(old_l)) {
        if (!in_use(b, ptr, &o)) {
            memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, ptr, not_owned);
            return NULL;
        }
        if (new_l.size > 0 && is_recent(b, o, old_l) && (b->addr + o) % new_l.align == 0) {
            if (new_l.size > b->cap - o) {
                memapi__fail_alloc(err, new_l, MEMAPI_CAUSE_OUT_OF_MEMORY, 0, NULL);
                return NULL;
            }
            size_t end = o + new_l.size;
            if (end < b->off) {
                give_back(b, end);
            } else {
                unpoison(b, b->off, end);
                b->off = end;
            }
            if (zero && new_l.size > old_l.size)
                memapi__zero(b->base + o + old_l.size, new_l.size - old_l.size);
            return b->base + o;
        }
    }
    return memapi_default_resize(memapi_bump_allocator(b), ptr, old_l, new_l, zero, err);
}

/* The dispatch validated the layout already; the inline fast path of bump.h serves the common case. */
static void *vt_alloc(void *self, memapi_layout l, memapi_error *err)
{
    return memapi_bump_alloc((memapi_bump *)self, l, err);
}

static void *vt_zalloc(void *self, memapi_layout l, memapi_error *err)
{
    return memapi_bump_zalloc((memapi_bump *)self, l, err);
}

static memapi_status vt_try_dealloc(void *self, void *ptr, memapi_layout l, memapi_error *err)
{
    return memapi_bump_try_dealloc((memapi_bump *)self, ptr, l, err);
}

static void *vt_resize(void *self, void *ptr, memapi_layout old_l, memapi_layout new_l, memapi_error *err)
{
    return bump_resize((memapi_bump *)self, ptr, old_l, new_l, false, err);
}

static void *vt_zresize(void *self, void *ptr, memapi_layout old_l, memapi_layout new_l, memapi_error *err)
{
    return bump_resize((memapi_bump *)self, ptr, old_l, new_l, true, err);
}

static memapi_status vt_owns(void *self, const void *ptr, memapi_layout l, memapi_error *err)
{
    return memapi_bump_owns((const memapi_bump *)self, ptr, l, err);
}

const memapi_alloc_vtable memapi_bump_vtable = {
    .name = "bump",
    .caps = MEMAPI_CAP_DEALLOC | MEMAPI_CAP_CHECKED_REALLOC | MEMAPI_CAP_CHECKED_DEALLOC,
    .alloc = vt_alloc,
    .zalloc = vt_zalloc,
    .try_dealloc = vt_try_dealloc,
    .grow = vt_resize,
    .zgrow = vt_zresize,
    .shrink = vt_resize,
    .realloc = vt_resize,
    .rezalloc = vt_zresize,
    .owns = vt_owns,
    .alloc_temp = NULL,
};
