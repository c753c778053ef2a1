/*
 * Internal: byte copy and zeroing. The hosted build uses the libc routines (fast, fortified); the
 * freestanding core must not reference libc, so it uses plain loops, which the freestanding flags
 * stop the compiler from turning back into memset/memcpy calls.
 */
#ifndef MEMAPI_INTERNAL_MEM_H
#define MEMAPI_INTERNAL_MEM_H

#include <stddef.h>
#include "memapi2/config.h"

/*
 * For a local buffer that is fully written before it is read: exempts it from
 * -ftrivial-auto-var-init, which would otherwise fill large arrays with a memset call (clang's
 * pattern init always, gcc's zero init at -Os on 32-bit ARM), a libc reference the freestanding
 * core must not have.
 */
#if defined(__has_attribute)
#if __has_attribute(uninitialized)
#define MEMAPI__NO_AUTO_INIT __attribute__((uninitialized))
#endif
#endif
#ifndef MEMAPI__NO_AUTO_INIT
#define MEMAPI__NO_AUTO_INIT
#endif

#if MEMAPI_FREESTANDING
static inline void memapi__zero(void *dst, size_t n)
{
    char *d = (char *)dst;
    for (size_t i = 0; i < n; i++)
        d[i] = 0;
}

static inline void memapi__copy(void *dst, const void *src, size_t n)
{
    char *d = (char *)dst;
    const char *s = (const char *)src;
    for (size_t i = 0; i < n; i++)
        d[i] = s[i];
}
#else
#include <string.h>
static inline void memapi__zero(void *dst, size_t n)
{
    memset(dst, 0, n);
}

static inline void memapi__copy(void *dst, const void *src, size_t n)
{
    memcpy(dst, src, n);
}
#endif

#endif
