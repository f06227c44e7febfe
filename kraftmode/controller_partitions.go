package kraftmode

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

// AlterPartition applies a partition leader's ISR changes as Kafka's
// ReplicationControlManager.alterPartition does: each change is checked against the
// partition as the controller has it, and the valid ones are written together as
// PartitionChangeRecords that change the ISR (and leader recovery state), never the
// leader. A refused change carries the partition's current state so the leader can
// retry from it.
func (c *Controller) AlterPartition(_ context.Context, brokerID int32, brokerEpoch int64, changes []metadata.ISRChange) ([]metadata.ISRChangeResult, error) {
	if err := c.lockGatedWriter(); err != nil {
		return nil, err
	}
	defer c.writeMu.Unlock()

	img := c.Image()
	if err := checkBrokerEpoch(img, brokerID, brokerEpoch); err != nil {
		return nil, err
	}
	mv := img.MetadataVersion()
	mayLead := func(id int32) bool { return img.IsActiveBroker(id) }
	results := make([]metadata.ISRChangeResult, len(changes))
	var recs []metadata.Record
	var written []int
	for i, ch := range changes {
		res := &results[i]
		res.TopicID, res.Partition = ch.TopicID, ch.Partition
		t, ok := img.TopicsByID[ch.TopicID]
		if !ok {
			res.Err = kafkaErr(kerr.UnknownTopicID, "Topic id %s does not exist.", ch.TopicID)
			continue
		}
		p, ok := t.Partitions[ch.Partition]
		if !ok {
			res.Err = kafkaErr(kerr.UnknownTopicOrPartition, "Partition %s-%d does not exist.", t.Name, ch.Partition)
			continue
		}
		res.State = p
		if err := metadata.CheckISRChange(img, brokerID, t.Name, p, ch); err != nil {
			res.Err = err
			continue
		}
		pc := metadata.NewPartitionChange(mv, t.ID, p, mayLead)
		pc.TargetISR = ch.NewISR
		pc.TargetLRS = ch.LeaderRecoveryState
		if c.uncleanElectionEnabled(img, t.Name) {
			pc.Election = metadata.ElectUnclean
		}
		if rec := pc.Build(); rec != nil {
			recs = append(recs, rec)
			written = append(written, i)
		}
	}
	if _, err := c.appendLocked(recs); err != nil {
		return nil, fmt.Errorf("alter partitions for broker %d: %w", brokerID, err)
	}
	after := c.Image()
	for _, i := range written {
		if t, ok := after.TopicsByID[results[i].TopicID]; ok {
			results[i].State = t.Partitions[results[i].Partition]
		}
	}
	if len(written) > 0 {
		c.log.Debug("altered ISRs", "broker.id", brokerID, "partitions", len(written))
	}
	return results, nil
}

// checkBrokerEpoch is ClusterControlManager.checkBrokerEpoch: a request from a broker
// that is not registered, or from an earlier registration, is refused whole.
func checkBrokerEpoch(img *metadata.Image, brokerID int32, brokerEpoch int64) error {
	b, ok := img.Brokers[brokerID]
	if !ok {
		return kafkaErr(kerr.StaleBrokerEpoch, "No broker registration found for broker %d", brokerID)
	}
	if b.Epoch != brokerEpoch {
		return kafkaErr(kerr.StaleBrokerEpoch, "Expected broker epoch %d, but got broker epoch %d", b.Epoch, brokerEpoch)
	}
	return nil
}

// ElectLeaders runs a preferred or unclean election (ElectLeaders, API 43) as
// ReplicationControlManager.electLeaders does. A nil map means every partition, and
// then partitions that need no election are left out of the results, as in Kafka.
func (c *Controller) ElectLeaders(_ context.Context, unclean bool, partitions map[string][]int32) ([]metadata.ElectionResult, error) {
	if err := c.lockGatedWriter(); err != nil {
		return nil, err
	}
	defer c.writeMu.Unlock()

	img := c.Image()
	all := partitions == nil
	if all {
		partitions = make(map[string][]int32, len(img.Topics))
		for name, t := range img.Topics {
			partitions[name] = slices.Sorted(maps.Keys(t.Partitions))
		}
	}
	var results []metadata.ElectionResult
	var recs []metadata.Record
	var planned []int
	for _, name := range slices.Sorted(maps.Keys(partitions)) {
		for _, id := range partitions[name] {
			rec, err := c.electLeader(img, name, id, unclean)
			if all && errors.Is(err, kerr.ElectionNotNeeded) {
				continue
			}
			results = append(results, metadata.ElectionResult{Topic: name, Partition: id, Err: err})
			if rec != nil {
				recs = append(recs, rec)
				planned = append(planned, len(results)-1)
			}
		}
	}
	_, written, err := c.appendChunks(recs)
	for _, i := range planned[written:] {
		results[i].Err = fmt.Errorf("elect leader of %s-%d: %w", results[i].Topic, results[i].Partition, err)
	}
	if written > 0 {
		c.log.Info("elected partition leaders on request", "unclean", unclean, "partitions", written)
	}
	return results, nil
}

// electLeader is ReplicationControlManager.electLeader for one partition: the record
// to write, or why there is none.
func (c *Controller) electLeader(img *metadata.Image, topic string, id int32, unclean bool) (*metadata.PartitionChangeRecord, error) {
	t, ok := img.Topics[topic]
	if !ok {
		return nil, kafkaErr(kerr.UnknownTopicOrPartition, "No such topic as %s", topic)
	}
	p, ok := t.Partitions[id]
	if !ok {
		return nil, kafkaErr(kerr.UnknownTopicOrPartition, "No such partition as %s-%d", topic, id)
	}
	if (!unclean && len(p.Replicas) > 0 && p.Leader == p.Replicas[0]) || (unclean && p.Leader != metadata.NoLeader) {
		return nil, kerr.ElectionNotNeeded
	}
	pc := metadata.NewPartitionChange(img.MetadataVersion(), t.ID, p, func(r int32) bool { return img.IsActiveBroker(r) })
	pc.Election = metadata.ElectPreferred
	if unclean {
		pc.Election = metadata.ElectUnclean
	}
	rec := pc.Build()
	switch {
	case rec != nil:
		return rec, nil
	case unclean:
		return nil, kerr.EligibleLeadersNotAvailable
	}
	return nil, kerr.PreferredLeaderNotAvailable
}
