/**
 * @file memapi2/error.h
 * @brief Structured errors: what failed, why, and the exact Display text of the reference.
 *
 * Every fallible function takes `memapi_error *err` as its last parameter. It may be NULL; when
 * it is not and the call fails, the whole struct is overwritten: `kind` says which variant it is and
 * only the payload fields documented for that kind are meaningful (all others are zero). On success
 * `*err` is not touched.
 *
 * The numeric values of `memapi_error_kind` 0..8, `memapi_cause_kind`, `memapi_layout_err_kind` and
 * `memapi_arith_op` are the reference's discriminants. Kinds 9 and above are this library's own
 * hardening kinds.
 *
 * The `*_format` functions have snprintf semantics: they write at most `cap` bytes including a
 * terminating NUL (always written when `cap > 0`; `buf` may be NULL when `cap == 0`), never write
 * past `cap`, and return the length of the full text (excluding the NUL), so a return value `>= cap`
 * means the text was truncated. They need no libc: the freestanding build formats the same bytes,
 * except that an OS error code cannot be described there (see `memapi_cause_format`).
 */
#ifndef MEMAPI2_ERROR_H
#define MEMAPI2_ERROR_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The arithmetic operation of an `memapi_arith_err` (reference `ArithOp`; note Rem before DivCeil). */
typedef enum memapi_arith_op {
    MEMAPI_OP_ADD = 0,      /**< `add`: l + r */
    MEMAPI_OP_SUB = 1,      /**< `sub`: l - r */
    MEMAPI_OP_MUL = 2,      /**< `mul`: l * r */
    MEMAPI_OP_DIV = 3,      /**< `div`: l / r (fails for r == 0) */
    MEMAPI_OP_REM = 4,      /**< `rem`: l % r (fails for r == 0) */
    MEMAPI_OP_DIV_CEIL = 5, /**< `div_ceil`: ceiling of l / r (fails for r == 0) */
    MEMAPI_OP_POW = 6       /**< `pow`: l to the power r (fails for r > UINT32_MAX) */
} memapi_arith_op;

/** An arithmetic operation that would overflow (reference `ArithErr(l, op, r)`); operands as given. */
typedef struct memapi_arith_err {
    size_t l;           /**< left operand */
    memapi_arith_op op; /**< the operation */
    size_t r;           /**< right operand */
} memapi_arith_err;

/** Why a layout is invalid or unusable (reference `LayoutErr`). */
typedef enum memapi_layout_err_kind {
    MEMAPI_LE_ZERO_SIZE = 0,     /**< `size is zero` (only from the stack allocator in the reference) */
    MEMAPI_LE_ZERO_ALIGN = 1,    /**< `alignment is zero` */
    MEMAPI_LE_NON_POW2_ALIGN = 2,/**< payload `align`: `alignment {align} isn't a power of two` */
    MEMAPI_LE_EXCEEDS_MAX = 3,   /**< payload `size`, `align`, `n`: the rounded-up size exceeds MAX */
    MEMAPI_LE_ARITH = 4,         /**< payload `arith`: an intermediate computation would overflow */
    MEMAPI_LE_C_ROUND_UP = 5     /**< payload `align`: rounding the alignment up to the pointer size overflows */
} memapi_layout_err_kind;

/** A layout error with its payload (reference `LayoutErr`); see `memapi_layout_err_kind`. */
typedef struct memapi_layout_err {
    memapi_layout_err_kind kind; /**< which variant */
    size_t size;                 /**< EXCEEDS_MAX: the (element) size */
    size_t align;                /**< NON_POW2_ALIGN, EXCEEDS_MAX, C_ROUND_UP: the alignment */
    size_t n;                    /**< EXCEEDS_MAX: element count; 1 for single-value layouts */
    memapi_arith_err arith;      /**< ARITH: the overflowing operation */
} memapi_layout_err;

/** Why an allocation failed (reference `Cause`). */
typedef enum memapi_cause_kind {
    MEMAPI_CAUSE_UNKNOWN = 0,       /**< `unknown` */
    MEMAPI_CAUSE_OUT_OF_MEMORY = 1, /**< `out of memory`: an allocator exhausted its own pool */
    MEMAPI_CAUSE_OTHER = 2,         /**< payload `msg` (static text), printed verbatim */
    MEMAPI_CAUSE_OS_ERR = 3         /**< payload `os_errno`: the OS error captured right after the call */
} memapi_cause_kind;

/** The cause of an `MEMAPI_E_ALLOC_FAILED` error. */
typedef struct memapi_cause {
    memapi_cause_kind kind; /**< which variant */
    int os_errno;           /**< OS_ERR: the errno value (may be 0: errno is not cleared first) */
    const char *msg;        /**< OTHER: text with static storage duration; never freed */
} memapi_cause;

