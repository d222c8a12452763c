#!/usr/bin/env bash
# `make model`: check Bolt's protocol model (model/bolt.pml) with Spin.
#   1. safety, exhaustively, in each configuration (assertions: I1, I3, I4, I5, the customer's
#      limit in the DB and its count in Redis, holds; quiescence)
#   2. progress under weak fairness (pan -a -f, the LTL claim `progress`), in two configurations
#   3. the known-bad variants (mutants): each must give a counterexample of the expected kind,
#      whose trail is printed
# Installs Spin (Debian package spin) and gcc when missing, as scripts/services.sh installs Redis.
# Work files (pan, pan.c, trails) go to model/out/, which git ignores. Exits non-zero when the
# model fails or a mutant passes.
#
# Usage: model/check.sh
#   MODEL_FLAGS="-DS0=3" model/check.sh             extra spin -D flags for every run
#   MODEL_MEMLIM_MB=2048                            memory bound of one verifier run
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MODEL=model/bolt.pml
OUT=model/out
MEMLIM="${MODEL_MEMLIM_MB:-2048}"
read -r -a EXTRA <<<"${MODEL_FLAGS:-}"

log() { echo "model: $*"; }
die() { echo "model: ERROR: $*" >&2; exit 1; }
# have, apt_install
# shellcheck source=scripts/apt.sh
source scripts/apt.sh

for tool in spin gcc; do
  if ! have "$tool"; then
    apt_install "$tool" || die "$tool is not installed and cannot be installed here (Debian/Ubuntu: apt-get install $tool)"
  fi
done
log "$(spin -V | head -n1); gcc $(gcc -dumpversion)${MODEL_FLAGS:+; MODEL_FLAGS=$MODEL_FLAGS}"

rm -rf "$OUT"
mkdir -p "$OUT"
declare -a SUMMARY=()
failures=0

# Compiles and runs one verifier in $OUT/<name>; leaves pan.out there. $OPT: gcc's optimisation
# (a mutant's search is short: compiling it at -O0 saves more than the search loses)
#   verify <name> safety|liveness <spin -D flags...>
OPT=-O2
verify() {
  local name="$1" mode="$2"
  shift 2
  local dir="$OUT/$name"
  mkdir -p "$dir"
  cp "$MODEL" "$dir/bolt.pml"
  local -a cc=(gcc "$OPT" -w -DCOLLAPSE -DMEMLIM="$MEMLIM" -o pan pan.c)
  local -a run=(./pan -m100000)
  if [[ "$mode" == safety ]]; then
    cc+=(-DSAFETY -DNOCLAIM)
  else
    cc+=(-DNFAIR=4)
    run+=(-a -f)
  fi
  (
    cd "$dir"
    spin "$@" "${EXTRA[@]}" -a bolt.pml >spin.log 2>&1 || { cat spin.log >&2; exit 1; }
    "${cc[@]}" >cc.log 2>&1 || { cat cc.log >&2; exit 1; }
    "${run[@]}" >pan.out 2>&1 || true
  ) || die "could not build the verifier for $name"
}

# "<states> states, <transitions> transitions, <seconds> s, <MB> MB" from a pan.out
stats() {
  local f="$1"
  local states transitions secs mem
  states="$(sed -nE 's/^ *([0-9.e+]+) states, stored.*/\1/p' "$f" | head -n1)"
  transitions="$(sed -nE 's/^ *([0-9.e+]+) transitions.*/\1/p' "$f" | head -n1)"
  secs="$(sed -nE 's/^pan: elapsed time ([0-9.e+]+) .*/\1/p' "$f" | head -n1)"
  mem="$(sed -nE 's/^ *([0-9.]+)\s+total actual memory usage.*/\1/p' "$f" | head -n1)"
  printf '%s states, %s transitions, %s s, %s MB' "${states:-?}" "${transitions:-?}" "${secs:-?}" "${mem:-?}"
}

