#!/usr/bin/env bash
# Usage: check-hardening.sh GCC_SO CLANG_SO GCC_PRELOAD_SO CLANG_PRELOAD_SO
#
# The two preload libraries (libmemapi2-preload.so) are held to the same report as the library
# each compiler built: they are the library's objects plus src/preload/preload.c, with its flags.
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
gcc_preload=$3
clang_preload=$4
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
got=$(report "$gcc_preload")
[ "$got" = "$readme_block" ] || { diff <(echo "$readme_block") <(echo "$got") || true; fail "$gcc_preload: report differs from README.md"; }
echo "-- $gcc_preload: the same report"

want=$'<  Stack clash protection: yes\n>  Stack clash protection: unknown, no -fstack-clash-protection instructions found'
for so in "$clang_so" "$clang_preload"; do
  got_clang=$(report "$so")
  diffs=$(diff <(echo "$readme_block") <(echo "$got_clang") | grep '^[<>]' || true)
  [ "$diffs" = "$want" ] || {
    echo "$got_clang"; fail "$so: report differs from the README's in other lines than stack clash: $diffs"; }
  echo "-- $so (clang): the same report but 'Stack clash protection: unknown' (as README.md says)"
done

for so in "$gcc_so" "$clang_so" "$gcc_preload" "$clang_preload"; do
  n=$(objdump -d "$so" | grep -c endbr64 || true)
  [ "$n" -gt 0 ] || fail "no endbr64 in $so"
  if readelf -n "$so" | grep -qE 'IBT|SHSTK'; then
    fail "$so is CET-marked: update README.md's CET paragraph (it says Debian 12's start files prevent this)"
  fi
  readelf -lW "$so" | grep -q 'GNU_STACK.* RW ' || fail "$so: stack not marked non-executable"
  echo "-- $so: $n endbr64, no IBT/SHSTK property note (Debian 12 crti.o/crtn.o), GNU_STACK RW"
done
