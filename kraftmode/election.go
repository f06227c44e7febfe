package kraftmode

import (
	"maps"
	"slices"

	"github.com/kbridge/kbridge/metadata"
)

// leaderAndISRUpdates is Kafka's generateLeaderAndIsrUpdates over the partitions that
// match: remove (or NoLeader) leaves every ISR but its last member and may not lead;
// add (or NoLeader) may lead although the image still shows it fenced, because its
// unfencing is written in the same batch. Partitions are visited in name and index
// order so that the same image always gives the same records.
//
// After a rollback (ZK) it changes nothing: ZooKeeper's controller owns the partitions
// again, and a leadership the frozen log moved would be one ZooKeeper never hears of.
// Brokers are still fenced and unfenced; their leaderships stay as they are until the
// brokers are back on ZooKeeper.
func (c *Controller) leaderAndISRUpdates(img *metadata.Image, remove, add int32, match func(*metadata.Partition) bool) []metadata.Record {
	if img.ZkMigrationState == metadata.ZkMigrationZK {
		return nil
	}
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
			pc := metadata.NewPartitionChange(mv, t.ID, p, mayLead)
			if remove != metadata.NoLeader {
				pc.TargetISR = slices.DeleteFunc(slices.Clone(p.ISR), func(r int32) bool { return r == remove })
			}
			if unclean {
				pc.Election = metadata.ElectUnclean
			}
			if rec := pc.Build(); rec != nil {
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

// uncleanElectionEnabled resolves unclean.leader.election.enable for a topic on this
// controller.
func (c *Controller) uncleanElectionEnabled(img *metadata.Image, topic string) bool {
	return metadata.UncleanElectionEnabled(img, topic, c.opts.NodeID, c.opts.UncleanLeaderElection)
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
