/*
 * A growable array of structs on top of any memapi_allocator: the capacity doubles with
 * memapi_realloc, each layout comes from MEMAPI_LAYOUT_ARRAY (which refuses a count whose total
 * size would overflow), and an empty vector holds the dangling pointer instead of a heap block.
 *
 * The same code runs twice: with the default allocator, then with a small user-written counting
 * allocator (alloc + try_dealloc only; the library supplies zeroing and resizing), which shows how
 * another allocator is plugged in. Exits with a nonzero status if anything goes wrong.
 */
#include <stdio.h>
#include <string.h>
#include <memapi2.h>

struct particle {
    double x, y;
    float mass;
    uint32_t id;
};

struct vec {
    memapi_allocator alloc;
    struct particle *data;
    size_t len;
    size_t cap;
};

static void vec_init(struct vec *v, memapi_allocator a)
{
    v->alloc = a;
    v->data = MEMAPI_DANGLING(struct particle); /* capacity 0: no block yet */
    v->len = 0;
    v->cap = 0;
}

static memapi_status vec_push(struct vec *v, struct particle p, memapi_error *err)
{
    if (v->len == v->cap) {
        size_t new_cap = v->cap == 0 ? 4 : v->cap * 2;
        memapi_layout old_l, new_l;
        if (MEMAPI_LAYOUT_ARRAY(struct particle, v->cap, &old_l, err) != MEMAPI_OK ||
            MEMAPI_LAYOUT_ARRAY(struct particle, new_cap, &new_l, err) != MEMAPI_OK)
            return MEMAPI_ERROR;
        struct particle *grown = memapi_realloc(v->alloc, v->data, old_l, new_l, err);
        if (grown == NULL)
            return MEMAPI_ERROR; /* v is unchanged and still valid */
        v->data = grown;
        v->cap = new_cap;
    }
    v->data[v->len++] = p;
    return MEMAPI_OK;
}

static void vec_free(struct vec *v)
{
    memapi_layout l;
    if (MEMAPI_LAYOUT_ARRAY(struct particle, v->cap, &l, NULL) == MEMAPI_OK)
        memapi_dealloc(v->alloc, v->data, l);
    vec_init(v, v->alloc);
}

/* ---- a user-supplied allocator: counts calls and live bytes, delegates to the default ---------- */
struct counting {
    size_t allocs, frees, live_bytes, peak_bytes;
};

static void *counting_alloc(void *self, memapi_layout l, memapi_error *err)
{
    struct counting *c = self;
    void *p = memapi_alloc(memapi_default(), l, err);
    if (p != NULL) {
        c->allocs++;
        c->live_bytes += l.size;
        if (c->live_bytes > c->peak_bytes)
            c->peak_bytes = c->live_bytes;
    }
    return p;
}

static memapi_status counting_try_dealloc(void *self, void *ptr, memapi_layout l, memapi_error *err)
{
    struct counting *c = self;
    if (memapi_try_dealloc(memapi_default(), ptr, l, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    /* The first resize starts from the empty vector's dangling pointer (size 0): nothing to count. */
    if (l.size > 0)
        c->frees++;
    c->live_bytes -= l.size;
    return MEMAPI_OK;
}

static const memapi_alloc_vtable counting_vtable = {
    .name = "counting",
    .caps = MEMAPI_CAP_DEALLOC | MEMAPI_CAP_REALLOC,
    .alloc = counting_alloc,
    .try_dealloc = counting_try_dealloc,
};

static int fill_and_check(const char *name, memapi_allocator a)
{
    struct vec v;
    vec_init(&v, a);
    memapi_error err;
    for (uint32_t i = 0; i < 1000; i++) {
        struct particle p = {i * 0.5, i * -0.25, (float)i + 1.0f, i};
        if (vec_push(&v, p, &err) != MEMAPI_OK) {
            char msg[256];
            memapi_error_format(&err, msg, sizeof msg);
            fprintf(stderr, "%s: push %u failed: %s\n", name, (unsigned)i, msg);
            vec_free(&v);
            return 1;
        }
    }
    double total_mass = 0;
    for (size_t i = 0; i < v.len; i++) {
        if (v.data[i].id != i) {
            fprintf(stderr, "%s: element %zu has id %u\n", name, i, (unsigned)v.data[i].id);
            vec_free(&v);
            return 1;
        }
        total_mass += v.data[i].mass;
    }
    printf("%-8s %zu particles (capacity %zu, %zu bytes), total mass %.1f\n", name, v.len, v.cap,
           v.cap * sizeof(struct particle), total_mass);
    vec_free(&v);
    return total_mass == 500500.0 ? 0 : 1;
}

int main(void)
{
    int bad = fill_and_check("default", memapi_default());

    struct counting stats = {0, 0, 0, 0};
    memapi_allocator counting = {&counting_vtable, &stats};
    bad |= fill_and_check("counting", counting);
    printf("counting allocator: %zu allocations, %zu frees, peak %zu bytes live, %zu bytes live at exit\n",
           stats.allocs, stats.frees, stats.peak_bytes, stats.live_bytes);
    /* Capacities 4, 8, ..., 1024: 9 allocations; 8 resizes free the old block, then the final free. */
    if (stats.allocs != 9 || stats.frees != 9 || stats.live_bytes != 0)
        bad = 1;
    return bad;
}
