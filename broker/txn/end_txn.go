package txn

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// EndTxn commits or aborts the producer's ongoing transaction: the PrepareCommit or
// PrepareAbort is written and answered, then the markers go out and the
// transaction completes in the background. A retry of a completed commit or abort
// succeeds again; ending a transaction that is not open is INVALID_TXN_STATE.
func (c *Coordinator) EndTxn(req *kmsg.EndTxnRequest) *kmsg.EndTxnResponse {
	resp := req.ResponseKind().(*kmsg.EndTxnResponse)
	kerrr := c.endTxn(req.TransactionalID, req.ProducerID, req.ProducerEpoch, req.Commit)
	resp.ErrorCode = fencedCode(kerrr, req.Version < 2)
	return resp
}

func (c *Coordinator) endTxn(transactionalID string, producerID int64, epoch int16, commit bool) *kerr.Error {
	if transactionalID == "" {
		return kerr.InvalidRequest
	}
	c.mu.Lock()
	op, m, kerrr := c.lookupLocked(transactionalID)
	if kerrr == nil && m == nil {
		kerrr = kerr.InvalidProducerIDMapping
	}
	if kerrr != nil {
		c.mu.Unlock()
		return kerrr
	}
	t, write, err := c.prepareEndLocked(m, producerID, epoch, commit, true)
	c.mu.Unlock()
	if err != nil {
		return c.answer(transactionalID, err)
	}
	if !write {
		return nil
	}
	return c.writePrepareEnd(op, m, t, false)
}

// prepareEndLocked is the check and transition of Kafka's endTransaction. A client
// must send its exact epoch; the coordinator itself ends a transaction with the
// epoch it has just bumped to fence the producer (fromClient false). write is false
// when the transaction already ended as asked, which succeeds without a write;
// every other mismatch of state and request, Empty included, is INVALID_TXN_STATE.
func (c *Coordinator) prepareEndLocked(m *txnMetadata, producerID int64, epoch int16, commit, fromClient bool) (t transit, write bool, err error) {
	switch {
	case m.producerID != producerID:
		return t, false, kerr.InvalidProducerIDMapping
	case (fromClient && epoch != m.producerEpoch) || epoch < m.producerEpoch:
		return t, false, kerr.ProducerFenced
	case m.pending != noState && m.pending != statePrepareEpochFence:
		return t, false, kerr.ConcurrentTransactions
	}
	switch m.state {
	case stateOngoing:
		next := statePrepareAbort
		if commit {
			next = statePrepareCommit
		}
		if next == statePrepareAbort && m.pending == statePrepareEpochFence {
			// The fence's epoch takes effect now, before the abort is written, as in
			// Kafka: a producer still on the old epoch is fenced even if the write fails.
			m.pending = noState
			m.producerEpoch = epoch
			m.lastProducerEpoch = -1
		}
		t, err = m.prepareAbortOrCommit(next, c.clock.Now().UnixMilli())
		return t, err == nil, err
	case stateCompleteCommit:
		if commit {
			return t, false, nil
		}
	case stateCompleteAbort:
		if !commit {
			return t, false, nil
		}
	case statePrepareCommit:
		if commit {
			return t, false, kerr.ConcurrentTransactions
		}
	case statePrepareAbort:
		if !commit {
			return t, false, kerr.ConcurrentTransactions
		}
	}
	c.slog.Debug("transaction cannot end so", "transactional_id", m.id, "state", m.state, "commit", commit)
	return t, false, kerr.InvalidTxnState
}

// prepareFenceAbortLocked bumps the producer epoch of m's ongoing transaction and
// prepares its abort under that epoch, fencing the producer (Kafka's
// prepareFenceProducerEpoch followed by endTransaction from the coordinator). Both
// happen under one hold of mu, so no request sees the fence half made.
func (c *Coordinator) prepareFenceAbortLocked(m *txnMetadata) (transit, error) {
	fence, err := m.prepareFenceEpoch()
	if err != nil {
		return transit{}, err
	}
	t, _, err := c.prepareEndLocked(m, fence.producerID, fence.producerEpoch, false, false)
	if err != nil {
		m.pending = noState
	}
	return t, err
}

// writePrepareEnd writes a PrepareCommit or PrepareAbort and, once it is
// committed, starts the markers. A fencing abort that fails to be written leaves
// its bumped epoch in memory, marked so the next fence does not bump again.
func (c *Coordinator) writePrepareEnd(op *ownedPartition, m *txnMetadata, t transit, fence bool) *kerr.Error {
	kerrr := c.appendTransition(op, m, t, false, func() { c.completeLocked(op, m) })
	if kerrr != nil && fence {
		c.mu.Lock()
		if c.stillOwnedLocked(op, m.id) == nil {
			m.failedEpochFence = true
		}
		c.mu.Unlock()
	}
	return kerrr
}

// fencedCode is the error code of an answer, with PRODUCER_FENCED given as
// INVALID_PRODUCER_EPOCH to the older request versions that predate it (KIP-588).
func fencedCode(kerrr *kerr.Error, old bool) int16 {
	switch {
	case kerrr == nil:
		return 0
	case kerrr == kerr.ProducerFenced && old:
		return kerr.InvalidProducerEpoch.Code
	}
	return kerrr.Code
}
