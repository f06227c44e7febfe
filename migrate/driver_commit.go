package migrate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// ErrNotActive is returned by the driver's operations on a controller that is not the
// active one; the admin endpoint names the active controller instead.
var ErrNotActive = errors.New("this controller is not the active controller")

// CommitResult is the outcome of a commit.
type CommitResult struct {
	// AlreadyCommitted is set when the log already held the copy: re-running commit
	// is safe and writes nothing.
	AlreadyCommitted bool          `json:"already_committed"`
	Records          int           `json:"records"`
	Offset           int64         `json:"offset"`
	Epoch            int32         `json:"epoch"`
	Took             time.Duration `json:"took_ns"`
}

// BlockedError is a commit refused by the preflight: the blockers a dry-run reports.
type BlockedError struct{ Blockers []Finding }

func (e *BlockedError) Error() string {
	msg := "the migration cannot start:"
	for _, f := range e.Blockers {
		msg += fmt.Sprintf(" [%s] %s;", f.Code, f.Message)
	}
	return msg
}

// Commit runs the migration's initial load on the active controller (Kafka's
// BecomeZkController and MigrateMetadata): after the same preflight a dry-run makes
// has found no blocker, it fences the ZooKeeper controller, reads ZooKeeper again
// (nothing can change it now), copies it into the log in one metadata transaction
// and records the copy's offset in /migration. Dual-write starts from there. On a log
// that already holds the copy it writes nothing; a copy cut short by a failover is
// aborted by the next leader and can simply be committed again.
func (d *Driver) Commit(ctx context.Context) (CommitResult, error) {
	start := time.Now()
	st := d.ctrl.MigrationState()
	switch {
	case !st.Active:
		return CommitResult{}, ErrNotActive
	case st.State == metadata.ZkMigrationZK:
		return CommitResult{}, &BlockedError{Blockers: []Finding{rolledBackFinding}}
	case st.State == metadata.ZkMigrationMigration || st.State == metadata.ZkMigrationPostMigration:
		if released, err := d.releasedToZooKeeper(ctx); err != nil {
			return CommitResult{}, err
		} else if released && st.State == metadata.ZkMigrationMigration {
			return CommitResult{}, &BlockedError{Blockers: []Finding{rolledBackFinding}}
		}
		img := d.ctrl.Image()
		return CommitResult{AlreadyCommitted: true, Offset: img.Offset, Epoch: img.Epoch}, nil
	case st.State != metadata.ZkMigrationPreMigration:
		return CommitResult{}, fmt.Errorf("the metadata log is in state %s, not PRE_MIGRATION: start the controllers with zookeeper.metadata.migration.enable=true on an empty log", st.State.String())
	}
	if blockers, err := d.preflight(ctx); err != nil {
		return CommitResult{}, err
	} else if len(blockers) > 0 {
		return CommitResult{}, &BlockedError{Blockers: blockers}
	}

	d.commitMu.Lock()
	if now := d.ctrl.MigrationState(); now != st {
		// Another commit ran while this one waited for the lock, or leadership moved:
		// decide again from what is now.
		d.commitMu.Unlock()
		return d.Commit(ctx)
	}
	defer d.commitMu.Unlock()
	d.enter(DriverBecomeController, "migrate commit")
	res, err := d.copyZooKeeper(ctx, st.Epoch)
	if err != nil {
		d.enter(DriverWaitForCommit, "the commit failed: "+err.Error())
		return CommitResult{}, err
	}
	res.Took = time.Since(start)
	d.log.Info("Completed migration of metadata from ZooKeeper to KRaft", "records", res.Records, "offset", res.Offset, "epoch", res.Epoch, "took", res.Took.Round(time.Millisecond))
	return res, nil
}

// copyZooKeeper is the commit once the driver holds commitMu: claim ZooKeeper, read it,
// copy it, and record the copy in /migration. The claim and the read it copied become
// this epoch's term, so dual-write starts from them without claiming again.
func (d *Driver) copyZooKeeper(ctx context.Context, raftEpoch int32) (CommitResult, error) {
	writer, err := d.claim(ctx, raftEpoch)
	if err != nil {
		return CommitResult{}, err
	}
	d.enter(DriverZkMigration, "claimed ZooKeeper: copying it into the log")
	tree, err := zkmode.LoadTree(ctx, d.zk)
	if err != nil {
		return CommitResult{}, fmt.Errorf("read ZooKeeper for the copy: %w", err)
	}
	recs, err := tree.MigrationRecords()
	if err != nil {
		return CommitResult{}, err
	}
	if w := d.opts.CommitWindow; w > 0 {
		d.log.Warn("test hook: holding the commit window open", "for", w)
		select {
		case <-time.After(w):
		case <-ctx.Done():
			return CommitResult{}, ctx.Err()
		}
	}
	d.mu.Lock()
	d.copying, d.copyDone, d.copyTotal = true, 0, len(recs)
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		d.copying = false
		d.mu.Unlock()
	}()
	d.log.Info("copying ZooKeeper into the metadata log", "records", len(recs))
	offset, epoch, err := d.ctrl.CopyZkMetadata(ctx, migrationGroups(recs), d.opts.MinBatchSize, func(done, total int) {
		d.mu.Lock()
		d.copyDone, d.copyTotal = done, total
		d.mu.Unlock()
		d.log.Info("migration copy progress", "records", done, "of", total)
	})
	if err != nil {
		return CommitResult{}, fmt.Errorf("copy ZooKeeper into the metadata log: %w", err)
	}
	res := CommitResult{Records: len(recs), Offset: offset, Epoch: epoch}
	state := znode.MigrationZNode{KRaftControllerID: d.opts.NodeID, KRaftControllerEpoch: raftEpoch, KRaftMetadataOffset: offset, KRaftMetadataEpoch: epoch}
	if err := writer.WriteMigrationState(ctx, state); err != nil {
		// The copy is committed: the dual-write loop claims ZooKeeper again and
		// records the offset with its reconcile.
		d.log.Warn("copy committed but /migration not updated; the dual-write loop will", "err", err)
		d.mu.Lock()
		d.term = nil
		d.mu.Unlock()
		d.enter(DriverBecomeController, "/migration not updated after the copy")
		return res, nil
	}
	// ZooKeeper is as read for the copy: the term starts from that read, and the
	// first dual-write writes what the log took since.
	d.mu.Lock()
	d.term = &zkTerm{epoch: raftEpoch, writer: writer, zkImg: tree.Image}
	d.lastReconcile, d.behindSince, d.dualWriteOffset = time.Now(), time.Time{}, offset
	d.mu.Unlock()
	d.enter(DriverDualWrite, "the copy is committed")
	return res, nil
}

// preflight runs the dry-run's checks on ZooKeeper and this controller's own view of
// the quorum, and returns the blockers.
func (d *Driver) preflight(ctx context.Context) ([]Finding, error) {
	obs, err := readZooKeeper(ctx, chrootReader{conn: d.zk})
	if err != nil {
		return nil, fmt.Errorf("read ZooKeeper for the preflight: %w", err)
	}
	img := d.ctrl.Image()
	obs.view = &ControllerView{NodeID: d.opts.NodeID, LeaderID: d.ctrl.LeaderID(), Voters: d.opts.Voters, Image: img, InTransaction: img.InTransaction()}
	findings, _ := assess(obs)
	var blockers []Finding
	for _, f := range findings {
		if f.Severity == SeverityBlocker {
			blockers = append(blockers, f)
		}
	}
	return blockers, nil
}
