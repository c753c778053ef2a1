/*
 * The malloc-compatible front end (include/memapi2/cmalloc.h): C's allocation functions over any
 * memapi allocator, the layout kept in a header before the block.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "memapi2/cmalloc.h"
#include "memapi2/arith.h"
#include "internal/error_set.h"

static const char no_header[] = "no memapi_cmalloc header before the pointer";

/* The two words right before the returned pointer. */
typedef struct header {
    size_t size; /* the requested size */
    size_t tag;  /* check value (high bits) | log2(alignment) (low 8 bits) */
} header;

_Static_assert(sizeof(header) <= MEMAPI_CMALLOC_HEADER, "the header fits in front of a malloc block");

/* A fixed mix of the pointer, the size and the alignment's log2 (all three: an overwritten log2 must
 * change the check value too): catches an overwritten header or a foreign pointer, not a forged
 * one (cmalloc.h). */
static size_t tag_of(const void *user, size_t size, unsigned shift)
{
    uint64_t x = (uint64_t)(uintptr_t)user ^ ((uint64_t)size * 0x9E3779B97F4A7C15u) ^
                 ((uint64_t)shift * 0xD6E8FEB86659FD93u);
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9u;
    x ^= x >> 29;
    return ((size_t)x & ~(size_t)0xFF) | (size_t)shift;
}

static unsigned log2_of(size_t pow2)
{
    return (unsigned)__builtin_ctzll((unsigned long long)pow2);
}

static header *header_of(const void *user)
{
    return (header *)(uintptr_t)((uintptr_t)user - sizeof(header));
}

static void *finish_block(void *base, memapi_layout l, size_t size)
{
    /* The header is H = l.align bytes: the user block starts at base + H. */
    unsigned char *user = (unsigned char *)base + l.align;
    header h = {size, tag_of(user, size, log2_of(l.align))};
    memcpy(header_of(user), &h, sizeof h);
    return user;
}

/* The layout of a live block from its header; the block's base in *base. */
static memapi_status block_layout(const void *user, memapi_layout *l, void **base, size_t *size, memapi_error *err)
{
    if (((uintptr_t)user & (MEMAPI_MIN_ALIGN - 1)) != 0)
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, user, "pointer not aligned to its layout");
    header h;
    memcpy(&h, header_of(user), sizeof h);
    unsigned shift = (unsigned)(h.tag & 0xFFu);
    if (shift >= sizeof(size_t) * 8 || ((size_t)1 << shift) < MEMAPI_MIN_ALIGN || h.tag != tag_of(user, h.size, shift))
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, user, no_header);
    size_t align = (size_t)1 << shift;
    /* The tag matched: the pair was valid when it was written (a forgery is the allocator's to catch). */
    memapi_layout whole = {align + h.size, align};
    if (h.size > SIZE_MAX - align || !memapi_layout_is_valid(whole) || (uintptr_t)user < align)
        return memapi__fail_ptr(err, MEMAPI_E_INVALID_POINTER, user, no_header);
    l->size = align + h.size;
    l->align = align;
    *base = (unsigned char *)(uintptr_t)user - align;
    *size = h.size;
    return MEMAPI_OK;
}

memapi_status memapi_cmalloc_layout(size_t size, size_t alignment, memapi_layout *out, memapi_error *err)
{
    if (alignment != 0 && !memapi_is_pow2(alignment))
        return memapi__fail_layout(err, MEMAPI_LE_NON_POW2_ALIGN, 0, alignment, 0);
    size_t align = alignment > MEMAPI_MIN_ALIGN ? alignment : MEMAPI_MIN_ALIGN;
    size_t total = 0;
    if (size > SIZE_MAX - align) /* the sum is not formed: the arithmetic error says why */
        return memapi_checked_op(align, MEMAPI_OP_ADD, size, &total, err);
    total = align + size;
    memapi_layout l = {total, align};
    if (!memapi_layout_is_valid(l))
        return memapi_layout_check(total, align, err);
    out->size = total;
    out->align = align;
    return MEMAPI_OK;
}

bool memapi_cmalloc_is_oom(const memapi_error *err)
{
    if (err == NULL)
        return false;
    switch (err->kind) {
    case MEMAPI_E_ALLOC_FAILED:
    case MEMAPI_E_ARITH:
        return true;
    case MEMAPI_E_LAYOUT:
        return err->layout_err.kind == MEMAPI_LE_EXCEEDS_MAX || err->layout_err.kind == MEMAPI_LE_ARITH;
    default:
        return false;
    }
}

bool memapi_cmalloc_is_misuse(const memapi_error *err)
{
    return err != NULL && (err->kind == MEMAPI_E_INVALID_POINTER || err->kind == MEMAPI_E_LAYOUT_MISMATCH ||
                           err->kind == MEMAPI_E_CORRUPTION);
}

/* errno for a failure: C code sees ENOMEM for what memory could not serve, EINVAL for the rest. */
static int errno_for(const memapi_error *e)
{
    return memapi_cmalloc_is_oom(e) ? ENOMEM : EINVAL;
}

/* The caller may pass err == NULL; errno still needs the kind, so a local error stands in. */
static void *fail_null(memapi_error *err, const memapi_error *local)
{
    if (err != NULL && err != local)
        *err = *local;
    errno = errno_for(local);
    return NULL;
}

/* Every failure here is one C reports as ENOMEM (cmalloc.h): an unrepresentable size or the
 * allocator's refusal. No local error object, so the success path sets none up. */
