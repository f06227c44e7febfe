#!/usr/bin/env bash
# Throughput of kbridge against franz-go's in-memory kfake, measured side by side with
# the same client (kbridge perf) and the same settings: acks=all, idempotent, records
# of random letters, no compression. Brokers alternate round by round; the figures are
# medians of ROUNDS rounds with the spread (min-max). kbridge keeps every record in its
# on-disk log; kfake keeps them in memory.
#
# BASELINE_BIN=path runs that kbridge build in kfake's place (its own data directory,
# the same settings), so two builds are compared the same way, round by round
# (scripts/bench-metrics-cost.sh); the ratio is then BIN's over the baseline's.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/kbridge}
ROUNDS=${ROUNDS:-5}
RECORDS_100=${RECORDS_100:-300000}
RECORDS_1K=${RECORDS_1K:-100000}
BASELINE_BIN=${BASELINE_BIN:-}
other=kfake; [ -n "$BASELINE_BIN" ] && other=baseline

tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

kb=127.0.0.1:29092
kf=127.0.0.1:29192
# start_kbridge BIN NAME PORT: a single-node broker of that build on PORT (its
# controller on PORT+1), data in $tmp/NAME.
start_kbridge() {
  cat >"$tmp/$2.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$(($3 + 1))
listeners=PLAINTEXT://127.0.0.1:$3,CONTROLLER://127.0.0.1:$(($3 + 1))
controller.listener.names=CONTROLLER
log.dirs=$tmp/$2
PROPS
  "$1" storage format -t "$("$1" storage random-uuid)" -c "$tmp/$2.properties" >/dev/null
  "$1" server start "$tmp/$2.properties" --log-level warn 2>"$tmp/$2.log" & pids+=($!)
}
start_kbridge "$BIN" kbridge "${kb#*:}"
if [ -n "$BASELINE_BIN" ]; then
  start_kbridge "$BASELINE_BIN" baseline "${kf#*:}"
else
  "$BIN" perf fake-broker --listen "$kf" >"$tmp/kfake.out" 2>&1 & pids+=($!)
fi
for addr in $kb $kf; do
  for _ in $(seq 100); do (echo >/dev/tcp/${addr%:*}/${addr#*:}) 2>/dev/null && break; sleep 0.1; done
done

field() { sed -n "s/.*\"$1\":\([0-9.eE+-]*\).*/\1/p"; }
median() { sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f (%.1f-%.1f)", m, a[1], a[NR]}'; }
median_value() { sort -g | awk '{a[NR]=$1} END {print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }

printf "%-9s %-5s %-6s %-8s %-28s %-28s %-6s %s\n" test size parts broker "MB/s median (min-max)" "records/s median" ratio "p99 ms"
for size in 100 1024; do
  n=$RECORDS_100; [ "$size" = 1024 ] && n=$RECORDS_1K
  for parts in 1 6; do
    for b in kbridge kfake; do : >"$tmp/produce.$b"; : >"$tmp/consume.$b"; done
    for round in $(seq "$ROUNDS"); do
      order="kbridge kfake"; [ $((round % 2)) = 0 ] && order="kfake kbridge"
      for b in $order; do
        addr=$kb; [ $b = kfake ] && addr=$kf
        topic="bench-$size-$parts-$round-$b"
        "$BIN" topics create --bootstrap-server "$addr" --topic "$topic" --partitions "$parts" --replication-factor 1 >/dev/null
        "$BIN" perf produce --bootstrap-server "$addr" --topic "$topic" --num-records "$n" --record-size "$size" \
          --throughput -1 --acks -1 --json 2>/dev/null >>"$tmp/produce.$b"
        "$BIN" perf consume --bootstrap-server "$addr" --topic "$topic" --messages "$n" --timeout-ms 60000 \
          --json 2>/dev/null >>"$tmp/consume.$b"
        # Deleting the topic drops its dirty pages, so a later round is not throttled by
        # the kernel writing back an earlier round's gigabytes.
        "$BIN" topics delete --bootstrap-server "$addr" --topic "$topic" >/dev/null
      done
    done
    [ "$parts" = 1 ] && field records_per_sec <"$tmp/produce.kbridge" | median_value >"$tmp/maxrate.$size"
    for kind in produce consume; do
      kbm=$(field mb_per_sec <"$tmp/$kind.kbridge" | median_value)
      kfm=$(field mb_per_sec <"$tmp/$kind.kfake" | median_value)
      ratio=$(awk -v a="$kbm" -v b="$kfm" 'BEGIN {printf "%.2f", a/b}')
      rate=records_per_sec; [ $kind = consume ] && rate=msgs_per_sec
      for b in kbridge kfake; do
        p99="-"; [ $kind = produce ] && p99=$(field p99_ms <"$tmp/$kind.$b" | median_value)
        r="";  [ $b = kbridge ] && r=$ratio
        name=$b; [ $b = kfake ] && name=$other
        printf "%-9s %-5s %-6s %-8s %-28s %-28s %-6s %s\n" "$kind" "$size" "$parts" "$name" \
          "$(field mb_per_sec <"$tmp/$kind.$b" | median)" "$(field $rate <"$tmp/$kind.$b" | median)" "$r" "$p99"
      done
    done
  done
done

[ -z "$BASELINE_BIN" ] || exit 0

# Produce latency at half of kbridge's measured maximum rate (DESIGN: p99 < 5 ms).
echo
printf "%-28s %-7s %-10s %-10s %-10s %s\n" "latency at half max rate" size "rate/s" "p50 ms" "p99 ms" "p99.9 ms"
for size in 100 1024; do
  n=$RECORDS_100; [ "$size" = 1024 ] && n=$RECORDS_1K
  max=$(grep -h . "$tmp/maxrate.$size" 2>/dev/null || true)
  [ -n "$max" ] || continue
  half=$(awk -v m="$max" 'BEGIN {printf "%d", m/2}')
  : >"$tmp/latency.$size"
  for round in $(seq "$ROUNDS"); do
    topic="latency-$size-$round"
    "$BIN" topics create --bootstrap-server "$kb" --topic "$topic" --partitions 1 --replication-factor 1 >/dev/null
    "$BIN" perf produce --bootstrap-server "$kb" --topic "$topic" --num-records "$n" --record-size "$size" \
      --throughput "$half" --acks -1 --json 2>/dev/null >>"$tmp/latency.$size"
    "$BIN" topics delete --bootstrap-server "$kb" --topic "$topic" >/dev/null
  done
  printf "%-28s %-7s %-10s %-10s %-10s %s\n" "kbridge, 1 partition" "$size" "$half" \
    "$(field p50_ms <"$tmp/latency.$size" | median)" "$(field p99_ms <"$tmp/latency.$size" | median)" "$(field p999_ms <"$tmp/latency.$size" | median)"
done
