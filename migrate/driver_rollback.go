package migrate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// RollbackResult lists a rollback's steps, in order, and whether they were carried out
// (false for --dry-run).
type RollbackResult struct {
	Steps []string `json:"steps"`
	Done  bool     `json:"done"`
	// FrozenAt is the offset from which the quorum took no more metadata writes, -1
	// for a dry run.
	FrozenAt int64 `json:"frozen_at"`
	// ZooKeeperController is the broker ZooKeeper elected afterwards, -1 if none yet.
	ZooKeeperController int32 `json:"zookeeper_controller"`
}

// zkElectionWait bounds how long a rollback waits for the ZooKeeper brokers to elect
// a controller of their own; it returns anyway, the election follows.
const zkElectionWait = 15 * time.Second

// Rollback returns the cluster to ZooKeeper until the migration is finalized, in an
// order that loses nothing acknowledged and never has two controllers taking writes:
//  1. the log is frozen (ZkMigrationStateRecord ZK): from then on the quorum refuses
//     every metadata write ZooKeeper mirrors, so what it holds is final;
//  2. ZooKeeper, read afresh, is reconciled with that whole log, fenced on this term's
//     /controller_epoch and /migration versions;
//  3. ZooKeeper is read once more and compared with the log: any difference stops the
//     rollback here, frozen, to be run again;
//  4. /migration and the KRaft controller's /controller are deleted in one fenced multi.
//
// Only then do the ZooKeeper brokers elect a controller of their own, and brokers led by
// the quorum move back to ZooKeeper in place. A rollback cut short after step 1 is
// finished by the next active controller (resumeRollback), or by running it again.
// With dryRun only the steps are returned.
func (d *Driver) Rollback(ctx context.Context, dryRun bool) (RollbackResult, error) {
	st := d.ctrl.MigrationState()
	switch {
	case !st.Active:
		return RollbackResult{}, ErrNotActive
	case st.State == metadata.ZkMigrationPostMigration:
		return RollbackResult{}, &RefusedError{Reasons: []string{"the migration is finalized (POST_MIGRATION): ZooKeeper is no longer kept in step and cannot lead again"}}
	case st.State != metadata.ZkMigrationMigration && st.State != metadata.ZkMigrationZK:
		return RollbackResult{}, &RefusedError{Reasons: []string{fmt.Sprintf("the metadata log is in state %s: nothing was copied, so stopping the controllers is the whole rollback", st.State.String())}}
	}
	img := d.ctrl.Image()
	onZK, onQuorum, _ := brokerModes(img, nil)
	res := RollbackResult{FrozenAt: -1, ZooKeeperController: -1, Steps: []string{
		"freeze the metadata log (migration state ZK): the quorum refuses metadata writes from then on, and clients retry them",
		"reconcile ZooKeeper, read afresh, with the whole frozen log, fenced on /controller_epoch and /migration",
		"read ZooKeeper again and compare it with the log: any difference stops the rollback before ZooKeeper is released",
		"delete /migration and KRaft controller " + fmt.Sprint(d.opts.NodeID) + "'s persistent /controller in one fenced multi",
		"the ZooKeeper brokers elect a controller of their own, bumping /controller_epoch",
		"brokers on the quorum (" + namedOrNone(onQuorum) + ") move back to ZooKeeper leadership in place; brokers on ZooKeeper (" + namedOrNone(onZK) + ") stay",
		"this quorum stops writing ZooKeeper; deprovision it once the brokers are back on ZooKeeper",
	}}
	if dryRun {
		return res, nil
	}
	d.commitMu.Lock()
	defer d.commitMu.Unlock()
	released, err := d.releasedToZooKeeper(ctx)
	if err != nil {
		return res, err
	}
	if released {
		return res, &RefusedError{Reasons: []string{"already rolled back: ZooKeeper has no /migration"}}
	}
	frozenAt, err := d.ctrl.FreezeForRollback(ctx)
	if err != nil {
		return res, err
	}
	res.FrozenAt = frozenAt
	if err := d.releaseToZooKeeper(ctx, st.Epoch); err != nil {
		return res, err
	}
	res.Done = true
	deadline := time.Now().Add(zkElectionWait)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		id, _, err := zkmode.CurrentController(ctx, d.zk)
		if err == nil && id >= 0 {
			res.ZooKeeperController = id
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return res, nil
}

// releaseToZooKeeper is the rollback after the freeze: a full reconcile of ZooKeeper,
// read afresh, with the frozen log; a comparison that must find no difference; then the
// release. An epoch that claims ZooKeeper only now has just made that reconcile, with
// the frozen log, as part of its claim. The caller holds commitMu.
func (d *Driver) releaseToZooKeeper(ctx context.Context, epoch int32) error {
	d.enter(DriverRollingBack, "the log is frozen for a rollback")
	img := d.ctrl.Image()
	term := d.currentTerm(epoch)
	if term == nil {
		var err error
		if term, err = d.claimedTerm(ctx, epoch, nil); err != nil {
			return err
		}
	} else {
		zkImg, err := zkmode.LoadImage(ctx, d.zk)
		if err != nil {
			return fmt.Errorf("read ZooKeeper for the rollback's reconcile: %w", err)
		}
		ops, err := term.writer.WriteChanges(ctx, zkImg, img, d.migrationState(term.epoch, img))
		if err != nil {
			return fmt.Errorf("reconcile ZooKeeper with the frozen metadata log at offset %d: %w", img.Offset, err)
		}
		d.log.Info("reconciled ZooKeeper with the frozen metadata log", "offset", img.Offset, "operations", ops)
	}
	tree, err := zkmode.LoadTree(ctx, d.zk)
	if err != nil {
		return fmt.Errorf("read ZooKeeper to check the rollback's reconcile: %w", err)
	}
	if findings, sum := diffZooKeeper(tree, img); sum.Total > 0 {
		reasons := []string{fmt.Sprintf("after the reconcile ZooKeeper still differs from the frozen metadata log at offset %d in %d places; "+
			"ZooKeeper was not released, the quorum stays frozen: run the rollback again", img.Offset, sum.Total)}
		for _, f := range findings[:min(len(findings), 10)] {
			reasons = append(reasons, f.Message)
		}
		return &RefusedError{Reasons: reasons}
	}
	if err := term.writer.Release(ctx); err != nil {
		return fmt.Errorf("release ZooKeeper: %w", err)
	}
	d.mu.Lock()
	d.term = nil
	d.mu.Unlock()
	d.log.Info("rolled back: ZooKeeper leads the cluster again", "offset", img.Offset)
	d.enter(DriverRolledBack, "ZooKeeper released")
	return nil
}

// resumeRollback finishes a rollback that an earlier active controller froze the log
// for and did not finish (it died, or ZooKeeper failed under it): the log says ZK while
// ZooKeeper still has /migration. Nothing else can move the cluster on from there.
func (d *Driver) resumeRollback(epoch int32) error {
	d.commitMu.Lock()
	defer d.commitMu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	released, err := d.releasedToZooKeeper(ctx)
	if err != nil {
		return err
	}
	if released {
		d.enter(DriverRolledBack, "the log is frozen and ZooKeeper released")
		return nil
	}
	d.log.Info("finishing a rollback: the metadata log is frozen and ZooKeeper not yet released", "epoch", epoch)
	if err := d.releaseToZooKeeper(ctx, epoch); err != nil {
		return fmt.Errorf("finish the rollback: %w", err)
	}
	return nil
}

// releasedToZooKeeper tells whether ZooKeeper has no /migration while the log says
// MIGRATION: a rollback released it, and this quorum must not claim it again.
func (d *Driver) releasedToZooKeeper(ctx context.Context) (bool, error) {
	ok, _, err := d.zk.Exists(ctx, znode.MigrationPath)
	if err != nil && !errors.Is(err, zk.ErrNoNode) {
		return false, fmt.Errorf("read %s: %w", znode.MigrationPath, err)
	}
	return !ok, nil
}

// namedOrNone lists broker ids for a sentence.
func namedOrNone(ids []int32) string {
	if len(ids) == 0 {
		return "none"
	}
	return joinIDs(ids)
}
