#!/usr/bin/env bash
# Bolt benchmark (bench/README.md): per scenario a fresh database and key prefix, a fresh Bolt
# process, products through the admin API, a warm-up, a wrk run, the drain, the invariant check.
#
# Usage: bench/run.sh [options]          (make bench ARGS="...")
#   --scenarios LIST     comma-separated: steady,flash,status,limited (default all four);
#                        steady-plain is steady without a Lua response() hook, to measure the
#                        hook's cost; steady-limited is steady with a per-customer limit on every
#                        product and a customer on every order, to measure the limit's cost
#   --quick              CI smoke test: 3 s per scenario, 20,000 flash requests; checks the
#                        invariants, asserts no speed, writes bench/results/quick.* (not RESULTS.md)
#   --duration D         wrk duration per scenario, e.g. 30s, 2m (default 30s)
#   --connections N      wrk connections (default 64)      --threads N   wrk threads (default 2)
#   --http-instances N   Bolt HTTP verticles (default 2)   --workers N   fulfillment verticles (2)
#   --batch N            fulfillment batch size (default 64)
#   --flash-requests N   flash: requests in total (default 200000; quick 20000)
#   --warmup D           warm-up duration (default 5s; quick 1s)
#   --port N             Bolt's HTTP port (default 18080; its metrics port is N + 1)
#   --metrics on|off     Bolt's metrics (default on: Vert.x's and Bolt's meters, /metrics scraped
#                        every 5 s during the measured run); off measures what they cost
#   --consoles N         N operator consoles watching the measured run (default 0)
#   --results DIR        where reports go (default bench/results; bench/overhead.sh uses its own)
#   --appendfsync MODE   Redis's appendfsync (always|everysec|no) for this run, put back at exit
#                        (default: leave the server's setting alone)
#   --cluster            against the local Redis Cluster (scripts/cluster.sh, started if needed),
#                        products over 16 shards; scenarios steady,flash unless --scenarios says
#   --shards N           products over N shards (default 1; 16 with --cluster)
# Environment: JAVA_OPTS (passed to java, default empty: the JVM's defaults); BOLT_ENV, more
# VAR=value settings for Bolt (e.g. BOLT_ENV=BOLT_REDIS_WAIT_REPLICAS=1 with --cluster).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
# shellcheck source=bench/lib.sh
source bench/lib.sh

SCENARIOS=steady,flash,status,limited
QUICK=0
DURATION=30s
CONNECTIONS=64
THREADS=2
HTTP_INSTANCES=2
WORKERS=2
BATCH=64
FLASH_REQUESTS=""
WARMUP=""
PORT=18080
METRICS=true
CONSOLES=0
RESULTS="$REPO/bench/results"
APPENDFSYNC=""
SCENARIOS_ARG=""
SHARDS_ARG=""
JAVA_OPTS=${JAVA_OPTS:-}

while (($# > 0)); do
  case "$1" in
    --scenarios) SCENARIOS=$2; SCENARIOS_ARG=$2; shift ;;
    --quick) QUICK=1 ;;
    --duration) DURATION=$2; shift ;;
    --connections) CONNECTIONS=$2; shift ;;
    --threads) THREADS=$2; shift ;;
    --http-instances) HTTP_INSTANCES=$2; shift ;;
    --workers) WORKERS=$2; shift ;;
    --batch) BATCH=$2; shift ;;
    --flash-requests) FLASH_REQUESTS=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --port) PORT=$2; shift ;;
    --metrics) case "$2" in on) METRICS=true ;; off) METRICS=false ;; *) die "--metrics on or off, not $2" ;; esac
      shift ;;
    --consoles) CONSOLES=$2; shift ;;
    --results) RESULTS=$(realpath -m "$2"); shift ;;
    --appendfsync) case "$2" in always | everysec | no) APPENDFSYNC=$2 ;; *) die "--appendfsync always, everysec or no, not $2" ;; esac
      shift ;;
    --cluster) CLUSTER=1 ;;
    --shards) SHARDS_ARG=$2; shift ;;
    -h | --help) sed -n '2,29p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (try --help)" ;;
  esac
  shift
