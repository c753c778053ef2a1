/* The default allocator: the platform heap (reference DefaultAlloc / System; docs/design.md section 4). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>
#include "memapi2/default.h"
#include "internal/error_set.h"
#include "internal/os.h"

/* No interprocedural change of a function's arguments (GCC's constant propagation would drop the
   reporting functions' unused `self` and move the others back into other registers). */
#if defined(__GNUC__) && !defined(__clang__)
#define KEEP_ARGS __attribute__((noinline, noipa))
#else
#define KEEP_ARGS __attribute__((noinline))
#endif

/* The malloc family can serve this layout without posix_memalign (reference rely_on_min_align). */
static inline bool malloc_can_serve(memapi_layout l)
{
    /* Two compare-and-branch pairs (as one condition, GCC computed min(align, MIN_ALIGN) first). */
    if (MEMAPI_UNLIKELY(l.align > MEMAPI_MIN_ALIGN))
        return false;
    return l.size >= l.align;
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
 * The over-aligned path, out of line. On glibc, memalign: what posix_memalign does, without the
 * out-parameter that makes a function keep a stack slot and the stack protector's canary (about 15
 * instructions a call). Elsewhere posix_memalign (memalign is not POSIX; nor aligned_alloc, which
 * C11 and sanitizer runtimes may refuse for a size that is not a multiple of the alignment). Both
 * raise an alignment below the pointer size, which the layout never needs: the block is aligned
 * to more than it asked for.
 */
static KEEP_ARGS void *heap_alloc_aligned(void *self, memapi_layout l, memapi_error *err)
{
    (void)self;
#if defined(__GLIBC__)
    void *p = MEMAPI_OS(memalign)(l.align, l.size);
    if (p == NULL)
        return fail_os(l, errno, err);
#else
    void *p = NULL;
    int code = MEMAPI_OS(posix_memalign)(&p, l.align < sizeof(void *) ? sizeof(void *) : l.align, l.size);
    if (code != 0)
        return fail_os(l, code, err);
#endif
    return p;
}

