package kraftmode

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/hashicorp/raft"

	"github.com/kbridge/kbridge/metadata"
)

// DefaultMigrationMinBatch is the default of zookeeper.metadata.migration.min.batch.size,
// the soft minimum number of records in one batch of the migration copy.
const DefaultMigrationMinBatch = 200

// maxCopyBatchBytes bounds the encoded records of one copy batch, so that a Raft entry
// stays small enough to replicate and fsync quickly whatever minimum the caller asks
// for. A single group larger than this still goes in one batch: groups are never split.
const maxCopyBatchBytes = 1 << 20

// MigrationState is what the migration driver needs to know of this controller at one
// moment: the committed image's ZkMigrationState, the Raft term as Kafka's controller
// epoch, and whether this node is the active controller in that term.
type MigrationState struct {
	State  metadata.ZkMigrationState
	Epoch  int32
	Active bool
}

// MigrationState reads the state, the epoch and activeness together, so the driver
// never pairs a term with the activeness of another.
func (c *Controller) MigrationState() MigrationState {
	term := c.raft.CurrentTerm()
	return MigrationState{
		State:  c.Image().ZkMigrationState,
		Epoch:  int32(term),
		Active: c.raft.State() == raft.Leader && c.readyTerm.Load() == term,
	}
}

// RaftEpoch is the current Raft term as Kafka's leader epoch: the KRaft controller
// epoch the driver writes to /controller and /migration to fence older leaders.
func (c *Controller) RaftEpoch() int32 { return int32(c.raft.CurrentTerm()) }

// CopyZkMetadata writes ZooKeeper's metadata into the log as Kafka's migration does
// (KRaftMigrationDriver.MigrateMetadataEvent with QuorumController's
// MigrationRecordConsumer): BeginTransactionRecord("ZK Migration"), the records in
// batches, then ZkMigrationStateRecord(MIGRATION) and EndTransactionRecord in the last
// batch, so the copy takes effect whole or not at all. It returns the Raft index and
// term of that last batch, which the driver writes to /migration.
//
// Each group (a topic with its configs and partitions, say) stays in one batch, and
// groups are coalesced until a batch holds at least minBatch records (≤ 0 means
// DefaultMigrationMinBatch) or maxCopyBatchBytes. The caller passes the groups in
// Kafka's order; their records must not include transaction or migration-state
// records, which the copy writes itself. progress (may be nil) is called after each
// committed batch with the number of the caller's records written so far; it runs
// with the write lock held, so it must not call this controller's write methods.
//
// The copy runs only on the active controller, with ZK migrations enabled, in
// PRE_MIGRATION, with no transaction open. It holds the write lock throughout, so no
// other write can land inside the transaction: heartbeats wait (their sessions are
// kept alive as they arrive) and are answered once the copy ends. Between batches it checks ctx and that this node is
// still the active controller of the same term. On a failure it aborts the
// transaction itself while it still leads; when leadership is lost, the next active
// controller's activation aborts it. Either way the log stays in PRE_MIGRATION with
// none of the copied records, and the copy can be run again.
func (c *Controller) CopyZkMetadata(ctx context.Context, groups [][]metadata.Record, minBatch int, progress func(done, total int)) (offset int64, epoch int32, err error) {
	if minBatch <= 0 {
		minBatch = DefaultMigrationMinBatch
	}
	total, err := countCopyRecords(groups)
	if err != nil {
		return 0, 0, fmt.Errorf("copy ZooKeeper metadata: %w", err)
	}
	if err := c.lockWriter(); err != nil {
		return 0, 0, fmt.Errorf("copy ZooKeeper metadata: %w", err)
	}
	defer c.writeMu.Unlock()
	at, term := c.activeTerm(), c.readyTerm.Load()
	if at == nil {
		return 0, 0, fmt.Errorf("copy ZooKeeper metadata: %w", c.notController())
	}
	if !c.opts.ZkMigrationEnabled {
		return 0, 0, errors.New("copy ZooKeeper metadata: zookeeper.metadata.migration.enable is not set on this controller")
	}
	img := c.Image()
	if img.InTransaction() {
		return 0, 0, errors.New("copy ZooKeeper metadata: a metadata transaction is already open")
	}
	if s := img.ZkMigrationState; s != metadata.ZkMigrationPreMigration {
		return 0, 0, fmt.Errorf("copy ZooKeeper metadata: the ZK migration state is %s, and a copy needs PRE_MIGRATION", s.String())
	}

	batches := planCopyBatches(groups, minBatch, maxCopyBatchBytes)
	c.log.Info("starting migration of ZooKeeper metadata to KRaft", "records", total, "batches", len(batches), "term", term)
	began := time.Now()
	done := 0
	var last uint64
	for i, batch := range batches {
		if err := c.checkCopyTerm(ctx, at, term); err != nil {
			return 0, 0, c.abortCopy(at, term, fmt.Errorf("copy ZooKeeper metadata: before batch %d of %d: %w", i+1, len(batches), err))
		}
		recs := batch
		if i == 0 {
			name := "ZK Migration"
			recs = append([]metadata.Record{&metadata.BeginTransactionRecord{Name: &name}}, recs...)
		}
		if i == len(batches)-1 {
			recs = append(recs, &metadata.ZkMigrationStateRecord{ZkMigrationState: metadata.ZkMigrationMigration}, &metadata.EndTransactionRecord{})
		}
		idx, err := c.appendLocked(recs)
		if err != nil {
			return 0, 0, c.abortCopy(at, term, fmt.Errorf("copy ZooKeeper metadata: batch %d of %d: %w", i+1, len(batches), err))
		}
		last = idx
		done += len(batch)
		if progress != nil {
			progress(done, total)
		}
		if i < len(batches)-1 {
			c.pauseBetweenCopyBatches(ctx)
		}
	}
	c.log.Info("completed migration of ZooKeeper metadata to KRaft", "records", total, "batches", len(batches),
		"offset", last, "term", term, "took", time.Since(began))
	c.moveOffFencedBrokers()
	return int64(last), int32(term), nil
}

