package broker

import (
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/broker/storage"
	"github.com/kbridge/kbridge/metadata"
)

// Produce: v0-11
//
// Behavior:
// * Only the partition's leader accepts writes; others answer NOT_LEADER_OR_FOLLOWER,
//   with the leader the image names (v10+, KIP-951).
// * acks 0, 1 and -1. acks=1 answers after the local append; acks=-1 refuses with
//   NOT_ENOUGH_REPLICAS while the ISR is under min.insync.replicas, then waits until
//   the high watermark covers the batch (see replicationWait for how the wait can end).
//   That wait does not hold up the connection: the requests pipelined behind it are
//   appended meanwhile, and answered after it (pendingResponse).
// * One v2 record batch per partition, stored as sent (any codec). v0-2 may instead
//   carry a message set of Kafka's old formats (magic 0 from v0-1, magic 1 from v2),
//   converted into one v2 batch as Kafka's LogValidator does (storage.UpConvertLegacy):
//   every CRC checked, the wrapper's codec kept; v3+ must carry v2 batches.
// * Idempotent producers: sequence checks and duplicate detection live in the log,
//   whose producer state followers replicate, so a retry after a failover is still
//   recognised as a duplicate.
// * max.message.bytes (topic max.message.bytes) is enforced with MESSAGE_TOO_LARGE.
// * Authorization: Write on each topic, else TOPIC_AUTHORIZATION_FAILED for its
//   partitions (an idempotent producer was checked at InitProducerId).
// * A broker that lost its session (no controller answered for longer than the session
//   timeout) acknowledges nothing: NOT_LEADER_OR_FOLLOWER, also for writes waiting for
//   replication (session_loss.go).
// * Transactional batches need Write on the request's transactional id, else every
//   partition answers TRANSACTIONAL_ID_AUTHORIZATION_FAILED. A producer's first
//   transactional batch in a partition is verified with its transaction coordinator
//   first (KIP-890 part 1, transaction.partition.verification.enable): a partition not
//   added to the ongoing transaction answers INVALID_TXN_STATE, a coordinator that
//   cannot answer NOT_ENOUGH_REPLICAS (retriable), as Kafka translates them
//   (txn_verify.go). The log then refuses a batch whose verification a transaction
//   marker overtook, and a non-transactional batch amid an open transaction.
// Version notes:
// * v1: throttle time
// * v2: log append time in the response; message format v1
// * v3: message format v2 only; transactional id
// * v5: log start offset in the response
// * v8: per-record errors and an error message
// * v9: flexible
// * v10: current leader and node endpoints with NOT_LEADER_OR_FOLLOWER

func init() { regKey(0, 0, 11, handleProduce) }

