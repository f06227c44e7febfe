package zkmode

import (
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// TestHandshakeConnBoundsOnlyTheHandshake: a server that takes the session handshake
// and never answers fails the read within the limit, whatever deadline the client set
// (go-zookeeper sets minutes, then none); once the ConnectResponse has been read,
// reads wait as long as the client asks.
func TestHandshakeConnBoundsOnlyTheHandshake(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 2)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	const limit = 200 * time.Millisecond
	dial := handshakeDialer(limit)

	silent, err := dial("tcp", ln.Addr().String(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	defer (<-accepted).Close()
	silent.SetReadDeadline(time.Time{})
	start := time.Now()
	_, err = io.ReadFull(silent, make([]byte, 4))
	if !errors.Is(err, os.ErrDeadlineExceeded) || time.Since(start) > 5*limit {
		t.Fatalf("unanswered handshake: %v after %v, want a deadline error within %v", err, time.Since(start), limit)
	}

	answered, err := dial("tcp", ln.Addr().String(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer answered.Close()
	server := <-accepted
	defer server.Close()
	server.Write([]byte{0, 0, 0, 3, 'a', 'b', 'c'}) // a ConnectResponse of 3 bytes
	buf := make([]byte, 7)
	answered.SetReadDeadline(time.Now().Add(time.Minute))
	if _, err := io.ReadFull(answered, buf[:4]); err != nil {
		t.Fatal(err)
	}
	answered.SetReadDeadline(time.Time{})
	if _, err := io.ReadFull(answered, buf[4:]); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(3 * limit)
		server.Write([]byte("ping"))
	}()
	answered.SetReadDeadline(time.Now().Add(time.Minute))
	if _, err := io.ReadFull(answered, buf[:4]); err != nil || string(buf[:4]) != "ping" {
		t.Fatalf("after the handshake a read was cut short: %q %v", buf[:4], err)
	}
}
