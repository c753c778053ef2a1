/*
 * Shared by every harness: the libFuzzer entry point's prototype, a reader over the fuzz input that
 * never reads past its end (missing bytes read as 0), and a size_t decoder biased toward the values
 * where layout and arithmetic code breaks (0, 1, powers of two and their neighbours, MAX - k, HIGH,
 * SIZE_MAX - k). The 128-bit type is the wide integer of the independent models.
 */
#ifndef MEMAPI_FUZZ_INPUT_H
#define MEMAPI_FUZZ_INPUT_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

__extension__ typedef unsigned __int128 fuzz_u128;

#define FUZZ_MAX (SIZE_MAX >> 1)
#define FUZZ_HIGH (FUZZ_MAX + 1)
#define FUZZ_SIZE_BITS (sizeof(size_t) * CHAR_BIT)

typedef struct fuzz_in {
    const uint8_t *p;
    size_t n;
} fuzz_in;

static inline uint8_t fin_u8(fuzz_in *in)
{
    if (in->n == 0)
        return 0;
    in->n--;
    return *in->p++;
}

/* k little-endian bytes (k <= 8), so that inputs mean the same thing on every host. */
static inline uint64_t fin_le(fuzz_in *in, unsigned k)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < k; i++)
        v |= (uint64_t)fin_u8(in) << (8 * i);
    return v;
}

static inline size_t fin_pow2(fuzz_in *in)
{
    return (size_t)1 << (fin_u8(in) % FUZZ_SIZE_BITS);
}

/* One size_t. The first byte picks how the value is built; the low bits of the byte are free for callers. */
static inline size_t fin_size(fuzz_in *in)
{
    uint8_t tag = fin_u8(in);
    size_t k = fin_u8(in) % 16;
    size_t p;
    switch (tag % 10) {
    case 0: return (size_t)fin_le(in, 8);
    case 1: return (size_t)fin_u8(in);
    case 2: return fin_pow2(in);
    case 3: p = fin_pow2(in); return p > k ? p - k : 0;
    case 4: p = fin_pow2(in); return p <= SIZE_MAX - k ? p + k : SIZE_MAX;
    case 5: return FUZZ_MAX - k;
    case 6: return FUZZ_HIGH + k;
    case 7: return SIZE_MAX - k;
    case 8: return (size_t)(fin_le(in, 2) << (fin_u8(in) % 48));
    default: return k;
    }
}

/* An alignment: mostly a power of two, sometimes any value (0, 3, 12, ...). */
static inline size_t fin_align(fuzz_in *in)
{
    return fin_u8(in) % 4 != 0 ? fin_pow2(in) : fin_size(in);
}

#endif /* MEMAPI_FUZZ_INPUT_H */
