#!/usr/bin/env bash
# make bench-preload: the preload library and the malloc front end, measured; writes the section
# between the "preload" markers of bench/RESULTS.md (appended when absent).
#   usage: bench/preload.sh PRELOAD DRIVER OUT_DIR RESULTS_MD
# 1. A real workload's wall time: one sqlite3 shell process runs tests/preload/sqlite_workload.py's
#    3,126 statements 10 times over, each time on a fresh database (`.open --new`, in /dev/shm when
#    writable), so that a run lasts about 0.4 s and the preload's fixed per-process cost (row 2) is
#    a small part of it; without the preload and under it with MEMAPI_GUARD_SAMPLE=1000, the two
#    alternating, best of 11 each (the wall-time ratio's goal: 1.05x at most). The runs' CPU time
#    (user + system) too: on a machine shared with other work it varies less than wall time.
# 2. That fixed cost in the open: the start-up and exit of /bin/true (no allocation: loading the
#    preload and its set-up, the guard's pool included) and of /bin/echo (whose first malloc is
#    guarded: the first slots armed too), best of 2,000 runs each, in µs.
# 3. Instructions per malloc+free pair (callgrind, the driver's loop only) through glibc with and
#    without the preload, sampling switched to 1 in 10^9 so that every call takes the sampled-out
#    path; and through the malloc front end over the default allocator against raw malloc/free (the
#    price of the header).
set -euo pipefail
so=$1 drv=$2 out=$3 md=$4
# A missing library would only make the dynamic loader print a warning and run without it.
[ -f "$so" ] || { echo "preload.sh: no preload library at $so" >&2; exit 1; }
mkdir -p "$out"
REPEAT=10
python3 tests/preload/sqlite_workload.py > "$out/workload.sql"
# The databases in memory-backed storage when there is some: disk flushes are not what is measured.
db=$out/w.db
[ -d /dev/shm ] && [ -w /dev/shm ] && db=/dev/shm/memapi2-bench-$$.db
for i in $(seq 1 "$REPEAT"); do
  echo ".open --new $db.$i"
  cat "$out/workload.sql"
