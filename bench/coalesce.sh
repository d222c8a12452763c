#!/usr/bin/env bash
# How reservations coalesce under `steady` (bench/README.md, "Script cost"): for each jar given,
# Bolt API-only (2 HTTP instances, no workers) against a private Redis (port 6391, no persistence),
# 100 products that cannot sell out, wrk -t2 -c64 of POST /order quantity 1 for a short run; then
# requests/s, orders per reserve.lua call, and Redis usec (EVAL/EVALSHA) per accepted order. The
# jars take turns, round after round, so a busy machine disturbs them alike. Everything runs
# niced (19): a quick comparison of builds on a shared machine, not a benchmark (bench/hot.sh is).
#
# Usage: bench/coalesce.sh [--rounds N] [--duration D] JAR...
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
# shellcheck source=bench/lib.sh
source bench/lib.sh

ROUNDS=2
DURATION=8s
THREADS=2
CONNECTIONS=64
HTTP_INSTANCES=2
WORKERS=0
BATCH=64
PORT=18090
METRICS=true
JAVA_OPTS=${JAVA_OPTS:-}
REDIS_PORT=6391
JARS=()
while (($# > 0)); do
  case "$1" in
    --rounds) ROUNDS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    -h | --help) sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) [[ -f $1 ]] || die "no such jar: $1"; JARS+=("$1") ;;
  esac
  shift
done
((${#JARS[@]} > 0)) || die "give at least one jar"
DURATION_S=$(seconds_of "$DURATION")
METRICS_PORT=$((PORT + 1))
RUN_ID="$(date +%Y%m%d-%H%M%S)-$$"
ADMIN_TOKEN="coalesce-$RANDOM$RANDOM"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/bolt-coalesce.XXXXXX")"
renice -n 19 $$ >/dev/null

on_exit() {
  [[ -n "$BOLT_PID" ]] && stop_bolt
  [[ -f "$WORK/redis.pid" ]] && kill "$(cat "$WORK/redis.pid")" 2>/dev/null
  rm -rf "$WORK"
}
trap on_exit EXIT

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --dir "$WORK" \
  --pidfile "$WORK/redis.pid" --logfile "$WORK/redis.log"
until rcli PING >/dev/null 2>&1; do sleep 0.1; done

declare -a ROWS=()
for round in $(seq 1 "$ROUNDS"); do
  for j in "${!JARS[@]}"; do
    PREFIX="coalesce-$RUN_ID-$j-$round"
    DB="bolt_coalesce_${RUN_ID//-/_}_${j}_$round"
    create_db >/dev/null
    JAR="${JARS[$j]}" BOLT_ENV="BOLT_ROLES=http BOLT_REDIS_URL=redis://127.0.0.1:$REDIS_PORT" start_bolt "$WORK/bolt.log"
    for i in $(seq -f '%03g' 0 99); do
      curl -s -o /dev/null -X POST -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
        -d "{\"id\":\"p$i\",\"name\":\"p$i\",\"stock\":1000000000}" "http://127.0.0.1:$PORT/admin/products"
    done
    run_wrk warmup 2 orders.lua BENCH_PRODUCT_PREFIX=p BENCH_PRODUCT_COUNT=100 >/dev/null
    rcli CONFIG RESETSTAT >/dev/null
    run_wrk run "$DURATION_S" orders.lua BENCH_PRODUCT_PREFIX=p BENCH_PRODUCT_COUNT=100 >/dev/null
    stats=$(rcli INFO commandstats | tr -d '\r' | awk -F'[=,:]' '/^cmdstat_eval(sha)?:/ { calls += $3; usec += $5 }
      END { printf "%d %d", usec, calls }')
    usec=${stats% *}; calls=${stats#* }; accepted=$(accepted_count)
    ROWS+=("$round|${JARS[$j]}|${R[rps]}|${R[p99_ms]}|$accepted|$(calc "$accepted / $calls")|$(calc "$usec / $accepted")")
    log "round $round ${JARS[$j]}: ${R[rps]} requests/s, p99 ${R[p99_ms]} ms, $(calc "$accepted / $calls") orders per call, $(calc "$usec / $accepted") usec per order"
    stop_bolt
    drop_db >/dev/null
    rcli FLUSHALL >/dev/null
  done
done
echo "| round | jar | requests/s | p99 ms | accepted | orders per call | Redis usec per accepted order |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
for row in "${ROWS[@]}"; do
  IFS='|' read -r round jar rps p99 acc per us <<<"$row"
  printf '| %s | %s | %s | %s | %s | %.1f | %.2f |\n' "$round" "$jar" "$(thousands "$rps")" "$p99" "$(thousands "$acc")" "$per" "$us"
done
