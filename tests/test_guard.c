/*
 * Unit and death tests of include/memapi2/guard.h.
 *
 * Fatal-hook paths (memapi_dealloc of a misused block) are Criterion death tests with
 * `.signal = SIGABRT`: the hook compares the message with the documented text and aborts only when
 * it matches (exits with HOOK_MISMATCHED otherwise), so a wrong text fails the test.
 *
 * Faults on guard pages are checked in a forked child whose standard error goes to a pipe: the
 * test asserts that the child died of SIGSEGV and wrote exactly the documented line. The blocks are
 * allocated before the fork, so the expected text (with the address) is known. This runs under
 * AddressSanitizer, whose own SEGV handler was installed before the guard's: the guard handler must
 * win for its own pages and chain to ASan's for any other fault (tested too).
 */
#define _DEFAULT_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "memapi2/default.h"
#include "memapi2/guard.h"

#ifdef NDEBUG
#error "build the tests without NDEBUG"
#endif

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

#define HOOK_MISMATCHED 43

static memapi_guard G;
static char expected[512];

static memapi_layout L(size_t size, size_t align)
{
    memapi_layout l = {size, align};
    return l;
}

static size_t page_size(void)
{
    return (size_t)sysconf(_SC_PAGESIZE);
}

static memapi_allocator init_with(const memapi_guard_options *o)
{
    memapi_error e;
    cr_assert_eq(memapi_guard_init(&G, o, &e), MEMAPI_OK);
    return memapi_guard_allocator(&G);
}

static memapi_allocator init_default(void)
{
    return init_with(NULL);
}

static void *must_alloc(memapi_allocator a, memapi_layout l)
{
    memapi_error e;
    void *p = memapi_alloc(a, l, &e);
    cr_assert_not_null(p);
    return p;
}

static void text_of(const memapi_error *e, char *buf, size_t cap)
{
    cr_assert_lt(memapi_error_format(e, buf, cap), cap);
}

/* ---- fatal-hook death tests ------------------------------------------------------------------ */

static void abort_if_expected(const char *msg)
{
    if (strcmp(msg, expected) == 0)
        abort();
    fprintf(stderr, "fatal hook got: %s\nexpected:       %s\n", msg, expected);
    _exit(HOOK_MISMATCHED);
}

static void expect_dealloc_fatal(const void *ptr, memapi_layout l, const char *tail)
{
    snprintf(expected, sizeof expected,
             "deallocation of block at 0x%" PRIxPTR " with layout Layout { size: %zu, align: %zu } failed: %s",
             (uintptr_t)ptr, l.size, l.align, tail);
    memapi_set_fatal_hook(abort_if_expected);
}

/* The error text `tail_fmt` (with one PRIxPTR conversion for err_ptr) ends the expected message. */
#define EXPECT_DEALLOC_FATAL(ptr, l, tail_fmt, err_ptr)                    \
    do {                                                                  \
        char tail_[256];                                                  \
        snprintf(tail_, sizeof tail_, tail_fmt, (uintptr_t)(err_ptr));    \
        expect_dealloc_fatal((ptr), (l), tail_);                          \
    } while (0)

Test(guard, double_free_is_fatal, .signal = SIGABRT)
{
    memapi_allocator a = init_default();
    void *p = must_alloc(a, L(16, 8));
    memapi_dealloc(a, p, L(16, 8));
    EXPECT_DEALLOC_FATAL(p, L(16, 8), "invalid pointer 0x%" PRIxPTR ": double free", p);
    memapi_dealloc(a, p, L(16, 8));
}

Test(guard, foreign_free_is_fatal, .signal = SIGABRT)
{
    memapi_allocator a = init_default();
    static _Alignas(16) unsigned char foreign[16];
    EXPECT_DEALLOC_FATAL(foreign, L(16, 8), "invalid pointer 0x%" PRIxPTR ": pointer not owned by this allocator",
                         foreign);
    memapi_dealloc(a, foreign, L(16, 8));
}

Test(guard, interior_free_is_fatal, .signal = SIGABRT)
{
    memapi_allocator a = init_default();
    char *p = must_alloc(a, L(32, 8));
    EXPECT_DEALLOC_FATAL(p + 8, L(16, 8), "invalid pointer 0x%" PRIxPTR ": interior pointer", p + 8);
    memapi_dealloc(a, p + 8, L(16, 8));
}

