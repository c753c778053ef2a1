/* Eva driver: the guard's fault classification and report alone (d_guard.c's faults, quickly). */
#define EVA_GUARD_FAULTS_ONLY
#include "d_guard.c"
