/*
 * The smallest useful freestanding program (make check-cross): layouts and a bump arena over a
 * static buffer, no libc, no heap. The README's size table measures it linked with --gc-sections
 * against the installed cross library; check-cross also runs it (natively for i386, under
 * qemu-arm for the Cortex-M4 build) and requires exit status 0.
 *
 * run() is the program. _start is only the entry used by that check: it exits through a Linux
 * system call. On a board, call run() from the reset handler instead.
 */
#include <stdint.h>
#include <memapi2.h>

struct packet {
    uint32_t id;
    uint16_t len;
    uint8_t payload[];
};

static _Alignas(8) unsigned char arena_buf[512];

int run(void);

int run(void)
{
    memapi_bump arena;
    memapi_error err;
    if (memapi_bump_init(&arena, arena_buf, sizeof arena_buf, &err) != MEMAPI_OK)
        return 1;
    memapi_allocator a = memapi_bump_allocator(&arena);

    /* A packet with 100 payload bytes: offset + 100, rounded up to the struct's alignment. */
    memapi_layout pkt;
    if (MEMAPI_LAYOUT_FAM(struct packet, payload, 100, &pkt, &err) != MEMAPI_OK || pkt.size != 108)
        return 2;
    struct packet *p = memapi_alloc(a, pkt, &err);
    if (p == NULL)
        return 3;
    p->len = 100;

    /* 64 words, aligned for them; the arena has room for it. */
    memapi_layout words;
    if (MEMAPI_LAYOUT_ARRAY(uint32_t, 64, &words, &err) != MEMAPI_OK)
        return 4;
    uint32_t *w = memapi_zalloc(a, words, &err);
    if (w == NULL || w[63] != 0 || (uintptr_t)w % 4 != 0)
        return 5;

    /* A size computed from an untrusted count cannot wrap around: it is refused. */
    if (MEMAPI_LAYOUT_ARRAY(uint32_t, SIZE_MAX / 2, &words, &err) != MEMAPI_ERROR ||
        err.kind != MEMAPI_E_LAYOUT)
        return 6;

    /* The arena is full for a request larger than what is left, and says so. */
    memapi_layout big = memapi_layout_from_size_align_unchecked(sizeof arena_buf, 1);
    if (memapi_alloc(a, big, &err) != NULL || err.kind != MEMAPI_E_ALLOC_FAILED)
        return 7;
    return memapi_bump_used(&arena) == 108 + 256 ? 0 : 8;
}

void _start(void);

#if defined(__arm__)
void _start(void)
{
    register int r0 __asm__("r0") = run();
    register int r7 __asm__("r7") = 1; /* exit */
    __asm__ volatile("svc #0" : : "r"(r0), "r"(r7) : "memory");
    for (;;) {
    }
}
#elif defined(__i386__)
void _start(void)
{
    int code = run();
    __asm__ volatile("int $0x80" : : "a"(1), "b"(code) : "memory"); /* exit */
    for (;;) {
    }
}
#else
#error "examples/embedded/minimal.c: no _start for this architecture (cortex-m4 and i386 only)"
#endif
