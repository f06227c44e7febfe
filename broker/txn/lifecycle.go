package txn

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/kbridge/kbridge/broker/coordlog"
)

// loadRetryBackoff spaces retries of a partition whose log could not be read.
const loadRetryBackoff = time.Second

// BecomeLeader makes this coordinator own a __transaction_state partition from
// leader epoch epoch on, the coordinator epoch of its transactions: the partition
// is read from its log start to its end in the background, and its transactional
// ids answer COORDINATOR_LOAD_IN_PROGRESS until then. Transactions found half-ended
// get their markers written and are completed, as Kafka's loader does.
func (c *Coordinator) BecomeLeader(partition, epoch int32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if op, ok := c.parts[partition]; c.closed || (ok && op.epoch == epoch) {
		return
	}
	c.unloadLocked(partition)
	ctx, cancel := context.WithCancel(context.Background())
	op := &ownedPartition{id: partition, epoch: epoch, loading: true, txns: map[string]*txnMetadata{}, ctx: ctx, cancel: cancel}
	c.parts[partition] = op
	c.goLocked(func() { c.load(op) })
}

// Resign drops a partition this broker no longer leads with all its transactional
// ids; marker writes under way for them stop, and the next leader's load finishes
// their transactions.
func (c *Coordinator) Resign(partition int32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.unloadLocked(partition)
}

func (c *Coordinator) unloadLocked(partition int32) {
	op, ok := c.parts[partition]
	if !ok {
		return
	}
	op.cancel()
	delete(c.parts, partition)
	c.slog.Info("unloaded __transaction_state partition", "partition", partition, "epoch", op.epoch, "transactional_ids", len(op.txns))
}

// Close stops the periodic checks and every marker write and waits for the
// background work to end.
func (c *Coordinator) Close() {
	c.mu.Lock()
	for p := range c.parts {
		c.unloadLocked(p)
	}
	for _, t := range c.tasks {
		t.stop()
	}
	c.closed = true
	c.mu.Unlock()
	c.bg.Wait()
}

// load reads a partition and installs its transactional ids, retrying while the
// log cannot be read and this broker still owns the partition.
func (c *Coordinator) load(op *ownedPartition) {
	started := time.Now()
	for {
		txns, records, err := c.readPartition(op.id)
		if err == nil {
			n := len(txns) // the map is the cache's, under mu, once installed
			if c.install(op, txns) {
				c.slog.Info("loaded __transaction_state partition", "partition", op.id, "epoch", op.epoch,
					"records", records, "transactional_ids", n, "took", time.Since(started).Round(time.Millisecond))
			}
			return
		}
		c.slog.Error("cannot load __transaction_state partition; retrying", "partition", op.id, "err", err)
		if !c.wait(op.ctx, loadRetryBackoff) {
			return
		}
	}
}

// readPartition replays a partition: the last value of every transactional id,
// tombstoned ids removed.
func (c *Coordinator) readPartition(partition int32) (map[string]*txnMetadata, int, error) {
	txns := map[string]*txnMetadata{}
	n, err := coordlog.Replay(c.log, partition, func(b *coordlog.Batch, offset int64, key, value []byte) error {
		if b.Control {
			return nil
		}
		id, ok, err := decodeKey(key)
		if err == nil && !ok {
			c.slog.Warn("skipping __transaction_state record of an unknown key version", "partition", partition, "offset", offset)
			return nil
		}
		if err == nil && value == nil {
			delete(txns, id)
			return nil
		}
		var m *txnMetadata
		if err == nil {
			m, err = decodeValue(id, value)
		}
		if err != nil {
			// Kafka stops the load here, keeping what it read so far; skipping the one
			// record keeps every other transactional id.
			c.slog.Warn("skipping unreadable __transaction_state record", "partition", partition, "offset", offset, "err", err)
			return nil
		}
		txns[id] = m
		return nil
	})
	if err != nil {
		return nil, n, fmt.Errorf("load __transaction_state: %w", err)
	}
	return txns, n, nil
}

// install makes the read ids the partition's, unless ownership moved on meanwhile,
// and finishes the transactions that were ending: their PrepareCommit or
// PrepareAbort is written, so their markers are (re)sent and they complete.
// Ongoing transactions keep their start time, so their timeout runs on.
func (c *Coordinator) install(op *ownedPartition, txns map[string]*txnMetadata) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.parts[op.id] != op {
		return false
	}
	op.txns = txns
	op.loading = false
	ids := make([]string, 0, len(txns))
	for id, m := range txns {
		if m.state == statePrepareCommit || m.state == statePrepareAbort {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		c.slog.Info("completing a transaction found ending at load", "transactional_id", id, "state", txns[id].state)
		c.completeLocked(op, txns[id])
	}
	return true
}