/** What went wrong (reference `Error`, plus hardening kinds from 9 on). */
typedef enum memapi_error_kind {
    MEMAPI_E_ALLOC_FAILED = 0,        /**< payload `layout`, `cause`: the allocator could not allocate */
    MEMAPI_E_LAYOUT = 1,              /**< payload `layout_err`: an invalid (or forged) layout */
    MEMAPI_E_GROW_SMALLER = 2,        /**< payload `old_val`, `new_val` (sizes): grow to a strictly smaller size */
    MEMAPI_E_SHRINK_LARGER = 3,       /**< payload `old_val`, `new_val` (sizes): shrink to a strictly larger size */
    MEMAPI_E_REALLOC_SMALLER_ALIGN = 4, /**< payload `old_val`, `new_val` (aligns): resize to a smaller alignment */
    MEMAPI_E_ARITH = 5,               /**< payload `arith`: arithmetic overflow */
    MEMAPI_E_CAUGHT_UNWIND = 6,       /**< kept for parity with the reference; C has no unwinding */
    MEMAPI_E_UNSUPPORTED = 7,         /**< the allocator lacks the capability the operation needs */
    MEMAPI_E_OTHER = 8,               /**< payload `msg` (static text), printed verbatim */
    MEMAPI_E_INVALID_POINTER = 9,     /**< payload `ptr`, `msg`: NULL, misaligned, foreign, interior or already freed */
    MEMAPI_E_LAYOUT_MISMATCH = 10,    /**< payload `ptr`, `layout` (given), `recorded` (allocated) */
    MEMAPI_E_CORRUPTION = 11          /**< payload `ptr`, `msg`: the allocator found its metadata or a canary damaged */
} memapi_error_kind;

/**
 * @brief A structured error. Only the fields documented for `kind` are meaningful; the rest are 0.
 *
 * Plain data: copy it freely; nothing in it needs freeing.
 */
typedef struct memapi_error {
    memapi_error_kind kind;       /**< which variant */
    memapi_layout layout;         /**< ALLOC_FAILED: the layout asked for; LAYOUT_MISMATCH: the layout given */
    memapi_cause cause;           /**< ALLOC_FAILED: why */
    memapi_layout_err layout_err; /**< LAYOUT: why the layout is unusable */
    size_t old_val;               /**< GROW_SMALLER, SHRINK_LARGER: old size; REALLOC_SMALLER_ALIGN: old align */
    size_t new_val;               /**< GROW_SMALLER, SHRINK_LARGER: new size; REALLOC_SMALLER_ALIGN: new align */
    memapi_arith_err arith;       /**< ARITH: the overflowing operation */
    const char *msg;              /**< OTHER, INVALID_POINTER, CORRUPTION: static text */
    const void *ptr;              /**< INVALID_POINTER, LAYOUT_MISMATCH, CORRUPTION: the block pointer */
    memapi_layout recorded;       /**< LAYOUT_MISMATCH: the layout the block was allocated with */
} memapi_error;

/**
 * @brief Formats an error as the reference's Display text, byte for byte.
 *
 * Texts (MAX printed in decimal):
 * - ALLOC_FAILED: `allocation failed: Layout(size: S, align: A), cause: <cause>`
 * - LAYOUT: `layout error: <layout error>`
 * - GROW_SMALLER: `attempted to grow from size O to smaller size N`
 * - SHRINK_LARGER: `attempted to shrink from size O to larger size N`
 * - REALLOC_SMALLER_ALIGN: `attempted to reallocate from align O to smaller align N`
 * - ARITH: the arith error text, no prefix
 * - CAUGHT_UNWIND: `unwind caught in unsupported function`
 * - UNSUPPORTED: `unsupported operation`
 * - OTHER: the message verbatim (`(null)` is never printed: a NULL message prints nothing)
 * - INVALID_POINTER (ours): `invalid pointer 0xADDR: <msg>`
 * - LAYOUT_MISMATCH (ours): `layout mismatch for block at 0xADDR: given Layout(size: S, align: A),
 *   allocated with Layout(size: S2, align: A2)`
 * - CORRUPTION (ours): `memory corruption detected at 0xADDR: <msg>`
 * - an unknown kind (a forged struct): `unknown error kind K`
 *
 * @param e    the error (must not be NULL)
 * @param buf  destination, at least `cap` bytes; may be NULL when `cap == 0`
 * @param cap  capacity of `buf` in bytes, NUL included
 * @return the length of the full text; `>= cap` means truncated
 */
