/*
 * The malloc-compatible front end (include/memapi2/cmalloc.h): C's allocation functions over any
 * memapi allocator, the layout kept in a header before the block.
 *
 * Partly proved with Frama-C WP (proofs/README.md, "The malloc front end cmalloc"): the allocating
 * half, each function against the contract above it, over the dispatch's contracts
 * (alloc_acsl.h); the free side (block_layout and its callers) is not proved yet and WP does not
 * see it (#ifndef __FRAMAC__; its contracts are stated, unchecked). The header is written as the
 * struct it is under Frama-C (HEADER_COPY): WP's typed memory model cannot read a size_t back from
 * the bytes memcpy wrote, and the struct assignment copies the same 16 bytes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "memapi2/cmalloc.h"
#include "memapi2/arith.h"
#include "internal/error_set.h"

static const char no_header[] = "no memapi_cmalloc header before the pointer";

/* The two words right before the returned pointer. */
typedef struct header {
    size_t size; /* the requested size */
    size_t tag;  /* check value (high bits) | log2(alignment) (low 8 bits) */
} header;

_Static_assert(sizeof(header) <= MEMAPI_CMALLOC_HEADER, "the header fits in front of a malloc block");

/* The header of the block at user (a block of this front end is at least sizeof(header) bytes into
   its allocation: H >= MEMAPI_MIN_ALIGN >= sizeof(header)). */
#define HEADER_OF(user) ((header *)((char *)(user) - sizeof(header)))
#ifdef __FRAMAC__
#define HEADER_COPY(dst, src) (*(dst) = *(src))
#else
#define HEADER_COPY(dst, src) (void)memcpy((dst), (src), sizeof(header))
#endif

#ifdef __FRAMAC__
/* The layout the contracts write {size, align} from (CM_LAY): ACSL has no struct literal. A C
   global rather than an axiomatic constant, so that the proof keys of the functions that use
   memapi_layout do not name it (proofs/README.md, "How a run works"). */
static const memapi_layout cm_lay0;
#endif
/* The layout the front end asks the allocator for: {H + size, A}. */
#define CM_LAY(size, align) cm_lay(cm_lay0, (size), (align))

/*@
  // tag_of's value, as the code computes it, each step's value as C keeps it (modulo 2^64): the
  // products (__builtin_umulll_overflow), the two xor-shift steps, the low byte replaced by shift.
  logic integer cm_mul(integer a, integer k) = (unsigned long long)(a * k);
  logic integer cm_xs(integer x, integer n) = (unsigned long long)(x ^ (x >> n));
  logic integer cm_x0(integer u, integer size, integer shift) =
    (unsigned long long)((unsigned long long)(u ^ cm_mul(size, 0x9E3779B97F4A7C15)) ^ cm_mul(shift, 0xD6E8FEB86659FD93));
  logic integer cm_tag(integer u, integer size, integer shift) =
    (size_t)cm_xs(cm_mul(cm_xs(cm_x0(u, size, shift), 31), 0xBF58476D1CE4E5B9), 29) / 256 * 256 + shift;

  // The header words of the block at u, and what they say: the size, log2 of the alignment, the alignment.
  logic header *cm_hdr(char *u) = (header *)(u - sizeof(header));
  logic integer cm_size{L}(char *u) = cm_hdr(u)->size;
  logic integer cm_shift{L}(char *u) = cm_hdr(u)->tag % 256;
  logic integer cm_align{L}(char *u) = 1 << cm_shift(u);

  // The header passes block_layout's tag check: the tag is the one finish_block computes.
  predicate cm_tag_ok{L}(char *u) =
    cm_shift(u) < 64 && cm_align(u) >= MEMAPI_MIN_ALIGN && cm_hdr(u)->tag == cm_tag((uintptr_t)u, cm_size(u), cm_shift(u));
  // ... and every other check of block_layout: the header gives a block the front end can have made.
  predicate cm_header_ok{L}(char *u) =
    cm_tag_ok(u) && cm_size(u) <= SIZE_MAX - cm_align(u) && memapi_valid_sa(cm_align(u) + cm_size(u), cm_align(u)) &&
    (uintptr_t)u >= cm_align(u);

  // The layout {size, align} (both fields set, whatever the layout b it is written from).
  logic memapi_layout cm_lay(memapi_layout b, integer size, integer align) =
    {b \with .size = (size_t)size, .align = (size_t)align};
  // The base of the block at u, and its whole (header included).
  logic char *cm_base{L}(char *u) = u - cm_align(u);

  // What a caller hands free, realloc, usable_size: NULL or a pointer aligned to MEMAPI_MIN_ALIGN
  // with a readable header (a misaligned one is rejected unread). Where the header passes every
  // check, the tag computed included (cmalloc.h: no defence against a forged header or a collision
  // of the tag), the block it describes is live and outside *err.
  predicate cm_block_ok{L}(char *u, memapi_error *err) =
    u != \null && !memapi_misaligned(u, MEMAPI_MIN_ALIGN) ==>
      \valid_read(cm_hdr(u)) &&
      (cm_header_ok(u) ==> memapi_block_ok(cm_base(u), cm_align(u) + cm_size(u), cm_align(u) + cm_size(u), err));

  // The header finish_block stored at u: the size, and the alignment's log2 in the tag it computed.
  predicate cm_stored{L}(char *u, integer size, integer align) =
    \valid(cm_hdr(u)) && cm_size(u) == size && cm_shift(u) < 64 && cm_align(u) == align &&
    cm_hdr(u)->tag == cm_tag((uintptr_t)u, size, cm_shift(u));

  // A fresh block of the front end: the allocator's next block for {A + size, A} (memapi_new_block),
  // the user's size bytes after the A-byte header, the header stored.
  predicate cm_new_block{L}(integer h0, integer h1, char *u, integer size, integer align, memapi_error *err) =
    memapi_new_block(h0, h1, u - align, CM_LAY(align + size, align), err) &&
    \valid(u + (0 .. size - 1)) && cm_stored(u, size, align);

  // max(alignment, MEMAPI_MIN_ALIGN): the alignment the front end asks for.
  logic integer cm_a(integer alignment) = alignment > MEMAPI_MIN_ALIGN ? alignment : MEMAPI_MIN_ALIGN;

  // memapi_cmalloc_is_oom, memapi_cmalloc_is_misuse.
  predicate cm_oom{L}(memapi_error *e) =
    e != \null && (e->kind == MEMAPI_E_ALLOC_FAILED || e->kind == MEMAPI_E_ARITH ||
                   (e->kind == MEMAPI_E_LAYOUT &&
                    (e->layout_err.kind == MEMAPI_LE_EXCEEDS_MAX || e->layout_err.kind == MEMAPI_LE_ARITH)));
  predicate cm_misuse{L}(memapi_error *e) =
    e != \null && (e->kind == MEMAPI_E_INVALID_POINTER || e->kind == MEMAPI_E_LAYOUT_MISMATCH ||
                   e->kind == MEMAPI_E_CORRUPTION);
*/

