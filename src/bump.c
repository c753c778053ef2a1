/*
 * The bump arena (docs/design.md section 4): part of the freestanding core, so no libc here; bytes are
 * zeroed with memapi__zero, which is a plain loop in the freestanding build.
 *
 * Written for the proofs: offsets, not pointers, carry the state; the alignment padding is the
 * modulo round-up of the address; every sum is guarded by the invariant off <= cap <= MAX. A layout
 * is tested with memapi_layout_is_valid (which writes nothing) before memapi_layout_check is asked
 * for the error, so that the success paths provably leave *err alone.
 */
#include <limits.h>
#include <stdint.h>
#include "memapi2/bump.h"
#include "internal/error_set.h"
#include "internal/mem.h"

#if MEMAPI__BUMP_ASAN
#ifdef __FRAMAC__
/* ASan's interface as the proof of the ASan build sees it (PROVE_CONFIGS, trusted base): it writes
 * shadow memory only, which is not the program's. */
/*@ assigns \nothing; */
void __asan_poison_memory_region(void const volatile *addr, size_t size);
/*@ assigns \nothing; */
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
#define ASAN_POISON_MEMORY_REGION(addr, size) __asan_poison_memory_region((addr), (size))
#define ASAN_UNPOISON_MEMORY_REGION(addr, size) __asan_unpoison_memory_region((addr), (size))
#else
#include <sanitizer/asan_interface.h>
#endif
/* Only the ranges outside live blocks are poisoned: [from, to) offsets of the buffer. */
/*@ requires \valid_read(b) && from <= to <= b->cap;
    requires \valid_read(b->base + (0 .. b->cap - 1));
    assigns \nothing; */
static void poison(const memapi_bump *b, size_t from, size_t to)
{
    if (from < to)
        ASAN_POISON_MEMORY_REGION(b->base + from, to - from);
}
/*@ requires \valid_read(b) && from <= to <= b->cap;
    requires \valid_read(b->base + (0 .. b->cap - 1));
    assigns \nothing; */
static void unpoison(const memapi_bump *b, size_t from, size_t to)
{
    if (from < to)
        ASAN_UNPOISON_MEMORY_REGION(b->base + from, to - from);
}
#else
/* Without ASan (and under Frama-C) both are no-ops. */
/*@ requires \valid_read(b) && from <= to <= b->cap;
    requires \valid_read(b->base + (0 .. b->cap - 1));
    assigns \nothing; */
static void poison(const memapi_bump *b, size_t from, size_t to)
{
    (void)b;
    (void)from;
    (void)to;
}
/*@ requires \valid_read(b) && from <= to <= b->cap;
    requires \valid_read(b->base + (0 .. b->cap - 1));
    assigns \nothing; */
static void unpoison(const memapi_bump *b, size_t from, size_t to)
{
    (void)b;
    (void)from;
    (void)to;
}
#endif

/* The error messages, named so that the contracts can state which one is reported. */
static const char not_owned[] = "pointer not owned by this allocator";
static const char null_buffer[] = "null buffer";
static const char wraps[] = "buffer wraps around the address space";
static const char bad_mark[] = "bump mark beyond the current offset";


/*@ requires \valid(b);
    // What C cannot check, required only when the call succeeds: the buffer is valid over
    // [buf, buf + cap) and does not overlap *b.
    requires !(buf == \null && cap > 0) && cap <= memapi_max && cap <= UINTPTR_MAX - (uintptr_t)buf ==>
             buf == \null || (\object_pointer((char *)buf) && \valid((char *)buf + (0 .. cap - 1)) &&
                              \separated(b, (char *)buf + (0 .. cap - 1)));
    requires err == \null || \valid(err);
    requires \separated(err, b);
    assigns *b, *err;
    behavior null_buffer:
      assumes buf == \null && cap > 0;
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_bump_err_ptr(err, buf, (char *)null_buffer);
    behavior exceeds_max:
      assumes !(buf == \null && cap > 0) && cap > memapi_max;
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_layout(err, MEMAPI_LE_EXCEEDS_MAX, cap, 1, 1);
    behavior wraps_around:
      assumes !(buf == \null && cap > 0) && cap <= memapi_max && cap > UINTPTR_MAX - (uintptr_t)buf;
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_bump_err_ptr(err, buf, (char *)wraps);
    behavior ok:
      assumes !(buf == \null && cap > 0) && cap <= memapi_max && cap <= UINTPTR_MAX - (uintptr_t)buf;
      assigns *b;
      ensures \result == MEMAPI_OK;
      ensures memapi_bump_inv(b);
      ensures b->base == (char *)buf && b->addr == (uintptr_t)buf && b->cap == cap;
      ensures b->off == 0 && b->last == 0 && b->peak == 0;
    complete behaviors;
    disjoint behaviors;
*/
memapi_status memapi_bump_init(memapi_bump *b, void *buf, size_t cap, memapi_error *err)
{
    if (buf == NULL && cap > 0)
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, buf, null_buffer);
    if (cap > MEMAPI_USIZE_MAX_NO_HIGH_BIT)
        return memapi__fail_layout(err, MEMAPI_LE_EXCEEDS_MAX, cap, 1, 1);
    uintptr_t addr = (uintptr_t)buf;
    if (cap > UINTPTR_MAX - addr)
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, buf, wraps);
    b->base = (char *)buf;
    b->addr = addr;
    b->cap = cap;
    b->off = 0;
    b->last = 0;
    b->peak = 0;
    poison(b, 0, cap);
    return MEMAPI_OK;
}