Test(guard, misaligned_free_is_fatal, .signal = SIGABRT)
{
    memapi_allocator a = init_default();
    char *p = must_alloc(a, L(32, 8));
    EXPECT_DEALLOC_FATAL(p + 1, L(16, 8), "invalid pointer 0x%" PRIxPTR ": pointer not aligned to its layout", p + 1);
    memapi_dealloc(a, p + 1, L(16, 8));
}

Test(guard, mismatched_layout_free_is_fatal, .signal = SIGABRT)
{
    memapi_allocator a = init_default();
    void *p = must_alloc(a, L(32, 8));
    EXPECT_DEALLOC_FATAL(p, L(16, 8),
                         "layout mismatch for block at 0x%" PRIxPTR
                         ": given Layout(size: 16, align: 8), allocated with Layout(size: 32, align: 8)",
                         p);
    memapi_dealloc(a, p, L(16, 8));
}

Test(guard, canary_after_block_is_fatal, .signal = SIGABRT)
{
    memapi_allocator a = init_default();
    char *p = must_alloc(a, L(13, 8)); /* 3 bytes of alignment slack before the guard page */
    p[13] = 0;                         /* the classic off-by-one NUL */
    EXPECT_DEALLOC_FATAL(p, L(13, 8), "memory corruption detected at 0x%" PRIxPTR ": canary overwritten", p);
    memapi_dealloc(a, p, L(13, 8));
}

Test(guard, canary_before_block_is_fatal, .signal = SIGABRT)
{
    memapi_allocator a = init_default();
    char *p = must_alloc(a, L(13, 8));
    p[-1] = 'x';
    EXPECT_DEALLOC_FATAL(p, L(13, 8), "memory corruption detected at 0x%" PRIxPTR ": canary overwritten", p);
    memapi_dealloc(a, p, L(13, 8));
}

Test(guard, resize_of_corrupted_block_fails)
{
    memapi_allocator a = init_default();
    char *p = must_alloc(a, L(13, 8));
    char saved = p[14];
    p[14] = (char)(saved + 1);
    memapi_error e;
    cr_assert_null(memapi_grow(a, p, L(13, 8), L(64, 8), &e));
    cr_assert_eq(e.kind, MEMAPI_E_CORRUPTION);
    cr_assert_eq(memapi_guard_stats(&G).live_blocks, 1); /* the new block was given back */
    p[14] = saved;
    cr_assert_eq(memapi_try_dealloc(a, p, L(13, 8), &e), MEMAPI_OK);
    memapi_guard_destroy(&G);
}

/* ---- SIGSEGV death tests (forked child, stderr captured) ------------------------------------- */

typedef void (*misuse_fn)(volatile char *p);

/* Runs fn(p) in a child with stderr on a pipe; returns the wait status and the captured text. */
static int run_child(misuse_fn fn, volatile char *p, char *out, size_t cap)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], STDERR_FILENO);
        fn(p);
        _exit(0);
    }
    close(fds[1]);
    size_t len = 0;
    ssize_t r;
    while ((r = read(fds[0], out + len, cap - 1 - len)) > 0)
        len += (size_t)r;
    out[len] = '\0';
    close(fds[0]);
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    return status;
}

static void expect_segv_line(misuse_fn fn, volatile char *p, const char *what, const void *block, memapi_layout l)
{
    char want[256], got[4096];
    snprintf(want, sizeof want, "memapi guard: %s block 0x%" PRIxPTR " (Layout(size: %zu, align: %zu))\n", what,
             (uintptr_t)block, l.size, l.align);
    int status = run_child(fn, p, got, sizeof got);
    cr_assert(WIFSIGNALED(status), "child did not die of a signal (status %d); stderr: %s", status, got);
    cr_assert_eq(WTERMSIG(status), SIGSEGV, "child died of signal %d; stderr: %s", WTERMSIG(status), got);
    cr_assert_str_eq(got, want);
}

static void write_byte(volatile char *p)
{
    *p = 1;
}

static void write_word(volatile char *p)
{
    uint64_t v = 0x0102030405060708u;
    memcpy((char *)p, &v, sizeof v);
}

static void read_byte(volatile char *p)
{
    char c = *p;
    (void)c;
}

