/**
 * @file memapi2/type_props.h
 * @brief Type-level layout facts as macros (the reference's `SizedProps`, `Layout::new`,
 * `Layout::array`, `for_value`, and flexible-array-member layouts).
 *
 * C has no zero-size types (GNU empty structs aside), so `MEMAPI_IS_ZST` is almost always 0; the
 * reference's rules for size 0 are kept anyway so that GNU empty structs behave like Rust's ZSTs.
 */
#ifndef MEMAPI2_TYPE_PROPS_H
#define MEMAPI2_TYPE_PROPS_H

#include <stddef.h>
#include <stdint.h>
#include "layout.h"

/*
 * C++ has no `_Alignof` and no compound literals: the macros below use `alignof` and a braced
 * temporary there, so that they work from C++11 on with the same results.
 */
#ifdef __cplusplus
#define MEMAPI__ALIGNOF(T) alignof(T)
#define MEMAPI__LAYOUT_VALUE(size, align) (memapi_layout{(size), (align)})
#else
#define MEMAPI__ALIGNOF(T) _Alignof(T)
#define MEMAPI__LAYOUT_VALUE(size, align) ((memapi_layout){(size), (align)})
#endif

/** Size of `T` in bytes (reference `SizedProps::SZ`). */
#define MEMAPI_SZ(T) sizeof(T)
/** Alignment of `T` (reference `SizedProps::ALN`). */
#define MEMAPI_ALN(T) MEMAPI__ALIGNOF(T)
/** The layout of `T` as a compound literal (reference `Layout::new::<T>()`); always valid. */
#define MEMAPI_LAYOUT_OF(T) MEMAPI__LAYOUT_VALUE(sizeof(T), MEMAPI__ALIGNOF(T))
/** 1 when `T` has size 0 (reference `IS_ZST`). */
#define MEMAPI_IS_ZST(T) (sizeof(T) == 0)
/**
 * Largest element count whose total size stays within MAX (reference `MAX_SLICE_LEN`):
 * `SIZE_MAX` for size 0, otherwise `MAX / sizeof(T)` (u64 gives 1152921504606846975 on 64-bit).
 */
#define MEMAPI_MAX_SLICE_LEN(T) (sizeof(T) == 0 ? SIZE_MAX : MEMAPI_USIZE_MAX_NO_HIGH_BIT / sizeof(T))
/** The non-null, aligned, never-dereferenceable pointer of `T` (address `_Alignof(T)`). */
#define MEMAPI_DANGLING(T) ((T *)(uintptr_t)MEMAPI__ALIGNOF(T))

/**
 * Layout of `n` objects of type `T` (reference `Layout::array::<T>(n)`): evaluates to a
 * `memapi_status`; on success `*(out)` is `(sizeof(T) * n, _Alignof(T))`. Errors as
 * `memapi_layout_array`: `EXCEEDS_MAX(sizeof(T), _Alignof(T), n)`.
 */
#define MEMAPI_LAYOUT_ARRAY(T, n, out, err) memapi_layout_array(sizeof(T), MEMAPI__ALIGNOF(T), (n), (out), (err))

/**
 * Layout of a struct `S` whose flexible array member `member` holds `n` elements:
 * `offsetof(S, member) + n * sizeof(element)` rounded up to `_Alignof(S)`. Evaluates to a
 * `memapi_status`; errors as `memapi_layout_fam` (arithmetic overflow or EXCEEDS_MAX).
 */
#define MEMAPI_LAYOUT_FAM(S, member, n, out, err) \
    memapi_layout_fam(offsetof(S, member), sizeof(((S *)0)->member[0]), MEMAPI__ALIGNOF(S), (n), (out), \
                      (err))

#if defined(__GNUC__) || defined(__clang__)
/**
 * Layout of the object `*(p)` (reference `Layout::for_value` / `for_value_raw` for sized types).
 * Uses `__typeof__`, so it needs gcc or clang. `p` is not evaluated.
 */
#define MEMAPI_LAYOUT_OF_VAL(p) MEMAPI__LAYOUT_VALUE(sizeof(*(p)), MEMAPI__ALIGNOF(__typeof__(*(p))))
#endif

#endif /* MEMAPI2_TYPE_PROPS_H */