/*@ requires b == \null || (\valid_read(b) && (b->base == \null || \object_pointer(b->base)));
    assigns \nothing;
    behavior valid:
      assumes b != \null && memapi_bump_fields(b);
      ensures \result == 1;
    behavior invalid:
      assumes b == \null || !memapi_bump_fields(b);
      ensures \result == 0;
    complete behaviors;
    disjoint behaviors;
*/
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
    ensures \result == memapi_bump_pad(b->addr, off, align);
    ensures 0 <= \result < align;
    ensures (b->addr + off + \result) % align == 0; */
static size_t pad_at(const memapi_bump *b, size_t off, size_t align)
{
    return (align - (b->addr + off) % align) % align;
}

/*@ requires memapi_bump_inv(b);
    assigns b->peak;
    ensures memapi_bump_inv(b);
    ensures b->peak == \old(memapi_bump_peak_of(b));
*/
static void note_peak(memapi_bump *b)
{
    if (b->off > b->peak)
        b->peak = b->off;
}

/* Moves the offset down to `to` (<= off), keeping the peak and poisoning what was given back. */
/*@ requires memapi_bump_inv(b);
    requires to <= b->off;
    assigns b->off, b->last, b->peak;
    ensures memapi_bump_inv(b);
    ensures memapi_bump_same_buffer{Pre, Post}(b);
    ensures b->off == to;
    ensures b->last == (\old(b->last) > to ? to : \old(b->last));
    ensures b->peak == \old(memapi_bump_peak_of(b));
*/
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
    if (!memapi_layout_is_valid(layout)) {
        /* Asked for the error only: an invalid layout always fails the check. */
        memapi_status invalid = memapi_layout_check(layout.size, layout.align, err);
        (void)invalid;
        return NULL;
    }
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
/*@ requires \valid_read(b) && memapi_bump_fields(b);
    requires \valid(off_out) && \separated(off_out, b);
    assigns *off_out;
    behavior in_use:
      assumes memapi_bump_in_use(b, (uintptr_t)ptr);
      assigns *off_out;
      ensures \result == 1;
      ensures *off_out == (uintptr_t)ptr - b->addr && *off_out < b->off;
    behavior not_in_use:
      assumes !memapi_bump_in_use(b, (uintptr_t)ptr);
      assigns \nothing;
      ensures \result == 0;
    complete behaviors;
    disjoint behaviors;
*/
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
/*@ requires \valid_read(b) && memapi_bump_fields(b);
    requires memapi_valid_layout(layout) && o <= b->off;
    assigns \nothing;
    behavior recent:
      assumes memapi_bump_is_recent(b, o, layout);
      ensures \result == 1;
    behavior not_recent:
      assumes !memapi_bump_is_recent(b, o, layout);
      ensures \result == 0;
    complete behaviors;
    disjoint behaviors;
*/
static bool is_recent(const memapi_bump *b, size_t o, memapi_layout layout)
{
    return o == b->last + pad_at(b, b->last, layout.align) && layout.size == b->off - o;
}

