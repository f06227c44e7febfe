package kraftmode

import (
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/raft"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

// Image returns the newest committed image. It is immutable and never nil.
func (c *Controller) Image() *metadata.Image { return c.fsm.image() }

// Subscribe registers fn to receive every image the FSM publishes, in log order, on
// Raft's FSM goroutine: fn must return quickly, or it stalls this node's log apply.
func (c *Controller) Subscribe(fn func(*metadata.Image)) { c.fsm.subscribe(fn) }

// lockWriter takes the write lock if this node is the active controller. Every write
// validates against the image under this lock and appends before releasing it, so
// writes are linear, as on Kafka's single-threaded QuorumController.
func (c *Controller) lockWriter() error {
	c.writeMu.Lock()
	if !c.IsLeader() {
		c.writeMu.Unlock()
		return c.notController()
	}
	return nil
}

func (c *Controller) notController() error {
	return kafkaErr(kerr.NotController, "node %d is not the active controller (the quorum leader is %d)", c.opts.NodeID, c.LeaderID())
}

// nextOffset is the Raft index the next write will most likely get. Raft's own entries
// (a new leader's no-op, configuration changes) can take an index between this call and
// the append; callers use it only where Kafka uses nextWriteOffset for a value that must
// grow, never as a position to read back.
func (c *Controller) nextOffset() int64 { return int64(c.raft.LastIndex()) + 1 }

// appendLocked writes recs as one atomic batch and waits until this node's FSM has
// applied it, returning the batch's Raft index. The caller holds writeMu. A rejection
// by the FSM comes back as the error, so the caller never reports success for a batch
// the image did not take.
func (c *Controller) appendLocked(recs []metadata.Record) (uint64, error) {
	if len(recs) == 0 {
		return 0, nil
	}
	start := time.Now()
	batch := metadata.EncodeBatch(c.nextOffset(), int32(c.raft.CurrentTerm()), start.UnixMilli(), recs)
	f := c.raft.Apply(batch, applyTimeout)
	if err := f.Error(); err != nil {
		if errors.Is(err, raft.ErrNotLeader) || errors.Is(err, raft.ErrLeadershipLost) ||
			errors.Is(err, raft.ErrLeadershipTransferInProgress) || errors.Is(err, raft.ErrRaftShutdown) {
			return 0, c.notController()
		}
		return 0, fmt.Errorf("append metadata batch of %d records: %w", len(recs), err)
	}
	c.raftMetrics.appended(len(recs), start)
	if err, ok := f.Response().(error); ok && err != nil {
		return 0, err
	}
	return f.Index(), nil
}
