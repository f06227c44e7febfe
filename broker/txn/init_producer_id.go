package txn

import (
	"context"
	"errors"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// InitProducerID gives a transactional producer its producer id and a new epoch,
// fencing older instances of it: a new id gets a fresh producer id at epoch 0, an
// idle one an epoch bump (a new producer id once the epochs run out), and one with
// a transaction open has it aborted under a bumped epoch first, answering
// CONCURRENT_TRANSACTIONS so the producer retries. Requests without a
// transactional id are the broker's own to answer.
func (c *Coordinator) InitProducerID(ctx context.Context, req *kmsg.InitProducerIDRequest) *kmsg.InitProducerIDResponse {
	resp := req.ResponseKind().(*kmsg.InitProducerIDResponse)
	resp.ProducerID, resp.ProducerEpoch = -1, -1
	producerID, epoch, kerrr := c.initProducerID(ctx, req)
	if kerrr != nil {
		resp.ErrorCode = fencedCode(kerrr, req.Version < 4)
		return resp
	}
	resp.ProducerID, resp.ProducerEpoch = producerID, epoch
	return resp
}

// expectedProducer is the producer id and epoch a KIP-360 producer (v3+) sends to
// resume after an error.
type expectedProducer struct {
	id    int64
	epoch int16
}

func (c *Coordinator) initProducerID(ctx context.Context, req *kmsg.InitProducerIDRequest) (int64, int16, *kerr.Error) {
	if req.TransactionalID == nil || *req.TransactionalID == "" {
		return -1, -1, kerr.InvalidRequest
	}
	id := *req.TransactionalID
	var expected *expectedProducer
	switch {
	case req.ProducerID == -1 && req.ProducerEpoch == -1:
	case req.ProducerID == -1 || req.ProducerEpoch == -1:
		return -1, -1, kerr.InvalidRequest
	default:
		expected = &expectedProducer{req.ProducerID, req.ProducerEpoch}
	}
	timeout := req.TransactionTimeoutMillis
	if timeout <= 0 || time.Duration(timeout)*time.Millisecond > c.cfg.MaxTimeout {
		return -1, -1, kerr.InvalidTransactionTimeout
	}

	// A fresh producer id is fetched without holding mu, since the allocator may
	// ask the controller; the decision is then made again with it in hand.
	spare := int64(-1)
	for {
		c.mu.Lock()
		op, m, kerrr := c.lookupLocked(id)
		if kerrr != nil {
			c.mu.Unlock()
			return -1, -1, kerrr
		}
		if m == nil && spare >= 0 {
			m = newTxnMetadata(id, spare, timeout, c.clock.Now().UnixMilli())
			op.txns[id] = m
			spare = -1
		}
		var t transit
		var fence bool
		var err error
		if m != nil {
			t, fence, err = c.prepareInitLocked(m, timeout, expected, spare)
		}
		c.mu.Unlock()
		if m == nil || errors.Is(err, errNeedProducerID) {
			if spare, kerrr = c.newProducerID(ctx, id); kerrr != nil {
				return -1, -1, kerrr
			}
			continue
		}
		if err != nil {
			return -1, -1, c.answer(id, err)
		}
		if fence {
			if kerrr := c.writePrepareEnd(op, m, t, true); kerrr != nil {
				return -1, -1, kerrr
			}
			return -1, -1, kerr.ConcurrentTransactions
		}
		if kerrr := c.appendTransition(op, m, t, false, nil); kerrr != nil {
			return -1, -1, kerrr
		}
		c.slog.Info("initialized transactional id", "transactional_id", id, "producer_id", t.producerID,
			"producer_epoch", t.producerEpoch, "partition", op.id)
		return t.producerID, t.producerEpoch, nil
	}
}

// errNeedProducerID asks initProducerID for a fresh producer id to rotate to.
var errNeedProducerID = errors.New("a new producer id is needed")

// prepareInitLocked is Kafka's prepareInitProducerIdTransit: the transition an
// InitProducerId makes, or, for an open transaction, the fencing abort (fence
// true) to write first. spare is a fresh producer id, or -1 when none was fetched.
func (c *Coordinator) prepareInitLocked(m *txnMetadata, timeout int32, expected *expectedProducer, spare int64) (t transit, fence bool, err error) {
	if m.pending != noState {
		return t, false, kerr.ConcurrentTransactions
	}
	// A producer that names itself must be the current one: freshly created
	// metadata has no epoch yet, and the previous producer id is accepted with an
	// exhausted epoch, since that is a retry of the rotation that replaced it.
	if expected != nil && m.producerEpoch != -1 && expected.id != m.producerID &&
		(expected.id != m.lastProducerID || !epochExhausted(expected.epoch)) {
		return t, false, kerr.ProducerFenced
	}
	nowMs := c.clock.Now().UnixMilli()
	switch m.state {
	case statePrepareCommit, statePrepareAbort:
		return t, false, kerr.ConcurrentTransactions
	case stateOngoing:
		// The bumped epoch is never returned: the producer retries after the abort
		// and gets a second bump, or a new producer id if this one used the last.
		t, err = c.prepareFenceAbortLocked(m)
		return t, true, err
	}
	if epochExhausted(m.producerEpoch) && (expected == nil || expected.epoch == m.producerEpoch) {
		if spare < 0 {
			return t, false, errNeedProducerID
		}
		t, err = m.prepareProducerIDRotation(spare, timeout, nowMs, expected != nil)
		return t, false, err
	}
	// A producer on exhausted epochs that gets here is either retrying the last
	// bump, which bumps nothing, or fenced; Kafka 3.9 fails both with an
	// IllegalStateException instead.
	var expectedEpoch *int16
	if expected != nil {
		expectedEpoch = &expected.epoch
	}
	t, err = m.prepareIncrementEpoch(timeout, expectedEpoch, nowMs)
	return t, false, err
}

// newProducerID fetches a fresh producer id. Kafka's allocator answers
// COORDINATOR_LOAD_IN_PROGRESS while it waits for a block of ids, so the producer
// retries; any failure that is not a Kafka error is answered the same.
func (c *Coordinator) newProducerID(ctx context.Context, transactionalID string) (int64, *kerr.Error) {
	id, err := c.pids.NextProducerID(ctx)
	if err == nil {
		return id, nil
	}
	c.slog.Warn("cannot allocate a producer id", "transactional_id", transactionalID, "err", err)
	var ke *kerr.Error
	if errors.As(err, &ke) {
		return -1, ke
	}
	return -1, kerr.CoordinatorLoadInProgress
}
