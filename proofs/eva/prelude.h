/*
 * Force-included (cpp -include) before every file the Eva stage analyses (proofs/README.md, "Eva").
 *
 * - Frama-C's libc is set up first, with __FRAMAC__ defined (its headers mark themselves with it);
 *   then __FRAMAC__ is undefined, so that the library is analysed as the compiler compiles it: the
 *   allocator entries called through their vtable pointers, memset/memcpy, the real fatal hook
 *   (under __FRAMAC__ these are WP's proof models, proved by `make prove`).
 * - The platform is glibc on x86-64 (the build machine): __GLIBC__ selects the code compiled there
 *   (memalign in src/default.c; its model is in proofs/eva/libc.c).
 * - Frama-C 25 parses neither _Alignof nor max_align_t: _Alignof(T) is GCC's __alignof__(T), which
 *   is the same value for every type the library names on x86-64 (max_align_t, its records), and
 *   max_align_t is GCC's own definition (alignment 16).
 * - The empty asm hints of src/default.c and alloc.h (IN_STACK_SLOT, MEMAPI__IN_REGISTER) are left
 *   out (MEMAPI__NO_ASM_HINTS), as they are for WP: they emit no instruction and change no value,
 *   but Frama-C reads an asm output as a write of an unknown value, which made the allocator's
 *   `self` and the reporting functions' layout and err unknown to Eva.
 */
#include <features.h>
#undef __FRAMAC__
#define MEMAPI__NO_ASM_HINTS 1
#define __GLIBC__ 2
#define __GLIBC_MINOR__ 36
#define _Alignof(T) __alignof__(T)
typedef struct {
    long long __max_align_ll __attribute__((__aligned__(__alignof__(long long))));
    long double __max_align_ld __attribute__((__aligned__(__alignof__(long double))));
} max_align_t;
#include <stddef.h>
/* glibc's <malloc.h> declares it; Frama-C's does not. */
extern void *memalign(size_t alignment, size_t size);

/*
 * <stdatomic.h>, as Eva analyses it: one thread, in which an atomic access is a plain access.
 * Frama-C 25 parses no _Atomic (its own stdatomic.h defines it away, as here) and its atomic loads
 * read through a volatile lvalue, which Eva takes for an unknown value. What the atomics are for
 * (the guard's signal handler reading a record while a thread writes it) is concurrency, outside
 * what Eva analyses (proofs/README.md, "Eva").
 */
#define __FC_STDATOMIC
#define _Atomic
typedef enum memory_order {
    memory_order_relaxed, memory_order_consume, memory_order_acquire,
    memory_order_release, memory_order_acq_rel, memory_order_seq_cst
} memory_order;
#define atomic_load_explicit(obj, order) ((void)(order), *(obj))
#define atomic_store_explicit(obj, value, order) ((void)(order), (void)(*(obj) = (value)))
#define atomic_thread_fence(order) ((void)(order))

/* Linux declarations the guard uses that Frama-C 25's libc lacks (values from the kernel's ABI). */
#include <signal.h>
#include <sys/mman.h>
#include <sys/random.h> /* getentropy: glibc declares it in <unistd.h> too */
#define MAP_NORESERVE 0x4000
#define MADV_DONTNEED 4
extern int madvise(void *addr, size_t len, int advice);
typedef struct {
    void *ss_sp;
    int ss_flags;
    size_t ss_size;
} stack_t;
#define SS_ONSTACK 1
#define SS_DISABLE 2
extern int sigaltstack(const stack_t *restrict ss, stack_t *restrict old_ss);
