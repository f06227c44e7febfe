package zkmode

import (
	"context"
	"errors"

	"github.com/go-zookeeper/zk"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// producerIDBlockSize is Kafka's ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE.
const producerIDBlockSize = 1000

// AllocateProducerIDs claims the next block of producer ids as Kafka's
// ZkProducerIdManager does: read /latest_producer_id_block, write the following
// block conditionally on its zkVersion, and read again when another broker won the
// race, so no id is ever handed out twice. The write is fenced (brokerWriter), so a
// block is never handed out after a migration's copy read the znode.
func (s *Source) AllocateProducerIDs(ctx context.Context, brokerID int32, _ int64) (int64, int32, error) {
	if err := s.checkNotMigrating("AllocateProducerIds"); err != nil {
		return 0, 0, err
	}
	w, err := s.brokerWriter(ctx, "AllocateProducerIds")
	if err != nil {
		return 0, 0, err
	}
	for {
		data, stat, err := s.conn.Get(ctx, znode.ProducerIDBlockPath)
		if err != nil {
			return 0, 0, metadata.Errorf(kerr.UnknownServerError, "read %s: %v", znode.ProducerIDBlockPath, err)
		}
		next := int64(0)
		if len(data) > 0 {
			cur, err := znode.DecodeProducerIDBlock(data)
			if err != nil {
				return 0, 0, metadata.Errorf(kerr.UnknownServerError, "%s: %v", znode.ProducerIDBlockPath, err)
			}
			next = cur.NextProducerID()
		}
		block := znode.ProducerIDBlock{BrokerID: brokerID, BlockStart: next, BlockEnd: next + producerIDBlockSize - 1}
		_, err = w.Multi(ctx, &zk.SetDataRequest{Path: znode.ProducerIDBlockPath, Data: znode.EncodeProducerIDBlock(block), Version: stat.Version})
		switch {
		case err == nil:
			return block.BlockStart, producerIDBlockSize, nil
		case errors.Is(err, ErrControllerMoved):
			return 0, 0, brokerWriteError(err, "write %s", znode.ProducerIDBlockPath)
		case errors.Is(err, zk.ErrBadVersion):
			continue
		default:
			return 0, 0, metadata.Errorf(kerr.UnknownServerError, "write %s: %v", znode.ProducerIDBlockPath, err)
		}
	}
}
