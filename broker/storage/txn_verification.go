package storage

import "sync/atomic"

// txnVerification is Kafka's VerificationStateEntry: the guard handed out when a
// producer's first transactional write to the partition went to the coordinator for
// verification, and the epoch it was for.
type txnVerification struct {
	guard uint64
	epoch int16
}

// verificationGuards numbers guards across every log of the process, as Kafka's
// VerificationGuard does, so a guard from one partition never passes in another.
var verificationGuards atomic.Uint64

// BeginTxnVerification is called by the partition leader before it asks the
// transaction coordinator whether a transactional batch's partition was added to the
// producer's transaction. needed is false when the producer already has a transaction
// open in this log: its first write was verified (KIP-890 part 1). Otherwise it
// returns the producer's guard, creating one if none is pending; the producer's next
// transactional write, a marker for it, or a write with a newer epoch clears it, so a
// verification answered before an abort cannot open a hanging transaction after it.
// A retried produce asking again while verification is pending gets the same guard,
// as Kafka's maybeCreateVerificationStateEntry does.
func (l *PartitionLog) BeginTxnVerification(producerID int64, producerEpoch int16) (guard uint64, needed bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.producers.beginVerification(producerID, producerEpoch)
}

func (p *producerState) beginVerification(id int64, epoch int16) (uint64, bool) {
	if e := p.producers[id]; e != nil && e.hasOpenTxn() {
		return 0, false
	}
	v, ok := p.verifying[id]
	if !ok {
		v.guard = verificationGuards.Add(1)
	}
	if !ok || epoch > v.epoch {
		v.epoch = epoch
	}
	p.verifying[id] = v
	return v.guard, true
}

// endVerification drops the producer's pending guard once batch h, just written,
// makes it stale: a transactional write opened or ended the transaction (Kafka clears
// it on either), or the producer moved to a newer epoch.
func (p *producerState) endVerification(h *batchHeader) {
	if len(p.verifying) == 0 {
		return
	}
	if v, ok := p.verifying[h.producerID]; ok && (h.isTransactional() || h.producerEpoch > v.epoch) {
		delete(p.verifying, h.producerID)
	}
}
