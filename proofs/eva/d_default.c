/* Eva driver: the default allocator, also under its second name (memapi_system). */
#include "exercise.h"

void eva_main(void)
{
    eva_exercise(Frama_C_interval(0, 1) ? memapi_default() : memapi_system());
}
