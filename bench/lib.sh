# shellcheck shell=bash disable=SC2034  # globals are read by run.sh
# Helpers for bench/run.sh (sourced): backends, the Bolt process, wrk, drain, invariant check.
# Expects from run.sh: REPO, WORK, PORT, ADMIN_TOKEN, and per scenario PREFIX, DB, PRODUCTS_TSV.

REDIS_HOST=127.0.0.1
REDIS_PORT=6379
# --cluster: the local Redis Cluster of scripts/cluster.sh, products over SHARDS shards
CLUSTER=0
SHARDS=1
CLUSTER_PORTS=(7001 7002 7003 7004 7005 7006)
PG_URL_BASE=postgresql://bolt:bolt@127.0.0.1:5432
BOLT_PID=""

log() { printf 'bench: %s\n' "$*"; }
die() { printf 'bench: ERROR: %s\n' "$*" >&2; exit 1; }
now() { printf '%s' "$EPOCHREALTIME"; }
# floating-point arithmetic: calc 'expression'
calc() { awk "BEGIN { x = ($1); printf \"%s\", x }" </dev/null; }
# seconds with one decimal
secs() { awk -v x="$1" 'BEGIN { printf "%.1f", x }'; }
# 1234567 -> 1,234,567 (rounds)
thousands() { LC_ALL=C awk -v n="$1" 'BEGIN { n = sprintf("%.0f", n); s = ""
  while (length(n) > 3) { s = "," substr(n, length(n) - 2) s; n = substr(n, 1, length(n) - 3) } print n s }'; }
# 30s / 2m / 45 -> seconds
seconds_of() {
  case "$1" in
    *m) echo $((${1%m} * 60)) ;;
    *s) echo "${1%s}" ;;
    *) echo "$1" ;;
  esac
}

rcli() {
  # -c follows MOVED, and says so on stdout: not part of the answer
  if ((CLUSTER)); then redis-cli -c -h "$REDIS_HOST" -p "${CLUSTER_PORTS[0]}" "$@" | sed '/^-> Redirected to slot/d'
  else redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" "$@"; fi
}
# the hash tag of shard N (docs/design.md: shards): {prefix} for shard 0, {prefix:N} after
tag() { if (($1 == 0)); then echo "{$PREFIX}"; else echo "{$PREFIX:$1}"; fi; }
# "id<TAB>hash tag" of every product of PRODUCTS_TSV, in its order (its shard is in the database)
product_tags() {
  if ((SHARDS == 1)); then cut -f1 "$PRODUCTS_TSV" | sed "s/\$/\t{$PREFIX}/"; return; fi
  psql_db "$DB" -F $'\t' -c "SELECT id, CASE WHEN shard = 0 THEN '{$PREFIX}' ELSE '{$PREFIX:' || shard || '}' END FROM products" \
    | awk -F'\t' 'NR == FNR { t[$1] = $2; next } { print $1 "\t" t[$1] }' - "$PRODUCTS_TSV"
}
# the sum over the shards of one number per shard: sum_shards command-with-TAG (TAG replaced)
sum_shards() {
  local n=0 s v
  for ((s = 0; s < SHARDS; s++)); do
    v=$(rcli "${@//TAG/$(tag "$s")}"); n=$((n + ${v:-0}))
  done
  echo "$n"
}
psql_db() { # db, then psql arguments
  local db=$1; shift
  PGPASSWORD=bolt PGOPTIONS='-c client_min_messages=warning' psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -U bolt -d "$db" "$@"
}

