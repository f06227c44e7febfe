package metadata

import (
	"slices"

	"github.com/twmb/franz-go/pkg/kerr"
)

// CheckISRChange is validateAlterPartitionData, in Kafka's order. Epochs newer than the
// controller's mean the requester saw a newer controller, hence NOT_CONTROLLER; a
// request from a broker that is not the leader is malformed (INVALID_REQUEST), since
// only a leader's own epochs can match.
func CheckISRChange(img *Image, brokerID int32, topic string, p *Partition, ch ISRChange) error {
	switch {
	case ch.LeaderEpoch > p.LeaderEpoch:
		return Errorf(kerr.NotController, "The leader epoch %d of %s-%d is newer than the controller's %d.", ch.LeaderEpoch, topic, p.ID, p.LeaderEpoch)
	case ch.PartitionEpoch > p.PartitionEpoch:
		return Errorf(kerr.NotController, "The partition epoch %d of %s-%d is newer than the controller's %d.", ch.PartitionEpoch, topic, p.ID, p.PartitionEpoch)
	case ch.LeaderEpoch < p.LeaderEpoch:
		return Errorf(kerr.FencedLeaderEpoch, "The leader epoch of %s-%d is %d, not %d.", topic, p.ID, p.LeaderEpoch, ch.LeaderEpoch)
	case brokerID != p.Leader:
		return Errorf(kerr.InvalidRequest, "Broker %d is not the leader of %s-%d; the leader is %d.", brokerID, topic, p.ID, p.Leader)
	case ch.PartitionEpoch < p.PartitionEpoch:
		return Errorf(kerr.InvalidUpdateVersion, "The partition epoch of %s-%d is %d, not %d.", topic, p.ID, p.PartitionEpoch, ch.PartitionEpoch)
	case !validISR(p.Replicas, ch.NewISR):
		return Errorf(kerr.InvalidRequest, "The new ISR %v of %s-%d is not a set of its replicas %v.", ch.NewISR, topic, p.ID, p.Replicas)
	case !slices.Contains(ch.NewISR, p.Leader):
		return Errorf(kerr.InvalidRequest, "The new ISR %v of %s-%d does not include its leader %d.", ch.NewISR, topic, p.ID, p.Leader)
	case ch.LeaderRecoveryState != LeaderRecoveryStateRecovered && ch.LeaderRecoveryState != LeaderRecoveryStateRecovering:
		return Errorf(kerr.InvalidRequest, "Unknown leader recovery state %d.", ch.LeaderRecoveryState)
	case ch.LeaderRecoveryState == LeaderRecoveryStateRecovering && len(ch.NewISR) > 1:
		return Errorf(kerr.InvalidRequest, "The ISR of %s-%d may not grow while its leader is recovering from an unclean election.", topic, p.ID)
	case p.LeaderRecoveryState == LeaderRecoveryStateRecovered && ch.LeaderRecoveryState == LeaderRecoveryStateRecovering:
		return Errorf(kerr.InvalidRequest, "The leader recovery state of %s-%d cannot change from RECOVERED to RECOVERING.", topic, p.ID)
	}
	for _, id := range ch.NewISR {
		b, ok := img.Brokers[id]
		switch {
		case !ok:
			return Errorf(kerr.IneligibleReplica, "The new ISR of %s-%d includes broker %d, which is not registered.", topic, p.ID, id)
		case b.InControlledShutdown:
			return Errorf(kerr.IneligibleReplica, "The new ISR of %s-%d includes broker %d, which is shutting down.", topic, p.ID, id)
		case b.Fenced:
			return Errorf(kerr.IneligibleReplica, "The new ISR of %s-%d includes broker %d, which is fenced.", topic, p.ID, id)
		}
	}
	return nil
}

// validISR is Kafka's Replicas.validateIsr: no negative ids, no duplicates, and only
// replicas of the partition.
func validISR(replicas, isr []int32) bool {
	seen := make(map[int32]bool, len(isr))
	for _, id := range isr {
		if id < 0 || seen[id] || !slices.Contains(replicas, id) {
			return false
		}
		seen[id] = true
	}
	return true
}
