/*
 * The OS description of an errno value, for `os error: ... (os error N)` texts. Kept apart from
 * error.c because it is the error module's only libc dependency. The XSI strerror_r is requested
 * explicitly: glibc's GNU variant (returned char *) is selected by _GNU_SOURCE, which we never set.
 */
#define _POSIX_C_SOURCE 200809L
#include <string.h>
#include "memapi2/config.h"
#include "internal/acsl.h"
#include "internal/error_set.h"
#include "internal/os.h"

#if MEMAPI_OS_ERR_REPORTING
size_t memapi__os_strerror(int code, char *buf, size_t cap)
{
    if (cap == 0)
        return 0;
    buf[0] = '\0';
    int rc = MEMAPI_OS(strerror_r)(code, buf, cap);
    /* POSIX leaves the buffer's contents unspecified when strerror_r fails (ERANGE: too small):
       the text is cut at cap - 1 whatever the libc wrote. */
    buf[cap - 1] = '\0';
    if (rc != 0 && buf[0] == '\0') {
        /* Unknown codes: glibc already writes "Unknown error N" (kept); other libcs may not. A local
           array, not a static one: the proof then needs no hypothesis that buf does not overlap it. */
        const char unknown_text[] = "Unknown error";
        size_t i = 0;
        /*@ loop invariant 0 <= i <= cap - 1 && i < sizeof(unknown_text);
            loop invariant \forall integer j; 0 <= j < i ==> buf[j] == unknown_text[j] && buf[j] != '\0';
            loop invariant buf[cap - 1] == '\0';
            loop assigns i, buf[0 .. cap - 2];
            loop variant cap - i; */
        for (; i + 1 < cap && unknown_text[i]; i++)
            buf[i] = unknown_text[i];
        buf[i] = '\0';
    }
    return strlen(buf);
}
#endif
