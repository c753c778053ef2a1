/*
 * The ACSL vocabulary of memapi2's contracts: the logic functions, predicates and lemmas that the
 * contracts of the public headers are written in, installed with them so that a program using
 * memapi2 can be proved with Frama-C WP against those contracts (proofs/README.md). C compilers see
 * nothing but comments here; the headers include it only when __FRAMAC__ is defined.
 *
 * Every predicate mirrors a C function of the public headers, so that contracts and code say the
 * same thing:
 *   memapi_pow2(a)             <-> memapi_is_pow2(a)
 *   memapi_valid_sa(s, a)      <-> memapi_layout_is_valid((memapi_layout){s, a})
 *   memapi_valid_layout(l)     <-> memapi_layout_is_valid(l)
 *   memapi_pad_to(x, a)        <-> the modulo round-up of layout.c and arith.c
 */
#ifndef MEMAPI2_ACSL_H
#define MEMAPI2_ACSL_H

#include "types.h"
#include "error.h"

#ifdef __FRAMAC__
#include "__fc_string_axiomatic.h"
#endif

/*@
  // MAX of the reference: SIZE_MAX >> 1.
  logic integer memapi_max = SIZE_MAX / 2;
  // HIGH of the reference: MAX + 1.
  logic integer memapi_high = SIZE_MAX / 2 + 1;

  // A nonzero power of two, written exactly as memapi_is_pow2 computes it.
  predicate memapi_pow2(integer a) = a > 0 && (a & (a - 1)) == 0;

  // The layout invariant on a (size, align) pair.
  predicate memapi_valid_sa(integer size, integer align) =
    memapi_pow2(align) && size <= memapi_max - (align - 1);

  predicate memapi_valid_layout(memapi_layout l) = memapi_valid_sa(l.size, l.align);

  // x rounded up to a multiple of a (a > 0).
  logic integer memapi_pad_to(integer x, integer a) = x % a == 0 ? x : x + (a - x % a);

  lemma memapi_pad_to_bounds: \forall integer x, a; 0 <= x && 0 < a ==>
    x <= memapi_pad_to(x, a) <= x + (a - 1);
  lemma memapi_pad_to_multiple: \forall integer x, a; 0 <= x && 0 < a ==>
    memapi_pad_to(x, a) % a == 0;

  // b > m / a (C division of the bound) is exactly a * b > m: how every overflow test is written.
  lemma memapi_div_bound: \forall integer a, b, m; 0 < a && 0 <= b && 0 <= m ==> (b > m / a <==> a * b > m);

  // a * b as a named term: contracts write products of sizes through it, so that the provers match
  // equal products by congruence instead of re-deriving nonlinear facts.
  logic integer memapi_mul(integer a, integer b) = a * b;
  lemma memapi_mul_nonneg: \forall integer a, b; 0 <= a && 0 <= b ==> 0 <= memapi_mul(a, b);

  // Integer power (checked_op's POW).
  logic integer memapi_ipow(integer b, integer e) = e <= 0 ? 1 : b * memapi_ipow(b, e - 1);

  // The ceiling of l / r for l >= 0, r > 0.
  logic integer memapi_div_ceil(integer l, integer r) = l / r + (l % r != 0 ? 1 : 0);

  // memapi_checked_op: the operations of the enum, their exact result over the integers, and
  // when that result is defined and representable (divisors nonzero, POW exponent <= UINT32_MAX).
  predicate memapi_op_valid(integer op) = MEMAPI_OP_ADD <= op <= MEMAPI_OP_POW;
  logic integer memapi_op_value(integer l, integer op, integer r) =
    op == MEMAPI_OP_ADD ? l + r :
    op == MEMAPI_OP_SUB ? l - r :
    op == MEMAPI_OP_MUL ? l * r :
    op == MEMAPI_OP_DIV ? l / r :
    op == MEMAPI_OP_REM ? l % r :
    op == MEMAPI_OP_DIV_CEIL ? memapi_div_ceil(l, r) :
    memapi_ipow(l, r);
  predicate memapi_op_ok(integer l, integer op, integer r) =
    ((op == MEMAPI_OP_DIV || op == MEMAPI_OP_REM || op == MEMAPI_OP_DIV_CEIL) ==> r != 0) &&
    (op == MEMAPI_OP_POW ==> r <= UINT32_MAX) &&
    0 <= memapi_op_value(l, op, r) <= SIZE_MAX;
*/

/*
 * Predicates on `memapi_error` payloads: what each memapi__fail_* constructor leaves in *err.
 * Every field not belonging to the kind is zero, as error.h promises.
 */
