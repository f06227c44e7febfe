#!/usr/bin/env bash
# Installs what the end-to-end tests need: Debian's kcat, zookeeper, openssl, nftables,
# iptables, python3-confluent-kafka, prometheus and chromium packages.
# As root it installs them; otherwise it says what to run and fails.
set -euo pipefail

missing=()
command -v kcat >/dev/null 2>&1 || missing+=(kcat)
# The TLS tests make their certificates and keystores with openssl (and the JRE's keytool,
# which the zookeeper package brings).
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# internal/zktest runs /usr/share/java/zookeeper.jar with java and slf4j-simple, and the
# tests use zkCli.sh: the zookeeper package brings all of them (default-jre,
# libzookeeper-java, libslf4j-java).
if [ ! -f /usr/share/zookeeper/bin/zkCli.sh ] || [ ! -f /usr/share/java/zookeeper.jar ] ||
  [ ! -f /usr/share/java/slf4j-simple.jar ] || ! command -v java >/dev/null 2>&1; then
  missing+=(zookeeper)
fi
# internal/netfault breaks the network between namespaces with nft (cuts, loss) and
# iptables-nft (the NFQUEUE rule of a delay).
command -v nft >/dev/null 2>&1 || missing+=(nftables)
command -v iptables-nft >/dev/null 2>&1 || missing+=(iptables)
# The transaction tests drive librdkafka's transactional producer through Debian's
# confluent-kafka Python binding, run with the system interpreter.
/usr/bin/python3 -c 'import confluent_kafka' >/dev/null 2>&1 || missing+=(python3-confluent-kafka)
# The metrics tests lint the /metrics output with Prometheus's promtool and scrape a
# cluster with a real Prometheus server.
{ command -v promtool && command -v prometheus; } >/dev/null 2>&1 || missing+=(prometheus)
# The migration status page test opens /migration in headless Chromium.
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "The tests need the Debian packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing test dependencies: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
