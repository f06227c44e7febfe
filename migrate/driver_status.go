package migrate

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// The phases `migrate status` shows (docs/migration.md, "Phases").
const (
	PhaseZK             = "ZK"
	PhasePreMigration   = "PRE_MIGRATION"
	PhaseMigrating      = "MIGRATING"
	PhaseDualWrite      = "DUAL_WRITE"
	PhaseBrokersOnKRaft = "BROKERS_ON_KRAFT"
	PhaseFinalized      = "FINALIZED"
)

// Status is `migrate status`, and its --output json schema.
type Status struct {
	Phase string `json:"phase"`
	// SubState and Reason say what the phase is waiting for, in words.
	SubState string `json:"sub_state"`
	Reason   string `json:"reason"`
	// DriverState is this controller's migration driver's state (driver_state.go).
	DriverState      DriverState `json:"driver_state"`
	ControllerID     int32       `json:"controller_id"`
	ControllerEpoch  int32       `json:"controller_epoch"`
	ZkMigrationState string      `json:"zk_migration_state"`
	MetadataOffset   int64       `json:"metadata_offset"`
	// Brokers by where their leadership comes from.
	BrokersOnZooKeeper   []int32 `json:"brokers_on_zookeeper"`
	BrokersOnQuorum      []int32 `json:"brokers_on_quorum"`
	BrokersNotRegistered []int32 `json:"brokers_not_registered"`
	// ZooKeeperOffset is the metadata offset ZooKeeper reflects (/migration); the lag is
	// how many log offsets it is behind and for how long.
	ZooKeeperOffset    int64      `json:"zookeeper_offset"`
	ZkWriteLagOffsets  int64      `json:"zk_write_lag_offsets"`
	ZkWriteLagMs       int64      `json:"zk_write_lag_ms"`
	LastFullReconcile  *time.Time `json:"last_full_reconcile"`
	UnderReplicated    int        `json:"under_replicated_partitions"`
	AllOnQuorumSince   *time.Time `json:"all_brokers_on_quorum_since"`
	RollbackPossible   bool       `json:"rollback_possible"`
	CopyRecordsDone    int        `json:"copy_records_done"`
	CopyRecordsTotal   int        `json:"copy_records_total"`
	LastDualWriteError string     `json:"last_dual_write_error"`
	// ZooKeeperError says why ZooKeeper could not be read for this status, which then
	// shows what the driver last saw of it.
	ZooKeeperError string `json:"zookeeper_error,omitempty"`
}

// statusZooKeeperTimeout bounds the reads a status makes of ZooKeeper, so that it
// answers while ZooKeeper is down.
const statusZooKeeperTimeout = 2 * time.Second

// zkStatus is what `migrate status` needs of ZooKeeper: the ZooKeeper brokers (those
// registered in /brokers/ids and, before the copy, every id an assignment names) and
// /migration.
type zkStatus struct {
	brokers   []int32
	migration *znode.MigrationZNode
}

// readZKStatus reads what a status needs of ZooKeeper. Once the copy is in the log,
// the log holds every assignment and only /brokers/ids and /migration are read, so a
// status stays cheap at any number of partitions; before it, the whole tree.
func (d *Driver) readZKStatus(ctx context.Context, state metadata.ZkMigrationState) (zkStatus, error) {
	if state == metadata.ZkMigrationNone || state == metadata.ZkMigrationPreMigration {
		tree, err := zkmode.LoadTree(ctx, d.zk)
		if err != nil {
			return zkStatus{}, err
		}
		_, all := zkBrokerIDs(tree)
		zs := zkStatus{brokers: all}
		if tree.Migration != nil {
			zs.migration = &tree.Migration.MigrationZNode
		}
		return zs, nil
	}
	var zs zkStatus
	kids, err := d.zk.Children(ctx, znode.BrokerIDsPath)
	if err != nil && !errors.Is(err, zk.ErrNoNode) {
		return zkStatus{}, err
	}
	for _, k := range kids {
		if id, err := strconv.ParseInt(k, 10, 32); err == nil {
			zs.brokers = append(zs.brokers, int32(id))
		}
	}
	m, _, err := zkmode.ReadMigration(ctx, d.zk)
	switch {
	case errors.Is(err, zk.ErrNoNode):
	case err != nil:
		return zkStatus{}, err
	default:
		zs.migration = &m
	}
	return zs, nil
}