done
if ((QUICK)); then DURATION=3s; fi
if ((CLUSTER)); then
  SHARDS=${SHARDS_ARG:-16}
  [[ -n "$SCENARIOS_ARG" ]] || SCENARIOS=steady,flash
  "$REPO/scripts/cluster.sh" start
  BOLT_ENV="${BOLT_ENV:+$BOLT_ENV }BOLT_REDIS_MODE=cluster"
  BOLT_ENV+=" BOLT_REDIS_URLS=redis://127.0.0.1:7001,redis://127.0.0.1:7002,redis://127.0.0.1:7003"
else
  SHARDS=${SHARDS_ARG:-1}
fi
[[ "$SHARDS" =~ ^[0-9]+$ ]] && ((SHARDS >= 1)) || die "--shards takes a whole number from 1, not $SHARDS"
BOLT_ENV="${BOLT_ENV:+$BOLT_ENV }BOLT_REDIS_SHARDS=$SHARDS"
DURATION_S=$(seconds_of "$DURATION")
WARMUP_S=$(seconds_of "${WARMUP:-$( ((QUICK)) && echo 1s || echo 5s)}")
FLASH_REQUESTS=${FLASH_REQUESTS:-$( ((QUICK)) && echo 20000 || echo 200000)}
# limited: 5,000 customers, 4 requests each (quick: 2,000)
LIMITED_CUSTOMERS=$( ((QUICK)) && echo 2000 || echo 5000)
DRAIN_DEADLINE=$( ((QUICK)) && echo 120 || echo 300)
for n in "$DURATION_S" "$WARMUP_S" "$CONNECTIONS" "$THREADS" "$HTTP_INSTANCES" "$WORKERS" "$BATCH" \
  "$FLASH_REQUESTS" "$PORT" "$CONSOLES"; do
  [[ "$n" =~ ^[0-9]+$ ]] || die "not a whole number (or duration like 30s/2m): $n"
done
IFS=, read -r -a SCENARIO_LIST <<<"$SCENARIOS"
for s in "${SCENARIO_LIST[@]}"; do
  [[ "$s" =~ ^(steady|flash|status|limited|steady-plain|steady-limited)$ ]] || die "unknown scenario: $s"
done

RUN_ID="$(date +%Y%m%d-%H%M%S)-$$"
ADMIN_TOKEN="bench-$RANDOM$RANDOM$RANDOM"
WARMUP_PRODUCT=warmup
AMPLE=1000000 # units per product where nothing may sell out
WORK="$(mktemp -d "${TMPDIR:-/tmp}/bolt-bench.XXXXXX")"
METRICS_PORT=$((PORT + 1))
OK=0

FSYNC_BEFORE=""
on_exit() {
  stop_watchers
  if [[ -n "$FSYNC_BEFORE" ]]; then rcli CONFIG SET appendfsync "$FSYNC_BEFORE" >/dev/null; fi
  if [[ -n "$BOLT_PID" ]]; then stop_bolt; log "Bolt stopped (exit $BOLT_EXIT)"; fi
  if ((OK)); then rm -rf "$WORK"; else log "work files kept in $WORK"; fi
}
trap on_exit EXIT
if [[ -n "$APPENDFSYNC" ]]; then
  ((CLUSTER == 0)) || die "--appendfsync sets the standalone Redis; set a cluster's nodes with redis-cli"
  FSYNC_BEFORE=$(rcli CONFIG GET appendfsync | tail -n1)
  rcli CONFIG SET appendfsync "$APPENDFSYNC" >/dev/null
fi

