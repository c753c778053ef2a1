/* The locked wrapper (spec 4.7, 7.8 "lock failed"; DESIGN.md section 3). */
#include <criterion/criterion.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "memapi2.h"

static memapi_layout L(size_t size, size_t align)
{
    return (memapi_layout){size, align};
}

Test(locked, init_errors)
{
    memapi_error e;
    cr_assert_eq(memapi_locked_init(NULL, memapi_default(), &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_INVALID_POINTER);
    cr_assert_str_eq(e.msg, "null pointer");
    memapi_locked l;
    cr_assert_eq(memapi_locked_init(&l, (memapi_allocator){NULL, NULL}, &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
}

static void *plain_alloc(void *self, memapi_layout l, memapi_error *err)
{
    (void)self;
    return memapi_alloc(memapi_default(), l, err);
}

static memapi_status plain_try_dealloc(void *self, void *ptr, memapi_layout l, memapi_error *err)
{
    (void)self;
    return memapi_try_dealloc(memapi_default(), ptr, l, err);
}

/* An exclusive allocator (no MEMAPI_CAP_SHARED) with alloc and try_dealloc only. */
static const memapi_alloc_vtable plain_vtable = {
    .name = "plain", .caps = MEMAPI_CAP_DEALLOC | MEMAPI_CAP_REALLOC, .alloc = plain_alloc,
    .try_dealloc = plain_try_dealloc};

Test(locked, caps_and_entries_follow_the_inner_allocator)
{
    memapi_locked d;
    cr_assert_eq(memapi_locked_init(&d, (memapi_allocator){&plain_vtable, NULL}, NULL), MEMAPI_OK);
    memapi_allocator ld = memapi_locked_allocator(&d);
    cr_assert_str_eq(ld.vt->name, "locked");
    cr_assert_eq(ld.self, &d);
    cr_assert_eq(memapi_caps(ld), MEMAPI_CAP_DEALLOC | MEMAPI_CAP_REALLOC | MEMAPI_CAP_SHARED);
    cr_assert(memapi_is_full_alloc(ld));
    cr_assert(ld.vt->try_dealloc && ld.vt->grow && ld.vt->zgrow && ld.vt->shrink && ld.vt->realloc &&
                  ld.vt->rezalloc && ld.vt->zalloc,
              "inner can free: the resizes are provided");
    cr_assert(!ld.vt->owns && !ld.vt->alloc_temp, "inner has neither owns nor alloc_temp");
    memapi_locked_destroy(&d);
}

#if MEMAPI_STACK_ALLOC
Test(locked, stack_inner_gets_alloc_temp_only)
{
    memapi_locked s;
    cr_assert_eq(memapi_locked_init(&s, memapi_stack(), NULL), MEMAPI_OK);
    memapi_allocator ls = memapi_locked_allocator(&s);
    cr_assert_eq(memapi_caps(ls), MEMAPI_CAP_SHARED);
    cr_assert(ls.vt->alloc_temp && !ls.vt->try_dealloc && !ls.vt->grow && !ls.vt->owns);
    memapi_error e;
    static unsigned char block[8];
    cr_assert_eq(memapi_try_dealloc(ls, block, L(8, 1), &e), MEMAPI_ERROR);
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
    cr_assert_null(memapi_shrink(ls, block, L(8, 1), L(4, 1), &e));
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
    memapi_locked_destroy(&s);
}

/* ---- re-entrancy from the same thread: "lock failed" (reference RefCell) ----------------------- */
typedef struct reenter {
    memapi_allocator outer;
    memapi_error e;
    void *got;
    int calls;
} reenter;

static void reenter_cb(void *ctx, void *mem)
{
    reenter *r = ctx;
    (void)mem;
    r->calls++;
    r->got = memapi_alloc(r->outer, L(8, 8), &r->e);
}

/* locked.h: the callback runs with the mutex released, so it may call the wrapper itself. */
Test(locked, alloc_temp_callback_runs_unlocked_and_may_call_the_wrapper)
{
    memapi_locked s;
    cr_assert_eq(memapi_locked_init(&s, memapi_stack(), NULL), MEMAPI_OK);
    reenter r = {.outer = memapi_locked_allocator(&s)};
    memapi_error e;
    cr_assert_eq(memapi_alloc_temp(r.outer, L(16, 16), reenter_cb, &r, &e), MEMAPI_OK);
    cr_assert_eq(r.calls, 1);
    cr_assert_null(r.got);
    /* The call went through the lock to the stack allocator, which has no alloc. */
    cr_assert_eq(r.e.kind, MEMAPI_E_UNSUPPORTED);
    cr_assert_null(memapi_alloc(r.outer, L(8, 8), &e));
    cr_assert_eq(e.kind, MEMAPI_E_UNSUPPORTED);
    memapi_locked_destroy(&s);
}

/* ---- a callback that leaves with longjmp (stack.h allows it) leaves no lock held -------------- */
static jmp_buf escape;

static void leave_with_longjmp(void *ctx, void *mem)
{
    (void)ctx;
    memset(mem, 0x5A, 16);
    longjmp(escape, 1);
}

static void count_call(void *ctx, void *mem)
{
    (void)mem;
    (*(int *)ctx)++;
}

static void *scoped_call_from_another_thread(void *arg)
{
    static int calls;
    memapi_error e;
    memapi_status s = memapi_alloc_temp(*(memapi_allocator *)arg, L(16, 8), count_call, &calls, &e);
    return s == MEMAPI_OK && calls == 1 ? arg : NULL;
}

/* Issue 18: the mutex stayed locked, every later call failed with `lock failed`, and another thread
 * blocked forever (the timeout turns that hang into a failure). */
Test(locked, callback_leaving_with_longjmp_leaves_no_lock_held, .timeout = 20)
{
    memapi_locked s;
    cr_assert_eq(memapi_locked_init(&s, memapi_stack(), NULL), MEMAPI_OK);
    memapi_allocator a = memapi_locked_allocator(&s);
    memapi_error e;
    volatile int jumped = 0;
    if (setjmp(escape) == 0) {
        memapi_status st = memapi_alloc_temp(a, L(16, 8), leave_with_longjmp, NULL, &e);
        cr_assert_fail("the callback returned (status %d)", (int)st);
    }
    jumped = 1;
    cr_assert_eq(jumped, 1);
    int calls = 0;
    cr_assert_eq(memapi_alloc_temp(a, L(16, 8), count_call, &calls, &e), MEMAPI_OK, "later call: %s",
                 e.kind == MEMAPI_E_OTHER ? e.msg : "(not OTHER)");
    cr_assert_eq(calls, 1);
    pthread_t t;
    void *res = NULL;
    cr_assert_eq(pthread_create(&t, NULL, scoped_call_from_another_thread, &a), 0);
    cr_assert_eq(pthread_join(t, &res), 0);
    cr_assert_eq(res, &a, "the other thread's scoped allocation failed");
    memapi_locked_destroy(&s);
}
#endif /* MEMAPI_STACK_ALLOC */

/* An inner allocator whose alloc calls back into the wrapper: shows the lock is held while the
 * inner allocator works, including for the whole of a default resize. */
typedef struct sneaky {
    memapi_allocator wrapper;
    memapi_error seen;
    int reentries;
} sneaky;

static void *sneaky_alloc(void *self, memapi_layout l, memapi_error *err)
{
    sneaky *s = self;
    s->reentries++;
    if (memapi_alloc(s->wrapper, L(1, 1), &s->seen) != NULL)
        cr_assert_fail("re-entrant call went through the lock");
    return memapi_alloc(memapi_default(), l, err);
}

static memapi_status sneaky_try_dealloc(void *self, void *ptr, memapi_layout l, memapi_error *err)
{
    (void)self;
    return memapi_try_dealloc(memapi_default(), ptr, l, err);
}

static const memapi_alloc_vtable sneaky_vtable = {
    .name = "sneaky", .caps = MEMAPI_CAP_DEALLOC, .alloc = sneaky_alloc, .try_dealloc = sneaky_try_dealloc};

Test(locked, lock_is_held_during_inner_calls_and_resizes)
{
    static sneaky st;
    memapi_locked l;
    cr_assert_eq(memapi_locked_init(&l, (memapi_allocator){&sneaky_vtable, &st}, NULL), MEMAPI_OK);
    st.wrapper = memapi_locked_allocator(&l);
    memapi_error e;
    unsigned char *p = memapi_alloc(st.wrapper, L(16, 8), &e);
    cr_assert_not_null(p);
    cr_assert_eq(st.reentries, 1);
    cr_assert_eq(st.seen.kind, MEMAPI_E_OTHER);
    cr_assert_str_eq(st.seen.msg, "lock failed");
    memset(p, 0x3E, 16);
    memset(&st.seen, 0, sizeof st.seen);
    unsigned char *q = memapi_zgrow(st.wrapper, p, L(16, 8), L(64, 8), &e);
    cr_assert_not_null(q);
    cr_assert_eq(st.reentries, 2, "the default resize allocated through the inner allocator");
    cr_assert_str_eq(st.seen.msg, "lock failed");
    cr_assert(q[0] == 0x3E && q[15] == 0x3E && q[16] == 0 && q[63] == 0);
    memapi_dealloc(st.wrapper, q, L(64, 8));
    memapi_locked_destroy(&l);
}

#if MEMAPI_CHECKED_OPS
/* ---- owns is forwarded when the inner allocator has it ---------------------------------------- */
static memapi_status owns_first_block(void *self, const void *ptr, memapi_layout l, memapi_error *err)
{
    void **owned = self;
    if (*owned == ptr && l.size == 32)
        return MEMAPI_OK;
    if (err != NULL) {
        memset(err, 0, sizeof *err);
        err->kind = MEMAPI_E_INVALID_POINTER;
        err->ptr = ptr;
        err->msg = "foreign";
    }
    return MEMAPI_ERROR;
}

static void *owning_alloc(void *self, memapi_layout l, memapi_error *err)
{
    void **owned = self;
    *owned = memapi_alloc(memapi_default(), l, err);
    return *owned;
}

static const memapi_alloc_vtable owning_vtable = {.name = "owning",
                                                  .caps = MEMAPI_CAP_CHECKED_REALLOC | MEMAPI_CAP_CHECKED_DEALLOC,
                                                  .alloc = owning_alloc,
                                                  .try_dealloc = sneaky_try_dealloc,
                                                  .owns = owns_first_block};

Test(locked, owns_and_checked_operations)
{
    static void *owned;
    memapi_locked l;
    cr_assert_eq(memapi_locked_init(&l, (memapi_allocator){&owning_vtable, &owned}, NULL), MEMAPI_OK);
    memapi_allocator a = memapi_locked_allocator(&l);
    cr_assert_not_null(a.vt->owns);
    cr_assert_eq(memapi_caps(a), 0xEEu | 0x11u | MEMAPI_CAP_SHARED);
    memapi_error e;
    void *p = memapi_alloc(a, L(32, 8), &e);
    cr_assert_not_null(p);
    static unsigned char foreign[32];
    cr_assert_null(memapi_checked_grow(a, foreign, L(32, 8), L(64, 8), &e));
    cr_assert_str_eq(e.msg, "foreign");
    cr_assert_eq(memapi_checked_dealloc(a, p, L(32, 8), &e), MEMAPI_OK);
    memapi_locked_destroy(&l);
}
#endif

/* ---- a few threads through one wrapper around an allocator with unsynchronised state ---------- */
typedef struct counting {
    long live;
    long total;
} counting;

static void *counting_alloc(void *self, memapi_layout l, memapi_error *err)
{
    counting *c = self;
    void *p = memapi_alloc(memapi_default(), l, err);
    if (p != NULL) {
        c->live++;
        c->total++;
    }
    return p;
}

static memapi_status counting_try_dealloc(void *self, void *ptr, memapi_layout l, memapi_error *err)
{
    counting *c = self;
    c->live--;
    return memapi_try_dealloc(memapi_default(), ptr, l, err);
}

static const memapi_alloc_vtable counting_vtable = {
    .name = "counting", .caps = MEMAPI_CAP_DEALLOC, .alloc = counting_alloc, .try_dealloc = counting_try_dealloc};

static void *worker(void *arg)
{
    memapi_allocator a = *(memapi_allocator *)arg;
    for (int i = 0; i < 2000; i++) {
        unsigned char *p = memapi_alloc(a, L(16, 8), NULL);
        if (p == NULL)
            return (void *)1;
        p = memapi_grow(a, p, L(16, 8), L(48, 8), NULL);
        if (p == NULL)
            return (void *)1;
        memapi_dealloc(a, p, L(48, 8));
    }
    return NULL;
}

Test(locked, threads_share_an_exclusive_allocator)
{
    static counting c;
    memapi_locked l;
    cr_assert_eq(memapi_locked_init(&l, (memapi_allocator){&counting_vtable, &c}, NULL), MEMAPI_OK);
    memapi_allocator a = memapi_locked_allocator(&l);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, worker, &a), 0);
    for (int i = 0; i < 4; i++) {
        void *rc;
        cr_assert_eq(pthread_join(t[i], &rc), 0);
        cr_assert_null(rc);
    }
    cr_assert_eq(c.live, 0);
    cr_assert_eq(c.total, 4 * 2000 * 2, "one alloc and one grow (alloc, copy, free) per iteration");
    memapi_locked_destroy(&l);
}

/* ---- the dealloc entry (memapi_dealloc's free that cannot fail) --------------------------------- */
/* An inner allocator with a dealloc entry that records its calls, and checks the lock is held. */
typedef struct freeing {
    memapi_allocator wrapper;
    int try_deallocs, deallocs;
    memapi_error seen;
} freeing;

static memapi_status freeing_try_dealloc(void *self, void *ptr, memapi_layout l, memapi_error *err)
{
    ((freeing *)self)->try_deallocs++;
    return memapi_try_dealloc(memapi_default(), ptr, l, err);
}

static void freeing_dealloc(void *self, void *ptr, memapi_layout l)
{
    freeing *f = self;
    f->deallocs++;
    /* The wrapper's mutex is held: a re-entrant call is refused. */
    if (memapi_alloc(f->wrapper, L(1, 1), &f->seen) != NULL)
        cr_assert_fail("re-entrant call went through the lock");
    memapi_dealloc(memapi_default(), ptr, l);
}

static void *freeing_alloc(void *self, memapi_layout l, memapi_error *err)
{
    (void)self;
    return memapi_alloc(memapi_default(), l, err);
}

static const memapi_alloc_vtable freeing_vtable = {.name = "freeing",
                                                   .caps = MEMAPI_CAP_DEALLOC,
                                                   .alloc = freeing_alloc,
                                                   .try_dealloc = freeing_try_dealloc,
                                                   .dealloc = freeing_dealloc};

Test(locked, dealloc_entry_present_iff_the_inner_allocator_has_one)
{
    memapi_locked d;
    cr_assert_eq(memapi_locked_init(&d, memapi_default(), NULL), MEMAPI_OK);
    cr_assert_not_null(memapi_locked_allocator(&d).vt->dealloc, "the default allocator has a dealloc entry");
    memapi_locked_destroy(&d);
    memapi_locked p;
    cr_assert_eq(memapi_locked_init(&p, (memapi_allocator){&plain_vtable, NULL}, NULL), MEMAPI_OK);
    cr_assert_null(memapi_locked_allocator(&p).vt->dealloc, "plain has try_dealloc only");
    memapi_locked_destroy(&p);
    /* A dealloc entry without try_dealloc is never used by the dispatch (alloc.h): none either. */
    static const memapi_alloc_vtable no_try = {.name = "no try", .alloc = freeing_alloc, .dealloc = freeing_dealloc};
    memapi_locked n;
    cr_assert_eq(memapi_locked_init(&n, (memapi_allocator){&no_try, NULL}, NULL), MEMAPI_OK);
    cr_assert_null(memapi_locked_allocator(&n).vt->dealloc);
    cr_assert_null(memapi_locked_allocator(&n).vt->try_dealloc);
    memapi_locked_destroy(&n);
}

Test(locked, dealloc_goes_to_the_inner_dealloc_entry_under_the_lock)
{
    static freeing st;
    memapi_locked l;
    cr_assert_eq(memapi_locked_init(&l, (memapi_allocator){&freeing_vtable, &st}, NULL), MEMAPI_OK);
    st.wrapper = memapi_locked_allocator(&l);
    void *p = memapi_alloc(st.wrapper, L(40, 8), NULL);
    cr_assert_not_null(p);
    memapi_dealloc(st.wrapper, p, L(40, 8));
    cr_assert_eq(st.deallocs, 1);
    cr_assert_eq(st.try_deallocs, 0, "no error object, no try_dealloc");
    cr_assert_str_eq(st.seen.msg, "lock failed");
    /* The dangling pointer is still memapi_dealloc's no-op. */
    memapi_dealloc(st.wrapper, (void *)8, L(0, 8));
    cr_assert_eq(st.deallocs + st.try_deallocs, 1);
    /* try_dealloc is still try_dealloc. */
    p = memapi_alloc(st.wrapper, L(8, 8), NULL);
    cr_assert_eq(memapi_try_dealloc(st.wrapper, p, L(8, 8), NULL), MEMAPI_OK);
    cr_assert_eq(st.try_deallocs, 1);
    memapi_locked_destroy(&l);
}

/* An inner dealloc entry that frees through the wrapper again: the lock is held, so the wrapper's
 * dealloc stops the program with the report memapi_dealloc gives for a failed try_dealloc. */
static memapi_allocator reentrant_wrapper;
static void reentrant_dealloc(void *self, void *ptr, memapi_layout l)
{
    (void)self;
    memapi_dealloc(reentrant_wrapper, ptr, l);
}

static const memapi_alloc_vtable reentrant_vtable = {.name = "reentrant",
                                                     .caps = MEMAPI_CAP_DEALLOC,
                                                     .alloc = freeing_alloc,
                                                     .try_dealloc = sneaky_try_dealloc,
                                                     .dealloc = reentrant_dealloc};

static char expected_fatal[200];
static void abort_on_expected(const char *msg)
{
    if (strcmp(msg, expected_fatal) == 0)
        abort();
    fprintf(stderr, "unexpected fatal message: %s\n", msg);
    exit(3);
}

Test(locked, dealloc_lock_failure_is_reported_as_a_failed_dealloc, .signal = SIGABRT)
{
    static memapi_locked l;
    cr_assert_eq(memapi_locked_init(&l, (memapi_allocator){&reentrant_vtable, NULL}, NULL), MEMAPI_OK);
    reentrant_wrapper = memapi_locked_allocator(&l);
    void *p = memapi_alloc(reentrant_wrapper, L(24, 8), NULL);
    cr_assert_not_null(p);
    snprintf(expected_fatal, sizeof expected_fatal,
             "deallocation of block at %p with layout Layout { size: 24, align: 8 } failed: lock failed", p);
    memapi_set_fatal_hook(abort_on_expected);
    memapi_dealloc(reentrant_wrapper, p, L(24, 8));
    exit(4);
}
