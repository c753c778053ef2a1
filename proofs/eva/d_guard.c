/*
 * Eva driver: the guard allocator. Its options (valid and each kind of invalid), every operation
 * through the dispatch and its entries, its own API (sampling, block layout, statistics, pool
 * membership), then a fault: the SIGSEGV handler it installed called as the kernel calls it, at an
 * address before, inside, after a live or a freed block, or anywhere in or out of the pool, after
 * any action the process had in place before (the default, ignore, a plain or a siginfo handler).
 */
#include "exercise.h"
#include <signal.h>

static int prev_calls;
static void prev_plain(int sig)
{
    (void)sig;
    prev_calls++;
}
static void prev_info(int sig, siginfo_t *info, void *uctx)
{
    (void)sig;
    (void)info;
    (void)uctx;
    prev_calls++;
}

/* The SIGSEGV action the process has before the guard installs its own. */
static void set_previous_action(void)
{
    struct sigaction *s = &__fc_sigaction[SIGSEGV];
    s->sa_flags = 0;
    s->sa_sigaction = NULL;
    switch (Frama_C_interval(0, 3)) {
    case 0: s->sa_handler = SIG_DFL; break;
    case 1: s->sa_handler = SIG_IGN; break;
    case 2: s->sa_handler = prev_plain; break;
    default:
        /* glibc's sa_handler and sa_sigaction share their storage; Frama-C's are two fields. */
        s->sa_handler = prev_plain;
        s->sa_sigaction = prev_info;
        s->sa_flags = SA_SIGINFO;
        break;
    }
}

/* A fault at addr, delivered to the handler in place as the kernel delivers it. */
static void fault_at(uintptr_t addr)
{
    const struct sigaction *s = &__fc_sigaction[SIGSEGV];
    siginfo_t info;
    memset(&info, 0, sizeof info);
    info.si_signo = SIGSEGV;
    info.si_addr = (void *)addr;
    if ((s->sa_flags & SA_SIGINFO) != 0 && s->sa_sigaction != NULL)
        s->sa_sigaction(SIGSEGV, &info, NULL);
}

/* A block of layout l, perhaps freed, then a fault near it or anywhere around the pool. */
static void fault_near_block(memapi_guard *g, memapi_layout l)
{
    memapi_allocator a = memapi_guard_allocator(g);
    void *p = memapi_alloc(a, l, EVA_ERR);
    if (p == NULL || !memapi_guard_contains(g, p))
        return;
    memapi_layout got;
    (void)memapi_guard_block_layout(g, p, &got, EVA_ERR);
    uintptr_t u = (uintptr_t)p;
    if (Frama_C_interval(0, 1))
        (void)memapi_try_dealloc(a, p, l, EVA_ERR);
    switch (Frama_C_interval(0, 3)) {
    case 0: fault_at(u - 1); break;
    case 1: fault_at(u + l.size); break;
    case 2: fault_at(u + l.size / 2); break;
    default: fault_at(g->pool - g->page + Frama_C_size_t_interval(0, g->pool_bytes + 2 * g->page)); break;
    }
}

/* Options: those of an allocator the stage exercises, or one invalid field. */
static memapi_guard_options options(int which)
{
    memapi_guard_options o = memapi_guard_options_default();
    o.pool_slots = 3;
    o.slot_pages = 2;
    o.quarantine = 1;
    switch (which) {
    case 0: break;
    case 1:
        o.placement = MEMAPI_GUARD_PLACE_START;
        o.canary = false;
        o.fill_byte = -1;
        o.free_fill = 0x55;
        o.quarantine = 0;
        o.force_mprotect = true;
        break;
    case 2:
        o.placement = MEMAPI_GUARD_PLACE_ALTERNATE;
        o.pool_slots = 2;
        o.quarantine = 2;
        o.sample_every = 2;
        break;
    case 3: o.sample_every = 0; break;
    case 4: o.fill_byte = 256; break;
    case 5: o.pool_slots = 0; break;
    case 6: o.slot_pages = 65537; break;
    case 7: o.quarantine = 4; break;
    case 8: o.placement = (memapi_guard_placement)7; break;
    case 9: o.fallback.vt = NULL; o.sample_every = 3; break;
    default: o.pool_slots = 4294967295u; o.slot_pages = 65536; break;
    }
    return o;
}

static void with_guard(int which)
{
    memapi_guard g;
    memapi_guard_options o = options(which);
    /* which < 0: the default options (opts NULL), whose pool does not fit in the mmap model's region. */
    if (memapi_guard_init(&g, which < 0 ? NULL : &o, EVA_ERR) != MEMAPI_OK)
        return;
    memapi_allocator a = memapi_guard_allocator(&g);
    if (which != 0) {
        /* The other valid options: allocations and frees (placements, protection modes, sampling). */
        EVA_EACH_LAYOUT(eva_alloc_release_at, a)
    } else {
        switch (Frama_C_interval(0, 3)) {
        case 0: eva_exercise(a); break;
        case 1: EVA_EACH_LAYOUT(fault_near_block, &g) break;
        case 2:
            (void)memapi_guard_set_sample_every(&g, Frama_C_size_t_interval(0, 3), EVA_ERR);
            EVA_EACH_LAYOUT(eva_alloc_release_at, a)
            break;
        default: fault_at(Frama_C_size_t_interval(0, SIZE_MAX)); break;
        }
    }
    memapi_guard_statistics st = memapi_guard_stats(&g);
    (void)st;
    memapi_guard_destroy(&g);
}

#ifndef EVA_GUARD_FAULTS_ONLY
void eva_main(void)
{
    set_previous_action();
    switch (Frama_C_interval(-1, 10)) {
    case -1: with_guard(-1); break;
    case 0: with_guard(0); break;
    case 1: with_guard(1); break;
    case 2: with_guard(2); break;
    case 3: with_guard(3); break;
    case 4: with_guard(4); break;
    case 5: with_guard(5); break;
    case 6: with_guard(6); break;
    case 7: with_guard(7); break;
    case 8: with_guard(8); break;
    case 9: with_guard(9); break;
    default: with_guard(10); break;
    }
}
#else
/* d_guard_fault.c: the fault classification and report alone (a quick driver: the planted-bug
 * self-check runs it). */
void eva_main(void)
{
    set_previous_action();
    memapi_guard g;
    memapi_guard_options o = options(0);
    if (memapi_guard_init(&g, &o, EVA_ERR) != MEMAPI_OK)
        return;
    EVA_EACH_LAYOUT(fault_near_block, &g)
    memapi_guard_destroy(&g);
}
#endif
