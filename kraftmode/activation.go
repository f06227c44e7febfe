package kraftmode

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/hashicorp/raft"

	"github.com/kbridge/kbridge/metadata"
)

// watchLeadership turns this node into the active controller each time Raft makes it
// leader. LeaderCh keeps only the latest transition, which is all that matters here.
func (c *Controller) watchLeadership() {
	defer c.wg.Done()
	for {
		select {
		case <-c.shutdown:
			c.endActiveTerm()
			return
		case leader := <-c.raft.LeaderCh():
			if leader {
				c.activate()
			} else {
				c.endActiveTerm()
			}
		}
	}
}

// activate makes a new leader ready to write: a barrier so its FSM has applied
// everything earlier leaders committed, then Kafka's activation records. It retries,
// backing off up to 5 s (an unreadable bootstrap.checkpoint will not heal quickly),
// until it succeeds or the node is no longer leader.
func (c *Controller) activate() {
	term := c.raft.CurrentTerm()
	backoff := 100 * time.Millisecond
	for c.raft.State() == raft.Leader && c.raft.CurrentTerm() == term {
		err := c.activateOnce()
		if err == nil {
			c.beginActiveTerm()
			c.readyTerm.Store(term)
			c.log.Info("active controller", "term", term, "offset", c.Image().Offset)
			return
		}
		if errors.Is(err, errRefuseToLead) {
			c.log.Error("this controller refuses to lead: handing leadership to another voter", "term", term, "err", err)
			if err := c.raft.LeadershipTransfer().Error(); err != nil {
				c.log.Error("no other voter took leadership; staying leader without acting as controller", "term", term, "err", err)
			}
		} else {
			c.log.Warn("controller activation failed; retrying", "term", term, "retry_in", backoff, "err", err)
		}
		select {
		case <-c.shutdown:
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// activeTerm is the leader-only state of one term in which this node is the active
// controller: the broker sessions and the channel that ends the term's periodic tasks.
type activeTerm struct {
	sessions *brokerSessions
	stop     chan struct{}
}

// activeTerm returns this node's leader-only state, nil unless it is the active
// controller.
func (c *Controller) activeTerm() *activeTerm {
	return c.active.Load()
}

// beginActiveTerm gives every registered broker a full session, as a new Kafka
// controller does (it cannot know when the old one last heard from them, and fencing
// them all at once would take the cluster offline), then starts the periodic tasks:
// the fencing sweep and, when enabled, the preferred-leader rebalance.
func (c *Controller) beginActiveTerm() {
	c.endActiveTerm()
	at := &activeTerm{
		sessions: newBrokerSessions(c.Image(), c.opts.BrokerSessionTimeout, time.Now()),
		stop:     make(chan struct{}),
	}
	c.active.Store(at)
	c.every(at, fenceSweepInterval(c.opts.BrokerSessionTimeout), c.fenceStaleBrokers)
	if c.opts.AutoLeaderRebalance {
		c.every(at, c.opts.LeaderImbalanceCheckInterval, c.rebalanceLeaders)
	}
}

// endActiveTerm stops the periodic tasks and drops the leader-only state.
func (c *Controller) endActiveTerm() {
	if at := c.active.Swap(nil); at != nil {
		close(at.stop)
	}
}

// every runs fn each interval until the term ends or the controller closes.
func (c *Controller) every(at *activeTerm, interval time.Duration, fn func(*activeTerm)) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-c.shutdown:
				return
			case <-at.stop:
				return
			case <-t.C:
				fn(at)
			}
		}
	}()
}

