package group

import (
	"errors"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/broker/coordlog"
)

// TxnOffsetCommit serves TxnOffsetCommit v0-4: the offsets a transactional producer
// commits as part of its transaction (KIP-98). They are written in one transactional
// batch with the producer's id and epoch to the group's __consumer_offsets partition
// and stay pending for the producer, unseen by OffsetFetch, until CompleteTxn
// reports the transaction's marker. An unknown group is created Empty, as Kafka
// does. exists reports whether a topic partition exists (UNKNOWN_TOPIC_OR_PARTITION
// otherwise).
func (c *Coordinator) TxnOffsetCommit(req *kmsg.TxnOffsetCommitRequest, exists func(topic string, partition int32) bool) *kmsg.TxnOffsetCommitResponse {
	resp := req.ResponseKind().(*kmsg.TxnOffsetCommitResponse)
	codes := make(partitionCodes, len(req.Topics))
	known := 0
	for i, t := range req.Topics {
		codes[i] = make([]int16, len(t.Partitions))
		for j, p := range t.Partitions {
			if exists(t.Topic, p.Partition) {
				known++
			} else {
				codes[i][j] = kerr.UnknownTopicOrPartition.Code
			}
		}
	}
	defer func() {
		for i, t := range req.Topics {
			rt := kmsg.NewTxnOffsetCommitResponseTopic()
			rt.Topic = t.Topic
			for j, p := range t.Partitions {
				rp := kmsg.NewTxnOffsetCommitResponseTopicPartition()
				rp.Partition, rp.ErrorCode = p.Partition, codes[i][j]
				if req.Version < 2 && rp.ErrorCode == kerr.CoordinatorLoadInProgress.Code {
					// Producers before 2.0 (KAFKA-7296) fail on the loading error;
					// KafkaApis answers them this retriable one instead.
					rp.ErrorCode = kerr.CoordinatorNotAvailable.Code
				}
				rt.Partitions = append(rt.Partitions, rp)
			}
			resp.Topics = append(resp.Topics, rt)
		}
	}()
	if known == 0 {
		// KafkaApis answers without asking the coordinator, which creates no group.
		return resp
	}
	if req.Group == "" {
		codes.setUnset(kerr.InvalidGroupID.Code)
		return resp
	}
	partition := c.PartitionFor(req.Group)
	mu := c.appendLock(partition)
	mu.Lock()
	defer mu.Unlock()

	g, recs, written, err := c.prepareTxnCommit(req, codes)
	if err != nil {
		codes.setUnset(err.Code)
		return resp
	}
	if len(recs) == 0 {
		return resp
	}
	producer := coordlog.Producer{ID: req.ProducerID, Epoch: req.ProducerEpoch}
	werr := c.appendBatch(partition, coordlog.EncodeTransactionalBatch(recs, c.clock.Now().UnixMilli(), producer), len(recs))
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, w := range written {
		delete(g.writing, w.tp)
	}
	if werr != nil {
		c.slog.Warn("failed to store transactional offsets", "group", g.id, "producer", req.ProducerID, "err", werr)
		codes.setUnset(txnStoreErrorCode(werr))
		return resp
	}
	position := c.takePositionLocked(partition)
	op := c.parts[partition]
	if op == nil || c.groups[g.id] != g {
		// The partition moved on meanwhile; its new coordinator reads the commit from
		// the log.
		return resp
	}
	for _, w := range written {
		g.addTxnOffset(req.ProducerID, w.tp, loggedOffset{w.offset, position})
	}
	op.addOpenTxn(req.ProducerID, g.id)
	return resp
}

