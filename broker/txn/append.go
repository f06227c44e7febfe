package txn

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/broker/coordlog"
)

// appendRecords writes records to a __transaction_state partition with acks=all,
// waiting at most timeout; the caller must not hold mu.
func (c *Coordinator) appendRecords(partition int32, timeout time.Duration, recs []coordlog.Record) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := c.log.Append(ctx, partition, coordlog.EncodeBatch(recs, c.clock.Now().UnixMilli())); err != nil {
		return fmt.Errorf("append %d records to __transaction_state-%d: %w", len(recs), partition, err)
	}
	return nil
}

// appendTransition writes a prepared transition of m and, once the write is
// committed, applies it and runs applied (when set) under mu; it answers with
// Kafka's error for the request that made the transition (TransactionStateManager's
// appendTransactionToLog). A failed write clears the pending state, reverting the
// transition, unless keepPending asks to keep it for a retry. The caller must not
// hold mu.
func (c *Coordinator) appendTransition(op *ownedPartition, m *txnMetadata, t transit, keepPending bool, applied func()) *kerr.Error {
	c.mu.Lock()
	kerrr := c.stillOwnedLocked(op, m.id)
	c.mu.Unlock()
	if kerrr != nil {
		return kerrr
	}
	// Kafka bounds the write by the transaction timeout.
	rec := coordlog.Record{Key: encodeKey(m.id), Value: encodeValue(t)}
	err := c.appendRecords(op.id, time.Duration(t.timeoutMs)*time.Millisecond, []coordlog.Record{rec})

	c.mu.Lock()
	defer c.mu.Unlock()
	owned := c.stillOwnedLocked(op, m.id)
	if err != nil {
		if owned == nil && !keepPending {
			m.pending = noState
		}
		code := appendErrorCode(err)
		c.slog.Info("failed to write transaction state", "transactional_id", m.id, "state", t.state, "answer", code.Message, "err", err)
		return code
	}
	if owned != nil {
		return owned
	}
	if err := m.completeTransition(t); err != nil {
		return c.answer(m.id, err)
	}
	if applied != nil {
		applied()
	}
	return nil
}

// appendErrorCode maps a failed write to what Kafka answers (appendTransactionToLog's
// conversion), so the producer retries or looks up the coordinator again.
func appendErrorCode(err error) *kerr.Error {
	var ke *kerr.Error
	if !errors.As(err, &ke) {
		// A write that timed out (as REQUEST_TIMED_OUT below) or failed otherwise:
		// like the group coordinator, let the client retry.
		return kerr.CoordinatorNotAvailable
	}
	switch ke {
	case kerr.UnknownTopicOrPartition, kerr.NotEnoughReplicas, kerr.NotEnoughReplicasAfterAppend, kerr.RequestTimedOut:
		return kerr.CoordinatorNotAvailable
	case kerr.NotLeaderForPartition, kerr.KafkaStorageError:
		return kerr.NotCoordinator
	case kerr.MessageTooLarge, kerr.RecordListTooLarge:
		return kerr.UnknownServerError
	}
	return ke
}
