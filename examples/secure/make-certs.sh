#!/usr/bin/env bash
# Makes the secure examples' certificates with openssl alone, as an operator would
# without a JDK: a certificate authority, and for every node a PKCS12 keystore holding
# the node's key and a certificate the CA signed for localhost and 127.0.0.1. The CA's
# certificate, ca.pem, is the PEM truststore of the nodes and of every client.
#
#   examples/secure/make-certs.sh [DIR [NODE...]]
#
#   DIR    where to write, /tmp/kbridge-secure/certs unless given
#   NODE   the keystores to make, DIR/NODE.p12 (CN=NODE); node-1 unless given
#
# Running it again keeps the CA and every keystore already there and adds the missing
# ones, so the nodes' certificates keep chaining to the CA the clients trust.
#
# The passwords and keys made here are examples for a laptop: the keystore password is
# written in this script and in the example's server.properties, and the CA's key is left
# unencrypted beside the certificates. A real cluster keeps its CA's key elsewhere and
# its passwords out of version control.
set -euo pipefail

dir="${1:-/tmp/kbridge-secure/certs}"
shift || true
nodes=("$@")
[[ ${#nodes[@]} -gt 0 ]] || nodes=(node-1)

# The example keystore password; server.properties says the same (ssl.keystore.password).
storepass=keystore-secret
# Long enough that a laptop example does not expire under its user, short enough that
# nobody mistakes it for a real CA.
days=825

command -v openssl >/dev/null || { echo "make-certs.sh needs openssl (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$dir"
# Private keys are readable by their owner only.
umask 077
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [[ ! -f "$dir/ca.pem" || ! -f "$dir/ca.key" ]]; then
	openssl req -x509 -newkey rsa:2048 -noenc -sha256 -days "$days" \
		-keyout "$dir/ca.key" -out "$dir/ca.pem" -subj "/O=kbridge example/CN=kbridge example CA" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
	# Clients and nodes read the CA certificate, never its key.
	chmod 644 "$dir/ca.pem"
	echo "made the CA: $dir/ca.pem (its key: $dir/ca.key)"
fi

# Every node's certificate names localhost and 127.0.0.1, the addresses the examples'
# listeners and clients use (ssl.endpoint.identification.algorithm=https checks them),
# and may serve as a server's and as a client's: nodes dial each other too.
cat >"$work/node.ext" <<'EOF'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
EOF

for n in "${nodes[@]}"; do
	[[ -f "$dir/$n.p12" ]] && continue
	openssl req -newkey rsa:2048 -noenc -keyout "$work/$n.key" -out "$work/$n.csr" \
		-subj "/O=kbridge example/CN=$n" 2>/dev/null
	openssl x509 -req -sha256 -days "$days" -in "$work/$n.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
		-CAcreateserial -CAserial "$dir/ca.srl" -extfile "$work/node.ext" -out "$work/$n.pem" 2>/dev/null
	# The chain includes the CA, as keytool would import it; OpenSSL 3 encrypts the store
	# with AES-256 and PBKDF2, which kbridge and Java 8u301+ read.
	openssl pkcs12 -export -name "$n" -inkey "$work/$n.key" -in "$work/$n.pem" -certfile "$dir/ca.pem" \
		-out "$dir/$n.p12" -passout "pass:$storepass"
	echo "made $dir/$n.p12 (CN=$n, localhost and 127.0.0.1)"
done
