/*
 * The malloc front end (cmalloc.h) over several allocators: operation sequences over 16 block
 * slots with a shadow model (contents, size, alignment), checked against C's semantics after every
 * operation.
 *
 * Input: [allocator][failing rule] then operations [op][slot][arguments] until the input ends.
 * Allocators: default, tracking(default), guard (8 slots of 1 page, so that it fills up and fails),
 * failing(default) with a rule from the input, bump over a 64 KiB buffer.
 *
 * Oracles: malloc/calloc/aligned_alloc/posix_memalign results aligned and of exactly the asked
 * usable size; calloc's zeros; realloc keeps min(old, new) bytes, realloc(p, 0) frees and returns
 * NULL, a failed realloc leaves the block intact; sizes that cannot be represented fail with the
 * exact ARITH or EXCEEDS_MAX error and ENOMEM; calloc and reallocarray overflow against a 128-bit
 * product; posix_memalign's EINVAL exactly for alignments that are not power-of-two multiples of
 * sizeof(void *); an interior or misaligned pointer is refused with the documented error and the
 * block is unchanged; every failure's errno matches memapi_cmalloc_is_oom. At the end every block
 * is freed and tracking and the guard hold nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "memapi2.h"
#include "fuzz_input.h"

#define SLOTS 16
#define MINA _Alignof(max_align_t)

#define REQUIRE(cond)                                                                                            \
    do {                                                                                                         \
        if (!(cond)) {                                                                                           \
            fprintf(stderr, "fuzz_cmalloc: %s failed at line %d\n", #cond, __LINE__);                            \
            abort();                                                                                             \
        }                                                                                                        \
    } while (0)

typedef struct slot {
    unsigned char *p;
    size_t size;
    size_t align;
    unsigned char fill;
} slot;

static _Alignas(64) unsigned char arena[64 * 1024];

static bool aligned_to(const void *p, size_t a)
{
    return ((uintptr_t)p & (a - 1)) == 0;
}

static bool all_bytes(const unsigned char *p, size_t n, unsigned char v)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return false;
    return true;
}

/* Sizes: mostly small; sometimes one the layout must refuse (never one the heap is asked for and
 * refuses under ASan, whose allocator aborts on sizes above its limit). */
static size_t pick_size(fuzz_in *in)
{
    uint8_t t = fin_u8(in);
    if (t < 240)
        return (size_t)fin_le(in, 2) % 3000;
    return SIZE_MAX - (size_t)fin_u8(in) * (t & 1 ? 1 : ((size_t)1 << 50));
}

/* The error a request of `size` at alignment `a` (>= MINA) must fail with before any allocation. */
static bool size_refused(size_t size, size_t a, const memapi_error *e)
{
    if (size > SIZE_MAX - a)
        return e->kind == MEMAPI_E_ARITH && e->arith.l == a && e->arith.op == MEMAPI_OP_ADD && e->arith.r == size;
    if (a + size > (SIZE_MAX >> 1) - (a - 1))
        return e->kind == MEMAPI_E_LAYOUT && e->layout_err.kind == MEMAPI_LE_EXCEEDS_MAX;
    return false;
}

static bool unrepresentable(size_t size, size_t a)
{
    return size > SIZE_MAX - a || a + size > (SIZE_MAX >> 1) - (a - 1);
}

/* A product the layout accepts but far beyond what any allocator here serves: skipped, since
 * ASan's allocator aborts on such requests instead of returning NULL. */
static bool too_big_to_ask(fuzz_u128 prod, size_t a)
{
    return prod <= SIZE_MAX && prod > ((fuzz_u128)1 << 32) && !unrepresentable((size_t)prod, a);
}

static void check_block(const slot *s, memapi_allocator a)
{
    REQUIRE(aligned_to(s->p, s->align));
    REQUIRE(all_bytes(s->p, s->size, s->fill));
    REQUIRE(memapi_cmalloc_usable_size(a, s->p, NULL) == s->size);
}

