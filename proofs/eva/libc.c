/*
 * Models of the C library and kernel calls the library makes that Frama-C 25's libc does not
 * specify, or specifies in a way Eva does not support (proofs/README.md, "Eva"). Each says no more
 * than POSIX / glibc promise: every outcome the documentation allows is a possible outcome here.
 */
#include "__fc_builtin.h"
#include <errno.h>
#include <stdlib.h>

/* glibc memalign: a block of `size` bytes aligned to `alignment` (a power of two: the only callers
 * pass a layout's), or NULL with errno ENOMEM. Eva's heap blocks have no address, so alignment is
 * nothing Eva could check either way; malloc (Eva's builtin) models a fresh block or NULL. */
void *memalign(size_t alignment, size_t size)
{
    (void)alignment;
    void *p = malloc(size);
    if (p == NULL)
        errno = ENOMEM;
    return p;
}

#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

/* Some error number: POSIX lists the ones a call may fail with, and a library may add its own. */
static int eva_errno(void)
{
    return Frama_C_interval(1, INT_MAX);
}

/*
 * Memory mappings (mmap, munmap, mprotect, madvise). Eva cannot give a block of its own heap an
 * address, and the guard computes with its pool's addresses as integers (page arithmetic,
 * alignment masks): a mapping is therefore placed at an absolute address, in the region
 * EVA_MAP_BASE .. EVA_MAP_BASE + EVA_MAP_BYTES that the stage declares valid
 * (-absolute-valid-range). Placement: each call takes the next page-aligned addresses of the region,
 * whether it succeeds or not. That is one placement POSIX allows, not every one (proofs/README.md,
 * "Eva": what the analysis does not cover). Every call may fail, with some error number.
 * Protection is not modelled: Eva checks that every access is inside a mapping, not that the page
 * is accessible (a guard page's fault is the guard's purpose, not an error of the C program).
 */
#define EVA_PAGE 4096u
#define EVA_MAP_BASE 0x10000000u
#define EVA_MAP_BYTES (4u << 20)
static uintptr_t eva_map_next = EVA_MAP_BASE;

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    (void)addr;
    (void)prot;
    (void)fd;
    (void)off;
    size_t room = EVA_MAP_BASE + EVA_MAP_BYTES - eva_map_next;
    if (len == 0 || len > room - room % EVA_PAGE) {
        errno = len == 0 ? EINVAL : ENOMEM;
        return MAP_FAILED;
    }
    uintptr_t at = eva_map_next;
    eva_map_next += (len + EVA_PAGE - 1) / EVA_PAGE * EVA_PAGE;
    if (Frama_C_interval(0, 1)) {
        errno = eva_errno();
        return MAP_FAILED;
    }
    /* An anonymous mapping reads as zeros (Linux mmap(2): "its contents are initialized to zero";
     * the guard relies on it: a never-used slot's record is SLOT_EMPTY). The region's bytes are
     * otherwise any value for Eva (-absolute-valid-range). A mapping is never placed twice. */
    if ((flags & MAP_ANONYMOUS) != 0)
        memset((void *)at, 0, len);
    return (void *)at;
}

int munmap(void *addr, size_t len)
{
    (void)addr;
    (void)len;
    if (Frama_C_interval(0, 1))
        return 0;
    errno = eva_errno();
    return -1;
}

int mprotect(void *addr, size_t len, int prot)
{
    (void)addr;
    (void)len;
    (void)prot;
    if (Frama_C_interval(0, 1))
        return 0;
    errno = eva_errno();
    return -1;
}

int madvise(void *addr, size_t len, int advice)
{
    (void)addr;
    (void)len;
    (void)advice;
    if (Frama_C_interval(0, 1))
        return 0;
    errno = eva_errno();
    return -1;
}

/* sysconf(_SC_PAGESIZE): the page size of the platform analysed, x86-64 Linux (4 KiB). Other names
 * are not asked. */
long sysconf(int name)
{
    if (name == _SC_PAGESIZE)
        return EVA_PAGE;
    errno = EINVAL;
    return -1;
}

/* getentropy: fills the buffer (at most 256 bytes) with unknown bytes, or fails. */
int getentropy(void *buf, size_t len)
{
    if (len <= 256 && Frama_C_interval(0, 1)) {
        Frama_C_make_unknown(buf, len);
        return 0;
    }
    errno = len > 256 ? EIO : eva_errno();
    return -1;
}

/* pthread_once: the routine runs on the first call only. */
int pthread_once(pthread_once_t *once, void (*routine)(void))
{
    if (once->_fc == 0) {
        once->_fc = 1;
        routine();
    }
    return 0;
}

/* sigaltstack: the current alternate stack (none, or one of some size), installing one may fail. */
int sigaltstack(const stack_t *restrict ss, stack_t *restrict old_ss)
{
    if (old_ss != NULL) {
        old_ss->ss_sp = NULL;
        old_ss->ss_size = 0;
        old_ss->ss_flags = Frama_C_nondet(SS_DISABLE, 0);
    }
    (void)ss;
    if (Frama_C_interval(0, 1))
        return 0;
    errno = eva_errno();
    return -1;
}

/* The XSI strerror_r: some text in the buffer (possibly not terminated when it does not fit), 0 or
 * an error number. */
int strerror_r(int errnum, char *buf, size_t buflen)
{
    (void)errnum;
    Frama_C_make_unknown(buf, buflen);
    return Frama_C_nondet(0, Frama_C_nondet(EINVAL, ERANGE));
}

/* sigaction: the action in place is Frama-C's __fc_sigaction[sig] (which its libc declares and
 * specifies); the call fails for an invalid signal number (EINVAL) and nothing changes then. */
int sigaction(int sig, const struct sigaction *restrict act, struct sigaction *restrict old)
{
    if (sig < 1 || sig > SIGRTMAX || sig == SIGKILL || sig == SIGSTOP) {
        errno = EINVAL;
        return -1;
    }
    if (old != NULL)
        *old = __fc_sigaction[sig];
    if (act != NULL)
        __fc_sigaction[sig] = *act;
    return 0;
}

/* The standard streams: open FILE objects at program start (C11 7.21.3p7), as Frama-C's own
 * stdio.c defines them. */
#include <stdio.h>
FILE __fc_initial_stderr = {.__fc_FILE_id = 2};
FILE *__fc_stderr = &__fc_initial_stderr;

/* posix_memalign: Frama-C's specification (its preconditions are checked at each call) has an
 * `allocates` clause Eva does not support. A fresh block (Eva's heap blocks have no address, so its
 * alignment is nothing Eva could check either way) and 0, or ENOMEM with *memptr left as it was or
 * set to NULL. */
int posix_memalign(void **memptr, size_t alignment, size_t size)
{
    (void)alignment;
    void *p = malloc(size);
    if (p == NULL) {
        if (Frama_C_interval(0, 1))
            *memptr = NULL;
        return ENOMEM;
    }
    *memptr = p;
    return 0;
}
