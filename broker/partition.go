package broker

import (
	"sync"

	"github.com/kbridge/kbridge/broker/storage"
	"github.com/kbridge/kbridge/metadata"
)

// topicPartition names one partition.
type topicPartition struct {
	topic     string
	partition int32
}

// Partition is this broker's replica of one partition: its log plus the leadership
// facts from the latest image, and the high watermark it serves consumers up to.
type Partition struct {
	tp      topicPartition
	topicID metadata.Uuid
	log     *storage.PartitionLog

	mu          sync.Mutex
	leader      int32
	leaderEpoch int32
	replicas    []int32
	isr         []int32
	hw          int64
	minISR      int
	maxMessage  int32
	appendTime  bool // message.timestamp.type=LogAppendTime
	compacted   bool // cleanup.policy includes compact: every record needs a key
	waiters     map[chan struct{}]struct{}
}

// state is a consistent copy of the leadership facts.
type partitionState struct {
	leader      int32
	leaderEpoch int32
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
		leader: p.leader, leaderEpoch: p.leaderEpoch, isr: p.isr, replicas: p.replicas,
		hw: p.hw, minISR: p.minISR, maxMessage: p.maxMessage, appendTime: p.appendTime, compacted: p.compacted,
	}
}

// HighWatermark is the offset below which records are committed and visible.
func (p *Partition) HighWatermark() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hw
}

// advanceHighWatermark recomputes the high watermark after an append. With this broker
// the only in-sync replica, the high watermark is the log end offset.
func (p *Partition) advanceHighWatermark() {
	leo := p.log.LogEndOffset()
	p.mu.Lock()
	if leo > p.hw {
		p.hw = leo
		for w := range p.waiters {
			select {
			case w <- struct{}{}:
			default:
			}
		}
	}
	p.mu.Unlock()
}

// addWaiter registers w to be signalled when the high watermark moves.
func (p *Partition) addWaiter(w chan struct{}) {
	p.mu.Lock()
	if p.waiters == nil {
		p.waiters = make(map[chan struct{}]struct{})
	}
	p.waiters[w] = struct{}{}
	p.mu.Unlock()
}

func (p *Partition) removeWaiter(w chan struct{}) {
	p.mu.Lock()
	delete(p.waiters, w)
	p.mu.Unlock()
}
