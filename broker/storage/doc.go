// Package storage keeps partition logs in Kafka's own on-disk format, so that an
// operator's tools (kafka-dump-log, a directory listing, a copied log dir) see what
// they expect: <log.dir>/<topic>-<partition>/ holding %020d.log segments of v2 record
// batches exactly as producers sent them, sparse .index and .timeindex files beside
// them (and a .txnindex of aborted transactions for a segment holding abort markers),
// a leader-epoch-checkpoint and producer-state snapshots.
//
// The append path costs one pwrite per batch and no per-record work: batches are
// validated by CRC only, never decompressed, and the indexes live in memory until a
// flush, roll or close writes them out. Crash safety comes from recovery instead: a
// partition that was not closed cleanly has every segment from its recovery point on
// rescanned batch by batch, cut at the first torn or corrupt batch, and its indexes
// and producer state rebuilt.
//
// Transactions (KIP-98) live in the producer state: each producer's open transaction,
// the transactions that hold the last stable offset back, and the aborts indexed per
// segment for read_committed fetches, as Kafka's ProducerStateManager and
// TransactionIndex keep them. A non-transactional append does no more than before.
//
// Topics with cleanup.policy=compact are compacted by the log cleaner (cleaner*.go),
// the one part of the package that decompresses records: it rewrites sealed segments
// keeping the latest record of each key at its original offset, and swaps the
// rewritten segments in with Kafka's .cleaned/.swap/.deleted renames, which recovery
// completes or rolls back after a crash.
//
// Otherwise the package uses only the standard library (docs/architecture.md,
// "Packages"); two parts also need the producers' codecs (klauspost/compress for zstd
// and snappy, pierrec/lz4): the cleaner, because a compacted topic's keys sit inside
// compressed batches (cleaner_codec.go), and the conversion of Kafka's old message
// formats (magic 0 and 1) for Produce v0-2 and Fetch v0-3 (legacy_*.go). Neither is on
// the path of a current client's append or read.
package storage
