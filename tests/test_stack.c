/* The stack allocator (spec 5.4, 7.6, 7.8; DESIGN.md decision 3 and the size cap). */
#include <criterion/criterion.h>
#include <string.h>
#include "memapi2.h"

#if MEMAPI_STACK_ALLOC
#define MAX MEMAPI_USIZE_MAX_NO_HIGH_BIT
#define CAP ((size_t)MEMAPI_STACK_ALLOC_MAX)

static memapi_layout L(size_t size, size_t align)
{
    return (memapi_layout){size, align};
}

typedef struct probe {
    int calls;
    void *mem;
    size_t size;
    bool zero;
} probe;

static void probe_cb(void *ctx, void *mem)
{
    probe *p = ctx;
    p->calls++;
    p->mem = mem;
    if (p->size == 0)
        return;
    const unsigned char *b = mem;
    p->zero = true;
    for (size_t i = 0; i < p->size; i++)
        p->zero = p->zero && b[i] == 0;
    memset(mem, 0xA5, p->size); /* every byte must be writable: ASan checks the alloca bounds */
}

Test(stack, alignments_1_to_4096)
{
    for (size_t align = 1; align <= 4096; align <<= 1) {
        probe p = {.size = 8};
        memapi_error e;
        cr_assert_eq(memapi_stack_alloc_temp(L(8, align), probe_cb, &p, &e), MEMAPI_OK, "align %zu", align);
        cr_assert_eq(p.calls, 1, "align %zu: callback ran %d times", align, p.calls);
        cr_assert_eq((uintptr_t)p.mem % align, 0, "align %zu: %p", align, p.mem);
        probe q = {.size = 8};
        cr_assert_eq(memapi_alloc_temp(memapi_stack(), L(8, align), probe_cb, &q, &e), MEMAPI_OK);
        cr_assert_eq(q.calls, 1);
        cr_assert_eq((uintptr_t)q.mem % align, 0, "align %zu via the allocator: %p", align, q.mem);
    }
}

Test(stack, size_zero_passes_the_dangling_pointer)
{
    for (size_t align = 1; align <= 4096; align <<= 1) {
        probe p = {.size = 0};
        cr_assert_eq(memapi_stack_alloc_temp(L(0, align), probe_cb, &p, NULL), MEMAPI_OK);
        cr_assert_eq(p.calls, 1);
        cr_assert_eq(p.mem, (void *)(uintptr_t)align, "align %zu gave %p", align, p.mem);
    }
}

static void expect_cap_error(const memapi_error *e, memapi_layout l)
{
    cr_assert_eq(e->kind, MEMAPI_E_ALLOC_FAILED);
    cr_assert(memapi_layout_eq(e->layout, l), "error layout (%zu, %zu)", e->layout.size, e->layout.align);
    cr_assert_eq(e->cause.kind, MEMAPI_CAUSE_OTHER);
    cr_assert_str_eq(e->cause.msg, "request exceeds the stack allocator's size cap");
}

Test(stack, size_cap_counts_size_plus_align_minus_one)
{
    cr_assert_eq(CAP, 64u * 1024u, "documented default");
    memapi_error e;
    probe p = {.size = CAP};
    cr_assert_eq(memapi_stack_alloc_temp(L(CAP, 1), probe_cb, &p, &e), MEMAPI_OK, "exactly the cap is allowed");
    cr_assert_eq(p.calls, 1);
    probe q = {.size = CAP - 4095};
    cr_assert_eq(memapi_stack_alloc_temp(L(CAP - 4095, 4096), probe_cb, &q, &e), MEMAPI_OK);
    cr_assert_eq(q.calls, 1);
    cr_assert_eq((uintptr_t)q.mem % 4096, 0);

    const memapi_layout over[] = {L(CAP + 1, 1), L(CAP - 4094, 4096), L(CAP, 2), L(MAX, 1), L(MAX - 4095, 4096),
                                  L(1, (size_t)1 << 20)};
    for (size_t i = 0; i < sizeof over / sizeof over[0]; i++) {
        probe r = {.size = 1};
        cr_assert_eq(memapi_stack_alloc_temp(over[i], probe_cb, &r, &e), MEMAPI_ERROR, "case %zu", i);
        expect_cap_error(&e, over[i]);
        cr_assert_eq(r.calls, 0, "case %zu: the callback ran", i);
        cr_assert_eq(memapi_zalloc_temp(memapi_stack(), over[i], probe_cb, &r, &e), MEMAPI_ERROR);
        expect_cap_error(&e, over[i]);
        cr_assert_eq(r.calls, 0);
    }
    char buf[160];
    memapi_error_format(&e, buf, sizeof buf);
    cr_assert_str_eq(buf, "allocation failed: Layout(size: 1, align: 1048576), cause: request exceeds the stack "
                          "allocator's size cap");
}

