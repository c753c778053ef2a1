/* Eva driver: the c_alloc allocator (posix_memalign-style). */
#include "exercise.h"

void eva_main(void)
{
    eva_exercise(memapi_c_alloc());
}
