package kwire

import (
	"net"
	"sync"
)

// ConnSet is a server's open connections: Close closes every one and waits until
// each connection's goroutine, and so its request in flight, has returned, so a
// server that closed no longer runs any handler.
type ConnSet struct {
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// Go serves conn with serve in a goroutine and closes conn when serve returns. After
// Close it closes conn at once and returns false.
func (s *ConnSet) Go(conn net.Conn, serve func()) bool {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		conn.Close()
		return false
	}
	if s.conns == nil {
		s.conns = map[net.Conn]struct{}{}
	}
	s.conns[conn] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		defer func() {
			s.mu.Lock()
			delete(s.conns, conn)
			s.mu.Unlock()
			conn.Close()
		}()
		serve()
	}()
	return true
}

// Close closes every connection and waits for their goroutines.
func (s *ConnSet) Close() {
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}