Test(guard, one_byte_overflow_faults)
{
    memapi_allocator a = init_default();
    char *p = must_alloc(a, L(13, 1)); /* align 1: flush against the guard page */
    expect_segv_line(write_byte, p + 13, "overflow past", p, L(13, 1));
    memapi_guard_destroy(&G);
}

Test(guard, eight_byte_overflow_faults)
{
    memapi_allocator a = init_default();
    char *p = must_alloc(a, L(32, 8));
    expect_segv_line(write_word, p + 32, "overflow past", p, L(32, 8));
    memapi_guard_destroy(&G);
}

Test(guard, underflow_faults_with_guard_before)
{
    memapi_guard_options o = memapi_guard_options_default();
    o.guard_before = 1;
    memapi_allocator a = init_with(&o);
    memapi_layout l = L(page_size(), 16); /* fills its data page: the byte before is the guard */
    char *p = must_alloc(a, l);
    expect_segv_line(write_byte, p - 1, "underflow before", p, l);
    memapi_guard_destroy(&G);
}

Test(guard, write_after_free_faults)
{
    memapi_allocator a = init_default();
    char *p = must_alloc(a, L(64, 16));
    memapi_dealloc(a, p, L(64, 16));
    expect_segv_line(write_byte, p + 5, "use after free of", p, L(64, 16));
    memapi_guard_destroy(&G);
}

Test(guard, read_after_free_faults)
{
    memapi_allocator a = init_default();
    char *p = must_alloc(a, L(64, 16));
    memapi_dealloc(a, p, L(64, 16));
    expect_segv_line(read_byte, p, "use after free of", p, L(64, 16));
    memapi_guard_destroy(&G);
}

Test(guard, other_faults_go_to_the_previous_handler)
{
    memapi_allocator a = init_default();
    char *p = must_alloc(a, L(8, 8));
    void *other = mmap(NULL, page_size(), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(other, MAP_FAILED);
    char got[8192];
    int status = run_child(write_byte, (volatile char *)other, got, sizeof got);
    cr_assert_null(strstr(got, "memapi guard:"), "the guard claimed a fault it does not own: %s", got);
    if (UNDER_ASAN) {
        cr_assert_not_null(strstr(got, "AddressSanitizer: SEGV"), "ASan's handler did not run: %s", got);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) != 0);
    } else {
        cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
    }
    munmap(other, page_size());
    memapi_dealloc(a, p, L(8, 8));
    memapi_guard_destroy(&G);
}

/* ---- structured errors from try_dealloc ------------------------------------------------------ */