MEMAPI_API size_t memapi_error_format(const memapi_error *e, char *buf, size_t cap);

/**
 * @brief Formats a cause: `unknown`, `out of memory`, the message, or an OS error.
 *
 * An OS error prints `os error: <description> (os error <code>)` when built with
 * `MEMAPI_OS_ERR_REPORTING` (the description comes from strerror_r, e.g. `Cannot allocate memory`
 * for 12 and `Success` for 0 with glibc), and `os error code: <code>` without it (and always in the
 * freestanding build).
 */
MEMAPI_API size_t memapi_cause_format(const memapi_cause *c, char *buf, size_t cap);

/**
 * @brief Formats a layout error:
 * - ZERO_SIZE: `size is zero`; ZERO_ALIGN: `alignment is zero`
 * - NON_POW2_ALIGN: `alignment A isn't a power of two`
 * - EXCEEDS_MAX with n == 1: `size S would exceed M when rounded up to a multiple of A`
 * - EXCEEDS_MAX with any other n (0 included): `array with N elements of size S would have its
 *   total size exceed M when rounded up to a multiple of A` (M is MEMAPI_USIZE_MAX_NO_HIGH_BIT)
 * - ARITH: the arith error text
 * - C_ROUND_UP: alignment A would overflow \`usize\::MAX\` when rounded up to a multiple of P
 *   (P is the pointer size)
 */
MEMAPI_API size_t memapi_layout_err_format(const memapi_layout_err *e, char *buf, size_t cap);

/** @brief Formats an arithmetic error: `arithmetic operation would overflow: L.op(R)`. */
MEMAPI_API size_t memapi_arith_err_format(const memapi_arith_err *e, char *buf, size_t cap);

/**
 * @brief The reference's Debug text of a layout, `Layout { size: S, align: A }` (used in the
 * default-dealloc failure message).
 */
MEMAPI_API size_t memapi_layout_debug_format(memapi_layout l, char *buf, size_t cap);

/** @brief Name of an operation as printed in ArithErr texts (`add` ... `pow`); `?` for a forged value. */
MEMAPI_API const char *memapi_arith_op_name(memapi_arith_op op);

/**
 * @brief The fatal-error hook: called with a complete message when the library must stop the
 * program (a failed `memapi_dealloc`, a violated debug precondition, misuse detected by a hardening
 * allocator). It must not return; if it does, the library aborts anyway.
 */
typedef void (*memapi_fatal_hook)(const char *msg);

/**
 * @brief Installs the fatal-error hook (NULL restores the default) and returns the previous one.
 *
 * This is the library's only global mutable state. The default hook writes `msg` and a newline to
 * stderr and calls abort(); in the freestanding build it executes a trap instruction. Set it once,
 * before other threads use the library: the store is not synchronised.
 */
MEMAPI_API memapi_fatal_hook memapi_set_fatal_hook(memapi_fatal_hook hook);

/** @brief Calls the fatal-error hook with `msg`, then aborts (traps when freestanding). Never returns. */
/*@ requires msg != \null && \valid_read(msg);
    assigns \nothing;
    ensures \false;
*/
MEMAPI_API MEMAPI_NORETURN void memapi_fatal(const char *msg);

/**
 * @brief Debug-only precondition check of the unchecked functions (the reference's
 * `assert_unsafe_precondition!`): unless `NDEBUG` is defined, a false `cond` calls
 * `memapi_fatal("unsafe precondition(s) violated: " msg)`.
 *
 * The unchecked functions state their precondition as an ACSL `requires`, which holds in every
 * build; in a debug build the proof shows this check never fires for a caller that meets it.
 * `cond` is evaluated without short-circuit branches (callers combine tests with `&`), so that no
 * branch of the check is dead code under the precondition.
 */
#ifdef NDEBUG
#define MEMAPI_PRECONDITION(cond, msg) ((void)0)
#else
#define MEMAPI_PRECONDITION(cond, msg) memapi__precondition((cond), "unsafe precondition(s) violated: " msg)

/** @brief The check behind `MEMAPI_PRECONDITION` (internal): returns when `ok`, else `memapi_fatal(msg)`. */
/*@ requires msg != \null && \valid_read(msg);
    assigns \nothing;
    behavior holds:
      assumes ok != 0;
    behavior violated:
      assumes ok == 0;
      ensures \false;
    complete behaviors;
    disjoint behaviors;
*/
static inline void memapi__precondition(int ok, const char *msg)
{
    if (!ok)
        memapi_fatal(msg);
}
#endif

#ifdef __cplusplus
}
#endif

#endif /* MEMAPI2_ERROR_H */
