package zkmode

import "github.com/kbridge/kbridge/zkmode/znode"

// planProducerIDs plans UpdateProducerId when the next producer id moved
// (ZkMigrationClient.writeProducerId): /latest_producer_id_block becomes the block
// [next, next+999] handed to broker -1, as Kafka writes it. A ZooKeeper controller
// after a rollback hands out the block after that one, so no id KRaft may have handed
// out is ever reused; the price is one block skipped, which is also why the image
// LoadImage reads back has NextProducerID next+1000. An image that never allocated
// producer ids writes nothing.
func (p *changePlanner) planProducerIDs() {
	next := p.next.ProducerIDs.NextProducerID
	if next <= 0 || next == p.prev.ProducerIDs.NextProducerID {
		return
	}
	op := newOp(opUpdateProducerID, znode.ProducerIDBlockPath)
	op.upsert(znode.ProducerIDBlockPath, znode.EncodeProducerIDBlock(znode.ProducerIDBlock{
		BrokerID:   -1,
		BlockStart: next,
		BlockEnd:   next + znode.ProducerIDBlockSize - 1,
	}))
	p.add(op)
}
