/*
 * Internal: what the proof of the library adds to the installed ACSL vocabulary (memapi2/acsl.h):
 * under Frama-C (which defines __FRAMAC__), the extern contracts of the trusted base
 * (proofs/extern.h: the allocator entries the dispatch calls, memapi__os_strerror). Plain C compilers
 * see nothing but comments.
 */
#ifndef MEMAPI_INTERNAL_ACSL_H
#define MEMAPI_INTERNAL_ACSL_H

#include "memapi2/acsl.h"

#ifdef __FRAMAC__
#include "extern.h"
#endif

#endif
