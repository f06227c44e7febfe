package migrate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/kraftmode"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// DriverOptions configures a migration controller's driver.
type DriverOptions struct {
	// NodeID is this controller's node.id, written to /controller and /migration.
	NodeID int32
	// MinBatchSize is zookeeper.metadata.migration.min.batch.size.
	MinBatchSize int
	// Voters is the quorum, for the preflight's id-collision check.
	Voters []Voter
	Logger *slog.Logger
	// SoakStartFile is where the soak start is kept across restarts (soak_start.go),
	// in the controller's metadata log directory; empty keeps it in memory.
	SoakStartFile string
	// CommitWindow, a test hook, holds a commit between its claim and read of
	// ZooKeeper and its copy, so a test can force broker writes into that window.
	CommitWindow time.Duration
	// ZkWriteSnapshotTime and ZkWriteDeltaTime, when set, hear how long each full
	// reconcile of ZooKeeper with the log took, and each dual-write that changed
	// ZooKeeper: Kafka's ZkWriteSnapshotTimeMs and ZkWriteDeltaTimeMs.
	ZkWriteSnapshotTime func(time.Duration)
	ZkWriteDeltaTime    func(time.Duration)
}

// Driver is Kafka's KRaftMigrationDriver for one migration controller: while this
// controller is active it commits the copy when asked, then keeps ZooKeeper in step
// with the metadata log (dual-write) until the migration is finalized. Every
// controller of the quorum runs one; only the active controller's acts, and a new
// active controller picks up where the last one stopped by claiming ZooKeeper again
// and reconciling it with the whole image, so a failover at any point loses nothing.
type Driver struct {
	ctrl *kraftmode.Controller
	zk   *zkmode.Conn
	opts DriverOptions
	log  *slog.Logger

	// commitMu serializes commits, finalizes and the dual-write loop's ZooKeeper work.
	commitMu sync.Mutex

	mu sync.Mutex
	// state is where the driver is (driver_state.go).
	state DriverState
	// term is the ZooKeeper side of this controller's term: nil until the driver has
	// claimed ZooKeeper in the current Raft epoch.
	term *zkTerm
	// copying, copyDone and copyTotal describe a copy in progress.
	copying             bool
	copyDone, copyTotal int
	// lastReconcile is when ZooKeeper was last reconciled with the whole image.
	lastReconcile time.Time
	// behindSince is when the log first moved past what ZooKeeper reflects, zero
	// when ZooKeeper is in step.
	behindSince time.Time
	// dualWriteOffset is the metadata log offset this controller last brought
	// ZooKeeper to (with the copy, a reconcile or a dual-write), 0 before it has:
	// Kafka's dualWriteOffset, which ZkWriteBehindLag counts from.
	dualWriteOffset int64
	// allOnQuorumSince is when every broker was first seen on the quorum, zero while
	// one is not; finalize's --min-soak counts from it. soakStart persists it.
	allOnQuorumSince time.Time
	soakStart        soakStartFile
	lastErr          string
	// lastZK is what the last status read of ZooKeeper, shown while it cannot be read.
	lastZK zkStatus
	// resumedIn is the epoch in which an interrupted commit was last resumed, so a
	// refused one is not retried in a loop.
	resumedIn int32

	wake chan struct{}
	stop chan struct{}
	done chan struct{}
}

// zkTerm is what one Raft epoch of this controller holds of ZooKeeper: the fenced
// writer and the image ZooKeeper reflects.
type zkTerm struct {
	epoch  int32
	writer *zkmode.MigrationWriter
	zkImg  *metadata.Image
}

// errRolledBack is claimedTerm's answer on a quorum whose migration was rolled back:
// ZooKeeper has no /migration although the log says MIGRATION, so it leads again and
// must not be claimed.
var errRolledBack = errors.New("the migration was rolled back: ZooKeeper leads the cluster")

// pollInterval is how often the driver looks again without a new image (leadership
// changes come without one).
const pollInterval = 250 * time.Millisecond

// NewDriver starts the driver of a migration controller.
func NewDriver(ctrl *kraftmode.Controller, zk *zkmode.Conn, opts DriverOptions) *Driver {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	d := &Driver{
		ctrl: ctrl, zk: zk, opts: opts, state: DriverInactive,
		soakStart: soakStartFile(opts.SoakStartFile),
		log:       opts.Logger.With("component", "migration-driver"),
		wake:      make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
	}
	// The controller is caught up with the log when its driver starts, so the first
	// step keeps a persisted soak start only while every broker is still on the quorum.
	d.allOnQuorumSince = d.soakStart.load()
	ctrl.Subscribe(func(*metadata.Image) {
		select {
		case d.wake <- struct{}{}:
		default:
		}
	})
	go d.run()
	return d
}

// Close stops the driver.
func (d *Driver) Close() {
	close(d.stop)
	<-d.done
}