/* A fixed mix of the pointer, the size and the alignment's log2 (all three: an overwritten log2 must
 * change the check value too): catches an overwritten header or a foreign pointer, not a forged
 * one (cmalloc.h). The products are taken modulo 2^64 (the builtin's result; its overflow flag is
 * not wanted), the low 8 bits of the result hold the log2. */
/*@ requires shift < 256;
    assigns \nothing;
    ensures \result == cm_tag((uintptr_t)user, size, shift);
    ensures \result % 256 == shift;
*/
static size_t tag_of(const void *user, size_t size, unsigned shift)
{
    unsigned long long ms, mh, x;
    (void)__builtin_umulll_overflow((unsigned long long)size, 0x9E3779B97F4A7C15u, &ms);
    (void)__builtin_umulll_overflow((unsigned long long)shift, 0xD6E8FEB86659FD93u, &mh);
    x = (unsigned long long)(uintptr_t)user ^ ms ^ mh;
    //@ assert x == cm_x0((uintptr_t)user, size, shift);
    x ^= x >> 31;
    //@ assert x == cm_xs(cm_x0((uintptr_t)user, size, shift), 31);
    (void)__builtin_umulll_overflow(x, 0xBF58476D1CE4E5B9u, &x);
    x ^= x >> 29;
    //@ assert x == cm_xs(cm_mul(cm_xs(cm_x0((uintptr_t)user, size, shift), 31), 0xBF58476D1CE4E5B9), 29);
    return (size_t)x / 256 * 256 + shift;
}

/*@ requires memapi_pow2(pow2);
    assigns \nothing;
    ensures \result < 64 && (1 << \result) == pow2;
*/
static unsigned log2_of(size_t pow2)
{
    return (unsigned)__builtin_ctzl(pow2);
}

/*@ requires memapi_valid_layout(l) && l.align >= MEMAPI_MIN_ALIGN && size == l.size - l.align;
    requires \valid((char *)base + (0 .. l.size - 1));
    assigns *cm_hdr((char *)base + l.align);
    ensures \result == (char *)base + l.align;
    ensures cm_stored((char *)\result, size, l.align);
    ensures \forall integer i; 0 <= i < size ==> ((char *)\result)[i] == \old(((char *)base)[l.align + i]);
*/
static void *finish_block(void *base, memapi_layout l, size_t size)
{
    /* The header is H = l.align bytes: the user block starts at base + H. */
    char *user = (char *)base + l.align;
    header h = {size, tag_of(user, size, log2_of(l.align))};
    HEADER_COPY(HEADER_OF(user), &h);
    return user;
}

#ifndef __FRAMAC__
/* Not proved yet (proofs/README.md, "The malloc front end cmalloc"): the reading of a header and
   every function that frees or resizes through it. The contracts are stated, WP does not see them. */
static const char misaligned[] = "pointer not aligned to its layout";

/* The alignment test of block_layout, out of block_layout's proof: the contracts write it as
   memapi_misaligned (alloc_acsl.h), which WP's Typed model relates to this code (as for the
   dispatch's check_block, with the alignment a variable: with the constant 16 written in, CVC4
   answered unknown) and its Typed+cast model, in which block_layout is proved, does not (the
   provers do not unfold the predicate against the code's bit test there). Inlined: the same
   instructions. */
/*@ requires align != 0;
    assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures \result == 1 <==> memapi_misaligned(p, align);
*/
static inline bool misaligned_to(const void *p, size_t align)
{
    return ((uintptr_t)p & (align - 1)) != 0;
}

/* block_layout's rejection of a header: INVALID_POINTER at user with no_header. */
/*@ requires err == \null || \valid(err);
    assigns *err;
    ensures \result == MEMAPI_ERROR;
    ensures err != \null ==> err->kind == MEMAPI_E_INVALID_POINTER && err->ptr == user && err->msg == no_header &&
                             memapi_text((char *)err->msg) &&
                             memapi_zero_layout(err->layout) && memapi_zero_layout(err->recorded);
*/
static memapi_status fail_no_header(const void *user, memapi_error *err)
{
    /*@ assert \forall integer j; 0 <= j < 43 ==> no_header[j] != '\0'; */
    /*@ assert no_header[43] == '\0'; */
    /*@ assert strlen((char *)no_header) == 43; */
    return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, user, no_header);
}

