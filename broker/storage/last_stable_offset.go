package storage

// LastStableOffset is Kafka's LSO given the high watermark hw: min(hw, the first
// offset of the earliest transaction that is open, or completed by a marker not yet
// below hw), never below the log start (Kafka's unreplicatedTxns and
// maybeIncrementFirstUnstableOffset). Completed transactions whose marker hw has
// passed are forgotten here, as Kafka's onHighWatermarkUpdated does, which is what
// lets the cleaner go past them; the broker calls this for every fetch.
func (l *PartitionLog) LastStableOffset(hw int64) int64 {
	l.mu.RLock()
	first, unstable := l.producers.txns.firstUnstableOffset(hw)
	start := l.logStartOffset
	stale := l.producers.txns.replicatedBelow(hw)
	l.mu.RUnlock()
	if stale {
		l.mu.Lock()
		l.producers.txns.forgetBelow(hw)
		l.mu.Unlock()
	}
	if !unstable {
		return hw
	}
	return min(hw, max(first, start))
}
