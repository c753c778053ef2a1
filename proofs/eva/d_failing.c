/* Eva driver: the failing allocator over the default one, every rule set, then every operation. */
#include "exercise.h"

void eva_main(void)
{
    memapi_failing f;
    if (memapi_failing_init(&f, memapi_default(), EVA_ERR) != MEMAPI_OK)
        return;
    switch (Frama_C_interval(0, 5)) {
    case 0: memapi_failing_set_nth(&f, Frama_C_unsigned_long_interval(0, 3)); break;
    case 1: memapi_failing_set_after(&f, Frama_C_unsigned_long_interval(0, UINT64_MAX)); break;
    case 2: memapi_failing_set_probability(&f, Frama_C_unsigned_int_interval(0, 2000000), Frama_C_unsigned_long_interval(0, UINT64_MAX)); break;
    case 3: memapi_failing_set_max_size(&f, Frama_C_size_t_interval(0, SIZE_MAX)); break;
    case 4: memapi_failing_clear(&f); break;
    default: break;
    }
    eva_exercise(memapi_failing_allocator(&f));
    (void)memapi_failing_calls(&f);
    (void)memapi_failing_failures(&f);
    memapi_failing_reset_counters(&f);
}