/*@ requires memapi_bump_inv(b);
    requires err == \null || \valid(err);
    requires \separated(err, b);
    assigns b->off, b->last, b->peak, *err;
    behavior invalid_layout:
      assumes !memapi_valid_layout(layout);
      assigns *err;
      ensures memapi_bump_inv(b);
      ensures memapi_bump_same_buffer{Pre, Post}(b);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, layout.size, layout.align);
    behavior zero_size_or_dangling:
      assumes memapi_valid_layout(layout) && (layout.size == 0 || ptr == (void *)(uintptr_t)layout.align);
      assigns \nothing;
      ensures memapi_bump_inv(b);
      ensures memapi_bump_same_buffer{Pre, Post}(b);
      ensures \result == MEMAPI_OK;
    behavior not_owned:
      assumes memapi_valid_layout(layout) && layout.size > 0 && ptr != (void *)(uintptr_t)layout.align;
      assumes !memapi_bump_in_use(b, (uintptr_t)ptr);
      assigns *err;
      ensures memapi_bump_inv(b);
      ensures memapi_bump_same_buffer{Pre, Post}(b);
      ensures \result == MEMAPI_ERROR;
      ensures memapi_bump_unchanged{Pre, Post}(b);
      ensures err != \null ==> memapi_bump_err_ptr(err, ptr, (char *)not_owned);
    behavior most_recent:
      assumes memapi_valid_layout(layout) && layout.size > 0 && ptr != (void *)(uintptr_t)layout.align;
      assumes memapi_bump_in_use(b, (uintptr_t)ptr);
      assumes memapi_bump_is_recent(b, (uintptr_t)ptr - b->addr, layout);
      assigns b->off, b->last, b->peak;
      ensures memapi_bump_inv(b);
      ensures memapi_bump_same_buffer{Pre, Post}(b);
      ensures \result == MEMAPI_OK;
      ensures b->off == \old(b->last) && b->last == \old(b->last);
      ensures b->peak == \old(memapi_bump_peak_of(b));
    behavior other_block:
      assumes memapi_valid_layout(layout) && layout.size > 0 && ptr != (void *)(uintptr_t)layout.align;
      assumes memapi_bump_in_use(b, (uintptr_t)ptr);
      assumes !memapi_bump_is_recent(b, (uintptr_t)ptr - b->addr, layout);
      assigns \nothing;
      ensures memapi_bump_inv(b);
      ensures memapi_bump_same_buffer{Pre, Post}(b);
      ensures \result == MEMAPI_OK;
    complete behaviors;
    disjoint behaviors;
*/
memapi_status memapi_bump_try_dealloc(memapi_bump *b, void *ptr, memapi_layout layout, memapi_error *err)
{
    if (!memapi_layout_is_valid(layout))
        return memapi_layout_check(layout.size, layout.align, err);
    if (layout.size == 0 || ptr == memapi_layout_dangling(layout))
        return MEMAPI_OK;
    size_t o = 0;
    if (!in_use(b, ptr, &o))
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, ptr, not_owned);
    if (is_recent(b, o, layout))
        give_back(b, b->last);
    return MEMAPI_OK;
}

/*@ requires memapi_bump_inv(b);
    requires err == \null || \valid(err);
    requires \separated(err, b);
    assigns b->off, b->last, b->peak, *err;
    ensures memapi_bump_inv(b);
    ensures memapi_bump_same_buffer{Pre, Post}(b);
    behavior beyond_offset:
      assumes mark > b->off;
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures memapi_bump_unchanged{Pre, Post}(b);
      ensures err != \null ==> memapi_err_other(err, (char *)bad_mark);
    behavior ok:
      assumes mark <= b->off;
      assigns b->off, b->last, b->peak;
      ensures \result == MEMAPI_OK;
      ensures b->off == mark && b->last == mark;
      ensures b->peak == \old(memapi_bump_peak_of(b));
    complete behaviors;
    disjoint behaviors;
*/
memapi_status memapi_bump_rewind(memapi_bump *b, size_t mark, memapi_error *err)
{
    if (mark > b->off)
        return memapi__fail_other(err, bad_mark);
    give_back(b, mark);
    b->last = mark;
    return MEMAPI_OK;
}

/*@ requires memapi_bump_inv(b);
    assigns b->off, b->last, b->peak;
    ensures memapi_bump_inv(b);
    ensures memapi_bump_same_buffer{Pre, Post}(b);
    ensures b->off == 0 && b->last == 0;
    ensures b->peak == \old(memapi_bump_peak_of(b));
*/
void memapi_bump_reset(memapi_bump *b)
{
    give_back(b, 0);
    b->last = 0;
}

