/* Eva driver: the guard's SIGSEGV handler after each previous action (see d_guard.c). */
#define EVA_GUARD_FAULTS_ONLY
#include "d_guard.c"
