package broker

import (
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/broker/storage"
	"github.com/kbridge/kbridge/metadata"
)

// WriteTxnMarkers: v0-1
//
// Behavior:
// * Sent by transaction coordinators to partition leaders: each marker is appended
//   as a control batch (storage.AppendTxnMarker: Kafka's ControlRecordKey and
//   EndTxnMarker) to every partition named, with acks=all; the answer waits until
//   the high watermarks cover them.
// * A marker with a producer epoch older than the partition's for that producer
//   answers INVALID_PRODUCER_EPOCH, one with an older coordinator epoch
//   TRANSACTION_COORDINATOR_FENCED: a coordinator that lost its partition cannot
//   complete a transaction behind its successor's back.
// * A committed marker written to __consumer_offsets materializes the producer's
//   pending transactional offsets, an aborted one drops them (onTransactionCompleted).
// * Authorization: Alter or ClusterAction on the cluster, else every partition
//   answers CLUSTER_AUTHORIZATION_FAILED.
// * Unknown partitions: UNKNOWN_TOPIC_OR_PARTITION; partitions this broker does not
//   lead: NOT_LEADER_OR_FOLLOWER; under min.insync.replicas: NOT_ENOUGH_REPLICAS.
// Version notes:
// * v1: flexible

func init() { regKey(27, 0, 1, handleWriteTxnMarkers) }

// markerWriteTimeout bounds the wait for a marker's replication, Kafka's
// request.timeout.ms default, which its handler passes as the append timeout.
const markerWriteTimeout = 30 * time.Second

func handleWriteTxnMarkers(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.WriteTxnMarkersRequest)
	img := b.Image()
	if !c.authorizedCluster(img, metadata.ACLOperationAlter) && !c.authorizedCluster(img, metadata.ACLOperationClusterAction) {
		resp := markersResponse(req)
		forEachMarkerPartition(resp, func(p *kmsg.WriteTxnMarkersResponseMarkerTopicPartition) {
			p.ErrorCode = kerr.ClusterAuthorizationFailed.Code
		})
		return resp, nil
	}
	resp, wait := b.appendTxnMarkers(req)
	return &pendingResponse{Response: resp, complete: wait}, nil
}

// markersResponse is the answer to req with every partition's error code 0.
func markersResponse(req *kmsg.WriteTxnMarkersRequest) *kmsg.WriteTxnMarkersResponse {
	resp := req.ResponseKind().(*kmsg.WriteTxnMarkersResponse)
	for _, m := range req.Markers {
		rm := kmsg.NewWriteTxnMarkersResponseMarker()
		rm.ProducerID = m.ProducerID
		for _, t := range m.Topics {
			rt := kmsg.NewWriteTxnMarkersResponseMarkerTopic()
			rt.Topic = t.Topic
			for _, p := range t.Partitions {
				rp := kmsg.NewWriteTxnMarkersResponseMarkerTopicPartition()
				rp.Partition = p
				rt.Partitions = append(rt.Partitions, rp)
			}
			rm.Topics = append(rm.Topics, rt)
		}
		resp.Markers = append(resp.Markers, rm)
	}
	return resp
}

func forEachMarkerPartition(resp *kmsg.WriteTxnMarkersResponse, fn func(*kmsg.WriteTxnMarkersResponseMarkerTopicPartition)) {
	for mi := range resp.Markers {
		for ti := range resp.Markers[mi].Topics {
			for pi := range resp.Markers[mi].Topics[ti].Partitions {
				fn(&resp.Markers[mi].Topics[ti].Partitions[pi])
			}
		}
	}
}

// writtenMarker is one marker appended to one partition, waiting for replication.
type writtenMarker struct {
	producedPartition
	scratch    kmsg.ProduceResponseTopicPartition
	answer     *kmsg.WriteTxnMarkersResponseMarkerTopicPartition
	producerID int64
	commit     bool
}

// appendTxnMarkers appends every marker of req as this broker's partitions' leader and
// returns the response with the append errors filled in, and the function that waits
// for the appended markers' replication, fills in its outcome and tells the group
// coordinator of the transactional offsets it decided.
func (b *Broker) appendTxnMarkers(req *kmsg.WriteTxnMarkersRequest) (*kmsg.WriteTxnMarkersResponse, func()) {
	resp := markersResponse(req)
	img := b.Image()
	now := time.Now().UnixMilli()
	var written []*writtenMarker
	var appended []*Partition
	for mi, m := range req.Markers {
		marker := storage.TxnMarker{
			ProducerID: m.ProducerID, ProducerEpoch: m.ProducerEpoch, Commit: m.Committed,
			CoordinatorEpoch: m.CoordinatorEpoch, Timestamp: now,
		}
		for ti, t := range m.Topics {
			for pi, partition := range t.Partitions {
				answer := &resp.Markers[mi].Topics[ti].Partitions[pi]
				p, res, term, err := b.appendMarker(img, t.Topic, partition, marker)
				if err != nil {
					answer.ErrorCode = errorCode(err)
					if answer.ErrorCode == kerr.UnknownServerError.Code {
						b.log.Error("transaction marker append failed", "topic", t.Topic, "partition", partition, "producer_id", m.ProducerID, "err", err)
					}
					continue
				}
				appended = append(appended, p)
				w := &writtenMarker{answer: answer, producerID: m.ProducerID, commit: m.Committed}
				w.producedPartition = producedPartition{p: p, lastOffset: res.LastOffset, term: term}
				written = append(written, w)
			}
		}
	}
	for _, p := range appended {
		p.appendedAsLeader()
	}
	return resp, func() {
		pending := make([]producedPartition, len(written))
		for i, w := range written {
			pending[i] = w.producedPartition
			pending[i].resp = &w.scratch
		}
		waitReplicated(pending, markerWriteTimeout, b.stop, b.lostSession())
		for _, w := range written {
			w.answer.ErrorCode = w.scratch.ErrorCode
			if w.scratch.ErrorCode == 0 && w.p.tp.topic == offsetsTopic {
				b.groups.CompleteTxn(w.p.tp.partition, w.producerID, w.commit)
			}
		}
	}
}

// appendMarker appends one marker as the partition's leader (appendLeading), refused
// under min.insync.replicas as Kafka's acks=all append is.
func (b *Broker) appendMarker(img *metadata.Image, topic string, partition int32, m storage.TxnMarker) (*Partition, storage.AppendResult, uint64, error) {
	return b.appendLeading(img, topic, partition, func(p *Partition, st partitionState) (storage.AppendResult, error) {
		if len(st.isr) < st.minISR {
			return storage.AppendResult{}, kerr.NotEnoughReplicas
		}
		return p.log.AppendTxnMarker(m, st.leaderEpoch)
	})
}
