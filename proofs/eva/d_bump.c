/*
 * Eva driver: the bump arena, through the dispatch, its entries and its own API. The arena computes
 * with its buffer's address as an integer (alignment padding): its buffer is a mapping of the mmap
 * model (proofs/eva/libc.c), at an address Eva knows, not an object of Eva's own, whose address
 * as an integer Eva does not know.
 */
#include "exercise.h"

#include <sys/mman.h>

/* The arena's own API with layout l: allocate, ask whether it owns the block, free it. */
static void bump_own_api_at(memapi_bump *b, memapi_layout l)
{
    void *p = Frama_C_interval(0, 1) ? memapi_bump_alloc(b, l, EVA_ERR) : memapi_bump_zalloc(b, l, EVA_ERR);
    if (p == NULL)
        return;
    eva_use(p, l);
    (void)memapi_bump_owns(b, p, l, EVA_ERR);
    (void)memapi_bump_try_dealloc(b, p, l, EVA_ERR);
}

void eva_main(void)
{
    memapi_bump b;
    void *arena = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (arena == MAP_FAILED)
        return;
    size_t cap = (size_t)Frama_C_interval(0, 3) * 2048u + (size_t)Frama_C_interval(0, 1);
    //@ split cap;
    if (memapi_bump_init(&b, Frama_C_interval(0, 1) ? arena : NULL, cap, EVA_ERR) != MEMAPI_OK)
        return;
    (void)memapi_bump_is_valid(&b);
    size_t mark = memapi_bump_mark(&b);
    memapi_allocator a = memapi_bump_allocator(&b);
    switch (Frama_C_interval(0, 3)) {
    case 0: eva_exercise(a); break;
    case 1: EVA_EACH_LAYOUT(bump_own_api_at, &b) break;
    case 2:
        (void)memapi_bump_rewind(&b, Frama_C_interval(0, 1) ? mark : (size_t)Frama_C_interval(0, 9000), EVA_ERR);
        break;
    default:
        if (Frama_C_interval(0, 1))
            memapi_bump_reset(&b);
        else
            memapi_bump_release(&b);
        break;
    }
    (void)memapi_bump_used(&b);
    (void)memapi_bump_remaining(&b);
    (void)memapi_bump_peak(&b);
}
