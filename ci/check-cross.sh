#!/usr/bin/env bash
# Usage: check-cross.sh TARGET
#
# The cross-target route, as the README documents it: `make TARGET=<t> install` into a staging
# directory, then
#   - the installed archive references nothing outside itself: no libc, no compiler runtime, no
#     GOT (ci/check-nm.sh with NO_GOT=1), and every function sits in its own section;
#   - the installed config.h records a freestanding build, and only the core's headers are there;
#   - examples/embedded/minimal.c (layout + bump arena) is compiled against the installed copy,
#     linked with --gc-sections and no libc, and run: natively for i386, under qemu-arm for the
#     Cortex-M4 build; it must exit 0;
#   - the README's size table row for the target holds the sizes measured here.
# Environment (set by mk/cross.mk): MAKE, CHECK_BUILD.
set -euo pipefail
: "${MAKE:=make}" "${CHECK_BUILD:=build/check}"
t=$1
case $t in
  cortex-m4) cc=arm-none-eabi-gcc; nm=arm-none-eabi-nm; size=arm-none-eabi-size; objdump=arm-none-eabi-objdump
             arch=(-mcpu=cortex-m4 -mthumb -mfloat-abi=soft); runner=(qemu-arm) ;;
  i386)      cc=gcc; nm=nm; size=size; objdump=objdump
             arch=(-m32 -march=i686 -fno-pie -no-pie -static); runner=() ;;
  *) echo "check-cross: unknown target $t"; exit 1 ;;
esac
fail() { echo "check-cross ($t): $*"; exit 1; }

build=$CHECK_BUILD/$t
stage=$build/stage
prefix=/opt/memapi2-$t
rm -rf "$stage"
# The README's command, with a staging root and this check's build directory.
$MAKE -s TARGET="$t" BUILD="$build" PREFIX="$prefix" DESTDIR="$stage" install
lib=$stage$prefix/lib/libmemapi2.a
inc=$stage$prefix/include

NM=$nm NO_GOT=1 bash ci/check-nm.sh "$t installed libmemapi2.a" "$lib"
nfun=$($objdump -h "$lib" | grep -c ' \.text\.memapi_' || true)
[ "$nfun" -gt 20 ] || fail "the archive has $nfun .text.memapi_* sections: not built with -ffunction-sections"
grep -qx '#define MEMAPI_FREESTANDING 1' "$inc/memapi2/config.h" || fail "installed config.h does not record FREESTANDING 1"
headers=$(cd "$inc/memapi2" && ls | tr '\n' ' ')
[ "$headers" = "alloc.h arith.h bump.h config.h error.h layout.h type_props.h types.h " ] ||
  fail "installed headers are '$headers', not the core's"
echo "-- $t: installed $(find "$stage" -type f | wc -l) files; archive self-contained, no GOT, $nfun function sections"

prog=$build/minimal
warn=(-std=c11 -Wall -Wextra -Wconversion -Wsign-conversion -Werror)
"$cc" "${arch[@]}" -Os -ffreestanding -fno-builtin -nostdlib -ffunction-sections -fdata-sections \
  "${warn[@]}" -I"$inc" examples/embedded/minimal.c "$lib" -Wl,--gc-sections -o "$prog"
rc=0; "${runner[@]}" "$prog" || rc=$?
[ "$rc" -eq 0 ] || fail "examples/embedded/minimal.c exited with $rc"
core=$($size -t "$lib" | awk 'END { print $1 }')
minimal=$($size "$prog" | awk 'NR == 2 { print $1 }')
echo "-- $t: minimal program ran${runner[*]:+ under ${runner[*]}}: exit 0; text: core $core bytes, minimal program $minimal bytes"
row="| \`$t\` | $core | $minimal |"
grep -qF "$row" README.md || fail "README.md size table has no row '$row'"
echo "-- $t: README size table row matches: $row"
