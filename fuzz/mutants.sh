#!/usr/bin/env bash
# Planted bugs (issue 23): is a realistic one-line bug in each layer found by the libFuzzer harnesses,
# from the committed corpus, within MUTANT_SECONDS?
#
#   fuzz/mutants.sh                       (or: make fuzz-mutants)
#   MUTANT_SECONDS=600                    time per harness and mutant (libFuzzer -max_total_time)
#   MUTANTS="tracking-dealloc-bytes ..."  a subset, by name (default: every mutant below)
#   MUTANT_HARNESSES="guard alloc"        only these harnesses, in this order (default: the mutant's
#                                         preferred ones, then every allocator harness)
#   BUILD=build                           results go to $BUILD/fuzz/runs/mutants/ and mutants.md
#
# Each mutant is a source file, a search text that must occur in it exactly once, and its
# replacement. The script works on copies of the tree (GNUmakefile, mk/, include/, src/, fuzz/
# without its corpora) in a temporary directory, never on the tree itself:
#   1. every selected mutant's search text is checked against the tree (exactly one occurrence,
#      else the script stops: a mutant cannot silently stop applying when the code changes);
#   2. control: the unmutated copy builds the allocator harnesses and each replays its committed
#      corpus clean (else a finding below would mean nothing);
#   3. per mutant: a fresh copy, the replacement applied, then harness by harness (the mutant's
#      preferred ones first, then every other allocator harness by wildcard) the libFuzzer build
#      (`make build/fuzz/libfuzzer/fuzz_NAME` in the copy: mk/fuzz.mk's flags) runs through
#      fuzz/run.sh (fuzz/NAME.options and .dict, the committed corpus only read, a scratch corpus
#      and artifacts under $BUILD/fuzz/runs/mutants/MUTANT/NAME/) until the first finding.
# A mutant is found when the harness exits non-zero with a crash-* or leak-* artifact; a timeout-*
# or oom-* artifact is the harness's own timeout or memory limit, reported apart, not a finding.
# Output: a markdown table on stdout and in $BUILD/fuzz/runs/mutants.md, with the first lines of
# each finding's report. Exit status: 0 when every mutant was found, 1 when some was not,
# 2 when the script could not do its job (a search text, a build, the control run).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
secs=${MUTANT_SECONDS:-600}
build=${BUILD:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
out=$build/fuzz/runs/mutants
table=$build/fuzz/runs/mutants.md
# The outer make's flags and jobserver are not for the builds in the copies (-j1 there, and BUILD
# must not point at this tree's build directory).
unset MAKEFLAGS MFLAGS MAKELEVEL
inner_make=(make -j1 --no-print-directory)
if [ -n "${FUZZ_CLANG:-}" ]; then inner_make+=("FUZZ_CLANG=$FUZZ_CLANG"); fi

die() {
  echo "mutants: $*" >&2
  exit 2
}

# ---------------------------------------------------------------------------------------------
# The mutants: name, file, preferred harnesses, what the bug is, search text, replacement.
names=() files=() prefs=() whats=() finds=() repls=()
mutant() {
  names+=("$1") files+=("$2") prefs+=("$3") whats+=("$4") finds+=("$5") repls+=("$6")
}

# Tracking's byte count: memapi_dealloc's entry forgets to subtract the block's size from
# live_bytes (try_dealloc's path still does).
mutant tracking-dealloc-bytes src/tracking.c "alloc stack cmalloc" \
  "vt_dealloc (memapi_dealloc's entry) does not subtract the block from live_bytes" \
  $'                t->live_bytes -= l.size;\n                remove_slot(t, link, e, k);' \
  $'                remove_slot(t, link, e, k);'

# Failing's call counter: zalloc is not counted (alloc still is), so an nth-call rule fires late.
mutant failing-zalloc-count src/failing.c "stack alloc cmalloc" \
  "failing_zalloc does not count its call (the count dropped on that path only)" \
  $'    f->calls = count_up(f->calls);\n    if (MEMAPI_UNLIKELY(f->rules_on))\n        return ruled_alloc(f, l, true, err);' \
  $'    if (MEMAPI_UNLIKELY(f->rules_on))\n        return ruled_alloc(f, l, true, err);'

# The guard's canary check: the byte just past the block is not checked (off by one), so a
# one-byte overflow goes unreported.
mutant guard-canary-tail src/guard.c "guard alloc cmalloc stack" \
  "canary_intact starts checking the tail one byte past the block's end" \
  'pattern_intact(ptr + size, page_up(ptr + size, g->page), pat)' \
  'pattern_intact(ptr + size + 1, page_up(ptr + size, g->page), pat)'

# Locked's unlock: zalloc returns early on the inner allocator's failure, mutex still held.
mutant locked-zalloc-unlock src/locked.c "stack alloc threads" \
  "locked_zalloc returns on the inner failure without unlocking" \
  $'    void *p = memapi__fwd_zalloc(&l->inner, layout, err);\n' \
  $'    void *p = memapi__fwd_zalloc(&l->inner, layout, err);\n    if (p == NULL) return NULL;\n'

# Default's errno capture: a failed memalign is reported as ENOMEM whatever errno said (EINVAL).
mutant default-memalign-errno src/default.c "alloc cmalloc" \
  "heap_alloc_aligned reports ENOMEM instead of memalign's errno" \
  $'    void *p = MEMAPI_OS(memalign)(l.align, l.size);\n    if (p == NULL)\n        return fail_os(l, errno, err);' \
  $'    void *p = MEMAPI_OS(memalign)(l.align, l.size);\n    if (p == NULL)\n        return fail_os(l, ENOMEM, err);'

# Harnesses of pure functions (no allocator layer to find a bug in); every other fuzz/fuzz_*.c is
# an allocator harness, so a new one is picked up.
spec_harnesses=" layout arith error_format "

# ---------------------------------------------------------------------------------------------
# Checks (mode check) or applies (mode apply) mutant i in the tree under $2: the search text must
# occur exactly once.
mutate() {
  local mode=$1 dir=$2 i=$3
  python3 - "$mode" "$dir/${files[i]}" "${finds[i]}" "${repls[i]}" "${names[i]}" <<'EOF'
import sys
mode, path, find, repl, name = sys.argv[1:6]
with open(path) as f:
    text = f.read()
n = text.count(find)
if n != 1:
    sys.exit(f"mutants: {name}: the search text occurs {n} times in {path} (exactly once needed):\n{find}")
if mode == "apply":
    with open(path, "w") as f:
        f.write(text.replace(find, repl))
EOF
}

# A copy of the tree's build inputs (the working tree's files, not only committed ones).
copy_tree() {
  local dest=$1
  mkdir -p "$dest"
  tar -c --exclude=fuzz/corpus GNUmakefile mk include src fuzz | tar -x -C "$dest"
}

# Builds harness $2 in copy $1; prints the binary's path.
build_harness() {
  local dir=$1 name=$2 log=$3
  if ! "${inner_make[@]}" -C "$dir" BUILD=build "build/fuzz/libfuzzer/fuzz_$name" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    return 1
  fi
  echo "$dir/build/fuzz/libfuzzer/fuzz_$name"
}

now() { echo "${EPOCHREALTIME/,/.}"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# The report's first lines: the harness's own message and the sanitizer's verdict, without
# libFuzzer's progress lines.
report_head() {
  awk '/^(INFO:|#[0-9]+|MS:|base unit:|artifact_prefix|Test unit written|stat::|Done [0-9]+ runs|Dictionary:|NOTE:|[[:space:]]*Combine libFuzzer|[[:space:]]+#[0-9]+ )/ { next }
       /^[[:space:]]*$/ { next }
       { print; if (++n == 8) exit }
       /^SUMMARY:/ { exit }' "$1"
}

# ---------------------------------------------------------------------------------------------
selected=()
if [ -n "${MUTANTS:-}" ]; then
  for want in $MUTANTS; do
    hit=
    for i in "${!names[@]}"; do
      if [ "${names[i]}" = "$want" ]; then selected+=("$i") hit=1; fi
    done
    [ -n "$hit" ] || die "no mutant named $want (mutants: ${names[*]})"
  done
else
  selected=("${!names[@]}")
fi
if ! [[ $secs =~ ^[0-9]+$ ]] || [ "$secs" -eq 0 ]; then
  die "MUTANT_SECONDS must be a positive number of seconds"
fi

# 1. Every selected mutant applies to the tree as it is (nothing is written).
for i in "${selected[@]}"; do
  mutate check "$root" "$i" || exit 2
done

harnesses=()
if [ -n "${MUTANT_HARNESSES:-}" ]; then
  for n in $MUTANT_HARNESSES; do
    [ -f "fuzz/fuzz_$n.c" ] || die "MUTANT_HARNESSES: no harness fuzz/fuzz_$n.c"
    harnesses+=("$n")
  done
else
  for f in fuzz/fuzz_*.c; do
    n=${f#fuzz/fuzz_}
    n=${n%.c}
    [[ $spec_harnesses == *" $n "* ]] || harnesses+=("$n")
  done
fi
[ "${#harnesses[@]}" -gt 0 ] || die "no allocator harness in fuzz/"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/memapi2-mutants.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
rm -rf "$out"
mkdir -p "$out"

# 2. Control: the unmutated tree replays every allocator harness's corpus clean.
echo "mutants: control: building and replaying ${harnesses[*]} unmutated" >&2
copy_tree "$tmp/control"
control_rows=()
for n in "${harnesses[@]}"; do
  [ -d "fuzz/corpus/$n" ] || die "control: fuzz_$n has no corpus fuzz/corpus/$n"
  bin=$(build_harness "$tmp/control" "$n" "$out/control-$n-build.log") || die "control: fuzz_$n does not build"
  mkdir -p "$out/control-$n"
  log=$out/control-$n.log
  t0=$(now)
  rc=0
  "$bin" -runs=0 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$out/control-$n/" "fuzz/corpus/$n" \
    >"$log" 2>&1 || rc=$?
  t=$(elapsed "$t0" "$(now)")
  inputs=$(find "fuzz/corpus/$n" -type f | wc -l)
  if [ "$rc" -ne 0 ] || [ -n "$(ls -A "$out/control-$n")" ] || ! grep -q INITED "$log"; then
    report_head "$log" >&2
    die "control: the unmutated fuzz_$n does not replay fuzz/corpus/$n clean (exit $rc, log $log)"
  fi
  control_rows+=("| (none: control) | - | $n | replays $inputs inputs clean | $t |")
  echo "mutants: control: fuzz_$n replays its $inputs inputs clean (${t}s)" >&2
done

# 3. The mutants.
rows=() details=() missed=0
for i in "${selected[@]}"; do
  name=${names[i]}
  dir=$tmp/$name
  copy_tree "$dir"
  mutate apply "$dir" "$i" || exit 2
  mkdir -p "$out/$name"
  (cd "$tmp" && diff -u "control/${files[i]}" "$name/${files[i]}") >"$out/$name/mutant.diff" || true
  # The preferred harnesses first (those that exist), unless MUTANT_HARNESSES gives the order.
  candidates=("${harnesses[@]}")
  if [ -z "${MUTANT_HARNESSES:-}" ]; then
    read -r -a candidates <<<"${prefs[i]} ${harnesses[*]}"
  fi
  order=()
  for n in "${candidates[@]}"; do
    [[ " ${harnesses[*]} " == *" $n "* ]] || continue
    [[ " ${order[*]} " == *" $n "* ]] || order+=("$n")
  done
  verdict="not found" by="${order[*]}" t="-" note=""
  for n in "${order[@]}"; do
    echo "mutants: $name: fuzz_$n, up to ${secs}s" >&2
    bin=$(build_harness "$dir" "$n" "$out/$name/$n-build.log") || die "$name: fuzz_$n does not build with the mutant"
    scratch=$out/$name/$n
    t0=$(now)
    rc=0
    bash fuzz/run.sh libfuzzer "$n" "$bin" "$secs" "$scratch" >"$out/$name/$n-run.txt" 2>&1 || rc=$?
    t=$(elapsed "$t0" "$(now)")
    arts=$(ls "$scratch/artifacts" 2>/dev/null | tr '\n' ' ')
    if [ "$rc" -ne 0 ] && [[ " $arts" == *" crash-"* || " $arts" == *" leak-"* ]]; then
      units=$(awk '/^stat::number_of_executed_units/ { print $2 }' "$scratch/libfuzzer.log")
      if grep -q INITED "$scratch/libfuzzer.log"; then
        verdict="found (fuzzing, run ${units:-?})"
      else
        verdict="found (corpus replay, run ${units:-?})"
      fi
      by=$n
      details+=("#### $name (fuzz_$n, ${t}s, ${arts% })" "" '```' "$(report_head "$scratch/libfuzzer.log")" '```' "")
      break
    elif [ "$rc" -ne 0 ] && [[ " $arts" == *" timeout-"* || " $arts" == *" oom-"* ]]; then
      note+="fuzz_$n stopped on its own limit after ${t}s (${arts% }, not a finding); "
    elif [ "$rc" -ne 0 ]; then
      tail -n 20 "$scratch/libfuzzer.log" >&2 || true
      die "$name: fuzz_$n failed without an artifact (exit $rc, see $out/$name/$n-run.txt)"
    fi
    t="-"
  done
  if [[ $verdict != found* ]]; then
    missed=$((missed + 1))
    t="-"
    details+=("#### $name: not found in ${secs}s by any of ${order[*]}" "" "${note:-no finding.}" "")
  elif [ -n "$note" ]; then
    details+=("($name: $note)" "")
  fi
  rows+=("| $name | ${files[i]} | $by | $verdict | $t |")
  if [ "$t" = - ]; then t_all="${secs}s per harness"; else t_all=${t}s; fi
  echo "mutants: $name: $verdict in $t_all by $by" >&2
  rm -rf "$dir"
done

{
  echo "| mutant | file | harness | found | seconds |"
  echo "|---|---|---|---|---:|"
  printf '%s\n' "${control_rows[@]}" "${rows[@]}"
  echo
  echo "MUTANT_SECONDS=$secs; $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u +%Y-%m-%dT%H:%MZ)."
  echo
  for i in "${selected[@]}"; do echo "- \`${names[i]}\` (${files[i]}): ${whats[i]}"; done
  echo
  printf '%s\n' "${details[@]}"
} | tee "$table"
echo "mutants: table in $table, runs under $out" >&2
[ "$missed" -eq 0 ] || exit 1
