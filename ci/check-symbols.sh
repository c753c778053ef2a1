#!/usr/bin/env bash
# Usage: check-symbols.sh <shared library>
#
# The shared library's dynamic symbol table may hold only the public API (memapi_<name>, not the
# memapi__ internals) and the version node of src/memapi2.map. Anything else leaked through a
# missing `static`, a visibility attribute or a version-script change; print it and fail.
set -euo pipefail
so=$1
node=$(awk '/^[A-Za-z0-9_]+[ \t]*\{/ { print $1; exit }' src/memapi2.map)

api=0
bad=0
while read -r full type; do
  sym=${full%%@*}
  if [[ $sym == "$node" && $type == A ]]; then
    continue
  elif [[ $sym =~ ^memapi_[a-z0-9] && $full == "$sym@@$node" ]]; then
    api=$((api + 1))
  else
    echo "check-symbols: $so exports '$full' ($type)"
    bad=1
  fi
done < <(nm -D -P --defined-only "$so" | awk '{ print $1, $2 }')

if [ "$api" -eq 0 ]; then
  echo "check-symbols: $so exports no memapi_* symbol"
  bad=1
fi
[ "$bad" -eq 0 ] || exit 1
echo "-- $so: $api memapi_* symbols exported under $node, nothing else"
