package broker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/broker/txn"
	"github.com/kbridge/kbridge/metadata"
)

// markerRetryBackoff is how long the marker channel waits before it sends again to
// partitions whose leader could not take their marker (Kafka's retry.backoff.ms).
const markerRetryBackoff = 100 * time.Millisecond

// errMarkersFenced ends a transaction's marker writes: a partition answered that the
// producer's epoch or the coordinator's epoch moved on, so a newer coordinator (or a
// newer producer) owns what happens next, as Kafka's marker completion handler decides.
var errMarkersFenced = errors.New("transaction markers fenced by a newer producer or coordinator epoch")

// markerChannel writes a transaction's markers to its partitions' leaders for this
// broker's transaction coordinator (Kafka's TransactionMarkerChannelManager): one
// WriteTxnMarkers per leader, locally when the leader is this broker, retried per
// partition until each is written or its topic is gone.
type markerChannel struct {
	b     *Broker
	peers *peerClients
}

// WriteMarkers implements txn.MarkerWriter.
func (mc markerChannel) WriteMarkers(ctx context.Context, m txn.Marker) error {
	pending := m.Partitions
	for {
		img := mc.b.Image()
		byLeader := map[int32][]txn.TopicPartition{}
		var retry []txn.TopicPartition
		for _, tp := range pending {
			t, ok := img.Topics[tp.Topic]
			switch {
			case !ok || t.Partitions[tp.Partition] == nil:
				// A deleted partition needs no marker: its producer's writes are gone.
				mc.b.log.Info("skipping transaction marker for a deleted partition", "transactional_id", m.TransactionalID, "topic", tp.Topic, "partition", tp.Partition)
			case t.Partitions[tp.Partition].Leader < 0:
				retry = append(retry, tp)
			default:
				leader := t.Partitions[tp.Partition].Leader
				byLeader[leader] = append(byLeader[leader], tp)
			}
		}
		var mu sync.Mutex
		var fenced error
		var wg sync.WaitGroup
		for leader, tps := range byLeader {
			wg.Add(1)
			go func() {
				defer wg.Done()
				again, err := mc.send(ctx, img, leader, m, tps)
				mu.Lock()
				defer mu.Unlock()
				retry = append(retry, again...)
				if err != nil {
					fenced = err
				}
			}()
		}
		wg.Wait()
		if fenced != nil {
			return fenced
		}
		if len(retry) == 0 {
			return nil
		}
		pending = retry
		select {
		case <-ctx.Done():
			return fmt.Errorf("write markers of %q: %w", m.TransactionalID, ctx.Err())
		case <-time.After(markerRetryBackoff):
		}
	}
}

// send writes m's markers for tps to leader and returns the partitions to try again.
func (mc markerChannel) send(ctx context.Context, img *metadata.Image, leader int32, m txn.Marker, tps []txn.TopicPartition) ([]txn.TopicPartition, error) {
	req := kmsg.NewPtrWriteTxnMarkersRequest()
	rm := kmsg.NewWriteTxnMarkersRequestMarker()
	rm.ProducerID, rm.ProducerEpoch, rm.Committed, rm.CoordinatorEpoch = m.ProducerID, m.ProducerEpoch, m.Commit, m.CoordinatorEpoch
	for topic, partitions := range partitionsByTopic(tps, func(tp txn.TopicPartition) topicPartition { return topicPartition{tp.Topic, tp.Partition} }) {
		t := kmsg.NewWriteTxnMarkersRequestMarkerTopic()
		t.Topic, t.Partitions = topic, partitions
		rm.Topics = append(rm.Topics, t)
	}
	req.Markers = append(req.Markers, rm)
	var resp *kmsg.WriteTxnMarkersResponse
	if leader == mc.b.id {
		r, wait := mc.b.appendTxnMarkers(req)
		wait()
		resp = r
	} else {
		sctx, cancel := context.WithTimeout(ctx, markerWriteTimeout+5*time.Second)
		defer cancel()
		r, err := mc.peers.request(sctx, img, leader, req)
		if err != nil {
			mc.b.log.Warn("sending transaction markers failed; retrying", "transactional_id", m.TransactionalID, "leader", leader, "err", err)
			return tps, nil
		}
		resp = r.(*kmsg.WriteTxnMarkersResponse)
	}
	var retry []txn.TopicPartition
	for _, rmk := range resp.Markers {
		for _, rt := range rmk.Topics {
			for _, rp := range rt.Partitions {
				tp := txn.TopicPartition{Topic: rt.Topic, Partition: rp.Partition}
				switch err := kerr.ErrorForCode(rp.ErrorCode); err {
				case nil:
				case kerr.UnknownTopicOrPartition, kerr.NotLeaderForPartition, kerr.NotEnoughReplicas,
					kerr.NotEnoughReplicasAfterAppend, kerr.RequestTimedOut, kerr.KafkaStorageError:
					retry = append(retry, tp)
				case kerr.InvalidProducerEpoch, kerr.TransactionCoordinatorFenced:
					return nil, fmt.Errorf("%w: %s-%d answered %v", errMarkersFenced, tp.Topic, tp.Partition, err)
				case kerr.UnsupportedForMessageFormat, kerr.UnsupportedVersion:
					// The producer could not have written there either.
				default:
					mc.b.log.Error("transaction marker refused; retrying", "transactional_id", m.TransactionalID, "topic", tp.Topic, "partition", tp.Partition, "err", err)
					retry = append(retry, tp)
				}
			}
		}
	}
	return retry, nil
}
