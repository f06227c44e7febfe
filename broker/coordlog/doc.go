// Package coordlog is what the group and transaction coordinators share about their
// internal topics (__consumer_offsets, __transaction_state): the Log they write
// through, and Kafka's v2 record batches they write and replay, transactional ones
// and their markers included.
package coordlog
