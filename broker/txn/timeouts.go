package txn

import (
	"time"

	"github.com/kbridge/kbridge/broker/group"
)

// periodicTask is one of the coordinator's periodic checks, as Kafka's scheduler
// runs transaction-abort and transactionalId-expiration.
type periodicTask struct {
	timer group.Timer
}

func (p *periodicTask) stop() {
	if p.timer != nil {
		p.timer.Stop()
	}
}

// startPeriodic runs run every interval on the clock until Close, the next run
// scheduled once one ends; a run counts as background work, so Close waits for one
// under way.
func (c *Coordinator) startPeriodic(interval time.Duration, run func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := &periodicTask{}
	c.tasks = append(c.tasks, p)
	c.armLocked(p, interval, run)
}

func (c *Coordinator) armLocked(p *periodicTask, interval time.Duration, run func()) {
	p.timer = c.clock.AfterFunc(interval, func() {
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return
		}
		c.bg.Add(1)
		c.mu.Unlock()
		defer c.bg.Done()
		run()
		c.mu.Lock()
		defer c.mu.Unlock()
		if !c.closed {
			c.armLocked(p, interval, run)
		}
	})
}

// abortTimedOutTransactions aborts every ongoing transaction open longer than its
// timeout (Kafka's abortTimedOutTransactions): the producer's epoch is bumped with
// the abort, so a zombie producer that comes back is fenced.
func (c *Coordinator) abortTimedOutTransactions() {
	c.mu.Lock()
	defer c.mu.Unlock()
	nowMs := c.clock.Now().UnixMilli()
	for _, op := range c.parts {
		for _, m := range op.txns {
			if m.pending != noState || m.state != stateOngoing || m.startMs+int64(m.timeoutMs) >= nowMs {
				continue
			}
			t, err := c.prepareFenceAbortLocked(m)
			if err != nil {
				c.slog.Error("cannot abort timed-out transaction", "transactional_id", m.id, "err", err)
				continue
			}
			c.slog.Info("aborting timed-out transaction", "transactional_id", m.id, "producer_id", m.producerID,
				"producer_epoch", t.producerEpoch, "timeout_ms", m.timeoutMs)
			c.goLocked(func() {
				if kerrr := c.writePrepareEnd(op, m, t, true); kerrr != nil {
					c.slog.Warn("cannot abort timed-out transaction", "transactional_id", m.id, "answer", kerrr.Message)
				}
			})
		}
	}
}
