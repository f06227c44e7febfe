package node

import (
	"context"
	"time"

	"github.com/kbridge/kbridge/broker"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode"
)

// switchPollInterval is how often a migrating broker compares its two sources.
const switchPollInterval = 100 * time.Millisecond

// runSourceSwitch moves a migrating ZooKeeper broker between its two metadata sources
// in place, without a restart: to the quorum once the migration has been committed
// and the broker's copy of the metadata log holds at least what ZooKeeper reflects,
// and back to ZooKeeper when a rollback has removed the KRaft controller's /controller
// and /migration. After a switch to the quorum the broker registers again without
// IsMigratingZkBroker, which is how the controller (and `migrate status`) learns that
// it has moved. Swapping the source is the whole switch: both sources describe the
// same partitions with the same leaders and epochs, so the replica manager sees no
// leadership change.
func (n *Node) runSourceSwitch(ctx context.Context, b *broker.Broker, z *zkBroker, reg metadata.BrokerRegistration) {
	t := time.NewTicker(switchPollInterval)
	defer t.Stop()
	onQuorum := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		link := z.link.ready()
		if link == nil {
			continue
		}
		switch {
		case !onQuorum && link.finalized.Load():
			// Registered as a KRaft broker already (quorumLink): the quorum gives it
			// its leaderships once it has caught up, and it leads nothing until then.
			b.SetSource(link.source)
			onQuorum = true
			n.log.Info("moved to the KRaft quorum: the migration was finalized before this broker started",
				"offset", link.source.Image().Offset)
		case !onQuorum && quorumCaughtUp(link.source.Image(), z.source.Tree(), reg.BrokerID):
			b.SetSource(link.source)
			onQuorum = true
			moved := reg
			moved.IsMigratingZkBroker = false
			if _, err := link.source.RegisterBroker(ctx, moved); err != nil {
				n.log.Warn("moved to the quorum, but could not tell the controller", "err", err)
			}
			n.log.Info("moved to the KRaft quorum in place: leadership now comes from the metadata log",
				"offset", link.source.Image().Offset)
		case onQuorum && rolledBack(link.source.Image(), z.source.Tree()):
			b.SetSource(z.source)
			onQuorum = false
			n.log.Info("moved back to ZooKeeper in place: the migration was rolled back")
		}
		z.onQuorum.Store(onQuorum)
		if onQuorum {
			link.source.SuspendLeadership(leadsNothing(link.source.Image(), z.source.Current()),
				"the quorum is frozen for a rollback and ZooKeeper, which may lead again already, cannot be read")
		}
	}
}

// leadsNothing tells whether a broker on the quorum must lead nothing the quorum gives
// it: the log is frozen for a rollback, so ZooKeeper may lead the cluster again, and
// the broker cannot read ZooKeeper as it is now (zkCurrent, zkmode.Source.Current), so
// it cannot know whether ZooKeeper's controller has already given its leaderships to
// others — which the frozen log will never say. Leading from the log then could put
// the quorum's decisions in force beside ZooKeeper's. Once it reads ZooKeeper again it
// leads as the log says until ZooKeeper is released, and then moves back to it.
func leadsNothing(img *metadata.Image, zkCurrent bool) bool {
	return img.ZkMigrationState == metadata.ZkMigrationZK && !zkCurrent
}

// quorumCaughtUp tells whether a migrating broker may lead from the quorum: the
// controller has unfenced it (so the quorum lets it keep its leaderships), the copy is
// committed (MIGRATION, or POST_MIGRATION after a finalize), no transaction is open,
// and the broker's image is at or past the offset /migration says ZooKeeper reflects,
// so the switch cannot take it back in time.
func quorumCaughtUp(img *metadata.Image, tree *zkmode.Tree, id int32) bool {
	if !img.IsActiveBroker(id) {
		return false
	}
	switch img.ZkMigrationState {
	case metadata.ZkMigrationMigration:
		return !img.InTransaction() && tree.Migration != nil && tree.Migration.InitialMigrationComplete() &&
			img.Offset >= tree.Migration.KRaftMetadataOffset
	case metadata.ZkMigrationPostMigration:
		return true
	}
	return false
}

// rolledBack tells whether a rollback has handed the cluster back to ZooKeeper: the
// migration was never finalized, and ZooKeeper holds neither /migration nor a KRaft
// controller's /controller.
func rolledBack(img *metadata.Image, tree *zkmode.Tree) bool {
	if img.ZkMigrationState == metadata.ZkMigrationPostMigration {
		return false
	}
	return tree.Migration == nil && (tree.Controller == nil || !tree.Controller.IsKRaftController())
}
