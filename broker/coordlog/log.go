package coordlog

import "context"

// Log is a coordinator's view of the internal topic partitions it leads.
type Log interface {
	// Append writes one record batch to partition and returns once the write is
	// committed (the high watermark covers it), as Kafka's acks=all append does.
	Append(ctx context.Context, partition int32, batch []byte) error
	// Read returns whole batches from offset on, up to the log end offset; an empty
	// result means the end was reached.
	Read(partition int32, offset int64) ([]byte, error)
	// Bounds returns the log start and log end offsets of partition.
	Bounds(partition int32) (start, end int64, err error)
}
