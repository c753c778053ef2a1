#!/usr/bin/env bash
# Static analysis of src/: cppcheck, then gcc -fanalyzer on every source in the default (hosted)
# configuration and on the core sources in the freestanding one. Any finding fails the stage.
# A false positive is suppressed inline, next to the code, with a comment saying why.
# Environment (set by mk/dist.mk): CPPFLAGS_LIB, WARN, CORE_SRCS.
set -euo pipefail
: "${CPPFLAGS_LIB:=-Iinclude -Isrc}" "${WARN:=-std=c11 -Wall -Wextra -Werror}" "${CORE_SRCS:?}"

# -U__FRAMAC__: that configuration is Frama-C's view of the sources (contract-only declarations of a
# few static functions, see proofs/README.md), never compiled; make prove checks it.
cppcheck --enable=warning,style,performance,portability --std=c11 --inconclusive --error-exitcode=1 \
  --inline-suppr --suppress=missingIncludeSystem -q -U__FRAMAC__ -Iinclude -Isrc src/
n_src=$(find src -name '*.c' | wc -l)
echo "-- cppcheck: $n_src sources, no finding"

# shellcheck disable=SC2086 # the flag variables are lists of flags
for f in src/*.c; do
  gcc $CPPFLAGS_LIB $WARN -O2 -fanalyzer -Werror -c "$f" -o /dev/null
done
# shellcheck disable=SC2086
for f in $CORE_SRCS; do
  gcc $CPPFLAGS_LIB -DMEMAPI_FREESTANDING=1 $WARN -O2 -ffreestanding -fanalyzer -Werror -c "$f" -o /dev/null
done
echo "-- gcc -fanalyzer: src/*.c hosted and the core freestanding, no finding"
