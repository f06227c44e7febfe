package zkmode

import (
	"errors"
	"log/slog"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// liveBrokers tells whether a broker is live as a ZooKeeper controller sees it:
// registered in /brokers/ids. Only live brokers may lead or stay in an ISR.
func liveBrokers(img *metadata.Image) func(int32) bool {
	return func(id int32) bool {
		_, ok := img.Brokers[id]
		return ok
	}
}

// hasStateZNode tells whether a partition has a state znode: the Tree loads one
// without as leaderless with epochs -1, and a zkVersion is never negative.
func hasStateZNode(p *metadata.Partition) bool { return p.PartitionEpoch >= 0 }

// stateUpdate is a partition's next state znode, computed from the state at
// prev.PartitionEpoch (the znode's zkVersion) and written only over that version:
// if the leader changed the ISR meanwhile, the write fails and the partition is
// decided again from the newer state.
type stateUpdate struct {
	topic     string
	partition int32
	prev      *metadata.Partition
	next      znode.PartitionState
}

// newStateUpdate turns what metadata.PartitionChange decided into the state znode.
// The leader epoch goes up by one on every write, as Kafka's ZooKeeper controller
// bumps it on every leader-and-ISR change it makes (LeaderAndIsr.newLeaderAndIsr),
// and controller_epoch names the term that wrote it.
func (t *controllerTerm) newStateUpdate(topic string, p *metadata.Partition, rec *metadata.PartitionChangeRecord) stateUpdate {
	next := znode.PartitionState{
		Leader:              p.Leader,
		LeaderEpoch:         p.LeaderEpoch + 1,
		ControllerEpoch:     t.w.Epoch(),
		ISR:                 p.ISR,
		LeaderRecoveryState: p.LeaderRecoveryState,
	}
	if rec.Leader != metadata.NoLeaderChange {
		next.Leader = rec.Leader
	}
	if rec.ISR != nil {
		next.ISR = rec.ISR
	}
	if rec.LeaderRecoveryState != metadata.LeaderRecoveryStateNoChange {
		next.LeaderRecoveryState = rec.LeaderRecoveryState
	}
	return stateUpdate{topic: topic, partition: p.ID, prev: p, next: next}
}

// unit is the conditional write of the state znode.
func (u stateUpdate) unit() writeUnit {
	return writeUnit{&zk.SetDataRequest{
		Path:    znode.TopicPartitionStatePath(u.topic, u.partition),
		Data:    znode.EncodePartitionState(u.next),
		Version: u.prev.PartitionEpoch,
	}}
}

// writeStates writes updates and logs each, with the reason they were made. errs[i]
// is update i's failure; a non-nil err ends the term.
func (t *controllerTerm) writeStates(reason string, updates []stateUpdate) (o outcome, errs []error, err error) {
	units := make([]writeUnit, len(updates))
	for i, u := range updates {
		units[i] = u.unit()
	}
	if errs, err = t.write(units); err != nil {
		return outcome{}, nil, err
	}
	o.add(errs)
	for i, u := range updates {
		t.logUpdate(reason, u, errs[i])
	}
	return o, errs, nil
}

// logUpdate logs one partition's state change (Kafka's state-change log).
func (t *controllerTerm) logUpdate(reason string, u stateUpdate, err error) {
	attrs := []any{
		"topic", u.topic, "partition", u.partition, "reason", reason,
		"leader", u.next.Leader, "previous_leader", u.prev.Leader,
		"leader_epoch", u.next.LeaderEpoch, "isr", u.next.ISR,
	}
	switch {
	case errors.Is(err, zk.ErrBadVersion):
		t.log.Debug("partition state changed meanwhile; deciding again on the next image", append(attrs, "err", err)...)
	case err != nil:
		t.log.Warn("partition state not written; trying again", append(attrs, "err", err)...)
	case u.next.Leader == metadata.NoLeader && u.prev.Leader != metadata.NoLeader:
		t.log.Warn("partition offline: no live replica may lead it", attrs...)
	case u.next.Leader != u.prev.Leader:
		level := slog.LevelInfo
		if !u.prev.InISR(u.next.Leader) {
			// An unclean election may lose acknowledged records: say so loudly.
			level = slog.LevelWarn
			attrs = append(attrs, "unclean", true)
		}
		t.log.Log(t.ctx, level, "elected partition leader", attrs...)
	default:
		t.log.Info("changed partition ISR", attrs...)
	}
}