func handleProduce(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.ProduceRequest)
	resp := req.ResponseKind().(*kmsg.ProduceResponse)
	var pending []producedPartition
	for _, rt := range req.Topics {
		st := kmsg.NewProduceResponseTopic()
		st.Topic = rt.Topic
		for _, rp := range rt.Partitions {
			sp := kmsg.NewProduceResponseTopicPartition()
			sp.Partition = rp.Partition
			sp.BaseOffset = -1
			sp.LogAppendTime = -1
			sp.LogStartOffset = -1
			st.Partitions = append(st.Partitions, sp)
		}
		resp.Topics = append(resp.Topics, st)
	}
	if req.Acks != 0 && req.Acks != 1 && req.Acks != -1 {
		forEachProducePartition(resp, func(sp *kmsg.ProduceResponseTopicPartition) {
			sp.ErrorCode = kerr.InvalidRequiredAcks.Code
		})
		return resp, nil
	}
	img := b.Image()
	if hasTransactionalBatch(req) && (req.TransactionID == nil ||
		!c.authorized(img, metadata.ACLOperationWrite, metadata.ACLResourceTransactionalID, *req.TransactionID)) {
		forEachProducePartition(resp, func(sp *kmsg.ProduceResponseTopicPartition) {
			sp.ErrorCode = kerr.TransactionalIDAuthorizationFailed.Code
		})
		return resp, nil
	}
	writable := c.authorizedTopics(img, metadata.ACLOperationWrite, namesOf(req.Topics, func(t *kmsg.ProduceRequestTopic) string { return t.Topic }))
	verified := b.verifyProducedTransaction(req, writable)
	appended := make([]*Partition, 0, len(pending))
	for ti, rt := range req.Topics {
		for pi, rp := range rt.Partitions {
			sp := &resp.Topics[ti].Partitions[pi]
			if !writable.allows(rt.Topic) {
				sp.ErrorCode = kerr.TopicAuthorizationFailed.Code
				continue
			}
			opts, err := verified.optionsFor(rt.Topic, rp.Partition)
			if err != nil {
				setProduceError(sp, err)
				continue
			}
			p, last, term, err := b.appendProduced(rt.Topic, rp.Partition, rp.Records, req.Acks, req.Version <= 2, opts)
			if metering && p != nil {
				b.meterProduce(p, last, len(rp.Records), err)
			}
			if err != nil {
				setProduceError(sp, err)
				if sp.ErrorCode == kerr.UnknownServerError.Code {
					b.log.Error("produce failed", "topic", rt.Topic, "partition", rp.Partition, "err", err)
				}
				continue
			}
			appended = append(appended, p)
			sp.BaseOffset = last.BaseOffset
			sp.LogStartOffset = last.LogStartOffset
			sp.LogAppendTime = last.LogAppendTime
			if req.Acks == -1 {
				pending = append(pending, producedPartition{p: p, resp: sp, lastOffset: last.LastOffset, term: term})
			}
		}
	}
	// Followers are woken once the whole request is in the logs, so that one fetch
	// round carries all of it rather than one partition per round.
	for _, p := range appended {
		p.appendedAsLeader()
	}
	if req.Acks == 0 {
		return nil, nil
	}
	finish := func() {
		if req.Version >= 10 {
			b.fillProduceLeaders(resp, c.listener)
		}
	}
	w, done := startReplicationWait(pending)
	if done {
		finish()
		return resp, nil
	}
	return &pendingResponse{Response: resp, complete: func() {
		w.wait(time.Duration(req.TimeoutMillis)*time.Millisecond, b.stop, b.lostSession())
		finish()
	}}, nil
}

func forEachProducePartition(resp *kmsg.ProduceResponse, fn func(*kmsg.ProduceResponseTopicPartition)) {
	for ti := range resp.Topics {
		for pi := range resp.Topics[ti].Partitions {
			fn(&resp.Topics[ti].Partitions[pi])
		}
	}
}

// appendProduced validates and appends one partition's batch as its leader, and returns
// the leadership term it was appended in (appendLeading). The caller calls
// appendedAsLeader once it has appended what it had to append. legacyFormats allows
// Kafka's old message formats (Produce v0-2); opts says who writes and carries the
// batch's transaction verification.
func (b *Broker) appendProduced(topic string, partition int32, records []byte, acks int16, legacyFormats bool, opts storage.AppendOptions) (*Partition, storage.AppendResult, uint64, error) {
	return b.appendLeading(b.Image(), topic, partition, func(p *Partition, st partitionState) (storage.AppendResult, error) {
		return appendAsLeader(p, st, records, acks, legacyFormats, opts)
	})
}

// appendLeading runs write on the partition while this broker leads it, and returns the
// leadership term it wrote in. The leadership lock is held across the check and the
// write, so nothing is written after the partition became a follower; a broker whose
// metadata session is lost writes nothing.
func (b *Broker) appendLeading(img *metadata.Image, topic string, partition int32, write func(*Partition, partitionState) (storage.AppendResult, error)) (*Partition, storage.AppendResult, uint64, error) {
	var none storage.AppendResult
	t, ok := img.Topics[topic]
	if !ok || t.Partitions[partition] == nil {
		return nil, none, 0, kerr.UnknownTopicOrPartition
	}
	p, ok := b.replicas.Get(topic, partition)
	if !ok || b.sessionLost() {
		return nil, none, 0, kerr.NotLeaderForPartition
	}
	p.leadership.RLock()
	defer p.leadership.RUnlock()
	st := p.state()
	if st.leader != b.id {
		return nil, none, 0, kerr.NotLeaderForPartition
	}
	res, err := write(p, st)
	return p, res, st.term, err
}

