#!/usr/bin/env bash
# check-preload (mk/preload.mk): libmemapi2-preload.so on a planted-bug program and on two real
# programs' own workloads.
#
#   run.sh PRELOAD DIR     DIR holds the `planted` program (tests/preload/planted.c) and the logs
#
# 1. Planted bugs, each under the configuration that catches it: the program dies with the
#    expected signal and its standard error is exactly the documented line, nothing else.
# 2. C semantics, failing, leaks, fork and threads through the interposed functions.
# 3. Real programs from Debian, unmodified: python3's own test suite (a chunk of the standard
#    library's tests) and a scripted sqlite3 shell workload (tests/preload/sqlite_workload.py),
#    each guarded 1 in 1, guarded 1 in 100 and tracked. They must pass (python: its runner's
#    verdict; sqlite3: output identical to the run without the preload) with nothing at all from
#    the preload on standard error, and the counters (MEMAPI_STATS_FILE) must show that blocks
#    were guarded or tracked.
set -euo pipefail
so=$1
dir=$(cd "$2" && pwd)
planted=$dir/planted
py=/usr/bin/python3
fail() { echo "check-preload: $*" >&2; exit 1; }
[ -x "$py" ] || fail "$py missing"
[ -f /usr/lib/python3.11/test/test_json/__init__.py ] || fail "python's test suite missing (libpython3.11-testsuite)"
command -v sqlite3 >/dev/null || fail "sqlite3 missing"

