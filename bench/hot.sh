#!/usr/bin/env bash
# A hot product at full speed (bench/README.md, "Hot product"): Bolt next to its ceilings, in
# interleaved rounds on this machine, with the same wrk load.
#   flash:  one product of 1,000 units, a request budget (default 200,000): Bolt (API only), the
#           refusal ceiling (bench/ceiling/RefusalCeiling.java: a constant 400 JSON body), and a
#           baseline Bolt jar if given
#   steady: quantity 1 over 100 products that cannot sell out, for a duration: Bolt (API only), the
#           intake ceiling (bench/ceiling/EvalshaCeiling.java: one reserve.lua per request and
#           nothing else), and the baseline
# For each run: requests/s, p99, and Redis's cost per accepted order two ways: INFO commandstats (the
# microseconds of every EVAL/EVALSHA call over the 202 answers: wall time inside the scripts) and
# INFO cpu (the main thread's CPU time over the run, requests read and replies written included);
# script calls per accepted order, and Redis's CPU % (INFO cpu).
# Appends a table to bench/results/RESULTS.md (not with --quick).
#
# Usage: bench/hot.sh [--rounds N] [--duration D] [--flash-requests N] [--baseline-jar PATH] [--only SCENARIO]
#                     [--warmup D] [--no-metrics] [--quick]
#   --warmup        load before each measured run, for the JIT (default 15s: a server here takes about
#                   10 s of load to reach its speed, the bare ceilings included)
#   --only          flash or steady: measure that scenario alone (the other is skipped in every round)
#   --no-metrics    Bolt without its metrics (BOLT_METRICS_ENABLED=false), to see what they cost
#   --baseline-jar  another build of Bolt to measure in the same rounds (e.g. the commit before a change:
#                   git worktree add /tmp/base <rev> && (cd /tmp/base && ./mvnw -q -DskipTests package))
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
# shellcheck source=bench/lib.sh
source bench/lib.sh

ROUNDS=3
DURATION=15s
FLASH_REQUESTS=200000
BASELINE_JAR=""
WARMUP=15s
QUICK=0
SCENARIOS="flash steady"
THREADS=2
CONNECTIONS=64
HTTP_INSTANCES=2
WORKERS=0
BATCH=64
PORT=18080
METRICS=true # Bolt as users run it
JAVA_OPTS=${JAVA_OPTS:-}
while (($# > 0)); do
  case "$1" in
    --rounds) ROUNDS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --flash-requests) FLASH_REQUESTS=$2; shift ;;
    --baseline-jar) BASELINE_JAR=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --only) [[ $2 == flash || $2 == steady ]] || die "--only takes flash or steady"; SCENARIOS=$2; shift ;;
    --no-metrics) METRICS=false ;;
    --quick) QUICK=1 ;;
    -h | --help) sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (try --help)" ;;
  esac
  shift
done
if ((QUICK)); then ROUNDS=1; DURATION=3s; FLASH_REQUESTS=20000; WARMUP=2s; fi
DURATION_S=$(seconds_of "$DURATION")
WARMUP_S=$(seconds_of "$WARMUP")
METRICS_PORT=$((PORT + 1))
[[ -z "$BASELINE_JAR" || -f "$BASELINE_JAR" ]] || die "no such jar: $BASELINE_JAR"

RUN_ID="$(date +%Y%m%d-%H%M%S)-$$"
ADMIN_TOKEN="bench-$RANDOM$RANDOM"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/bolt-hot.XXXXXX")"
CEILING_PID=""
declare -a ROWS=()

on_exit() {
  [[ -n "$BOLT_PID" ]] && stop_bolt
  [[ -n "$CEILING_PID" ]] && { kill "$CEILING_PID" 2>/dev/null || true; wait "$CEILING_PID" 2>/dev/null || true; }
  rm -rf "$WORK"
}
trap on_exit EXIT

