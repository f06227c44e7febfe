package zkmode

import (
	"fmt"
	"net"
	"sync/atomic"
	"time"

	"github.com/go-zookeeper/zk"
)

// A ZooKeeper client learns that its session expired only from the server, when it
// reaches the server again: cut off, it goes on believing in a session that the server
// has ended, with its ephemeral znodes deleted, another controller elected and its
// partitions given to other leaders. What it can know is when it last heard from the
// server. The server expires a session it has not heard from for the session timeout,
// at its next tick, and it heard from this client about when this client last heard
// from it (pings go every third of the timeout, and their answers come at once). So
// once the connection is lost and nothing has been heard for longer than
// presumeAfter, the session must be presumed expired.

// StatePresumedExpired is the SessionEvent state of a session that must be presumed
// expired; go-zookeeper has no such state. SessionID is the session presumed.
const StatePresumedExpired zk.State = -1000

// dialFunc is go-zookeeper's dialer.
type dialFunc = func(network, address string, timeout time.Duration) (net.Conn, error)

// heardDialer wraps every connection dial makes so that each read that brings bytes
// records the time in heard.
func heardDialer(heard *atomic.Int64, dial dialFunc) dialFunc {
	return func(network, address string, timeout time.Duration) (net.Conn, error) {
		c, err := dial(network, address, timeout)
		if err != nil {
			return nil, err
		}
		return &heardConn{Conn: c, heard: heard}, nil
	}
}

// heardConn is a connection to a ZooKeeper server that records when it last read
// anything from it.
type heardConn struct {
	net.Conn
	heard *atomic.Int64
}

func (c *heardConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.heard.Store(time.Now().UnixNano())
	}
	return n, err
}

// LastHeard is when a server last sent this Conn anything: an answer, a ping's answer,
// a watch notification or a handshake's answer.
func (c *Conn) LastHeard() time.Time { return time.Unix(0, c.heard.Load()) }

// SessionTimeout is the session timeout the Conn asked for, zookeeper.session.timeout.ms.
// The server may have granted another within its bounds; go-zookeeper does not say.
func (c *Conn) SessionTimeout() time.Duration { return c.sessionTimeout }

// presumeAfter is how long after the server was last heard the session is presumed
// expired: the session timeout, a quarter of it for the server's tick (ZooKeeper's
// ticks are a fraction of its session timeouts: a tenth at Kafka's 18 s and
// ZooKeeper's 2 s), and a second for the controller to elect new leaders. A broker
// that stops leading then turns its clients away when the new leaders are there to be
// found, rather than before, when they would find none and wait out their metadata
// refresh interval (5 s for franz-go). Leading on until then costs no acknowledged
// write: once the new leaders are elected its followers follow them, and an acks=all
// write it takes waits for them in vain.
func (c *Conn) presumeAfter() time.Duration {
	return c.sessionTimeout + c.sessionTimeout/4 + time.Second
}

// untilPresumedExpired is how long, if nothing more is heard, until the session must
// be presumed expired; zero or less once it must.
func (c *Conn) untilPresumedExpired() time.Duration {
	return time.Until(c.LastHeard().Add(c.presumeAfter()))
}

// SessionPresumedExpired tells whether the session must be presumed expired: the
// connection was lost and nothing has been heard for longer than the session timeout
// (presumeAfter), and no session has been established since.
func (c *Conn) SessionPresumedExpired() bool { return c.presumed.Load() }

// presumedExpired is a channel closed while the session is presumed expired, for
// waits on ZooKeeper to end on.
func (c *Conn) presumedExpired() <-chan struct{} { return *c.presumedCh.Load() }

// trackPresumption follows a session state change; onEvent calls it under presumeMu,
// before it publishes the event, so that whoever reads the event finds the
// presumption as the event says. A lost connection starts the clock, a session
// established ends a presumption, and an expiry stops the clock.
func (c *Conn) trackPresumption(state zk.State) {
	c.presumeGen++
	if c.presumeTimer != nil {
		c.presumeTimer.Stop()
		c.presumeTimer = nil
	}
	switch state {
	case zk.StateDisconnected:
		if c.presumeStopped {
			return
		}
		c.armPresumption(c.presumeGen, c.untilPresumedExpired())
	case zk.StateHasSession:
		if c.presumed.Swap(false) {
			open := make(chan struct{})
			c.presumedCh.Store(&open)
		}
	}
}

func (c *Conn) armPresumption(gen uint64, after time.Duration) {
	c.presumeTimer = time.AfterFunc(after, func() { c.presumptionDue(gen) })
}

// presumptionDue runs when the time to presume the session expired has come, if the
// connection has not come back since (gen); a server heard meanwhile (a handshake
// answer) moves the moment on.
func (c *Conn) presumptionDue(gen uint64) {
	c.presumeMu.Lock()
	defer c.presumeMu.Unlock()
	if gen != c.presumeGen || c.presumed.Load() {
		return
	}
	if wait := c.untilPresumedExpired(); wait > 0 {
		c.armPresumption(gen, wait)
		return
	}
	c.presumed.Store(true)
	close(*c.presumedCh.Load())
	se, ok := c.sessions.publish(StatePresumedExpired, 0)
	if !ok {
		return
	}
	c.logger.Warn("nothing heard from ZooKeeper for longer than the session timeout: the session must be presumed expired",
		"session_id", fmt.Sprintf("0x%x", se.SessionID), "last_heard", c.LastHeard(), "session_timeout", c.sessionTimeout)
}

// stopPresumption stops the clock for good; Close calls it.
func (c *Conn) stopPresumption() {
	c.presumeMu.Lock()
	defer c.presumeMu.Unlock()
	c.presumeStopped = true
	c.presumeGen++
	if c.presumeTimer != nil {
		c.presumeTimer.Stop()
		c.presumeTimer = nil
	}
}