# death NAME SIGNAL EXPECTED MODE [VAR=VALUE...]: @BLOCK@ in EXPECTED is the block the program
# printed, @MID@ the block + 8.
death() {
  local name=$1 sig=$2 tmpl=$3 mode=$4; shift 4
  local o=$dir/$name.out e=$dir/$name.err rc=0
  env "$@" LD_PRELOAD="$so" "$planted" "$mode" >"$o" 2>"$e" || rc=$?
  local block mid want
  block=$(sed -n 's/^BLOCK //p' "$o")
  [ -n "$block" ] || fail "$name: the program printed no BLOCK line (status $rc)"
  mid=$(printf '0x%x' $((block + 8)))
  want=${tmpl//@BLOCK@/$block}
  want=${want//@MID@/$mid}
  local code; code=$(kill -l "$sig"); code=$((128 + code))
  [ "$rc" -eq "$code" ] || { cat "$e"; fail "$name: status $rc, expected $code (SIG$sig)"; }
  [ "$(cat "$e")" == "$want" ] || fail "$name: standard error was:
$(cat "$e")
expected exactly:
$want"
  echo "-- $name: SIG$sig with: $want"
}

G=MEMAPI_GUARD_SAMPLE=1
death overflow SEGV 'memapi guard: overflow past block @BLOCK@ (Layout(size: 32, align: 16))' overflow $G
death overflow-in-slack ABRT \
  'memapi preload: free(@BLOCK@): memory corruption detected at @BLOCK@: canary overwritten' overflow-slack $G
death underflow SEGV 'memapi guard: underflow before block @BLOCK@ (Layout(size: 32, align: 16))' underflow \
  $G MEMAPI_GUARD_PLACEMENT=start
death underflow-canary ABRT \
  'memapi preload: free(@BLOCK@): memory corruption detected at @BLOCK@: canary overwritten' underflow $G
death use-after-free SEGV 'memapi guard: use after free of block @BLOCK@ (Layout(size: 32, align: 16))' \
  use-after-free $G
death double-free ABRT 'memapi preload: free(@BLOCK@): invalid pointer @BLOCK@: double free' double-free $G
death interior-free ABRT 'memapi preload: free(@MID@): invalid pointer @MID@: interior pointer' interior $G
death interior-free-tracked ABRT \
  'memapi preload: free(@MID@): invalid pointer @MID@: pointer not owned by this allocator' interior MEMAPI_TRACK=1
death double-free-tracked ABRT \
  'memapi preload: free(@BLOCK@): invalid pointer @BLOCK@: pointer not owned by this allocator' double-free MEMAPI_TRACK=1

# run NAME EXPECTED-STDOUT MODE [VAR=VALUE...]: exit 0, this standard output, empty standard error
# (or exactly $want_err when set).
run() {
  local name=$1 want=$2 mode=$3; shift 3
  local o=$dir/$name.out e=$dir/$name.err rc=0
  env "$@" LD_PRELOAD="$so" "$planted" "$mode" >"$o" 2>"$e" || rc=$?
  [ "$rc" -eq 0 ] || { cat "$e"; fail "$name: status $rc"; }
  local got; got=$(sed 's/^BLOCK .*/BLOCK/' "$o")
  [ "$got" == "$want" ] || fail "$name: standard output was:
$got
expected:
$want"
  [ "$(cat "$e")" == "${want_err:-}" ] || fail "$name: standard error was:
$(cat "$e")
expected:
${want_err:-(nothing)}"
  echo "-- $name: ok"
}

sem='malloc(0) unique
calloc overflow NULL ENOMEM
aligned_alloc(24) NULL EINVAL
posix_memalign(4) EINVAL
posix_memalign(64) aligned
aligned ok
realloc grow kept
realloc shrink kept
usable ok
realloc(p, 0) NULL
reallocarray overflow NULL ENOMEM
free(NULL) ok'
for cfg in MEMAPI_GUARD_SAMPLE=1 MEMAPI_GUARD_SAMPLE=3 MEMAPI_TRACK=1 MEMAPI_FAIL_AFTER=1000; do
  run "semantics-$cfg" "$sem" semantics "$cfg"
done
run fail-nth "1 ok
2 ok
3 NULL ENOMEM
4 ok
5 ok" failing MEMAPI_FAIL_NTH=3
run fail-after "1 ok
2 ok
3 NULL ENOMEM
4 NULL ENOMEM
5 NULL ENOMEM" failing MEMAPI_FAIL_AFTER=2
want_err=$'memapi preload: 1 leaked blocks, 100 bytes\n  @LEAK@ Layout(size: 100, align: 16)'
leak_env=(MEMAPI_LEAKS=1)
rc=0; env "${leak_env[@]}" LD_PRELOAD="$so" "$planted" leak >"$dir/leak.out" 2>"$dir/leak.err" || rc=$?
[ "$rc" -eq 0 ] || fail "leak: status $rc"
want_err=${want_err//@LEAK@/$(sed -n 's/^BLOCK //p' "$dir/leak.out")}
[ "$(cat "$dir/leak.err")" == "$want_err" ] || fail "leak: standard error was:
$(cat "$dir/leak.err")
expected:
$want_err"
echo "-- leak: the one block never freed reported, as tracking's report prints it"
want_err=
run fork "fork ok" fork MEMAPI_GUARD_SAMPLE=2 MEMAPI_TRACK=1
run threads "threads ok" threads MEMAPI_GUARD_SAMPLE=5 MEMAPI_TRACK=1
run threads-guard-only "threads ok" threads MEMAPI_GUARD_SAMPLE=1

# ---- real programs ------------------------------------------------------------------------------
PY_TESTS="test_json test_re test_dict test_set test_collections test_heapq test_bisect test_string test_struct test_zlib"
/usr/bin/python3 tests/preload/sqlite_workload.py > "$dir/workload.sql"
rm -f "$dir"/ref.db*
sqlite3 "$dir/ref.db" < "$dir/workload.sql" > "$dir/sqlite-ref.out"
[ "$(tail -n 1 "$dir/sqlite-ref.out")" -gt 0 ] || fail "the sqlite3 workload without the preload did not run"

for cfg in MEMAPI_GUARD_SAMPLE=1 MEMAPI_GUARD_SAMPLE=100 MEMAPI_TRACK=1; do
  stats=$dir/stats-$cfg.txt
  rm -f "$stats"
  start=$(date +%s)
  rc=0
  ( cd "$dir" && env LD_PRELOAD="$so" "$cfg" MEMAPI_STATS_FILE="$stats" \
      "$py" -m test -q $PY_TESTS >"python-$cfg.out" 2>&1 ) || rc=$?
  [ "$rc" -eq 0 ] && grep -qx 'Tests result: SUCCESS' "$dir/python-$cfg.out" || {
    tail -n 30 "$dir/python-$cfg.out"; fail "python3 -m test under $cfg: status $rc"; }
  if grep -q 'memapi' "$dir/python-$cfg.out"; then
    grep 'memapi' "$dir/python-$cfg.out"; fail "python3 -m test under $cfg: the preload reported something"
  fi
  py_time=$(( $(date +%s) - start ))
  rm -f "$dir"/run.db*
  rc=0
  env LD_PRELOAD="$so" "$cfg" MEMAPI_STATS_FILE="$stats" sqlite3 "$dir/run.db" < "$dir/workload.sql" \
    > "$dir/sqlite-$cfg.out" 2> "$dir/sqlite-$cfg.err" || rc=$?
  [ "$rc" -eq 0 ] || { cat "$dir/sqlite-$cfg.err"; fail "sqlite3 under $cfg: status $rc"; }
  [ ! -s "$dir/sqlite-$cfg.err" ] || { cat "$dir/sqlite-$cfg.err"; fail "sqlite3 under $cfg: standard error not empty"; }
  cmp -s "$dir/sqlite-ref.out" "$dir/sqlite-$cfg.out" || fail "sqlite3 under $cfg: output differs from the run without the preload"
  # Every process (python's test subprocesses included) appended its counters.
  sums=$(awk '{ for (i = 1; i <= NF; i++) { if ($i == "guarded" && $(i+1) != "live") g += $(i+1);
                                            if ($i == "allocations") t += $(i+1) } }
              END { printf "%d %d %d", NR, g, t }' "$stats")
  read -r procs guarded tracked <<<"$sums"
  case $cfg in
    MEMAPI_TRACK=1) [ "$tracked" -gt 100000 ] || fail "$cfg: only $tracked allocations tracked" ;;
    *) [ "$guarded" -gt 1000 ] || fail "$cfg: only $guarded allocations guarded" ;;
  esac
  echo "-- $cfg: python3 -m test ($(echo $PY_TESTS | wc -w) test files) passed in ${py_time} s, sqlite3 workload ($(wc -l < "$dir/workload.sql") statements) output identical; $procs processes, $guarded blocks guarded, $tracked tracked, no report"
done