done > "$out/workload-x$REPEAT.sql"
statements=$(wc -l < "$out/workload.sql")
commas() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
# One run of the workload: "WALL CPU" in µs (the driver's spawn mode), from fresh databases.
once() {
  rm -f "$db"*
  "$drv" spawn 1 --in "$out/workload-x$REPEAT.sql" "$@" -- sqlite3 "$db" ||
    { echo "bench-preload: the sqlite3 workload failed ($*)" >&2; exit 1; }
}
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# Best of 11 wall times and of 11 CPU times (user + system) each, the runs without and with the
# preload alternating, so that both see the same load on the machine.
base=999999999 pre=999999999 base_cpu=999999999 pre_cpu=999999999
for _ in 1 2 3 4 5 6 7 8 9 10 11; do
  r=$(once MEMAPI_NONE=1); w=${r% *} c=${r#* }
  [ "$w" -lt "$base" ] && base=$w
  [ "$c" -lt "$base_cpu" ] && base_cpu=$c
  r=$(once LD_PRELOAD="$so" MEMAPI_GUARD_SAMPLE=1000); w=${r% *} c=${r#* }
  [ "$w" -lt "$pre" ] && pre=$w
  [ "$c" -lt "$pre_cpu" ] && pre_cpu=$c
done
rm -f "$db"*
ms() { awk -v u="$1" 'BEGIN { printf "%.0f", u / 1000 }'; }
ratio=$(awk -v a="$pre" -v b="$base" 'BEGIN { printf "%.3f", a / b }')
ratio_cpu=$(awk -v a="$pre_cpu" -v b="$base_cpu" 'BEGIN { printf "%.3f", a / b }')
SPAWNS=2000
wall() { "$drv" spawn "$@" | cut -d' ' -f1; }
true_raw=$(wall $SPAWNS -- /bin/true)
true_pre=$(wall $SPAWNS LD_PRELOAD="$so" MEMAPI_GUARD_SAMPLE=1000 -- /bin/true)
echo_raw=$(wall $SPAWNS -- /bin/echo)
echo_pre=$(wall $SPAWNS LD_PRELOAD="$so" MEMAPI_GUARD_SAMPLE=1000 -- /bin/echo)
N=200000
instr() { # instr LOOP VAR=VALUE... : instructions per pair in LOOP
  local loop=$1; shift
  env "$@" valgrind --tool=callgrind --callgrind-out-file="$out/cg-preload.out" --toggle-collect="$loop" \
    "$drv" "${loop#loop_}" "$N" > /dev/null 2> "$out/cg-preload.log"
  local ir; ir=$(sed -n 's/^summary: //p' "$out/cg-preload.out")
  awk -v ir="$ir" -v n="$N" 'BEGIN { printf "%.1f", ir / n }'
}
raw_i=$(instr loop_libc MEMAPI_NONE=1)
pre_i=$(instr loop_libc LD_PRELOAD="$so" MEMAPI_GUARD_SAMPLE=1000000000)
cm_i=$(instr loop_cmalloc MEMAPI_NONE=1)
raw_ns=$("$drv" libc 5000000)
pre_ns=$(LD_PRELOAD="$so" MEMAPI_GUARD_SAMPLE=1000 "$drv" libc 5000000)
cm_ns=$("$drv" cmalloc 5000000)
section=$(cat <<EOT
<!-- preload: written by make bench-preload (bench/preload.sh) -->
## The preload library and the malloc front end

Machine: $(nproc) cores, $(uname -sr), $(ldd --version | head -n 1 | sed 's/^ldd //'); load average
(1, 5, 15 min) $load_before when the run started, $(cut -d' ' -f1-3 /proc/loadavg) when it ended.

| measure | without | with | ratio / difference |
|---|---|---|---|
| sqlite3 shell, the $(commas "$statements")-statement workload $REPEAT times in one process (a fresh database each time), wall time, best of 11 (ms), preload with \`MEMAPI_GUARD_SAMPLE=1000\` | $(ms "$base") | $(ms "$pre") | ${ratio}x (goal ≤ 1.05x) |
| the same runs' CPU time (user + system), best of 11 (ms) | $(ms "$base_cpu") | $(ms "$pre_cpu") | ${ratio_cpu}x |
| process start-up and exit, \`/bin/true\` (no allocation), best of $(commas $SPAWNS) (µs), preload with \`MEMAPI_GUARD_SAMPLE=1000\` | $true_raw | $true_pre | +$((true_pre - true_raw)) µs |
| process start-up and exit, \`/bin/echo\` (its first malloc guarded), best of $(commas $SPAWNS) (µs), same | $echo_raw | $echo_pre | +$((echo_pre - echo_raw)) µs |
| malloc+free pair through glibc, instructions (callgrind), preload sampled-out path | $raw_i | $pre_i | +$(awk -v a="$pre_i" -v b="$raw_i" 'BEGIN { printf "%.1f", a - b }') |
| malloc+free pair, ns (5,000,000 pairs), preload with \`MEMAPI_GUARD_SAMPLE=1000\` | $raw_ns | $pre_ns | $(awk -v a="$pre_ns" -v b="$raw_ns" 'BEGIN { printf "%.2f", a / b }')x |
| malloc+free pair, instructions: raw glibc vs \`memapi_cmalloc_malloc\`/\`free\` over \`memapi_default()\` | $raw_i | $cm_i | +$(awk -v a="$cm_i" -v b="$raw_i" 'BEGIN { printf "%.1f", a - b }') |
| malloc+free pair, ns: raw glibc vs the front end | $raw_ns | $cm_ns | $(awk -v a="$cm_ns" -v b="$raw_ns" 'BEGIN { printf "%.2f", a / b }')x |
<!-- /preload -->
EOT
)
python3 - "$md" "$section" <<'PY'
import re, sys
path, section = sys.argv[1], sys.argv[2]
text = open(path).read() if __import__("os").path.exists(path) else ""
pat = re.compile(r"<!-- preload:.*?<!-- /preload -->", re.S)
text = pat.sub(lambda m: section, text) if pat.search(text) else text.rstrip("\n") + "\n\n" + section + "\n"
open(path, "w").write(text)
PY
echo "$section"