/* block_layout's rejection of a misaligned pointer: INVALID_POINTER at user with misaligned. */
/*@ requires err == \null || \valid(err);
    assigns *err;
    ensures \result == MEMAPI_ERROR;
    ensures err != \null ==> err->kind == MEMAPI_E_INVALID_POINTER && err->ptr == user && err->msg == misaligned &&
                             memapi_text((char *)err->msg) &&
                             memapi_zero_layout(err->layout) && memapi_zero_layout(err->recorded);
*/
static memapi_status fail_misaligned(const void *user, memapi_error *err)
{
    /*@ assert \forall integer j; 0 <= j < 33 ==> misaligned[j] != '\0'; */
    /*@ assert misaligned[33] == '\0'; */
    /*@ assert strlen((char *)misaligned) == 33; */
    return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, user, misaligned);
}

/* The layout of a live block from its header; the block's base in *base. The outputs are the
   caller's, apart from the header and *err. */
/*@ requires \valid(l) && \valid(base) && \valid(size);
    requires err == \null || \valid(err);
    requires \separated(l, base, size);
    requires err != \null ==> \separated(err, l, base, size);
    requires user != \null ==> \object_pointer((char *)user);
    requires !memapi_misaligned((char *)user, MEMAPI_MIN_ALIGN) ==>
             \object_pointer((char *)user - sizeof(header)) && \valid_read(cm_hdr((char *)user)) &&
             \separated(cm_hdr((char *)user), l, base, size) && (err == \null || \separated(err, cm_hdr((char *)user)));
    requires !memapi_misaligned((char *)user, MEMAPI_MIN_ALIGN) && cm_header_ok((char *)user) ==>
             \object_pointer(cm_base((char *)user));
    assigns *l, *base, *size, *err;
    behavior misaligned:
      assumes memapi_misaligned((char *)user, MEMAPI_MIN_ALIGN);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> err->kind == MEMAPI_E_INVALID_POINTER && err->ptr == user && err->msg == misaligned &&
                               memapi_text((char *)err->msg) &&
                               memapi_zero_layout(err->layout) && memapi_zero_layout(err->recorded);
    behavior no_header:
      assumes !memapi_misaligned((char *)user, MEMAPI_MIN_ALIGN) && !cm_header_ok((char *)user);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> err->kind == MEMAPI_E_INVALID_POINTER && err->ptr == user && err->msg == no_header &&
                               memapi_text((char *)err->msg) &&
                               memapi_zero_layout(err->layout) && memapi_zero_layout(err->recorded);
    behavior header_ok:
      assumes !memapi_misaligned((char *)user, MEMAPI_MIN_ALIGN) && cm_header_ok((char *)user);
      assigns *l, *base, *size;
      ensures \result == MEMAPI_OK;
      ensures l->size == \old(cm_align((char *)user) + cm_size((char *)user)) && l->align == \old(cm_align((char *)user));
      ensures memapi_valid_layout(*l) && l->align >= MEMAPI_MIN_ALIGN;
      ensures *base == \old(cm_base((char *)user)) && *size == \old(cm_size((char *)user));
    complete behaviors;
    disjoint behaviors;
*/
static memapi_status block_layout(const void *user, memapi_layout *l, void **base, size_t *size, memapi_error *err)
{
    if (misaligned_to(user, MEMAPI_MIN_ALIGN))
        return fail_misaligned(user, err);
    header h;
    HEADER_COPY(&h, HEADER_OF(user));
    unsigned shift = (unsigned)(h.tag % 256u);
    //@ assert shift < 64 ==> (size_t)(1 << shift) == (1 << shift);
    if (shift >= sizeof(size_t) * 8 || ((size_t)1 << shift) < MEMAPI_MIN_ALIGN || h.tag != tag_of(user, h.size, shift))
        return fail_no_header(user, err);
    size_t align = (size_t)1 << shift;
    /* The tag matched: the pair was valid when it was written (a forgery is the allocator's to catch).
       The sum is formed once it cannot wrap. */
    if (h.size > SIZE_MAX - align)
        return fail_no_header(user, err);
    memapi_layout whole = {align + h.size, align};
    if (!memapi_layout_is_valid(whole) || (uintptr_t)user < align)
        return fail_no_header(user, err);
    //@ assert align == \at(cm_align((char *)user), Pre) && h.size == \at(cm_size((char *)user), Pre);
    //@ assert \at(cm_header_ok((char *)user), Pre);
    l->size = align + h.size;
    l->align = align;
    *base = (char *)user - align;
    *size = h.size;
    return MEMAPI_OK;
}
#endif /* __FRAMAC__ */

/*@ requires \valid(out);
    requires err == \null || (\valid(err) && \separated(out, err));
    assigns *out, *err;
    behavior non_pow2:
      assumes alignment != 0 && !memapi_pow2(alignment);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_layout(err, MEMAPI_LE_NON_POW2_ALIGN, 0, alignment, 0);
    behavior overflow:
      assumes alignment == 0 || memapi_pow2(alignment);
      assumes size > SIZE_MAX - cm_a(alignment);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_err_arith(err, cm_a(alignment), MEMAPI_OP_ADD, size);
    behavior exceeds_max:
      assumes alignment == 0 || memapi_pow2(alignment);
      assumes size <= SIZE_MAX - cm_a(alignment);
      assumes !memapi_valid_sa(cm_a(alignment) + size, cm_a(alignment));
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> memapi_check_err(err, cm_a(alignment) + size, cm_a(alignment));
    behavior ok:
      assumes alignment == 0 || memapi_pow2(alignment);
      assumes size <= SIZE_MAX - cm_a(alignment);
      assumes memapi_valid_sa(cm_a(alignment) + size, cm_a(alignment));
      assigns *out;
      ensures \result == MEMAPI_OK;
      ensures out->size == cm_a(alignment) + size && out->align == cm_a(alignment);
      ensures memapi_valid_layout(*out) && out->align >= MEMAPI_MIN_ALIGN;
    complete behaviors;
    disjoint behaviors;
*/
memapi_status memapi_cmalloc_layout(size_t size, size_t alignment, memapi_layout *out, memapi_error *err)
{
    if (alignment != 0 && !memapi_is_pow2(alignment))
        return memapi__fail_layout(err, MEMAPI_LE_NON_POW2_ALIGN, 0, alignment, 0);
    size_t align = alignment > MEMAPI_MIN_ALIGN ? alignment : MEMAPI_MIN_ALIGN;
    size_t total = 0;
    if (size > SIZE_MAX - align) /* the sum is not formed: the arithmetic error says why */
        return memapi_checked_op(align, MEMAPI_OP_ADD, size, &total, err);
    total = align + size;
    memapi_layout l = {total, align};
    if (!memapi_layout_is_valid(l))
        return memapi_layout_check(total, align, err);
    out->size = total;
    out->align = align;
    return MEMAPI_OK;
}