/*@ requires memapi_bump_inv(b);
    assigns b->cap, b->off, b->last, b->peak;
    ensures memapi_bump_inv(b);
    ensures b->base == \old(b->base) && b->addr == \old(b->addr);
    ensures b->cap == 0 && b->off == 0 && b->last == 0 && b->peak == 0;
*/
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

/*@ requires memapi_bump_inv_read(b);
    requires err == \null || \valid(err);
    requires \separated(err, b);
    assigns *err;
    behavior invalid_layout:
      assumes !memapi_valid_layout(layout);
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, layout.size, layout.align);
    behavior dangling:
      assumes memapi_valid_layout(layout) && layout.size == 0 && ptr == (void *)(uintptr_t)layout.align;
      assigns \nothing;
      ensures \result == MEMAPI_OK;
    behavior owned:
      assumes memapi_valid_layout(layout) && !(layout.size == 0 && ptr == (void *)(uintptr_t)layout.align);
      assumes memapi_bump_in_use(b, (uintptr_t)ptr) && (uintptr_t)ptr % layout.align == 0 &&
              layout.size <= b->off - ((uintptr_t)ptr - b->addr);
      assigns \nothing;
      ensures \result == MEMAPI_OK;
    behavior not_owned:
      assumes memapi_valid_layout(layout) && !(layout.size == 0 && ptr == (void *)(uintptr_t)layout.align);
      assumes !(memapi_bump_in_use(b, (uintptr_t)ptr) && (uintptr_t)ptr % layout.align == 0 &&
                layout.size <= b->off - ((uintptr_t)ptr - b->addr));
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_bump_err_ptr(err, (void *)ptr, (char *)not_owned);
    complete behaviors;
    disjoint behaviors;
*/
memapi_status memapi_bump_owns(const memapi_bump *b, const void *ptr, memapi_layout layout, memapi_error *err)
{
    if (!memapi_layout_is_valid(layout))
        return memapi_layout_check(layout.size, layout.align, err);
    if (layout.size == 0 && ptr == memapi_layout_dangling(layout))
        return MEMAPI_OK;
    size_t o = 0;
    if (!in_use(b, ptr, &o) || (b->addr + o) % layout.align != 0 || layout.size > b->off - o)
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, ptr, not_owned);
    return MEMAPI_OK;
}

/* The most recent block, at offset o, resized in place (bump_resize has checked that it may be). */
/*@ requires memapi_bump_inv(b);
    requires memapi_valid_layout(old_l) && memapi_valid_layout(new_l);
    requires new_l.size > 0 && o < b->off && memapi_bump_is_recent(b, o, old_l) && (b->addr + o) % new_l.align == 0;
    requires err == \null || \valid(err);
    requires \separated(err, b) && \separated(err, b->base + (0 .. b->cap - 1));
    assigns b->off, b->last, b->peak, *err, b->base[o + old_l.size .. \min(o + new_l.size, b->cap) - 1];
    behavior out_of_memory:
      assumes new_l.size > b->cap - o;
      assigns *err;
      ensures memapi_bump_inv(b);
      ensures memapi_bump_same_buffer{Pre, Post}(b);
      ensures \result == \null;
      ensures memapi_bump_unchanged{Pre, Post}(b);
      ensures err != \null ==> memapi_bump_err_oom(err, new_l);
    behavior ok:
      assumes new_l.size <= b->cap - o;
      assigns b->off, b->last, b->peak, b->base[o + old_l.size .. o + new_l.size - 1];
      ensures memapi_bump_inv(b);
      ensures memapi_bump_same_buffer{Pre, Post}(b);
      ensures \result == b->base + o;
      ensures memapi_bump_block(b, (char *)\result, o, new_l.size, new_l.align);
      ensures \old(b->last) <= o;
      ensures b->off == o + new_l.size && b->last == \old(b->last);
      ensures b->peak == (b->off < \old(b->off) ? \old(memapi_bump_peak_of(b)) : \old(b->peak));
      ensures zero && new_l.size > old_l.size ==>
              memapi_zero_bytes((char *)\result, old_l.size, new_l.size);
    complete behaviors;
    disjoint behaviors;
*/
static void *resize_in_place(memapi_bump *b, size_t o, memapi_layout old_l, memapi_layout new_l, bool zero,
                             memapi_error *err)
{
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
        memapi__zero_range(b->base + o, old_l.size, new_l.size);
    return b->base + o;
}