func (c *Coordinator) prepareTxnCommit(req *kmsg.TxnOffsetCommitRequest, codes [][]int16) (*group, []coordlog.Record, []pendingOffset, *kerr.Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.checkOwner(req.Group); err != nil {
		return nil, nil, nil, err
	}
	g := c.getOrCreate(req.Group, true)
	generation, memberID, instanceID := int32(-1), "", (*string)(nil)
	if req.Version >= 3 {
		generation, memberID, instanceID = req.Generation, req.MemberID, req.InstanceID
	}
	if err := validateTxnCommit(g, generation, memberID, instanceID); err != nil {
		return nil, nil, nil, err
	}
	now := c.clock.Now().UnixMilli()
	var recs []coordlog.Record
	var written []pendingOffset
	for i, t := range req.Topics {
		for j, p := range t.Partitions {
			switch {
			case codes[i][j] != 0:
				continue
			case p.Metadata != nil && len(*p.Metadata) > c.cfg.MaxMetadataSize:
				codes[i][j] = kerr.OffsetMetadataTooLarge.Code
				continue
			}
			o := CommittedOffset{Offset: p.Offset, LeaderEpoch: -1, CommitTimestamp: now, ExpireTimestamp: -1}
			if req.Version >= 2 {
				o.LeaderEpoch = p.LeaderEpoch
			}
			if p.Metadata != nil {
				o.Metadata = *p.Metadata
			}
			tp := topicPartition{t.Topic, p.Partition}
			key := OffsetKey{Group: g.id, Topic: t.Topic, Partition: p.Partition}
			recs = append(recs, coordlog.Record{Key: EncodeOffsetKey(key), Value: EncodeOffsetValue(o)})
			written = append(written, pendingOffset{tp: tp, offset: o})
			g.writing[tp] = struct{}{}
		}
	}
	return g, recs, written, nil
}

// validateTxnCommit is Kafka's validateOffsetCommit for a transactional commit. A
// producer that names no member, generation or instance (every v0-2 request, and v3+
// from one outside any group) may commit to any group, since the protocol carried
// none before KIP-447; one that names them must be the group's current member of
// the current generation, so a zombie of an earlier generation is fenced. Unlike
// OffsetCommit, a rebalance in progress does not refuse it.
func validateTxnCommit(g *group, generation int32, memberID string, instanceID *string) *kerr.Error {
	switch {
	case g.state == Dead:
		return kerr.CoordinatorNotAvailable
	case generation < 0 && g.state == Empty:
		return nil
	case generation < 0 && memberID == "" && instanceID == nil:
		return nil
	}
	if instanceID != nil {
		switch current, ok := g.instances[*instanceID]; {
		case !ok:
			return kerr.UnknownMemberID
		case current != memberID:
			return kerr.FencedInstanceID
		}
	}
	if _, ok := g.members[memberID]; !ok {
		return kerr.UnknownMemberID
	}
	if generation != g.generation {
		return kerr.IllegalGeneration
	}
	return nil
}

// txnStoreErrorCode maps a failed transactional append as Kafka's
// maybeConvertOffsetCommitError does: the errors storeErrorCode maps are mapped
// alike, and the producer-state and transaction errors of the append
// (INVALID_PRODUCER_EPOCH, PRODUCER_FENCED, INVALID_TXN_STATE,
// TRANSACTION_ABORTABLE, ...) pass through, so the producer aborts or learns it is
// fenced instead of retrying.
func txnStoreErrorCode(err error) int16 {
	var ke *kerr.Error
	if !errors.As(err, &ke) {
		return storeErrorCode(err)
	}
	switch ke {
	case kerr.NetworkException:
		// A failed verification with the transaction coordinator: older clients do
		// not retry NETWORK_EXCEPTION well, while this makes them retry in place.
		return kerr.CoordinatorLoadInProgress.Code
	case kerr.UnknownTopicOrPartition, kerr.NotEnoughReplicas, kerr.NotEnoughReplicasAfterAppend,
		kerr.NotLeaderForPartition, kerr.KafkaStorageError,
		kerr.MessageTooLarge, kerr.RecordListTooLarge, kerr.InvalidFetchSize, kerr.RequestTimedOut:
		return storeErrorCode(err)
	default:
		return ke.Code
	}
}
