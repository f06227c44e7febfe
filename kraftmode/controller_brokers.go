package kraftmode

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

// producerIDBlockSize is Kafka's ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE.
const producerIDBlockSize = 1000

// RegisterBroker writes a RegisterBrokerRecord and returns the broker epoch, which in
// KRaft is the log offset of that record (QuorumController.registerBroker uses
// nextWriteOffset); here it is the Raft index the batch is expected to get (see
// nextOffset). As in Kafka the broker starts fenced: its heartbeats unfence it once it
// has read the log up to its own registration, so it never serves from a stale image.
// A broker id whose current registration still has a live session belongs to another
// process unless the incarnation is the same.
func (c *Controller) RegisterBroker(_ context.Context, reg metadata.BrokerRegistration) (int64, error) {
	if err := c.lockWriter(); err != nil {
		return 0, err
	}
	defer c.writeMu.Unlock()
	at := c.activeTerm()
	if at == nil {
		return 0, c.notController()
	}

	img := c.Image()
	if err := c.checkMigrationRegistration(img, reg); err != nil {
		return 0, err
	}
	mv := img.MetadataVersion()
	if err := checkBrokerFeatures(reg, mv); err != nil {
		return 0, err
	}
	old, registered := img.Brokers[reg.BrokerID]
	inPlace := registered && movesToQuorumInPlace(old, reg)
	if registered && !inPlace {
		if !old.Fenced && at.sessions.alive(old.ID, old.Epoch, time.Now()) && old.IncarnationID != reg.IncarnationID {
			return 0, kafkaErr(kerr.DuplicateBrokerRegistration, "Another broker is registered with that broker id.")
		}
		// The new registration is fenced; the old one must not keep leading meanwhile.
		if !old.Fenced {
			if _, _, err := c.appendChunks(c.brokerRemovedUpdates(img, old.ID)); err != nil {
				return 0, fmt.Errorf("move leadership off broker %d before it re-registers: %w", old.ID, err)
			}
		}
	}
	epoch := c.nextOffset()
	rec := metadata.NewRegisterBrokerRecord()
	rec.Version = metadata.RecordVersionFor(metadata.APIKeyRegisterBroker, mv)
	rec.BrokerID = reg.BrokerID
	rec.IsMigratingZkBroker = reg.IsMigratingZkBroker
	rec.IncarnationID = reg.IncarnationID
	rec.BrokerEpoch = epoch
	rec.EndPoints = slices.Clone(reg.Endpoints)
	rec.Features = slices.Clone(reg.Features)
	if reg.Rack != "" {
		rack := reg.Rack
		rec.Rack = &rack
	}
	rec.Fenced = !inPlace
	rec.LogDirs = slices.Clone(reg.LogDirs)
	if _, err := c.appendLocked([]metadata.Record{rec}); err != nil {
		return 0, err
	}
	at.sessions.register(reg.BrokerID, epoch, time.Now())
	c.log.Info("registered broker", "broker.id", reg.BrokerID, "broker.epoch", epoch, "incarnation", reg.IncarnationID, "rack", reg.Rack,
		"migrating_zk_broker", reg.IsMigratingZkBroker, "moved_to_quorum_in_place", inPlace)
	return epoch, nil
}

// UnregisterBroker removes a broker's registration (UnregisterBroker, API 64), after
// taking it out of every ISR and leadership, as ReplicationControlManager does.
func (c *Controller) UnregisterBroker(_ context.Context, brokerID int32) error {
	if err := c.lockWriter(); err != nil {
		return err
	}
	defer c.writeMu.Unlock()
	at := c.activeTerm()
	if at == nil {
		return c.notController()
	}
	img := c.Image()
	b, ok := img.Brokers[brokerID]
	if !ok {
		return kafkaErr(kerr.BrokerIDNotRegistered, "Broker ID %d is not currently registered", brokerID)
	}
	changes := c.brokerRemovedUpdates(img, brokerID)
	recs := append(changes, &metadata.UnregisterBrokerRecord{BrokerID: brokerID, BrokerEpoch: b.Epoch})
	if _, _, err := c.appendChunks(recs); err != nil {
		return fmt.Errorf("unregister broker %d: %w", brokerID, err)
	}
	at.sessions.remove(brokerID)
	c.log.Info("unregistered broker", "broker.id", brokerID, "broker.epoch", b.Epoch, "partition_changes", len(changes))
	return nil
}

// fenceStaleBrokers fences every unfenced broker whose session expired. Brokers are
// fenced one after another, each against the image the previous one left, so that no
// partition's leadership moves to a broker that is itself about to be fenced
// (Kafka's maybeFenceOneStaleBroker).
func (c *Controller) fenceStaleBrokers(at *activeTerm) {
	if err := c.lockWriter(); err != nil {
		return
	}
	defer c.writeMu.Unlock()
	if c.activeTerm() != at {
		return
	}
	for _, id := range at.sessions.stale(c.Image(), time.Now()) {
		img := c.Image()
		b := img.Brokers[id]
		changes := c.brokerRemovedUpdates(img, id)
		recs := append(changes, brokerFencingRecord(img.MetadataVersion(), id, b.Epoch, true))
		if _, _, err := c.appendChunks(recs); err != nil {
			c.log.Warn("fencing a broker whose session timed out failed", "broker.id", id, "err", err)
			return
		}
		at.sessions.fenced(id)
		c.log.Info("fenced broker: its session timed out", "broker.id", id, "broker.epoch", b.Epoch,
			"session_timeout", c.opts.BrokerSessionTimeout, "partition_changes", len(changes))
	}
}

