#!/usr/bin/env bash
# Runs one harness under one engine for a fixed time and fails on any finding.
#
#   fuzz/run.sh libfuzzer|afl NAME BINARY SECONDS SCRATCH_DIR [REPLAY_BINARY]
#
# The committed corpus fuzz/corpus/NAME is only read: libFuzzer writes new inputs to
# SCRATCH_DIR/corpus (the first corpus directory is the writable one) and AFL++ to SCRATCH_DIR/afl.
# fuzz/NAME.dict and the [libfuzzer] section of fuzz/NAME.options are used when present.
# libFuzzer fails on a non-zero exit or any artifact; afl-fuzz exits 0 even after a crash, so it
# fails on saved_crashes != 0 in fuzzer_stats. AFL++ runs its target with leak detection off, so
# with REPLAY_BINARY (the gcc ASan + UBSan build, LeakSanitizer on) every input of AFL++'s queue is
# run again through it afterwards, and a leak (or any other report) fails the run.
# Prints one line: runs, exec/s, corpus growth.
set -euo pipefail

engine=$1 name=$2 bin=$3 secs=$4 scratch=$5 replay=${6:-}
corpus=fuzz/corpus/$name
dict=fuzz/$name.dict
opts=fuzz/$name.options

if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus")" ]; then
  echo "fuzz: $name has no seed corpus in $corpus" >&2
  exit 1
fi
rm -rf "$scratch"
mkdir -p "$scratch"
seeds=$(find "$corpus" -type f | wc -l)

# `key = value` lines of the [libfuzzer] section, as -key=value flags.
lf_flags() {
  [ -f "$opts" ] || return 0
  awk '/^\[/ { in_lf = ($0 == "[libfuzzer]"); next }
       in_lf && /=/ { gsub(/[ \t]/, ""); print "-" $0 }' "$opts"
}

fail() {
  echo "fuzz: $name under $engine FAILED: $1" >&2
  exit 1
}

case $engine in
libfuzzer)
  mapfile -t flags < <(lf_flags)
  [ -f "$dict" ] && flags+=("-dict=$dict")
  mkdir -p "$scratch/corpus" "$scratch/artifacts"
  log=$scratch/libfuzzer.log
  rc=0
  "$bin" "${flags[@]}" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$scratch/artifacts/" "$scratch/corpus" "$corpus" >"$log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ] || [ -n "$(ls -A "$scratch/artifacts")" ]; then
    tail -n 40 "$log" >&2
    fail "exit status $rc, artifacts: $(ls "$scratch/artifacts" | tr '\n' ' ') (log: $log)"
  fi
  runs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log")
  eps=$(awk '/stat::average_exec_per_sec/ { print $2 }' "$log")
  found=$(grep -o 'corp: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
  ;;
afl)
  max_len=$(lf_flags | sed -n 's/^-max_len=//p')
  afl_flags=()
  [ -n "$max_len" ] && afl_flags+=(-G "$max_len")
  [ -f "$dict" ] && afl_flags+=(-x "$dict")
  log=$scratch/afl.log
  rc=0
  AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 \
    timeout $((secs + 120)) afl-fuzz -V "$secs" "${afl_flags[@]}" -i "$corpus" -o "$scratch/afl" -- "$bin" \
    >"$log" 2>&1 || rc=$?
  stats=$scratch/afl/default/fuzzer_stats
  if [ "$rc" -ne 0 ] || [ ! -f "$stats" ]; then
    tail -n 40 "$log" >&2
    fail "afl-fuzz exit status $rc (log: $log)"
  fi
  crashes=$(awk '/^saved_crashes/ { print $3 }' "$stats")
  if [ "$crashes" != 0 ]; then
    ls "$scratch/afl/default/crashes" >&2
    fail "$crashes saved crash(es) in $scratch/afl/default/crashes"
  fi
  hangs=$(awk '/^saved_hangs/ { print $3 }' "$stats")
  [ "$hangs" = 0 ] || echo "fuzz: warning: $name under afl saved $hangs hang(s) in $scratch/afl/default/hangs" >&2
  if [ -n "$replay" ]; then
    rc=0
    ASAN_OPTIONS=detect_leaks=1 "$replay" "$scratch/afl/default/queue" >"$scratch/afl-replay.log" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then
      tail -n 40 "$scratch/afl-replay.log" >&2
      fail "the replay of AFL++'s queue with leak detection failed (status $rc, log: $scratch/afl-replay.log)"
    fi
  fi
  runs=$(awk '/^execs_done/ { print $3 }' "$stats")
  eps=$(awk '/^execs_per_sec/ { print $3 }' "$stats")
  found=$(awk '/^corpus_count/ { print $3 }' "$stats")
  ;;
*)
  echo "usage: $0 libfuzzer|afl NAME BINARY SECONDS SCRATCH_DIR" >&2
  exit 2
  ;;
esac

printf 'fuzz: %-14s %-9s %4ss %11s runs %10s exec/s  seeds %s, corpus now %s\n' \
  "$name" "$engine" "$secs" "$runs" "$eps" "$seeds" "$found"
