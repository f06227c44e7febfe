package zkmode

import (
	"sync"

	"github.com/go-zookeeper/zk"
)

// SessionEvent is a change of a Conn's ZooKeeper session.
//
//   - zk.StateHasSession: a session is established; SessionID is its id. After an
//     expiry this is a new session with none of the old one's ephemeral znodes or
//     watches: a broker re-registers /brokers/ids/<id> and re-reads what it watched
//     (Kafka's ZooKeeperClient does the same through its state-change handlers).
//   - zk.StateExpired: the server expired the session; SessionID is the expired one.
//     go-zookeeper is already opening a new session.
//   - zk.StateDisconnected: the connection is lost; SessionID is the session held,
//     which lives on if a server is reached again within the session timeout.
//   - StatePresumedExpired: nothing has been heard from a server for longer than the
//     session timeout since; SessionID is the session held, which the server has most
//     likely expired (conn_heard.go). A zk.StateHasSession ends it.
type SessionEvent struct {
	State     zk.State
	SessionID int64
}

// SessionEvents returns a channel of session changes, starting with the state at the
// time of the call (zk.StateHasSession right after Dial), so a caller that
// subscribes after acting on the session cannot miss a change in between. Each call
// gets its own channel; events queue without bound (they are rare) and are never
// dropped, so a slow reader never stalls the connection. The channel is closed when
// the Conn is closed.
func (c *Conn) SessionEvents() <-chan SessionEvent { return c.sessions.subscribe() }

// sessionFeed fans session events out to every subscriber, in order.
type sessionFeed struct {
	mu     sync.Mutex
	last   SessionEvent
	held   int64 // the id of the last established session, reported when it expires
	subs   []*sessionSub
	closed bool
	stop   chan struct{}
}

type sessionSub struct {
	queue []SessionEvent // guarded by the feed's mu
	wake  chan struct{}
	out   chan SessionEvent
}

func newSessionFeed() *sessionFeed {
	return &sessionFeed{stop: make(chan struct{})}
}

// publish records a session state change and returns the event it queued; id is
// go-zookeeper's session id at that moment, 0 once a session expired. After close
// it queues nothing and returns false.
func (f *sessionFeed) publish(state zk.State, id int64) (SessionEvent, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return SessionEvent{}, false
	}
	switch state {
	case zk.StateHasSession:
		f.held = id
	case zk.StateExpired:
		id, f.held = f.held, 0
	case zk.StateDisconnected, StatePresumedExpired:
		id = f.held
	}
	f.last = SessionEvent{State: state, SessionID: id}
	for _, s := range f.subs {
		s.queue = append(s.queue, f.last)
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	return f.last, true
}

func (f *sessionFeed) subscribe() <-chan SessionEvent {
	s := &sessionSub{wake: make(chan struct{}, 1), out: make(chan SessionEvent)}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		close(s.out)
		return s.out
	}
	s.queue = []SessionEvent{f.last}
	f.subs = append(f.subs, s)
	go f.pump(s)
	return s.out
}

// pump delivers one subscriber's queue in order until the feed closes.
func (f *sessionFeed) pump(s *sessionSub) {
	defer close(s.out)
	for {
		f.mu.Lock()
		batch := s.queue
		s.queue = nil
		f.mu.Unlock()
		for _, ev := range batch {
			select {
			case s.out <- ev:
			case <-f.stop:
				return
			}
		}
		select {
		case <-s.wake:
		case <-f.stop:
			return
		}
	}
}

func (f *sessionFeed) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.closed {
		f.closed = true
		close(f.stop)
	}
}
