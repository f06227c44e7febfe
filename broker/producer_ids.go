package broker

import (
	"context"
	"sync"
)

// producerIDBlock hands out producer ids from a block the metadata source allocated to
// this broker, asking for a new block when one runs out (Kafka's ProducerIdManager).
type producerIDBlock struct {
	mu   sync.Mutex
	next int64
	end  int64 // exclusive
}

// nextID returns a fresh producer id.
func (pb *producerIDBlock) nextID(ctx context.Context, b *Broker) (int64, error) {
	pb.mu.Lock()
	defer pb.mu.Unlock()
	if pb.next >= pb.end {
		first, count, err := b.Source().AllocateProducerIDs(ctx, b.id, b.brokerEpoch())
		if err != nil {
			return -1, err
		}
		pb.next, pb.end = first, first+int64(count)
	}
	id := pb.next
	pb.next++
	return id, nil
}