// run steps on every new image and every pollInterval; after a failure it waits a
// growing backoff, cut short when ZooKeeper's session is back, so that the write lag
// a ZooKeeper outage left is written off at once rather than at the next retry.
func (d *Driver) run() {
	defer close(d.done)
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	sessions := d.zk.SessionEvents()
	var backoff time.Duration
	var retryAt time.Time
	for {
		var retry <-chan time.Time
		if backoff > 0 {
			retry = time.After(time.Until(retryAt))
		}
		select {
		case <-d.stop:
			return
		case ev, ok := <-sessions:
			if !ok {
				sessions = nil
				continue
			}
			if ev.State != zk.StateHasSession {
				continue
			}
			backoff = 0
		case <-d.wake:
			if backoff > 0 {
				continue
			}
		case <-t.C:
			if backoff > 0 {
				continue
			}
		case <-retry:
		}
		if err := d.step(); err != nil {
			backoff = min(max(2*backoff, 100*time.Millisecond), 10*time.Second)
			retryAt = time.Now().Add(backoff)
			d.setErr(err)
			d.log.Warn("dual-write to ZooKeeper failed; retrying", "err", err, "retry_in", backoff)
			continue
		}
		backoff = 0
		d.setErr(nil)
	}
}

// step does what the controller's state asks for once: nothing unless active; in
// PRE_MIGRATION, resume a commit a failover cut short; in MIGRATION, claim ZooKeeper
// for this epoch (with a full reconcile) and write what the log has that ZooKeeper has
// not; in ZK, finish a rollback cut short.
func (d *Driver) step() error {
	st := d.ctrl.MigrationState()
	d.trackBrokers()
	if !st.Active {
		d.mu.Lock()
		d.term = nil
		d.mu.Unlock()
		d.enter(DriverInactive, "this controller is not the active one")
		return nil
	}
	switch st.State {
	case metadata.ZkMigrationPreMigration:
		return d.resumeCommit(st.Epoch)
	case metadata.ZkMigrationZK:
		return d.resumeRollback(st.Epoch)
	case metadata.ZkMigrationPostMigration:
		d.enterFor(metadata.ZkMigrationPostMigration, DriverFinalized, "the log is in POST_MIGRATION")
		return nil
	case metadata.ZkMigrationMigration:
	default:
		return nil
	}
	d.commitMu.Lock()
	defer d.commitMu.Unlock()
	if now := d.ctrl.MigrationState(); now != st {
		// A rollback or finalize ran while this step waited: the next step starts
		// from what the log says now.
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	term := d.currentTerm(st.Epoch)
	if term == nil {
		d.enter(DriverBecomeController, fmt.Sprintf("epoch %d has not claimed ZooKeeper yet", st.Epoch))
		var err error
		term, err = d.claimedTerm(ctx, st.Epoch, func() {
			d.enter(DriverSyncKRaftToZk, "claimed ZooKeeper: reconciling all of it with the log")
		})
		if errors.Is(err, errRolledBack) {
			d.enter(DriverRolledBack, "ZooKeeper has no /migration: a rollback released it")
			return nil
		}
		if err != nil {
			return err
		}
	}
	d.enter(DriverDualWrite, "ZooKeeper reflects the log")
	return d.dualWrite(ctx, term)
}

// currentTerm is this epoch's hold on ZooKeeper, nil if it has none yet.
func (d *Driver) currentTerm(epoch int32) *zkTerm {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.term != nil && d.term.epoch == epoch {
		return d.term
	}
	return nil
}

// claimedTerm returns this epoch's hold on ZooKeeper, claiming it when the epoch is
// new: the ZooKeeper controller (or an older KRaft leader) is fenced, /migration is
// taken over, and ZooKeeper is reconciled with the whole image, as Kafka's
// BecomeZkController and SyncKRaftMetadata do after every failover. claimed, when
// set, is called between the claim and the reconcile.
func (d *Driver) claimedTerm(ctx context.Context, epoch int32, claimed func()) (*zkTerm, error) {
	if term := d.currentTerm(epoch); term != nil {
		return term, nil
	}
	released, err := d.releasedToZooKeeper(ctx)
	if err != nil {
		return nil, err
	}
	if released {
		return nil, errRolledBack
	}
	writer, err := d.claim(ctx, epoch)
	if err != nil {
		return nil, err
	}
	if claimed != nil {
		claimed()
	}
	started := time.Now()
	zkImg, err := zkmode.LoadImage(ctx, d.zk)
	if err != nil {
		return nil, fmt.Errorf("read ZooKeeper for the reconcile: %w", err)
	}
	img := d.ctrl.Image()
	ops, err := writer.WriteChanges(ctx, zkImg, img, d.migrationState(epoch, img))
	if err != nil {
		return nil, fmt.Errorf("reconcile ZooKeeper with the metadata log at offset %d: %w", img.Offset, err)
	}
	observe(d.opts.ZkWriteSnapshotTime, started)
	d.log.Info("reconciled ZooKeeper with the metadata log", "offset", img.Offset, "operations", ops, "epoch", epoch)
	term := &zkTerm{epoch: epoch, writer: writer, zkImg: img}
	d.mu.Lock()
	d.term, d.lastReconcile, d.behindSince, d.dualWriteOffset = term, time.Now(), time.Time{}, img.Offset
	d.mu.Unlock()
	return term, nil
}

// claim fences ZooKeeper's controller for this Raft epoch and takes over /migration.
func (d *Driver) claim(ctx context.Context, epoch int32) (*zkmode.MigrationWriter, error) {
	fw, err := zkmode.ClaimControllerForKRaft(ctx, d.zk, d.opts.NodeID, epoch)
	if err != nil {
		return nil, fmt.Errorf("claim /controller for KRaft controller %d epoch %d: %w", d.opts.NodeID, epoch, err)
	}
	mig, migVersion, err := zkmode.GetOrCreateMigration(ctx, d.zk)
	if err != nil {
		return nil, err
	}
	w := zkmode.NewMigrationWriter(d.zk, fw.EpochZkVersion(), migVersion)
	mig.KRaftControllerID, mig.KRaftControllerEpoch = d.opts.NodeID, epoch
	if err := w.WriteMigrationState(ctx, mig); err != nil {
		return nil, fmt.Errorf("take over %s: %w", znode.MigrationPath, err)
	}
	d.log.Info("claimed ZooKeeper for the migration", "kraft_controller", d.opts.NodeID, "kraft_epoch", epoch, "zk_controller_epoch", fw.Epoch())
	return w, nil
}

// dualWrite writes the changes between what ZooKeeper reflects and the newest
// committed image, then records the image's offset in /migration.
func (d *Driver) dualWrite(ctx context.Context, term *zkTerm) error {
	img := d.ctrl.Image()
	if img.Offset <= term.zkImg.Offset {
		return nil
	}
	d.mu.Lock()
	if d.behindSince.IsZero() {
		d.behindSince = time.Now()
	}
	d.mu.Unlock()
	started := time.Now()
	ops, err := term.writer.WriteChanges(ctx, term.zkImg, img, d.migrationState(term.epoch, img))
	if err != nil {
		if errors.Is(err, zkmode.ErrControllerMoved) || errors.Is(err, zkmode.ErrMigrationMoved) {
			d.mu.Lock()
			d.term = nil
			d.mu.Unlock()
		}
		return fmt.Errorf("dual-write offset %d: %w", img.Offset, err)
	}
	if ops > 0 {
		// As in Kafka, a write that changed nothing is not timed, so that no-op
		// records do not skew the times.
		observe(d.opts.ZkWriteDeltaTime, started)
		d.log.Debug("dual-wrote to ZooKeeper", "offset", img.Offset, "operations", ops)
	}
	d.mu.Lock()
	term.zkImg = img
	d.behindSince, d.dualWriteOffset = time.Time{}, img.Offset
	d.mu.Unlock()
	return nil
}

// migrationState is /migration as it must read once ZooKeeper reflects img.
func (d *Driver) migrationState(epoch int32, img *metadata.Image) znode.MigrationZNode {
	return znode.MigrationZNode{
		KRaftControllerID:    d.opts.NodeID,
		KRaftControllerEpoch: epoch,
		KRaftMetadataOffset:  img.Offset,
		KRaftMetadataEpoch:   img.Epoch,
	}
}

func (d *Driver) setErr(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err == nil {
		d.lastErr = ""
		return
	}
	d.lastErr = err.Error()
}

// resumeCommit finishes a commit that an earlier active controller started and did not
// finish (it died in the middle of the copy): /migration was written by a KRaft
// controller in an earlier epoch but records no copy, while the log, whose open
// transaction the new leader aborted, is back in PRE_MIGRATION. The operator asked for
// the migration once; the new leader carries it out, once per epoch. A /migration
// claimed in this epoch is this controller's own commit, still copying: nothing was
// interrupted.
func (d *Driver) resumeCommit(epoch int32) error {
	d.enterFor(metadata.ZkMigrationPreMigration, DriverWaitForCommit, "the log is in PRE_MIGRATION: the copy waits for `migrate commit`")
	d.mu.Lock()
	tried := d.resumedIn == epoch
	d.mu.Unlock()
	if tried {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	data, _, err := d.zk.Get(ctx, znode.MigrationPath)
	if errors.Is(err, zk.ErrNoNode) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", znode.MigrationPath, err)
	}
	m, err := znode.DecodeMigration(data)
	if err != nil || !interruptedCommit(m, epoch) {
		return nil
	}
	d.mu.Lock()
	d.resumedIn = epoch
	d.mu.Unlock()
	d.log.Info("resuming a commit interrupted by a controller failover", "started_by", m.KRaftControllerID, "in_epoch", m.KRaftControllerEpoch)
	if _, err := d.Commit(ctx); err != nil {
		return fmt.Errorf("resume the interrupted commit: %w", err)
	}
	return nil
}

// interruptedCommit tells whether /migration (m), read by the active controller in
// epoch, shows a commit that an earlier leader started and did not finish: claimed by
// a KRaft controller in an earlier epoch, with no copy recorded. A claim in this epoch
// is this controller's own commit, still copying, and must not be resumed over it.
func interruptedCommit(m znode.MigrationZNode, epoch int32) bool {
	return m.KRaftControllerID >= 0 && !m.InitialMigrationComplete() && m.KRaftControllerEpoch < epoch
}