start_ceiling() { # name, then its arguments after the port and instances
  local name=$1; shift
  java -cp "$REPO/target/bolt.jar" "bench/ceiling/$name.java" "$PORT" "$HTTP_INSTANCES" "$@" >"$WORK/$name.log" 2>&1 &
  CEILING_PID=$!
  local deadline=$((SECONDS + 60))
  until grep -q listening "$WORK/$name.log"; do
    kill -0 "$CEILING_PID" 2>/dev/null || { cat "$WORK/$name.log" >&2; die "$name exited"; }
    ((SECONDS < deadline)) || die "$name not listening within 60 s"
    sleep 0.2
  done
}
stop_ceiling() { kill "$CEILING_PID"; wait "$CEILING_PID" 2>/dev/null || true; CEILING_PID=""; }

# Redis's microseconds in scripts, and script calls, since the last CONFIG RESETSTAT
script_stats() {
  rcli INFO commandstats | tr -d '\r' | awk -F'[=,:]' '/^cmdstat_eval(sha)?:/ { calls += $3; usec += $5 }
    END { printf "%d %d", usec, calls }'
}

# Redis's main thread's CPU time so far, in microseconds (INFO cpu): CPU, where commandstats' usec
# is wall time inside the command, which a Redis descheduled mid-script inflates
redis_cpu_us() {
  rcli INFO cpu | tr -d '\r' | awk -F: '/^used_cpu_(user|sys)_main_thread:/ { s += $2 } END { printf "%d", s * 1e6 }'
}

products_in_redis() { # the 100 steady products and the sync mark, for the ceiling (Bolt makes its own)
  local i
  for i in $(seq -f '%03g' 0 99); do
    echo "HSET {$PREFIX}:product:p$i available 1000000000 inflight 0 dbstock 1000000000 dbver 0 avver 0"
  done | rcli >/dev/null
  rcli SET "{$PREFIX}:synced" bench >/dev/null
}

create_bolt_products() { # scenario
  local id stock body
  if [[ $1 == flash ]]; then set -- "warmup:1000" "flash:1000"
  else set -- $(for i in $(seq -f '%03g' 0 99); do echo "p$i:1000000000"; done); fi
  for pair in "$@"; do
    id=${pair%%:*}; stock=${pair#*:}
    body="{\"id\":\"$id\",\"name\":\"$id\",\"stock\":$stock}"
    [[ $(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $ADMIN_TOKEN" \
      -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$PORT/admin/products") == 201 ]] \
      || die "could not create product $id"
  done
}

# one measured run: name (bolt|baseline|ceiling), scenario (flash|steady)
measure() {
  local who=$1 s=$2 budget="" env_args=()
  PREFIX="hot-$RUN_ID-$who-$s"
  DB="bolt_hot_${RUN_ID//-/_}_${who}_${s}"
  case $who in
    ceiling)
      if [[ $s == flash ]]; then start_ceiling RefusalCeiling
      else products_in_redis; start_ceiling EvalshaCeiling "redis://$REDIS_HOST:$REDIS_PORT" "$PREFIX"; fi ;;
    *)
      create_db
      JAR=$([[ $who == baseline ]] && echo "$BASELINE_JAR" || echo "$REPO/target/bolt.jar") \
        BOLT_ENV="BOLT_ROLES=http" start_bolt "$WORK/bolt-$who-$s.log"
      create_bolt_products "$s" ;;
  esac
  # warm the JIT and the pools on the paths the measured run takes. flash: a sale of its own on another
  # product of 1,000 units (sold out within the first tenth of a second, then refused for the rest), so
  # that the measured sale starts with all its units and a JIT that has compiled both answers
  if [[ $s == flash ]]; then
    run_wrk "$who-$s-warmup" "$WARMUP_S" orders.lua BENCH_PRODUCT=warmup >/dev/null
    env_args=(BENCH_PRODUCT=flash)
    mkdir -p "$WORK/done-$who-$s"
    budget=$(((FLASH_REQUESTS + THREADS - 1) / THREADS))
    env_args+=(BENCH_STOP_AFTER="$budget" BENCH_DONE_DIR="$WORK/done-$who-$s" BENCH_THREADS="$THREADS")
  else
    env_args=(BENCH_PRODUCT_PREFIX=p BENCH_PRODUCT_COUNT=100)
    run_wrk "$who-$s-warmup" "$WARMUP_S" orders.lua "${env_args[@]}" >/dev/null
  fi
  rcli CONFIG RESETSTAT >/dev/null
  local cpu_before cpu
  cpu_before=$(redis_cpu_us)
  run_wrk "$who-$s" "$([[ $s == flash ]] && echo 600 || echo "$DURATION_S")" orders.lua "${env_args[@]}" >/dev/null
  cpu=$(($(redis_cpu_us) - cpu_before))
  local stats usec calls accepted
  stats=$(script_stats); usec=${stats% *}; calls=${stats#* }
  accepted=${R[n:202]:-0}
  ROWS+=("$s|$who|${R[rps]}|${R[p99_ms]}|$accepted|$( ((accepted > 0)) && calc "$usec / $accepted" || echo -)|$( ((accepted > 0)) && calc "$cpu / $accepted" || echo -)|$( ((accepted > 0)) && calc "$calls / $accepted" || echo -)|$(calc "$cpu / ${R[duration_s]} / 10000")")
  log "$s $who: $(thousands "${R[rps]}") requests/s, p99 ${R[p99_ms]} ms, $(thousands "$accepted") accepted, Redis ${usec} us in $calls script calls"
  if [[ $who == ceiling ]]; then stop_ceiling; else stop_bolt; drop_db; fi
  drop_keys
}

