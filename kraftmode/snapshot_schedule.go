package kraftmode

import (
	"errors"
	"strconv"
	"time"

	"github.com/hashicorp/raft"
)

// snapshotByTime takes a snapshot every interval when entries were applied since the
// last one, as Kafka's metadata.log.max.snapshot.interval.ms asks; Raft itself only
// snapshots by entry count.
func (c *Controller) snapshotByTime(interval time.Duration) {
	defer c.wg.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-c.shutdown:
			return
		case <-t.C:
		}
		last, _ := strconv.ParseUint(c.raft.Stats()["last_snapshot_index"], 10, 64)
		if c.raft.AppliedIndex() <= last {
			continue
		}
		err := c.raft.Snapshot().Error()
		switch {
		case err == nil:
			c.log.Debug("metadata snapshot taken", "applied_index", c.raft.AppliedIndex())
		case errors.Is(err, raft.ErrNothingNewToSnapshot), errors.Is(err, errTransactionOpen):
		default:
			c.log.Warn("metadata snapshot failed", "err", err)
		}
	}
}
