#!/usr/bin/env bash
# Starts, stops and inspects a local ZooKeeper-mode cluster: Debian's ZooKeeper on
# localhost:2181 and three ZooKeeper-mode brokers (localhost:9092, 9192, 9292) that keep
# their metadata under the /kafka chroot, in Kafka's own znode layout.
#
#   examples/zk/cluster.sh start    # ZooKeeper, then the three brokers
#   examples/zk/cluster.sh status   # the controller, the registered brokers, the topics
#   examples/zk/cluster.sh tree     # zkCli.sh ls -R /kafka: the layout Kafka would write
#   examples/zk/cluster.sh stop     # brokers first (controlled shutdown), then ZooKeeper
#   examples/zk/cluster.sh clean    # stop and delete /tmp/kbridge-zk
#
# Needs the Debian package `zookeeper` (make test-deps installs it).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root=/tmp/kbridge-zk
kbridge="${KBRIDGE:-$here/../../bin/kbridge}"
zkcli=/usr/share/zookeeper/bin/zkCli.sh
classpath=/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar
brokers=(broker-1 broker-2 broker-3)

running() { [[ -f "$root/$1.pid" ]] && kill -0 "$(cat "$root/$1.pid")" 2>/dev/null; }

wait_port() {
	for _ in $(seq 1 300); do
		(exec 3<>"/dev/tcp/localhost/$1") 2>/dev/null && return 0
		sleep 0.1
	done
	echo "nothing listens on localhost:$1; see the logs in $root" >&2
	return 1
}

start() {
	mkdir -p "$root/zookeeper"
	if ! running zookeeper; then
		IFS=: read -ra jars <<<"$classpath"
		for f in "${jars[@]}"; do
			[[ -f "$f" ]] || { echo "$f is missing: install the zookeeper package (make test-deps)" >&2; exit 1; }
		done
		java -Xmx256m -Djava.net.preferIPv4Stack=true -Dzookeeper.jmx.log4j.disable=true -cp "$classpath" \
			org.apache.zookeeper.server.ZooKeeperServerMain "$here/zoo.cfg" >>"$root/zookeeper.log" 2>&1 &
		echo $! >"$root/zookeeper.pid"
		echo "started ZooKeeper (pid $!, log $root/zookeeper.log)"
	fi
	wait_port 2181
	for n in "${brokers[@]}"; do
		if running "$n"; then
			echo "$n already running (pid $(cat "$root/$n.pid"))"
			continue
		fi
		"$kbridge" server start "$here/$n.properties" >>"$root/$n.log" 2>&1 &
		echo $! >"$root/$n.pid"
		echo "started $n (pid $!, log $root/$n.log)"
	done
	for port in 9092 9192 9292; do wait_port "$port"; done
	status
}

stop_one() {
	local pidf="$root/$1.pid"
	[[ -f "$pidf" ]] || return 0
	local pid
	pid="$(cat "$pidf")"
	if kill "$pid" 2>/dev/null; then
		while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
		echo "stopped $1"
	fi
	rm -f "$pidf"
}

stop() {
	for n in "${brokers[@]}"; do stop_one "$n"; done
	stop_one zookeeper
}

status() {
	"$zkcli" -server localhost:2181 get /kafka/controller 2>/dev/null | grep brokerid || echo "no controller"
	"$zkcli" -server localhost:2181 ls /kafka/brokers/ids 2>/dev/null | tail -1
	"$kbridge" topics --bootstrap-server localhost:9092 --list >/dev/null && echo "brokers: serving on localhost:9092, 9192, 9292"
}

tree() { "$zkcli" -server localhost:2181 ls -R /kafka 2>/dev/null | grep '^/'; }

case "${1:-}" in
start) start ;;
stop) stop ;;
status) status ;;
tree) tree ;;
clean) stop; rm -rf "$root" ;;
*) echo "usage: $0 start|stop|status|tree|clean" >&2; exit 2 ;;
esac
