#!/usr/bin/env bash
# Starts, stops and inspects a local KRaft cluster: three controllers (a Raft quorum on
# localhost:19091-19093) and three brokers (localhost:9092, 9192, 9292). Each node serves
# Prometheus metrics, /healthz and /readyz on 127.0.0.1:9501-9503 (controllers) and
# 9511-9513 (brokers); examples/monitoring scrapes them.
#
#   examples/kraft-cluster/cluster.sh start    # formats on first use, then starts all six
#   examples/kraft-cluster/cluster.sh status   # the quorum and the brokers
#   examples/kraft-cluster/cluster.sh stop     # brokers first (controlled shutdown), then controllers
#   examples/kraft-cluster/cluster.sh clean    # stop and delete /tmp/kbridge-cluster
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root=/tmp/kbridge-cluster
kbridge="${KBRIDGE:-$here/../../bin/kbridge}"
nodes=(controller-1 controller-2 controller-3 broker-101 broker-102 broker-103)

start() {
	mkdir -p "$root"
	if [[ ! -f "$root/cluster.id" ]]; then
		"$kbridge" storage random-uuid >"$root/cluster.id"
	fi
	local id
	id="$(cat "$root/cluster.id")"
	for n in "${nodes[@]}"; do
		"$kbridge" storage format -t "$id" -c "$here/$n.properties" --ignore-formatted >/dev/null
	done
	for n in "${nodes[@]}"; do
		if [[ -f "$root/$n.pid" ]] && kill -0 "$(cat "$root/$n.pid")" 2>/dev/null; then
			echo "$n already running (pid $(cat "$root/$n.pid"))"
			continue
		fi
		"$kbridge" server start "$here/$n.properties" >>"$root/$n.log" 2>&1 &
		echo $! >"$root/$n.pid"
		echo "started $n (pid $!, log $root/$n.log)"
	done
	echo "waiting for the brokers to be unfenced..."
	for port in 9092 9192 9292; do
		for _ in $(seq 1 300); do
			(exec 3<>/dev/tcp/localhost/$port) 2>/dev/null && break
			sleep 0.1
		done
	done
	status
}

stop() {
	local reversed=(broker-101 broker-102 broker-103 controller-1 controller-2 controller-3)
	for n in "${reversed[@]}"; do
		local pidf="$root/$n.pid"
		[[ -f "$pidf" ]] || continue
		local pid
		pid="$(cat "$pidf")"
		if kill "$pid" 2>/dev/null; then
			while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
			echo "stopped $n"
		fi
		rm -f "$pidf"
	done
}

status() {
	"$kbridge" metadata quorum --bootstrap-controller localhost:19091,localhost:19092,localhost:19093 describe --status || true
	"$kbridge" topics --bootstrap-server localhost:9092 --list >/dev/null && echo "brokers: serving on localhost:9092, 9192, 9292"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status) status ;;
clean) stop; rm -rf "$root" ;;
*) echo "usage: $0 start|stop|status|clean" >&2; exit 2 ;;
esac
