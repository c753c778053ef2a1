#!/bin/sh
# Usage: installed-config.sh SRC_CONFIG_H < options
#
# Prints the config.h that `make install` installs: SRC_CONFIG_H with its @MEMAPI_BUILD_OPTIONS@
# comment replaced by the options the library was built with. `options` holds one "NAME VALUE"
# line per option, as the compiler saw them for the build (the GNUmakefile gets them with -dM -E).
# A consumer then compiles against the library's own configuration, and a -D that contradicts it
# stops the compilation instead of declaring functions the library lacks.
set -eu
src=$1
block="/* The options this copy of memapi2 was built with (written by make install). */"
while read -r name value; do
  block="$block
#ifndef $name
#define $name $value
#elif $name != $value
#error \"this installed copy of memapi2 was built with $name=$value\"
#endif"
done
grep -q '@MEMAPI_BUILD_OPTIONS@' "$src" || { echo "installed-config.sh: no marker in $src" >&2; exit 1; }
awk -v block="$block" '
  /@MEMAPI_BUILD_OPTIONS@/ { print block; skip = 1 }
  skip { if ($0 ~ /\*\//) skip = 0; next }
  { print }
' "$src"
