package group

// txnEnd is one transaction marker: a producer's transaction committed or aborted.
type txnEnd struct {
	producerID int64
	commit     bool
}

// CompleteTxn is called by the broker once it has written producerID's transaction
// marker to __consumer_offsets-partition (WriteTxnMarkers), as Kafka's
// handleTxnCompletion: on commit the producer's pending offsets in the partition's
// groups become committed, unless a commit written after them already is; on abort
// they are dropped. It waits for a commit being written to the partition, so that
// write's offsets are settled first; it must not be called while holding what
// Log.Append needs.
func (c *Coordinator) CompleteTxn(partition int32, producerID int64, commit bool) {
	if partition < 0 || int(partition) >= len(c.appendMu) {
		return
	}
	mu := c.appendLock(partition)
	mu.Lock()
	defer mu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	op, ok := c.parts[partition]
	switch {
	case !ok:
		// The new coordinator reads the marker from the log.
		return
	case op.loading:
		op.endedWhileLoading = append(op.endedWhileLoading, txnEnd{producerID, commit})
		return
	}
	c.endTxnLocked(op, txnEnd{producerID, commit})
}

// endTxnLocked applies a marker to the groups the producer has open transactional
// commits in. A marker the loader read as well finds nothing left to end: nothing of
// the producer's follows it in the log, since no commit is written while loading.
func (c *Coordinator) endTxnLocked(op *ownedPartition, end txnEnd) {
	for id := range op.openTxns[end.producerID] {
		if g := c.groups[id]; g != nil {
			g.completeTxnOffsets(end.producerID, end.commit)
		}
	}
	delete(op.openTxns, end.producerID)
}

// addOpenTxn notes that groupID holds pending offsets of producerID.
func (op *ownedPartition) addOpenTxn(producerID int64, groupID string) {
	if op.openTxns == nil {
		op.openTxns = make(map[int64]map[string]struct{})
	}
	groups := op.openTxns[producerID]
	if groups == nil {
		groups = make(map[string]struct{})
		op.openTxns[producerID] = groups
	}
	groups[groupID] = struct{}{}
}
