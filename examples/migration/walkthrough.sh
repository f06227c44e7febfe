#!/usr/bin/env bash
# Migrates a live ZooKeeper-mode cluster to KRaft while a producer and a consumer run:
#
#   1. ZooKeeper (localhost:2181) and three ZooKeeper-mode brokers (9092, 9192, 9292)
#      with the migration flag; a topic; a producer and a group consumer start.
#   2. Three migration controllers (19191-19193), formatted with ZooKeeper's /cluster/id.
#   3. kbridge migrate dry-run → commit → status (the brokers move to the quorum in
#      place) → finalize, with the producer and consumer running the whole time.
#   4. The producer stops; the consumer must not have read any record twice.
#
# Each node serves Prometheus metrics, /healthz and /readyz on 127.0.0.1:9611-9613
# (brokers) and 9601-9603 (controllers); examples/monitoring scrapes them and graphs the
# migration's state and ZooKeeper write lag.
#
#   examples/migration/walkthrough.sh          # run it (about a minute)
#   examples/migration/walkthrough.sh clean    # stop everything, delete /tmp/kbridge-migration
#
# Needs the Debian package `zookeeper` (make test-deps) and `make build`.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root=/tmp/kbridge-migration
kbridge="${KBRIDGE:-$here/../../bin/kbridge}"
classpath=/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar
brokers=(broker-1 broker-2 broker-3)
controllers=(controller-3000 controller-3001 controller-3002)
bootstrap=localhost:9092,localhost:9192,localhost:9292

step() { printf '\n=== %s\n' "$*"; }

wait_port() {
	for _ in $(seq 1 300); do
		(exec 3<>"/dev/tcp/localhost/$1") 2>/dev/null && return 0
		sleep 0.1
	done
	echo "nothing listens on localhost:$1; see the logs in $root" >&2
	return 1
}

start_bg() { # name, command...
	local name=$1
	shift
	"$@" >>"$root/$name.log" 2>&1 &
	echo $! >"$root/$name.pid"
}

stop_one() {
	local pidf="$root/$1.pid"
	[[ -f "$pidf" ]] || return 0
	local pid
	pid="$(cat "$pidf")"
	pkill -P "$pid" 2>/dev/null || true # the producer's pipeline runs under a shell
	if kill "$pid" 2>/dev/null; then
		while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
	fi
	rm -f "$pidf"
}

clean() {
	for n in producer consumer "${brokers[@]}" "${controllers[@]}" zookeeper; do stop_one "$n"; done
	rm -rf "$root"
}

run() {
	clean
	mkdir -p "$root/zookeeper"
	step "ZooKeeper and three ZooKeeper-mode brokers"
	start_bg zookeeper java -Xmx256m -Djava.net.preferIPv4Stack=true -Dzookeeper.jmx.log4j.disable=true \
		-cp "$classpath" org.apache.zookeeper.server.ZooKeeperServerMain "$here/zoo.cfg"
	wait_port 2181
	for n in "${brokers[@]}"; do start_bg "$n" "$kbridge" server start "$here/$n.properties"; done
	for port in 9092 9192 9292; do wait_port "$port"; done
	"$kbridge" topics create --topic payments --partitions 6 --replication-factor 3 --bootstrap-server "$bootstrap"

	step "A producer and a group consumer start, and run through the whole migration"
	start_bg producer bash -c "seq 1 1000000 | while read -r i; do echo \"payment-\$i\"; sleep 0.005; done | \
		'$kbridge' console-producer --topic payments --bootstrap-server '$bootstrap'"
	start_bg consumer "$kbridge" console-consumer --topic payments --group auditors --from-beginning --bootstrap-server "$bootstrap"
	sleep 3

	step "Three migration controllers, formatted with ZooKeeper's cluster id"
	cluster_id="$(/usr/share/zookeeper/bin/zkCli.sh -server localhost:2181 get /kafka/cluster/id 2>/dev/null | grep -o '"id":"[^"]*"' | cut -d'"' -f4)"
	echo "cluster id: $cluster_id"
	for n in "${controllers[@]}"; do
		"$kbridge" storage format -t "$cluster_id" -c "$here/$n.properties" >/dev/null
		start_bg "$n" "$kbridge" server start "$here/$n.properties"
	done
	for port in 19191 19192 19193; do wait_port "$port"; done
	for _ in $(seq 1 100); do
		"$kbridge" migrate status --controller localhost:19191 2>/dev/null | grep -q READY && break
		sleep 0.3
	done

	step "kbridge migrate dry-run"
	"$kbridge" migrate dry-run --zookeeper localhost:2181/kafka --controller localhost:19191

	step "kbridge migrate commit"
	"$kbridge" migrate commit --controller localhost:19191

	step "kbridge migrate status (the brokers move to the quorum in place)"
	for _ in $(seq 1 100); do
		"$kbridge" migrate status --controller localhost:19191 | grep -q BROKERS_ON_KRAFT && break
		sleep 0.3
	done
	"$kbridge" migrate status --controller localhost:19191

	step "kbridge migrate finalize (after a short soak)"
	for _ in $(seq 1 60); do
		"$kbridge" migrate finalize --controller localhost:19191 --min-soak 3s --yes && break
		sleep 1
	done

	step "Stop the producer; the consumer must not have read anything twice"
	stop_one producer
	sleep 3
	stop_one consumer
	unique="$(sort -u "$root/consumer.log" | grep -c '^payment-' || true)"
	total="$(grep -c '^payment-' "$root/consumer.log" || true)"
	echo "consumed $total records, $unique distinct"
	[[ "$total" == "$unique" ]] || { echo "duplicates were consumed" >&2; exit 1; }
	echo "(logs in $root; run '$0 clean' to stop the cluster)"
}

case "${1:-run}" in
run) run ;;
clean) clean ;;
*) echo "usage: $0 [run|clean]" >&2; exit 2 ;;
esac
