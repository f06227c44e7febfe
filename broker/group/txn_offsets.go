package group

// loggedOffset is a committed offset with its place in the partition's log, as
// Kafka's CommitRecordMetadataAndOffset: when plain and transactional commits of one
// topic partition interleave, the commit written last wins, whichever transaction
// ends last, and a reload of the log agrees with the cache.
type loggedOffset struct {
	CommittedOffset
	// position orders the commits of one __consumer_offsets partition: the batch's
	// base offset for a record read from the log, and for one this coordinator wrote
	// a count continuing past the log end it loaded, since Log.Append does not report
	// the offset it wrote at.
	position int64
}

func (o loggedOffset) olderThan(other loggedOffset) bool { return o.position < other.position }

// hasOffsets is Kafka's GroupMetadata.hasOffsets: an Empty group goes only once it
// has no committed offset, no commit being written and no producer with an open
// transactional commit.
func (g *group) hasOffsets() bool {
	return len(g.offsets) > 0 || len(g.writing) > 0 || len(g.txnOffsets) > 0
}

// addTxnOffset records a transactional commit written for producerID; it stays
// pending until the producer's transaction ends.
func (g *group) addTxnOffset(producerID int64, tp topicPartition, o loggedOffset) {
	pending := g.txnOffsets[producerID]
	if pending == nil {
		pending = make(map[topicPartition]loggedOffset)
		g.txnOffsets[producerID] = pending
	}
	pending[tp] = o
}

// completeTxnOffsets ends producerID's transaction in this group (Kafka's
// completePendingTxnOffsetCommit): on commit its offsets become the committed ones,
// except where a commit written after them already is; on abort they are dropped.
func (g *group) completeTxnOffsets(producerID int64, commit bool) {
	pending := g.txnOffsets[producerID]
	delete(g.txnOffsets, producerID)
	if !commit {
		return
	}
	for tp, o := range pending {
		if cur, ok := g.offsets[tp]; !ok || cur.olderThan(o) {
			g.offsets[tp] = o
		}
	}
}

// hasUnstableOffset is Kafka's hasPendingOffsetCommitsForTopicPartition: a commit of
// tp is being written or awaits its transaction's end, so the committed offset may
// be about to change (KIP-447's UNSTABLE_OFFSET_COMMIT).
func (g *group) hasUnstableOffset(tp topicPartition) bool {
	if _, ok := g.writing[tp]; ok {
		return true
	}
	for _, pending := range g.txnOffsets {
		if _, ok := pending[tp]; ok {
			return true
		}
	}
	return false
}

// dropTxnOffsets removes tp from every open transaction, as Kafka's removeOffsets
// does when offsets are deleted; the producers stay open until their markers, so
// the group is not deleted under them.
func (g *group) dropTxnOffsets(tp topicPartition) {
	for _, pending := range g.txnOffsets {
		delete(pending, tp)
	}
}
