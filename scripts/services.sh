#!/usr/bin/env bash
# Make sure Bolt's backing services answer on loopback:
#   Redis      >= 6.2 on 127.0.0.1:6379
#   PostgreSQL >= 13  on 127.0.0.1:5432, role bolt/bolt (LOGIN CREATEDB), db bolt owned by it
#
# Strategy, per service that does not answer yet:
#   1. already answering  -> use it as is (versions are checked)
#   2. Docker engine up   -> docker compose up -d --wait (repo's docker-compose.yml)
#   3. Debian packages    -> start them (installing them first when root / passwordless sudo)
#   4. otherwise          -> stop and say what to install
# Idempotent: when everything is already up it only checks (about a second).
#
# Usage: scripts/services.sh [--install-bench-tools] [--browser] [--cluster]
#   --install-bench-tools  also make sure wrk and gnuplot (Debian: wrk, gnuplot-nox) are installed
#   --browser              also make sure headless Chromium and its driver are installed (Debian:
#                          chromium, chromium-driver) for the browser tests (make test passes it)
#   --cluster              also start the local Redis Cluster on 127.0.0.1:7001-7006 (scripts/cluster.sh;
#                          make test passes it for the cluster suite)
# Environment: BOLT_REDIS_APPENDFSYNC=always|everysec|no for a Redis it starts (default everysec); a
# Redis already answering keeps its own setting.
set -euo pipefail

REDIS_HOST=127.0.0.1
REDIS_PORT=6379
REDIS_MIN_VERSION=6.2
PG_HOST=127.0.0.1
PG_PORT=5432
PG_MIN_VERSION_NUM=130000
BOLT_DB_USER=bolt
BOLT_DB_PASSWORD=bolt
BOLT_DB_NAME=bolt
WAIT_SECS=30
# everysec unless asked: always loses no accepted order in a power cut, at a cost (README: Delivery guarantees)
REDIS_APPENDFSYNC=${BOLT_REDIS_APPENDFSYNC:-everysec}

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
COMPOSE_FILE="$REPO_ROOT/docker-compose.yml"

INSTALL_BENCH_TOOLS=0
INSTALL_BROWSER=0
START_CLUSTER=0
for arg in "$@"; do
  case "$arg" in
    --install-bench-tools) INSTALL_BENCH_TOOLS=1 ;;
    --browser) INSTALL_BROWSER=1 ;;
    --cluster) START_CLUSTER=1 ;;
    -h|--help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "services: unknown argument: $arg (try --help)" >&2; exit 2 ;;
  esac
done

log() { echo "services: $*"; }
die() { echo "services: ERROR: $*" >&2; exit 1; }
[[ "$REDIS_APPENDFSYNC" =~ ^(always|everysec|no)$ ]] \
  || die "BOLT_REDIS_APPENDFSYNC must be always, everysec or no, not $REDIS_APPENDFSYNC"
# have, can_root, as_root, apt_install
# shellcheck source=scripts/apt.sh
source "$SCRIPT_DIR/apt.sh"

