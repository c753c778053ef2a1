/* The default allocator: the platform heap (reference DefaultAlloc / System; docs/design.md section 4). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "memapi2/default.h"
#include "internal/error_set.h"

/* The malloc family can serve this layout without posix_memalign (reference rely_on_min_align). */
static bool malloc_can_serve(memapi_layout l)
{
    return l.align <= MEMAPI_MIN_ALIGN && l.size >= l.align;
}

/* Error path: out of line so that the malloc path keeps no frame for it. */
static __attribute__((noinline, cold)) void *fail_os(memapi_layout l, int code, memapi_error *err)
{
#if MEMAPI_OS_ERR_REPORTING
    memapi__fail_alloc(err, l, MEMAPI_CAUSE_OS_ERR, code, NULL);
#else
    (void)code;
    memapi__fail_alloc(err, l, MEMAPI_CAUSE_UNKNOWN, 0, NULL);
#endif
    return NULL;
}

/*
 * The posix_memalign path, out of line: its out-parameter makes the function keep a stack canary
 * (-fstack-protector-strong), which the malloc path below then does not pay for. (Not
 * aligned_alloc, which has no out-parameter: C11 and sanitizer runtimes may refuse a size that is
 * not a multiple of the alignment.)
 */
static __attribute__((noinline)) void *heap_alloc_aligned(memapi_layout l, bool zero, memapi_error *err)
{
    void *p = NULL;
    int code = posix_memalign(&p, l.align < sizeof(void *) ? sizeof(void *) : l.align, l.size);
    if (code != 0)
        return fail_os(l, code, err);
    if (zero)
        memset(p, 0, l.size);
    return p;
}

/* The size-0 result: the layout's dangling pointer (the dispatch validated the layout already). */
static inline void *dangling(memapi_layout l)
{
    return (void *)(uintptr_t)l.align;
}

/*
 * malloc (calloc), filling *err on failure: out of line, as the layout and err must be kept across
 * the call. One function per kind, so that neither tests which it is.
 */
static __attribute__((noinline)) void *heap_malloc_reporting(memapi_layout l, memapi_error *err)
{
    void *p = malloc(l.size);
    if (p == NULL)
        return fail_os(l, errno, err);
    return p;
}

static __attribute__((noinline)) void *heap_calloc_reporting(memapi_layout l, memapi_error *err)
{
    void *p = calloc(1, l.size);
    if (p == NULL)
        return fail_os(l, errno, err);
    return p;
}

/*
 * Every path ends in a tail call, so that the entries keep no frame: without an error to fill,
 * malloc's (calloc's) result is the answer as it stands.
 */
static inline void *heap_alloc(memapi_layout l, bool zero, memapi_error *err)
{
    /* malloc_can_serve excludes size 0 (align >= 1 > size), so the common path tests it once. */
    if (MEMAPI_LIKELY(malloc_can_serve(l))) {
        if (zero)
            return err != NULL ? heap_calloc_reporting(l, err) : calloc(1, l.size);
        return err != NULL ? heap_malloc_reporting(l, err) : malloc(l.size);
    }
    if (l.size == 0)
        return dangling(l);
    return heap_alloc_aligned(l, zero, err);
}

static void *default_alloc(void *self, memapi_layout l, memapi_error *err)
{
    (void)self;
    return heap_alloc(l, false, err);
}

static void *default_zalloc(void *self, memapi_layout l, memapi_error *err)
{
    (void)self;
    return heap_alloc(l, true, err);
}

static memapi_status default_try_dealloc(void *self, void *ptr, memapi_layout l, memapi_error *err)
{
    (void)self;
    (void)err;
    if (MEMAPI_LIKELY(l.size != 0 && ptr != dangling(l)))
        free(ptr);
    return MEMAPI_OK;
}

/* free cannot fail: memapi_dealloc calls this entry and needs no error object (alloc.h). */
static void default_dealloc(void *self, void *ptr, memapi_layout l)
{
    (void)self;
    if (MEMAPI_LIKELY(l.size != 0 && ptr != dangling(l)))
        free(ptr);
}

/* The library's allocate-copy-free path, for what realloc cannot do (size 0, over-aligned). */
static __attribute__((noinline)) void *resize_by_copy(void *ptr, memapi_layout old_l, memapi_layout new_l, bool zero,
                                                      memapi_error *err)
{
    return memapi_default_resize(memapi_default(), ptr, old_l, new_l, zero, err);
}

/* realloc with an error to fill: out of line, as the new layout and err must be kept across it. */
static __attribute__((noinline)) void *heap_realloc_reporting(void *ptr, memapi_layout new_l, memapi_error *err)
{
    void *p = realloc(ptr, new_l.size);
    if (p == NULL)
        return fail_os(new_l, errno, err);
    return p;
}

/* realloc with the new tail to zero (and an error to fill). */
static __attribute__((noinline)) void *heap_realloc_zero(void *ptr, memapi_layout old_l, memapi_layout new_l,
                                                         memapi_error *err)
{
    void *p = realloc(ptr, new_l.size);
    if (p == NULL)
        return fail_os(new_l, errno, err);
    if (new_l.size > old_l.size)
        memset((char *)p + old_l.size, 0, new_l.size - old_l.size);
    return p;
}

/* As heap_alloc: every path is a tail call; a plain resize without an error to fill is realloc itself. */
static inline void *heap_resize(void *ptr, memapi_layout old_l, memapi_layout new_l, bool zero, memapi_error *err)
{
    if (old_l.size == 0 || new_l.size == 0 || !malloc_can_serve(new_l))
        return resize_by_copy(ptr, old_l, new_l, zero, err);
    if (zero)
        return heap_realloc_zero(ptr, old_l, new_l, err);
    return err != NULL ? heap_realloc_reporting(ptr, new_l, err) : realloc(ptr, new_l.size);
}

static void *default_resize(void *self, void *ptr, memapi_layout old_l, memapi_layout new_l, memapi_error *err)
{
    (void)self;
    return heap_resize(ptr, old_l, new_l, false, err);
}

static void *default_zresize(void *self, void *ptr, memapi_layout old_l, memapi_layout new_l, memapi_error *err)
{
    (void)self;
    return heap_resize(ptr, old_l, new_l, true, err);
}

const memapi_alloc_vtable memapi_default_vtable = {
    .name = "default",
    .caps = MEMAPI_CAP_DEALLOC | MEMAPI_CAP_REALLOC | MEMAPI_CAP_SHARED,
    .alloc = default_alloc,
    .zalloc = default_zalloc,
    .try_dealloc = default_try_dealloc,
    .grow = default_resize,
    .zgrow = default_zresize,
    .shrink = default_resize,
    .realloc = default_resize,
    .rezalloc = default_zresize,
    .owns = NULL,
    .alloc_temp = NULL,
    .dealloc = default_dealloc,
};
