#!/usr/bin/env bash
# Usage: check-hardening.sh GCC_SO CLANG_SO
#
# The README's hardening claims, proved on the shared libraries `make` builds:
#   - hardening-check's full report (no option switched off) on the gcc build equals, line for line,
#     the block after `<!-- hardening-check output -->` in README.md;
#   - the clang build's report differs from it in the stack-clash line only, as the README says;
#   - CET: every build has endbr64 instructions (-fcf-protection=full) and, as the README states
#     for Debian 12, no IBT/SHSTK property note (the start files lack it). If Debian's start files
#     gain the note, this fails and the README's CET paragraph must be updated;
#   - the stack is not executable (GNU_STACK RW).
set -euo pipefail
gcc_so=$1
clang_so=$2
fail() { echo "check-hardening: $*"; exit 1; }

report() { hardening-check "$1" | tail -n +2 || true; }
readme_block=$(awk '/^<!-- hardening-check output -->$/ { armed = 1; next }
  armed == 1 && /^```/ { inside = 1; armed = 2; next }
  inside && /^```/ { exit }
  inside { print }' README.md)
[ -n "$readme_block" ] || fail "README.md has no hardening-check output block"

got=$(report "$gcc_so")
echo "-- hardening-check $gcc_so (gcc, the default build):"
echo "$got"
[ "$got" = "$readme_block" ] || { diff <(echo "$readme_block") <(echo "$got") || true; fail "gcc build's report differs from README.md"; }

got_clang=$(report "$clang_so")
diffs=$(diff <(echo "$readme_block") <(echo "$got_clang") | grep '^[<>]' || true)
want=$'<  Stack clash protection: yes\n>  Stack clash protection: unknown, no -fstack-clash-protection instructions found'
[ "$diffs" = "$want" ] || {
  echo "$got_clang"; fail "clang build's report differs from the README's in other lines than stack clash: $diffs"; }
echo "-- clang build: the same report but 'Stack clash protection: unknown' (as README.md says)"

for so in "$gcc_so" "$clang_so"; do
  n=$(objdump -d "$so" | grep -c endbr64 || true)
  [ "$n" -gt 0 ] || fail "no endbr64 in $so"
  if readelf -n "$so" | grep -qE 'IBT|SHSTK'; then
    fail "$so is CET-marked: update README.md's CET paragraph (it says Debian 12's start files prevent this)"
  fi
  readelf -lW "$so" | grep -q 'GNU_STACK.* RW ' || fail "$so: stack not marked non-executable"
  echo "-- $so: $n endbr64, no IBT/SHSTK property note (Debian 12 crti.o/crtn.o), GNU_STACK RW"
done
