package migrate

import (
	"maps"
	"sync"
	"time"
)

// The history the status page keeps: phase changes and ZooKeeper write lag samples,
// in memory, since the page's controller started watching. The driver keeps no
// timestamps of its own phases, and a controller that restarts or takes over starts a
// new history; the page says so.
const (
	// maxPhaseChanges bounds the phase changes kept; the oldest go first.
	maxPhaseChanges = 50
	// maxLagSamples bounds the lag samples kept: 15 minutes at one every 2 s.
	maxLagSamples = 450
)

// PhaseChange is a phase and sub-state first seen at At.
type PhaseChange struct {
	Phase, SubState string
	At              time.Time
}

// LagSample is the ZooKeeper write lag seen at At.
type LagSample struct {
	At      time.Time
	Offsets int64
	Ms      int64
}

// StatusHistory is what the status page has seen of the migration since Since.
type StatusHistory struct {
	Since time.Time
	// FirstSeen is when each phase was first seen.
	FirstSeen map[string]time.Time
	// Changes are the phase and sub-state changes, oldest first.
	Changes []PhaseChange
	// Lag are the lag samples taken while the migration dual-writes, oldest first.
	Lag []LagSample
}

// statusRecorder keeps a StatusHistory from the statuses it observes.
type statusRecorder struct {
	mu sync.Mutex
	h  StatusHistory
}

func newStatusRecorder(now time.Time) *statusRecorder {
	return &statusRecorder{h: StatusHistory{Since: now, FirstSeen: map[string]time.Time{}}}
}

// observe records s, seen at now: a phase or sub-state that differs from the last
// one seen, and the write lag while ZooKeeper is written (DUAL_WRITE and
// BROKERS_ON_KRAFT).
func (r *statusRecorder) observe(s Status, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.h.FirstSeen[s.Phase]; !ok {
		r.h.FirstSeen[s.Phase] = now
	}
	if n := len(r.h.Changes); n == 0 || r.h.Changes[n-1].Phase != s.Phase || r.h.Changes[n-1].SubState != s.SubState {
		r.h.Changes = appendBounded(r.h.Changes, PhaseChange{Phase: s.Phase, SubState: s.SubState, At: now}, maxPhaseChanges)
	}
	if s.Phase == PhaseDualWrite || s.Phase == PhaseBrokersOnKRaft {
		r.h.Lag = appendBounded(r.h.Lag, LagSample{At: now, Offsets: s.ZkWriteLagOffsets, Ms: s.ZkWriteLagMs}, maxLagSamples)
	}
}

// history is a copy of what was recorded.
func (r *statusRecorder) history() StatusHistory {
	r.mu.Lock()
	defer r.mu.Unlock()
	h := r.h
	h.FirstSeen = maps.Clone(r.h.FirstSeen)
	h.Changes = append([]PhaseChange(nil), r.h.Changes...)
	h.Lag = append([]LagSample(nil), r.h.Lag...)
	return h
}

// appendBounded appends v, dropping the oldest elements beyond limit.
func appendBounded[T any](s []T, v T, limit int) []T {
	s = append(s, v)
	if len(s) > limit {
		s = append(s[:0], s[len(s)-limit:]...)
	}
	return s
}
