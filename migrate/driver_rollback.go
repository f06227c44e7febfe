package migrate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode"
)

// RollbackResult lists a rollback's steps, in order, and whether they were carried out
// (false for --dry-run).
type RollbackResult struct {
	Steps []string `json:"steps"`
	Done  bool     `json:"done"`
	// ZooKeeperController is the broker ZooKeeper elected afterwards, -1 if none yet.
	ZooKeeperController int32 `json:"zookeeper_controller"`
}

// zkElectionWait bounds how long a rollback waits for the ZooKeeper brokers to elect
// a controller of their own; it returns anyway, the election follows.
const zkElectionWait = 15 * time.Second

// Rollback returns the cluster to ZooKeeper until the migration is finalized, as one
// ordered, epoch-guarded operation: ZooKeeper is brought up to the whole metadata log,
// then /migration and the KRaft controller's /controller are deleted in one multi
// fenced on this term's /controller_epoch and /migration versions, so a stale leader
// cannot do it and a newer one cannot be undone. The ZooKeeper brokers then elect a
// controller, and brokers led by the quorum move back to ZooKeeper in place. No
// controller of this quorum writes ZooKeeper again: without /migration a new leader
// does not claim it. With dryRun only the steps are returned.
func (d *Driver) Rollback(ctx context.Context, dryRun bool) (RollbackResult, error) {
	st := d.ctrl.MigrationState()
	switch {
	case !st.Active:
		return RollbackResult{}, ErrNotActive
	case st.State == metadata.ZkMigrationPostMigration:
		return RollbackResult{}, &RefusedError{Reasons: []string{"the migration is finalized (POST_MIGRATION): ZooKeeper is no longer kept in step and cannot lead again"}}
	case st.State != metadata.ZkMigrationMigration:
		return RollbackResult{}, &RefusedError{Reasons: []string{fmt.Sprintf("the metadata log is in state %s: nothing was copied, so stopping the controllers is the whole rollback", st.State.String())}}
	}
	img := d.ctrl.Image()
	onZK, onQuorum, _ := brokerModes(img, nil)
	res := RollbackResult{ZooKeeperController: -1, Steps: []string{
		fmt.Sprintf("reconcile ZooKeeper with the metadata log at offset %d, fenced on /controller_epoch and /migration", img.Offset),
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
	term, err := d.claimedTerm(ctx, st.Epoch)
	if err != nil {
		return res, err
	}
	if err := d.dualWrite(ctx, term); err != nil {
		return res, err
	}
	if err := term.writer.Release(ctx); err != nil {
		return res, fmt.Errorf("release ZooKeeper: %w", err)
	}
	d.mu.Lock()
	d.term = nil
	d.mu.Unlock()
	d.log.Info("rolled back: ZooKeeper leads the cluster again", "offset", term.zkImg.Offset)
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

// releasedToZooKeeper tells whether ZooKeeper has no /migration while the log says
// MIGRATION: a rollback released it, and this quorum must not claim it again.
func (d *Driver) releasedToZooKeeper(ctx context.Context) (bool, error) {
	ok, _, err := d.zk.Exists(ctx, zkmode.MigrationPath)
	if err != nil && !errors.Is(err, zk.ErrNoNode) {
		return false, fmt.Errorf("read %s: %w", zkmode.MigrationPath, err)
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
