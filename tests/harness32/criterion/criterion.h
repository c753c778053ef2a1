/*
 * The part of Criterion's interface that the core's tests use, for the 32-bit run (make test-32,
 * mk/test32.mk): Debian ships no 32-bit Criterion next to the 64-bit one. The project's own code,
 * written to the same semantics: Test(suite, name[, .signal = S][, .exit_code = C]) registers a
 * test; runner.c runs each in a forked child and prints Criterion's synthesis line. A failed
 * cr_assert* prints where and why and ends the test as failed.
 */
#ifndef MEMAPI2_HARNESS32_CRITERION_H
#define MEMAPI2_HARNESS32_CRITERION_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct cr32_extra {
    int unused_; /* lets Test() without options expand to a non-empty initialiser */
    int signal;
    int exit_code;
};

struct cr32_test {
    const char *suite;
    const char *name;
    void (*fn)(void);
    struct cr32_extra extra;
    struct cr32_test *next;
};

void cr32_register(struct cr32_test *t);
__attribute__((noreturn, format(printf, 4, 5))) void cr32_fail(const char *file, int line, const char *expr,
                                                              const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void cr32_log(const char *fmt, ...);

#define Test(suite, name, ...)                                                                          \
    static void suite##_##name##_impl(void);                                                           \
    static struct cr32_test suite##_##name##_test = {#suite, #name, suite##_##name##_impl,             \
                                                     {.unused_ = 0, ##__VA_ARGS__}, NULL};              \
    __attribute__((constructor)) static void suite##_##name##_register(void)                           \
    {                                                                                                   \
        cr32_register(&suite##_##name##_test);                                                         \
    }                                                                                                   \
    static void suite##_##name##_impl(void)

/* The message arguments are optional, as in Criterion: " " keeps the format string non-empty. */
#define cr_assert(cond, ...)                                                                            \
    do {                                                                                                \
        if (!(cond))                                                                                    \
            cr32_fail(__FILE__, __LINE__, #cond, " " __VA_ARGS__);                                     \
    } while (0)
#define cr_assert_not(cond, ...) cr_assert(!(cond), __VA_ARGS__)
#define cr_assert_eq(a, b, ...) cr_assert((a) == (b), __VA_ARGS__)
#define cr_assert_neq(a, b, ...) cr_assert((a) != (b), __VA_ARGS__)
#define cr_assert_lt(a, b, ...) cr_assert((a) < (b), __VA_ARGS__)
#define cr_assert_leq(a, b, ...) cr_assert((a) <= (b), __VA_ARGS__)
#define cr_assert_gt(a, b, ...) cr_assert((a) > (b), __VA_ARGS__)
#define cr_assert_geq(a, b, ...) cr_assert((a) >= (b), __VA_ARGS__)
#define cr_assert_null(p, ...) cr_assert((p) == NULL, __VA_ARGS__)
#define cr_assert_not_null(p, ...) cr_assert((p) != NULL, __VA_ARGS__)
#define cr_assert_str_eq(a, b, ...)                                                                     \
    do {                                                                                                \
        const char *cr32_l = (a), *cr32_r = (b);                                                        \
        if (strcmp(cr32_l, cr32_r) != 0) {                                                              \
            cr32_log("  left:  \"%s\"\n  right: \"%s\"", cr32_l, cr32_r);                              \
            cr32_fail(__FILE__, __LINE__, "strcmp(" #a ", " #b ") == 0", " " __VA_ARGS__);              \
        }                                                                                               \
    } while (0)
#define cr_assert_fail(...) cr32_fail(__FILE__, __LINE__, "cr_assert_fail", " " __VA_ARGS__)
#define cr_log_error(...) cr32_log(__VA_ARGS__)

#endif /* MEMAPI2_HARNESS32_CRITERION_H */
