/**
 * @file memapi2/types.h
 * @brief The two value types every other header shares: `memapi_layout` and `memapi_status`.
 *
 * They live in their own header so that `layout.h` (whose operations report `memapi_error`s) and
 * `error.h` (whose payloads carry a layout) can include each other's vocabulary without a cycle.
 * Include `memapi2.h` or the header of the concern you use; this one comes along.
 */
#ifndef MEMAPI2_TYPES_H
#define MEMAPI2_TYPES_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"

/**
 * @brief Size and alignment of a block of memory (the reference's `Layout`).
 *
 * A plain value, passed by value. A layout is *valid* when `align` is a nonzero power of two and
 * `size <= MEMAPI_USIZE_MAX_NO_HIGH_BIT - (align - 1)`, i.e. `size` rounded up to `align` does not
 * exceed `SIZE_MAX >> 1`. Size 0 is valid. The checked constructors in `layout.h` only produce valid
 * layouts, but C lets a caller forge any struct: every public function that receives a layout
 * re-checks it and reports a forged one as a `MEMAPI_E_LAYOUT` error, never undefined behaviour.
 */
typedef struct memapi_layout {
    size_t size;  /**< size in bytes */
    size_t align; /**< alignment in bytes: a nonzero power of two in a valid layout */
} memapi_layout;

/**
 * @brief Result of every fallible function that does not return a pointer.
 *
 * `MEMAPI_OK` is 0, so `if (memapi_x(...) != MEMAPI_OK)` and `if (memapi_x(...))` both test for
 * failure. On `MEMAPI_ERROR`, out-parameters are left untouched and the `memapi_error *err`
 * argument, when not NULL, says exactly what happened (see `error.h`).
 */
typedef enum memapi_status {
    MEMAPI_OK = 0,   /**< success */
    MEMAPI_ERROR = 1 /**< failure; see the error argument */
} memapi_status;

/** `usize::MAX >> 1`: the largest size a layout may reach once rounded up to its alignment. */
#define MEMAPI_USIZE_MAX_NO_HIGH_BIT (SIZE_MAX >> 1)
/** Only the top bit of `size_t` set (`MEMAPI_USIZE_MAX_NO_HIGH_BIT + 1`): the largest alignment. */
#define MEMAPI_USIZE_HIGH_BIT (MEMAPI_USIZE_MAX_NO_HIGH_BIT + 1)

/** Pointer width in bytes (the reference's `PTR`), the least alignment posix_memalign accepts. */
#define MEMAPI_PTR_SIZE (sizeof(void *))

#endif /* MEMAPI2_TYPES_H */
