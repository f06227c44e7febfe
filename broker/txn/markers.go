package txn

import "time"

// markerRetryBackoff spaces retries of marker writes and of the Complete write
// that follows them.
const markerRetryBackoff = 100 * time.Millisecond

// completeLocked finishes a transaction whose PrepareCommit or PrepareAbort is
// written: the Complete transition is made pending, so requests meanwhile get
// CONCURRENT_TRANSACTIONS, and the markers and then the Complete record are written
// in the background (Kafka's TransactionMarkerChannelManager.addTxnMarkersToSend).
// mu must be held.
func (c *Coordinator) completeLocked(op *ownedPartition, m *txnMetadata) {
	t, err := m.prepareComplete(c.clock.Now().UnixMilli())
	if err != nil {
		c.slog.Error("cannot complete transaction", "transactional_id", m.id, "err", err)
		return
	}
	marker := Marker{
		TransactionalID:  m.id,
		ProducerID:       m.producerID,
		ProducerEpoch:    m.producerEpoch,
		Commit:           m.state == statePrepareCommit,
		CoordinatorEpoch: op.epoch,
		Partitions:       m.partitions.sorted(),
	}
	c.goLocked(func() { c.writeMarkersAndComplete(op, m, marker, t) })
}

// writeMarkersAndComplete writes the markers, then the Complete transition,
// retrying both for as long as this broker owns the partition; a new leader's load
// takes over otherwise.
func (c *Coordinator) writeMarkersAndComplete(op *ownedPartition, m *txnMetadata, marker Marker, t transit) {
	for len(marker.Partitions) > 0 {
		err := c.markers.WriteMarkers(op.ctx, marker)
		if err == nil {
			break
		}
		c.slog.Warn("failed to write transaction markers", "transactional_id", m.id, "commit", marker.Commit, "err", err)
		if !c.wait(op.ctx, markerRetryBackoff) {
			return
		}
	}
	for {
		kerrr := c.appendTransition(op, m, t, true, nil)
		if kerrr == nil {
			c.slog.Debug("completed transaction", "transactional_id", m.id, "state", t.state)
			return
		}
		c.mu.Lock()
		retry := c.stillOwnedLocked(op, m.id) == nil && m.pending == t.state
		c.mu.Unlock()
		if !retry || !c.wait(op.ctx, markerRetryBackoff) {
			c.slog.Info("gave up completing transaction", "transactional_id", m.id, "state", t.state, "answer", kerrr.Message)
			return
		}
	}
}
