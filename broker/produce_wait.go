package broker

import (
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// producedPartition remembers where an acks=all write must be acknowledged.
type producedPartition struct {
	p          *Partition
	resp       *kmsg.ProduceResponseTopicPartition
	lastOffset int64
	term       uint64 // the leadership term the batch was appended in
	done       bool
}

// replicated is Kafka's checkEnoughReplicasReachOffset for one acks=all write: done
// with no error once the high watermark covers it; NOT_ENOUGH_REPLICAS_AFTER_APPEND if
// it is covered while the maximal ISR is under the effective min.insync.replicas, or
// once the committed ISR has shrunk under it (where Kafka would wait for the timeout:
// the high watermark cannot move until the ISR grows again, and the producer's retry
// is the better way to wait); NOT_LEADER_OR_FOLLOWER once this broker stopped leading
// the term it wrote in, since a follower may truncate the batch away. mark, when not
// nil, takes the partition's waitMark under the same lock, before the check reads.
func (pp *producedPartition) replicated(mark *waitMark) (bool, int16) {
	p := pp.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if mark != nil {
		*mark = p.markLocked()
	}
	minISR := p.effectiveMinISRLocked()
	switch {
	case p.leader != p.self || p.term != pp.term:
		return true, kerr.NotLeaderForPartition.Code
	case p.hw > pp.lastOffset && p.maximalISRSizeLocked() < minISR:
		return true, kerr.NotEnoughReplicasAfterAppend.Code
	case p.hw > pp.lastOffset:
		return true, 0
	case len(p.isr) < minISR:
		return true, kerr.NotEnoughReplicasAfterAppend.Code
	}
	return false, 0
}

// replicationWait is an acks=all request's wait for its partitions' high watermarks.
// The partitions are marked as they are first checked, so a high watermark that moves
// between that check and the wait wakes it at once.
type replicationWait struct {
	pending []producedPartition
	marks   []waitMark
}

// startReplicationWait checks the written partitions once; it reports whether every
// one is already replicated or has failed, in which case there is nothing to wait for.
func startReplicationWait(pending []producedPartition) (*replicationWait, bool) {
	w := &replicationWait{pending: pending, marks: make([]waitMark, len(pending))}
	return w, w.check(true)
}

// check settles the partitions that are replicated or have failed, and reports
// whether all are settled. The first check also marks them.
func (w *replicationWait) check(first bool) bool {
	all := true
	for i := range w.pending {
		pp := &w.pending[i]
		if pp.done {
			continue
		}
		var mark *waitMark
		if first {
			mark = &w.marks[i]
		}
		if done, code := pp.replicated(mark); done {
			pp.done = true
			pp.resp.ErrorCode = code
		} else {
			all = false
		}
	}
	return all
}

// wait holds until every partition is settled, or the request timeout passes or the
// broker stops (REQUEST_TIMED_OUT for the partitions still waiting), or lost closes:
// the broker lost its session and must assume its leaderships are gone
// (NOT_LEADER_OR_FOLLOWER, session_loss.go).
func (w *replicationWait) wait(timeout time.Duration, stop, lost <-chan struct{}) {
	beforePark()
	wake := make(chan struct{}, 1)
	var registered []*Partition
	for i, pp := range w.pending {
		if !pp.done {
			pp.p.addWaiter(wake, false, w.marks[i])
			registered = append(registered, pp.p)
		}
	}
	defer removeWaiter(wake, registered)
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		select {
		case <-wake:
			if w.check(false) {
				return
			}
			continue
		case <-lost:
			w.fail(kerr.NotLeaderForPartition.Code)
			return
		case <-stop:
		case <-timer.C:
		}
		w.fail(kerr.RequestTimedOut.Code)
		return
	}
}

// fail settles every partition still waiting with code.
func (w *replicationWait) fail(code int16) {
	for i := range w.pending {
		if !w.pending[i].done {
			w.pending[i].done = true
			w.pending[i].resp.ErrorCode = code
		}
	}
}

// waitReplicated holds an acks=all write until it is replicated, has failed, or the
// timeout passes, the broker stops or loses its session.
func waitReplicated(pending []producedPartition, timeout time.Duration, stop, lost <-chan struct{}) {
	if w, done := startReplicationWait(pending); !done {
		w.wait(timeout, stop, lost)
	}
}
