package broker

import (
	"iter"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kbridge/kbridge/broker/storage"
	"github.com/kbridge/kbridge/metadata"
)

// topicPartition names one partition.
type topicPartition struct {
	topic     string
	partition int32
}

// partitionsByTopic yields each topic of parts with its partitions, topics in the order
// they first appear, as the requests that name partitions per topic want them.
func partitionsByTopic[T any](parts []T, of func(T) topicPartition) iter.Seq2[string, []int32] {
	return func(yield func(string, []int32) bool) {
		var topics []string
		byTopic := map[string][]int32{}
		for _, part := range parts {
			tp := of(part)
			if _, ok := byTopic[tp.topic]; !ok {
				topics = append(topics, tp.topic)
			}
			byTopic[tp.topic] = append(byTopic[tp.topic], tp.partition)
		}
		for _, topic := range topics {
			if !yield(topic, byTopic[topic]) {
				return
			}
		}
	}
}

// Partition is this broker's replica of one partition: its log, the leadership facts
// from the latest image, the high watermark it serves consumers up to and, while it
// leads, what it knows of its followers (Kafka's Partition).
type Partition struct {
	tp      topicPartition
	topicID metadata.Uuid
	log     *storage.PartitionLog
	self    int32         // this broker's id
	lagTime time.Duration // replica.lag.time.max.ms
	meters  *topicMeters  // the broker's traffic counts
	meter   *topicMeter   // this partition's topic's

	// leadership is Kafka's leaderIsrUpdateLock: appends and reads that depend on this
	// broker's role hold it shared and a change of role holds it exclusively, so that a
	// replica never starts truncating as a follower under a write it accepted as leader.
	// Taken before mu.
	leadership sync.RWMutex

	mu             sync.Mutex
	leader         int32
	leaderEpoch    int32
	partitionEpoch int32
	term           uint64 // counts the times this broker became leader; acks=all waiters compare it
	replicas       []int32
	isr            []int32 // the committed ISR; never edited in place
	hw             int64
	followerLag    int64 // as a follower: the leader's high watermark less this log's end, at the last fetch
	minISR         int
	maxMessage     int32
	appendTime     bool // message.timestamp.type=LogAppendTime
	compacted      bool // cleanup.policy includes compact: every record needs a key

	// Leader-only replication state.
	epochStartOffset int64                    // the LEO when this broker's leader epoch began
	followers        map[int32]*followerState // the other replicas, by broker id
	eligible         map[int32]int64          // brokers that may join an ISR, with their broker epochs; shared, read-only
	alter            *isrProposal             // the AlterPartition in flight, if any
	alterRetryAt     time.Time                // no new proposal before this, after a failed one

	hwWaiters  waitSet // woken when the high watermark, the ISR or the leadership changes
	leoWaiters waitSet // woken by leader appends and leadership changes, for replica fetches
}

// partitionState is a consistent copy of the leadership facts.
type partitionState struct {
	leader      int32
	leaderEpoch int32
	term        uint64
	isr         []int32
	replicas    []int32
	hw          int64
	minISR      int
	maxMessage  int32
	appendTime  bool
	compacted   bool
	mark        waitMark // the waiters' signal counts, for a reader that may wait next
}

func (p *Partition) state() partitionState {
	p.mu.Lock()
	defer p.mu.Unlock()
	return partitionState{
		leader: p.leader, leaderEpoch: p.leaderEpoch, term: p.term, isr: p.isr, replicas: p.replicas,
		hw: p.hw, minISR: p.effectiveMinISRLocked(), maxMessage: p.maxMessage, appendTime: p.appendTime, compacted: p.compacted,
		mark: p.markLocked(),
	}
}

// HighWatermark is the offset below which records are committed and visible.
func (p *Partition) HighWatermark() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hw
}

// waitMark is how many times a partition's waiters had been signalled when a request
// read it. A request that finds nothing to return registers as a waiter with the mark
// of its read: a change signalled between the read and the registration is then not
// missed, whatever the order of the two (issue 12: a follower's fetch that missed an
// append slept for replica.fetch.wait.max.ms while an acks=all produce waited on it).
type waitMark struct {
	hw, leo uint64
}

// markLocked is the partition's waitMark now. Taken before the log and the high
// watermark are read, so that anything the read did not see is signalled after it.
func (p *Partition) markLocked() waitMark {
	return waitMark{hw: p.hwWaiters.signals.Load(), leo: p.leoWaiters.signals.Load()}
}

// signalledSince reports, without taking the partition's lock, whether the waiters a
// fetch registers with (those of appends, or of the high watermark) were signalled
// since seen was marked.
func (p *Partition) signalledSince(seen waitMark, appends bool) bool {
	if appends {
		return p.leoWaiters.signals.Load() != seen.leo
	}
	return p.hwWaiters.signals.Load() != seen.hw
}

// addWaiter registers w to be signalled when the high watermark, the ISR or the
// leadership changes or, with appends, when the leader appends or the leadership
// changes: a replica fetch waits for data beyond the high watermark and, as Kafka's
// delayed fetch, is not completed by a high watermark that moved without new data. If
// such a change was signalled since seen was marked, w is signalled at once.
func (p *Partition) addWaiter(w chan struct{}, appends bool, seen waitMark) {
	p.mu.Lock()
	defer p.mu.Unlock()
	set := &p.hwWaiters
	if appends {
		set = &p.leoWaiters
	}
	set.add(w)
	if p.signalledSince(seen, appends) {
		signal(w)
	}
}

// removeWaiter takes w off the partitions it was registered with: one deferred call
// for a request waiting on many partitions.
func removeWaiter(w chan struct{}, ps []*Partition) {
	for _, p := range ps {
		p.mu.Lock()
		delete(p.hwWaiters.waiters, w)
		delete(p.leoWaiters.waiters, w)
		p.mu.Unlock()
	}
}

// parkHook, set only by tests, runs after a request has read what it would wait on and
// before it registers as a waiter: the window in which a change must not be missed.
var parkHook func()

func beforePark() {
	if parkHook != nil {
		parkHook()
	}
}

// waitSet is a set of channels to signal, and the number of signals sent so far
// (changed under the partition's lock, read with or without it). Each channel has room
// for one signal, so a notifier never blocks and a waiter that was busy still learns
// that something changed.
type waitSet struct {
	signals atomic.Uint64
	waiters map[chan struct{}]struct{}
}

func (s *waitSet) add(w chan struct{}) {
	if s.waiters == nil {
		s.waiters = make(map[chan struct{}]struct{})
	}
	s.waiters[w] = struct{}{}
}

func (s *waitSet) notify() {
	s.signals.Add(1)
	for w := range s.waiters {
		signal(w)
	}
}

// signal wakes w without blocking; a signal already pending is enough.
func signal(w chan struct{}) {
	select {
	case w <- struct{}{}:
	default:
	}
}