# ---------------------------------------------------------------- scenario definitions
# writes PRODUCTS_TSV (id, stock, units it must sell exactly or empty), PRODUCT_RULES (JSON fields
# of the sale rules every product but the warm-up gets) and sets the wrk parameters
define_scenario() {
  PRODUCTS_TSV="$WORK/products-$1.tsv"
  printf '%s\t%s\t\n' "$WARMUP_PRODUCT" 1000000000 >"$PRODUCTS_TSV"
  PRODUCT_RULES=""
  WRK_SECONDS=$DURATION_S
  WRK_ENV=(BENCH_PRODUCT_PREFIX=p BENCH_PRODUCT_COUNT=100 BENCH_IDS_FILE="$WORK/ids-$1.txt")
  WRK_SCRIPT=orders.lua
  case "$1" in
    steady | steady-plain | steady-limited)
      for i in $(seq -f '%03g' 0 99); do printf 'p%s\t%s\t\n' "$i" "$AMPLE"; done >>"$PRODUCTS_TSV"
      EXPECTED='202'
      # every order names its buyer, one of 10,000 per wrk thread
      WRK_ENV+=(BENCH_CUSTOMERS=10000)
      if [[ $1 == steady-plain ]]; then WRK_ENV+=(BENCH_PLAIN=1); EXPECTED='2xx'; fi
      # a limit no buyer reaches: what the guard costs, without refusals
      if [[ $1 == steady-limited ]]; then PRODUCT_RULES='"limitPerCustomer":1000000'; fi ;;
    flash)
      printf 'flash\t1000\t1000\n' >>"$PRODUCTS_TSV"
      # a request budget instead of a duration; the duration only caps a very slow run
      WRK_SECONDS=$( ((QUICK)) && echo 60 || echo 600)
      mkdir -p "$WORK/flash-done"
      WRK_ENV=(BENCH_PRODUCT=flash BENCH_STOP_AFTER=$(((FLASH_REQUESTS + THREADS - 1) / THREADS))
        BENCH_DONE_DIR="$WORK/flash-done" BENCH_THREADS="$THREADS" BENCH_IDS_FILE="$WORK/ids-$1.txt")
      EXPECTED='202|400:INSUFFICIENT_STOCK' ;;
    limited)
      printf 'limited\t1000\t1000\n' >>"$PRODUCTS_TSV"
      PRODUCT_RULES='"limitPerCustomer":1'
      WRK_SECONDS=$( ((QUICK)) && echo 60 || echo 600)
      mkdir -p "$WORK/limited-done"
      WRK_SCRIPT=limited.lua
      WRK_ENV=(BENCH_PRODUCT=limited BENCH_CUSTOMERS=$LIMITED_CUSTOMERS
        BENCH_STOP_AFTER=$((4 * ((LIMITED_CUSTOMERS + THREADS - 1) / THREADS)))
        BENCH_DONE_DIR="$WORK/limited-done" BENCH_THREADS="$THREADS" BENCH_IDS_FILE="$WORK/ids-$1.txt")
      EXPECTED='202|400:INSUFFICIENT_STOCK|409:LIMIT_EXCEEDED' ;;
    status)
      for i in $(seq -f '%03g' 0 99); do printf 'p%s\t%s\t\n' "$i" "$AMPLE"; done >>"$PRODUCTS_TSV"
      WRK_SCRIPT=status.lua
      WRK_ENV+=(BENCH_POLLS=3)
      EXPECTED='202|200:PENDING|200:CONFIRMED' ;;
  esac
}

orders_in_db() { psql_db "$DB" -c "SELECT count(*) FROM orders WHERE product_id <> '$WARMUP_PRODUCT'"; }

