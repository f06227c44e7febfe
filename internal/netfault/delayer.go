package netfault

import (
	"container/heap"
	"math/rand/v2"
	"sync"
	"time"
)

// delayer holds the packets of one queue and lets each go when its time comes. One
// goroutine reads the notices, one gives the verdicts in order of due time, so with no
// jitter packets leave in the order they came.
type delayer struct {
	q             *nfQueue
	delay, jitter time.Duration

	mu sync.Mutex
	// held are the packets waiting; once draining is set, packets are let go as
	// their notices come.
	held     dueHeap
	draining bool

	wake     chan struct{}
	stopped  chan struct{}
	released chan struct{}
	readDone chan struct{}
}

// startDelayer binds the queue in the namespace and starts holding its packets.
func startDelayer(ns string, num uint16, delay, jitter time.Duration) (*delayer, error) {
	q, err := openQueue(ns, num)
	if err != nil {
		return nil, err
	}
	d := &delayer{
		q: q, delay: delay, jitter: jitter,
		wake: make(chan struct{}, 1), stopped: make(chan struct{}),
		released: make(chan struct{}), readDone: make(chan struct{}),
	}
	go d.read()
	go d.release()
	return d, nil
}

// read takes packet notices until the socket's read deadline ends it (stop sets one).
func (d *delayer) read() {
	defer close(d.readDone)
	buf := make([]byte, 1<<16)
	for {
		ids, err := d.q.receive(buf)
		d.mu.Lock()
		draining := d.draining
		if !draining {
			now := time.Now()
			for _, id := range ids {
				heap.Push(&d.held, duePacket{due: now.Add(d.hold()), id: id})
			}
		}
		d.mu.Unlock()
		if draining {
			for _, id := range ids {
				d.q.accept(id)
			}
		} else if len(ids) > 0 {
			select {
			case d.wake <- struct{}{}:
			default:
			}
		}
		// The socket closed, or the drain's deadline passed.
		if err != nil {
			return
		}
	}
}

// hold is one packet's time in the queue: the delay plus a uniform draw from
// [-jitter, +jitter], never below zero.
func (d *delayer) hold() time.Duration {
	h := d.delay
	if d.jitter > 0 {
		h += time.Duration(rand.Int64N(int64(2*d.jitter)+1)) - d.jitter
	}
	return max(h, 0)
}

// release gives the verdicts as packets fall due; once stopped it lets every packet
// still held go at once, so ending a delay loses nothing.
func (d *delayer) release() {
	defer close(d.released)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		d.mu.Lock()
		var due []uint32
		now := time.Now()
		for d.held.Len() > 0 && !d.held[0].due.After(now) {
			due = append(due, heap.Pop(&d.held).(duePacket).id)
		}
		next := time.Hour
		if d.held.Len() > 0 {
			next = d.held[0].due.Sub(now)
		}
		d.mu.Unlock()
		for _, id := range due {
			d.q.accept(id)
		}
		timer.Reset(next)
		select {
		case <-timer.C:
		case <-d.wake:
		case <-d.stopped:
			d.mu.Lock()
			d.draining = true
			for d.held.Len() > 0 {
				d.q.accept(heap.Pop(&d.held).(duePacket).id)
			}
			d.mu.Unlock()
			return
		}
	}
}

// stop lets every held packet go and closes the queue. The queue's rule must be gone
// first, so that every notice the kernel will send is already in the socket: they are
// drained and their packets let go, where the close would have dropped them.
func (d *delayer) stop() {
	close(d.stopped)
	<-d.released
	for _, id := range d.q.drain() {
		d.q.accept(id)
	}
	// The reader may hold a batch it read before the drain: a deadline in the past
	// ends its wait, and it lets that batch go before it returns.
	d.q.f.SetReadDeadline(time.Now())
	<-d.readDone
	d.q.close()
}

// duePacket is a held packet and when it may go.
type duePacket struct {
	due time.Time
	id  uint32
}

// dueHeap orders held packets by due time.
type dueHeap []duePacket

// Len, Less, Swap, Push and Pop are heap.Interface's.
func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].due.Before(h[j].due) }
func (h dueHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)        { *h = append(*h, x.(duePacket)) }
func (h *dueHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
