// Package txn is the transaction coordinator (KIP-98, with KIP-360's producer
// epoch recovery and KIP-890's partition verification): the state machine of each
// transactional id, its __transaction_state records in Kafka's exact byte format,
// and the markers that end a transaction. It owns the transactional ids of the
// __transaction_state partitions this broker leads and knows nothing of the
// network: the broker's handlers authorize requests and pass kmsg requests in, and
// write the responses out; the broker's partition logs stand behind coordlog.Log
// and its WriteTxnMarkers sender behind MarkerWriter.
package txn

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/broker/coordlog"
	"github.com/kbridge/kbridge/broker/group"
)

// Coordinator is the transaction coordinator of one broker.
type Coordinator struct {
	cfg     Config
	log     coordlog.Log
	pids    ProducerIDs
	markers MarkerWriter
	clock   Clock
	slog    *slog.Logger

	bg sync.WaitGroup // loads, marker writes, periodic checks and the aborts they start

	mu     sync.Mutex
	closed bool
	parts  map[int32]*ownedPartition
	tasks  []*periodicTask
}

// ownedPartition is one __transaction_state partition this broker leads, with the
// transactional ids it holds once loaded.
type ownedPartition struct {
	id int32
	// epoch is the partition's leader epoch, Kafka's coordinator epoch: it goes out
	// with the markers so partition leaders reject those of a deposed coordinator.
	epoch   int32
	loading bool
	txns    map[string]*txnMetadata
	// ctx is done once the partition is unloaded, ending its marker writes and
	// retries.
	ctx    context.Context
	cancel context.CancelFunc
}

// New builds a coordinator that owns no partition until BecomeLeader, and starts
// its periodic checks: timed-out transactions are aborted every
// AbortTimedOutInterval and idle transactional ids expired every
// RemoveExpiredInterval, on clock, until Close.
func New(cfg Config, log coordlog.Log, pids ProducerIDs, markers MarkerWriter, clock Clock, logger *slog.Logger) *Coordinator {
	if logger == nil {
		logger = slog.Default()
	}
	c := &Coordinator{
		cfg:     cfg.withDefaults(),
		log:     log,
		pids:    pids,
		markers: markers,
		clock:   clock,
		slog:    logger.With("component", "txn-coordinator"),
		parts:   make(map[int32]*ownedPartition),
	}
	c.startPeriodic(c.cfg.AbortTimedOutInterval, c.abortTimedOutTransactions)
	c.startPeriodic(c.cfg.RemoveExpiredInterval, c.expireTransactionalIDs)
	return c
}

// PartitionFor is the __transaction_state partition of a transactional id, placed
// by Java's String.hashCode exactly as Kafka places it (the group coordinator's
// hash, over transaction.state.log.num.partitions).
func (c *Coordinator) PartitionFor(transactionalID string) int32 {
	return group.PartitionFor(transactionalID, c.cfg.NumPartitions)
}

// ownerLocked returns the partition holding transactionalID, or Kafka's answer
// when there is none to use: NOT_COORDINATOR when another broker leads it,
// COORDINATOR_LOAD_IN_PROGRESS while it is being read.
func (c *Coordinator) ownerLocked(transactionalID string) (*ownedPartition, *kerr.Error) {
	op, ok := c.parts[c.PartitionFor(transactionalID)]
	switch {
	case !ok:
		return nil, kerr.NotCoordinator
	case op.loading:
		return nil, kerr.CoordinatorLoadInProgress
	}
	return op, nil
}

// lookupLocked is Kafka's getTransactionState: the owning partition and the id's
// metadata, nil when the id is unknown.
func (c *Coordinator) lookupLocked(transactionalID string) (*ownedPartition, *txnMetadata, *kerr.Error) {
	op, kerrr := c.ownerLocked(transactionalID)
	if kerrr != nil {
		return nil, nil, kerrr
	}
	return op, op.txns[transactionalID], nil
}

// stillOwnedLocked answers NOT_COORDINATOR (or COORDINATOR_LOAD_IN_PROGRESS while
// a newer leadership loads) when op no longer holds transactionalID: the partition
// moved away, and perhaps back, since a request looked it up.
func (c *Coordinator) stillOwnedLocked(op *ownedPartition, transactionalID string) *kerr.Error {
	cur, kerrr := c.ownerLocked(transactionalID)
	switch {
	case kerrr != nil:
		return kerrr
	case cur != op:
		return kerr.NotCoordinator
	}
	return nil
}

// goLocked runs f in the background unless the coordinator is closed; mu must be
// held, so Close cannot miss it.
func (c *Coordinator) goLocked(f func()) {
	if c.closed {
		return
	}
	c.bg.Add(1)
	go func() {
		defer c.bg.Done()
		f()
	}()
}

// wait pauses for d on the clock; it returns false, early, once ctx is done.
func (c *Coordinator) wait(ctx context.Context, d time.Duration) bool {
	fired := make(chan struct{})
	t := c.clock.AfterFunc(d, func() { close(fired) })
	select {
	case <-fired:
		return true
	case <-ctx.Done():
		t.Stop()
		return false
	}
}

// answer turns an error of the state machine into Kafka's error code: a Kafka
// error is the answer itself, anything else a bug, logged and answered
// UNKNOWN_SERVER_ERROR as Kafka answers its IllegalStateExceptions.
func (c *Coordinator) answer(transactionalID string, err error) *kerr.Error {
	var ke *kerr.Error
	if errors.As(err, &ke) {
		return ke
	}
	c.slog.Error("transaction state machine refused a transition", "transactional_id", transactionalID, "err", err)
	return kerr.UnknownServerError
}