// brokerModes sorts the brokers a migration must move — every ZooKeeper broker id
// (registered in /brokers/ids or named in an assignment) and every broker the quorum
// knows — by where they are: registered as migrating ZooKeeper brokers, moved to the
// quorum (registered without the flag), or not registered with the quorum at all.
func brokerModes(img *metadata.Image, zkIDs []int32) (onZK, onQuorum, missing []int32) {
	ids := map[int32]bool{}
	for _, id := range zkIDs {
		ids[id] = true
	}
	for id := range img.Brokers {
		ids[id] = true
	}
	for _, t := range img.Topics {
		for _, p := range t.Partitions {
			for _, r := range p.Replicas {
				ids[r] = true
			}
		}
	}
	onZK, onQuorum, missing = []int32{}, []int32{}, []int32{}
	for _, id := range slices.Sorted(maps.Keys(ids)) {
		b, ok := img.Brokers[id]
		switch {
		case !ok:
			missing = append(missing, id)
		case b.IsMigratingZkBroker:
			onZK = append(onZK, id)
		default:
			onQuorum = append(onQuorum, id)
		}
	}
	return onZK, onQuorum, missing
}

// underReplicated counts partitions whose ISR is smaller than their replica set.
func underReplicated(img *metadata.Image) int {
	n := 0
	for _, t := range img.Topics {
		for _, p := range t.Partitions {
			if len(p.ISR) < len(p.Replicas) {
				n++
			}
		}
	}
	return n
}

// trackBrokers notes when every broker the log knows first was on the quorum, which
// finalize's soak time counts from.
func (d *Driver) trackBrokers() {
	img := d.ctrl.Image()
	onZK, onQuorum, missing := brokerModes(img, nil)
	all := img.ZkMigrationState == metadata.ZkMigrationMigration && len(onZK) == 0 && len(missing) == 0 && len(onQuorum) > 0
	d.mu.Lock()
	defer d.mu.Unlock()
	since := d.allOnQuorumSince
	switch {
	case !all:
		since = time.Time{}
	case since.IsZero():
		since = time.Now()
	}
	if since.Equal(d.allOnQuorumSince) {
		return
	}
	d.allOnQuorumSince = since
	if err := d.soakStart.save(since); err != nil {
		d.log.Warn("the soak start is kept in memory only", "err", err)
	}
}

