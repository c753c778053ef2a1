#!/usr/bin/env bash
# The install stage: stage `make install` under a temporary DESTDIR, build a consumer against the
# staged copy through pkg-config (shared and static), run both, check the SONAME and the
# symlinks, then `make uninstall` and check that nothing of ours is left.
# Environment (set by mk/dist.mk): MAKE, CHECK_BUILD, VERSION, SOVERSION.
set -euo pipefail
: "${MAKE:=make}" "${CHECK_BUILD:=build/check}" "${VERSION:?}" "${SOVERSION:?}"

build=$CHECK_BUILD/gcc
work=$(mktemp -d "${TMPDIR:-/tmp}/memapi2-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
stage=$work/stage
prefix=/usr
libdir=$stage$prefix/lib
consumer=examples/readme_example.c

fail() { echo "check-install: $*"; exit 1; }

$MAKE -s BUILD="$build" DESTDIR="$stage" PREFIX="$prefix" install

# What was installed: the headers, both libraries with their links, and the .pc file.
for h in include/memapi2.h include/memapi2/*.h; do
  cmp -s "$h" "$stage$prefix/$h" || fail "header $h not installed as is"
done
[ -f "$libdir/libmemapi2.a" ] || fail "libmemapi2.a missing"
if [ ! -f "$libdir/libmemapi2.so.$VERSION" ] || [ -L "$libdir/libmemapi2.so.$VERSION" ]; then
  fail "libmemapi2.so.$VERSION missing or not a regular file"
fi
[ "$(readlink "$libdir/libmemapi2.so.$SOVERSION")" = "libmemapi2.so.$VERSION" ] ||
  fail "libmemapi2.so.$SOVERSION does not point to libmemapi2.so.$VERSION"
[ "$(readlink "$libdir/libmemapi2.so")" = "libmemapi2.so.$SOVERSION" ] ||
  fail "libmemapi2.so does not point to libmemapi2.so.$SOVERSION"
soname=$(readelf -d "$libdir/libmemapi2.so.$VERSION" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "libmemapi2.so.$SOVERSION" ] || fail "SONAME is '$soname', not libmemapi2.so.$SOVERSION"
echo "-- installed: $(find "$stage" -type f | wc -l) files, $(find "$stage" -type l | wc -l) symlinks, SONAME $soname"

# The consumer sees only the staged copy: pkg-config resolves memapi2.pc there and prefixes the
# sysroot to its -I and -L flags.
export PKG_CONFIG_SYSROOT_DIR=$stage
export PKG_CONFIG_LIBDIR=$libdir/pkgconfig
export PKG_CONFIG_PATH=$libdir/pkgconfig
[ "$(pkg-config --modversion memapi2)" = "$VERSION" ] || fail "pkg-config reports the wrong version"
cflags=$(pkg-config --cflags memapi2)
libs=$(pkg-config --libs memapi2)
static_libs=$(pkg-config --static --libs memapi2)
[[ $cflags == *"-I$stage$prefix/include"* ]] || fail "pkg-config --cflags gives '$cflags'"
echo "-- pkg-config: cflags '$cflags', libs '$libs', static libs '$static_libs'"

ccflags=(-std=c11 -O2 -Wall -Wextra -Wconversion -Wsign-conversion -Werror)
# shellcheck disable=SC2086 # the pkg-config output is a list of flags
cc "${ccflags[@]}" $cflags "$consumer" -o "$work/consumer-shared" $libs
# shellcheck disable=SC2086
cc "${ccflags[@]}" -static $cflags "$consumer" -o "$work/consumer-static" $static_libs

readelf -d "$work/consumer-shared" | grep -q "NEEDED.*\[libmemapi2.so.$SOVERSION\]" ||
  fail "the shared consumer does not need libmemapi2.so.$SOVERSION"
resolved=$(LD_LIBRARY_PATH=$libdir ldd "$work/consumer-shared" | awk '/libmemapi2/ { print $3 }')
[ "$resolved" = "$libdir/libmemapi2.so.$SOVERSION" ] || fail "the shared consumer loads '$resolved'"
if readelf -d "$work/consumer-static" 2>/dev/null | grep -q NEEDED; then
  fail "the static consumer has dynamic dependencies"
fi

LD_LIBRARY_PATH=$libdir "$work/consumer-shared" >/dev/null || fail "the shared consumer failed"
"$work/consumer-static" >/dev/null || fail "the static consumer failed"
echo "-- consumer ($consumer) ran linked shared (from $resolved) and static: exit 0 both"

$MAKE -s BUILD="$build" DESTDIR="$stage" PREFIX="$prefix" uninstall
left=$(find "$stage" ! -type d)
[ -z "$left" ] || fail "left after uninstall: $left"
left=$(cd "$stage" && find . -path '*memapi*')
[ -z "$left" ] || fail "left after uninstall: $left"
echo "-- uninstall removed every installed file"