/*
 * The most recent block is resized in place when its address suits the new alignment; a block
 * that no longer fits after it is out of memory (moving it would need even more space). Every other
 * case is the library default on this arena, whose free of the old block is then a no-op.
 */
/*@ // bump_resize falls back to memapi_default_resize (src/resize.c) on the arena as an allocator:
    // not in place, i.e. not the most recent block, a new alignment its address does not have, a
    // new size of 0, or an old block of size 0 / the dangling pointer.
    predicate fallback{L}(memapi_bump *b, void *ptr, memapi_layout old_l, memapi_layout new_l) =
      !(old_l.size > 0 && ptr != (void *)(uintptr_t)old_l.align) ||
      (memapi_bump_in_use(b, (uintptr_t)ptr) &&
       !(new_l.size > 0 && memapi_bump_is_recent(b, (uintptr_t)ptr - b->addr, old_l) &&
         (uintptr_t)ptr % new_l.align == 0));
    // What memapi_default_resize requires, in the abstract heap of the allocator interface
    // (memapi2/alloc_acsl.h), and that the blocks it writes are not the arena's header.
    predicate fallback_pre{L}(memapi_bump *b, void *ptr, memapi_layout old_l, memapi_layout new_l,
                              memapi_error *err) =
      memapi_owned(memapi_proof_heap, (char *)ptr, old_l.size) && \valid((char *)ptr + (0 .. old_l.size - 1)) &&
      (err == \null || \separated(err, (char *)ptr + (0 .. old_l.size - 1))) &&
      \separated(b, (char *)ptr + (0 .. old_l.size - 1)) &&
      \separated(b, memapi_proof_next(memapi_proof_heap, new_l) + (0 .. new_l.size - 1));
*/

/*
 * What the default resize on the arena ensures (bump_fallback, and bump_resize's fallback): the
 * arena as it was; on failure every live block stays live and the old block is intact; on success
 * the fresh block (the state's next one) holds the old bytes and the old block is freed.
 */
#define BUMP_FALLBACK_RESULT \
    ensures memapi_bump_inv(b); \
    ensures memapi_bump_same_buffer{Pre, Post}(b); \
    ensures \result == \null ==> memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap) && \
            memapi_same_bytes{Old, Here}((char *)ptr, old_l.size); \
    ensures \result != \null ==> (char *)\result == memapi_proof_next(\old(memapi_proof_heap), new_l); \
    ensures \result != \null ==> \
            memapi_resized{Old, Here}(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, old_l, \
                                      (char *)\result, new_l, zero); \
    ensures \result != \null ==> memapi_freed(\old(memapi_proof_heap), memapi_proof_heap, (char *)ptr, \
                                              old_l.size);

/* A block that cannot change in place: memapi_default_resize on the arena. */
/*@ requires memapi_bump_inv(b);
    requires memapi_valid_layout(old_l) && memapi_valid_layout(new_l);
    requires err == \null || \valid(err);
    requires \separated(err, b) && \separated(err, b->base + (0 .. b->cap - 1));
    requires fallback_pre(b, ptr, old_l, new_l, err);
    assigns *err, memapi_proof_heap, ((char *)ptr)[0 .. old_l.size - 1],
            memapi_proof_next(memapi_proof_heap, new_l)[0 .. new_l.size - 1];
    BUMP_FALLBACK_RESULT
*/
static void *bump_fallback(memapi_bump *b, void *ptr, memapi_layout old_l, memapi_layout new_l, bool zero,
                           memapi_error *err)
{
    return memapi_default_resize(memapi_bump_allocator(b), ptr, old_l, new_l, zero, err);
}