# ---------------------------------------------------------------- one scenario
run_scenario() {
  local s=$1
  PREFIX="bench-$RUN_ID-$s"
  DB="bolt_bench_${RUN_ID//-/_}_${s//-/_}"
  define_scenario "$s"
  log "=== $s: database $DB, key prefix {$PREFIX}"
  create_db
  start_bolt "$WORK/bolt-$s.log"
  create_products
  log "warm-up: ${WARMUP_S} s against product $WARMUP_PRODUCT"
  run_wrk "$s-warmup" "$WARMUP_S" orders.lua BENCH_PRODUCT="$WARMUP_PRODUCT" BENCH_PLAIN=1 >/dev/null
  wait_drained "$DRAIN_DEADLINE" >/dev/null

  local budget="-d${WRK_SECONDS}s"
  [[ $s == flash ]] && budget="$FLASH_REQUESTS requests"
  [[ $s == limited ]] && budget="$LIMITED_CUSTOMERS customers x 4 requests"
  log "wrk -t$THREADS -c$CONNECTIONS $budget ($WRK_SCRIPT)"
  local t0 t1 written accepted unexpected
  start_watchers
  local cpu0 cpu1 redis0 pg0
  cpu0=$(bolt_cpu_ms); redis0=$(redis_cpu_ms); pg0=$(pg_cpu_ms)
  t0=$(now)
  run_wrk "$s" "$WRK_SECONDS" "$WRK_SCRIPT" "${WRK_ENV[@]}"
  t1=$(now)
  cpu1=$(bolt_cpu_ms)
  stop_watchers
  # Bolt's own CPU per request: what a change costs, even on a machine whose other load moves requests/s
  CPU_PER_1K=$(calc "($cpu1 - $cpu0) / (${R[requests]} > 0 ? ${R[requests]} : 1) * 1000")
  written=$(orders_in_db)
  wait_drained "$DRAIN_DEADLINE"
  local rss; rss=$(peak_rss_mib)

  accepted=$(accepted_count)
  # the capacity model: CPU of Redis, PostgreSQL and Bolt over the run and its drain, per accepted order
  CAPACITY=$(capacity "$accepted" "$(($(redis_cpu_ms) - redis0))" "$(($(pg_cpu_ms) - pg0))" "$(($(bolt_cpu_ms) - cpu0))")
  unexpected=$(unexpected_counts "$EXPECTED")
  local verdict="OK" ids="" slack
  [[ -f "$WORK/ids-$s.txt" && $s != steady-plain ]] && ids="$WORK/ids-$s.txt"
  slack=$((CONNECTIONS + $(socket_errors)))
  if ! check_invariants "$accepted" "$slack" "$ids"; then verdict="FAILED"; fi
  if [[ -n "$unexpected" ]]; then
    echo "FAIL unexpected responses for $s: $unexpected" >&2; verdict="FAILED"
  fi
  if [[ ($s == flash || $s == limited) && "${R[n:202]:-0}" != 1000 ]]; then
    echo "FAIL $s: ${R[n:202]:-0} orders accepted, expected exactly 1000" >&2; verdict="FAILED"
  fi
  if [[ $s == flash && ${R[requests]} -lt $FLASH_REQUESTS ]]; then
    log "WARNING: flash made ${R[requests]} requests, fewer than the $FLASH_REQUESTS asked for (cap ${WRK_SECONDS} s)"
  fi
  stop_bolt
  [[ $BOLT_EXIT == 0 ]] || { echo "FAIL Bolt exited $BOLT_EXIT on SIGTERM (expected 0)" >&2; verdict="FAILED"; }
  cp "$WORK/bolt-$s.log" "$RESULTS/bolt-$s.log" 2>/dev/null || true

  write_table "$s" "$t0" "$t1" "$written" "$rss" "$verdict"
  cat "$WORK/table-$s.md"
  if [[ $verdict != OK ]]; then
    die "$s: invariant check FAILED (database $DB and keys {$PREFIX}:* kept; Bolt log bench/results/bolt-$s.log)"
  fi
  drop_keys
  drop_db
}

# ---------------------------------------------------------------- report
write_table() { # scenario t0 t1 written rss verdict
  local s=$1 wrk_s written=$4 counts="" key drain
  wrk_s=$(calc "$3 - $2")
  for key in $(printf '%s\n' "${!R[@]}" | grep '^n:' | sort); do
    counts+="${key#n:}: $(thousands "${R[$key]}"), "
  done
  if ((DRAIN_START_BACKLOG > 0)); then
    drain="$(thousands "$DRAIN_START_BACKLOG") orders in $(secs "$DRAIN_SECONDS") s"
    drain+=" ($(thousands "$(calc "$DRAIN_START_BACKLOG / $DRAIN_SECONDS")") orders/s)"
  else
    drain="no backlog: the workers kept up"
  fi
  {
    echo "#### $s"
    echo
    echo "| metric | value |"
    echo "| --- | --- |"
    echo "| requests/s | $(thousands "${R[rps]}") ($(thousands "${R[requests]}") requests in $(secs "${R[duration_s]}") s) |"
    echo "| latency p50 / p90 / p99 / max | ${R[p50_ms]} / ${R[p90_ms]} / ${R[p99_ms]} / ${R[max_ms]} ms |"
    echo "| responses by status | ${counts%, } |"
    [[ $s == flash || $s == limited ]] && echo "| refusals/s | $(thousands "$(calc \
      "(${R[n:400:INSUFFICIENT_STOCK]:-0} + ${R[n:409:LIMIT_EXCEEDED]:-0}) / ${R[duration_s]}")") |"
    echo "| socket errors (connect/read/write/timeout) | ${R[err_connect]}/${R[err_read]}/${R[err_write]}/${R[err_timeout]} |"
    echo "| written to PostgreSQL during wrk | $(thousands "$written") orders ($(thousands "$(calc "$written / $wrk_s")") orders/s) |"
    echo "| drain after wrk | $drain |"
    echo "| Bolt's CPU during wrk | $(secs "$(calc "$CPU_PER_1K * ${R[requests]} / 1000000")") s ($(printf '%.0f' "$CPU_PER_1K") ms per 1,000 requests) |"
    echo "| peak RSS of Bolt (VmHWM) | $5 MiB |"
    echo "| capacity model (wrk and drain) | $CAPACITY |"
    echo "| invariants | $6 ($CHECK_INFO, drift $DRIFT) |"
    echo
  } >"$WORK/table-$s.md"
  printf '%s %s %s %s %s %s %s\n' "$s" "${R[rps]}" "${R[p50_ms]}" "${R[p90_ms]}" "${R[p99_ms]}" "${R[max_ms]}" \
    "$CPU_PER_1K" >>"$WORK/plot.dat"
}