// Status reports the migration as this controller sees it; only the active
// controller's lag and reconcile times are meaningful.
func (d *Driver) Status(ctx context.Context) (Status, error) {
	st := d.ctrl.MigrationState()
	img := d.ctrl.Image()
	zctx, cancel := context.WithTimeout(ctx, statusZooKeeperTimeout)
	zs, zkErr := d.readZKStatus(zctx, img.ZkMigrationState)
	cancel()
	d.mu.Lock()
	if zkErr == nil {
		d.lastZK = zs
	} else {
		zs = d.lastZK
	}
	d.mu.Unlock()
	onZK, onQuorum, missing := brokerModes(img, zs.brokers)
	s := Status{
		ControllerID: d.opts.NodeID, ControllerEpoch: st.Epoch,
		ZkMigrationState: img.ZkMigrationState.String(), MetadataOffset: img.Offset,
		BrokersOnZooKeeper: onZK, BrokersOnQuorum: onQuorum, BrokersNotRegistered: missing,
		ZooKeeperOffset:  -1,
		UnderReplicated:  underReplicated(img),
		RollbackPossible: img.ZkMigrationState != metadata.ZkMigrationPostMigration,
	}
	if zkErr != nil {
		s.ZooKeeperError = zkErr.Error()
	}
	if m := zs.migration; m != nil {
		s.ZooKeeperOffset = m.KRaftMetadataOffset
	}
	d.mu.Lock()
	copying, done, total := d.copying, d.copyDone, d.copyTotal
	s.DriverState = d.state
	behind, reconciled, since := d.behindSince, d.lastReconcile, d.allOnQuorumSince
	s.LastDualWriteError = d.lastErr
	d.mu.Unlock()
	s.CopyRecordsDone, s.CopyRecordsTotal = done, total
	if !reconciled.IsZero() {
		s.LastFullReconcile = &reconciled
	}
	if !since.IsZero() {
		s.AllOnQuorumSince = &since
	}
	switch img.ZkMigrationState {
	case metadata.ZkMigrationNone:
		s.Phase, s.SubState, s.Reason = PhaseZK, "NOT_ENABLED", "the quorum was not started with zookeeper.metadata.migration.enable=true"
	case metadata.ZkMigrationPreMigration:
		s.Phase = PhasePreMigration
		var controllerWait []Finding
		if img.MetadataVersion() >= metadata.MetadataVersion3_7IV0 {
			controllerWait = controllersNotReady(&ControllerView{Voters: d.opts.Voters, Image: img})
		}
		switch {
		case copying:
			s.Phase, s.SubState, s.Reason = PhaseMigrating, "COPYING", "copying ZooKeeper into the metadata log in one transaction"
		case len(missing) > 0 || len(onQuorum) > 0:
			s.SubState, s.Reason = "WAITING_FOR_BROKERS", "brokers not registered with the quorum as migrating ZooKeeper brokers: "+joinIDs(append(missing, onQuorum...))
		case len(controllerWait) > 0:
			s.SubState, s.Reason = "WAITING_FOR_CONTROLLERS", controllerWait[0].Message
		default:
			s.SubState, s.Reason = "READY", "every ZooKeeper broker is registered with the quorum: run `kbridge migrate commit`"
		}
	case metadata.ZkMigrationMigration:
		if zs.migration == nil {
			s.Phase, s.SubState = PhaseZK, "ROLLED_BACK"
			s.Reason = "the migration was rolled back: ZooKeeper leads the cluster; deprovision this quorum"
			s.RollbackPossible = false
			break
		}
		if s.ZooKeeperOffset >= 0 && img.Offset > s.ZooKeeperOffset {
			s.ZkWriteLagOffsets = img.Offset - s.ZooKeeperOffset
			if !behind.IsZero() {
				s.ZkWriteLagMs = time.Since(behind).Milliseconds()
			}
		}
		if len(onZK) > 0 || len(missing) > 0 {
			s.Phase, s.SubState = PhaseDualWrite, "BROKERS_SWITCHING"
			s.Reason = "brokers still led through ZooKeeper: " + joinIDs(append(onZK, missing...))
		} else {
			s.Phase, s.SubState = PhaseBrokersOnKRaft, "SOAKING"
			s.Reason = "every broker is on the quorum; ZooKeeper is still kept in step, so rollback is possible until `kbridge migrate finalize`"
		}
	case metadata.ZkMigrationZK:
		s.Phase, s.RollbackPossible = PhaseZK, false
		if zs.migration != nil {
			s.SubState = "ROLLING_BACK"
			s.Reason = "the metadata log is frozen for a rollback; the active controller reconciles ZooKeeper with it, then releases ZooKeeper"
			break
		}
		s.SubState = "ROLLED_BACK"
		s.Reason = "the migration was rolled back: ZooKeeper leads the cluster; deprovision this quorum"
	case metadata.ZkMigrationPostMigration:
		s.Phase, s.SubState, s.Reason = PhaseFinalized, "DONE", "the migration is finalized; ZooKeeper is no longer written"
	}
	dualWriting := s.Phase == PhaseDualWrite || s.Phase == PhaseBrokersOnKRaft
	switch {
	case s.LastDualWriteError != "" && dualWriting:
		s.SubState, s.Reason = "ZK_WRITE_FAILING", s.LastDualWriteError
	case zkErr != nil && dualWriting:
		s.SubState, s.Reason = "ZK_WRITE_FAILING", "ZooKeeper cannot be read: "+zkErr.Error()
	}
	return s, nil
}
