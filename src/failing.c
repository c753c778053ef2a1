/* The failing allocator: fault injection around any allocator (docs/design.md section 4). */
#include <stddef.h>
#include "memapi2/failing.h"
#include "internal/error_set.h"
#include "internal/forward.h"

/* The forwarders are handed &f->inner, which is f itself: no register moves on the way through. */
_Static_assert(offsetof(memapi_failing, inner) == 0, "memapi_failing starts with its inner allocator");

/* Any nonzero value: xorshift64 has 0 as a fixed point. */
#define DEFAULT_SEED 0x9E3779B97F4A7C15u
#define PPM_ONE 1000000u

static uint64_t xorshift64(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return x;
}

/* Decides whether to inject a failure into the call just counted; every enabled rule is evaluated
 * so that the generator advances once per call whatever the other rules say. */
static bool should_fail(memapi_failing *f, memapi_layout l)
{
    bool fail = false;
    if (f->fail_nth != 0 && f->calls == f->fail_nth)
        fail = true;
    if (f->calls > f->fail_after)
        fail = true;
    if (f->ppm != 0 && xorshift64(&f->rng) % PPM_ONE < f->ppm)
        fail = true;
    if (l.size > f->max_size)
        fail = true;
    if (fail)
        f->failures++;
    return fail;
}

/* Recomputes the "some rule is on" flag after a setter changed a rule. */
static void note_rules(memapi_failing *f)
{
    f->rules_on = f->fail_nth != 0 || f->fail_after != UINT64_MAX || f->ppm != 0 || f->max_size != SIZE_MAX;
}

/* A counted call with some rule on: the rules' verdict (out of line: the path with every rule off
 * stays a count, one test and a jump). */
static __attribute__((noinline)) void *ruled_alloc(memapi_failing *f, memapi_layout l, bool zero, memapi_error *err)
{
    if (should_fail(f, l)) {
        memapi__fail_alloc(err, l, MEMAPI_CAUSE_OUT_OF_MEMORY, 0, NULL);
        return NULL;
    }
    return zero ? memapi__fwd_zalloc(&f->inner, l, err) : memapi__fwd_alloc(&f->inner, l, err);
}

/*
 * Every call is counted first. With every rule off (rules_on false) no rule can fire and no draw is
 * made, so the call goes straight to the inner allocator's entry (the dispatch has validated l).
 */
static void *vt_alloc(void *self, memapi_layout l, memapi_error *err)
{
    memapi_failing *f = self;
    f->calls++;
    if (MEMAPI_UNLIKELY(f->rules_on))
        return ruled_alloc(f, l, false, err);
    return memapi__fwd_alloc(&f->inner, l, err);
}

static void *vt_zalloc(void *self, memapi_layout l, memapi_error *err)
{
    memapi_failing *f = self;
    f->calls++;
    if (MEMAPI_UNLIKELY(f->rules_on))
        return ruled_alloc(f, l, true, err);
    return memapi__fwd_zalloc(&f->inner, l, err);
}

static memapi_status vt_try_dealloc(void *self, void *ptr, memapi_layout l, memapi_error *err)
{
    return memapi__fwd_try_dealloc(&((memapi_failing *)self)->inner, ptr, l, err);
}

/* memapi_dealloc's entry, offered when the inner allocator has one (a free is never failed). */
static void vt_dealloc(void *self, void *ptr, memapi_layout l)
{
    memapi__fwd_dealloc(&((memapi_failing *)self)->inner, ptr, l);
}

static void *vt_resize(void *self, void *ptr, memapi_layout old_l, memapi_layout new_l, memapi_error *err)
{
    return memapi_default_resize(memapi_failing_allocator((memapi_failing *)self), ptr, old_l, new_l, false, err);
}

static void *vt_zresize(void *self, void *ptr, memapi_layout old_l, memapi_layout new_l, memapi_error *err)
{
    return memapi_default_resize(memapi_failing_allocator((memapi_failing *)self), ptr, old_l, new_l, true, err);
}

static memapi_status vt_owns(void *self, const void *ptr, memapi_layout l, memapi_error *err)
{
    memapi_allocator in = ((memapi_failing *)self)->inner;
    return in.vt->owns(in.self, ptr, l, err);
}

memapi_status memapi_failing_init(memapi_failing *f, memapi_allocator inner, memapi_error *err)
{
    if (inner.vt == NULL || inner.vt->alloc == NULL)
        return memapi__fail(err, MEMAPI_E_UNSUPPORTED);
    bool can_free = inner.vt->try_dealloc != NULL;
    uint32_t caps = inner.vt->caps & ~(uint32_t)MEMAPI_CAP_SHARED;
    if (can_free)
        caps |= MEMAPI_CAP_REALLOC;
    memapi_alloc_vtable vt = {
        .name = "failing",
        .caps = caps,
        .alloc = vt_alloc,
        .zalloc = vt_zalloc,
        .try_dealloc = can_free ? vt_try_dealloc : NULL,
        .grow = vt_resize,
        .zgrow = vt_zresize,
        .shrink = vt_resize,
        .realloc = vt_resize,
        .rezalloc = vt_zresize,
        .owns = inner.vt->owns != NULL ? vt_owns : NULL,
        .alloc_temp = NULL,
        .dealloc = can_free && inner.vt->dealloc != NULL ? vt_dealloc : NULL,
    };
    f->inner = inner;
    f->vt = vt;
    f->calls = 0;
    f->failures = 0;
    memapi_failing_clear(f);
    return MEMAPI_OK;
}

void memapi_failing_set_nth(memapi_failing *f, uint64_t n)
{
    f->fail_nth = n;
    note_rules(f);
}

void memapi_failing_set_after(memapi_failing *f, uint64_t n)
{
    f->fail_after = n;
    note_rules(f);
}

void memapi_failing_set_probability(memapi_failing *f, uint32_t ppm, uint64_t seed)
{
    f->ppm = ppm > PPM_ONE ? PPM_ONE : ppm;
    f->rng = seed != 0 ? seed : DEFAULT_SEED;
    note_rules(f);
}

void memapi_failing_set_max_size(memapi_failing *f, size_t max_size)
{
    f->max_size = max_size;
    note_rules(f);
}

void memapi_failing_clear(memapi_failing *f)
{
    f->fail_nth = 0;
    f->fail_after = UINT64_MAX;
    f->ppm = 0;
    f->rng = DEFAULT_SEED;
    f->max_size = SIZE_MAX;
    note_rules(f);
}

void memapi_failing_reset_counters(memapi_failing *f)
{
    f->calls = 0;
    f->failures = 0;
}
