#!/bin/sh
# Frama-C's preprocessor for the Eva stage (proofs/README.md, "Eva"): GNU cpp, as Frama-C's default
# command runs it, then the library's ACSL turned into plain comments. Eva analyses the code the
# compiler compiles; the ACSL (contracts, ghost code, loop invariants) is WP's, proved by
# `make prove`, and names the proof's ghost heap, which the compiled code does not have. The C
# library's specifications (Frama-C's libc) and those of proofs/eva/ are kept.
# The library's exported functions carry __attribute__((visibility("default"))) (MEMAPI_API): a
# linker matter, removed here too, because Frama-C 25 attaches it to the return type of a function
# that returns a struct and then reads the returned struct through a cast to that attributed type
# as a reinterpretation of its bytes ("garbled mix", origin "Misaligned"), which is no C semantics.
# Frama-C calls it as: cpp.sh <cpp options> <source> -o <output>.
out=
prev=
for a in "$@"; do
    [ "$prev" = "-o" ] && out=$a
    prev=$a
done
gcc -C -E -I. "$@" || exit $?
[ -n "$out" ] || { echo "cpp.sh: no -o argument" >&2; exit 2; }
awk '
/^# [0-9]+ "/ { f = $3; lib = (f ~ /\/frama-c\/libc\// || f ~ /proofs\/eva\// || f ~ /^"</) }
!lib { gsub(/\/\*@/, "/* "); gsub(/\/\/@/, "// "); gsub(/__attribute__\(\(visibility\("default"\)\)\)/, "") }
{ print }
' "$out" > "$out.strip" && mv "$out.strip" "$out"
