/*
 * Internal: building `memapi_error` values. Every failure path of the library goes through these
 * helpers so that a reported error is always fully initialised (unused payload fields are zero).
 * Each returns MEMAPI_ERROR so that call sites read `return memapi__fail_...(err, ...);`.
 * All accept err == NULL (the caller did not ask for details).
 */
#ifndef MEMAPI_INTERNAL_ERROR_SET_H
#define MEMAPI_INTERNAL_ERROR_SET_H

#include "memapi2/error.h"

/* Plain error of a kind without payload (CAUGHT_UNWIND, UNSUPPORTED). */
memapi_status memapi__fail(memapi_error *err, memapi_error_kind kind);
/* MEMAPI_E_LAYOUT with a non-arithmetic layout error. */
memapi_status memapi__fail_layout(memapi_error *err, memapi_layout_err_kind kind, size_t size, size_t align,
                                  size_t n);
/* MEMAPI_E_LAYOUT wrapping ArithmeticError(ArithErr(l, op, r)). */
memapi_status memapi__fail_layout_arith(memapi_error *err, size_t l, memapi_arith_op op, size_t r);
/* MEMAPI_E_ARITH: ArithmeticError(ArithErr(l, op, r)). */
memapi_status memapi__fail_arith(memapi_error *err, size_t l, memapi_arith_op op, size_t r);
/* MEMAPI_E_OTHER with a static message. */
memapi_status memapi__fail_other(memapi_error *err, const char *msg);
/* GROW_SMALLER, SHRINK_LARGER, REALLOC_SMALLER_ALIGN with their two values. */
memapi_status memapi__fail_resize(memapi_error *err, memapi_error_kind kind, size_t old_val, size_t new_val);
/* ALLOC_FAILED(layout, cause). */
memapi_status memapi__fail_alloc(memapi_error *err, memapi_layout layout, memapi_cause_kind cause, int os_errno,
                                 const char *msg);
/* Hardening kinds: INVALID_POINTER or CORRUPTION at ptr, with a static message. */
memapi_status memapi__fail_ptr(memapi_error *err, memapi_error_kind kind, const void *ptr, const char *msg);
/* LAYOUT_MISMATCH: the block at ptr was allocated with `recorded`, the caller gave `given`. */
memapi_status memapi__fail_mismatch(memapi_error *err, const void *ptr, memapi_layout given, memapi_layout recorded);

#if MEMAPI_OS_ERR_REPORTING
#ifdef __FRAMAC__
#include <string.h> /* strlen and valid_read_string, in the contract below */
#endif
/*
 * Writes the OS description of `code` (strerror_r) into buf (NUL-terminated when cap > 0) and
 * returns its length; defined in os_error.c, the only libc user of the error module.
 */
/*@ requires cap == 0 || \valid(buf + (0 .. cap - 1));
    assigns buf[0 .. cap - 1], \result \from code, cap;
    ensures cap == 0 ==> \result == 0;
    ensures cap > 0 ==> \result < cap && strlen(buf) == \result && valid_read_string(buf);
*/
size_t memapi__os_strerror(int code, char *buf, size_t cap);
#endif


#endif
