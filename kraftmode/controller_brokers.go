package kraftmode

import (
	"context"
	"math"
	"slices"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

// producerIDBlockSize is Kafka's ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE.
const producerIDBlockSize = 1000

// RegisterBroker writes a RegisterBrokerRecord and returns the broker epoch, which in
// KRaft is the log offset of that record (QuorumController.registerBroker uses
// nextWriteOffset); here it is the Raft index the batch is expected to get (see
// nextOffset). The broker is registered unfenced: until heartbeats exist nothing would
// ever unfence it, and a combined node must be able to lead its partitions.
func (c *Controller) RegisterBroker(_ context.Context, reg metadata.BrokerRegistration) (int64, error) {
	if err := c.lockWriter(); err != nil {
		return 0, err
	}
	defer c.writeMu.Unlock()

	mv := c.Image().MetadataVersion()
	if err := checkBrokerFeatures(reg, mv); err != nil {
		return 0, err
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
	rec.Fenced = false
	rec.LogDirs = slices.Clone(reg.LogDirs)
	if _, err := c.appendLocked([]metadata.Record{rec}); err != nil {
		return 0, err
	}
	c.log.Info("registered broker", "broker.id", reg.BrokerID, "broker.epoch", epoch, "incarnation", reg.IncarnationID)
	return epoch, nil
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
	if err := c.lockWriter(); err != nil {
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
