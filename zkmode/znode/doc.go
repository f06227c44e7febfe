// Package znode is Kafka's ZooKeeper data formats: the znode paths (ZkData), the JSON
// codecs of every znode version a Kafka 2.x/3.x cluster may have written, encoded
// byte for byte as Kafka's Jackson writes them, the sanitizing of entity names in
// paths, ACL resource and operation names and the ids the migration gives copied
// ACLs, SCRAM credential strings, and inter.broker.protocol.version levels.
//
// It is separate from zkmode because none of it needs a ZooKeeper session: a path is
// a string, a codec turns bytes into a value and back. The migration's dry-run reads
// and explains a tree with it, tests build and check trees with it, and the codec
// fuzzers run against it alone. Keeping it apart keeps the connection, the broker's
// source, the ZooKeeper controller and the migration writer (package zkmode) out of
// what only needs the formats. It imports nothing of kbridge but metadata.
package znode