# ---------------------------------------------------------------- probes
version_ge() { # a b : a >= b (dotted versions)
  [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" == "$2" ]]
}
tcp_open() { # host port
  timeout 2 bash -c ": >/dev/tcp/$1/$2" >/dev/null 2>&1
}
wait_until() { # cmd... : poll until cmd succeeds or WAIT_SECS pass
  local deadline=$((SECONDS + WAIT_SECS))
  until "$@"; do
    if ((SECONDS >= deadline)); then return 1; fi
    sleep 0.2
  done
}

redis_cmd() { # command words... ; prints the reply
  if have redis-cli; then
    timeout 3 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" "$@" 2>/dev/null
  else
    # RESP inline command, then QUIT so the server closes and cat returns
    # shellcheck disable=SC2016  # $1/$2/$* expand in the inner bash
    timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2" || exit 1; shift 2
                       printf "%s\r\nQUIT\r\n" "$*" >&3; cat <&3' _ "$REDIS_HOST" "$REDIS_PORT" "$@" 2>/dev/null
  fi
}
redis_answers() { tcp_open "$REDIS_HOST" "$REDIS_PORT"; }
redis_ready() { redis_cmd PING | grep -q PONG; }
redis_version() { redis_cmd INFO server | tr -d '\r' | sed -n 's/^redis_version://p'; }

pg_answers() { tcp_open "$PG_HOST" "$PG_PORT"; }
pg_ready() {
  if have pg_isready; then
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 2
  else
    tcp_open "$PG_HOST" "$PG_PORT"
  fi
}
# "<server_version_num>|<rolcreatedb>" when bolt can log in over TCP, else fails
pg_bolt_probe() {
  PGPASSWORD="$BOLT_DB_PASSWORD" PGCONNECT_TIMEOUT=3 psql -X -q -t -A \
    -h "$PG_HOST" -p "$PG_PORT" -U "$BOLT_DB_USER" -d "$BOLT_DB_NAME" \
    -c "select current_setting('server_version_num') || '|' || rolcreatedb from pg_roles where rolname = current_user" \
    2>/dev/null
}

# ---------------------------------------------------------------- docker
docker_engine_up() {
  have docker && timeout 5 docker info >/dev/null 2>&1 && timeout 5 docker compose version >/dev/null 2>&1
}
start_docker() { # service...
  [[ -f "$COMPOSE_FILE" ]] || die "$COMPOSE_FILE not found"
  log "docker: compose up $* (waiting for healthchecks)"
  docker compose -f "$COMPOSE_FILE" up -d --wait "$@"
}

# ---------------------------------------------------------------- local redis
start_local_redis() {
  if ! have redis-server; then
    if can_root && have apt-get; then
      apt_install redis-server
    else
      die "Redis is not running and redis-server is not installed; install Redis >= $REDIS_MIN_VERSION (Debian/Ubuntu: apt-get install redis-server) or start Docker and rerun"
    fi
  fi
  local dir logfile
  local -a run=()
  if [[ $EUID -eq 0 ]] && id redis >/dev/null 2>&1 && [[ -d /var/lib/redis ]]; then
    dir=/var/lib/redis
    if [[ -d /var/log/redis ]]; then logfile=/var/log/redis/redis-bolt.log; else logfile="$dir/redis-bolt.log"; fi
    run=(runuser -u redis --)
  else
    dir="${XDG_STATE_HOME:-${HOME:-/nonexistent}/.local/state}/bolt/redis"
    if ! mkdir -p "$dir" 2>/dev/null; then
      dir="${TMPDIR:-/tmp}/bolt-redis-$EUID"
      mkdir -p "$dir"
    fi
    logfile="$dir/redis.log"
  fi
  log "redis: starting redis-server on $REDIS_HOST:$REDIS_PORT (dir $dir, log $logfile)"
  "${run[@]}" redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" \
    --appendonly yes --appendfsync "$REDIS_APPENDFSYNC" --dir "$dir" \
    --logfile "$logfile" --pidfile "$dir/redis-bolt.pid" \
    || die "redis-server failed to start (see $logfile)"
  REDIS_LOG="$logfile"
}

# ---------------------------------------------------------------- local postgres
start_local_pg() {
  if ! have pg_lsclusters || ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
    if can_root && have apt-get; then
      apt_install postgresql
    else
      die "PostgreSQL is not running and not installed; install PostgreSQL >= 13 (Debian/Ubuntu: apt-get install postgresql) or start Docker and rerun"
    fi
  fi
  local -a pgc=()
  can_root && pgc=(as_root)
  # newest cluster: "ver name port status owner datadir logfile"
  local line ver name port status
  line="$(pg_lsclusters -h 2>/dev/null | sort -k1,1V | tail -n1 || true)"
  if [[ -z "$line" ]]; then
    ver="$(basename "$(dirname "$(dirname "$(compgen -G '/usr/lib/postgresql/*/bin/postgres' | sort -V | tail -n1)")")")"
    can_root || die "no PostgreSQL cluster exists; create one as root: pg_createcluster $ver main --port $PG_PORT"
    log "postgres: creating cluster $ver/main on port $PG_PORT"
    as_root pg_createcluster "$ver" main --port "$PG_PORT" >/dev/null
    line="$(pg_lsclusters -h | awk -v v="$ver" '$1 == v && $2 == "main"')"
  fi
  local owner
  read -r ver name port status owner _ <<<"$line"
  if ! can_root && [[ "$(id -un)" != "$owner" ]]; then
    die "PostgreSQL cluster $ver/$name is $status and only root or $owner can start it: sudo pg_ctlcluster $ver $name start (then rerun)"
  fi
  if ! version_ge "$ver" 13; then
    die "newest local PostgreSQL cluster is $ver; Bolt needs >= 13"
  fi
  if [[ "$port" != "$PG_PORT" ]]; then
    log "postgres: cluster $ver/$name uses port $port, moving it to $PG_PORT"
    "${pgc[@]}" pg_conftool "$ver" "$name" set port "$PG_PORT"
    if [[ "$status" == online* ]]; then
      "${pgc[@]}" pg_ctlcluster "$ver" "$name" restart
      return
    fi
  fi
  log "postgres: starting cluster $ver/$name"
  "${pgc[@]}" pg_ctlcluster "$ver" "$name" start \
    || die "pg_ctlcluster $ver $name start failed (see /var/log/postgresql/postgresql-$ver-$name.log)"
}

# ---------------------------------------------------------------- role / db
ensure_pg_role() {
  if ! have psql; then
    log "postgres: psql not found, cannot verify role/db $BOLT_DB_USER (install postgresql-client)"
    return
  fi
  local probe
  if ! probe="$(pg_bolt_probe)" || [[ "$probe" != *"|true" ]]; then
    if ! can_root || ! id postgres >/dev/null 2>&1 || ! have runuser \
       || [[ ! -S "/var/run/postgresql/.s.PGSQL.$PG_PORT" ]]; then
      die "cannot log in to PostgreSQL on $PG_HOST:$PG_PORT as $BOLT_DB_USER/$BOLT_DB_PASSWORD with CREATEDB; as a superuser run:
  CREATE ROLE $BOLT_DB_USER LOGIN CREATEDB PASSWORD '$BOLT_DB_PASSWORD'; CREATE DATABASE $BOLT_DB_NAME OWNER $BOLT_DB_USER;"
    fi
    log "postgres: creating/updating role $BOLT_DB_USER and database $BOLT_DB_NAME"
    as_root runuser -u postgres -- psql -X -q -p "$PG_PORT" -d postgres -v ON_ERROR_STOP=1 >/dev/null <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$BOLT_DB_USER') THEN
    CREATE ROLE $BOLT_DB_USER;
  END IF;
END
\$\$;
ALTER ROLE $BOLT_DB_USER WITH LOGIN CREATEDB PASSWORD '$BOLT_DB_PASSWORD';
SELECT 'CREATE DATABASE $BOLT_DB_NAME OWNER $BOLT_DB_USER'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$BOLT_DB_NAME')\gexec
ALTER DATABASE $BOLT_DB_NAME OWNER TO $BOLT_DB_USER;
SQL
    probe="$(pg_bolt_probe)" \
      || die "role $BOLT_DB_USER exists but cannot log in over TCP on $PG_HOST:$PG_PORT (check pg_hba.conf allows host/scram or md5 for 127.0.0.1)"
  fi
  local vnum="${probe%%|*}"
  if ((vnum < PG_MIN_VERSION_NUM)); then
    die "PostgreSQL on $PG_HOST:$PG_PORT is version $vnum; Bolt needs >= 13"
  fi
  log "postgres: ok on $PG_HOST:$PG_PORT (server_version_num $vnum, role/db $BOLT_DB_USER ready)"
}

check_redis() {
  local v
  v="$(redis_version)"
  [[ -n "$v" ]] || die "could not read redis_version from INFO server on $REDIS_HOST:$REDIS_PORT"
  version_ge "$v" "$REDIS_MIN_VERSION" \
    || die "Redis on $REDIS_HOST:$REDIS_PORT is $v; Bolt needs >= $REDIS_MIN_VERSION (stop it or upgrade)"
  log "redis: ok on $REDIS_HOST:$REDIS_PORT (version $v)"
}

# ---------------------------------------------------------------- bench tools
ensure_bench_tools() {
  local -a missing=()
  have wrk || missing+=(wrk)
  have gnuplot || missing+=(gnuplot-nox)
  ((${#missing[@]} == 0)) && { log "bench tools: wrk and gnuplot present"; return; }
  if can_root && have apt-get; then
    apt_install "${missing[@]}"
  else
    die "missing bench tools: ${missing[*]} (Debian/Ubuntu: apt-get install ${missing[*]})"
  fi
}

# ---------------------------------------------------------------- browser
# The browser tests (src/test/java/bolt/support/Browser.java) drive these two paths; Debian's
# packages put them there, and they are the same build, so the driver always fits the browser.
CHROMIUM=/usr/bin/chromium
CHROMEDRIVER=/usr/bin/chromedriver
ensure_browser() {
  if [[ -x "$CHROMIUM" && -x "$CHROMEDRIVER" ]]; then
    log "browser: $("$CHROMIUM" --version 2>/dev/null | head -n1) and chromedriver present"
    return
  fi
  if can_root && have apt-get; then
    apt_install chromium chromium-driver
    [[ -x "$CHROMIUM" && -x "$CHROMEDRIVER" ]] \
      || die "installed chromium and chromium-driver, but $CHROMIUM or $CHROMEDRIVER is missing"
    log "browser: $("$CHROMIUM" --version 2>/dev/null | head -n1) installed"
  else
    die "the browser tests need $CHROMIUM and $CHROMEDRIVER (Debian/Ubuntu: apt-get install chromium chromium-driver)"
  fi
}

# ---------------------------------------------------------------- main
REDIS_LOG=""
need=()
if redis_answers; then
  wait_until redis_ready \
    || die "something answers on $REDIS_HOST:$REDIS_PORT but not PING->PONG (password set? not Redis?): $(redis_cmd PING | head -c 200)"
else
  need+=(redis)
fi
if pg_answers; then
  wait_until pg_ready || die "something answers on $PG_HOST:$PG_PORT but PostgreSQL is not ready after ${WAIT_SECS}s"
else
  need+=(postgres)
fi

if ((${#need[@]} > 0)); then
  if docker_engine_up; then
    start_docker "${need[@]}"
  else
    if have docker; then log "docker: no engine answering, using local packages"; fi
    for s in "${need[@]}"; do
      case "$s" in
        redis) start_local_redis ;;
        postgres) start_local_pg ;;
      esac
    done
  fi
  for s in "${need[@]}"; do
    case "$s" in
      redis)
        wait_until redis_ready \
          || die "Redis did not answer on $REDIS_HOST:$REDIS_PORT within ${WAIT_SECS}s${REDIS_LOG:+; last log lines:
$(tail -n 5 "$REDIS_LOG" 2>/dev/null)}" ;;
      postgres)
        wait_until pg_ready \
          || die "PostgreSQL did not answer on $PG_HOST:$PG_PORT within ${WAIT_SECS}s (see /var/log/postgresql/)" ;;
    esac
  done
fi

check_redis
ensure_pg_role
if ((INSTALL_BENCH_TOOLS)); then ensure_bench_tools; fi
if ((INSTALL_BROWSER)); then ensure_browser; fi
if ((START_CLUSTER)); then "$SCRIPT_DIR/cluster.sh" start; fi
