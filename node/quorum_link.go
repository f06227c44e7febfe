package node

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/kbridge/kbridge/kraftmode/kraftbroker"
	"github.com/kbridge/kbridge/metadata"
)

// quorumLink is a ZooKeeper-mode broker's tie to the KRaft quorum during a migration
// (zookeeper.metadata.migration.enable with controller.quorum.voters or
// bootstrap servers): it follows the metadata log and registers with the quorum as a
// migrating ZooKeeper broker (IsMigratingZkBroker), heartbeating as KRaft brokers do,
// while ZooKeeper still leads it. The source it keeps is the one the broker will swap to
// when it moves to the quorum in place.
type quorumLink struct {
	cancel   context.CancelFunc
	done     chan struct{}
	follower *kraftbroker.MetadataFollower
	source   *kraftbroker.BrokerSource
	// registered is set once the quorum has accepted the registration; it publishes
	// follower and source to other goroutines.
	registered atomic.Bool
	// finalized is set, before registered, when the broker found the migration already
	// finalized and registered as a KRaft broker: ZooKeeper is never written again, so
	// it must not lead this broker for a moment longer.
	finalized atomic.Bool
}

// ready returns the link once the broker is registered with the quorum, else nil.
func (l *quorumLink) ready() *quorumLink {
	if l == nil || !l.registered.Load() {
		return nil
	}
	return l
}

// registrationBackoffMax bounds the wait between registration attempts while the
// quorum is unreachable or refuses the broker (not in migration mode yet).
const registrationBackoffMax = 10 * time.Second

// startQuorumLink begins linking in the background: a ZooKeeper broker serves clients
// whether or not the quorum is up, as Kafka's migrating brokers do, and keeps trying.
func (n *Node) startQuorumLink(reg metadata.BrokerRegistration, clusterID string) *quorumLink {
	ctx, cancel := context.WithCancel(context.Background())
	l := &quorumLink{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		voters, err := n.quorumVoters(ctx)
		if err != nil {
			return
		}
		l.follower = kraftbroker.StartMetadataFollower(kraftbroker.FollowerOptions{
			NodeID: n.cfg.BrokerID, ClusterID: clusterID, Voters: voters, Security: n.ctlSec.client, Logger: n.log,
			RequestTimeout: time.Duration(n.cfg.ControllerQuorumRequestTimeoutMs) * time.Millisecond,
		})
		l.source = kraftbroker.NewBrokerSource(l.follower, kraftbroker.BrokerSourceOptions{
			NodeID:            n.cfg.BrokerID,
			ClusterID:         clusterID,
			Voters:            voters,
			HeartbeatInterval: time.Duration(n.cfg.BrokerHeartbeatIntervalMs) * time.Millisecond,
			SessionTimeout:    time.Duration(n.cfg.BrokerSessionTimeoutMs) * time.Millisecond,
			Security:          n.ctlSec.client,
			Logger:            n.log,
		})
		backoff := time.Second
		for {
			if l.logFinalized(ctx) {
				// A broker started after the finalize (a restart with its migration
				// configuration): the quorum refuses migrating ZooKeeper brokers from then
				// on, as Kafka's does, and ZooKeeper's tree is frozen where the dual-write
				// stopped. It joins the quorum as a KRaft broker instead.
				kraft := reg
				kraft.IsMigratingZkBroker = false
				epoch, err := l.source.RegisterBroker(ctx, kraft)
				if err == nil {
					l.finalized.Store(true)
					l.registered.Store(true)
					n.log.Info("the migration is finalized: registered with the controller quorum as a KRaft broker", "quorum.broker.epoch", epoch)
					return
				}
			}
			epoch, err := l.source.RegisterBroker(ctx, reg)
			if err == nil {
				l.registered.Store(true)
				n.log.Info("registered with the controller quorum as a migrating ZooKeeper broker", "quorum.broker.epoch", epoch)
				return
			}
			if ctx.Err() != nil {
				return
			}
			n.log.Warn("cannot register with the controller quorum yet; ZooKeeper still leads this broker", "err", err, "retry_in", backoff)
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, registrationBackoffMax)
		}
	}()
	return l
}

// finalizedWait bounds how long a registration attempt waits for the follower to
// catch up, so that the loop goes on retrying, and logging, while the quorum is down.
const finalizedWait = time.Second

// logFinalized tells whether the metadata log, caught up with within finalizedWait,
// says the migration is finalized.
func (l *quorumLink) logFinalized(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, finalizedWait)
	defer cancel()
	return l.follower.WaitCaughtUp(ctx) == nil && l.follower.Image().ZkMigrationState == metadata.ZkMigrationPostMigration
}

// close stops linking and the link's heartbeats and log follower.
func (l *quorumLink) close() {
	l.cancel()
	<-l.done
	if l.source != nil {
		l.source.Close()
	}
	if l.follower != nil {
		l.follower.Close()
	}
}