/*@ requires memapi_bump_inv(b);
    requires memapi_valid_layout(old_l) && memapi_valid_layout(new_l);
    requires err == \null || \valid(err);
    requires \separated(err, b) && \separated(err, b->base + (0 .. b->cap - 1));
    requires fallback(b, ptr, old_l, new_l) ==> fallback_pre(b, ptr, old_l, new_l, err);
    assigns b->off, b->last, b->peak, *err, b->base[0 .. b->cap - 1],
            memapi_proof_heap, ((char *)ptr)[0 .. old_l.size - 1],
            memapi_proof_next(memapi_proof_heap, new_l)[0 .. new_l.size - 1];
    behavior not_owned:
      assumes old_l.size > 0 && ptr != (void *)(uintptr_t)old_l.align;
      assumes !memapi_bump_in_use(b, (uintptr_t)ptr);
      assigns *err;
      ensures memapi_bump_inv(b);
      ensures memapi_bump_same_buffer{Pre, Post}(b);
      ensures \result == \null;
      ensures memapi_bump_unchanged{Pre, Post}(b);
      ensures err != \null ==> memapi_bump_err_ptr(err, ptr, (char *)not_owned);
    behavior in_place_out_of_memory:
      assumes old_l.size > 0 && ptr != (void *)(uintptr_t)old_l.align;
      assumes memapi_bump_in_use(b, (uintptr_t)ptr) && new_l.size > 0 &&
              memapi_bump_is_recent(b, (uintptr_t)ptr - b->addr, old_l) && (uintptr_t)ptr % new_l.align == 0;
      assumes new_l.size > b->cap - ((uintptr_t)ptr - b->addr);
      ensures memapi_bump_inv(b);
      ensures memapi_bump_same_buffer{Pre, Post}(b);
      ensures \result == \null;
      ensures memapi_bump_unchanged{Pre, Post}(b);
      ensures err != \null ==> memapi_bump_err_oom(err, new_l);
    behavior in_place:
      assumes old_l.size > 0 && ptr != (void *)(uintptr_t)old_l.align;
      assumes memapi_bump_in_use(b, (uintptr_t)ptr) && new_l.size > 0 &&
              memapi_bump_is_recent(b, (uintptr_t)ptr - b->addr, old_l) && (uintptr_t)ptr % new_l.align == 0;
      assumes new_l.size <= b->cap - ((uintptr_t)ptr - b->addr);
      ensures memapi_bump_inv(b);
      ensures memapi_bump_same_buffer{Pre, Post}(b);
      ensures \result == b->base + \old((uintptr_t)ptr - b->addr);
      ensures memapi_bump_block(b, (char *)\result, \old((uintptr_t)ptr - b->addr), new_l.size, new_l.align);
      ensures \old(b->last) <= \old((uintptr_t)ptr - b->addr);
      ensures b->off == \old((uintptr_t)ptr - b->addr) + new_l.size && b->last == \old(b->last);
      ensures b->peak == (b->off < \old(b->off) ? \old(memapi_bump_peak_of(b)) : \old(b->peak));
      ensures zero && new_l.size > old_l.size ==>
              memapi_zero_bytes((char *)\result, old_l.size, new_l.size);
    behavior fallback:
      assumes fallback(b, ptr, old_l, new_l);
      assigns *err, memapi_proof_heap, ((char *)ptr)[0 .. old_l.size - 1],
              memapi_proof_next(memapi_proof_heap, new_l)[0 .. new_l.size - 1];
      BUMP_FALLBACK_RESULT
    complete behaviors;
    disjoint behaviors;
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
        if (new_l.size > 0 && is_recent(b, o, old_l) && (b->addr + o) % new_l.align == 0)
            return resize_in_place(b, o, old_l, new_l, zero, err);
    }
    return bump_fallback(b, ptr, old_l, new_l, zero, err);
}

/*
 * The vtable entries: one-line thunks from the allocator's `void *self` to the arena, each with the
 * contract of the proved function it calls, on `(memapi_bump *)self`. All are proved
 * under WP's Typed+cast memory model (PROVE_CAST in mk/prove.mk), which accepts the `void *` ->
 * `memapi_bump *` cast: what it assumes, that `self` points to the arena, is the allocator value's
 * own invariant (memapi_bump_allocator builds it; proofs/README.md, "Trusted base").
 */
/*
 * Through the interface the alignment is not a constant, and the padding's `% align` would be two
 * divisions. The alignment of a valid layout is a power of two: the thunk passes it written as
 * `1 << ctz(align)`, a form for which the compiler turns the modulo into a mask; the arena's
 * function is the proved one, on an equal layout. (A switch with one constant alignment per case
 * costs fewer instructions but more time: the jump table's indirect branch and a stalled reload
 * of the layout.)
 */
