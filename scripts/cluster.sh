#!/usr/bin/env bash
# A local Redis Cluster for Bolt's cluster mode (tests, benchmark, trying it out): three masters,
# each with one replica, on 127.0.0.1 ports 7001-7006, AOF on, made from the installed redis-server
# (installed from Debian's package when missing, like scripts/services.sh does). Full coverage is not
# required: while one master fails over, the other masters keep serving their slots.
#
# Usage: scripts/cluster.sh [start|stop|status|kill PORT]
#   start   idempotent: starts the nodes that do not answer, creates the cluster if its slots are
#           not assigned, waits until it says cluster_state:ok (about 5 s the first time)
#   stop    shuts every node down (their AOF keeps the data for the next start)
#   status  prints each node's role and the cluster state; exits non-zero unless the state is ok
#   kill    SIGKILL the node on PORT (the failover test and bench use it); start brings it back
set -euo pipefail

PORTS=(7001 7002 7003 7004 7005 7006)
HOST=127.0.0.1
# a master silent this long is failed over to its replica
NODE_TIMEOUT_MS=${BOLT_CLUSTER_NODE_TIMEOUT_MS:-2000}
WAIT_SECS=60

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { echo "cluster: $*"; }
die() { echo "cluster: ERROR: $*" >&2; exit 1; }
# shellcheck source=scripts/apt.sh
source "$SCRIPT_DIR/apt.sh"

cli() { timeout 5 redis-cli -h "$HOST" -p "$1" "${@:2}" 2>/dev/null; }
answers() { [[ "$(cli "$1" PING)" == PONG ]]; }
state() { cli "$1" CLUSTER INFO | tr -d '\r' | sed -n 's/^cluster_state://p'; }
assigned() { cli "$1" CLUSTER INFO | tr -d '\r' | sed -n 's/^cluster_slots_assigned://p'; }

# where the nodes keep their AOF and nodes.conf: the redis user's directory when root, else the user's
data_dir() {
  if [[ $EUID -eq 0 ]] && id redis >/dev/null 2>&1 && [[ -d /var/lib/redis ]]; then
    echo /var/lib/redis/bolt-cluster
  else
    echo "${XDG_STATE_HOME:-${HOME:-/tmp}/.local/state}/bolt/redis-cluster"
  fi
}

start_node() {
  local port=$1 dir run=()
  dir="$(data_dir)/$port"
  if [[ $EUID -eq 0 ]] && id redis >/dev/null 2>&1 && [[ -d /var/lib/redis ]]; then
    mkdir -p "$dir" && chown -R redis:redis "$(data_dir)"
    run=(runuser -u redis --)
  else
    mkdir -p "$dir"
  fi
  "${run[@]}" redis-server --port "$port" --bind "$HOST" --daemonize yes --dir "$dir" \
    --cluster-enabled yes --cluster-config-file "nodes-$port.conf" --cluster-node-timeout "$NODE_TIMEOUT_MS" \
    --cluster-require-full-coverage no \
    --appendonly yes --appendfsync everysec --logfile "$dir/redis.log" --pidfile "$dir/redis.pid" \
    || die "redis-server on port $port failed to start (see $dir/redis.log)"
}

wait_for() { # description, command...
  local what=$1 deadline=$((SECONDS + WAIT_SECS)); shift
  until "$@"; do
    ((SECONDS < deadline)) || die "$what not within ${WAIT_SECS}s"
    sleep 0.2
  done
}

cluster_ok() { [[ "$(state 7001)" == ok ]]; }

start() {
  if ! have redis-server || ! have redis-cli; then
    apt_install redis-server || die "redis-server is not installed; apt-get install redis-server"
  fi
  local port
  for port in "${PORTS[@]}"; do
    if ! answers "$port"; then
      log "starting node $port"
      start_node "$port"
    fi
  done
  for port in "${PORTS[@]}"; do wait_for "node $port answering" answers "$port"; done
  # a master failing over must not stop the other masters' slots (Bolt's other shards): nodes started
  # by an older version of this script get the setting too
  for port in "${PORTS[@]}"; do cli "$port" CONFIG SET cluster-require-full-coverage no >/dev/null; done
  if [[ "$(assigned 7001)" != 16384 ]]; then
    log "creating the cluster: 3 masters, 1 replica each"
    redis-cli --cluster create $(printf "$HOST:%s " "${PORTS[@]}") --cluster-replicas 1 --cluster-yes >/dev/null \
      || die "redis-cli --cluster create failed"
  fi
  wait_for "cluster_state:ok" cluster_ok
  log "ok: 3 masters and 3 replicas on $HOST:${PORTS[0]}-${PORTS[-1]}"
}

stop() {
  local port
  for port in "${PORTS[@]}"; do
    if answers "$port"; then cli "$port" SHUTDOWN >/dev/null || true; fi
  done
  log "stopped"
}

status() {
  local port
  for port in "${PORTS[@]}"; do
    if answers "$port"; then
      echo "$port $(cli "$port" ROLE | head -n1)"
    else
      echo "$port down"
    fi
  done
  echo "cluster_state: $(state 7001 || true)"
  cluster_ok
}

kill_node() {
  local port=$1 pid
  pid=$(cat "$(data_dir)/$port/redis.pid" 2>/dev/null) || die "no pid file for node $port"
  kill -KILL "$pid"
  log "node $port (pid $pid) killed"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  kill) kill_node "${2:?kill needs a port}" ;;
  -h | --help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown command: $1 (try --help)" ;;
esac