// fenceSweepInterval is how often the active controller looks for expired sessions:
// a dead broker is fenced within a quarter of its session timeout (and at most 250 ms)
// after its session ends, which bounds how long its partitions stay unavailable.
func fenceSweepInterval(timeout time.Duration) time.Duration {
	return max(min(timeout/4, 250*time.Millisecond), time.Millisecond)
}

// metadataVersion3_3IV2 is the first level with BrokerRegistrationChangeRecord.
const metadataVersion3_3IV2 int16 = 6

// brokerFencingRecord fences or unfences a broker: a BrokerRegistrationChangeRecord
// from 3.3-IV2, the legacy Fence/UnfenceBrokerRecord before. Kafka writes the change
// record at version 0, which carries the Fenced tag.
func brokerFencingRecord(mv int16, id int32, epoch int64, fence bool) metadata.Record {
	if mv < metadataVersion3_3IV2 {
		if fence {
			return &metadata.FenceBrokerRecord{ID: id, Epoch: epoch}
		}
		return &metadata.UnfenceBrokerRecord{ID: id, Epoch: epoch}
	}
	rec := metadata.NewBrokerRegistrationChangeRecord()
	rec.Version = 0
	rec.BrokerID = id
	rec.BrokerEpoch = epoch
	rec.Fenced = metadata.BrokerFencingUnfence
	if fence {
		rec.Fenced = metadata.BrokerFencingFence
	}
	return rec
}

// controlledShutdownRecord marks a broker as in controlled shutdown (version 1 of the
// change record, from 3.3-IV3); nil before that level, where only the controller's
// session state knows it.
func controlledShutdownRecord(mv int16, id int32, epoch int64) metadata.Record {
	if mv < metadata.MetadataVersion3_3IV3 {
		return nil
	}
	rec := metadata.NewBrokerRegistrationChangeRecord()
	rec.Version = 1
	rec.BrokerID = id
	rec.BrokerEpoch = epoch
	rec.InControlledShutdown = metadata.BrokerControlledShutdownActive
	return rec
}

// checkBrokerFeatures refuses a broker that cannot read the log at the cluster's
// metadata.version, as ClusterControlManager.registerBroker does. A broker that does not
// list metadata.version is accepted.
func checkBrokerFeatures(reg metadata.BrokerRegistration, mv int16) error {
	for _, f := range reg.Features {
		if f.Name == metadata.FeatureMetadataVersion && (mv < f.MinVersion || mv > f.MaxVersion) {
			return kafkaErr(kerr.UnsupportedVersion,
				"Unable to register because the broker does not support version %d of metadata.version. It wants a version between %d and %d, inclusive.",
				mv, f.MinVersion, f.MaxVersion)
		}
	}
	return nil
}

// AllocateProducerIDs hands the broker the next block of 1000 producer ids and records
// the new high-water mark, so no id is ever handed out twice, even across failover.
func (c *Controller) AllocateProducerIDs(_ context.Context, brokerID int32, brokerEpoch int64) (int64, int32, error) {
	if err := c.lockGatedWriter(); err != nil {
		return 0, 0, err
	}
	defer c.writeMu.Unlock()

	img := c.Image()
	b, ok := img.Brokers[brokerID]
	if !ok {
		return 0, 0, kafkaErr(kerr.StaleBrokerEpoch, "No broker registration found for broker %d", brokerID)
	}
	if b.Epoch != brokerEpoch {
		return 0, 0, kafkaErr(kerr.StaleBrokerEpoch, "Expected broker epoch %d, but got %d", b.Epoch, brokerEpoch)
	}
	first := img.ProducerIDs.NextProducerID
	if first > math.MaxInt64-producerIDBlockSize {
		return 0, 0, kafkaErr(kerr.UnknownServerError, "Exhausted all producerIds as the next block's end producerId has exceeded the int64 type limit")
	}
	rec := metadata.NewProducerIdsRecord()
	rec.BrokerID = brokerID
	rec.BrokerEpoch = brokerEpoch
	rec.NextProducerID = first + producerIDBlockSize
	if _, err := c.appendLocked([]metadata.Record{rec}); err != nil {
		return 0, 0, err
	}
	return first, producerIDBlockSize, nil
}

// movesToQuorumInPlace tells a migrating ZooKeeper broker that switched its metadata
// source to the quorum without restarting: the same incarnation, live and unfenced,
// registering again without IsMigratingZkBroker. Its registration is replaced
// unfenced and its leaderships stay, since the broker never stopped serving them;
// this is how the controller learns that the broker has moved.
func movesToQuorumInPlace(old *metadata.Broker, reg metadata.BrokerRegistration) bool {
	return old.IncarnationID == reg.IncarnationID && !old.Fenced && old.IsMigratingZkBroker && !reg.IsMigratingZkBroker
}
