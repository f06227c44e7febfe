#!/usr/bin/env bash
# Starts, stops and inspects a local KRaft cluster on which every connection is SASL_SSL
# with SCRAM-SHA-512 and Kafka's StandardAuthorizer decides: three controllers (a Raft
# quorum on localhost:19091-19093) and three brokers (localhost:9092, 9192, 9292).
#
#   examples/secure/cluster/cluster.sh start    # certificates and format on first use, then all six
#   examples/secure/cluster/cluster.sh acls     # alice may write and read orders, in group orders-app
#   examples/secure/cluster/cluster.sh status   # the quorum and the brokers, asked as admin
#   examples/secure/cluster/cluster.sh stop     # brokers first (controlled shutdown), then controllers
#   examples/secure/cluster/cluster.sh clean    # stop and delete /tmp/kbridge-secure-cluster
#
# It uses examples/kraft-cluster's ports: stop that cluster first. The passwords below
# and in the properties files are example values.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root=/tmp/kbridge-secure-cluster
kbridge="${KBRIDGE:-$here/../../../bin/kbridge}"
controllers=(controller-1 controller-2 controller-3)
brokers=(broker-101 broker-102 broker-103)
broker_addrs=(localhost:9092 localhost:9192 localhost:9292)
controller_addrs=localhost:19091,localhost:19092,localhost:19093
admin="$here/admin.properties"

# The SCRAM users the cluster starts with: the nodes' own (every broker logs in as
# broker, every controller as controller: both super users), the admin, and two
# clients. Every node is formatted with all of them, since a controller checks the
# logins of a quorum that has not elected its first leader against its own bootstrap
# metadata.
scram_users=(
	'SCRAM-SHA-512=[name=controller,password=controller-secret]'
	'SCRAM-SHA-512=[name=broker,password=broker-secret]'
	'SCRAM-SHA-512=[name=admin,password=admin-secret]'
	'SCRAM-SHA-512=[name=alice,password=alice-secret]'
	'SCRAM-SHA-512=[name=bob,password=bob-secret]'
)

running() { [[ -f "$root/$1.pid" ]] && kill -0 "$(cat "$root/$1.pid")" 2>/dev/null; }

start() {
	mkdir -p "$root"
	# make-certs.sh keeps what is already there, so this makes the CA and keystores once.
	"$here/../make-certs.sh" "$root/certs" "${controllers[@]}" "${brokers[@]}"
	if [[ ! -f "$root/cluster.id" ]]; then
		"$kbridge" storage random-uuid >"$root/cluster.id"
	fi
	local id scram=()
	id="$(cat "$root/cluster.id")"
	for u in "${scram_users[@]}"; do scram+=(--add-scram "$u"); done
	for n in "${controllers[@]}" "${brokers[@]}"; do
		"$kbridge" storage format -t "$id" -c "$here/$n.properties" --ignore-formatted "${scram[@]}" >/dev/null
	done
	for n in "${controllers[@]}" "${brokers[@]}"; do
		if running "$n"; then
			echo "$n already running (pid $(cat "$root/$n.pid"))"
			continue
		fi
		"$kbridge" server start "$here/$n.properties" >>"$root/$n.log" 2>&1 &
		echo $! >"$root/$n.pid"
		echo "started $n (pid $!, log $root/$n.log)"
	done
	echo "waiting for the brokers to listen..."
	for addr in "${broker_addrs[@]}"; do
		local ok=""
		for _ in $(seq 1 300); do
			if (exec 3<>"/dev/tcp/${addr%:*}/${addr#*:}") 2>/dev/null; then ok=1; break; fi
			sleep 0.1
		done
		[[ -n "$ok" ]] || { echo "nothing listens on $addr; see the logs in $root" >&2; exit 1; }
	done
	status
}

stop() {
	for n in "${brokers[@]}" "${controllers[@]}"; do
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

# The controller listener is SASL_SSL too: the quorum is asked as admin, whom the
# controllers know from the same format.
status() {
	"$kbridge" metadata quorum --bootstrap-controller "$controller_addrs" --command-config "$admin" describe --status || true
	"$kbridge" topics --bootstrap-server "${broker_addrs[0]}" --command-config "$admin" --list >/dev/null &&
		echo "brokers: serving SASL_SSL on ${broker_addrs[*]}"
}

# alice may produce to and consume from orders in the group orders-app; bob gets
# nothing, so every request of his on them is refused. (Describe on the topic comes with
# Write and Read, as in Kafka.) admin creates the ACLs: only a super user may at first.
acls() {
	local bootstrap
	bootstrap="$(IFS=,; echo "${broker_addrs[*]}")"
	"$kbridge" acls --bootstrap-server "$bootstrap" --command-config "$admin" --add \
		--allow-principal User:alice --operation Write --operation Read --topic orders
	"$kbridge" acls --bootstrap-server "$bootstrap" --command-config "$admin" --add \
		--allow-principal User:alice --operation Read --group orders-app
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status) status ;;
acls) acls ;;
clean) stop; rm -rf "$root" ;;
*) echo "usage: $0 start|stop|status|clean|acls" >&2; exit 2 ;;
esac
