package checker

import (
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// AckRecord records a franz-go record the cluster acknowledged, as a produce promise
// or ProduceSync returns it without an error. franz-go does not learn which broker or
// leader epoch took it, so both stay unknown.
func (h *History) AckRecord(producer string, r *kgo.Record) Op {
	return h.Add(Op{
		Kind: Ack, Process: producer, Topic: r.Topic, Partition: r.Partition, Offset: r.Offset,
		Value: string(r.Value), ProducerID: r.ProducerID, ProducerEpoch: r.ProducerEpoch,
		LeaderEpoch: -1, Broker: -1,
	})
}

// ReadRecord records a record a consumer polled, with the leader epoch of its batch.
func (h *History) ReadRecord(consumer string, r *kgo.Record) Op {
	return h.Add(Op{
		Kind: Read, Process: consumer, Topic: r.Topic, Partition: r.Partition, Offset: r.Offset,
		Value: string(r.Value), ProducerID: r.ProducerID, ProducerEpoch: r.ProducerEpoch,
		LeaderEpoch: r.LeaderEpoch, Broker: -1,
	})
}

// CommitCallback is a kgo.AutoCommitCallback (or the callback of CommitRecords and
// friends) that records each offset the coordinator accepted, and none it refused.
func (h *History) CommitCallback(consumer string) func(*kgo.Client, *kmsg.OffsetCommitRequest, *kmsg.OffsetCommitResponse, error) {
	return func(_ *kgo.Client, req *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
		if err != nil || resp == nil {
			return
		}
		committed := map[string]map[int32]int64{}
		for _, t := range req.Topics {
			committed[t.Topic] = map[int32]int64{}
			for _, p := range t.Partitions {
				committed[t.Topic][p.Partition] = p.Offset
			}
		}
		for _, t := range resp.Topics {
			for _, p := range t.Partitions {
				offset, ok := committed[t.Topic][p.Partition]
				if p.ErrorCode != 0 || !ok {
					continue
				}
				h.Add(Op{
					Kind: Commit, Process: consumer, Group: req.Group, Topic: t.Topic, Partition: p.Partition,
					Offset: offset, ProducerID: -1, ProducerEpoch: -1, LeaderEpoch: -1, Broker: -1,
				})
			}
		}
	}
}
