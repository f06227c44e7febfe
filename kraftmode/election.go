package kraftmode

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/kbridge/kbridge/metadata"
)

// election is the kind of leader election a partition change runs, as in Kafka's
// PartitionChangeBuilder.Election.
type election int8

const (
	// electOnline keeps the partition online from its ISR: the current leader stays
	// if it still may lead, else the first ISR member (in replica order) that may.
	electOnline election = iota
	// electPreferred moves leadership to the first replica when it may lead.
	electPreferred
	// electUnclean is electOnline that, failing an ISR member, takes any replica that
	// may lead and makes it the whole ISR, accepting the loss of what it missed.
	electUnclean
)

// Metadata versions that change what a partition change writes (MetadataVersion.java).
const (
	// metadataVersion3_2IV0 marks an unclean leader RECOVERING (KIP-704).
	metadataVersion3_2IV0 int16 = 3
	// metadataVersion3_6IV0 stops bumping the leader epoch on an ISR shrink, a
	// workaround for brokers before 3.6 (KAFKA-15021).
	metadataVersion3_6IV0 int16 = 12
)

// partitionChange computes one PartitionChangeRecord the way Kafka's
// PartitionChangeBuilder does, without reassignment and ELR, which this controller
// never writes: elect a leader, set the target ISR, and write nothing when nothing
// changes. Keeping one builder for every caller (fencing, unfencing, AlterPartition,
// elections) is what keeps their leader choices consistent.
type partitionChange struct {
	mv        int16
	topicID   metadata.Uuid
	part      *metadata.Partition
	targetISR []int32
	targetLRS int8
	election  election
	// mayLead reports whether a broker may become (or stay) leader.
	mayLead func(id int32) bool
}

// newPartitionChange starts a change that keeps the partition's ISR and recovery state.
func newPartitionChange(mv int16, topicID metadata.Uuid, p *metadata.Partition, mayLead func(int32) bool) *partitionChange {
	return &partitionChange{
		mv:        mv,
		topicID:   topicID,
		part:      p,
		targetISR: p.ISR,
		targetLRS: p.LeaderRecoveryState,
		election:  electOnline,
		mayLead:   mayLead,
	}
}

// build returns the record, or nil when the partition would not change.
func (pc *partitionChange) build() *metadata.PartitionChangeRecord {
	p := pc.part
	rec := metadata.NewPartitionChangeRecord()
	rec.Version = metadata.RecordVersionFor(metadata.APIKeyPartitionChange, pc.mv)
	rec.TopicID = pc.topicID
	rec.PartitionID = p.ID

	leader, unclean := pc.electLeader()
	if leader != p.Leader {
		rec.Leader = leader
		if unclean {
			rec.ISR = []int32{leader}
			if p.LeaderRecoveryState != metadata.LeaderRecoveryStateRecovering && pc.mv >= metadataVersion3_2IV0 {
				rec.LeaderRecoveryState = metadata.LeaderRecoveryStateRecovering
			}
		}
	}
	// Without ELR an ISR is never emptied: its last member stays, so that the replica
	// most likely to hold every acknowledged record is the one that leads again.
	if rec.ISR == nil && len(pc.targetISR) > 0 && !slices.Equal(pc.targetISR, p.ISR) {
		rec.ISR = slices.Clone(pc.targetISR)
	}
	if pc.mv < metadataVersion3_6IV0 && rec.Leader == metadata.NoLeaderChange && rec.ISR != nil && !containsAll(rec.ISR, p.ISR) {
		rec.Leader = p.Leader
	}
	if pc.targetLRS != p.LeaderRecoveryState {
		rec.LeaderRecoveryState = pc.targetLRS
	}
	if rec.ISR == nil && rec.Leader == metadata.NoLeaderChange && rec.LeaderRecoveryState == metadata.LeaderRecoveryStateNoChange {
		return nil
	}
	return rec
}

// electLeader returns the leader the partition should have and whether choosing it
// was unclean (it is not in the target ISR).
func (pc *partitionChange) electLeader() (int32, bool) {
	p := pc.part
	if pc.election == electPreferred {
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
		return metadata.NoLeader, false
	}
	if pc.validLeader(p.Leader) {
		return p.Leader, false
	}
	for _, r := range p.Replicas {
		if pc.validLeader(r) {
			return r, false
		}
	}
	if pc.election == electUnclean {
		for _, r := range p.Replicas {
			if pc.mayLead(r) {
				return r, true
			}
		}
	}
	return metadata.NoLeader, false
}

