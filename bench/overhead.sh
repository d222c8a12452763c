#!/usr/bin/env bash
# What watching a sale costs (bench/README.md: Overhead of watching): interleaved runs of `steady`,
#   metrics off vs metrics on (Vert.x's and Bolt's meters, /metrics scraped every 5 s), and
#   no console vs ten consoles watching (metrics on).
# Each run is a whole bench/run.sh of steady (fresh Bolt, database and key prefix, warm-up, the
# invariant check); the order within a pair alternates (A B, then B A) so that a machine drifting
# over the hour does not favour either side. Prints one line per run and the means; writes nothing
# to bench/results.
#
# Usage: bench/overhead.sh [--pairs N] [--duration D] [run.sh options...]
#   --pairs N      pairs per comparison (default 3)     --duration D   wrk duration per run (default 20s)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

PAIRS=3
DURATION=20s
EXTRA=()
while (($# > 0)); do
  case "$1" in
    --pairs) PAIRS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    -h | --help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) EXTRA+=("$1") ;;
  esac
  shift
done

OUT="$(mktemp -d "${TMPDIR:-/tmp}/bolt-overhead.XXXXXX")"
LINES="$OUT/runs.txt"
: >"$LINES"
load() { cut -d' ' -f1 /proc/loadavg; }

run() { # comparison side run.sh-options...
  local comparison=$1 side=$2; shift 2
  local dir="$OUT/$comparison-$side-$RANDOM" before after
  before=$(load)
  bench/run.sh --scenarios steady --duration "$DURATION" --results "$dir" "$@" "${EXTRA[@]}" >"$dir.log" 2>&1 \
    || { tail -n 30 "$dir.log" >&2; echo "overhead: a run failed (log $dir.log)" >&2; exit 1; }
  after=$(load)
  # latest.dat: scenario requests/s p50 p90 p99 max cpu-ms-per-1000-requests
  read -r _ rps _ _ p99 _ cpu <"$dir/latest.dat"
  printf '%s %s %s %s %s %s %s\n' "$comparison" "$side" "$rps" "$p99" "$cpu" "$before" "$after" | tee -a "$LINES"
}

echo "comparison side requests/s p99_ms bolt_cpu_ms_per_1000 load_before load_after"
for ((i = 0; i < PAIRS; i++)); do
  if ((i % 2 == 0)); then
    run metrics off --metrics off; run metrics on --metrics on
    run consoles 0 --consoles 0; run consoles 10 --consoles 10
  else
    run metrics on --metrics on; run metrics off --metrics off
    run consoles 10 --consoles 10; run consoles 0 --consoles 0
  fi
done

echo
echo "| comparison | side | requests/s (runs) | mean | p99 ms (runs) | Bolt CPU ms per 1,000 requests (runs) | mean |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for pair in "metrics off" "metrics on" "consoles 0" "consoles 10"; do
  awk -v c="${pair% *}" -v s="${pair#* }" '$1 == c && $2 == s {
      sep = n ? " / " : ""; runs = runs sep sprintf("%.0f", $3); p99 = p99 sep sprintf("%.0f", $4)
      cpus = cpus sep sprintf("%.0f", $5); sum += $3; cpu += $5; n++ }
    END { printf "| %s | %s | %s | %.0f | %s | %s | %.0f |\n", c, s, runs, sum / n, p99, cpus, cpu / n }' "$LINES"
done
awk '$1 == "metrics" && $2 == "off" { off += $3; offc += $5 } $1 == "metrics" && $2 == "on" { on += $3; onc += $5 }
  $1 == "consoles" && $2 == "0" { c0 += $3; c0c += $5 } $1 == "consoles" && $2 == "10" { c10 += $3; c10c += $5 }
  END { printf "\nrequests/s: metrics on vs off %+.1f %%, ten consoles vs none %+.1f %%\n", (on - off) / off * 100, (c10 - c0) / c0 * 100
        printf "Bolt CPU per request: metrics on vs off %+.1f %%, ten consoles vs none %+.1f %%\n", (onc - offc) / offc * 100, (c10c - c0c) / c0c * 100 }' \
  "$LINES"
echo "(runs and their logs: $OUT)"
