// Package coordlogtest is an in-memory coordlog.Log for the coordinators' tests: the
// group and transaction coordinators write and replay through it as through the
// broker's partition logs.
package coordlogtest

import (
	"context"
	"encoding/binary"
	"sync"
)

// MemLog holds each partition's batches with their offsets stamped. Appends fail with
// the error SetAppendError gives, and wait while Hold holds them; Bounds fails with
// SetReadError's.
type MemLog struct {
	mu      sync.Mutex
	batches map[int32][][]byte
	next    map[int32]int64
	fail    error
	readErr error
	gate    chan struct{}
	waiting int
}

// New is an empty log.
func New() *MemLog {
	return &MemLog{batches: map[int32][][]byte{}, next: map[int32]int64{}}
}

// Append implements coordlog.Log.
func (l *MemLog) Append(_ context.Context, partition int32, batch []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if gate := l.gate; gate != nil {
		l.waiting++
		l.mu.Unlock()
		<-gate
		l.mu.Lock()
		l.waiting--
	}
	if l.fail != nil {
		return l.fail
	}
	b := append([]byte(nil), batch...)
	binary.BigEndian.PutUint64(b, uint64(l.next[partition]))
	l.next[partition] += int64(binary.BigEndian.Uint32(b[57:]))
	l.batches[partition] = append(l.batches[partition], b)
	return nil
}

// Read implements coordlog.Log.
func (l *MemLog) Read(partition int32, offset int64) ([]byte, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []byte
	for _, b := range l.batches[partition] {
		last := int64(binary.BigEndian.Uint64(b)) + int64(binary.BigEndian.Uint32(b[23:]))
		if last >= offset {
			out = append(out, b...)
		}
	}
	return out, nil
}

// Bounds implements coordlog.Log.
func (l *MemLog) Bounds(partition int32) (int64, int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return 0, l.next[partition], l.readErr
}

// SetAppendError makes appends fail with err (nil: succeed again).
func (l *MemLog) SetAppendError(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fail = err
}

// SetReadError makes Bounds fail with err (nil: succeed again).
func (l *MemLog) SetReadError(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.readErr = err
}

// Hold makes appends wait until the returned function is called.
func (l *MemLog) Hold() (release func()) {
	gate := make(chan struct{})
	l.mu.Lock()
	l.gate = gate
	l.mu.Unlock()
	return func() {
		l.mu.Lock()
		l.gate = nil
		l.mu.Unlock()
		close(gate)
	}
}

// WaitingAppends is how many appends Hold holds.
func (l *MemLog) WaitingAppends() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.waiting
}

// BatchCount is how many batches partition holds.
func (l *MemLog) BatchCount(partition int32) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.batches[partition])
}