func (pc *partitionChange) validLeader(id int32) bool {
	return slices.Contains(pc.targetISR, id) && pc.mayLead(id)
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

// leaderAndISRUpdates is Kafka's generateLeaderAndIsrUpdates over the partitions that
// match: remove (or NoLeader) leaves every ISR but its last member and may not lead;
// add (or NoLeader) may lead although the image still shows it fenced, because its
// unfencing is written in the same batch. Partitions are visited in name and index
// order so that the same image always gives the same records.
func (c *Controller) leaderAndISRUpdates(img *metadata.Image, remove, add int32, match func(*metadata.Partition) bool) []metadata.Record {
	mv := img.MetadataVersion()
	mayLead := func(id int32) bool {
		return id != remove && (id == add || img.IsActiveBroker(id))
	}
	var recs []metadata.Record
	for _, name := range slices.Sorted(maps.Keys(img.Topics)) {
		t := img.Topics[name]
		unclean := c.uncleanElectionEnabled(img, name)
		for _, id := range slices.Sorted(maps.Keys(t.Partitions)) {
			p := t.Partitions[id]
			if !match(p) {
				continue
			}
			pc := newPartitionChange(mv, t.ID, p, mayLead)
			if remove != metadata.NoLeader {
				pc.targetISR = slices.DeleteFunc(slices.Clone(p.ISR), func(r int32) bool { return r == remove })
			}
			if unclean {
				pc.election = electUnclean
			}
			if rec := pc.build(); rec != nil {
				recs = append(recs, rec)
			}
		}
	}
	return recs
}

// brokerRemovedUpdates takes a broker that is being fenced, unregistered or shut down
// out of every ISR it is in and out of every leadership it holds.
func (c *Controller) brokerRemovedUpdates(img *metadata.Image, id int32) []metadata.Record {
	return c.leaderAndISRUpdates(img, id, metadata.NoLeader, func(p *metadata.Partition) bool {
		return p.InISR(id) || p.Leader == id
	})
}

// brokerAddedUpdates elects leaders for every leaderless partition now that broker id
// is being unfenced (handleBrokerUnfenced): usually it, as the last ISR member of the
// partitions it took offline.
func (c *Controller) brokerAddedUpdates(img *metadata.Image, id int32) []metadata.Record {
	return c.leaderAndISRUpdates(img, metadata.NoLeader, id, func(p *metadata.Partition) bool {
		return p.Leader == metadata.NoLeader
	})
}

// uncleanLeaderElectionConfig is the topic (and broker) config that allows electing a
// leader from outside the ISR.
const uncleanLeaderElectionConfig = "unclean.leader.election.enable"

// uncleanElectionEnabled resolves unclean.leader.election.enable for a topic as Kafka's
// controller does: the topic's config, else this controller's own broker config, else
// the cluster-wide broker default, else the static server.properties value.
func (c *Controller) uncleanElectionEnabled(img *metadata.Image, topic string) bool {
	for _, res := range []metadata.ConfigResource{
		{Type: metadata.ConfigResourceTopic, Name: topic},
		{Type: metadata.ConfigResourceBroker, Name: strconv.Itoa(int(c.opts.NodeID))},
		{Type: metadata.ConfigResourceBroker, Name: ""},
	} {
		if v, ok := img.Configs[res][uncleanLeaderElectionConfig]; ok {
			return strings.EqualFold(v, "true") // Java's Boolean.parseBoolean
		}
	}
	return c.opts.UncleanLeaderElection
}

// maxRecordsPerBatch bounds one Raft entry. Larger changes (fencing a broker that leads
// thousands of partitions) are written as several batches in order, each of which is
// atomic and valid on its own.
const maxRecordsPerBatch = 1000

// appendChunks writes recs in batches of at most maxRecordsPerBatch, stopping at the
// first failure. It returns the Raft index of the last batch written and how many
// records were written. The caller holds writeMu.
func (c *Controller) appendChunks(recs []metadata.Record) (uint64, int, error) {
	var last uint64
	written := 0
	for written < len(recs) {
		n := min(len(recs)-written, maxRecordsPerBatch)
		idx, err := c.appendLocked(recs[written : written+n])
		if err != nil {
			return last, written, err
		}
		last = idx
		written += n
	}
	return last, written, nil
}
