package kraftmode

import (
	"context"
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/sasl/plain"

	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/saslserver"
)

// TestStreamLayerSASL: on a SASL controller listener a Raft connection authenticates
// right after its magic byte and only then reaches Raft, its stream intact; wrong
// credentials fail the dial with SASL_AUTHENTICATION_FAILED, and a peer that sends no
// SASL exchange never reaches Raft.
func TestStreamLayerSASL(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	defer ln.Close()
	server := NewStreamLayer(ln.Addr(), StreamOptions{
		Mechanisms:     []saslserver.Mechanism{saslserver.Plain(map[string]string{"ctl": "ctl-secret"})},
		MaxRequestSize: 1 << 20,
		Logger:         testLogger(t),
	})
	defer server.Close()
	go handOffRaftConns(ln, server)
	addr := raft.ServerAddress(ln.Addr().String())
	dialer := func(user, pass string) *StreamLayer {
		return NewStreamLayer(ln.Addr(), StreamOptions{Client: kwire.Security{SASL: plain.Auth{User: user, Pass: pass}.AsMechanism()}})
	}

	out, err := dialer("ctl", "ctl-secret").Dial(addr, time.Second)
	if err != nil {
		t.Fatalf("dial with the right password: %v", err)
	}
	defer out.Close()
	in, err := server.Accept()
	if err != nil {
		t.Fatalf("accept: %v", err)
	}
	defer in.Close()
	if _, err := out.Write([]byte("raft")); err != nil {
		t.Fatalf("write: %v", err)
	}
	buf := make([]byte, 4)
	if _, err := in.Read(buf); err != nil || string(buf) != "raft" {
		t.Fatalf("read %q, %v", buf, err)
	}

	if _, err := dialer("ctl", "guess").Dial(addr, time.Second); !errors.Is(err, kerr.SaslAuthenticationFailed) {
		t.Errorf("dial with a wrong password: %v, want SASL_AUTHENTICATION_FAILED", err)
	}
	unauthenticated, err := NewStreamLayer(ln.Addr(), StreamOptions{}).Dial(addr, time.Second)
	if err != nil {
		t.Fatalf("dial without SASL: %v", err)
	}
	defer unauthenticated.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		if c, err := server.Accept(); err == nil {
			accepted <- c
		}
	}()
	unauthenticated.Write([]byte("raft stream without SASL"))
	unauthenticated.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := unauthenticated.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("a Raft stream that sent no SASL exchange: read %v, want the server to close it", err)
	}
	select {
	case c := <-accepted:
		c.Close()
		t.Error("a Raft connection that did not authenticate reached Raft")
	default:
	}
}

// TestStreamLayerSASLSessionExpires: a Raft stream cannot re-authenticate, so when the
// controller listener gives sessions a lifetime (connections.max.reauth.ms) the
// stream is closed once it ends, and the peer must dial and authenticate anew.
func TestStreamLayerSASLSessionExpires(t *testing.T) {
	a, b := net.Pipe()
	defer b.Close()
	server := NewStreamLayer(&net.TCPAddr{}, StreamOptions{
		Mechanisms:     []saslserver.Mechanism{saslserver.WithSessionLifetime(saslserver.Plain(map[string]string{"ctl": "ctl-secret"}), 300*time.Millisecond)},
		MaxRequestSize: 1 << 20,
		Logger:         testLogger(t),
	})
	defer server.Close()
	go server.HandOff(a, "")
	errc := make(chan error, 1)
	go func() {
		_, err := kwire.Authenticate(context.Background(), b, plain.Auth{User: "ctl", Pass: "ctl-secret"}.AsMechanism())
		errc <- err
	}()
	if err := <-errc; err != nil {
		t.Fatalf("authenticate: %v", err)
	}
	in, err := server.Accept()
	if err != nil {
		t.Fatalf("accept: %v", err)
	}
	start := time.Now()
	buf := make([]byte, 1)
	if _, err := in.Read(buf); err == nil {
		t.Fatal("read data that was never sent")
	}
	if waited := time.Since(start); waited < 200*time.Millisecond || waited > 5*time.Second {
		t.Errorf("the stream closed after %v, want about the 300 ms session", waited)
	}
}

// handOffRaftConns accepts ln's connections and hands those that start with the Raft
// magic byte to server, as the node's controller port does.
func handOffRaftConns(ln net.Listener, server *StreamLayer) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			first := make([]byte, 1)
			if _, err := conn.Read(first); err != nil || first[0] != RaftConnMagic {
				conn.Close()
				return
			}
			server.HandOff(conn, "")
		}()
	}
}
