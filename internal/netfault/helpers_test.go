package netfault

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"
)

// testPort is where the tests listen: every member has a namespace of its own, so any
// port is free there.
const testPort = 7000

// waitTimeout bounds every wait for something that must happen.
const waitTimeout = 15 * time.Second

// addr is a member's address with the test port.
func addr(t *testing.T, l *Layout, name string) string {
	t.Helper()
	a, err := l.Addr(name)
	if err != nil {
		t.Fatal(err)
	}
	return netip.AddrPortFrom(a, testPort).String()
}

// listen opens a TCP listener in a member's namespace on the test port, accepting
// into the returned channel.
func listen(t *testing.T, l *Layout, name string) <-chan net.Conn {
	t.Helper()
	var ln net.Listener
	if err := l.Do(name, func() error {
		var err error
		ln, err = net.Listen("tcp", addr(t, l, name))
		return err
	}); err != nil {
		t.Fatalf("listen in %s: %v", name, err)
	}
	t.Cleanup(func() { ln.Close() })
	accepted := make(chan net.Conn, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
			accepted <- c
		}
	}()
	return accepted
}

// dial connects from one member to another's test port.
func dial(t *testing.T, l *Layout, from, to string, timeout time.Duration) (net.Conn, error) {
	t.Helper()
	var c net.Conn
	err := l.Do(from, func() error {
		var err error
		c, err = net.DialTimeout("tcp", addr(t, l, to), timeout)
		return err
	})
	if err == nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, err
}

// connect dials and returns both ends of the connection.
func connect(t *testing.T, l *Layout, from, to string, accepted <-chan net.Conn) (client, server net.Conn) {
	t.Helper()
	client, err := dial(t, l, from, to, waitTimeout)
	if err != nil {
		t.Fatalf("connect %s to %s: %v", from, to, err)
	}
	select {
	case server = <-accepted:
	case <-time.After(waitTimeout):
		t.Fatalf("%s accepted no connection from %s", to, from)
	}
	return client, server
}

// send writes a message and fails the test if the local write fails.
func send(t *testing.T, c net.Conn, msg string) {
	t.Helper()
	if _, err := io.WriteString(c, msg); err != nil {
		t.Fatalf("write %q: %v", msg, err)
	}
}

// receive reads exactly len(want) bytes within the deadline and compares them.
func receive(t *testing.T, c net.Conn, want string, timeout time.Duration) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(timeout))
	buf := make([]byte, len(want))
	if _, err := io.ReadFull(c, buf); err != nil {
		t.Fatalf("read %q: %v", want, err)
	}
	if string(buf) != want {
		t.Fatalf("read %q, want %q", buf, want)
	}
}

// nothingArrived checks that a connection has nothing to read. The callers first wait
// for the event that proves the data was sent and dropped (a drop counter moving), so
// the short read deadline here is a check of a settled state, not a wait for one.
func nothingArrived(t *testing.T, c net.Conn) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	buf := make([]byte, 64)
	n, err := c.Read(buf)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read %q (%v) across a cut link", buf[:n], err)
	}
}

// waitDropped waits until the rules from→to have dropped more than before packets.
func waitDropped(t *testing.T, l *Layout, from, to string, before uint64) uint64 {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		n, err := l.Dropped(from, to)
		if err != nil {
			t.Fatal(err)
		}
		if n > before {
			return n
		}
		if time.Now().After(deadline) {
			t.Fatalf("no packet from %s to %s dropped within %v (still %d)", from, to, waitTimeout, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// dropped reads the counter of drops from→to.
func dropped(t *testing.T, l *Layout, from, to string) uint64 {
	t.Helper()
	n, err := l.Dropped(from, to)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// must fails the test on an error of the harness.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