// moveOffFencedBrokers takes every broker the copy found fenced out of the ISRs and
// leaderships ZooKeeper gave it, as fencing it would have done had the partitions
// been in the log then. A broker whose session ran out before or during the commit
// was fenced while the log held no partitions, and no later event would move its
// leaderships: its partitions would stay led by a broker that cannot serve them. The
// copy is committed whatever happens here; a failed write is logged, and those
// partitions wait for the broker to return, as after any failed fencing. The changes
// come after the copy's offset, so dual-write carries them to ZooKeeper.
func (c *Controller) moveOffFencedBrokers() {
	img := c.Image()
	for _, id := range slices.Sorted(maps.Keys(img.Brokers)) {
		if !img.Brokers[id].Fenced {
			continue
		}
		cur := c.Image()
		changes := c.brokerRemovedUpdates(cur, id)
		if len(changes) == 0 {
			continue
		}
		if _, _, err := c.appendChunks(changes); err != nil {
			c.log.Warn("moving the copied partitions off a fenced broker failed", "broker.id", id, "err", err)
			return
		}
		c.log.Info("moved the copied partitions off a fenced broker", "broker.id", id, "partition_changes", len(changes))
	}
}

// countCopyRecords counts the records of a copy and refuses the records the copy
// writes itself: a caller's transaction marker would end the transaction early, and a
// migration state inside it would be overwritten by MIGRATION at the end.
func countCopyRecords(groups [][]metadata.Record) (int, error) {
	n := 0
	for gi, g := range groups {
		for ri, r := range g {
			switch r.(type) {
			case *metadata.BeginTransactionRecord, *metadata.EndTransactionRecord,
				*metadata.AbortTransactionRecord, *metadata.ZkMigrationStateRecord:
				return 0, fmt.Errorf("record %d of group %d is a %s, which the copy writes itself",
					ri, gi, metadata.RecordTypeName(r.APIKey()))
			}
		}
		n += len(g)
	}
	return n, nil
}

// planCopyBatches coalesces groups into batches as Kafka's BufferingBatchConsumer
// does: a batch is flushed once it holds at least minBatch records. A batch is also
// flushed before a group would take it past maxBytes of encoded records, so only a
// batch that is a single oversized group exceeds that. There is always at least one
// batch, empty when there are no groups, to carry the transaction's records.
func planCopyBatches(groups [][]metadata.Record, minBatch, maxBytes int) [][]metadata.Record {
	var batches [][]metadata.Record
	var cur []metadata.Record
	curBytes := 0
	flush := func() {
		if len(cur) > 0 {
			batches = append(batches, cur)
			cur, curBytes = nil, 0
		}
	}
	for _, g := range groups {
		if len(g) == 0 {
			continue
		}
		size := 0
		for _, r := range g {
			size += len(metadata.EncodeRecord(r))
		}
		if curBytes+size > maxBytes {
			flush()
		}
		cur = append(cur, g...)
		curBytes += size
		if len(cur) >= minBatch || curBytes >= maxBytes {
			flush()
		}
	}
	flush()
	if len(batches) == 0 {
		batches = append(batches, nil)
	}
	return batches
}

// checkCopyTerm is the check between two batches of a copy: the caller still wants
// it, and this node still leads in the term the copy began in. A new term, even one
// this node also leads, means another leader may have aborted the transaction.
func (c *Controller) checkCopyTerm(ctx context.Context, at *activeTerm, term uint64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if c.activeTerm() != at || c.raft.State() != raft.Leader || c.raft.CurrentTerm() != term {
		return c.notController()
	}
	return nil
}

// pauseBetweenCopyBatches is the MigrationBatchDelay test hook; it ends early when the
// copy is cancelled or the controller closes, and the next checkCopyTerm tells which.
func (c *Controller) pauseBetweenCopyBatches(ctx context.Context) {
	if c.opts.MigrationBatchDelay <= 0 {
		return
	}
	t := time.NewTimer(c.opts.MigrationBatchDelay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	case <-c.shutdown:
	}
}

