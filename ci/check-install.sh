#!/usr/bin/env bash
# The install stage: stage `make install` under a temporary DESTDIR, check what was installed
# (headers, the config.h recording the build, the SONAME and the symlinks), move the installed
# tree elsewhere (memapi2.pc and the CMake package must not depend on where it was installed),
# build consumers against the moved copy through pkg-config (shared, static, and the README's
# commands) and through CMake (tests/cmake-consumer: memapi2::memapi2, memapi2::static, C++), run
# them all, check that a CHECKED_OPS=0 install's config.h says so, then `make uninstall` and check
# that nothing of ours is left.
# Environment (set by mk/dist.mk): MAKE, CHECK_BUILD, VERSION, SOVERSION.
set -euo pipefail
: "${MAKE:=make}" "${CHECK_BUILD:=build/check}" "${VERSION:?}" "${SOVERSION:?}"

build=$CHECK_BUILD/gcc
work=$(mktemp -d "${TMPDIR:-/tmp}/memapi2-install.XXXXXX")
[ -n "${KEEP_WORK:-}" ] || trap 'rm -rf "$work"' EXIT
stage=$work/stage
prefix=/usr
libdir=$stage$prefix/lib
consumer=examples/readme_example.c

fail() { echo "check-install: $*"; exit 1; }

$MAKE -s BUILD="$build" DESTDIR="$stage" PREFIX="$prefix" install

# What was installed: the headers (config.h with the build's options in place of its marker), both
# libraries with their links, the .pc file and the CMake package.
for h in include/memapi2.h include/memapi2/*.h; do
  [ "$h" = include/memapi2/config.h ] && continue
  cmp -s "$h" "$stage$prefix/$h" || fail "header $h not installed as is"
done
cfg=$stage$prefix/include/memapi2/config.h
grep -q '@MEMAPI_BUILD_OPTIONS@' "$cfg" && fail "installed config.h still has the marker"
for o in FREESTANDING:0 OS_ERR_REPORTING:1 C_ALLOC:1 STACK_ALLOC:1 ALLOC_TEMP:1 CHECKED_OPS:1; do
  grep -qx "#define MEMAPI_${o%%:*} ${o#*:}" "$cfg" || fail "installed config.h does not record MEMAPI_${o%%:*}=${o#*:}"
done
for f in lib/cmake/memapi2/memapi2Config.cmake lib/cmake/memapi2/memapi2ConfigVersion.cmake lib/pkgconfig/memapi2.pc; do
  [ -f "$stage$prefix/$f" ] || fail "$f missing"
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
[ -f "$libdir/libmemapi2-preload.so" ] || fail "libmemapi2-preload.so not installed"
rm -f "$stage/preload-stats"
out=$(LD_PRELOAD="$libdir/libmemapi2-preload.so" MEMAPI_GUARD_SAMPLE=1 MEMAPI_STATS_FILE="$stage/preload-stats" \
  /usr/bin/python3 -c 'print("ok")' 2>&1)
[ "$out" = ok ] && grep -q '^memapi preload: stats: guarded [1-9]' "$stage/preload-stats" ||
  fail "the installed preload library did not guard python3's allocations: $out"
rm -f "$stage/preload-stats"
echo "-- installed: $(find "$stage" -type f | wc -l) files, $(find "$stage" -type l | wc -l) symlinks, SONAME $soname"

# Relocatable: the installed tree is moved, and the consumers see only the moved copy.
moved=$work/moved/memapi2-root
mkdir -p "$work/moved"
mv "$stage$prefix" "$moved"
libdir=$moved/lib
export PKG_CONFIG_LIBDIR=$libdir/pkgconfig
export PKG_CONFIG_PATH=$libdir/pkgconfig
[ "$(pkg-config --modversion memapi2)" = "$VERSION" ] || fail "pkg-config reports the wrong version"
cflags=$(pkg-config --cflags memapi2)
libs=$(pkg-config --libs memapi2)
static_libs=$(pkg-config --static --libs memapi2)
[ "$(realpath "$(pkg-config --variable=includedir memapi2)")" = "$moved/include" ] ||
  fail "pkg-config's includedir is not the moved tree's: '$cflags'"
[ "$(realpath "$(pkg-config --variable=libdir memapi2)")" = "$libdir" ] || fail "pkg-config's libdir is not the moved tree's"
echo "-- pkg-config after moving the installed tree: cflags '$cflags', libs '$libs', static libs '$static_libs'"

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
echo "-- consumer ($consumer) ran linked shared (from $resolved) and fully static: exit 0 both"

# The README's build lines, run as written (app.c is the README's usage example).
cp "$consumer" "$work/app.c"
readme_line() { grep -F "$1" README.md | sed -n 's/.*`\(cc [^`]*\)`.*/\1/p' | head -n 1; }
for key in 'pkg-config --cflags --libs memapi2)`' 'libmemapi2.a" -lpthread`'; do
  line=$(readme_line "$key")
  [ -n "$line" ] || fail "README.md has no build line ending in $key"
  (cd "$work" && eval "$line -o app") || fail "README line failed: $line"
  needs=$(readelf -d "$work/app" | grep -c 'NEEDED.*libmemapi2' || true)
  case $line in
    *libmemapi2.a*) [ "$needs" -eq 0 ] || fail "'$line' still needs libmemapi2.so" ;;
    *) [ "$needs" -eq 1 ] || fail "'$line' does not link libmemapi2.so" ;;
  esac
  LD_LIBRARY_PATH=$libdir "$work/app" >/dev/null || fail "the program of '$line' failed"
  echo "-- README line ran: $line (NEEDED libmemapi2: $needs)"
