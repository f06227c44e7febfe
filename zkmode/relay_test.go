package zkmode

import (
	"context"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kbridge/kbridge/internal/zktest"
)

// relay forwards TCP connections to a ZooKeeper server and can silence the server:
// what it sends is read and dropped, while what the client sends still reaches it.
// The client then hears nothing although its session lives on, as a broker does on
// the far side of a one-way cut.
type relay struct {
	ln     net.Listener
	target string
	silent atomic.Bool

	mu    sync.Mutex
	conns []net.Conn
}

// startRelay relays 127.0.0.1:<free port> to target until the test ends.
func startRelay(t *testing.T, target string) *relay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &relay{ln: ln, target: target}
	go r.accept()
	t.Cleanup(r.close)
	return r
}

// Addr is where clients connect.
func (r *relay) Addr() string { return r.ln.Addr().String() }

// Silence drops (true) or forwards again (false) what the server sends.
func (r *relay) Silence(on bool) { r.silent.Store(on) }

func (r *relay) accept() {
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		go r.serve(c)
	}
}

func (r *relay) serve(client net.Conn) {
	server, err := net.Dial("tcp", r.target)
	if err != nil {
		client.Close()
		return
	}
	r.mu.Lock()
	r.conns = append(r.conns, client, server)
	r.mu.Unlock()
	defer client.Close()
	defer server.Close()
	go func() {
		_, _ = io.Copy(server, client)
		server.Close()
		client.Close()
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := server.Read(buf)
		if n > 0 && !r.silent.Load() {
			if _, werr := client.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (r *relay) close() {
	r.ln.Close()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.conns {
		c.Close()
	}
}

// relayedSession starts a ZooKeeper server and opens a session to it through a
// relay, with the given session timeout; the server is there for the test's own
// sessions, which need no relay.
func relayedSession(t *testing.T, sessionTimeout time.Duration) (*zktest.Server, *relay, *Conn) {
	t.Helper()
	srv := zktest.Start(t)
	r := startRelay(t, srv.Addr())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := Dial(ctx, r.Addr()+"/kafka", sessionTimeout, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return srv, r, c
}
