/*
 * Unit tests of include/memapi2/type_props.h against the spec (reference-behaviour.md sections 6.1,
 * 7.5 #9-12 and the SizedProps row of 10.1).
 */
#include <criterion/criterion.h>
#include <stddef.h>
#include <stdint.h>
#include "memapi2/type_props.h"

/* Expected values are the spec's 64-bit ones, with their 32-bit counterparts (make test-32). */

#define MAX MEMAPI_USIZE_MAX_NO_HIGH_BIT
#define HIGH MEMAPI_USIZE_HIGH_BIT
/* The ABI alignment of uint64_t: 4 in the i386 System V ABI, 8 elsewhere here. */
#if defined(__i386__)
#define U64_ALIGN 4
#else
#define U64_ALIGN 8
#endif

/* The C spelling of Rust's [u8; 3]: a 3-byte, byte-aligned type. */
typedef struct {
    uint8_t b[3];
} three_bytes;

/* A GNU empty struct has size 0: the C stand-in for a Rust zero-sized type such as (). */
struct empty {};

struct fam_msg {
    uint32_t len;
    uint16_t kind;
    uint64_t payload[];
};

Test(type_props, layout_of_and_sizes)
{
    memapi_layout l = MEMAPI_LAYOUT_OF(uint64_t);
    cr_assert_eq(l.size, 8);
    cr_assert_eq(l.align, U64_ALIGN);
    cr_assert_eq(MEMAPI_SZ(uint64_t), 8);
    cr_assert_eq(MEMAPI_ALN(uint64_t), U64_ALIGN);
    cr_assert_eq(MEMAPI_SZ(three_bytes), 3);
    cr_assert_eq(MEMAPI_ALN(three_bytes), 1);
    memapi_layout lu16 = MEMAPI_LAYOUT_OF(uint16_t);
    cr_assert(memapi_layout_eq(lu16, (memapi_layout){2, 2}));
    memapi_layout le = MEMAPI_LAYOUT_OF(struct empty);
    cr_assert(memapi_layout_eq(le, (memapi_layout){0, 1}), "Layout::new::<()>() is (0,1)");
    cr_assert(memapi_layout_is_valid(MEMAPI_LAYOUT_OF(struct fam_msg)));
}

Test(type_props, is_zst)
{
    cr_assert_not(MEMAPI_IS_ZST(uint64_t));
    cr_assert_not(MEMAPI_IS_ZST(three_bytes));
    cr_assert(MEMAPI_IS_ZST(struct empty));
}

Test(type_props, max_slice_len)
{
#if SIZE_MAX == UINT64_MAX
    cr_assert_eq(MEMAPI_MAX_SLICE_LEN(uint64_t), (size_t)1152921504606846975u);
    cr_assert_eq(MEMAPI_MAX_SLICE_LEN(three_bytes), (size_t)3074457345618258602u);
#else
    cr_assert_eq(MEMAPI_MAX_SLICE_LEN(uint64_t), (size_t)268435455u);
    cr_assert_eq(MEMAPI_MAX_SLICE_LEN(three_bytes), (size_t)715827882u);
#endif
    cr_assert_eq(MEMAPI_MAX_SLICE_LEN(uint8_t), MAX);
    cr_assert_eq(MEMAPI_MAX_SLICE_LEN(struct empty), SIZE_MAX, "zero-size types: usize::MAX");
}

Test(type_props, dangling)
{
    cr_assert_eq(MEMAPI_DANGLING(uint64_t), (uint64_t *)U64_ALIGN);
    cr_assert_eq((uintptr_t)MEMAPI_DANGLING(uint8_t), 1);
    cr_assert_eq((uintptr_t)MEMAPI_DANGLING(uint32_t), 4);
    cr_assert_eq((uintptr_t)MEMAPI_DANGLING(three_bytes), 1);
    /* the same address as the layout's dangling pointer */
    cr_assert_eq((void *)MEMAPI_DANGLING(uint64_t), memapi_layout_dangling(MEMAPI_LAYOUT_OF(uint64_t)));
}

