#!/usr/bin/env bash
# Ten operator consoles against none, in one Bolt process (bench/README.md: Overhead of watching):
# short `steady` windows of wrk alternate without and with ten consoles attached (A B, then B A),
# the queue drained between windows. Attaching consoles needs no restart, so the two sides share
# one process, one database and one minute of the machine's other load: on a busy machine this
# tells far more than whole runs minutes apart. Metrics stay on (scraped every 5 s) on both sides.
#
# Usage: bench/consoles-ab.sh [--windows N] [--window S] [--consoles N] [--port N]
#   defaults: 8 windows per side of 10 s, 10 consoles, port 18080 (metrics 18081)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
# shellcheck source=bench/lib.sh
source bench/lib.sh

WINDOWS=8
WINDOW=10
WATCHERS=10
PORT=18080
while (($# > 0)); do
  case "$1" in
    --windows) WINDOWS=$2; shift ;;
    --window) WINDOW=$2; shift ;;
    --consoles) WATCHERS=$2; shift ;;
    --port) PORT=$2; shift ;;
    -h | --help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (try --help)" ;;
  esac
  shift
done
THREADS=2 CONNECTIONS=64 HTTP_INSTANCES=2 WORKERS=2 BATCH=64 METRICS=true CONSOLES=0
METRICS_PORT=$((PORT + 1))
JAVA_OPTS=${JAVA_OPTS:-}
RUN_ID="$(date +%Y%m%d-%H%M%S)-$$"
ADMIN_TOKEN="bench-$RANDOM$RANDOM$RANDOM"
PREFIX="bench-ab-$RUN_ID"
DB="bolt_bench_ab_${RUN_ID//-/_}"
WARMUP_PRODUCT=warmup
PRODUCT_RULES=""
WORK="$(mktemp -d "${TMPDIR:-/tmp}/bolt-consoles-ab.XXXXXX")"
PRODUCTS_TSV="$WORK/products.tsv"
{
  printf '%s\t%s\t\n' "$WARMUP_PRODUCT" 1000000000
  for i in $(seq -f '%03g' 0 99); do printf 'p%s\t%s\t\n' "$i" 10000000; done
} >"$PRODUCTS_TSV"

cleanup() {
  stop_watchers
  stop_bolt
  drop_keys || true
  drop_db || true
}
trap cleanup EXIT

scripts/services.sh --install-bench-tools >/dev/null
make -s --no-print-directory build
create_db
start_bolt "$WORK/bolt.log"
create_products
log "warm-up: 10 s"
run_wrk warmup 10 orders.lua BENCH_PRODUCT="$WARMUP_PRODUCT" BENCH_PLAIN=1 >/dev/null
wait_drained 120 >/dev/null

window() { # consoles
  CONSOLES=$1
  start_watchers
  local cpu0 cpu1
  cpu0=$(bolt_cpu_ms)
  run_wrk "ab" "$WINDOW" orders.lua BENCH_PRODUCT_PREFIX=p BENCH_PRODUCT_COUNT=100 BENCH_PLAIN=1 >/dev/null
  cpu1=$(bolt_cpu_ms)
  stop_watchers
  wait_drained 120 >/dev/null
  printf '%s %s %s %s %s\n' "$1" "${R[rps]}" "${R[p99_ms]}" "$(calc "($cpu1 - $cpu0) / ${R[requests]} * 1000")" \
    "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$WORK/windows.txt"
}

echo "consoles requests/s p99_ms bolt_cpu_ms_per_1000 load"
for ((i = 0; i < WINDOWS; i++)); do
  if ((i % 2 == 0)); then window 0; window "$WATCHERS"; else window "$WATCHERS"; window 0; fi
done
awk -v n="$WATCHERS" '$1 == 0 { a += $2; ac += $4; k++ } $1 == n { b += $2; bc += $4 }
  END { printf "\nmean requests/s: none %.0f, %d consoles %.0f (%+.1f %%); Bolt CPU per 1,000 requests: %.0f vs %.0f ms (%+.1f %%)\n",
        a / k, n, b / k, (b - a) / a * 100, ac / k, bc / k, (bc - ac) / ac * 100 }' "$WORK/windows.txt"
