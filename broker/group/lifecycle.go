package group

import (
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
)

// BecomeLeader makes this coordinator own a __consumer_offsets partition from leader
// epoch epoch on: the partition is read from its log start to its end in the
// background, and its groups answer COORDINATOR_LOAD_IN_PROGRESS until then.
func (c *Coordinator) BecomeLeader(partition, epoch int32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.parts[partition]; c.closed || (ok && p.epoch == epoch) {
		return
	}
	c.unloadLocked(partition)
	op := &ownedPartition{epoch: epoch, loading: true}
	c.parts[partition] = op
	c.bg.Add(1)
	go func() {
		defer c.bg.Done()
		c.load(partition, op)
	}()
}

// Resign drops a partition this broker no longer leads, with all its groups; their
// parked requests get NOT_COORDINATOR so the clients look up the new coordinator.
func (c *Coordinator) Resign(partition int32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.unloadLocked(partition)
}

func (c *Coordinator) unloadLocked(partition int32) {
	if _, ok := c.parts[partition]; !ok {
		return
	}
	delete(c.parts, partition)
	n := 0
	for id, g := range c.groups {
		if g.partition != partition {
			continue
		}
		for _, m := range g.members {
			m.failParked(kerr.NotCoordinator)
		}
		g.transition(Dead, c.clock.Now())
		g.stopTimers()
		delete(c.groups, id)
		n++
	}
	c.slog.Info("unloaded __consumer_offsets partition", "partition", partition, "groups", n)
}

// stopTimers cancels every timer of the group; callbacks that already fired find the
// group gone and do nothing.
func (g *group) stopTimers() {
	for _, m := range g.members {
		if m.heartbeat != nil {
			m.heartbeat.Stop()
		}
		m.heartbeatSeq++
	}
	for id, t := range g.pending {
		t.Stop()
		delete(g.pending, id)
	}
	if g.rebalanceTimer != nil {
		g.rebalanceTimer.Stop()
	}
	if g.syncTimer != nil {
		g.syncTimer.Stop()
	}
	g.rebalanceSeq++
}

// Close stops every timer and waits for background loads and writes.
func (c *Coordinator) Close() {
	c.mu.Lock()
	for p := range c.parts {
		c.unloadLocked(p)
	}
	c.closed = true
	c.mu.Unlock()
	c.bg.Wait()
}

// loadRetryBackoff spaces retries of a partition whose log could not be read.
const loadRetryBackoff = time.Second
