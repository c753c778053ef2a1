/*
 * Eva drivers of the guard allocator (proofs/README.md, "Eva").
 *
 * d_guard.c: its options (valid ones of each placement and protection mode, with sampling, and
 * each kind of invalid one), every operation through the dispatch and its entries, its own API
 * (sampling setter, block layout, statistics, pool membership).
 *
 * d_guard_fault.c (EVA_GUARD_FAULTS_ONLY): the SIGSEGV handler the guard installs, called as the
 * kernel calls it, at an address before, inside, after a live or a freed block, anywhere in and
 * around the pool, or anywhere at all, after each action the process had in place before (the
 * default, ignore, a plain or a siginfo handler). The handler is installed once per process, by the
 * first memapi_guard_init, and reads the previous action then: each previous action is a state of
 * its own from before that call. d_guard.c delivers no fault, so the previous action is not read
 * there, and it is left as the program starts (the default).
 *
 * Each driver handles memapi_guard_init's outcome in the function that called it, with that
 * function's states kept apart (the option -eva-slevel-function of eva.py's DRIVER_FLAGS): joined,
 * the states where init failed before writing *g and those where it succeeded make every later read
 * of *g an "uninitialized" alarm.
 */
#include "exercise.h"
#include <signal.h>

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

#ifndef EVA_GUARD_FAULTS_ONLY
#include <sys/mman.h>

/*
 * The fallback of the sampled-out and capacity allocations: a bump arena over a mapping of the mmap
 * model, not the default allocator. The guard frees and queries a block outside its pool through
 * the fallback, after in_pool compares the block's address, as an integer, with the pool's range:
 * for Eva the address of a malloc block is a garbled mix, so "outside the pool" would not be
 * decided, and the pool path would be analysed with a slot index from that address. A mapping's
 * blocks have addresses Eva knows. The default allocator has a driver of its own.
 */
static memapi_bump fallback_arena;

static void with_guard(int which)
{
    memapi_guard g;
    memapi_guard_options o = options(which);
    void *arena = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (arena == MAP_FAILED || memapi_bump_init(&fallback_arena, arena, 4096, EVA_ERR) != MEMAPI_OK)
        return;
    if (o.fallback.vt != NULL)
        o.fallback = memapi_bump_allocator(&fallback_arena);
    /* which < 0: the default options (opts NULL), whose pool does not fit in the mmap model's region. */
    if (memapi_guard_init(&g, which < 0 ? NULL : &o, EVA_ERR) != MEMAPI_OK)
        return;
    /* Where the pool is (two places: install_handler maps an alternate signal stack first, or not)
     * stays a state of its own until the end: joined, every slot address would be one of two. */
    //@ split g.pool;
    memapi_allocator a = memapi_guard_allocator(&g);
    if (which != 0) {
        /* The other valid options: allocations and frees (placements, protection modes, sampling). */
        EVA_EACH_LAYOUT(eva_alloc_release_at, a)
    } else if (Frama_C_interval(0, 1)) {
        eva_exercise(a);
    } else {
        (void)memapi_guard_set_sample_every(&g, Frama_C_size_t_interval(0, 3), EVA_ERR);
        EVA_EACH_LAYOUT(eva_alloc_release_at, a)
    }
    memapi_guard_statistics st = memapi_guard_stats(&g);
    (void)st;
    memapi_guard_destroy(&g);
}

void eva_main(void)
{
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

/*
 * A fault anywhere in [pool - page, pool + pool_bytes + page]: in the page before the pool, in one of
 * its slots, or in the page after it. Each of these regions is a state of its own (split): the
 * handler reads the record of the slot an address is in, and a fault address ranging over several
 * slots would make Eva read the join of their records (a live block's fields joined with an empty
 * slot's), a report of no block that exists.
 */
static void fault_around_pool(const memapi_guard *g)
{
    size_t r = Frama_C_size_t_interval(0, g->opts.pool_slots + 1);
    //@ split r;
    if (r == 0)
        fault_at(g->pool - g->page + Frama_C_size_t_interval(0, g->page - 1));
    else if (r <= g->opts.pool_slots)
        fault_at(g->pool + (r - 1) * g->stride + Frama_C_size_t_interval(0, g->stride - 1));
    else
        fault_at(g->pool + g->pool_bytes + Frama_C_size_t_interval(0, g->page));
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
    default: fault_around_pool(g); break;
    }
}

void eva_main(void)
{
    set_previous_action();
    memapi_guard g;
    memapi_guard_options o = options(0);
    if (memapi_guard_init(&g, &o, EVA_ERR) != MEMAPI_OK)
        return;
    /* Where the pool is (two places: install_handler maps an alternate signal stack first, or not)
     * stays a state of its own until the end: joined, memapi_guard_destroy would search the
     * registry of one placement for the metadata of the other. */
    //@ split g.pool;
    if (Frama_C_interval(0, 1)) {
        EVA_EACH_LAYOUT(fault_near_block, &g)
    } else {
        fault_at(Frama_C_size_t_interval(0, SIZE_MAX));
    }
    memapi_guard_destroy(&g);
}
#endif
