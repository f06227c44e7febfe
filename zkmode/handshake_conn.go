package zkmode

import (
	"encoding/binary"
	"net"
	"sync"
	"time"
)

// handshakeConn bounds how long go-zookeeper waits for a server's answer to its
// session handshake. go-zookeeper waits ten times its receive timeout (sessionTimeout
// × 2/3 × 10: two minutes at Kafka's 18 s default) for the ConnectResponse, then
// reads its body with no deadline at all. A ZooKeeper server restarting accepts
// connections before it serves sessions and can drop a handshake sent in that window
// unanswered; the client then sat out the whole wait while its session expired on
// the server (issue 13's fault test: a controller back on ZooKeeper 66 s after it
// returned, its session already gone). Until the ConnectResponse has been read, every
// read deadline is capped at limit, so such a handshake fails fast and the client
// retries; after it, deadlines are go-zookeeper's own.
type handshakeConn struct {
	net.Conn
	limit time.Duration

	mu      sync.Mutex
	lenBuf  [4]byte
	lenRead int
	left    int // response body bytes still to read once lenRead is 4
	done    bool
}

// handshakeDialer is go-zookeeper's dialer with each connection's handshake bounded.
func handshakeDialer(limit time.Duration) func(network, address string, timeout time.Duration) (net.Conn, error) {
	return func(network, address string, timeout time.Duration) (net.Conn, error) {
		c, err := net.DialTimeout(network, address, timeout)
		if err != nil {
			return nil, err
		}
		return &handshakeConn{Conn: c, limit: limit}, nil
	}
}

// handshakeLimit is how long a handshake may take: a third of the session timeout,
// so a client has time for another try before the server expires its session, and
// at least a second.
func handshakeLimit(sessionTimeout time.Duration) time.Duration {
	return max(sessionTimeout/3, time.Second)
}

func (c *handshakeConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	done := c.done
	c.mu.Unlock()
	if !done {
		if limit := time.Now().Add(c.limit); t.IsZero() || t.After(limit) {
			t = limit
		}
	}
	return c.Conn.SetReadDeadline(t)
}

func (c *handshakeConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if c.consumed(p[:n]) {
		// The handshake's cap must not outlive it: go-zookeeper sets its own
		// deadline before each later read, but not before every one.
		c.Conn.SetReadDeadline(time.Time{})
	}
	return n, err
}

// consumed follows the ConnectResponse (a 4-byte length, then the body) through the
// bytes read, and tells whether b completed it.
func (c *handshakeConn) consumed(b []byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return false
	}
	for len(b) > 0 && c.lenRead < 4 {
		c.lenBuf[c.lenRead] = b[0]
		c.lenRead++
		b = b[1:]
		if c.lenRead == 4 {
			c.left = int(binary.BigEndian.Uint32(c.lenBuf[:]))
		}
	}
	if c.lenRead < 4 {
		return false
	}
	c.left -= min(len(b), c.left)
	c.done = c.left == 0
	return c.done
}