Test(guard, try_dealloc_reports_structured_errors)
{
    memapi_allocator a = init_default();
    memapi_error e;
    char text[256], want[256];
    char *p = must_alloc(a, L(32, 8));

    cr_assert_eq(memapi_try_dealloc(a, p, L(24, 8), &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_LAYOUT_MISMATCH);
    cr_assert_eq(e.ptr, p);
    cr_assert(memapi_layout_eq(e.layout, L(24, 8)) && memapi_layout_eq(e.recorded, L(32, 8)));

    cr_assert_eq(memapi_try_dealloc(a, p + 16, L(16, 8), &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_INVALID_POINTER);
    cr_assert_str_eq(e.msg, "interior pointer");

    static _Alignas(8) char foreign[32];
    cr_assert_eq(memapi_try_dealloc(a, foreign, L(32, 8), &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_INVALID_POINTER);
    cr_assert_str_eq(e.msg, "pointer not owned by this allocator");
    cr_assert_eq(e.ptr, foreign);

    cr_assert_eq(memapi_guard_stats(&G).live_blocks, 1, "a failed free must not free");
    cr_assert_eq(memapi_try_dealloc(a, p, L(32, 8), &e), MEMAPI_OK);
    cr_assert_eq(memapi_try_dealloc(a, p, L(32, 8), &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_INVALID_POINTER);
    text_of(&e, text, sizeof text);
    snprintf(want, sizeof want, "invalid pointer 0x%" PRIxPTR ": double free", (uintptr_t)p);
    cr_assert_str_eq(text, want);

    char *q = must_alloc(a, L(13, 8));
    q[15] ^= 1;
    cr_assert_eq(memapi_try_dealloc(a, q, L(13, 8), &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_CORRUPTION);
    text_of(&e, text, sizeof text);
    snprintf(want, sizeof want, "memory corruption detected at 0x%" PRIxPTR ": canary overwritten", (uintptr_t)q);
    cr_assert_str_eq(text, want);
    cr_assert_eq(memapi_guard_stats(&G).live_blocks, 1, "a corrupted block is not freed");
    q[15] ^= 1;
    cr_assert_eq(memapi_try_dealloc(a, q, L(13, 8), &e), MEMAPI_OK);
    memapi_guard_destroy(&G);
}

Test(guard, owns_checks_blocks)
{
    memapi_allocator a = init_default();
    memapi_error e;
    char *p = must_alloc(a, L(40, 8));
    cr_assert_eq(a.vt->owns(a.self, p, L(40, 8), &e), MEMAPI_OK);
    cr_assert_eq(a.vt->owns(a.self, p, L(48, 8), &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_LAYOUT_MISMATCH);
    cr_assert_eq(a.vt->owns(a.self, memapi_layout_dangling(L(0, 8)), L(0, 8), &e), MEMAPI_OK);
    cr_assert_eq(memapi_checked_dealloc(a, p, L(40, 8), &e), MEMAPI_OK);
    cr_assert_eq(a.vt->owns(a.self, p, L(40, 8), &e), MEMAPI_ERROR);
    cr_assert_str_eq(e.msg, "block already freed");
    memapi_guard_destroy(&G);
}

/* ---- normal behaviour ------------------------------------------------------------------------ */

Test(guard, alloc_places_blocks_flush_and_aligned)
{
    memapi_allocator a = init_default();
    size_t page = page_size();
    for (size_t align = 1; align <= 2 * page; align *= 2) {
        size_t sizes[] = {1, align, 3 * align, align + 1, page + 7};
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
            memapi_layout l = L(sizes[k], align);
            unsigned char *p = must_alloc(a, l);
            cr_assert_eq((uintptr_t)p % align, 0);
            uintptr_t end = (uintptr_t)p + l.size;
            size_t slack = (page - end % page) % page;
            cr_assert_lt(slack, align, "block not flush: size %zu align %zu slack %zu", l.size, align, slack);
            if (l.size % align == 0)
                cr_assert_eq(slack, 0);
            for (size_t i = 0; i < l.size; i++)
                cr_assert_eq(p[i], 0xAA);
            memset(p, 0x11, l.size);
            memapi_dealloc(a, p, l);
        }
    }
    memapi_guard_destroy(&G);
}

Test(guard, fill_byte_option_and_zalloc)
{
    memapi_guard_options o = memapi_guard_options_default();
    o.fill_byte = 0x5C;
    memapi_allocator a = init_with(&o);
    memapi_error e;
    unsigned char *p = must_alloc(a, L(100, 4));
    for (size_t i = 0; i < 100; i++)
        cr_assert_eq(p[i], 0x5C);
    unsigned char *z = memapi_zalloc(a, L(100, 4), &e);
    cr_assert_not_null(z);
    for (size_t i = 0; i < 100; i++)
        cr_assert_eq(z[i], 0);
    memapi_dealloc(a, p, L(100, 4));
    memapi_dealloc(a, z, L(100, 4));
    memapi_guard_destroy(&G);
}

static void fill_seq(unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(i * 7 + 3);
}

static void assert_seq(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(p[i], (unsigned char)(i * 7 + 3), "byte %zu", i);
}

Test(guard, resizes_keep_contents_and_alignment)
{
    memapi_allocator a = init_default();
    memapi_error e;
    for (size_t align = 1; align <= 4096; align *= 4) {
        unsigned char *p = must_alloc(a, L(24, align));
        fill_seq(p, 24);
        p = memapi_grow(a, p, L(24, align), L(100, align), &e);
        cr_assert_not_null(p);
        cr_assert_eq((uintptr_t)p % align, 0);
        assert_seq(p, 24);
        p = memapi_zgrow(a, p, L(100, align), L(300, align), &e);
        cr_assert_not_null(p);
        assert_seq(p, 24);
        for (size_t i = 100; i < 300; i++)
            cr_assert_eq(p[i], 0);
        fill_seq(p, 300);
        p = memapi_shrink(a, p, L(300, align), L(50, align), &e);
        cr_assert_not_null(p);
        assert_seq(p, 50);
        p = memapi_realloc(a, p, L(50, align), L(5000, align * 2), &e);
        cr_assert_not_null(p);
        cr_assert_eq((uintptr_t)p % (align * 2), 0);
        assert_seq(p, 50);
        p = memapi_rezalloc(a, p, L(5000, align * 2), L(6000, align * 2), &e);
        cr_assert_not_null(p);
        assert_seq(p, 50);
        for (size_t i = 5000; i < 6000; i++)
            cr_assert_eq(p[i], 0);
        memapi_dealloc(a, p, L(6000, align * 2));
    }
    cr_assert_eq(memapi_guard_stats(&G).live_blocks, 0);
    memapi_guard_destroy(&G);
}

Test(guard, quarantine_depth_is_honoured)
{
    memapi_guard_options o = memapi_guard_options_default();
    o.quarantine = 2;
    memapi_allocator a = init_with(&o);
    size_t page = page_size();
    memapi_error e;
    void *p[4];
    for (int i = 0; i < 4; i++)
        p[i] = must_alloc(a, L(32, 8));
    memapi_guard_statistics s = memapi_guard_stats(&G);
    cr_assert_eq(s.live_blocks, 4);
    cr_assert_eq(s.mapped_bytes, 4 * 2 * page);
    for (int i = 0; i < 4; i++)
        memapi_dealloc(a, p[i], L(32, 8));
    s = memapi_guard_stats(&G);
    cr_assert_eq(s.live_blocks, 0);
    cr_assert_eq(s.quarantined_blocks, 2);
    cr_assert_eq(s.mapped_bytes, 2 * 2 * page);
    /* The two oldest left the quarantine: unmapped, and unknown to the allocator. */
    cr_assert_eq(msync((void *)((uintptr_t)p[0] & ~(uintptr_t)(page - 1)), page, MS_ASYNC), -1);
    cr_assert_eq(errno, ENOMEM);
    cr_assert_eq(memapi_try_dealloc(a, p[1], L(32, 8), &e), MEMAPI_ERROR);
    cr_assert_str_eq(e.msg, "pointer not owned by this allocator");
    cr_assert_eq(memapi_try_dealloc(a, p[2], L(32, 8), &e), MEMAPI_ERROR);
    cr_assert_str_eq(e.msg, "double free");
    cr_assert_eq(memapi_try_dealloc(a, p[3], L(32, 8), &e), MEMAPI_ERROR);
    cr_assert_str_eq(e.msg, "double free");
    memapi_guard_destroy(&G);
}

Test(guard, quarantine_zero_unmaps_at_once)
{
    memapi_guard_options o = memapi_guard_options_default();
    o.quarantine = 0;
    memapi_allocator a = init_with(&o);
    void *p = must_alloc(a, L(32, 8));
    memapi_dealloc(a, p, L(32, 8));
    memapi_guard_statistics s = memapi_guard_stats(&G);
    cr_assert_eq(s.quarantined_blocks, 0);
    cr_assert_eq(s.mapped_bytes, 0);
    memapi_guard_destroy(&G);
}

Test(guard, sampling_guards_every_nth_allocation)
{
    memapi_guard_options o = memapi_guard_options_default();
    o.sample_every = 3;
    o.fallback = memapi_default();
    memapi_allocator a = init_with(&o);
    memapi_error e;
    void *p[7];
    for (int i = 0; i < 7; i++) {
        p[i] = must_alloc(a, L(32, 8));
        memapi_status owned = a.vt->owns(a.self, p[i], L(32, 8), &e);
        if (i % 3 == 0) {
            cr_assert_eq(owned, MEMAPI_OK, "allocation %d should be guarded", i);
        } else {
            cr_assert_eq(owned, MEMAPI_ERROR);
            cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED, "allocation %d should be the fallback's", i);
        }
    }
    memapi_guard_statistics s = memapi_guard_stats(&G);
    cr_assert_eq(s.guarded_allocs, 3);
    cr_assert_eq(s.sampled_out_allocs, 4);
    cr_assert_eq(s.live_blocks, 3);
    for (int i = 0; i < 7; i++)
        memapi_dealloc(a, p[i], L(32, 8));
    cr_assert_eq(memapi_guard_stats(&G).live_blocks, 0);
    cr_assert_eq(memapi_guard_stats(&G).quarantined_blocks, 3);
    memapi_guard_destroy(&G);
}

Test(guard, stats_and_destroy_unmap_everything)
{
    memapi_guard_options o = memapi_guard_options_default();
    o.guard_before = 1;
    memapi_allocator a = init_with(&o);
    size_t page = page_size();
    void *live = must_alloc(a, L(32, 8));
    void *freed = must_alloc(a, L(5000, 8));
    memapi_dealloc(a, freed, L(5000, 8));
    memapi_guard_statistics s = memapi_guard_stats(&G);
    cr_assert_eq(s.live_blocks, 1);
    cr_assert_eq(s.quarantined_blocks, 1);
    cr_assert_eq(s.guarded_allocs, 2);
    cr_assert_eq(s.sampled_out_allocs, 0);
    cr_assert_eq(s.mapped_bytes, 3 * page + 4 * page);
    memapi_guard_destroy(&G);
    uintptr_t mask = ~(uintptr_t)(page - 1);
    cr_assert_eq(msync((void *)((uintptr_t)live & mask), page, MS_ASYNC), -1);
    cr_assert_eq(msync((void *)((uintptr_t)freed & mask), page, MS_ASYNC), -1);
}

Test(guard, size_zero_maps_nothing)
{
    memapi_allocator a = init_default();
    memapi_error e;
    void *p = memapi_alloc(a, L(0, 64), &e);
    cr_assert_eq((uintptr_t)p, 64);
    cr_assert_eq(memapi_guard_stats(&G).guarded_allocs, 0);
    cr_assert_eq(memapi_try_dealloc(a, p, L(0, 64), &e), MEMAPI_OK);
    memapi_guard_destroy(&G);
}

Test(guard, mmap_failure_is_alloc_failed_with_errno)
{
    memapi_allocator a = init_default();
    memapi_error e;
    memapi_layout huge = L(MEMAPI_USIZE_MAX_NO_HIGH_BIT - 4095, 4096);
    cr_assert_null(memapi_alloc(a, huge, &e));
    cr_assert_eq(e.kind, MEMAPI_E_ALLOC_FAILED);
    cr_assert(memapi_layout_eq(e.layout, huge));
    cr_assert_eq(e.cause.kind, MEMAPI_CAUSE_OS_ERR);
    cr_assert_eq(e.cause.os_errno, ENOMEM);
    memapi_guard_destroy(&G);
}

Test(guard, invalid_options_are_rejected)
{
    memapi_guard g;
    memapi_error e;
    memapi_guard_options o = memapi_guard_options_default();
    o.sample_every = 0;
    cr_assert_eq(memapi_guard_init(&g, &o, &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_OTHER);
    cr_assert_str_eq(e.msg, "guard options: sample_every must be at least 1");
    o = memapi_guard_options_default();
    o.fill_byte = 256;
    cr_assert_eq(memapi_guard_init(&g, &o, &e), MEMAPI_ERROR);
    cr_assert_str_eq(e.msg, "guard options: fill_byte and free_fill must be -1 or 0..255");
    o = memapi_guard_options_default();
    o.guard_after = 65537;
    cr_assert_eq(memapi_guard_init(&g, &o, &e), MEMAPI_ERROR);
    cr_assert_str_eq(e.msg, "guard options: guard_before and guard_after must be at most 65536 pages");
    o = memapi_guard_options_default();
    o.sample_every = 2;
    o.fallback.vt = NULL;
    cr_assert_eq(memapi_guard_init(&g, &o, &e), MEMAPI_ERROR);
    cr_assert_str_eq(e.msg, "guard options: the fallback needs alloc and try_dealloc");
}

Test(guard, many_blocks_grow_the_table)
{
    memapi_guard_options o = memapi_guard_options_default();
    o.quarantine = 0;
    memapi_allocator a = init_with(&o);
    enum { N = 600 };
    static char *p[N];
    for (int i = 0; i < N; i++) {
        p[i] = must_alloc(a, L(16, 16));
        p[i][0] = (char)i;
    }
    cr_assert_eq(memapi_guard_stats(&G).live_blocks, N);
    for (int i = N - 1; i >= 0; i--) {
        cr_assert_eq(p[i][0], (char)i);
        memapi_dealloc(a, p[i], L(16, 16));
    }
    cr_assert_eq(memapi_guard_stats(&G).live_blocks, 0);
    cr_assert_eq(memapi_guard_stats(&G).mapped_bytes, 0);
    memapi_guard_destroy(&G);
}