static void *alloc_aligned(memapi_allocator a, size_t size, size_t alignment, bool zero, memapi_error *err)
{
    memapi_layout l;
    void *base = NULL;
    if (memapi_cmalloc_layout(size, alignment, &l, err) == MEMAPI_OK)
        base = zero ? memapi_zalloc(a, l, err) : memapi_alloc(a, l, err);
    if (base == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    return finish_block(base, l, size);
}

void *memapi_cmalloc_malloc(memapi_allocator a, size_t size, memapi_error *err)
{
    return alloc_aligned(a, size, 0, false, err);
}

void *memapi_cmalloc_calloc(memapi_allocator a, size_t nmemb, size_t size, memapi_error *err)
{
    size_t total;
    if (memapi_checked_op(nmemb, MEMAPI_OP_MUL, size, &total, err) != MEMAPI_OK) {
        errno = ENOMEM;
        return NULL;
    }
    return alloc_aligned(a, total, 0, true, err);
}

memapi_status memapi_cmalloc_try_free(memapi_allocator a, void *ptr, memapi_error *err)
{
    if (ptr == NULL)
        return MEMAPI_OK;
    memapi_layout l;
    void *base;
    size_t size;
    if (block_layout(ptr, &l, &base, &size, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    return memapi_try_dealloc(a, base, l, err);
}

/* Out of line and cold: its buffers are not set up (and zeroed, with -ftrivial-auto-var-init) on
 * every free. */
static __attribute__((noinline, cold)) void free_failed(memapi_allocator a, void *ptr)
{
    memapi_error e;
    if (memapi_cmalloc_try_free(a, ptr, &e) == MEMAPI_OK)
        return; /* cannot happen: the same call failed a moment ago and changed nothing */
    char text[320];
    char msg[400];
    memapi_error_format(&e, text, sizeof text);
    (void)snprintf(msg, sizeof msg, "memapi_cmalloc_free(%p) failed: %s", ptr, text);
    memapi_fatal(msg);
}

void memapi_cmalloc_free(memapi_allocator a, void *ptr)
{
    /* A failed free changes nothing (alloc.h), so asking again with an error object is the same
     * call: the success path needs no error object. */
    if (memapi_cmalloc_try_free(a, ptr, NULL) != MEMAPI_OK)
        free_failed(a, ptr);
}

void *memapi_cmalloc_realloc(memapi_allocator a, void *ptr, size_t size, memapi_error *err)
{
    if (ptr == NULL)
        return memapi_cmalloc_malloc(a, size, err);
    memapi_error local;
    memapi_error *e = &local; /* copied to *err on failure (fail_null) */
    if (size == 0) {
        if (memapi_cmalloc_try_free(a, ptr, e) != MEMAPI_OK)
            return fail_null(err, e);
        return NULL;
    }
    memapi_layout old_l, new_l;
    void *base;
    size_t old_size;
    if (block_layout(ptr, &old_l, &base, &old_size, e) != MEMAPI_OK)
        return fail_null(err, e);
    /* The block's own alignment: a resize never asks for less (no REALLOC_SMALLER_ALIGN). */
    if (memapi_cmalloc_layout(size, old_l.align, &new_l, e) != MEMAPI_OK)
        return fail_null(err, e);
    void *nb = memapi_realloc(a, base, old_l, new_l, e);
    if (nb == NULL)
        return fail_null(err, e);
    return finish_block(nb, new_l, size);
}

void *memapi_cmalloc_reallocarray(memapi_allocator a, void *ptr, size_t nmemb, size_t size, memapi_error *err)
{
    size_t total;
    if (memapi_checked_op(nmemb, MEMAPI_OP_MUL, size, &total, err) != MEMAPI_OK) {
        errno = ENOMEM;
        return NULL;
    }
    return memapi_cmalloc_realloc(a, ptr, total, err);
}

void *memapi_cmalloc_aligned_alloc(memapi_allocator a, size_t alignment, size_t size, memapi_error *err)
{
    if (alignment == 0 || !memapi_is_pow2(alignment)) {
        if (alignment == 0)
            (void)memapi__fail_layout(err, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0);
        else
            (void)memapi__fail_layout(err, MEMAPI_LE_NON_POW2_ALIGN, 0, alignment, 0);
        errno = EINVAL;
        return NULL;
    }
    return alloc_aligned(a, size, alignment, false, err);
}

int memapi_cmalloc_posix_memalign(memapi_allocator a, void **memptr, size_t alignment, size_t size, memapi_error *err)
{
    if (alignment == 0) {
        (void)memapi__fail_layout(err, MEMAPI_LE_ZERO_ALIGN, 0, 0, 0);
        return EINVAL;
    }
    if (!memapi_is_pow2(alignment)) {
        (void)memapi__fail_layout(err, MEMAPI_LE_NON_POW2_ALIGN, 0, alignment, 0);
        return EINVAL;
    }
    if (alignment % sizeof(void *) != 0) {
        (void)memapi__fail_other(err, "posix_memalign: alignment is not a multiple of sizeof(void *)");
        return EINVAL;
    }
    int saved = errno;
    void *p = alloc_aligned(a, size, alignment, false, err);
    errno = saved;
    if (p == NULL)
        return ENOMEM;
    *memptr = p;
    return 0;
}

size_t memapi_cmalloc_usable_size(memapi_allocator a, const void *ptr, memapi_error *err)
{
    if (ptr == NULL)
        return 0;
    memapi_layout l;
    void *base;
    size_t size;
    if (block_layout(ptr, &l, &base, &size, err) != MEMAPI_OK)
        return 0;
    if (a.vt != NULL && a.vt->owns != NULL) {
        memapi_error local;
        if (a.vt->owns(a.self, base, l, &local) != MEMAPI_OK && local.kind != MEMAPI_E_UNSUPPORTED) {
            if (err != NULL)
                *err = local;
            return 0;
        }
    }
    return size;
}