// abortCopy ends a failed copy's transaction while this node still leads in the
// copy's term, so that the copy can be retried without a failover; Kafka crashes the
// controller instead and leaves the abort to the next one, which is also what happens
// here when leadership is gone. It returns cause, joined with the abort's own failure.
func (c *Controller) abortCopy(at *activeTerm, term uint64, cause error) error {
	if !c.Image().InTransaction() {
		return cause
	}
	if err := c.checkCopyTerm(context.Background(), at, term); err != nil {
		c.log.Warn("ZK migration copy failed; the next active controller will abort its transaction", "err", cause)
		return cause
	}
	reason := "ZK migration aborted"
	if _, err := c.appendLocked([]metadata.Record{&metadata.AbortTransactionRecord{Reason: &reason}}); err != nil {
		c.log.Error("ZK migration copy failed and its transaction could not be aborted; the next active controller will abort it",
			"err", cause, "abort_err", err)
		return errors.Join(cause, fmt.Errorf("abort the copy's metadata transaction: %w", err))
	}
	c.log.Warn("ZK migration copy failed; aborted its metadata transaction", "err", cause)
	return cause
}

// FinalizeZkMigration ends the migration (`migrate finalize`): it writes
// ZkMigrationStateRecord(POST_MIGRATION), after which the cluster is KRaft for good
// and nothing is written to ZooKeeper again. Kafka finalizes when a controller starts
// without zookeeper.metadata.migration.enable; here it is this explicit step, taken on
// the active controller in MIGRATION. A log already in POST_MIGRATION is left as it is,
// so a finalize that was interrupted after its write can be run again.
func (c *Controller) FinalizeZkMigration(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("finalize ZK migration: %w", err)
	}
	if err := c.lockWriter(); err != nil {
		return fmt.Errorf("finalize ZK migration: %w", err)
	}
	defer c.writeMu.Unlock()
	if c.activeTerm() == nil {
		return fmt.Errorf("finalize ZK migration: %w", c.notController())
	}
	img := c.Image()
	switch s := img.ZkMigrationState; {
	case img.InTransaction():
		return errors.New("finalize ZK migration: a metadata transaction is open")
	case s == metadata.ZkMigrationPostMigration:
		return nil
	case s != metadata.ZkMigrationMigration:
		return fmt.Errorf("finalize ZK migration: the ZK migration state is %s, and finalizing needs MIGRATION", s.String())
	}
	idx, err := c.appendLocked([]metadata.Record{&metadata.ZkMigrationStateRecord{ZkMigrationState: metadata.ZkMigrationPostMigration}})
	if err != nil {
		return fmt.Errorf("finalize ZK migration: %w", err)
	}
	c.log.Info("finalized the ZK migration: the migration state is POST_MIGRATION", "offset", idx)
	return nil
}

// FreezeForRollback is a rollback's first step (`migrate rollback`): it writes
// ZkMigrationStateRecord(ZK), after which the quorum refuses every metadata write that
// ZooKeeper mirrors (topics, partitions, configs, ACLs, elections, AlterPartition,
// producer ids) with NOT_CONTROLLER, and moves no leadership when brokers come and go.
// What the log holds from then on is final, so a reconcile of ZooKeeper with it loses
// nothing, and there is no moment with two controllers taking writes: the quorum stops
// before ZooKeeper is released. It returns the offset of the record, or of the image
// when the log is already frozen, so an interrupted rollback can be run again.
func (c *Controller) FreezeForRollback(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("freeze the metadata log for a rollback: %w", err)
	}
	if err := c.lockWriter(); err != nil {
		return 0, fmt.Errorf("freeze the metadata log for a rollback: %w", err)
	}
	defer c.writeMu.Unlock()
	if c.activeTerm() == nil {
		return 0, fmt.Errorf("freeze the metadata log for a rollback: %w", c.notController())
	}
	img := c.Image()
	switch s := img.ZkMigrationState; {
	case img.InTransaction():
		return 0, errors.New("freeze the metadata log for a rollback: a metadata transaction is open")
	case s == metadata.ZkMigrationZK:
		return img.Offset, nil
	case s != metadata.ZkMigrationMigration:
		return 0, fmt.Errorf("freeze the metadata log for a rollback: the ZK migration state is %s, and a rollback needs MIGRATION", s.String())
	}
	idx, err := c.appendLocked([]metadata.Record{&metadata.ZkMigrationStateRecord{ZkMigrationState: metadata.ZkMigrationZK}})
	if err != nil {
		return 0, fmt.Errorf("freeze the metadata log for a rollback: %w", err)
	}
	c.log.Info("froze the metadata log for a rollback: the migration state is ZK, metadata writes are refused", "offset", idx)
	return int64(idx), nil
}

// CopyBatchCount is how many Raft entries CopyZkMetadata writes for groups, so a
// dry-run can say exactly what a commit will write: the transaction's records ride in
// the first and last of them.
func CopyBatchCount(groups [][]metadata.Record, minBatch int) int {
	if minBatch <= 0 {
		minBatch = DefaultMigrationMinBatch
	}
	return len(planCopyBatches(groups, minBatch, maxCopyBatchBytes))
}