static void check_failure(void *p, const memapi_error *e, int err_no)
{
    REQUIRE(p == NULL);
    REQUIRE(err_no == (memapi_cmalloc_is_oom(e) ? ENOMEM : EINVAL));
    REQUIRE(memapi_cmalloc_is_oom(e) || memapi_cmalloc_is_misuse(e) || e->kind == MEMAPI_E_LAYOUT);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    fuzz_in in = {data, n};
    unsigned which = fin_u8(&in) % 5;
    uint8_t rule = fin_u8(&in);
    static memapi_tracking t;
    static memapi_guard g;
    static memapi_failing f;
    static memapi_bump b;
    memapi_allocator a = memapi_default();
    bool may_fail = false;
    switch (which) {
    case 1:
        REQUIRE(memapi_tracking_init(&t, memapi_default(), NULL) == MEMAPI_OK);
        a = memapi_tracking_allocator(&t);
        break;
    case 2: {
        memapi_guard_options o = memapi_guard_options_default();
        o.pool_slots = 8;
        o.slot_pages = 1;
        o.quarantine = rule % 4;
        REQUIRE(memapi_guard_init(&g, &o, NULL) == MEMAPI_OK);
        a = memapi_guard_allocator(&g);
        may_fail = true;
        break;
    }
    case 3:
        REQUIRE(memapi_failing_init(&f, memapi_default(), NULL) == MEMAPI_OK);
        if (rule & 1)
            memapi_failing_set_nth(&f, rule >> 1);
        else
            memapi_failing_set_probability(&f, (uint32_t)rule * 2000u, rule);
        a = memapi_failing_allocator(&f);
        may_fail = true;
        break;
    case 4:
        REQUIRE(memapi_bump_init(&b, arena, sizeof arena, NULL) == MEMAPI_OK);
        a = memapi_bump_allocator(&b);
        may_fail = true;
        break;
    default:
        break;
    }
    slot s[SLOTS];
    memset(s, 0, sizeof s);
    for (int ops = 0; in.n > 0 && ops < 200; ops++) {
        uint8_t op = fin_u8(&in);
        slot *k = &s[fin_u8(&in) % SLOTS];
        memapi_error e;
        unsigned char fill = (unsigned char)(op | 1);
        switch (op % 9) {
        case 0: /* malloc */
        case 1: /* calloc */
        case 2: /* aligned_alloc */
        case 3: { /* posix_memalign */
            if (k->p != NULL)
                break;
            size_t size = pick_size(&in), req_align = MINA, al = 0;
            void *p = NULL;
            errno = 0;
            if (op % 9 == 0) {
                p = memapi_cmalloc_malloc(a, size, &e);
            } else if (op % 9 == 1) {
                size_t nm = (size_t)(fin_u8(&in) % 16) + (op & 0x80 ? SIZE_MAX / 2 : 0);
                fuzz_u128 prod = (fuzz_u128)nm * size;
                if (too_big_to_ask(prod, MINA))
                    break;
                p = memapi_cmalloc_calloc(a, nm, size, &e);
                if (prod > SIZE_MAX) {
                    REQUIRE(p == NULL && errno == ENOMEM && e.kind == MEMAPI_E_ARITH && e.arith.op == MEMAPI_OP_MUL);
                    break;
                }
                size = (size_t)prod;
                if (p != NULL)
                    REQUIRE(all_bytes(p, size, 0));
            } else if (op % 9 == 2) {
                al = (size_t)1 << (fin_u8(&in) % 13);
                req_align = al > MINA ? al : MINA;
                p = memapi_cmalloc_aligned_alloc(a, al, size, &e);
            } else {
                al = fin_u8(&in);
                al = al >= 128 ? (size_t)1 << (al % 13) : al;
                int saved = errno;
                void *out = &s; /* a sentinel: must stay unless the call succeeds */
                int rc = memapi_cmalloc_posix_memalign(a, &out, al, size, &e);
                REQUIRE(errno == saved);
                bool bad = !memapi_is_pow2(al) || al % sizeof(void *) != 0;
                if (bad) {
                    REQUIRE(rc == EINVAL && out == (void *)&s);
                    break;
                }
                req_align = al > MINA ? al : MINA;
                if (rc != 0) {
                    REQUIRE(rc == ENOMEM && out == (void *)&s && memapi_cmalloc_is_oom(&e));
                    REQUIRE(may_fail || unrepresentable(size, req_align));
                    break;
                }
                p = out;
            }
            if (unrepresentable(size, req_align)) {
                REQUIRE(p == NULL && size_refused(size, req_align, &e));
                if (op % 9 != 3)
                    REQUIRE(errno == ENOMEM);
                break;
            }
            if (p == NULL) {
                REQUIRE(may_fail);
                check_failure(p, &e, errno);
                REQUIRE(memapi_cmalloc_is_oom(&e));
                break;
            }
            k->p = p;
            k->size = size;
            k->align = al > MINA ? al : MINA;
            k->fill = op % 9 == 1 ? 0 : fill;
            memset(k->p, k->fill, size);
            check_block(k, a);
            break;
        }
        case 4: /* realloc */
        case 5: { /* reallocarray */
            size_t size = pick_size(&in);
            size_t nm = op % 9 == 5 ? (size_t)(fin_u8(&in) % 16) + (op & 0x80 ? SIZE_MAX / 4 : 0) : 1;
            fuzz_u128 prod = (fuzz_u128)nm * size;
            if (too_big_to_ask(prod, k->p != NULL ? k->align : MINA))
                break;
            errno = 0;
            void *p = op % 9 == 5 ? memapi_cmalloc_reallocarray(a, k->p, nm, size, &e)
                                  : memapi_cmalloc_realloc(a, k->p, size, &e);
            if (prod > SIZE_MAX) {
                REQUIRE(p == NULL && errno == ENOMEM && e.kind == MEMAPI_E_ARITH);
                if (k->p != NULL)
                    check_block(k, a);
                break;
            }
            size = (size_t)prod;
            size_t req_align = k->p != NULL ? k->align : MINA;
            if (size == 0 && k->p != NULL) {
                REQUIRE(p == NULL && errno == 0);
                k->p = NULL;
                break;
            }
            if (p == NULL) {
                if (unrepresentable(size, req_align))
                    REQUIRE(size_refused(size, req_align, &e));
                else
                    REQUIRE(may_fail);
                check_failure(p, &e, errno);
                REQUIRE(memapi_cmalloc_is_oom(&e));
                if (k->p != NULL)
                    check_block(k, a);
                break;
            }
            REQUIRE(!unrepresentable(size, req_align));
            size_t keep = k->p != NULL && k->size < size ? k->size : size;
            REQUIRE(all_bytes(p, k->p != NULL ? keep : 0, k->fill));
            k->p = p;
            k->size = size;
            k->align = req_align;
            memset(k->p, k->fill = fill, size);
            check_block(k, a);
            break;
        }
        case 6: /* free */
            REQUIRE(memapi_cmalloc_try_free(a, k->p, &e) == MEMAPI_OK);
            k->p = NULL;
            break;
        case 7: /* misuse: interior (inside the block, past the header) or misaligned pointer */
            if (k->p == NULL || k->size < 2 * MINA)
                break;
            if (op & 0x80) {
                REQUIRE(memapi_cmalloc_try_free(a, k->p + 1, &e) == MEMAPI_ERROR);
                REQUIRE(e.kind == MEMAPI_E_INVALID_POINTER && strcmp(e.msg, "pointer not aligned to its layout") == 0);
            } else {
                errno = 0;
                REQUIRE(memapi_cmalloc_realloc(a, k->p + MINA, 8, &e) == NULL && errno == EINVAL);
                REQUIRE(e.kind == MEMAPI_E_INVALID_POINTER && e.ptr == k->p + MINA);
                REQUIRE(strcmp(e.msg, "no memapi_cmalloc header before the pointer") == 0);
                REQUIRE(memapi_cmalloc_is_misuse(&e));
            }
            check_block(k, a);
            break;
        default: /* usable size */
            if (k->p != NULL)
                check_block(k, a);
            else
                REQUIRE(memapi_cmalloc_usable_size(a, NULL, NULL) == 0);
            break;
        }
    }
    for (size_t i = 0; i < SLOTS; i++) /* newest slots first: the arena gives back what it can */
        REQUIRE(memapi_cmalloc_try_free(a, s[SLOTS - 1 - i].p, NULL) == MEMAPI_OK);
    if (which == 1) {
        REQUIRE(memapi_tracking_live_blocks(&t) == 0);
        memapi_tracking_destroy(&t);
    } else if (which == 2) {
        REQUIRE(memapi_guard_stats(&g).live_blocks == 0);
        memapi_guard_destroy(&g);
    }
    return 0;
}
