// Package group is the classic consumer group coordinator: the group state machine of
// JoinGroup, SyncGroup, Heartbeat and LeaveGroup, committed offsets (transactional
// ones pending until their producer's marker), and the __consumer_offsets records
// that persist both in Kafka's exact byte format. It owns the groups of the
// __consumer_offsets partitions this broker leads and knows nothing of the network:
// the broker's handlers pass kmsg requests in and write the responses out, and the
// broker's partition logs stand behind coordlog.Log.
package group

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/broker/coordlog"
)

// Config is the group coordinator's share of the broker config.
type Config struct {
	NumPartitions         int32         // offsets.topic.num.partitions
	MinSessionTimeout     time.Duration // group.min.session.timeout.ms
	MaxSessionTimeout     time.Duration // group.max.session.timeout.ms
	InitialRebalanceDelay time.Duration // group.initial.rebalance.delay.ms
	MaxSize               int           // group.max.size
	OffsetsRetention      time.Duration // offsets.retention.minutes
	MaxMetadataSize       int           // offset.metadata.max.bytes
}

// Coordinator is the group coordinator of one broker.
type Coordinator struct {
	cfg   Config
	log   coordlog.Log
	clock Clock
	slog  *slog.Logger

	appendMu []sync.Mutex // one per partition; see appendLock

	bg sync.WaitGroup // background loads and writes

	mu     sync.Mutex
	closed bool
	parts  map[int32]*ownedPartition
	groups map[string]*group
}

// ownedPartition is one __consumer_offsets partition this broker leads.
type ownedPartition struct {
	epoch   int32
	loading bool
	// nextPosition is the position the next write to the partition takes (see
	// loggedOffset).
	nextPosition int64
	// openTxns are the groups holding transactional commits of each producer that
	// await its marker (Kafka's openGroupsForProducer).
	openTxns map[int64]map[string]struct{}
	// endedWhileLoading are the transactions the broker ended while the partition was
	// read: their markers may lie past the end the loader read to, so they are
	// applied once it is done.
	endedWhileLoading []txnEnd
}

// appendTimeout bounds a write to __consumer_offsets, like Kafka's
// offsets.commit.timeout.ms (5 s).
const appendTimeout = 5 * time.Second

// New builds a coordinator that owns no partition until BecomeLeader.
func New(cfg Config, log coordlog.Log, clock Clock, logger *slog.Logger) *Coordinator {
	if logger == nil {
		logger = slog.Default()
	}
	if cfg.MaxMetadataSize == 0 {
		cfg.MaxMetadataSize = 4096
	}
	return &Coordinator{
		cfg:      cfg,
		log:      log,
		clock:    clock,
		slog:     logger.With("component", "group-coordinator"),
		appendMu: make([]sync.Mutex, cfg.NumPartitions),
		parts:    make(map[int32]*ownedPartition),
		groups:   make(map[string]*group),
	}
}

// PartitionFor is the __consumer_offsets partition of a group.
func (c *Coordinator) PartitionFor(groupID string) int32 {
	return PartitionFor(groupID, c.cfg.NumPartitions)
}

// checkOwner returns Kafka's answer for a request about groupID while the lock is
// held: NOT_COORDINATOR when another broker leads the group's partition,
// COORDINATOR_LOAD_IN_PROGRESS while it is being read.
func (c *Coordinator) checkOwner(groupID string) *kerr.Error {
	p, ok := c.parts[c.PartitionFor(groupID)]
	switch {
	case !ok:
		return kerr.NotCoordinator
	case p.loading:
		return kerr.CoordinatorLoadInProgress
	}
	return nil
}

// getOrCreate returns the group, creating an Empty one when create is set.
func (c *Coordinator) getOrCreate(groupID string, create bool) *group {
	g, ok := c.groups[groupID]
	if !ok && create {
		g = newGroup(groupID, c.PartitionFor(groupID), c.clock.Now())
		c.groups[groupID] = g
	}
	return g
}

// appendRecords writes records to a group's partition; the caller must not hold mu,
// since a replicated write waits for followers.
func (c *Coordinator) appendRecords(partition int32, recs []coordlog.Record) error {
	return c.appendBatch(partition, coordlog.EncodeBatch(recs, c.clock.Now().UnixMilli()), len(recs))
}

// appendBatch writes an encoded batch of n records; see appendRecords.
func (c *Coordinator) appendBatch(partition int32, batch []byte, n int) error {
	ctx, cancel := context.WithTimeout(context.Background(), appendTimeout)
	defer cancel()
	if err := c.log.Append(ctx, partition, batch); err != nil {
		return fmt.Errorf("append %d records to __consumer_offsets-%d: %w", n, partition, err)
	}
	return nil
}

// takePositionLocked returns the position of a write to partition that just
// succeeded; the partition's append lock orders the writes, so positions follow the
// log. A partition no longer owned has no groups left to order.
func (c *Coordinator) takePositionLocked(partition int32) int64 {
	op, ok := c.parts[partition]
	if !ok {
		return -1
	}
	pos := op.nextPosition
	op.nextPosition++
	return pos
}

// storeErrorCode maps a failed append to what Kafka answers (GroupMetadataManager's
// error conversion), so the client retries against the coordinator it finds next.
func storeErrorCode(err error) int16 {
	var ke *kerr.Error
	if err == nil {
		return 0
	}
	if !errors.As(err, &ke) {
		return kerr.CoordinatorNotAvailable.Code
	}
	switch ke {
	case kerr.NotLeaderForPartition, kerr.KafkaStorageError:
		return kerr.NotCoordinator.Code
	case kerr.MessageTooLarge, kerr.RecordListTooLarge, kerr.InvalidFetchSize:
		return kerr.InvalidCommitOffsetSize.Code
	case kerr.RequestTimedOut:
		return kerr.RequestTimedOut.Code
	default:
		return kerr.CoordinatorNotAvailable.Code
	}
}
