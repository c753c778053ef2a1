/* Eva driver: the locked allocator over the default one. */
#include "exercise.h"

void eva_main(void)
{
    memapi_locked l;
    if (memapi_locked_init(&l, memapi_default(), EVA_ERR) != MEMAPI_OK)
        return;
    eva_exercise(memapi_locked_allocator(&l));
    memapi_locked_destroy(&l);
}
