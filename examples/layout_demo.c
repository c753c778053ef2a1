/*
 * A first tour of memapi2 (`make demo`): layouts built from a size and an alignment, from a type,
 * for an array, for a struct with a flexible array member, and field by field with extend; then
 * requests that would overflow, refused with the reason printed by memapi_error_format.
 * It exits with a nonzero status if any result differs from what the comments say.
 */
#include <stdio.h>
#include <memapi2.h>

struct point {
    int32_t x;
    int32_t y;
};

struct record {
    char tag;
    double value;
    uint16_t id;
};

struct message {
    uint32_t kind;
    uint16_t len;
    char text[];
};

static int failures;

static void show(const char *what, memapi_layout l)
{
    printf("  %-44s size %6zu  align %2zu\n", what, l.size, l.align);
}

static void expect(int ok, const char *what)
{
    if (!ok) {
        printf("  UNEXPECTED: %s\n", what);
        failures++;
    }
}

static void show_error(const char *what, const memapi_error *err)
{
    char text[256];
    size_t n = memapi_error_format(err, text, sizeof text);
    printf("  %s\n    -> %s%s\n", what, text, n >= sizeof text ? "..." : "");
}

int main(void)
{
    memapi_layout l, rec, field;
    memapi_error err;
    size_t off_value, off_id, stride;

    puts("Building layouts");
    expect(memapi_layout_from_size_align(24, 8, &l, &err) == MEMAPI_OK, "(24, 8) is valid");
    show("from_size_align(24, 8)", l);
    show("MEMAPI_LAYOUT_OF(struct point)", MEMAPI_LAYOUT_OF(struct point));
    expect(MEMAPI_LAYOUT_ARRAY(struct point, 100, &l, &err) == MEMAPI_OK, "100 points fit");
    show("MEMAPI_LAYOUT_ARRAY(struct point, 100)", l);
    expect(MEMAPI_LAYOUT_FAM(struct message, text, 200, &l, &err) == MEMAPI_OK, "a message of 200 fits");
    show("MEMAPI_LAYOUT_FAM(struct message, text, 200)", l);
    expect(l.size >= offsetof(struct message, text) + 200 && l.size % _Alignof(struct message) == 0,
           "the message layout holds the header and 200 bytes, padded to the struct alignment");

    puts("\nstruct record { char tag; double value; uint16_t id; }, field by field with extend");
    rec = MEMAPI_LAYOUT_OF(char);
    show("start with tag", rec);
    field = MEMAPI_LAYOUT_OF(double);
    expect(memapi_layout_extend(rec, field, &rec, &off_value, &err) == MEMAPI_OK, "extend by value");
    printf("  + value at offset %zu\n", off_value);
    field = MEMAPI_LAYOUT_OF(uint16_t);
    expect(memapi_layout_extend(rec, field, &rec, &off_id, &err) == MEMAPI_OK, "extend by id");
    printf("  + id at offset %zu\n", off_id);
    expect(memapi_layout_pad_to_align(rec, &rec, &err) == MEMAPI_OK, "pad_to_align");
    show("after pad_to_align", rec);
    expect(off_value == offsetof(struct record, value) && off_id == offsetof(struct record, id) &&
               memapi_layout_eq(rec, MEMAPI_LAYOUT_OF(struct record)),
           "extend computes the compiler's own offsets, size and alignment");
    printf("  the compiler agrees: offsets %zu and %zu, size %zu, align %zu\n", offsetof(struct record, value),
           offsetof(struct record, id), sizeof(struct record), _Alignof(struct record));
    expect(memapi_layout_repeat(rec, 3, &l, &stride, &err) == MEMAPI_OK, "three records fit");
    printf("  repeat x3: size %zu, stride %zu\n", l.size, stride);

    puts("\nRequests that would overflow are refused, with the reason");
    size_t huge = MEMAPI_USIZE_HIGH_BIT / 2; /* 2^62 on a 64-bit machine */
    expect(MEMAPI_LAYOUT_ARRAY(uint64_t, huge, &l, &err) == MEMAPI_ERROR && err.kind == MEMAPI_E_LAYOUT &&
               err.layout_err.kind == MEMAPI_LE_EXCEEDS_MAX,
           "an array of 2^62 uint64_t is refused");
    show_error("MEMAPI_LAYOUT_ARRAY(uint64_t, HIGH / 2)", &err);
    expect(memapi_layout_repeat(rec, SIZE_MAX, &l, &stride, &err) == MEMAPI_ERROR &&
               err.layout_err.kind == MEMAPI_LE_ARITH,
           "repeating a record SIZE_MAX times is refused");
    show_error("memapi_layout_repeat(record, SIZE_MAX)", &err);
    expect(memapi_layout_from_size_align(64, 24, &l, &err) == MEMAPI_ERROR, "align 24 is refused");
    show_error("memapi_layout_from_size_align(64, 24)", &err);
    expect(memapi_layout_from_size_align(SIZE_MAX - 2, 4, &l, &err) == MEMAPI_ERROR,
           "SIZE_MAX - 2 with align 4 is refused");
    show_error("memapi_layout_from_size_align(SIZE_MAX - 2, 4)", &err);
    size_t product;
    expect(memapi_checked_op(SIZE_MAX / 2, MEMAPI_OP_MUL, 3, &product, &err) == MEMAPI_ERROR,
           "checked multiplication refuses an overflow");
    show_error("memapi_checked_op(SIZE_MAX / 2, MUL, 3)", &err);

    if (failures) {
        printf("\n%d unexpected results\n", failures);
        return 1;
    }
    puts("\nEvery result as expected.");
    return 0;
}