/*@ requires err == \null || \valid_read(err);
    assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures \result == 1 <==> cm_oom(err);
*/
bool memapi_cmalloc_is_oom(const memapi_error *err)
{
    if (err == NULL)
        return false;
    switch (err->kind) {
    case MEMAPI_E_ALLOC_FAILED:
    case MEMAPI_E_ARITH:
        return true;
    case MEMAPI_E_LAYOUT:
        return err->layout_err.kind == MEMAPI_LE_EXCEEDS_MAX || err->layout_err.kind == MEMAPI_LE_ARITH;
    default:
        return false;
    }
}

/*@ requires err == \null || \valid_read(err);
    assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures \result == 1 <==> cm_misuse(err);
*/
bool memapi_cmalloc_is_misuse(const memapi_error *err)
{
    return err != NULL && (err->kind == MEMAPI_E_INVALID_POINTER || err->kind == MEMAPI_E_LAYOUT_MISMATCH ||
                           err->kind == MEMAPI_E_CORRUPTION);
}

/* errno for a failure: C code sees ENOMEM for what memory could not serve, EINVAL for the rest. */
/*@ requires \valid_read(e);
    assigns \nothing;
    ensures cm_oom(e) ==> \result == ENOMEM;
    ensures !cm_oom(e) ==> \result == EINVAL;
*/
static int errno_for(const memapi_error *e)
{
    return memapi_cmalloc_is_oom(e) ? ENOMEM : EINVAL;
}

/* The caller may pass err == NULL; errno still needs the kind, so a local error stands in. */
/*@ requires \valid_read(local);
    requires err == \null || err == local || (\valid(err) && \separated(err, local));
    assigns *err, __fc_errno;
    ensures \result == \null;
    ensures cm_oom{Old}(local) ==> __fc_errno == ENOMEM;
    ensures !cm_oom{Old}(local) ==> __fc_errno == EINVAL;
    ensures err != \null ==> err->kind == \old(local->kind);
*/
static void *fail_errno(memapi_error *err, const memapi_error *local)
{
    if (err != NULL && err != local)
        *err = *local;
    errno = errno_for(local);
    return NULL;
}

/* Every failure here is one C reports as ENOMEM (cmalloc.h): an unrepresentable size or the
 * allocator's refusal. No local error object, so the success path sets none up. */
