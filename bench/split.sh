#!/usr/bin/env bash
# Intake and drain measured apart, each with the machine to itself:
#   1. an HTTP-only Bolt takes orders from wrk for --duration (quantity 1, 100 products; nothing drains);
#   2. a fulfillment-only Bolt is started on the backlog that left, and the drain rate is printed
#      each second until it is empty.
# The numbers bound what `steady` (both at once, sharing the 2 cores) can reach.
# Usage: bench/split.sh [--duration 10s] [--workers 2] [--batch 64]
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh"

# shellcheck disable=SC2034  # HTTP_INSTANCES and ADMIN_TOKEN are read by lib.sh
DURATION=10s WORKERS=2 BATCH=64 HTTP_INSTANCES=2 PORT=18090 JAVA_OPTS=${JAVA_OPTS:-}
while (($#)); do
  case "$1" in
    --duration) DURATION=$2; shift 2 ;;
    --workers) WORKERS=$2; shift 2 ;;
    --batch) BATCH=$2; shift 2 ;;
    *) die "unknown argument: $1 (see the header of $0)" ;;
  esac
done
RUN="split-$(date +%Y%m%d-%H%M%S)-$$"
# shellcheck disable=SC2034
PREFIX=$RUN DB=${RUN//-/_} ADMIN_TOKEN=$RUN WORK=$(mktemp -d) PRODUCTS_TSV=$WORK/products.tsv
trap 'stop_bolt_quietly; rm -rf "$WORK"' EXIT
stop_bolt_quietly() { [[ -n "$BOLT_PID" ]] && kill "$BOLT_PID" 2>/dev/null && wait "$BOLT_PID" 2>/dev/null; BOLT_PID=""; }

"$REPO/scripts/services.sh" --install-bench-tools >/dev/null
[[ -f "$REPO/target/bolt.jar" ]] || (cd "$REPO" && make -s build)
create_db
for i in $(seq 0 99); do printf 'p%03d\t100000000\n' "$i"; done >"$PRODUCTS_TSV"
export BENCH_PRODUCT_PREFIX=p BENCH_PRODUCT_COUNT=100 BENCH_PLAIN=1

log "intake alone: HTTP-only Bolt, wrk -t2 -c64 -d$DURATION (after a 5 s warm-up)"
BOLT_ROLES=http WORKERS=0 start_bolt "$WORK/http.log"
create_products
wrk -t2 -c64 -d5s -s "$REPO/bench/orders.lua" "http://127.0.0.1:$PORT" >/dev/null
wrk -t2 -c64 -d"$DURATION" --latency -s "$REPO/bench/orders.lua" "http://127.0.0.1:$PORT" \
  | grep -E 'Requests/sec|^ +(50|90|99)%'
stop_bolt_quietly

backlog=$(rcli LLEN "{$PREFIX}:queue")
log "drain alone: fulfillment-only Bolt, $WORKERS workers, batch $BATCH, backlog $(thousands "$backlog")"
start=$(now)
# shellcheck disable=SC2086  # JAVA_OPTS is a list of options
env BOLT_ROLES=fulfillment BOLT_PG_URL="$PG_URL_BASE/$DB" BOLT_KEY_PREFIX="$PREFIX" BOLT_SEED_DEMO=false \
  BOLT_FULFILLMENT_INSTANCES="$WORKERS" BOLT_BATCH_SIZE="$BATCH" java $JAVA_OPTS -jar "$REPO/target/bolt.jar" \
  >"$WORK/workers.log" 2>&1 &
BOLT_PID=$!
last=$backlog last_t=$start
while ((last > 0)); do
  sleep 1
  b=$(rcli LLEN "{$PREFIX}:queue") t=$(now)
  log "  backlog $(thousands "$b"), $(thousands "$(calc "($last - $b) / ($t - $last_t)")") orders/s"
  last=$b last_t=$t
done
log "drained $(thousands "$backlog") orders in $(secs "$(calc "$(now) - $start")") s:" \
  "$(thousands "$(calc "$backlog / ($(now) - $start)")") orders/s (including the workers' start-up)"
stop_bolt_quietly
drop_keys
drop_db
