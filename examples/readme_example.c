/* The usage example of README.md (check-readme keeps the two identical). */
#include <stdio.h>
#include <memapi2.h>

struct sample {
    double t;
    float value;
};

static void report(const char *what, const memapi_error *err)
{
    char text[256];
    memapi_error_format(err, text, sizeof text);
    printf("%s: %s\n", what, text);
}

int main(void)
{
    memapi_allocator heap = memapi_default();
    memapi_error err;
    memapi_layout layout;

    /* Layout of 1000 samples: size and alignment come from the type, the product is checked. */
    if (MEMAPI_LAYOUT_ARRAY(struct sample, 1000, &layout, &err) != MEMAPI_OK) {
        report("layout", &err);
        return 1;
    }
    struct sample *samples = memapi_zalloc(heap, layout, &err);
    if (samples == NULL) {
        report("allocation", &err);
        return 1;
    }
    samples[999].value = 1.5f;
    printf("%zu bytes at alignment %zu, last value %.1f\n", layout.size, layout.align,
           (double)samples[999].value);
    if (memapi_try_dealloc(heap, samples, layout, &err) != MEMAPI_OK) {
        report("free", &err);
        return 1;
    }

    /* A count from untrusted input cannot overflow the size: it is refused, with the reason. */
    size_t count = SIZE_MAX / 4;
    if (MEMAPI_LAYOUT_ARRAY(struct sample, count, &layout, &err) == MEMAPI_OK)
        return 1;
    report("refused", &err);
    return 0;
}
