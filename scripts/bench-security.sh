#!/usr/bin/env bash
# What security costs: the same kbridge build serving the same load over PLAINTEXT
# without an authorizer, and over SASL_SSL (TLS, SCRAM-SHA-512) with StandardAuthorizer
# checking ACLs on every request (the bench user is not a super user), measured side by
# side by the same client (kbridge perf) in alternating rounds: acks=all, idempotent,
# no compression. (The node's own broker reaches its controller over the PLAINTEXT
# controller listener as User:ANONYMOUS, which must therefore be a super user, as in
# Kafka; clients only reach the SASL_SSL listener.) Figures are medians of ROUNDS rounds with the spread (min-max). Then
# the cost of a connection: go test -bench Handshake (connect, TLS, SASL, a Metadata
# round trip) against both listeners.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/kbridge}
ROUNDS=${ROUNDS:-5}
RECORDS=${RECORDS:-200000}
SIZE=${SIZE:-1024}

tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

# A CA and a broker certificate for 127.0.0.1, as an operator makes them.
(
  cd "$tmp"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=bench CA" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -keyout broker.key -out broker.csr -subj "/CN=broker" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\n' >ext
  openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out broker.pem -days 2 -extfile ext 2>/dev/null
)

plain=127.0.0.1:29292
secure=127.0.0.1:29392
node() { # name listeners protocol-map extra...
  local name=$1 listeners=$2 map=$3; shift 3
  mkdir -p "$tmp/$name"
  {
    echo "process.roles=broker,controller"
    echo "node.id=1"
    echo "controller.quorum.voters=1@${listeners##*CONTROLLER://}"
    echo "listeners=$listeners"
    echo "listener.security.protocol.map=$map"
    echo "controller.listener.names=CONTROLLER"
    echo "log.dirs=$tmp/$name/data"
    printf '%s\n' "$@"
  } >"$tmp/$name/server.properties"
}
node plain "PLAINTEXT://$plain,CONTROLLER://127.0.0.1:29293" "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
node secure "SASL_SSL://$secure,CONTROLLER://127.0.0.1:29393" "SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT" \
  "inter.broker.listener.name=SASL_SSL" \
  "sasl.enabled.mechanisms=SCRAM-SHA-512" \
  "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512" \
  "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"admin-secret\";" \
  "ssl.keystore.type=PEM" "ssl.keystore.location=$tmp/broker.pem.key" \
  "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer" \
  "super.users=User:admin;User:ANONYMOUS"
cat "$tmp/broker.pem" "$tmp/broker.key" >"$tmp/broker.pem.key"
for who in admin bench; do
  cat >"$tmp/$who.properties" <<PROPS
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$who" password="$who-secret";
ssl.truststore.type=PEM
ssl.truststore.location=$tmp/ca.pem
PROPS
done

id=$("$BIN" storage random-uuid)
"$BIN" storage format -t "$id" -c "$tmp/plain/server.properties" >/dev/null
"$BIN" storage format -t "$id" -c "$tmp/secure/server.properties" \
  --add-scram 'SCRAM-SHA-512=[name=admin,password=admin-secret]' --add-scram 'SCRAM-SHA-512=[name=bench,password=bench-secret]' >/dev/null
for name in plain secure; do
  "$BIN" server start "$tmp/$name/server.properties" --log-level warn 2>"$tmp/$name.log" & pids+=($!)
done
for addr in $plain $secure; do
  for _ in $(seq 100); do (echo >/dev/tcp/${addr%:*}/${addr#*:}) 2>/dev/null && break; sleep 0.1; done
done
"$BIN" acls --bootstrap-server $secure --command-config "$tmp/admin.properties" --add --allow-principal User:bench \
  --operation All --topic bench- --resource-pattern-type prefixed >/dev/null

field() { sed -n "s/.*\"$1\":\([0-9.eE+-]*\).*/\1/p"; }
median() { sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f (%.1f-%.1f)", m, a[1], a[NR]}'; }
median_value() { sort -g | awk '{a[NR]=$1} END {print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }

echo "security cost: $RECORDS records of $SIZE B, 1 partition, $ROUNDS rounds"
printf "%-9s %-40s %-28s %-6s %s\n" test listener "MB/s median (min-max)" ratio "p99 ms"
for b in plain secure; do : >"$tmp/produce.$b"; : >"$tmp/consume.$b"; done
for round in $(seq "$ROUNDS"); do
  order="plain secure"; [ $((round % 2)) = 0 ] && order="secure plain"
  for b in $order; do
    addr=$plain; client=(); admin=()
    if [ $b = secure ]; then
      addr=$secure; client=(--command-config "$tmp/bench.properties"); admin=(--command-config "$tmp/admin.properties")
    fi
    topic="bench-$round-$b"
    "$BIN" topics create --bootstrap-server "$addr" "${admin[@]}" --topic "$topic" --partitions 1 --replication-factor 1 >/dev/null
    "$BIN" perf produce --bootstrap-server "$addr" "${client[@]}" --topic "$topic" --num-records "$RECORDS" --record-size "$SIZE" \
      --throughput -1 --acks -1 --json 2>/dev/null >>"$tmp/produce.$b"
    "$BIN" perf consume --bootstrap-server "$addr" "${client[@]}" --topic "$topic" --messages "$RECORDS" --timeout-ms 60000 \
      --json 2>/dev/null >>"$tmp/consume.$b"
    "$BIN" topics delete --bootstrap-server "$addr" "${admin[@]}" --topic "$topic" >/dev/null
  done
done
for kind in produce consume; do
  pm=$(field mb_per_sec <"$tmp/$kind.plain" | median_value)
  sm=$(field mb_per_sec <"$tmp/$kind.secure" | median_value)
  for b in plain secure; do
    label="PLAINTEXT, no authorizer"; r=""
    if [ $b = secure ]; then
      label="SASL_SSL + SCRAM-SHA-512 + ACLs"; r=$(awk -v a="$sm" -v b="$pm" 'BEGIN {printf "%.2f", a/b}')
    fi
    p99="-"; [ $kind = produce ] && p99=$(field p99_ms <"$tmp/$kind.$b" | median_value)
    printf "%-9s %-40s %-28s %-6s %s\n" "$kind" "$label" "$(field mb_per_sec <"$tmp/$kind.$b" | median)" "$r" "$p99"
  done
done

echo
go test -count=1 -run '^$' -bench Handshake -benchtime 200x ./e2e/ | grep -E '^Benchmark|ns/op'