done

# CMake: find_package(memapi2 0.1) with the imported targets, C and C++, from the moved tree.
cmake -S tests/cmake-consumer -B "$work/cmake" -DCMAKE_PREFIX_PATH="$moved" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_FLAGS="-Werror" >"$work/cmake.log" 2>&1 || { cat "$work/cmake.log"; fail "cmake configure failed"; }
cmake --build "$work/cmake" >>"$work/cmake.log" 2>&1 || { cat "$work/cmake.log"; fail "cmake build failed"; }
for x in consumer_shared consumer_static consumer_cxx; do
  "$work/cmake/$x" >/dev/null || fail "CMake consumer $x failed"
done
readelf -d "$work/cmake/consumer_shared" | grep -q "NEEDED.*\[libmemapi2.so.$SOVERSION\]" ||
  fail "memapi2::memapi2 did not link the shared library"
if readelf -d "$work/cmake/consumer_static" | grep -q 'NEEDED.*libmemapi2'; then
  fail "memapi2::static linked the shared library"
fi
if cmake -S tests/cmake-consumer -B "$work/cmake-v2" -DCMAKE_PREFIX_PATH="$moved" \
     -DMEMAPI2_WANT_VERSION=0.2 >"$work/cmake-v2.log" 2>&1; then
  fail "find_package(memapi2 0.2) accepted version $VERSION"
fi
grep -q 'compatible with requested version "0.2"' "$work/cmake-v2.log" ||
  { cat "$work/cmake-v2.log"; fail "find_package(memapi2 0.2) failed for another reason than the version"; }
echo "-- CMake package: consumers through memapi2::memapi2 (shared), memapi2::static and C++ built and ran; 0.2 refused"
mv "$moved" "$stage$prefix"
libdir=$stage$prefix/lib

# A build with an option off installs a config.h that says so: the consumer sees no declaration of
# what the library lacks, and a contradicting -D stops its compilation.
opt_build=$CHECK_BUILD/install-nochecked
$MAKE -s BUILD="$opt_build" CHECKED_OPS=0 DESTDIR="$work/opt" PREFIX=/usr lib install
grep -qx '#define MEMAPI_CHECKED_OPS 0' "$work/opt/usr/include/memapi2/config.h" ||
  fail "a CHECKED_OPS=0 install's config.h does not record it"
printf '#include <memapi2.h>\nint main(void) { return memapi_checked_dealloc == 0; }\n' >"$work/checked.c"
if cc -std=c11 -Werror -I"$work/opt/usr/include" -c "$work/checked.c" -o "$work/checked.o" 2>/dev/null; then
  fail "a CHECKED_OPS=0 install still declares memapi_checked_dealloc"
fi
if cc -std=c11 -DMEMAPI_CHECKED_OPS=1 -I"$work/opt/usr/include" -c "$work/checked.c" -o "$work/checked.o" 2>/dev/null; then
  fail "-DMEMAPI_CHECKED_OPS=1 against a CHECKED_OPS=0 install compiled"
fi
echo "-- CHECKED_OPS=0 install: config.h records it, memapi_checked_* undeclared, a contradicting -D is an error"

$MAKE -s BUILD="$build" DESTDIR="$stage" PREFIX="$prefix" uninstall
left=$(find "$stage" ! -type d)
[ -z "$left" ] || fail "left after uninstall: $left"
left=$(cd "$stage" && find . -path '*memapi*')
[ -z "$left" ] || fail "left after uninstall: $left"
echo "-- uninstall removed every installed file"
