package zkmode

import (
	"context"
	"errors"
	"slices"

	"github.com/go-zookeeper/zk"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// AlterPartition is a ZooKeeper-mode partition leader changing its own partitions'
// ISRs, as Kafka's leaders did before IBP 2.7 (Partition.shrinkIsr/expandIsr →
// zkClient.conditionalUpdatePath): each change is checked with metadata.CheckISRChange,
// the rules the KRaft controller applies, against the partition as the image has it,
// and written to the partition's state znode with the leader, leader epoch and
// controller epoch it holds and the new ISR and leader recovery state, conditional on
// the zkVersion the leader saw (its partition epoch). A write that loses to the
// controller (a new leader, a new epoch) fails with INVALID_UPDATE_VERSION and the leader
// waits for the image that shows why. A change to what the partition already holds is
// not written.
//
// The request fails whole with STALE_BROKER_EPOCH when brokerEpoch is not the broker's
// current registration (its /brokers/ids znode's czxid): a request made before a
// session expiry must not change ISRs the new registration may not lead. Results are in
// request order; a written change's State is the partition with the new ISR and the
// znode's new zkVersion as partition epoch, a refused one's the partition as the image
// has it (reloaded when this call wrote or lost a race). After any write the call
// returns only when the image holds the new partition epoch.
//
// Kafka before 2.7 also announced every ISR change with a sequential
// /isr_change_notification/isr_change_ znode for the controller to propagate through
// UpdateMetadata; Kafka 2.7+ leaders send AlterIsr to the controller instead. None is
// written here: every broker's Source watches the state znodes themselves.
func (s *Source) AlterPartition(ctx context.Context, brokerID int32, brokerEpoch int64, changes []metadata.ISRChange) ([]metadata.ISRChangeResult, error) {
	if err := s.checkNotMigrating("AlterPartition"); err != nil {
		return nil, err
	}
	if err := s.checkBrokerEpoch(ctx, brokerID, brokerEpoch); err != nil {
		return nil, err
	}
	img := s.Image()
	results := make([]metadata.ISRChangeResult, len(changes))
	reload := false
	var w *FencedWriter // one fenced writer for every write of the request
	for i, ch := range changes {
		res := &results[i]
		res.TopicID, res.Partition = ch.TopicID, ch.Partition
		t, ok := img.TopicsByID[ch.TopicID]
		if !ok {
			res.Err = metadata.Errorf(kerr.UnknownTopicID, "Topic id %s does not exist.", ch.TopicID)
			continue
		}
		p, ok := t.Partitions[ch.Partition]
		if !ok {
			res.Err = metadata.Errorf(kerr.UnknownTopicOrPartition, "Partition %s-%d does not exist.", t.Name, ch.Partition)
			continue
		}
		res.State = p
		if err := metadata.CheckISRChange(img, brokerID, t.Name, p, ch); err != nil {
			res.Err = err
			continue
		}
		if slices.Equal(p.ISR, ch.NewISR) && p.LeaderRecoveryState == ch.LeaderRecoveryState {
			continue
		}
		// Written or refused by ZooKeeper, the image is now behind the state znode.
		reload = true
		if w == nil {
			var err error
			if w, err = s.brokerWriter(ctx, "AlterPartition"); err != nil {
				res.Err = err
				continue
			}
		}
		if state, err := s.writeISR(ctx, w, t.Name, p, ch); err != nil {
			res.Err = err
		} else {
			res.State = state
		}
	}
	if reload {
		s.waitReload(ctx)
		after := s.Image()
		for i := range results {
			res := &results[i]
			if res.Err == nil || res.State == nil {
				continue
			}
			if t, ok := after.TopicsByID[res.TopicID]; ok && t.Partitions[res.Partition] != nil {
				res.State = t.Partitions[res.Partition]
			}
		}
	}
	return results, nil
}

// checkBrokerEpoch refuses a request from a registration that is no longer current:
// for this broker, the epoch of its own latest registration; for any broker, the epoch
// the image holds, read again once in case the image has not caught up with a
// registration made just before.
func (s *Source) checkBrokerEpoch(ctx context.Context, brokerID int32, brokerEpoch int64) error {
	if brokerID == s.opts.BrokerID {
		if current := s.Epoch(); current != brokerEpoch {
			return metadata.Errorf(kerr.StaleBrokerEpoch, "Expected broker epoch %d, but got broker epoch %d", current, brokerEpoch)
		}
	}
	err := imageBrokerEpoch(s.Image(), brokerID, brokerEpoch)
	if err != nil {
		s.waitReload(ctx)
		err = imageBrokerEpoch(s.Image(), brokerID, brokerEpoch)
	}
	return err
}

// imageBrokerEpoch is the KRaft controller's broker epoch check against img.
func imageBrokerEpoch(img *metadata.Image, brokerID int32, brokerEpoch int64) error {
	b, ok := img.Brokers[brokerID]
	if !ok {
		return metadata.Errorf(kerr.StaleBrokerEpoch, "No broker registration found for broker %d", brokerID)
	}
	if b.Epoch != brokerEpoch {
		return metadata.Errorf(kerr.StaleBrokerEpoch, "Expected broker epoch %d, but got broker epoch %d", b.Epoch, brokerEpoch)
	}
	return nil
}

// writeISR writes one checked change to the partition's state znode through w,
// conditional on the partition epoch the leader saw, and returns the partition as
// written.
func (s *Source) writeISR(ctx context.Context, w *FencedWriter, topic string, p *metadata.Partition, ch metadata.ISRChange) (*metadata.Partition, error) {
	path := znode.TopicPartitionStatePath(topic, p.ID)
	data, _, err := s.conn.Get(ctx, path)
	switch {
	case errors.Is(err, zk.ErrNoNode):
		return nil, metadata.Errorf(kerr.UnknownTopicOrPartition, "Partition %s-%d does not exist.", topic, p.ID)
	case err != nil:
		return nil, zkWriteError(err, "alter ISR of %s-%d", topic, p.ID)
	}
	cur, err := znode.DecodePartitionState(data)
	if err != nil {
		return nil, metadata.Errorf(kerr.UnknownServerError, "alter ISR of %s-%d: %v", topic, p.ID, decodeError(path, err))
	}
	// The leader, the leader epoch and the controller epoch stay as they are; if the
	// znode read is newer than the partition epoch the leader saw, the write below fails.
	next := znode.PartitionState{
		Leader:              cur.Leader,
		LeaderEpoch:         cur.LeaderEpoch,
		ControllerEpoch:     cur.ControllerEpoch,
		ISR:                 slices.Clone(ch.NewISR),
		LeaderRecoveryState: ch.LeaderRecoveryState,
	}
	res, err := w.Multi(ctx, &zk.SetDataRequest{Path: path, Data: znode.EncodePartitionState(next), Version: ch.PartitionEpoch})
	switch {
	case errors.Is(err, ErrControllerMoved):
		return nil, brokerWriteError(err, "alter ISR of %s-%d", topic, p.ID)
	case errors.Is(err, zk.ErrBadVersion):
		return nil, metadata.Errorf(kerr.InvalidUpdateVersion, "The partition epoch of %s-%d is no longer %d.", topic, p.ID, ch.PartitionEpoch)
	case errors.Is(err, zk.ErrNoNode):
		return nil, metadata.Errorf(kerr.UnknownTopicOrPartition, "Partition %s-%d does not exist.", topic, p.ID)
	case err != nil:
		return nil, zkWriteError(err, "alter ISR of %s-%d", topic, p.ID)
	}
	stat := res[0].Stat
	s.log.Info("changed ISR", "topic", topic, "partition", p.ID, "isr", next.ISR,
		"leader_recovery_state", next.LeaderRecoveryState, "partition_epoch", stat.Version)
	written := *p
	written.ISR = next.ISR
	written.LeaderRecoveryState = next.LeaderRecoveryState
	written.PartitionEpoch = stat.Version
	return &written, nil
}