func (c *Controller) activateOnce() error {
	if err := c.raft.Barrier(applyTimeout).Error(); err != nil {
		return fmt.Errorf("barrier: %w", err)
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	recs, err := c.activationRecords()
	if err != nil {
		return err
	}
	if _, err := c.appendLocked(recs); err != nil {
		return fmt.Errorf("write activation records: %w", err)
	}
	return nil
}

// activationRecords are what Kafka's ActivationRecordsGenerator writes when a controller
// becomes active: an abort of a transaction a failed leader left open (a bootstrap or a
// migration copy); on an empty log the bootstrap records (bootstrap.checkpoint, or the
// latest metadata.version) and ZkMigrationState NONE, or PRE_MIGRATION with
// zookeeper.metadata.migration.enable, inside a transaction; and, from 3.7-IV0
// (KIP-919), this controller's registration when the image does not have this
// incarnation yet. A migration flag that contradicts the log fails the activation.
func (c *Controller) activationRecords() ([]metadata.Record, error) {
	img := c.Image()
	var recs []metadata.Record
	if img.InTransaction() {
		reason := "Controller failover"
		recs = append(recs, &metadata.AbortTransactionRecord{Reason: &reason})
		c.log.Warn("aborting the metadata transaction a previous active controller left open",
			"zk_migration_state", img.ZkMigrationState.String())
	}
	mv := img.MetadataVersion()
	if mv == 0 {
		boot, level, err := c.bootstrapRecords()
		if err != nil {
			return nil, err
		}
		mv = level
		// Since Kafka 3.9 a new migration needs metadata transactions, so that a
		// copy cut short by a failover is aborted rather than half-applied.
		if c.opts.ZkMigrationEnabled && mv < metadata.MetadataVersion3_6IV1 {
			return nil, fmt.Errorf("the bootstrap metadata.version %d does not support ZK migrations "+
				"(they need %d, 3.6-IV1, or later); cannot continue with ZK migrations enabled",
				mv, metadata.MetadataVersion3_6IV1)
		}
		txn := mv >= metadata.MetadataVersion3_6IV1
		if txn {
			name := "Bootstrap records"
			recs = append(recs, &metadata.BeginTransactionRecord{Name: &name})
		}
		recs = append(recs, boot...)
		state := metadata.ZkMigrationNone
		if c.opts.ZkMigrationEnabled {
			state = metadata.ZkMigrationPreMigration
		}
		if mv >= metadata.MetadataVersion3_4IV0 {
			recs = append(recs, &metadata.ZkMigrationStateRecord{ZkMigrationState: state})
		}
		if txn {
			recs = append(recs, &metadata.EndTransactionRecord{})
		}
		c.log.Info("bootstrapping metadata log", "metadata.version", mv, "records", len(boot),
			"zk_migration_state", state.String())
	} else if err := c.checkZkMigrationFlag(img); err != nil {
		return nil, err
	}
	if mv >= metadata.MetadataVersion3_7IV0 {
		if reg, ok := img.Controllers[c.opts.NodeID]; !ok || reg.IncarnationID != c.incarnation {
			recs = append(recs, c.controllerRegistration())
		}
	}
	return recs, nil
}

// errRefuseToLead is an activation failure no retry in the term can cure: the leader
// hands leadership to another voter.
var errRefuseToLead = errors.New("refusing to lead")

// checkZkMigrationFlag is ActivationRecordsGenerator.recordsForNonEmptyLog's check of
// zookeeper.metadata.migration.enable against the migration state in the log. Unlike
// Kafka, a controller without the flag does not write POST_MIGRATION on a log in
// MIGRATION: finalizing is an explicit command here (FinalizeZkMigration), so a
// controller restarted without the flag by mistake cannot end the migration, and with
// it the possibility of a rollback. Nor does it lead: it runs no migration driver, so
// nothing would keep ZooKeeper in step with what it commits, and a rollback would then
// lose it (issue 13). It refuses, loudly, and steps down for a voter that has the flag.
func (c *Controller) checkZkMigrationFlag(img *metadata.Image) error {
	mv, state, enabled := img.MetadataVersion(), img.ZkMigrationState, c.opts.ZkMigrationEnabled
	if enabled && mv < metadata.MetadataVersion3_4IV0 {
		return fmt.Errorf("should not have ZK migrations enabled on a cluster running metadata.version %d: "+
			"ZK migrations need metadata.version %d (3.4-IV0) or later", mv, metadata.MetadataVersion3_4IV0)
	}
	switch {
	case state == metadata.ZkMigrationNone && enabled:
		return errors.New("should not have ZK migrations enabled on a cluster that was created in KRaft mode: " +
			"remove zookeeper.metadata.migration.enable from this controller")
	case state == metadata.ZkMigrationPreMigration && !enabled:
		c.log.Warn("the metadata log is in ZK pre-migration mode but zookeeper.metadata.migration.enable is false: " +
			"metadata writes stay refused until a controller with ZK migrations enabled has copied the ZooKeeper metadata")
	case state == metadata.ZkMigrationMigration && !enabled:
		return fmt.Errorf("%w: the metadata log is in ZK migration mode (MIGRATION) but zookeeper.metadata.migration.enable "+
			"is false on this controller, which therefore cannot keep ZooKeeper in step with what it would commit; "+
			"restart it with zookeeper.metadata.migration.enable=true and zookeeper.connect, or finalize the migration "+
			"through a controller that has them", errRefuseToLead)
	case state == metadata.ZkMigrationPostMigration && enabled:
		c.log.Info("ignoring zookeeper.metadata.migration.enable=true since the ZK migration has been completed")
	}
	return nil
}

// bootstrapRecords reads bootstrap.checkpoint beside the metadata log directory, or
// falls back to the latest metadata.version as Kafka does without one.
func (c *Controller) bootstrapRecords() ([]metadata.Record, int16, error) {
	path := filepath.Join(filepath.Dir(filepath.Clean(c.opts.Dir)), BootstrapCheckpointName)
	recs, mv, err := readBootstrapRecords(path)
	if errors.Is(err, fs.ErrNotExist) {
		mv = metadata.MetadataVersionLatest
		return []metadata.Record{&metadata.FeatureLevelRecord{Name: metadata.FeatureMetadataVersion, FeatureLevel: mv}}, mv, nil
	}
	if err != nil {
		return nil, 0, err
	}
	return recs, mv, nil
}

// controllerRegistration is this controller's RegisterControllerRecord, which the
// active controller writes for itself when it activates; the others register through
// the ControllerRegistration RPC (controller_registration.go).
func (c *Controller) controllerRegistration() *metadata.RegisterControllerRecord {
	v, _ := voterOf(c.opts.Voters, c.opts.NodeID)
	return &metadata.RegisterControllerRecord{
		ControllerID:     c.opts.NodeID,
		IncarnationID:    c.incarnation,
		ZkMigrationReady: c.opts.ZkMigrationEnabled,
		EndPoints: []metadata.Endpoint{{
			Name:             c.opts.ListenerName,
			Host:             v.Host,
			Port:             uint16(v.Port),
			SecurityProtocol: 0, // PLAINTEXT: the controller listener has no TLS or SASL yet
		}},
		Features: []metadata.FeatureRange{{
			Name:       metadata.FeatureMetadataVersion,
			MinVersion: 1,
			MaxVersion: metadata.MetadataVersionLatest,
		}},
	}
}
