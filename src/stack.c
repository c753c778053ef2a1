/* The stack allocator: alloca in a library frame that lives as long as the callback (docs/design.md section 4). */
#include "memapi2/config.h"

#if MEMAPI_STACK_ALLOC
#include <alloca.h>
#include <stdalign.h>
#include "memapi2/stack.h"
#include "internal/error_set.h"

#define GUARANTEED_ALIGN alignof(max_align_t)

/*
 * noinline: the alloca must belong to a frame that ends when the callback has returned, never to
 * the caller's frame (where it would live, and pile up, until the caller returns).
 */
__attribute__((noinline)) static void run_on_stack(size_t size, size_t align, memapi_temp_cb cb, void *ctx)
{
    unsigned char *mem;
    if (align > GUARANTEED_ALIGN) {
        /* alloca, not a VLA: the reference's design, and the project builds with -Wvla. */
        // cppcheck-suppress allocaCalled
        unsigned char *raw = alloca(size + (align - 1));
        mem = raw + ((align - ((uintptr_t)raw & (align - 1))) & (align - 1));
    } else {
        // cppcheck-suppress allocaCalled
        mem = alloca(size);
    }
    cb(ctx, mem);
}

memapi_status memapi_stack_alloc_temp(memapi_layout layout, memapi_temp_cb cb, void *ctx, memapi_error *err)
{
    if (memapi_layout_check(layout.size, layout.align, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    if (cb == NULL)
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, NULL, "null callback");
    if (layout.size == 0) {
        cb(ctx, memapi_layout_dangling(layout));
        return MEMAPI_OK;
    }
    if (layout.size > MEMAPI_STACK_ALLOC_MAX || layout.align - 1 > MEMAPI_STACK_ALLOC_MAX - layout.size)
        return memapi__fail_alloc(err, layout, MEMAPI_CAUSE_OTHER, 0,
                                  "request exceeds the stack allocator's size cap");
    run_on_stack(layout.size, layout.align, cb, ctx);
    return MEMAPI_OK;
}

static void *stack_alloc(void *self, memapi_layout layout, memapi_error *err)
{
    (void)self;
    (void)layout;
    memapi__fail(err, MEMAPI_E_UNSUPPORTED);
    return NULL;
}

static memapi_status stack_alloc_temp(void *self, memapi_layout layout, memapi_temp_cb cb, void *ctx,
                                      memapi_error *err)
{
    (void)self;
    return memapi_stack_alloc_temp(layout, cb, ctx, err);
}

const memapi_alloc_vtable memapi_stack_vtable = {
    .name = "stack",
    .caps = MEMAPI_CAP_SHARED,
    .alloc = stack_alloc,
    .zalloc = NULL,
    .try_dealloc = NULL,
    .grow = NULL,
    .zgrow = NULL,
    .shrink = NULL,
    .realloc = NULL,
    .rezalloc = NULL,
    .owns = NULL,
    .alloc_temp = stack_alloc_temp,
};
#else
/* ISO C forbids an empty translation unit. */
typedef int memapi__stack_disabled;
#endif
