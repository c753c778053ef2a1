/*
 * Internal: what the proof of the library adds to the installed ACSL vocabulary (memapi2/acsl.h):
 * under Frama-C (which defines __FRAMAC__), the extern contract of the trusted base that is not
 * installed (proofs/extern.h: memapi__os_strerror; the allocator entries' contract is installed, in
 * memapi2/alloc_acsl.h). Plain C compilers see nothing but comments.
 */
#ifndef MEMAPI_INTERNAL_ACSL_H
#define MEMAPI_INTERNAL_ACSL_H

#include "memapi2/acsl.h"

#ifdef __FRAMAC__
#include "extern.h"
#endif

#endif
