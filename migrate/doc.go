// Package migrate takes a live ZooKeeper-mode cluster to KRaft (KIP-866): the
// read-only preflight (dry-run), the copy into the metadata log, dual-writes back to
// ZooKeeper while rollback is possible, the brokers' switch, finalize and rollback.
// It sits between zkmode and kraftmode, which never import each other, and owns the
// migration controllers' admin endpoint that the `kbridge migrate` commands talk to.
package migrate
