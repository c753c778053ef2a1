/*
 * The seam's table (src/internal/os.h) for the fuzz build, and the stand-ins a harness points it at
 * (fuzz/os_faults.h). Each stand-in counts the call, records its length argument, and either fails
 * as POSIX says the call fails (NULL / MAP_FAILED / -1 with errno set, or the error number returned
 * by posix_memalign and strerror_r) or forwards to the platform function.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <pthread.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include "internal/os.h"
#include "os_faults.h"

/* The platform functions, as the normal build calls them. */
#if defined(__GLIBC__)
#define ALIGNED_CALL .memalign = memalign, .posix_memalign = posix_memalign
#else
#define ALIGNED_CALL .posix_memalign = posix_memalign
#endif
#define PLATFORM_CALLS                                                                                   \
    {                                                                                                  \
        .malloc = malloc, .calloc = calloc, .realloc = realloc, .free = free, ALIGNED_CALL, .mmap = mmap,\
        .mprotect = mprotect, .munmap = munmap, .madvise = madvise, .sysconf = sysconf,                \
        .getentropy = getentropy, .strerror_r = strerror_r,                                            \
        .pthread_mutexattr_init = pthread_mutexattr_init,                                              \
        .pthread_mutexattr_settype = pthread_mutexattr_settype,                                        \
        .pthread_mutex_init = pthread_mutex_init, .pthread_mutex_lock = pthread_mutex_lock,            \
        .pthread_mutex_unlock = pthread_mutex_unlock,                                                  \
    }

static const memapi__os_table platform = PLATFORM_CALLS;

memapi__os_table memapi__os = PLATFORM_CALLS;

static struct {
    os_call call;
    unsigned long nth;
    int code;
    bool every;
    bool fired;
    unsigned long calls[OS_CALL_COUNT];
    size_t len[OS_CALL_COUNT];
    long live_maps;
    long live_heap;
} F = {OS_CALL_COUNT, 0, 0, false, false, {0}, {0}, 0, 0};

/* Counts the call; true (errno set) when it is the one armed to fail. */
static bool fails(os_call c, size_t len)
{
    F.calls[c]++;
    F.len[c] = len;
    if (c != F.call || (!F.every && F.calls[c] != F.nth))
        return false;
    F.fired = true;
    errno = F.code;
    return true;
}

/* A heap block the library now holds (NULL: the call failed). */
static void *held(void *p)
{
    if (p != NULL)
        F.live_heap++;
    return p;
}

static void *s_malloc(size_t n)
{
    return fails(OS_MALLOC, n) ? NULL : held(platform.malloc(n));
}

static void *s_calloc(size_t n, size_t size)
{
    return fails(OS_CALLOC, size) ? NULL : held(platform.calloc(n, size));
}

static void *s_realloc(void *p, size_t n)
{
    if (fails(OS_REALLOC, n))
        return NULL;
    void *r = platform.realloc(p, n);
    /* realloc(NULL, n) allocates; a successful realloc keeps the count (old block out, new in) */
    if (p == NULL && r != NULL)
        F.live_heap++;
    return r;
}

static void s_free(void *p)
{
    F.calls[OS_FREE]++;
    if (p != NULL)
        F.live_heap--;
    platform.free(p);
}

#if defined(__GLIBC__)
static void *s_memalign(size_t align, size_t n)
{
    return fails(OS_MEMALIGN, n) ? NULL : held(platform.memalign(align, n));
}
#endif

static int s_posix_memalign(void **out, size_t align, size_t n)
{
    /* posix_memalign returns the error number and leaves errno (and *out) alone */
    int saved = errno;
    if (fails(OS_POSIX_MEMALIGN, n)) {
        errno = saved;
        return F.code;
    }
    int r = platform.posix_memalign(out, align, n);
    if (r == 0)
        F.live_heap++;
    return r;
}

/* The pthread calls return the error number; errno is left alone. */
static int returned(os_call c)
{
    int saved = errno;
    bool failed = fails(c, 0);
    errno = saved;
    return failed ? F.code : 0;
}

static int s_mutexattr_init(pthread_mutexattr_t *attr)
{
    int rc = returned(OS_MUTEXATTR_INIT);
    return rc != 0 ? rc : platform.pthread_mutexattr_init(attr);
}

static int s_mutexattr_settype(pthread_mutexattr_t *attr, int type)
{
    int rc = returned(OS_MUTEXATTR_SETTYPE);
    return rc != 0 ? rc : platform.pthread_mutexattr_settype(attr, type);
}

static int s_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr)
{
    int rc = returned(OS_MUTEX_INIT);
    return rc != 0 ? rc : platform.pthread_mutex_init(m, attr);
}

static int s_mutex_lock(pthread_mutex_t *m)
{
    int rc = returned(OS_MUTEX_LOCK);
    return rc != 0 ? rc : platform.pthread_mutex_lock(m);
}

static int s_mutex_unlock(pthread_mutex_t *m)
{
    int rc = returned(OS_MUTEX_UNLOCK);
    return rc != 0 ? rc : platform.pthread_mutex_unlock(m);
}

static void *s_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    if (fails(OS_MMAP, len))
        return MAP_FAILED;
    void *m = platform.mmap(addr, len, prot, flags, fd, off);
    if (m != MAP_FAILED)
        F.live_maps++;
    return m;
}

static int s_mprotect(void *addr, size_t len, int prot)
{
    return fails(OS_MPROTECT, len) ? -1 : platform.mprotect(addr, len, prot);
}

static int s_munmap(void *addr, size_t len)
{
    if (fails(OS_MUNMAP, len))
        return -1;
    int rc = platform.munmap(addr, len);
    if (rc == 0)
        F.live_maps--;
    return rc;
}

