#!/usr/bin/env bash
# Runs the benchmark drivers built by `make bench` (timing, then callgrind) and hands the results to
# report.py, which prints the markdown table and writes bench/RESULTS.md.
#   usage: bench/run.sh BUILD_OUT_DIR
#
# Callgrind runs each row in a process of its own (fresh heap, same trace for every row); the driver
# dumps the counters once per phase (files cg-<bin>-<trace>-<row>.out.<n>), so that report.py can
# split each entry function's inclusive cost into the libc calls made inside it and the rest.
# LD_BIND_NOW keeps the dynamic linker's lazy symbol resolution out of the first call of each phase.
set -euo pipefail
out=$1
here=$(cd "$(dirname "$0")" && pwd)
rm -f "$out"/time-*.tsv "$out"/calls-*.tsv "$out"/cg-*
cg() { # cg LABEL ARGS...: one callgrind run of the driver
  local label=$1
  shift
  echo "bench: callgrind $label" >&2
  LD_BIND_NOW=1 valgrind --tool=callgrind --callgrind-out-file="$out/cg-$label.out" "$@" \
    > "$out/calls-$label.tsv" 2> "$out/cg-$label.log"
}
for b in memapi mimalloc jemalloc; do
  echo "bench: timing $b" >&2
  "$out/bench-$b" time > "$out/time-$b.tsv"
done
for b in memapi mimalloc jemalloc; do
  while IFS=$'\t' read -r _ idx traces _; do
    for t in mixed small; do
      [[ " $traces " == *" $t "* ]] && cg "$b-$t-$idx" "$out/bench-$b" cg "$t" "$idx"
    done
  done < <("$out/bench-$b" rows)
done
cg memapi-extra "$out/bench-memapi" cg extra
# Where each row's instructions go (inclusive, per function), for reading by hand.
callgrind_annotate --inclusive=yes --threshold=100 --auto=no "$out/cg-memapi-extra.out" > "$out/cg-memapi-extra.txt"
python3 "$here/report.py" "$out" "$here/RESULTS.md"