#if SIZE_MAX == UINT_MAX
#define BUMP_CTZ(x) __builtin_ctz(x)
#elif SIZE_MAX == ULONG_MAX
#define BUMP_CTZ(x) __builtin_ctzl(x)
#else
#define BUMP_CTZ(x) __builtin_ctzll(x)
#endif
/*@ requires memapi_bump_inv((memapi_bump *)self);
    requires memapi_valid_layout(l);
    requires err == \null || (\valid(err) && \separated(err, (memapi_bump *)self));
    assigns ((memapi_bump *)self)->off, ((memapi_bump *)self)->last, *err;
    ensures memapi_bump_inv((memapi_bump *)self); */
static void *vt_alloc(void *self, memapi_layout l, memapi_error *err)
{
    /* The entry's layout is valid (the entry contract: the dispatch validated it), so it is not
       tested again: the arena's fast path for a valid layout, on the same layout. */
    const int k = BUMP_CTZ(l.align);
    /*@ assert (1 << k) == l.align; */
    const memapi_layout same = {.size = l.size, .align = (size_t)1 << k};
    return memapi__bump_alloc_valid((memapi_bump *)self, same, err);
}

/*@ requires memapi_bump_inv((memapi_bump *)self);
    requires err == \null || (\valid(err) && \separated(err, (memapi_bump *)self) &&
              \separated(err, ((memapi_bump *)self)->base +
                               (((memapi_bump *)self)->off .. ((memapi_bump *)self)->cap - 1)));
    assigns ((memapi_bump *)self)->off, ((memapi_bump *)self)->last, *err,
            ((memapi_bump *)self)->base[((memapi_bump *)self)->off .. ((memapi_bump *)self)->cap - 1];
    ensures memapi_bump_inv((memapi_bump *)self); */
static void *vt_zalloc(void *self, memapi_layout l, memapi_error *err)
{
    return memapi_bump_zalloc((memapi_bump *)self, l, err);
}

/*@ requires memapi_bump_inv((memapi_bump *)self);
    requires err == \null || (\valid(err) && \separated(err, (memapi_bump *)self));
    assigns ((memapi_bump *)self)->off, ((memapi_bump *)self)->last, ((memapi_bump *)self)->peak, *err;
    ensures memapi_bump_inv((memapi_bump *)self); */
static memapi_status vt_try_dealloc(void *self, void *ptr, memapi_layout l, memapi_error *err)
{
    return memapi_bump_try_dealloc((memapi_bump *)self, ptr, l, err);
}

/* The contract of the resize thunks (vt_resize, vt_zresize): bump_resize's, on the arena. */
#define VT_RESIZE_CONTRACT \
    requires memapi_bump_inv((memapi_bump *)self); \
    requires memapi_valid_layout(old_l) && memapi_valid_layout(new_l); \
    requires err == \null || \valid(err); \
    requires \separated(err, (memapi_bump *)self) && \
             \separated(err, ((memapi_bump *)self)->base + (0 .. ((memapi_bump *)self)->cap - 1)); \
    requires fallback((memapi_bump *)self, ptr, old_l, new_l) ==> \
             fallback_pre((memapi_bump *)self, ptr, old_l, new_l, err); \
    assigns ((memapi_bump *)self)->off, ((memapi_bump *)self)->last, ((memapi_bump *)self)->peak, *err, \
            ((memapi_bump *)self)->base[0 .. ((memapi_bump *)self)->cap - 1], \
            memapi_proof_heap, ((char *)ptr)[0 .. old_l.size - 1], \
            memapi_proof_next(memapi_proof_heap, new_l)[0 .. new_l.size - 1]; \
    ensures memapi_bump_inv((memapi_bump *)self);

/*@ VT_RESIZE_CONTRACT */
static void *vt_resize(void *self, void *ptr, memapi_layout old_l, memapi_layout new_l, memapi_error *err)
{
    return bump_resize((memapi_bump *)self, ptr, old_l, new_l, false, err);
}

/*@ VT_RESIZE_CONTRACT */
static void *vt_zresize(void *self, void *ptr, memapi_layout old_l, memapi_layout new_l, memapi_error *err)
{
    return bump_resize((memapi_bump *)self, ptr, old_l, new_l, true, err);
}

/*@ requires memapi_bump_inv_read((memapi_bump *)self);
    requires err == \null || (\valid(err) && \separated(err, (memapi_bump *)self));
    assigns *err; */
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