// appendAsLeader checks a produced batch against the topic's rules and appends it.
func appendAsLeader(p *Partition, st partitionState, records []byte, acks int16, legacyFormats bool, opts storage.AppendOptions) (storage.AppendResult, error) {
	var none storage.AppendResult
	if len(records) > batchMagicOffset && records[batchMagicOffset] < 2 {
		if !legacyFormats {
			return none, fmt.Errorf("%w: Produce v3+ must carry message format v2 batches, not v%d", kerr.InvalidRecord, records[batchMagicOffset])
		}
		converted, err := storage.UpConvertLegacy(records, time.Now().UnixMilli(), st.appendTime)
		if err != nil {
			return none, err
		}
		records = converted
	}
	info, whole := peekBatch(records)
	switch {
	case info.magic != 2 && len(records) > batchMagicOffset:
		return none, fmt.Errorf("%w: message format v%d is not supported", kerr.UnsupportedForMessageFormat, info.magic)
	case !whole:
		return none, fmt.Errorf("%w: incomplete record batch", kerr.CorruptMessage)
	case info.size != len(records):
		return none, fmt.Errorf("%w: a produce request must hold exactly one record batch per partition", kerr.InvalidRecord)
	case info.size > int(st.maxMessage):
		return none, fmt.Errorf("%w: batch of %d bytes is larger than max.message.bytes %d", kerr.MessageTooLarge, info.size, st.maxMessage)
	}
	if st.compacted {
		if err := storage.ValidateCompactedBatch(records); err != nil {
			return none, err
		}
	}
	if acks == -1 && len(st.isr) < st.minISR {
		return none, fmt.Errorf("%w: in-sync replicas %v are fewer than min.insync.replicas %d", kerr.NotEnoughReplicas, st.isr, st.minISR)
	}
	appendTime := int64(-1)
	if st.appendTime {
		appendTime = time.Now().UnixMilli()
		stampLogAppendTime(records, appendTime)
	}
	res, err := p.log.AppendWith(records, st.leaderEpoch, opts)
	if err != nil {
		return none, err
	}
	res.LogAppendTime = appendTime
	return res, nil
}

// setProduceError maps storage and kerr errors to the partition's error code.
func setProduceError(sp *kmsg.ProduceResponseTopicPartition, err error) {
	code := errorCode(err)
	sp.ErrorCode = code
	if msg := err.Error(); msg != "" {
		sp.ErrorMessage = &msg
	}
}

// meterProduce counts one partition's produce in BrokerTopicMetrics: records and bytes
// when appended (none for an idempotent retry the log recognised), a failure when
// countsAsFailedProduce.
func (b *Broker) meterProduce(p *Partition, res storage.AppendResult, bytes int, err error) {
	switch {
	case err != nil:
		b.replicas.meters.produced(p.meter, 0, 0, countsAsFailedProduce(err))
	case res.Duplicate:
		b.replicas.meters.produced(p.meter, 0, 0, false)
	default:
		b.replicas.meters.produced(p.meter, int(res.LastOffset-res.BaseOffset+1), bytes, false)
	}
}

// countsAsFailedProduce tells whether an append error counts in
// FailedProduceRequestsPerSec: Kafka's appendToLocalLog leaves out the refusals a client
// retries or must fix (unknown partition, not the leader, too large, corrupt).
func countsAsFailedProduce(err error) bool {
	switch errorCode(err) {
	case kerr.UnknownTopicOrPartition.Code, kerr.NotLeaderForPartition.Code, kerr.MessageTooLarge.Code,
		kerr.RecordListTooLarge.Code, kerr.CorruptMessage.Code, kerr.KafkaStorageError.Code:
		return false
	}
	return true
}
