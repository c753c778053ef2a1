// A C++ caller of memapi2 (make check-cxx): every public header through the umbrella header, and
// every type macro, compiled as C++11 to C++20 with g++ and clang++ (-Wall -Wextra -Wpedantic
// -Werror) and linked against the C library. It exits nonzero when a result differs from C's.
#include <memapi2.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace {

struct sample {
    double t;
    float value;
};

// C++ has no flexible array members: a trailing one-element array has the same offset and
// element size, which is all MEMAPI_LAYOUT_FAM reads.
struct message {
    std::uint32_t kind;
    std::uint16_t len;
    char text[1];
};

int failures = 0;

void expect(bool ok, const char *what)
{
    if (!ok) {
        std::printf("UNEXPECTED: %s\n", what);
        failures++;
    }
}

}  // namespace

int main()
{
    // Type macros: the same values as sizeof/alignof.
    memapi_layout of = MEMAPI_LAYOUT_OF(sample);
    expect(of.size == sizeof(sample) && of.align == alignof(sample), "MEMAPI_LAYOUT_OF");
    expect(MEMAPI_SZ(sample) == sizeof(sample), "MEMAPI_SZ");
    expect(MEMAPI_ALN(sample) == alignof(sample), "MEMAPI_ALN");
    expect(MEMAPI_IS_ZST(sample) == 0, "MEMAPI_IS_ZST");
    expect(MEMAPI_MAX_SLICE_LEN(sample) == MEMAPI_USIZE_MAX_NO_HIGH_BIT / sizeof(sample), "MEMAPI_MAX_SLICE_LEN");
    sample *dangling = MEMAPI_DANGLING(sample);
    expect(reinterpret_cast<std::uintptr_t>(dangling) == alignof(sample), "MEMAPI_DANGLING");
    expect(MEMAPI_MIN_ALIGN == alignof(std::max_align_t), "MEMAPI_MIN_ALIGN");
    sample one = {0.0, 0.0f};
    memapi_layout of_val = MEMAPI_LAYOUT_OF_VAL(&one);
    expect(memapi_layout_eq(of_val, of), "MEMAPI_LAYOUT_OF_VAL");

    memapi_error err;
    memapi_layout array;
    expect(MEMAPI_LAYOUT_ARRAY(sample, 1000, &array, &err) == MEMAPI_OK, "MEMAPI_LAYOUT_ARRAY");
    expect(array.size == 1000 * sizeof(sample) && array.align == alignof(sample), "array layout");
    memapi_layout fam;
    expect(MEMAPI_LAYOUT_FAM(message, text, 10, &fam, &err) == MEMAPI_OK, "MEMAPI_LAYOUT_FAM");
    expect(fam.size == (offsetof(message, text) + 10 + alignof(message) - 1) / alignof(message) * alignof(message),
           "fam layout");

    // An overflowing count is refused with the reference's text, as in C.
    expect(MEMAPI_LAYOUT_ARRAY(sample, SIZE_MAX / 4, &array, &err) == MEMAPI_ERROR, "overflow refused");
    char text[256];
    memapi_error_format(&err, text, sizeof text);
    expect(std::strncmp(text, "layout error: array with ", 25) == 0, "error text");

    // Allocators: the default heap and a bump arena, through the same interface.
    memapi_allocator heap = memapi_default();
    sample *samples = static_cast<sample *>(memapi_zalloc(heap, MEMAPI_LAYOUT_OF(sample), &err));
    expect(samples != nullptr && samples->value == 0.0f, "zalloc");
    if (samples != nullptr)
        expect(memapi_try_dealloc(heap, samples, MEMAPI_LAYOUT_OF(sample), &err) == MEMAPI_OK, "try_dealloc");

    alignas(16) static unsigned char buffer[256];
    memapi_bump arena;
    expect(memapi_bump_init(&arena, buffer, sizeof buffer, &err) == MEMAPI_OK, "bump init");
    memapi_allocator bump = memapi_bump_allocator(&arena);
    void *p = memapi_alloc(bump, MEMAPI_LAYOUT_OF(double), &err);
    expect(p == buffer, "bump alloc");
    expect(memapi_bump_used(&arena) == sizeof(double), "bump used");

    std::printf("C++%ld consumer: %s\n", static_cast<long>(__cplusplus / 100 % 100), failures ? "FAILED" : "ok");
    return failures != 0;
}