# ---------------------------------------------------------------- database per scenario
create_db() { psql_db bolt -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"; }
drop_db() { psql_db bolt -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"; }
# every key of this scenario (products, queue, markers, workers, dead letters, drift)
drop_keys() {
  if ((CLUSTER)); then
    local port
    for port in "${CLUSTER_PORTS[@]}"; do
      redis-cli -h "$REDIS_HOST" -p "$port" --scan --pattern "{$PREFIX*" 2>/dev/null || true
    done | sort -u | xargs -r -n 1 redis-cli -c -h "$REDIS_HOST" -p "${CLUSTER_PORTS[0]}" UNLINK >/dev/null
    return 0
  fi
  rcli --scan --pattern "{$PREFIX}:*" | xargs -r -n 500 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" UNLINK >/dev/null
}

# ---------------------------------------------------------------- Bolt
start_bolt() { # log file
  if (: >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    die "port $PORT is in use; pick another with --port"
  fi
  # shellcheck disable=SC2086  # JAVA_OPTS is a list of options
  env BOLT_HTTP_PORT="$PORT" BOLT_PG_URL="$PG_URL_BASE/$DB" BOLT_KEY_PREFIX="$PREFIX" \
    BOLT_ADMIN_TOKEN="$ADMIN_TOKEN" BOLT_SEED_DEMO=false BOLT_WORKER_ID="$PREFIX" \
    BOLT_HTTP_INSTANCES="$HTTP_INSTANCES" BOLT_FULFILLMENT_INSTANCES="$WORKERS" BOLT_BATCH_SIZE="$BATCH" \
    BOLT_METRICS_ENABLED="$METRICS" BOLT_METRICS_PORT="$METRICS_PORT" \
    ${BOLT_ENV:+env $BOLT_ENV} java $JAVA_OPTS -jar "${JAR:-$REPO/target/bolt.jar}" >"$1" 2>&1 &
  BOLT_PID=$!
  # ready: both backends answer and the schema is applied (GET /products reads the products table)
  local deadline=$((SECONDS + 60))
  until [[ "$(http_status GET /health)" == 200 && "$(http_status GET /products)" == 200 ]]; do
    kill -0 "$BOLT_PID" 2>/dev/null || { tail -n 20 "$1" >&2; die "Bolt exited during start-up (log: $1)"; }
    ((SECONDS < deadline)) || { tail -n 20 "$1" >&2; die "Bolt not ready within 60 s (log: $1)"; }
    sleep 0.2
  done
}

# SIGTERM, then wait for the exit (workers finish the batch in hand); sets BOLT_EXIT
# ---------------------------------------------------------------- watchers during the measured run
# What watches a sale while it runs: with metrics on, a Prometheus-like scrape of /metrics every 5 s;
# with --consoles N, N operator consoles reading the event stream (curl, as the page's fetch does).
WATCHER_PIDS=()
start_watchers() {
  local i
  if [[ $METRICS == true ]]; then
    (while :; do curl -s -o /dev/null "http://127.0.0.1:$METRICS_PORT/metrics"; sleep 5; done) &
    WATCHER_PIDS+=($!)
  fi
  for ((i = 0; i < CONSOLES; i++)); do
    curl -sN -o /dev/null -H "Authorization: Bearer $ADMIN_TOKEN" "http://127.0.0.1:$PORT/admin/stream" &
    WATCHER_PIDS+=($!)
  done
  ((${#WATCHER_PIDS[@]} == 0)) || sleep 1 # the consoles connected, the first snapshot made
}
stop_watchers() {
  local pid
  for pid in "${WATCHER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  WATCHER_PIDS=()
}

# CPU time (user + system, in ms) the Bolt process has used so far: /proc/<pid>/stat fields 14 and 15
bolt_cpu_ms() {
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%d", ($12 + $13) * 1000 / hz }' "/proc/$BOLT_PID/stat"
}

stop_bolt() {
  BOLT_EXIT=0
  [[ -n "$BOLT_PID" ]] || return 0
  local pid=$BOLT_PID
  BOLT_PID=""
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    log "Bolt did not stop within 60 s of SIGTERM; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || BOLT_EXIT=$?
}

# ---------------------------------------------------------------- capacity model
# CPU (ms) used so far by the Redis masters of this run (the cluster's, or the one Redis): INFO cpu
redis_cpu_ms() {
  local ports=("$REDIS_PORT") port n=0 v
  ((CLUSTER)) && ports=("${CLUSTER_PORTS[@]}")
  for port in "${ports[@]}"; do
    [[ "$(redis-cli -h "$REDIS_HOST" -p "$port" ROLE 2>/dev/null | head -n1)" == master ]] || continue
    v=$(redis-cli -h "$REDIS_HOST" -p "$port" INFO cpu | tr -d '\r' \
      | awk -F: '/^used_cpu_(user|sys):/ { s += $2 } END { printf "%d", s * 1000 }')
    n=$((n + v))
  done
  echo "$n"
}
# CPU (ms) used so far by PostgreSQL: every postgres process, and the exited ones the postmaster reaped
pg_cpu_ms() {
  local pid
  for pid in $(pgrep -x postgres); do cat "/proc/$pid/stat" 2>/dev/null || true; done \
    | awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); t += $12 + $13 + $14 + $15 } END { printf "%d", t * 1000 / hz }'
}
# capacity accepted redis_ms pg_ms bolt_ms: CPU per accepted order of each, and what one core of each
# would take (a Redis Cluster shard is one core: its master's), for SHARDS shards on cores of their own
capacity() {
  local n=$1 r p b
  ((n > 0)) || { echo "no order accepted"; return; }
  r=$(calc "$2 / $n"); p=$(calc "$3 / $n"); b=$(calc "$4 / $n")
  awk -v r="$r" -v p="$p" -v b="$b" -v s="$SHARDS" 'BEGIN {
    rs = (r > 0 ? 1000 / r : 0); ps = (p > 0 ? 1000 / p : 0); bs = (b > 0 ? 1000 / b : 0)
    first = "Redis"; min = rs * s
    if (ps < min) { first = "PostgreSQL"; min = ps }
    if (bs < min) { first = "Bolt (JVM)"; min = bs }
    printf "CPU per accepted order: Redis %.3f ms, PostgreSQL %.3f ms, Bolt %.3f ms; one core each: %.0f orders/s per Redis shard, %.0f for PostgreSQL, %.0f for Bolt; S = %d shards on cores of their own give %.0f, so with one core each for PostgreSQL and Bolt the first to saturate is %s (%.0f orders/s)", r, p, b, rs, ps, bs, s, rs * s, first, min }'
}

peak_rss_mib() { awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$BOLT_PID/status"; }

http_status() { # method path
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X "$1" "http://127.0.0.1:$PORT$2" || true
}

# POST /admin/products for every line "id<TAB>stock<TAB>expected sold" of PRODUCTS_TSV
create_products() {
  local id stock _ code
  while IFS=$'\t' read -r id stock _; do
    code=$(curl -s -o "$WORK/create.out" -w '%{http_code}' --max-time 10 -X POST \
      -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
      -d "{\"id\":\"$id\",\"name\":\"bench $id\",\"stock\":$stock$([[ $id != "$WARMUP_PRODUCT" && -n "$PRODUCT_RULES" ]] && echo ",$PRODUCT_RULES")}" \
      "http://127.0.0.1:$PORT/admin/products")
    [[ "$code" == 201 ]] || die "POST /admin/products $id answered $code: $(cat "$WORK/create.out")"
  done <"$PRODUCTS_TSV"
}

# ---------------------------------------------------------------- wrk
# run_wrk name duration_s script [VAR=value...]: wrk's report goes to the console and
# $WORK/wrk-<name>.out; the BENCH line is parsed into the associative array R.
declare -gA R
run_wrk() {
  local name=$1 duration=$2 script=$3; shift 3
  local out="$WORK/wrk-$name.out"
  env "$@" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${duration}s" --timeout 10s -s "$REPO/bench/$script" \
    "http://127.0.0.1:$PORT" >"$out" 2>&1 || { cat "$out" >&2; die "wrk ($name) failed"; }
  grep -v '^BENCH ' "$out" | sed 's/^/  wrk| /' || true
  local line word
  line=$(grep '^BENCH ' "$out" | tail -n1) || die "wrk ($name) printed no BENCH line"
  R=()
  for word in ${line#BENCH }; do R[${word%%=*}]=${word#*=}; done
}

# accepted orders and any count outside the scenario's expected keys (regex)
accepted_count() { echo "${R[n:202]:-${R[n:2xx]:-0}}"; }
unexpected_counts() {
  local key
  for key in "${!R[@]}"; do
    [[ $key == n:* && ${R[$key]} -gt 0 && ! ${key#n:} =~ ^($1)$ ]] && printf '%s=%s ' "${key#n:}" "${R[$key]}"
  done
  return 0
}
socket_errors() { echo $((R[err_connect] + R[err_read] + R[err_write] + R[err_timeout])); }

# ---------------------------------------------------------------- drain
# jobs in the queue plus in every worker's processing list, read atomically
backlog() {
  sum_shards EVAL "local n = redis.call('LLEN', KEYS[1])
    for _, w in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do n = n + redis.call('LLEN', ARGV[1] .. w) end
    return n" 2 "TAG:queue" "TAG:workers" "TAG:processing:"
}
inflight() {
  if ((SHARDS > 1)); then
    product_tags | awk -F'\t' '{ print "HGET " $2 ":product:" $1 " inflight" }' | rcli | awk '{ n += $1 } END { print n + 0 }'
    return
  fi
  local -a keys
  mapfile -t keys < <(cut -f1 "$PRODUCTS_TSV" | sed "s/^/{$PREFIX}:product:/")
  rcli EVAL "local n = 0 for _, k in ipairs(KEYS) do n = n + tonumber(redis.call('HGET', k, 'inflight') or 0) end
    return n" "${#keys[@]}" "${keys[@]}"
}

# wait_drained deadline_s: progress line each second; sets DRAIN_START_BACKLOG and DRAIN_SECONDS
wait_drained() {
  local deadline=$1 start b last_b last_t t rate
  start=$(now); b=$(backlog); DRAIN_START_BACKLOG=$b; last_b=$b; last_t=$start
  while ((b > 0)) || (($(inflight) > 0)); do
    t=$(now)
    if (($(calc "$t - $start > $deadline"))); then
      echo
      die "not drained after ${deadline} s: backlog $b, inflight $(inflight) (keys {$PREFIX}:*, database $DB kept)"
    fi
    sleep 1
    b=$(backlog); t=$(now)
    rate=$(calc "($last_b - $b) / ($t - $last_t)")
    last_b=$b; last_t=$t
    printf '\rbench: draining: backlog %s, %s orders/s     ' "$(thousands "$b")" "$(thousands "$rate")"
    [[ -t 1 ]] || echo
  done
  DRAIN_SECONDS=$(calc "$(now) - $start")
  [[ -t 1 && $DRAIN_START_BACKLOG -gt 0 ]] && echo
  return 0
}

# ---------------------------------------------------------------- invariant check
# check_invariants accepted slack [ids file]: prints OK lines or FAIL lines; returns non-zero on FAIL
check_invariants() {
  local accepted=$1 slack=$2 ids=${3:-} failures="" raw
  # Redis side: nothing queued, in processing, dead-lettered or pending
  local queue dead markers
  queue=$(backlog)
  dead=$(sum_shards LLEN "TAG:dead")
  markers=$(sum_shards HLEN "TAG:pending")
  ((queue == 0)) || failures+="FAIL $queue jobs still queued or in processing lists"$'\n'
  ((dead == 0)) || failures+="FAIL $dead dead letters: $(rcli LRANGE "{$PREFIX}:dead" 0 2)"$'\n'
  ((markers == 0)) || failures+="FAIL $markers pending records still in Redis (orders not settled)"$'\n'
  # Redis product hashes, in the order of PRODUCTS_TSV, next to the DB in one SQL check
  raw="$WORK/cache.tsv"
  product_tags | awk -F'\t' '{ print "HMGET " $2 ":product:" $1 " available inflight dbstock" }' | rcli \
    | paste - - - | paste <(cut -f1 "$PRODUCTS_TSV") - >"$raw"
  local sql_out
  sql_out=$({
    echo "CREATE TEMP TABLE initial (product_id text PRIMARY KEY, stock bigint NOT NULL, expect_sold bigint);"
    echo "COPY initial FROM STDIN WITH (NULL '');"; cat "$PRODUCTS_TSV"; echo '\.'
    echo "CREATE TEMP TABLE cache (product_id text PRIMARY KEY, available bigint, inflight bigint, dbstock bigint);"
    echo "COPY cache FROM STDIN WITH (NULL '');"; cat "$raw"; echo '\.'
    echo "CREATE TEMP TABLE seen (id uuid);"
    if [[ -n "$ids" ]]; then echo "COPY seen FROM STDIN;"; cat "$ids"; echo '\.'; fi
    echo "\\set accepted $accepted"
    echo "\\set slack $slack"
    echo "\\set warmup $WARMUP_PRODUCT"
    cat "$REPO/bench/check.sql"
  } | psql_db "$DB") || die "invariant check query failed (database $DB kept)"
  failures+=$(grep '^FAIL' <<<"$sql_out" || true)
  CHECK_INFO=$(grep '^INFO' <<<"$sql_out" | sed 's/^INFO //' || true)
  DRIFT=$(sum_shards GET "TAG:drift")
  if [[ -n "${failures//$'\n'/}" ]]; then
    printf '%s\n' "$failures" | sed '/^$/d' >&2
    return 1
  fi
}
