#!/bin/bash -eu
# Builds every harness for OSS-Fuzz / ClusterFuzzLite, from the repository root or anywhere else.
# Uses the environment those builders provide: $CC, $CFLAGS (sanitizer and coverage flags),
# $LIB_FUZZING_ENGINE (the engine to link), $OUT (where fuzzers go); $CXX/$CXXFLAGS link when set,
# since the engines are C++ libraries. For each fuzz/fuzz_NAME.c it writes $OUT/fuzz_NAME and, when
# present, fuzz_NAME_seed_corpus.zip (fuzz/corpus/NAME), fuzz_NAME.dict and fuzz_NAME.options.
# Local check: CC=clang CFLAGS="-fsanitize=address,fuzzer-no-link" \
#   LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/fuzz/out fuzz/build.sh
cd "$(dirname "$0")/.."

: "${CFLAGS:=}"
LINK=${CXX:-$CC}
LINKFLAGS=${CXXFLAGS:-$CFLAGS}
# The library sources the harnesses link, as the GNUmakefile's configuration selects them, and the OS
# seam's fuzz-build table (fuzz/os_faults.c; -DMEMAPI_FUZZ_OS_FAULTS routes the platform calls through it).
lib_srcs=$(make -s --no-print-directory fuzz-lib-srcs CC="$CC")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$OUT"

objs=()
for src in $lib_srcs; do
  obj=$work/lib_$(basename "$src" .c).o
  $CC $CFLAGS -std=c11 -DMEMAPI_FUZZ_OS_FAULTS -Iinclude -Isrc -c "$src" -o "$obj"
  objs+=("$obj")
done

for harness in fuzz/fuzz_*.c; do
  target=$(basename "$harness" .c)
  name=${target#fuzz_}
  $CC $CFLAGS -std=c11 -DMEMAPI_FUZZ_OS_FAULTS -Iinclude -Isrc -Ifuzz -c "$harness" -o "$work/$target.o"
  $LINK $LINKFLAGS "$work/$target.o" "${objs[@]}" $LIB_FUZZING_ENGINE -o "$OUT/$target"
  if [ -d "fuzz/corpus/$name" ]; then
    rm -f "$OUT/${target}_seed_corpus.zip"
    (cd "fuzz/corpus/$name" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
  fi
  [ -f "fuzz/$name.dict" ] && cp "fuzz/$name.dict" "$OUT/$target.dict"
  [ -f "fuzz/$name.options" ] && cp "fuzz/$name.options" "$OUT/$target.options"
  echo "fuzz/build.sh: $OUT/$target"
done
