package metadata

import (
	"slices"
	"strconv"
	"strings"
)

// Election is the kind of leader election a partition change runs, as in Kafka's
// PartitionChangeBuilder.Election.
type Election int8

const (
	// ElectOnline keeps the partition online from its ISR: the current leader stays
	// if it still may lead, else the first ISR member (in replica order) that may.
	ElectOnline Election = iota
	// ElectPreferred moves leadership to the first replica when it may lead.
	ElectPreferred
	// ElectUnclean is ElectOnline that, failing an ISR member, takes any replica that
	// may lead and makes it the whole ISR, accepting the loss of what it missed.
	ElectUnclean
)

// Metadata versions that change what a partition change writes (MetadataVersion.java).
const (
	// MetadataVersion3_2IV0 marks an unclean leader RECOVERING (KIP-704).
	MetadataVersion3_2IV0 int16 = 3
	// MetadataVersion3_6IV0 stops bumping the leader epoch on an ISR shrink, a
	// workaround for brokers before 3.6 (KAFKA-15021).
	MetadataVersion3_6IV0 int16 = 12
)

// PartitionChange computes one PartitionChangeRecord the way Kafka's
// PartitionChangeBuilder does, without reassignment and ELR, which neither of our
// controllers writes: elect a leader, set the target ISR, and write nothing when nothing
// changes. Keeping one builder for every caller (fencing, unfencing, AlterPartition,
// elections) and for both modes' controllers is what keeps their leader choices
// consistent; the ZooKeeper controller turns the record into a state znode.
type PartitionChange struct {
	MetadataVersion int16
	TopicID         Uuid
	Part            *Partition
	// TargetISR is the ISR wanted; TargetLRS the leader recovery state wanted.
	TargetISR []int32
	TargetLRS int8
	Election  Election
	// MayLead reports whether a broker may become (or stay) leader.
	MayLead func(id int32) bool
}

// NewPartitionChange starts a change that keeps the partition's ISR and recovery state.
func NewPartitionChange(mv int16, topicID Uuid, p *Partition, mayLead func(int32) bool) *PartitionChange {
	return &PartitionChange{
		MetadataVersion: mv,
		TopicID:         topicID,
		Part:            p,
		TargetISR:       p.ISR,
		TargetLRS:       p.LeaderRecoveryState,
		Election:        ElectOnline,
		MayLead:         mayLead,
	}
}

// Build returns the record, or nil when the partition would not change.
func (pc *PartitionChange) Build() *PartitionChangeRecord {
	p := pc.Part
	rec := NewPartitionChangeRecord()
	rec.Version = RecordVersionFor(APIKeyPartitionChange, pc.MetadataVersion)
	rec.TopicID = pc.TopicID
	rec.PartitionID = p.ID

	leader, unclean := pc.electLeader()
	if leader != p.Leader {
		rec.Leader = leader
		if unclean {
			rec.ISR = []int32{leader}
			if p.LeaderRecoveryState != LeaderRecoveryStateRecovering && pc.MetadataVersion >= MetadataVersion3_2IV0 {
				rec.LeaderRecoveryState = LeaderRecoveryStateRecovering
			}
		}
	}
	// Without ELR an ISR is never emptied: its last member stays, so that the replica
	// most likely to hold every acknowledged record is the one that leads again.
	if rec.ISR == nil && len(pc.TargetISR) > 0 && !slices.Equal(pc.TargetISR, p.ISR) {
		rec.ISR = slices.Clone(pc.TargetISR)
	}
	if pc.MetadataVersion < MetadataVersion3_6IV0 && rec.Leader == NoLeaderChange && rec.ISR != nil && !containsAll(rec.ISR, p.ISR) {
		rec.Leader = p.Leader
	}
	if pc.TargetLRS != p.LeaderRecoveryState {
		rec.LeaderRecoveryState = pc.TargetLRS
	}
	if rec.ISR == nil && rec.Leader == NoLeaderChange && rec.LeaderRecoveryState == LeaderRecoveryStateNoChange {
		return nil
	}
	return rec
}

// electLeader returns the leader the partition should have and whether choosing it
// was unclean (it is not in the target ISR).
func (pc *PartitionChange) electLeader() (int32, bool) {
	p := pc.Part
	if pc.Election == ElectPreferred {
		if len(p.Replicas) > 0 && pc.validLeader(p.Replicas[0]) {
			return p.Replicas[0], false
		}
		if pc.validLeader(p.Leader) {
			return p.Leader, false
		}
		for _, r := range p.Replicas[min(1, len(p.Replicas)):] {
			if pc.validLeader(r) {
				return r, false
			}
		}
		return NoLeader, false
	}
	if pc.validLeader(p.Leader) {
		return p.Leader, false
	}
	for _, r := range p.Replicas {
		if pc.validLeader(r) {
			return r, false
		}
	}
	if pc.Election == ElectUnclean {
		for _, r := range p.Replicas {
			if pc.MayLead(r) {
				return r, true
			}
		}
	}
	return NoLeader, false
}

func (pc *PartitionChange) validLeader(id int32) bool {
	return slices.Contains(pc.TargetISR, id) && pc.MayLead(id)
}

// containsAll reports whether every member of sub is in set.
func containsAll(set, sub []int32) bool {
	for _, id := range sub {
		if !slices.Contains(set, id) {
			return false
		}
	}
	return true
}

// UncleanLeaderElectionConfig is the topic (and broker) config that allows electing a
// leader from outside the ISR.
const UncleanLeaderElectionConfig = "unclean.leader.election.enable"

// UncleanElectionEnabled resolves unclean.leader.election.enable for a topic as Kafka's
// controller does: the topic's config, else the controller's own broker config
// (nodeID), else the cluster-wide broker default, else static, the server.properties
// value.
func UncleanElectionEnabled(img *Image, topic string, nodeID int32, static bool) bool {
	for _, res := range []ConfigResource{
		{Type: ConfigResourceTopic, Name: topic},
		{Type: ConfigResourceBroker, Name: strconv.Itoa(int(nodeID))},
		{Type: ConfigResourceBroker, Name: ""},
	} {
		if v, ok := img.Configs[res][UncleanLeaderElectionConfig]; ok {
			return strings.EqualFold(v, "true") // Java's Boolean.parseBoolean
		}
	}
	return static
}
