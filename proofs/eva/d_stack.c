/* Eva driver: the stack allocator (alloca in a frame that lives as long as the callback). */
#include "exercise.h"

void eva_main(void)
{
    eva_exercise(memapi_stack());
}