machine() {
  echo "- machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(uname -sr)"
  echo "- JDK: $(java -version 2>&1 | head -n1)"
  echo "- Redis: $(rcli INFO server | tr -d '\r' | sed -n 's/^redis_version://p'), appendonly $(rcli CONFIG GET appendonly | tail -n1), appendfsync $(rcli CONFIG GET appendfsync | tail -n1)"
  if ((CLUSTER)); then echo "- Redis Cluster: 3 masters and 3 replicas on this machine (scripts/cluster.sh), $SHARDS shards"
  elif ((SHARDS > 1)); then echo "- $SHARDS shards on one Redis"; fi
  echo "- PostgreSQL: $(psql_db bolt -c 'SHOW server_version'), fsync $(psql_db bolt -c 'SHOW fsync'), synchronous_commit $(psql_db bolt -c 'SHOW synchronous_commit')"
  echo "- wrk: $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2), -t$THREADS -c$CONNECTIONS, same machine as Bolt, Redis and PostgreSQL"
  echo "- Bolt: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src pom.xml || echo ' (uncommitted changes)'), http instances $HTTP_INSTANCES, workers $WORKERS, batch $BATCH, metrics $( [[ $METRICS == true ]] && echo 'on (scraped every 5 s)' || echo off), consoles $CONSOLES, JAVA_OPTS='${JAVA_OPTS}'"
  echo "- run: duration ${DURATION_S} s, warm-up ${WARMUP_S} s, flash $FLASH_REQUESTS requests, scenarios $SCENARIOS$( ((QUICK)) && echo ' (quick)')"
}

report() {
  local name=latest stamp
  stamp=$(date '+%Y-%m-%d %H:%M %Z')
  ((QUICK)) && name=quick
  cp "$WORK/plot.dat" "$RESULTS/$name.dat"
  gnuplot -e "datafile='$RESULTS/$name.dat'; outfile='$RESULTS/$name.png'; heading='Bolt $stamp'" \
    "$REPO/bench/plot.gp" || log "WARNING: gnuplot failed; no PNG"
  local md="$WORK/report.md"
  {
    echo "## $stamp"
    echo
    machine
    echo
    for s in "${SCENARIO_LIST[@]}"; do cat "$WORK/table-$s.md"; done
  } >"$md"
  if ((QUICK)); then
    cp "$md" "$RESULTS/quick.md"
    log "quick mode: results in bench/results/quick.{md,dat,png} (RESULTS.md untouched)"
  else
    local dated; dated="$(date +%Y%m%d-%H%M)"
    cp "$RESULTS/latest.png" "$RESULTS/$dated.png" 2>/dev/null || true
    cp "$RESULTS/latest.dat" "$RESULTS/$dated.dat"
    { cat "$md"; echo "Plot: [$dated.png]($dated.png) (data: $dated.dat)"; echo; } >>"$RESULTS/RESULTS.md"
    log "appended to bench/results/RESULTS.md; plot bench/results/$dated.png (and latest.png)"
  fi
}

# ---------------------------------------------------------------- main
scripts/services.sh --install-bench-tools
make -s --no-print-directory build # rebuilds target/bolt.jar only when a source changed
mkdir -p "$RESULTS"
: >"$WORK/plot.dat"
for s in "${SCENARIO_LIST[@]}"; do run_scenario "$s"; done
report
OK=1
log "all scenarios passed the invariant check"