static __attribute__((noinline)) void *heap_zalloc_aligned(void *self, memapi_layout l, memapi_error *err)
{
    void *p = heap_alloc_aligned(self, l, err);
    if (p != NULL)
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
 * the call. One function per kind, so that neither tests which it is. They take the entry's
 * arguments in the entry's registers (`self` unused), so that the entry jumps to them as it was
 * called.
 */
static KEEP_ARGS void *heap_malloc_reporting(void *self, memapi_layout l, memapi_error *err)
{
    (void)self;
    void *p = MEMAPI_OS(malloc)(l.size);
    if (p == NULL)
        return fail_os(l, errno, err);
    return p;
}

static KEEP_ARGS void *heap_calloc_reporting(void *self, memapi_layout l, memapi_error *err)
{
    (void)self;
    void *p = MEMAPI_OS(calloc)(1, l.size);
    if (p == NULL)
        return fail_os(l, errno, err);
    return p;
}

/*
 * Every path ends in a tail call, so that the entries keep no frame: without an error to fill,
 * malloc's (calloc's) result is the answer as it stands.
 */
static inline void *heap_alloc(void *self, memapi_layout l, bool zero, memapi_error *err)
{
    /* malloc_can_serve excludes size 0 (align >= 1 > size), so the common path tests it once. */
    if (MEMAPI_LIKELY(malloc_can_serve(l))) {
        if (zero)
            return err != NULL ? heap_calloc_reporting(self, l, err) : MEMAPI_OS(calloc)(1, l.size);
        return err != NULL ? heap_malloc_reporting(self, l, err) : MEMAPI_OS(malloc)(l.size);
    }
    if (l.size == 0)
        return dangling(l);
    return zero ? heap_zalloc_aligned(self, l, err) : heap_alloc_aligned(self, l, err);
}

static void *default_alloc(void *self, memapi_layout l, memapi_error *err)
{
    return heap_alloc(self, l, false, err);
}

static void *default_zalloc(void *self, memapi_layout l, memapi_error *err)
{
    return heap_alloc(self, l, true, err);
}

static memapi_status default_try_dealloc(void *self, void *ptr, memapi_layout l, memapi_error *err)
{
    (void)self;
    (void)err;
    if (MEMAPI_LIKELY(l.size != 0 && ptr != dangling(l)))
        MEMAPI_OS(free)(ptr);
    return MEMAPI_OK;
}

/*
 * free cannot fail: memapi_dealloc calls this entry and needs no error object (alloc.h). It never
 * gets the layout's dangling pointer (the entry's contract), but it may get another pointer with a
 * size-0 layout, which this allocator never hands out (its size-0 blocks are the dangling
 * pointer): a no-op, as in try_dealloc (docs/design.md D3). Freeing it would free whatever block
 * the pointer is, and that block's own dealloc would then be a double free.
 */
static void default_dealloc(void *self, void *ptr, memapi_layout l)
{
    (void)self;
    if (MEMAPI_LIKELY(l.size != 0))
        MEMAPI_OS(free)(ptr);
}

/*
 * The resize entries only test and jump: each path is a function that takes the entry's own
 * arguments in the entry's registers (KEEP_ARGS), so that the entry moves no argument. (Written as
 * one function with tail calls of realloc and of these, the entry shuffled six registers.)
 */
#define RESIZE_ARGS void *self, void *ptr, memapi_layout old_l, memapi_layout new_l, memapi_error *err

/* The library's allocate-copy-free path, for what realloc cannot do (size 0, over-aligned). */
static KEEP_ARGS void *resize_by_copy(RESIZE_ARGS)
{
    (void)self;
    return memapi_default_resize(memapi_default(), ptr, old_l, new_l, false, err);
}

static KEEP_ARGS void *zresize_by_copy(RESIZE_ARGS)
{
    (void)self;
    return memapi_default_resize(memapi_default(), ptr, old_l, new_l, true, err);
}

/* realloc with an error to fill: the new layout and err are kept across it. */
static KEEP_ARGS void *heap_realloc_reporting(RESIZE_ARGS)
{
    (void)self;
    (void)old_l;
    void *p = MEMAPI_OS(realloc)(ptr, new_l.size);
    if (p == NULL)
        return fail_os(new_l, errno, err);
    return p;
}

/* realloc without an error to fill: realloc's result as it stands. */
static KEEP_ARGS void *heap_realloc(RESIZE_ARGS)
{
    (void)self;
    (void)old_l;
    (void)err;
    return MEMAPI_OS(realloc)(ptr, new_l.size);
}

/* realloc with the new tail to zero (and an error to fill). */
static KEEP_ARGS void *heap_realloc_zero(RESIZE_ARGS)
{
    (void)self;
    void *p = MEMAPI_OS(realloc)(ptr, new_l.size);
    if (p == NULL)
        return fail_os(new_l, errno, err);
    if (new_l.size > old_l.size)
        memset((char *)p + old_l.size, 0, new_l.size - old_l.size);
    return p;
}

/*
 * realloc serves the resize when malloc could serve the new layout (which excludes a new size 0)
 * and the old block is not size 0 (the dangling pointer, which realloc must not see).
 */
static inline bool realloc_can_serve(memapi_layout old_l, memapi_layout new_l)
{
    /* One compare-and-branch each (as a whole condition, GCC computed two flags and tested both). */
    if (MEMAPI_UNLIKELY(old_l.size == 0))
        return false;
    if (MEMAPI_UNLIKELY(new_l.align > MEMAPI_MIN_ALIGN))
        return false;
    return new_l.size >= new_l.align;
}

static void *default_resize(RESIZE_ARGS)
{
    if (MEMAPI_LIKELY(realloc_can_serve(old_l, new_l))) {
        if (MEMAPI_LIKELY(err != NULL))
            return heap_realloc_reporting(self, ptr, old_l, new_l, err);
        return heap_realloc(self, ptr, old_l, new_l, err);
    }
    return resize_by_copy(self, ptr, old_l, new_l, err);
}

static void *default_zresize(RESIZE_ARGS)
{
    if (MEMAPI_UNLIKELY(!realloc_can_serve(old_l, new_l)))
        return zresize_by_copy(self, ptr, old_l, new_l, err);
    return heap_realloc_zero(self, ptr, old_l, new_l, err);
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
