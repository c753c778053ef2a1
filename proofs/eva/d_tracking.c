/* Eva driver: the tracking allocator over the default one, its table grown or the caller's, its
 * queries, leak callback and report. */
#include "exercise.h"

static memapi_tracking_entry table[4];
static char report[256];
static size_t leaks_seen;
static void on_leak(void *ctx, void *ptr, memapi_layout l)
{
    (void)ctx;
    (void)ptr;
    (void)l;
    leaks_seen++;
}

/* A block of layout l left live for the leak queries, and its recorded layout. */
static void leave_live(memapi_tracking *t, memapi_layout l)
{
    void *p = memapi_alloc(memapi_tracking_allocator(t), l, EVA_ERR);
    memapi_layout got;
    if (p != NULL)
        (void)memapi_tracking_layout_of(t, p, &got, EVA_ERR);
}

void eva_main(void)
{
    memapi_tracking t;
    memapi_status st = Frama_C_interval(0, 1)
                           ? memapi_tracking_init(&t, memapi_default(), EVA_ERR)
                           : memapi_tracking_init_table(&t, memapi_default(), table, (size_t)Frama_C_interval(0, 4), EVA_ERR);
    if (st != MEMAPI_OK)
        return;
    memapi_allocator a = memapi_tracking_allocator(&t);
    eva_exercise(a);
    /* A block left live for the leak queries. */
    EVA_EACH_LAYOUT(leave_live, &t)
    (void)memapi_tracking_live_blocks(&t);
    (void)memapi_tracking_live_bytes(&t);
    (void)memapi_tracking_peak_bytes(&t);
    (void)memapi_tracking_total_allocs(&t);
    (void)memapi_tracking_leaks(&t, on_leak, NULL);
    (void)memapi_tracking_report(&t, report, (size_t)Frama_C_interval(0, (int)sizeof report));
    memapi_tracking_destroy(&t);
}