Test(type_props, layout_array)
{
    memapi_layout out = {12345, 777};
    memapi_error err;

    cr_assert_eq(MEMAPI_LAYOUT_ARRAY(uint16_t, 3, &out, &err), MEMAPI_OK);
    cr_assert(memapi_layout_eq(out, (memapi_layout){6, 2}));
    cr_assert_eq(MEMAPI_LAYOUT_ARRAY(struct empty, 10, &out, &err), MEMAPI_OK);
    cr_assert(memapi_layout_eq(out, (memapi_layout){0, 1}), "() x 10 is (0,1)");
    cr_assert_eq(MEMAPI_LAYOUT_ARRAY(struct empty, SIZE_MAX, &out, NULL), MEMAPI_OK);
    cr_assert(memapi_layout_eq(out, (memapi_layout){0, 1}));
    cr_assert_eq(MEMAPI_LAYOUT_ARRAY(uint8_t, MAX, &out, &err), MEMAPI_OK);
    cr_assert(memapi_layout_eq(out, (memapi_layout){MAX, 1}));
    cr_assert_eq(MEMAPI_LAYOUT_ARRAY(uint32_t, (HIGH - 4) / 4, &out, &err), MEMAPI_OK);
    cr_assert(memapi_layout_eq(out, (memapi_layout){MAX - 3, 4}));

    memapi_layout before = out;
    cr_assert_eq(MEMAPI_LAYOUT_ARRAY(uint8_t, MAX + 1, &out, &err), MEMAPI_ERROR);
    cr_assert_eq(err.kind, MEMAPI_E_LAYOUT);
    cr_assert_eq(err.layout_err.kind, MEMAPI_LE_EXCEEDS_MAX);
    cr_assert_eq(err.layout_err.size, 1);
    cr_assert_eq(err.layout_err.align, 1);
    cr_assert_eq(err.layout_err.n, MAX + 1);

    cr_assert_eq(MEMAPI_LAYOUT_ARRAY(uint32_t, (HIGH - 4) / 4 + 1, &out, &err), MEMAPI_ERROR);
    cr_assert_eq(err.kind, MEMAPI_E_LAYOUT);
    cr_assert_eq(err.layout_err.kind, MEMAPI_LE_EXCEEDS_MAX);
    cr_assert_eq(err.layout_err.size, 4);
    cr_assert_eq(err.layout_err.align, 4);
    cr_assert_eq(err.layout_err.n, HIGH / 4);

    cr_assert_eq(MEMAPI_LAYOUT_ARRAY(uint64_t, SIZE_MAX, &out, NULL), MEMAPI_ERROR);
    cr_assert(memapi_layout_eq(out, before), "out written on failure");
}

Test(type_props, layout_fam)
{
    const size_t off = offsetof(struct fam_msg, payload);
    const size_t al = _Alignof(struct fam_msg);
    static const size_t counts[] = {0, 1, 2, 5, 1000};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        size_t n = counts[i];
        memapi_layout out = {12345, 777};
        memapi_error err;
        cr_assert_eq(MEMAPI_LAYOUT_FAM(struct fam_msg, payload, n, &out, &err), MEMAPI_OK, "n = %zu", n);
        size_t raw = off + n * sizeof(uint64_t);
        size_t want = (raw + al - 1) / al * al;
        cr_assert_eq(out.size, want, "n = %zu: size %zu, expected %zu", n, out.size, want);
        cr_assert_eq(out.align, al);
        cr_assert_geq(out.size, sizeof(struct fam_msg));
    }

    memapi_layout out = {12345, 777};
    memapi_error err;
    size_t n = SIZE_MAX / sizeof(uint64_t) + 1;
    cr_assert_eq(MEMAPI_LAYOUT_FAM(struct fam_msg, payload, n, &out, &err), MEMAPI_ERROR);
    cr_assert_eq(err.kind, MEMAPI_E_LAYOUT);
    cr_assert_eq(err.layout_err.kind, MEMAPI_LE_ARITH);
    cr_assert_eq(err.layout_err.arith.l, sizeof(uint64_t));
    cr_assert_eq(err.layout_err.arith.op, MEMAPI_OP_MUL);
    cr_assert_eq(err.layout_err.arith.r, n);

    cr_assert_eq(MEMAPI_LAYOUT_FAM(struct fam_msg, payload, MAX / sizeof(uint64_t), &out, &err), MEMAPI_ERROR);
    cr_assert_eq(err.kind, MEMAPI_E_LAYOUT);
    cr_assert_eq(err.layout_err.kind, MEMAPI_LE_EXCEEDS_MAX);
    cr_assert_eq(err.layout_err.size, off + MAX / sizeof(uint64_t) * sizeof(uint64_t));
    cr_assert_eq(err.layout_err.align, al);
    cr_assert_eq(err.layout_err.n, 1);
    cr_assert_eq(out.size, 12345, "out written on failure");
    cr_assert_eq(out.align, 777);
}

Test(type_props, layout_of_val)
{
    uint32_t word = 7;
    const uint32_t *p = &word;
    memapi_layout l = MEMAPI_LAYOUT_OF_VAL(p);
    cr_assert(memapi_layout_eq(l, MEMAPI_LAYOUT_OF(uint32_t)), "7.5 #12: for_value_raw of *const u32");

    uint16_t three[3] = {1, 2, 3};
    memapi_layout ls = MEMAPI_LAYOUT_OF_VAL(&three);
    cr_assert(memapi_layout_eq(ls, (memapi_layout){6, 2}), "7.5 #11: a u16 slice of 3 is (6,2)");

    three_bytes tb = {{1, 2, 3}};
    cr_assert(memapi_layout_eq(MEMAPI_LAYOUT_OF_VAL(&tb), (memapi_layout){3, 1}));
}