/*@
  predicate memapi_zero_layout(memapi_layout l) = l.size == 0 && l.align == 0;
  predicate memapi_zero_arith(memapi_arith_err a) = a.l == 0 && a.op == MEMAPI_OP_ADD && a.r == 0;

  // The fields every payload-carrying kind of the core leaves zero (error.h: unused fields are 0).
  predicate memapi_zero_common{L}(memapi_error *e) =
    memapi_zero_layout(e->layout) && memapi_zero_layout(e->recorded) &&
    e->old_val == 0 && e->new_val == 0 && e->ptr == \null &&
    e->cause.kind == MEMAPI_CAUSE_UNKNOWN && e->cause.os_errno == 0 && e->cause.msg == \null;

  predicate memapi_err_layout_payload{L}(memapi_error *e, integer k, integer size, integer align, integer n) =
    e->kind == MEMAPI_E_LAYOUT && e->layout_err.kind == k &&
    e->layout_err.size == size && e->layout_err.align == align && e->layout_err.n == n;
  predicate memapi_err_layout{L}(memapi_error *e, integer k, integer size, integer align, integer n) =
    memapi_err_layout_payload(e, k, size, align, n) &&
    memapi_zero_arith(e->layout_err.arith) && memapi_zero_arith(e->arith) && e->msg == \null &&
    memapi_zero_common(e);

  predicate memapi_err_layout_arith_payload{L}(memapi_error *e, integer l, integer op, integer r) =
    e->kind == MEMAPI_E_LAYOUT && e->layout_err.kind == MEMAPI_LE_ARITH &&
    e->layout_err.arith.l == l && e->layout_err.arith.op == op && e->layout_err.arith.r == r;
  predicate memapi_err_layout_arith{L}(memapi_error *e, integer l, integer op, integer r) =
    memapi_err_layout_arith_payload(e, l, op, r) &&
    e->layout_err.size == 0 && e->layout_err.align == 0 && e->layout_err.n == 0 &&
    memapi_zero_arith(e->arith) && e->msg == \null && memapi_zero_common(e);

  predicate memapi_zero_layout_err{L}(memapi_error *e) =
    e->layout_err.kind == MEMAPI_LE_ZERO_SIZE && e->layout_err.size == 0 && e->layout_err.align == 0 &&
    e->layout_err.n == 0 && memapi_zero_arith(e->layout_err.arith);

  predicate memapi_err_arith{L}(memapi_error *e, integer l, integer op, integer r) =
    e->kind == MEMAPI_E_ARITH && e->arith.l == l && e->arith.op == op && e->arith.r == r &&
    memapi_zero_layout_err(e) && e->msg == \null && memapi_zero_common(e);

  predicate memapi_err_other{L}(memapi_error *e, char *msg) =
    e->kind == MEMAPI_E_OTHER && e->msg == msg && memapi_zero_layout_err(e) && memapi_zero_arith(e->arith) &&
    memapi_zero_common(e);

  // The error memapi_layout_check(size, align, err) reports for an invalid pair.
  predicate memapi_check_err{L}(memapi_error *e, integer size, integer align) =
    (align == 0 ==> memapi_err_layout(e, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0)) &&
    (align != 0 && !memapi_pow2(align) ==> memapi_err_layout(e, MEMAPI_LE_NON_POW2_ALIGN, 0, align, 0)) &&
    (memapi_pow2(align) ==> memapi_err_layout(e, MEMAPI_LE_EXCEEDS_MAX, size, align, 1));
*/

/*
 * The bump arena (bump.h, bump.c): the logic that does not need the memapi_bump type. The arena
 * predicates themselves (memapi_bump_inv, ...) are in bump.h, right after the struct.
 */
/*@
  // Bytes from the address addr + off up to the next multiple of align (align > 0), written exactly
  // as bump.c's pad_at and bump.h's fast path compute it: the modulo round-up.
  logic integer memapi_bump_pad(integer addr, integer off, integer align) =
    (align - (addr + off) % align) % align;

  lemma memapi_bump_pad_bounds: \forall integer addr, off, align;
    0 <= addr && 0 <= off && 0 < align ==> 0 <= memapi_bump_pad(addr, off, align) < align;
  lemma memapi_bump_pad_aligned: \forall integer addr, off, align;
    0 <= addr && 0 <= off && 0 < align ==> (addr + off + memapi_bump_pad(addr, off, align)) % align == 0;

  // The arena's exhaustion error: ALLOC_FAILED(l, out of memory), every other field as
  // memapi__fail_alloc leaves it (no errno, no messages, no pointer).
  predicate memapi_bump_err_oom{L}(memapi_error *e, memapi_layout l) =
    e->kind == MEMAPI_E_ALLOC_FAILED && e->layout.size == l.size && e->layout.align == l.align &&
    e->cause.kind == MEMAPI_CAUSE_OUT_OF_MEMORY && e->cause.os_errno == 0 && e->cause.msg == \null &&
    e->msg == \null && e->ptr == \null;

  // INVALID_POINTER at ptr with message msg (memapi__fail_ptr).
  predicate memapi_bump_err_ptr{L}(memapi_error *e, void *ptr, char *msg) =
    e->kind == MEMAPI_E_INVALID_POINTER && e->ptr == ptr && e->msg == msg &&
    memapi_zero_layout(e->layout) && memapi_zero_layout(e->recorded);
*/

/*
 * The allocator interface (alloc.h). The state of every allocator is one abstract value: the ghost
 * integer `memapi_proof_heap` (declared in memapi2/alloc_acsl.h, with the interface contract of
 * the allocator entries). Two abstract symbols describe it, without any axiom:
 *   memapi_live(h, p, n)       p[0 .. n-1] is a live block in state h (the caller owns it);
 *   memapi_proof_next(h, l)    the block an allocation of layout l returns in state h (allocators
 *                              are deterministic functions of their whole state), so that a contract
 *                              can name, in its pre-state, the block it is going to write.
 */