scripts/services.sh --install-bench-tools
make -s --no-print-directory build
# the commit measured is the one built now, whatever HEAD is when the rounds end
BUILT="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src pom.xml bench/ceiling || echo ' (uncommitted changes)')"
for round in $(seq 1 "$ROUNDS"); do
  log "=== round $round of $ROUNDS"
  for s in $SCENARIOS; do
    measure ceiling "$s"
    measure bolt "$s"
    [[ -n "$BASELINE_JAR" ]] && measure baseline "$s"
  done
done

{
  echo "## $(date '+%Y-%m-%d %H:%M %Z') hot product (bench/hot.sh)"
  echo
  echo "- machine: $(nproc) cores, $(uname -sr); Redis $(rcli INFO server | tr -d '\r' | sed -n 's/^redis_version://p'), appendfsync $(rcli CONFIG GET appendfsync | tail -n1)"
  echo "- Bolt $BUILT, API only, $HTTP_INSTANCES HTTP instances, metrics $([[ $METRICS == true ]] && echo on || echo off); baseline: ${BASELINE_JAR:-none}; wrk -t$THREADS -c$CONNECTIONS; flash $FLASH_REQUESTS requests, steady ${DURATION_S} s; ${WARMUP_S} s of warm-up before each; $ROUNDS interleaved rounds"
  echo
  echo "| scenario | server | requests/s | p99 ms | accepted | Redis µs per accepted order | Redis CPU µs per accepted order | script calls per accepted order | Redis CPU % |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  for row in "${ROWS[@]}"; do
    IFS='|' read -r s who rps p99 acc us cpu_us calls cpu <<<"$row"
    echo "| $s | $who | $(thousands "$rps") | $p99 | $(thousands "$acc") | $us | $cpu_us | $calls | $(awk -v x="$cpu" 'BEGIN { printf "%.0f", x }') |"
  done
  echo
} >"$WORK/hot.md"
cat "$WORK/hot.md"
if ((!QUICK)); then cat "$WORK/hot.md" >>bench/results/RESULTS.md; log "appended to bench/results/RESULTS.md"; fi