/*@ requires memapi_vt_ok(a, err);
    requires err == \null || \valid(err);
    assigns memapi_proof_heap, __fc_errno, *err,
            memapi_proof_next(memapi_proof_heap, CM_LAY(cm_a(alignment) + size, cm_a(alignment)))
              [0 .. cm_a(alignment) + size - 1];
    ensures \result == \null ==> memapi_proof_heap == \old(memapi_proof_heap) && __fc_errno == ENOMEM;
    ensures \result != \null ==> alignment == 0 || memapi_pow2(alignment);
    ensures \result != \null ==> memapi_new_block(\old(memapi_proof_heap), memapi_proof_heap, (char *)\result - cm_a(alignment),
                                                 CM_LAY(cm_a(alignment) + size, cm_a(alignment)), err);
    ensures \result != \null ==> \valid((char *)\result + (0 .. size - 1));
    ensures \result != \null ==> cm_stored((char *)\result, size, cm_a(alignment));
*/
static void *alloc_aligned(memapi_allocator a, size_t size, size_t alignment, bool zero, memapi_error *err)
{
    memapi_layout l;
    void *base = NULL;
    if (memapi_cmalloc_layout(size, alignment, &l, err) == MEMAPI_OK)
        base = zero ? memapi_zalloc(a, l, err) : memapi_alloc(a, l, err);
    if (base == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    //@ assert l.size == cm_a(alignment) + size && l.align == cm_a(alignment) && l == CM_LAY(l.size, l.align);
    //@ assert memapi_new_block(\at(memapi_proof_heap, Pre), memapi_proof_heap, (char *)base, l, err);
    return finish_block(base, l, size);
}

/* malloc, calloc, aligned_alloc and posix_memalign's block: NULL with the heap as it was, or a
   fresh block of the front end (malloc_ok). */
/*@ requires memapi_vt_ok(a, err);
    requires err == \null || \valid(err);
    assigns memapi_proof_heap, __fc_errno, *err,
            memapi_proof_next(memapi_proof_heap, CM_LAY(MEMAPI_MIN_ALIGN + size, MEMAPI_MIN_ALIGN))
              [0 .. MEMAPI_MIN_ALIGN + size - 1];
    ensures \result == \null ==> memapi_proof_heap == \old(memapi_proof_heap) && __fc_errno == ENOMEM;
    ensures \result != \null ==>
            cm_new_block(\old(memapi_proof_heap), memapi_proof_heap, (char *)\result, size, MEMAPI_MIN_ALIGN, err);
*/
void *memapi_cmalloc_malloc(memapi_allocator a, size_t size, memapi_error *err)
{
    return alloc_aligned(a, size, 0, false, err);
}

/*@ requires memapi_vt_ok(a, err);
    requires err == \null || \valid(err);
    assigns memapi_proof_heap, __fc_errno, *err,
            memapi_proof_next(memapi_proof_heap, CM_LAY(MEMAPI_MIN_ALIGN + nmemb * size, MEMAPI_MIN_ALIGN))
              [0 .. MEMAPI_MIN_ALIGN + nmemb * size - 1];
    behavior overflow:
      assumes nmemb * size > SIZE_MAX;
      assigns __fc_errno, *err;
      ensures \result == \null && __fc_errno == ENOMEM;
      ensures err != \null ==> memapi_err_arith(err, nmemb, MEMAPI_OP_MUL, size);
    behavior fits:
      assumes nmemb * size <= SIZE_MAX;
      ensures \result == \null ==> memapi_proof_heap == \old(memapi_proof_heap) && __fc_errno == ENOMEM;
      ensures \result != \null ==>
              cm_new_block(\old(memapi_proof_heap), memapi_proof_heap, (char *)\result, nmemb * size, MEMAPI_MIN_ALIGN, err);
    complete behaviors;
    disjoint behaviors;
*/
void *memapi_cmalloc_calloc(memapi_allocator a, size_t nmemb, size_t size, memapi_error *err)
{
    size_t total;
    if (memapi_checked_op(nmemb, MEMAPI_OP_MUL, size, &total, err) != MEMAPI_OK) {
        errno = ENOMEM;
        return NULL;
    }
    return alloc_aligned(a, total, 0, true, err);
}

#ifndef __FRAMAC__
/* Not proved yet (proofs/README.md, "The malloc front end cmalloc"): the reading of a header and
   every function that frees or resizes through it. The contracts are stated, WP does not see them. */
/* The outcome of freeing the block at u, its header as it was at Old: OK and freed, or ERROR with
   the heap as it was (the block still allocated, cmalloc.h). Not "its bytes as they were": the
   dispatch's contract (MEMAPI_ACSL_TRY_DEALLOC) promises that only when the entry ran and failed,
   not for its own rejections, which may write *err. */
/*@ predicate cm_free_outcome{Old, Here}(char *u, memapi_error *err, integer r) =
      (r == MEMAPI_OK || r == MEMAPI_ERROR) &&
      (r == MEMAPI_OK ==> memapi_freed(\at(memapi_proof_heap, Old), \at(memapi_proof_heap, Here), \at(cm_base(u), Old),
                                       \at(cm_align(u) + cm_size(u), Old))) &&
      (r == MEMAPI_ERROR ==> \at(memapi_proof_heap, Here) == \at(memapi_proof_heap, Old)) &&
      (r == MEMAPI_ERROR && err != \null ==> memapi_err_texts{Here}(err));
*/

/*@ requires memapi_vt_ok(a, err);
    requires err == \null || \valid(err);
    requires cm_block_ok((char *)ptr, err);
    assigns memapi_proof_heap, *err, cm_base((char *)ptr)[0 .. cm_align((char *)ptr) + cm_size((char *)ptr) - 1];
    behavior null:
      assumes ptr == \null;
      assigns \nothing;
      ensures \result == MEMAPI_OK;
    behavior misaligned:
      assumes ptr != \null && memapi_misaligned((char *)ptr, MEMAPI_MIN_ALIGN);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> err->kind == MEMAPI_E_INVALID_POINTER && err->ptr == ptr && err->msg == misaligned &&
                               memapi_err_texts(err);
    behavior no_header:
      assumes ptr != \null && !memapi_misaligned((char *)ptr, MEMAPI_MIN_ALIGN) && !cm_header_ok((char *)ptr);
      assigns *err;
      ensures \result == MEMAPI_ERROR;
      ensures err != \null ==> err->kind == MEMAPI_E_INVALID_POINTER && err->ptr == ptr && err->msg == no_header &&
                               memapi_err_texts(err);
    behavior header_ok:
      assumes ptr != \null && !memapi_misaligned((char *)ptr, MEMAPI_MIN_ALIGN) && cm_header_ok((char *)ptr);
      ensures cm_free_outcome{Old, Here}((char *)ptr, err, \result);
    complete behaviors;
    disjoint behaviors;
*/
memapi_status memapi_cmalloc_try_free(memapi_allocator a, void *ptr, memapi_error *err)
{
    if (ptr == NULL)
        return MEMAPI_OK;
    memapi_layout l;
    void *base;
    size_t size;
    if (block_layout(ptr, &l, &base, &size, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    /*@ assert \at(cm_header_ok((char *)ptr), Pre) && base == \at(cm_base((char *)ptr), Pre) &&
               l.size == \at(cm_align((char *)ptr) + cm_size((char *)ptr), Pre); */
    //@ assert memapi_block_ok(base, l.size, l.size, err);
    memapi_status s = memapi_try_dealloc(a, base, l, err);
    //@ assert s == MEMAPI_OK ==> memapi_freed(\at(memapi_proof_heap, Pre), memapi_proof_heap, (char *)base, l.size);
    //@ assert s == MEMAPI_ERROR ==> memapi_proof_heap == \at(memapi_proof_heap, Pre);
    //@ assert s == MEMAPI_ERROR && err != \null ==> memapi_err_texts(err);
    return s;
}

/* free's failure, out of line and cold: its buffers are not set up (and zeroed, with
 * -ftrivial-auto-var-init) on every free. The message, then the fatal hook.
 * Frama-C turns the snprintf call into a function whose contract assigns the whole unbounded
 * range from the buffer on (`s + (0 ..)`), which WP cannot confine to the local buffer: this one
 * is meant to stay out of the proof (proofs/README.md). */
/*@ requires \valid_read(e) && memapi_err_texts((memapi_error *)e);
    assigns \nothing;
    ensures \false;
*/
static __attribute__((noinline, cold)) MEMAPI_NORETURN void free_fatal(const void *ptr, const memapi_error *e)
{
    char text[320];
    char msg[400];
    (void)memapi_error_format(e, text, sizeof text);
    (void)snprintf(msg, sizeof msg, "memapi_cmalloc_free(%p) failed: %s", ptr, text);
    memapi_fatal(msg);
}

/* free of a pointer the header check rejected: the check again, with an error object this time
   (it reads the header and writes nothing else, so it fails again the same way). */
/*@ requires ptr != \null && \object_pointer((char *)ptr);
    requires !memapi_misaligned((char *)ptr, MEMAPI_MIN_ALIGN) ==>
             \object_pointer((char *)ptr - sizeof(header)) && \valid_read(cm_hdr((char *)ptr)) &&
             !cm_header_ok((char *)ptr);
    assigns \nothing;
    ensures \false;
*/
static __attribute__((noinline, cold)) MEMAPI_NORETURN void header_failed(const void *ptr)
{
    memapi_error e;
    memapi_layout l;
    void *base;
    size_t size;
    (void)block_layout(ptr, &l, &base, &size, &e);
    free_fatal(ptr, &e);
}

/* free of a block the allocator refused: the same try_dealloc again, with an error object this
   time (a failed try_dealloc changes nothing, alloc.h), then the fatal hook. */
/*@ requires memapi_vt_ok(a, \null);
    requires memapi_valid_layout(l) && memapi_block_ok(base, l.size, l.size, \null);
    assigns memapi_proof_heap, ((char *)base)[0 .. l.size - 1];
    ensures memapi_freed(\old(memapi_proof_heap), memapi_proof_heap, (char *)base, l.size);
*/
static __attribute__((noinline, cold)) void dealloc_refused(memapi_allocator a, const void *ptr, void *base,
                                                             memapi_layout l)
{
    memapi_error e;
    if (memapi_try_dealloc(a, base, l, &e) == MEMAPI_OK)
        return; /* cannot happen: the same call failed a moment ago and changed nothing */
    free_fatal(ptr, &e);
}

/*@ requires memapi_vt_ok(a, \null);
    requires cm_block_ok((char *)ptr, \null);
    assigns memapi_proof_heap, cm_base((char *)ptr)[0 .. cm_align((char *)ptr) + cm_size((char *)ptr) - 1];
    behavior null:
      assumes ptr == \null;
      ensures memapi_proof_heap == \old(memapi_proof_heap);
    behavior freed:
      assumes ptr != \null;
      ensures \old(cm_header_ok((char *)ptr)) && cm_free_outcome{Old, Here}((char *)ptr, \null, MEMAPI_OK);
    complete behaviors;
    disjoint behaviors;
*/
void memapi_cmalloc_free(memapi_allocator a, void *ptr)
{
    /* memapi_cmalloc_try_free(a, ptr, NULL), its two steps written out: a failed step changes
     * nothing (alloc.h), so asking again with an error object is the same call, and the success
     * path needs no error object. */
    if (ptr == NULL)
        return;
    memapi_layout l;
    void *base;
    size_t size;
    if (block_layout(ptr, &l, &base, &size, NULL) != MEMAPI_OK)
        header_failed(ptr);
    /*@ assert \at(cm_header_ok((char *)ptr), Pre) && base == \at(cm_base((char *)ptr), Pre) &&
               l.size == \at(cm_align((char *)ptr) + cm_size((char *)ptr), Pre); */
    //@ assert memapi_block_ok(base, l.size, l.size, \null);
    if (memapi_try_dealloc(a, base, l, NULL) != MEMAPI_OK)
        dealloc_refused(a, ptr, base, l);
    //@ assert memapi_freed(\at(memapi_proof_heap, Pre), memapi_proof_heap, (char *)base, l.size);
}

/* realloc's contract, for realloc (size) and reallocarray (nmemb * size): NULL is malloc; size 0
   frees (NULL returned, errno and *err untouched) or fails (the heap as it was); otherwise NULL with
   errno ENOMEM or EINVAL, every live block still live and the old block's bytes intact, or the
   block resized in the allocator, its header stored, its first min(old, new) bytes kept. */
#define CM_OLD_BASE \old(cm_base((char *)ptr))
#define CM_OLD_A \old(cm_align((char *)ptr))
#define CM_OLD_WHOLE \old(cm_align((char *)ptr) + cm_size((char *)ptr))
#define CM_ACSL_REALLOC_CASES(size, fits) \
    behavior malloc: \
      assumes fits && ptr == \null; \
      ensures \result == \null ==> memapi_proof_heap == \old(memapi_proof_heap) && __fc_errno == ENOMEM; \
      ensures \result != \null ==> \
              cm_new_block(\old(memapi_proof_heap), memapi_proof_heap, (char *)\result, size, MEMAPI_MIN_ALIGN, err); \
    behavior free: \
      assumes fits && ptr != \null && size == 0; \
      ensures \result == \null; \
      ensures (\old(cm_header_ok((char *)ptr)) && cm_free_outcome{Old, Here}((char *)ptr, \null, MEMAPI_OK) && \
               __fc_errno == \old(__fc_errno) && (err != \null ==> *err == \old(*err))) || \
              (memapi_proof_heap == \old(memapi_proof_heap) && (__fc_errno == ENOMEM || __fc_errno == EINVAL)); \
    behavior resize: \
      assumes fits && ptr != \null && size != 0; \
      ensures \result == \null ==> memapi_live_kept(\old(memapi_proof_heap), memapi_proof_heap) && \
              (__fc_errno == ENOMEM || __fc_errno == EINVAL) && \
              (\old(cm_header_ok((char *)ptr)) ==> memapi_same_bytes{Old, Here}(CM_OLD_BASE, CM_OLD_WHOLE)); \
      ensures \result == \null && \old(memapi_misaligned((char *)ptr, MEMAPI_MIN_ALIGN) || !cm_header_ok((char *)ptr)) ==> \
              __fc_errno == EINVAL && memapi_proof_heap == \old(memapi_proof_heap) && \
              (err != \null ==> err->kind == MEMAPI_E_INVALID_POINTER); \
      ensures \result != \null ==> \old(cm_header_ok((char *)ptr)) && cm_stored((char *)\result, size, CM_OLD_A) && \
              \valid((char *)\result + (0 .. size - 1)) && \
              memapi_owned(memapi_proof_heap, (char *)\result - CM_OLD_A, CM_OLD_A + size); \
      ensures \result != \null ==> \forall integer i; 0 <= i < \min(\old(cm_size((char *)ptr)), size) ==> \
              ((char *)\result)[i] == \old(cm_base((char *)ptr)[cm_align((char *)ptr) + i]);
#define CM_ACSL_REALLOC_ASSIGNS(size) \
    assigns memapi_proof_heap, __fc_errno, *err, \
            cm_base((char *)ptr)[0 .. \max(cm_align((char *)ptr) + cm_size((char *)ptr), cm_align((char *)ptr) + size) - 1], \
            memapi_proof_next(memapi_proof_heap, CM_LAY(cm_align((char *)ptr) + size, cm_align((char *)ptr))) \
              [0 .. cm_align((char *)ptr) + size - 1], \
            memapi_proof_next(memapi_proof_heap, CM_LAY(MEMAPI_MIN_ALIGN + size, MEMAPI_MIN_ALIGN)) \
              [0 .. MEMAPI_MIN_ALIGN + size - 1];
#define CM_ACSL_REALLOC_REQUIRES \
    requires memapi_vt_ok(a, err); \
    requires err == \null || \valid(err); \
    requires cm_block_ok((char *)ptr, err);

/*@ CM_ACSL_REALLOC_REQUIRES
    CM_ACSL_REALLOC_ASSIGNS(size)
    CM_ACSL_REALLOC_CASES(size, \true)
    complete behaviors;
    disjoint behaviors;
*/
void *memapi_cmalloc_realloc(memapi_allocator a, void *ptr, size_t size, memapi_error *err)
{
    if (ptr == NULL)
        return memapi_cmalloc_malloc(a, size, err);
    memapi_error local;
    memapi_error *e = &local; /* copied to *err on failure (fail_errno) */
    if (size == 0) {
        if (memapi_cmalloc_try_free(a, ptr, e) != MEMAPI_OK)
            return fail_errno(err, e);
        return NULL;
    }
    memapi_layout old_l, new_l;
    void *base;
    size_t old_size;
    if (block_layout(ptr, &old_l, &base, &old_size, e) != MEMAPI_OK)
        return fail_errno(err, e);
    //@ assert memapi_owned(memapi_proof_heap, (char *)base, old_l.size) && \valid((char *)base + (0 .. old_l.size - 1));
    /* The block's own alignment: a resize never asks for less (no REALLOC_SMALLER_ALIGN). */
    if (memapi_cmalloc_layout(size, old_l.align, &new_l, e) != MEMAPI_OK)
        return fail_errno(err, e);
    void *nb = memapi_realloc(a, base, old_l, new_l, e);
    if (nb == NULL)
        return fail_errno(err, e);
    //@ assert new_l == CM_LAY(new_l.size, new_l.align);
    //@ assert nb == base || nb == memapi_proof_next(\at(memapi_proof_heap, Pre), new_l);
    /*@ assert \forall integer i; 0 <= i < \min(old_size, size) ==>
               ((char *)nb)[old_l.align + i] == \at(cm_base((char *)ptr)[cm_align((char *)ptr) + i], Pre); */
    return finish_block(nb, new_l, size);
}

/* Whether nmemb * size does not fit in a size_t (the builtin's product is not wanted). */
/*@ assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures \result == 1 <==> nmemb * size > SIZE_MAX;
*/
static inline bool product_overflows(size_t nmemb, size_t size)
{
    unsigned long product;
    return __builtin_umull_overflow(nmemb, size, &product);
}

/*@ CM_ACSL_REALLOC_REQUIRES
    CM_ACSL_REALLOC_ASSIGNS(nmemb * size)
    behavior overflow:
      assumes nmemb * size > SIZE_MAX;
      assigns __fc_errno, *err;
      ensures \result == \null && __fc_errno == ENOMEM;
      ensures err != \null ==> memapi_err_arith(err, nmemb, MEMAPI_OP_MUL, size);
    CM_ACSL_REALLOC_CASES(nmemb * size, nmemb * size <= SIZE_MAX)
    complete behaviors;
    disjoint behaviors;
*/
void *memapi_cmalloc_reallocarray(memapi_allocator a, void *ptr, size_t nmemb, size_t size, memapi_error *err)
{
    /* The test apart from the error (product_overflows keeps its product in its own frame): the
       path that resizes writes no memory of this function before realloc reads the header. */
    if (product_overflows(nmemb, size)) {
        (void)memapi__fail_arith(err, nmemb, MEMAPI_OP_MUL, size); /* checked_op's error for it */
        errno = ENOMEM;
        return NULL;
    }
    return memapi_cmalloc_realloc(a, ptr, nmemb * size, err);
}
#endif /* __FRAMAC__ */

/*@ requires memapi_vt_ok(a, err);
    requires err == \null || \valid(err);
    assigns memapi_proof_heap, __fc_errno, *err,
            memapi_proof_next(memapi_proof_heap, CM_LAY(cm_a(alignment) + size, cm_a(alignment)))
              [0 .. cm_a(alignment) + size - 1];
    behavior zero_align:
      assumes alignment == 0;
      assigns __fc_errno, *err;
      ensures \result == \null && __fc_errno == EINVAL;
      ensures err != \null ==> memapi_err_layout(err, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0);
    behavior non_pow2:
      assumes alignment != 0 && !memapi_pow2(alignment);
      assigns __fc_errno, *err;
      ensures \result == \null && __fc_errno == EINVAL;
      ensures err != \null ==> memapi_err_layout(err, MEMAPI_LE_NON_POW2_ALIGN, 0, alignment, 0);
    behavior pow2:
      assumes memapi_pow2(alignment);
      ensures \result == \null ==> memapi_proof_heap == \old(memapi_proof_heap) && __fc_errno == ENOMEM;
      ensures \result != \null ==>
              cm_new_block(\old(memapi_proof_heap), memapi_proof_heap, (char *)\result, size, cm_a(alignment), err);
    complete behaviors;
    disjoint behaviors;
*/
void *memapi_cmalloc_aligned_alloc(memapi_allocator a, size_t alignment, size_t size, memapi_error *err)
{
    if (alignment == 0 || !memapi_is_pow2(alignment)) {
        if (alignment == 0)
            (void)memapi__fail_layout(err, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0);
        else
            (void)memapi__fail_layout(err, MEMAPI_LE_NON_POW2_ALIGN, 0, alignment, 0);
        errno = EINVAL;
        return NULL;
    }
    return alloc_aligned(a, size, alignment, false, err);
}

/*@ requires memapi_vt_ok(a, err);
    requires err == \null || \valid(err);
    requires \valid(memptr);
    requires err != \null ==> \separated(memptr, err);
    assigns memapi_proof_heap, __fc_errno, *err, *memptr,
            memapi_proof_next(memapi_proof_heap, CM_LAY(cm_a(alignment) + size, cm_a(alignment)))
              [0 .. cm_a(alignment) + size - 1];
    ensures __fc_errno == \old(__fc_errno);
    behavior zero_align:
      assumes alignment == 0;
      assigns *err;
      ensures \result == EINVAL;
      ensures err != \null ==> memapi_err_layout(err, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0);
    behavior non_pow2:
      assumes alignment != 0 && !memapi_pow2(alignment);
      assigns *err;
      ensures \result == EINVAL;
      ensures err != \null ==> memapi_err_layout(err, MEMAPI_LE_NON_POW2_ALIGN, 0, alignment, 0);
    behavior not_pointer_multiple:
      assumes memapi_pow2(alignment) && alignment % sizeof(void *) != 0;
      assigns *err;
      ensures \result == EINVAL;
      ensures err != \null ==> err->kind == MEMAPI_E_OTHER && err->msg != \null;
    behavior valid:
      assumes memapi_pow2(alignment) && alignment % sizeof(void *) == 0;
      ensures \result == 0 || \result == ENOMEM;
      ensures \result == ENOMEM ==> memapi_proof_heap == \old(memapi_proof_heap) && *memptr == \old(*memptr);
      ensures \result == 0 ==>
              cm_new_block(\old(memapi_proof_heap), memapi_proof_heap, (char *)*memptr, size, cm_a(alignment), err);
    complete behaviors;
    disjoint behaviors;
*/
int memapi_cmalloc_posix_memalign(memapi_allocator a, void **memptr, size_t alignment, size_t size, memapi_error *err)
{
    if (alignment == 0) {
        (void)memapi__fail_layout(err, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0);
        return EINVAL;
    }
    if (!memapi_is_pow2(alignment)) {
        (void)memapi__fail_layout(err, MEMAPI_LE_NON_POW2_ALIGN, 0, alignment, 0);
        return EINVAL;
    }
    if (alignment % sizeof(void *) != 0) {
        (void)memapi__fail_other(err, "posix_memalign: alignment is not a multiple of sizeof(void *)");
        return EINVAL;
    }
    int saved = errno;
    void *p = alloc_aligned(a, size, alignment, false, err);
    errno = saved;
    if (p == NULL)
        return ENOMEM;
    *memptr = p;
    return 0;
}

#ifndef __FRAMAC__
/* Not proved yet (proofs/README.md, "The malloc front end cmalloc"): the reading of a header and
   every function that frees or resizes through it. The contracts are stated, WP does not see them. */
/*@ requires memapi_vt_ok(a, err);
    requires err == \null || \valid(err);
    requires cm_block_ok((char *)ptr, err);
    assigns *err;
    behavior null:
      assumes ptr == \null;
      assigns \nothing;
      ensures \result == 0;
    behavior no_block:
      assumes ptr != \null && (memapi_misaligned((char *)ptr, MEMAPI_MIN_ALIGN) || !cm_header_ok((char *)ptr));
      ensures \result == 0;
      ensures err != \null ==> err->kind == MEMAPI_E_INVALID_POINTER && err->ptr == ptr && memapi_err_texts(err);
    behavior header_ok:
      assumes ptr != \null && !memapi_misaligned((char *)ptr, MEMAPI_MIN_ALIGN) && cm_header_ok((char *)ptr);
      ensures \result == 0 || \result == \old(cm_size((char *)ptr));
      ensures !memapi_owns_entry(a) ==> \result == \old(cm_size((char *)ptr));
    complete behaviors;
    disjoint behaviors;
*/
size_t memapi_cmalloc_usable_size(memapi_allocator a, const void *ptr, memapi_error *err)
{
    if (ptr == NULL)
        return 0;
    memapi_layout l;
    void *base;
    size_t size;
    if (block_layout(ptr, &l, &base, &size, err) != MEMAPI_OK)
        return 0;
    if (a.vt != NULL) {
        /* The vtable read as a value, as the dispatch reads it (src/alloc.c). */
        const memapi_alloc_vtable vt = *a.vt;
        if (vt.owns != NULL) {
            memapi_error local;
            if (MEMAPI__ENTRY_OWNS(vt.owns, a.self, base, l, &local) != MEMAPI_OK &&
                local.kind != MEMAPI_E_UNSUPPORTED) {
                if (err != NULL)
                    *err = local;
                return 0;
            }
        }
    }
    return size;
}
#endif /* __FRAMAC__ */
