#!/usr/bin/env bash
# What metrics cost on the produce path: the same source built twice, with metrics and
# with -tags nometrics (the produce, fetch, replication and request paths then count
# nothing), measured alternately so that both see the same machine.
#  1. In process: BenchmarkProducePath (one 100-record batch per request, acks=1, over a
#     real connection to one broker), ROUNDS rounds of each build, medians of ns/op.
#  2. Over the network: scripts/bench.sh with each binary, BENCH_RUNS runs each, the
#     kbridge produce rows (MB/s median of the run, and its ratio to kfake in the same
#     run, which cancels the machine's drift between runs).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-10}
BENCH_RUNS=${BENCH_RUNS:-2}
GO=${GO:-go}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

$GO test -c -o "$tmp/with.test" ./broker/
$GO test -c -tags nometrics -o "$tmp/without.test" ./broker/
$GO build -o "$tmp/kbridge-with" ./cmd/kbridge
$GO build -tags nometrics -o "$tmp/kbridge-without" ./cmd/kbridge

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }
cost() { awk -v w="$1" -v o="$2" -v dir="$3" 'BEGIN {c = (dir == "time") ? (w - o) / o : (o - w) / o; printf "%+.1f%%", 100 * c}'; }

echo "1. BenchmarkProducePath, $ROUNDS alternating rounds of each build"
for round in $(seq "$ROUNDS"); do
  order="with without"; [ $((round % 2)) = 0 ] && order="without with"
  for build in $order; do
    (cd broker && "$tmp/$build.test" -test.run '^$' -test.bench '^BenchmarkProducePath$' -test.benchtime 2s) |
      awk '/^BenchmarkProducePath/ {print $3}' >>"$tmp/ns.$build"
  done
done
with=$(median <"$tmp/ns.with"); without=$(median <"$tmp/ns.without")
printf "   ns/op median: with metrics %s, without %s, cost %s\n" "$with" "$without" "$(cost "$with" "$without" time)"

[ "$BENCH_RUNS" -gt 0 ] || exit 0
echo "2. scripts/bench.sh, $BENCH_RUNS runs of each build (produce rows, kbridge)"
for run in $(seq "$BENCH_RUNS"); do
  order="with without"; [ $((run % 2)) = 0 ] && order="without with"
  for build in $order; do
    BIN="$tmp/kbridge-$build" ROUNDS=3 ./scripts/bench.sh >"$tmp/bench.$build.$run"
    awk '$1 == "produce" && $4 == "kbridge" {print $2 "B×" $3, $5, $9}' "$tmp/bench.$build.$run" >>"$tmp/rows.$build"
  done
done
printf "   %-10s %-24s %-24s %s\n" case "with: MB/s, ratio" "without: MB/s, ratio" "cost (median ratio)"
for c in $(awk '{print $1}' "$tmp/rows.with" | sort -u); do
  runs() { awk -v c="$c" '$1 == c {printf "%s,%s ", $2, $3}' "$tmp/rows.$1"; }
  ratio() { awk -v c="$c" '$1 == c {print $3}' "$tmp/rows.$1" | median; }
  printf "   %-10s %-24s %-24s %s\n" "$c" "$(runs with)" "$(runs without)" "$(cost "$(ratio with)" "$(ratio without)" rate)"
done