/*@
  axiomatic MemapiProofHeap {
    predicate memapi_live(integer h, char *p, integer n);
    logic char *memapi_proof_next(integer h, memapi_layout l);
  }

  // A live block of state h, disjoint from every block the state would hand out next.
  predicate memapi_owned(integer h, char *p, integer n) =
    memapi_live(h, p, n) &&
    \forall memapi_layout l; \separated(p + (0 .. n - 1), memapi_proof_next(h, l) + (0 .. l.size - 1));

  // p is the block that state h0 hands out for l, now valid and live in h1, disjoint from every
  // block live in h0 (which all stay live) and from the error record.
  predicate memapi_new_block{L}(integer h0, integer h1, char *p, memapi_layout l, memapi_error *err) =
    p == memapi_proof_next(h0, l) && \valid(p + (0 .. l.size - 1)) && memapi_owned(h1, p, l.size) &&
    (err != \null ==> \separated(p + (0 .. l.size - 1), err)) &&
    (\forall char *q, integer m; memapi_owned(h0, q, m) ==>
       memapi_owned(h1, q, m) && \separated(q + (0 .. m - 1), p + (0 .. l.size - 1)));

  // p[0 .. n-1] was freed between h0 and h1: no longer live (a size-0 block frees nothing), every
  // other live block still is.
  predicate memapi_freed(integer h0, integer h1, char *p, integer n) =
    (n > 0 ==> !memapi_owned(h1, p, n)) &&
    (\forall char *q, integer m; memapi_owned(h0, q, m) && (n == 0 || \separated(q + (0 .. m - 1), p + (0 .. n - 1))) ==>
       memapi_owned(h1, q, m));

  // Every block live in h0 is live in h1 (nothing the caller owns was freed).
  predicate memapi_live_kept(integer h0, integer h1) =
    \forall char *q, integer m; memapi_owned(h0, q, m) ==> memapi_owned(h1, q, m);

  // A resize of p (layout ol) to r (layout nl) between L1 (state h0) and L2 (state h1): r is p
  // itself or the state's next block, valid and live for nl.size bytes, holding the first
  // min(ol.size, nl.size) bytes of p, zero from ol.size on when `zero`; a moved block's old
  // block is freed; every other live block stays live and disjoint from r.
  predicate memapi_resized{L1, L2}(integer h0, integer h1, char *p, memapi_layout ol, char *r,
                                   memapi_layout nl, integer zero) =
    (r == p || r == memapi_proof_next(h0, nl)) &&
    \valid{L2}(r + (0 .. nl.size - 1)) && memapi_owned(h1, r, nl.size) &&
    (\forall integer i; 0 <= i < \min(ol.size, nl.size) ==> \at(r[i], L2) == \at(p[i], L1)) &&
    (zero != 0 ==> \forall integer i; ol.size <= i < nl.size ==> \at(r[i], L2) == 0) &&
    (r != p && ol.size > 0 ==> !memapi_owned(h1, p, ol.size)) &&
    (\forall char *q, integer m; memapi_owned(h0, q, m) && q != p && \separated(q + (0 .. m - 1), p + (0 .. ol.size - 1)) ==>
       memapi_owned(h1, q, m) && \separated(q + (0 .. m - 1), r + (0 .. nl.size - 1)));

  // p[0 .. n-1] holds the same bytes at L2 as at L1.
  predicate memapi_same_bytes{L1, L2}(char *p, integer n) =
    \forall integer i; 0 <= i < n ==> \at(p[i], L1) == \at(p[i], L2);

  // p[from .. to-1] is zero.
  predicate memapi_zero_bytes{L}(char *p, integer from, integer to) =
    \forall integer i; from <= i < to ==> p[i] == 0;

  // The texts an error record points to are readable (what memapi_error_format reads): the message
  // of OTHER / INVALID_POINTER / CORRUPTION, the cause message of ALLOC_FAILED(OTHER), and the
  // pointer printed by the pointer kinds is an object pointer or NULL.
  predicate memapi_text{L}(char *s) = s == \null || (valid_read_string(s) && strlen(s) < SIZE_MAX);
  predicate memapi_err_texts{L}(memapi_error *e) =
    ((e->kind == MEMAPI_E_INVALID_POINTER || e->kind == MEMAPI_E_LAYOUT_MISMATCH ||
      e->kind == MEMAPI_E_CORRUPTION) ==> (e->ptr == \null || \object_pointer((char *)e->ptr))) &&
    ((e->kind == MEMAPI_E_OTHER || e->kind == MEMAPI_E_INVALID_POINTER || e->kind == MEMAPI_E_CORRUPTION) ==>
       memapi_text((char *)e->msg)) &&
    ((e->kind == MEMAPI_E_ALLOC_FAILED && e->cause.kind == MEMAPI_CAUSE_OTHER) ==> memapi_text((char *)e->cause.msg));
*/

#endif
