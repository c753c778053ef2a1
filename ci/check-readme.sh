#!/usr/bin/env bash
# Usage: check-readme.sh README.md examples/readme_example.c
#
# The README's usage example is the fenced C block right after the line
# `<!-- usage example: examples/readme_example.c -->`. It must be byte-identical to the example
# file, which check-build compiles and runs, so the README never shows code that does not work.
set -euo pipefail
readme=$1
example=$2
marker="<!-- usage example: $example -->"

grep -qxF "$marker" "$readme" || { echo "check-readme: no '$marker' line in $readme"; exit 1; }
block=$(mktemp)
trap 'rm -f "$block"' EXIT
awk -v marker="$marker" '
  $0 == marker { armed = 1; next }
  armed == 1 && $0 == "```c" { inside = 1; armed = 2; next }
  armed == 1 && $0 != "" { exit 1 }
  inside && $0 == "```" { exit }
  inside { print }
' "$readme" >"$block" || { echo "check-readme: the marker must be followed by a \`\`\`c block"; exit 1; }

if ! cmp -s "$block" "$example"; then
  echo "check-readme: the usage example in $readme differs from $example:"
  diff -u "$example" "$block" || true
  exit 1
fi
echo "-- $readme usage example is identical to $example ($(wc -l <"$example") lines)"