# The counterexample of $OUT/<name>, one line per step that does something, as
# "step  process  model line  statement" (model/README.md: reading a trail).
print_trail() {
  local name="$1"
  shift
  local dir="$OUT/$name"
  (cd "$dir" && spin "$@" "${EXTRA[@]}" -t -p -l bolt.pml >trail.txt 2>&1) || true
  perl -ne '
    if (/Error: assertion violated|text of failed assertion|START OF CYCLE/) { print "      >>> $_"; next }
    next unless /^ *(\d+):\tproc +\d+ \(([A-Za-z]+)[^)]*\) bolt\.pml:(\d+) \(state \d+\)\t(.*)$/;
    my ($n, $p, $l, $st) = ($1, $2, $3, $4);
    next if $st =~ /^\[(\(1\)|else|\.\(goto\)|IF|sub-sequence)\]/ || $st =~ /^\[assert\(/;
    next if $st =~ /^\[(b0|b1|j|w|st|ver|ins|units|res|rem|dec|bc|ret|ss|sv|o|c|n|pend|todo) = (0|15)\]/ || $st =~ /valid end state/;
    printf "  %4s  %-9s L%-4s %s\n", $n, $p, $l, $st;' "$dir/trail.txt" || true
}

# A run of the real protocol: must finish the whole search without an error.
good() { # name mode flags...
  local name="$1" mode="$2"
  shift 2
  verify "$name" "$mode" "$@"
  local f="$OUT/$name/pan.out" line
  line="$name ($mode${*:+, $*}): $(stats "$f")"
  if grep -q 'errors: 0' "$f" && ! grep -qE 'Search not completed|max search depth too small|reached -DMEMLIM|out of memory' "$f"; then
    log "PASS $line"
    SUMMARY+=("PASS $line")
  else
    log "FAIL $line"
    grep -E 'assertion violated|acceptance cycle|invalid end state|Search not completed|max search depth|MEMLIM|out of memory' "$f" | head -n 5 | sed 's/^/      /'
    if [[ -f "$OUT/$name/bolt.pml.trail" ]]; then
      log "counterexample ($OUT/$name/trail.txt):"
      print_trail "$name" "$@"
    fi
    SUMMARY+=("FAIL $line")
    failures=$((failures + 1))
  fi
}

# A known-bad variant: Spin must find a counterexample, and of the kind the mutant causes.
mutant() { # name expected-regex flags...
  local name="$1" expect="$2"
  shift 2
  verify "$name" safety "$@"
  local f="$OUT/$name/pan.out" found line
  found="$(grep -m1 -E 'assertion violated' "$f" || true)"
  line="$name (${*}): $(stats "$f")"
  if [[ -n "$found" && "$found" =~ $expect && -f "$OUT/$name/bolt.pml.trail" ]]; then
    log "CAUGHT $line"
    log "  $found"
    print_trail "$name" "$@"
    SUMMARY+=("CAUGHT $line")
  else
    if [[ -z "$found" ]]; then
      log "MUTANT PASSED $line: Spin found no counterexample"
      SUMMARY+=("MUTANT PASSED $line")
    else
      log "MUTANT NOT CAUGHT $line: expected a violation of /$expect/, got another one first: $found"
      SUMMARY+=("MUTANT NOT CAUGHT $line")
    fi
    failures=$((failures + 1))
  fi
}

# I4 broken: Redis's available above the DB stock minus what is in flight, or off its exact value
I4='avail<=\(stock-unwritten\)|==stock\)'
log "safety of the protocol (exhaustive)"
good workers safety -DCFG_WORKERS
good stock safety -DCFG_STOCK
good cancel safety -DCFG_CANCEL
good limit safety -DCFG_LIMIT
good holds safety -DCFG_HOLDS
log "progress under weak fairness"
good progress liveness -DCFG_LIVE
good progress-changes liveness -DCFG_LIVE_CHANGES
log "known-bad variants: each must be caught"
OPT=-O0
# the original design's resync: I4 breaks as soon as a write lands with another order queued
mutant naive-resync 'avail<=\(stock-unwritten\)' -DCFG_WORKERS -DMUTANT_NAIVE_RESYNC
# a job reaped from a slow worker settles twice: I3
mutant no-lrem-guard 'settled' -DCFG_WORKERS -DMUTANT_NO_LREM_GUARD
# docs/design.md's worked example: the late return_units.lua adds its delta again (I4)
mutant restock-no-avver "$I4" -DCFG_STOCK -DMUTANT_RESTOCK_NO_AVVER
# a retried or re-applied restock adds twice (I4)
mutant no-applied-set "$I4" -DCFG_STOCK -DMUTANT_NO_APPLIED_SET
# a poison job dead-lettered by two workers returns its units twice: I3
mutant dl-no-guard 'settled' -DCFG_WORKERS -DMUTANT_DL_NO_GUARD
# a worker forgotten while its BLMOVE is pending: the job lands in a list no reaper reads
mutant forget-busy 'accepted|queue==0|inflight==0|plist' -DCFG_WORKERS -DMUTANT_FORGET_BUSY
# take.lua before its fix, with the worker's batch dedupe in place: a worker reaped and forgotten
# between BLMOVE and take.lua moves its job back into a list no reaper reads (two slow reaps: CFG_LIVE)
mutant take-no-guard 'accepted|queue==0|inflight==0|plist' -DCFG_LIVE -DMUTANT_TAKE_NO_GUARD
# a cancellation's own increment: a late or second run adds its units again (I4)
mutant cancel-no-guard "$I4" -DCFG_CANCEL -DMUTANT_CANCEL_NO_GUARD
# ack gives back a sold order's counted units: Redis counts less than the customer owns
mutant ack-release-sold 'bought==rcount' -DCFG_LIMIT -DMUTANT_ACK_RELEASE_SOLD
# no customer_units check in the batch: with the count lost, the customer owns 2 > the limit 1
mutant no-db-limit 'owned<=1' -DCFG_LIMIT -DMUTANT_NO_DB_LIMIT

echo
echo "==== model summary ===="
printf '%s\n' "${SUMMARY[@]}"
if ((failures > 0)); then
  echo "model: FAILED ($failures of ${#SUMMARY[@]} checks not as expected; trails above, work files in $OUT/)"
  exit 1
fi
if [[ -n "${MODEL_FLAGS:-}" ]]; then
  echo "model: OK with MODEL_FLAGS=$MODEL_FLAGS (${#SUMMARY[@]} checks as expected: the model holds, every mutant is caught)"
else
  echo "model: OK (${#SUMMARY[@]} checks as expected: the real protocol holds, every mutant is caught)"
fi
