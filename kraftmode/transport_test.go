package kraftmode

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

func TestStreamLayerDialAnnouncesRaft(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	defer ln.Close()
	s := NewStreamLayer(ln.Addr(), StreamOptions{})
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		first := make([]byte, 1)
		if _, err := conn.Read(first); err != nil || first[0] != RaftConnMagic {
			conn.Close()
			return
		}
		s.HandOff(conn, "")
	}()
	out, err := s.Dial(raft.ServerAddress(ln.Addr().String()), time.Second)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer out.Close()
	in, err := s.Accept()
	if err != nil {
		t.Fatalf("accept: %v", err)
	}
	defer in.Close()
	if _, err := out.Write([]byte("x")); err != nil {
		t.Fatalf("write: %v", err)
	}
	buf := make([]byte, 1)
	if _, err := in.Read(buf); err != nil || buf[0] != 'x' {
		t.Fatalf("read %q, %v", buf, err)
	}

	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if _, err := s.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("accept after close: %v, want net.ErrClosed", err)
	}
	a, b := net.Pipe()
	defer b.Close()
	s.HandOff(a, "") // must not block after Close; it closes the connection instead
	if _, err := b.Write([]byte("x")); err == nil {
		t.Fatalf("handed-off connection after close is still open")
	}
}
