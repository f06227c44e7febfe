package zkmode

import (
	"context"
	"errors"

	"github.com/go-zookeeper/zk"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

// producerIDBlockSize is Kafka's ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE.
const producerIDBlockSize = 1000

// AllocateProducerIDs claims the next block of producer ids as Kafka's
// ZkProducerIdManager does: read /latest_producer_id_block, write the following
// block conditionally on its zkVersion, and read again when another broker won the
// race, so no id is ever handed out twice.
func (s *Source) AllocateProducerIDs(ctx context.Context, brokerID int32, _ int64) (int64, int32, error) {
	if err := s.checkNotMigrating("AllocateProducerIds"); err != nil {
		return 0, 0, err
	}
	for {
		data, stat, err := s.conn.Get(ctx, ProducerIDBlockPath)
		if err != nil {
			return 0, 0, metadata.Errorf(kerr.UnknownServerError, "read %s: %v", ProducerIDBlockPath, err)
		}
		next := int64(0)
		if len(data) > 0 {
			cur, err := DecodeProducerIDBlock(data)
			if err != nil {
				return 0, 0, metadata.Errorf(kerr.UnknownServerError, "%s: %v", ProducerIDBlockPath, err)
			}
			next = cur.NextProducerID()
		}
		block := ProducerIDBlock{BrokerID: brokerID, BlockStart: next, BlockEnd: next + producerIDBlockSize - 1}
		_, err = s.conn.Set(ctx, ProducerIDBlockPath, EncodeProducerIDBlock(block), stat.Version)
		switch {
		case err == nil:
			return block.BlockStart, producerIDBlockSize, nil
		case errors.Is(err, zk.ErrBadVersion):
			continue
		default:
			return 0, 0, metadata.Errorf(kerr.UnknownServerError, "write %s: %v", ProducerIDBlockPath, err)
		}
	}
}
