#!/usr/bin/env bash
# What metrics cost on the produce path: the same source built twice, with metrics and
# with -tags nometrics (the produce, fetch, replication and request paths then count
# nothing), measured alternately so that both see the same machine.
#  1. In process: BenchmarkProducePath (one 100-record batch per request, acks=1, over a
#     real connection to one broker), ROUNDS rounds of each build, medians of ns/op.
#  2. Over the network: scripts/bench.sh with the build without metrics in kfake's place
#     (BASELINE_BIN), NET_ROUNDS rounds alternating the two brokers round by round; its
#     ratio column is then with metrics over without.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-10}
NET_ROUNDS=${NET_ROUNDS:-8}
GO=${GO:-go}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

$GO test -c -o "$tmp/with.test" ./broker/
$GO test -c -tags nometrics -o "$tmp/without.test" ./broker/
$GO build -o "$tmp/kbridge-with" ./cmd/kbridge
$GO build -tags nometrics -o "$tmp/kbridge-without" ./cmd/kbridge

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }
cost() { awk -v w="$1" -v o="$2" 'BEGIN {printf "%+.1f%%", 100 * (w - o) / o}'; }

if [ "$ROUNDS" -gt 0 ]; then
echo "1. BenchmarkProducePath, $ROUNDS alternating rounds of each build"
for round in $(seq "$ROUNDS"); do
  order="with without"; [ $((round % 2)) = 0 ] && order="without with"
  for build in $order; do
    (cd broker && "$tmp/$build.test" -test.run '^$' -test.bench '^BenchmarkProducePath$' -test.benchtime 2s) |
      awk '/^BenchmarkProducePath/ {print $3}' >>"$tmp/ns.$build"
  done
done
with=$(median <"$tmp/ns.with"); without=$(median <"$tmp/ns.without")
printf "   ns/op median: with metrics %s, without %s, cost %s\n" "$with" "$without" "$(cost "$with" "$without")"
fi

[ "$NET_ROUNDS" -gt 0 ] || exit 0
echo "2. scripts/bench.sh, $NET_ROUNDS rounds, with metrics (kbridge) against without (baseline)"
BIN="$tmp/kbridge-with" BASELINE_BIN="$tmp/kbridge-without" ROUNDS=$NET_ROUNDS ./scripts/bench.sh
