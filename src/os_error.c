/*
 * The OS description of an errno value, for `os error: ... (os error N)` texts. Kept apart from
 * error.c because it is the error module's only libc dependency. The XSI strerror_r is requested
 * explicitly: glibc's GNU variant (returned char *) is selected by _GNU_SOURCE, which we never set.
 */
#define _POSIX_C_SOURCE 200809L
#include <string.h>
#include "memapi2/config.h"
#include "internal/error_set.h"

#if MEMAPI_OS_ERR_REPORTING
size_t memapi__os_strerror(int code, char *buf, size_t cap)
{
    if (cap == 0)
        return 0;
    buf[0] = '\0';
    if (strerror_r(code, buf, cap) != 0 && buf[0] == '\0') {
        /* Unknown codes: glibc already writes "Unknown error N" (kept); other libcs may not. */
        static const char unknown[] = "Unknown error";
        size_t i = 0;
        for (; i + 1 < cap && unknown[i]; i++)
            buf[i] = unknown[i];
        buf[i] = '\0';
    }
    return strlen(buf);
}
#endif
