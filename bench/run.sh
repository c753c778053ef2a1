#!/usr/bin/env bash
# Runs the benchmark drivers built by `make bench` (timing, then callgrind) and hands the results to
# report.py, which prints the markdown table and writes bench/RESULTS.md.
#   usage: bench/run.sh BUILD_OUT_DIR
set -euo pipefail
out=$1
here=$(cd "$(dirname "$0")" && pwd)
rm -f "$out"/time-*.tsv "$out"/calls-*.tsv "$out"/cg-*.out "$out"/cg-*.txt
for b in memapi mimalloc jemalloc; do
  echo "bench: timing $b" >&2
  "$out/bench-$b" time > "$out/time-$b.tsv"
done
for b in memapi mimalloc jemalloc; do
  for t in mixed small extra; do
    [ "$b" != memapi ] && [ "$t" = extra ] && continue
    echo "bench: callgrind $b $t" >&2
    valgrind --tool=callgrind --callgrind-out-file="$out/cg-$b-$t.out" "$out/bench-$b" cg "$t" \
      > "$out/calls-$b-$t.tsv" 2> "$out/cg-$b-$t.log"
    callgrind_annotate --inclusive=yes --threshold=100 --auto=no "$out/cg-$b-$t.out" > "$out/cg-$b-$t.txt"
  done
done
python3 "$here/report.py" "$out" "$here/RESULTS.md"