static int s_madvise(void *addr, size_t len, int advice)
{
    return fails(OS_MADVISE, len) ? -1 : platform.madvise(addr, len, advice);
}

static long s_sysconf(int name)
{
    return fails(OS_SYSCONF, 0) ? -1 : platform.sysconf(name);
}

static int s_getentropy(void *buf, size_t len)
{
    return fails(OS_GETENTROPY, len) ? -1 : platform.getentropy(buf, len);
}

static int s_strerror_r(int code, char *buf, size_t cap)
{
    /* XSI strerror_r returns the error number; whether errno is set too is unspecified: it is not */
    int saved = errno;
    if (fails(OS_STRERROR_R, cap)) {
        if (F.code == ERANGE)
            (void)platform.strerror_r(code, buf, cap);
        errno = saved;
        return F.code;
    }
    return platform.strerror_r(code, buf, cap);
}

/* The counting stand-ins, in the table's shape: os_faults_install() puts them in place. */
static const memapi__os_table stand_ins = {
    .malloc = s_malloc,
    .calloc = s_calloc,
    .realloc = s_realloc,
    .free = s_free,
#if defined(__GLIBC__)
    .memalign = s_memalign,
#endif
    .posix_memalign = s_posix_memalign,
    .pthread_mutexattr_init = s_mutexattr_init,
    .pthread_mutexattr_settype = s_mutexattr_settype,
    .pthread_mutex_init = s_mutex_init,
    .pthread_mutex_lock = s_mutex_lock,
    .pthread_mutex_unlock = s_mutex_unlock,
    .mmap = s_mmap,
    .mprotect = s_mprotect,
    .munmap = s_munmap,
    .madvise = s_madvise,
    .sysconf = s_sysconf,
    .getentropy = s_getentropy,
    .strerror_r = s_strerror_r,
};

void os_faults_install(void)
{
    memapi__os = stand_ins;
    os_faults_arm(OS_CALL_COUNT, 0, 0);
    F.live_maps = 0;
    F.live_heap = 0;
}

void os_faults_uninstall(void)
{
    memapi__os = platform;
    os_faults_arm(OS_CALL_COUNT, 0, 0);
}

void os_faults_arm(os_call c, unsigned nth, int code)
{
    F.call = nth == 0 ? OS_CALL_COUNT : c;
    F.nth = nth;
    F.every = false;
    F.code = code;
    F.fired = false;
    memset(F.calls, 0, sizeof F.calls);
    memset(F.len, 0, sizeof F.len);
}

void os_faults_arm_every(os_call c, int code)
{
    os_faults_arm(c, 1, code);
    F.every = true;
}

bool os_faults_fired(void)
{
    return F.fired;
}

unsigned long os_faults_calls(os_call c)
{
    return F.calls[c];
}

size_t os_faults_last_len(os_call c)
{
    return F.len[c];
}

long os_faults_live_heap(void)
{
    return F.live_heap;
}

long os_faults_live_maps(void)
{
    return F.live_maps;
}

int os_faults_code(os_call c, unsigned i)
{
    static const int heap[] = {ENOMEM};
    static const int aligned[] = {ENOMEM, EINVAL};
    static const int map[] = {ENOMEM, EAGAIN, EINVAL, EPERM, EACCES, ENODEV, EOVERFLOW, ENFILE};
    static const int protect[] = {ENOMEM, EACCES, EINVAL, EAGAIN};
    static const int unmap[] = {EINVAL};
    static const int advise[] = {ENOMEM, EAGAIN, EINVAL, EPERM, EIO, EBADF};
    static const int conf[] = {EINVAL};
    static const int entropy[] = {EIO, ENOSYS, EINVAL, EFAULT};
    static const int text[] = {EINVAL, ERANGE};
    static const int attr_init[] = {ENOMEM};
    static const int settype[] = {EINVAL};
    static const int mutex_init[] = {EAGAIN, ENOMEM, EPERM};
    static const int lock[] = {EINVAL, EAGAIN, EDEADLK};
    static const int unlock[] = {EPERM};
#define PICK(a) return (a)[i % (sizeof(a) / sizeof(a)[0])]
    switch (c) {
    case OS_MALLOC:
    case OS_CALLOC:
    case OS_REALLOC: PICK(heap);
    case OS_MEMALIGN:
    case OS_POSIX_MEMALIGN: PICK(aligned);
    case OS_MMAP: PICK(map);
    case OS_MPROTECT: PICK(protect);
    case OS_MUNMAP: PICK(unmap);
    case OS_MADVISE: PICK(advise);
    case OS_SYSCONF: PICK(conf);
    case OS_GETENTROPY: PICK(entropy);
    case OS_STRERROR_R: PICK(text);
    case OS_MUTEXATTR_INIT: PICK(attr_init);
    case OS_MUTEXATTR_SETTYPE: PICK(settype);
    case OS_MUTEX_INIT: PICK(mutex_init);
    case OS_MUTEX_LOCK: PICK(lock);
    case OS_MUTEX_UNLOCK: PICK(unlock);
    default: return 0;
    }
#undef PICK
}

const char *os_faults_name(os_call c)
{
    static const char *const names[OS_CALL_COUNT] = {"malloc",  "calloc",   "realloc", "memalign",
                                                     "mmap",    "mprotect", "munmap",  "madvise",
                                                     "sysconf", "getentropy", "strerror_r",
                                                     "posix_memalign", "pthread_mutexattr_init",
                                                     "pthread_mutexattr_settype", "pthread_mutex_init",
                                                     "pthread_mutex_lock", "pthread_mutex_unlock", "free"};
    return c < OS_CALL_COUNT ? names[c] : "none";
}
