package broker

import (
	"sync"
	"time"

	"github.com/kbridge/kbridge/broker/storage"
	"github.com/kbridge/kbridge/metadata"
)

// topicPartition names one partition.
type topicPartition struct {
	topic     string
	partition int32
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
	leoWaiters waitSet // woken by every leader append, for replica fetches
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
}

func (p *Partition) state() partitionState {
	p.mu.Lock()
	defer p.mu.Unlock()
	return partitionState{
		leader: p.leader, leaderEpoch: p.leaderEpoch, term: p.term, isr: p.isr, replicas: p.replicas,
		hw: p.hw, minISR: p.effectiveMinISRLocked(), maxMessage: p.maxMessage, appendTime: p.appendTime, compacted: p.compacted,
	}
}

// HighWatermark is the offset below which records are committed and visible.
func (p *Partition) HighWatermark() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hw
}

// addWaiter registers w to be signalled when the high watermark, the ISR or the
// leadership changes and, with appends, also when the leader appends (a replica fetch
// waits for data beyond the high watermark).
func (p *Partition) addWaiter(w chan struct{}, appends bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hwWaiters.add(w)
	if appends {
		p.leoWaiters.add(w)
	}
}

func (p *Partition) removeWaiter(w chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.hwWaiters, w)
	delete(p.leoWaiters, w)
}

// waitSet is a set of channels to signal. Each channel has room for one signal, so a
// notifier never blocks and a waiter that was busy still learns that something changed.
type waitSet map[chan struct{}]struct{}

func (s *waitSet) add(w chan struct{}) {
	if *s == nil {
		*s = make(waitSet)
	}
	(*s)[w] = struct{}{}
}

func (s waitSet) notify() {
	for w := range s {
		select {
		case w <- struct{}{}:
		default:
		}
	}
}
