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
// the term it wrote in, since a follower may truncate the batch away.
func (pp *producedPartition) replicated() (bool, int16) {
	p := pp.p
	p.mu.Lock()
	defer p.mu.Unlock()
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

// waitReplicated holds an acks=all response until every written partition is
// replicated or has failed, or the request timeout passes or the broker stops
// (REQUEST_TIMED_OUT for the partitions still waiting). The partitions are marked
// before they are checked, so a high watermark that moves between the check and the
// wait wakes it at once.
func waitReplicated(pending []producedPartition, timeout time.Duration, stop <-chan struct{}) {
	check := func() bool {
		all := true
		for i := range pending {
			pp := &pending[i]
			if pp.done {
				continue
			}
			if done, code := pp.replicated(); done {
				pp.done = true
				pp.resp.ErrorCode = code
			} else {
				all = false
			}
		}
		return all
	}
	marks := make([]waitMark, len(pending))
	for i, pp := range pending {
		marks[i] = pp.p.mark()
	}
	if check() {
		return
	}
	beforePark()
	w := make(chan struct{}, 1)
	for i, pp := range pending {
		if !pp.done {
			pp.p.addWaiter(w, false, marks[i])
			defer pp.p.removeWaiter(w)
		}
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		select {
		case <-w:
			if check() {
				return
			}
			continue
		case <-stop:
		case <-timer.C:
		}
		for i := range pending {
			if !pending[i].done {
				pending[i].resp.ErrorCode = kerr.RequestTimedOut.Code
			}
		}
		return
	}
}
