#!/usr/bin/env bash
# Usage: NM=<nm tool> [NO_GOT=1] check-nm.sh <label> <object or archive>...
#
# The freestanding rule: the given objects form a library that needs nothing from the outside.
# Every undefined symbol must be a memapi_* / memapi__* symbol defined by one of the objects
# themselves; anything else (a libc function, a compiler runtime helper, a symbol of a hosted-only
# source) is printed with the object that references it, and the check fails.
set -euo pipefail
label=$1
shift
nm_tool=${NM:-nm}

defined=$("$nm_tool" -P --defined-only --extern-only "$@" | awk 'NF >= 2 && $1 !~ /:$/ { print $1 }' | sort -u)
bad=0
while read -r obj sym; do
  [ -n "$sym" ] || continue
  # The GOT anchor of position-independent code is made by the static linker, not by any library;
  # a cross-target build is not PIC and must not reference it (NO_GOT=1).
  [ "$sym" = _GLOBAL_OFFSET_TABLE_ ] && [ "${NO_GOT:-0}" != 1 ] && continue
  if [[ $sym != memapi_* ]]; then
    echo "check-nm ($label): $obj references non-memapi symbol '$sym'"
    bad=1
  elif ! grep -qxF "$sym" <<<"$defined"; then
    echo "check-nm ($label): $obj references '$sym', which no freestanding object defines"
    bad=1
  fi
done < <("$nm_tool" -A -P --undefined-only "$@" | awk '{ sub(/:$/, "", $1); print $1, $2 }')

if [ "$bad" -ne 0 ]; then
  exit 1
fi
echo "-- $label: $# objects, no undefined symbol outside the memapi core"
