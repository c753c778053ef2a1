/**
 * @file memapi2.h
 * @brief Umbrella header: includes every public header of memapi2 that the build configuration
 * provides, and nothing else.
 */
#ifndef MEMAPI2_H
#define MEMAPI2_H

#include "memapi2/config.h"
#include "memapi2/types.h"
#include "memapi2/error.h"
#include "memapi2/arith.h"
#include "memapi2/layout.h"
#include "memapi2/type_props.h"
#include "memapi2/alloc.h"
#include "memapi2/bump.h"
#if !MEMAPI_FREESTANDING
#include "memapi2/default.h"
#include "memapi2/failing.h"
#include "memapi2/tracking.h"
#include "memapi2/locked.h"
#include "memapi2/guard.h"
#include "memapi2/cmalloc.h"
#endif
#if MEMAPI_C_ALLOC
#include "memapi2/c_alloc.h"
#endif
#if MEMAPI_STACK_ALLOC
#include "memapi2/stack.h"
#endif

#endif /* MEMAPI2_H */
