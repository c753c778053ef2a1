#!/usr/bin/env bash
# The installed headers' contracts are self-contained: each public header, included alone by a
# translation unit that sees nothing but include/ (as an installed copy would), parses under Frama-C
# with every ACSL annotation it carries, so a user can prove their code against it (proofs/README.md).
set -euo pipefail
framac=${FRAMAC:-frama-c}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
inc=$(cd "$(dirname "$0")/../include" && pwd)
n=0
for h in "$inc"/memapi2.h "$inc"/memapi2/*.h; do
  rel=${h#"$inc"/}
  printf '#include "%s"\nint main(void) { return 0; }\n' "$rel" > "$tmp/t.c"
  if ! "$framac" -c11 -machdep gcc_x86_64 -cpp-extra-args="-nostdinc -I$inc" \
       -kernel-warn-key annot-error=error "$tmp/t.c" > "$tmp/log" 2>&1; then
    echo "prove-installed: $rel does not parse under Frama-C with only include/ on the path:" >&2
    grep -v '^\[kernel\] Parsing' "$tmp/log" | head -20 >&2
    exit 1
  fi
  n=$((n + 1))
done
echo "prove-installed: $n public headers parse under Frama-C, ACSL included, with only include/ on the path"
