/**
 * @file memapi2/config.h
 * @brief Compile-time options and the attribute macros used by every public header.
 *
 * Every option is a macro that is either 0 or 1 and may be set with `-D` (or with the
 * GNUmakefile variable of the same name without the `MEMAPI_` prefix, e.g. `make OS_ERR_REPORTING=0`).
 * The default build turns on everything the platform supports. `MEMAPI_FREESTANDING=1` (the
 * reference's `no_alloc`) builds only the core (layout, arithmetic, errors, allocator dispatch and
 * the bump arena) with no libc, and forces the options that need libc to 0.
 *
 * | option                     | default | meaning |
 * |----------------------------|---------|---------|
 * | MEMAPI_FREESTANDING        | 0       | core only, `-ffreestanding`, no libc symbol referenced |
 * | MEMAPI_OS_ERR_REPORTING    | 1       | heap failures capture errno as `os error` causes, and the OS description is printed |
 * | MEMAPI_C_ALLOC             | 1       | the c_alloc allocator (posix_memalign-style, reference `CAlloc`) |
 * | MEMAPI_ALLOC_TEMP          | 1       | scoped allocation (`memapi_alloc_temp`, `memapi_zalloc_temp`) |
 * | MEMAPI_STACK_ALLOC         | 1       | the stack allocator (implies MEMAPI_ALLOC_TEMP) |
 * | MEMAPI_CHECKED_OPS         | 1       | the `memapi_checked_*` operations built on `owns` |
 */
#ifndef MEMAPI2_CONFIG_H
#define MEMAPI2_CONFIG_H

/* @MEMAPI_BUILD_OPTIONS@ (make install replaces this line with the options the installed library
 * was built with: a consumer then sees the same configuration, and a conflicting -D is an error.) */

#ifndef MEMAPI_FREESTANDING
/** 1: the freestanding core only, no libc (reference `no_alloc`); forces the libc options to 0. */
#define MEMAPI_FREESTANDING 0
#endif

#if MEMAPI_FREESTANDING
#undef MEMAPI_OS_ERR_REPORTING
#define MEMAPI_OS_ERR_REPORTING 0
#undef MEMAPI_C_ALLOC
#define MEMAPI_C_ALLOC 0
#undef MEMAPI_STACK_ALLOC
#define MEMAPI_STACK_ALLOC 0
#endif

#ifndef MEMAPI_OS_ERR_REPORTING
/** 1: heap failures capture errno as `os error` causes, and error texts include the OS description. */
#define MEMAPI_OS_ERR_REPORTING 1
#endif
#ifndef MEMAPI_C_ALLOC
/** 1: the c_alloc allocator (posix_memalign-style, reference `CAlloc`). */
#define MEMAPI_C_ALLOC 1
#endif
#ifndef MEMAPI_STACK_ALLOC
/** 1: the stack allocator (reference `StackAlloc`); implies MEMAPI_ALLOC_TEMP. */
#define MEMAPI_STACK_ALLOC 1
#endif
#ifndef MEMAPI_ALLOC_TEMP
/** 1: scoped allocation (`memapi_alloc_temp`, `memapi_zalloc_temp`). */
#define MEMAPI_ALLOC_TEMP 1
#endif
/** @cond MEMAPI_INTERNAL */
#if MEMAPI_STACK_ALLOC
#undef MEMAPI_ALLOC_TEMP
#define MEMAPI_ALLOC_TEMP 1
#endif
/** @endcond */
#ifndef MEMAPI_CHECKED_OPS
/** 1: the `memapi_checked_*` operations, which check ownership through `owns` first. */
#define MEMAPI_CHECKED_OPS 1
#endif

/** Warn when a caller ignores the returned status (`warn_unused_result`). */
#if defined(__GNUC__) || defined(__clang__)
#define MEMAPI_NODISCARD __attribute__((warn_unused_result))
#else
#define MEMAPI_NODISCARD
#endif

/** Marks a symbol exported from the shared library (everything else is hidden). */
#if defined(__GNUC__) || defined(__clang__)
#define MEMAPI_API __attribute__((visibility("default")))
#else
#define MEMAPI_API
#endif

/** Branch hint: `x` is usually true (fast paths of the inline constructors). */
#if defined(__GNUC__) || defined(__clang__)
#define MEMAPI_LIKELY(x) __builtin_expect(!!(x), 1)
/** Branch hint: `x` is usually false. */
#define MEMAPI_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define MEMAPI_LIKELY(x) (x)
#define MEMAPI_UNLIKELY(x) (x)
#endif

/** A function that never returns (the fatal-error path). */
#if defined(__GNUC__) || defined(__clang__)
#define MEMAPI_NORETURN __attribute__((noreturn))
#else
#define MEMAPI_NORETURN _Noreturn
#endif

#endif /* MEMAPI2_CONFIG_H */