static void dirty_cb(void *ctx, void *mem)
{
    memset(mem, 0xFF, *(size_t *)ctx);
}

Test(stack, zalloc_temp_zeroes)
{
    const memapi_layout ls[] = {L(64, 64), L(200, 8), L(4096, 4096), L(1, 1)};
    for (size_t i = 0; i < sizeof ls / sizeof ls[0]; i++) {
        size_t n = ls[i].size;
        cr_assert_eq(memapi_alloc_temp(memapi_stack(), ls[i], dirty_cb, &n, NULL), MEMAPI_OK);
        probe p = {.size = n};
        cr_assert_eq(memapi_zalloc_temp(memapi_stack(), ls[i], probe_cb, &p, NULL), MEMAPI_OK);
        cr_assert_eq(p.calls, 1);
        cr_assert(p.zero, "(%zu, %zu) not zeroed", ls[i].size, ls[i].align);
        cr_assert_eq((uintptr_t)p.mem % ls[i].align, 0);
    }
}

Test(stack, forged_layout_and_null_callback)
{
    memapi_error e;
    probe p = {.size = 8};
    cr_assert_eq(memapi_stack_alloc_temp(L(8, 12), probe_cb, &p, &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_LAYOUT);
    cr_assert_eq(e.layout_err.kind, MEMAPI_LE_NON_POW2_ALIGN);
    cr_assert_eq(e.layout_err.align, 12);
    cr_assert_eq(memapi_stack_alloc_temp(L(MAX, 2), probe_cb, &p, &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_LAYOUT);
    cr_assert_eq(e.layout_err.kind, MEMAPI_LE_EXCEEDS_MAX);
    cr_assert_eq(memapi_stack_alloc_temp(L(8, 8), NULL, &p, &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_INVALID_POINTER);
    cr_assert_str_eq(e.msg, "null callback");
    cr_assert_eq(p.calls, 0);
}

Test(stack, heap_operations_are_unsupported)
{
    memapi_allocator a = memapi_stack();
    memapi_error e;
    cr_assert_null(memapi_alloc(a, L(8, 8), &e));
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
    cr_assert_null(memapi_zalloc(a, L(8, 8), &e));
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
    static unsigned char block[16];
    cr_assert_eq(memapi_try_dealloc(a, block, L(16, 1), &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
    cr_assert_null(memapi_grow(a, block, L(16, 1), L(32, 1), &e));
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
    cr_assert_str_eq(a.vt->name, "stack");
}

/* The memory belongs to a frame that is gone after the call: two calls in a row reuse the stack. */
Test(stack, memory_is_released_after_each_call)
{
    probe first = {.size = 1024};
    probe second = {.size = 1024};
    cr_assert_eq(memapi_stack_alloc_temp(L(1024, 16), probe_cb, &first, NULL), MEMAPI_OK);
    for (int i = 0; i < 10000; i++) /* 10 MB in total: would overflow an 8 MB stack if it piled up */
        cr_assert_eq(memapi_stack_alloc_temp(L(1024, 16), probe_cb, &second, NULL), MEMAPI_OK);
    cr_assert_eq(second.calls, 10000);
    cr_assert_eq(first.mem, second.mem);
}
#endif /* MEMAPI_STACK_ALLOC */
