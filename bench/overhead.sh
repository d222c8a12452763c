#!/usr/bin/env bash
# What watching a sale costs (bench/README.md: Overhead of watching): interleaved runs of `steady`,
#   metrics off vs metrics on (Vert.x's and Bolt's meters, /metrics scraped every 5 s), and
#   no console vs ten consoles watching (metrics on); and, asked for, Redis appendfsync everysec vs always.
# Each run is a whole bench/run.sh of steady (fresh Bolt, database and key prefix, warm-up, the
# invariant check); the order within a pair alternates (A B, then B A) so that a machine drifting
# over the hour does not favour either side. Prints one line per run and the means; writes nothing
# to bench/results.
#
# Usage: bench/overhead.sh [--pairs N] [--duration D] [--compare LIST] [run.sh options...]
#   --pairs N      pairs per comparison (default 3)     --duration D   wrk duration per run (default 20s)
#   --compare LIST comma-separated, default metrics,consoles; fsync compares Redis's appendfsync
#                  everysec (A) with always (B): what a Redis that loses no accepted order costs;
#                  limit compares steady with steady-limited (bench/README.md: per-customer limit)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

PAIRS=3
DURATION=20s
COMPARE=metrics,consoles
EXTRA=()
while (($# > 0)); do
  case "$1" in
    --pairs) PAIRS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --compare) COMPARE=$2; shift ;;
    -h | --help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
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

# comparison: its two sides, each "name run.sh-option value"; A is the baseline
sides() {
  case "$1" in
    metrics) echo "off --metrics off|on --metrics on" ;;
    consoles) echo "0 --consoles 0|10 --consoles 10" ;;
    fsync) echo "everysec --appendfsync everysec|always --appendfsync always" ;;
    # the later --scenarios wins: steady-limited is steady with a limit no buyer reaches on every product
    limit) echo "off --scenarios steady|on --scenarios steady-limited" ;;
    *) echo "overhead: unknown comparison $1 (metrics, consoles, fsync, limit)" >&2; exit 1 ;;
  esac
}
IFS=, read -r -a COMPARISON_LIST <<<"$COMPARE"
for c in "${COMPARISON_LIST[@]}"; do sides "$c" >/dev/null; done

echo "comparison side requests/s p99_ms bolt_cpu_ms_per_1000 load_before load_after"
for ((i = 0; i < PAIRS; i++)); do
  for c in "${COMPARISON_LIST[@]}"; do
    IFS='|' read -r a b <<<"$(sides "$c")"
    # shellcheck disable=SC2086 # each side is a name and a run.sh option with its value
    if ((i % 2 == 0)); then run "$c" $a; run "$c" $b; else run "$c" $b; run "$c" $a; fi
  done
done

echo
echo "| comparison | side | requests/s (runs) | mean | p99 ms (runs) | Bolt CPU ms per 1,000 requests (runs) | mean |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for c in "${COMPARISON_LIST[@]}"; do
  IFS='|' read -r a b <<<"$(sides "$c")"
  for side in "${a%% *}" "${b%% *}"; do
    awk -v c="$c" -v s="$side" '$1 == c && $2 == s {
        sep = n ? " / " : ""; runs = runs sep sprintf("%.0f", $3); p99 = p99 sep sprintf("%.0f", $4)
        cpus = cpus sep sprintf("%.0f", $5); sum += $3; cpu += $5; n++ }
      END { printf "| %s | %s | %s | %.0f | %s | %s | %.0f |\n", c, s, runs, sum / n, p99, cpus, cpu / n }' "$LINES"
  done
done
echo
for c in "${COMPARISON_LIST[@]}"; do
  IFS='|' read -r a b <<<"$(sides "$c")"
  awk -v c="$c" -v a="${a%% *}" -v b="${b%% *}" '$1 == c && $2 == a { ra += $3; ca += $5 } $1 == c && $2 == b { rb += $3; cb += $5 }
    END { printf "%s: %s vs %s: requests/s %+.1f %%, Bolt CPU per request %+.1f %%\n", c, b, a, (rb - ra) / ra * 100, (cb - ca) / ca * 100 }' "$LINES"
done
echo "(runs and their logs: $OUT)"
