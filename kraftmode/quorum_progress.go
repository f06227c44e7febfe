package kraftmode

import (
	"sort"
	"sync"
	"time"

	"github.com/hashicorp/raft"

	"github.com/kbridge/kbridge/metadata"
)

// observerTimeout is how long a broker may go without fetching the metadata log before
// DescribeQuorum stops listing it as an observer.
const observerTimeout = time.Minute

// replicaProgress is what the leader knows of one replica's copy of the metadata log
// during one leader term, as Kafka's LeaderState.ReplicaState keeps it. Offsets are Raft
// indexes, so logEndOffset is the last index the replica is known to hold.
type replicaProgress struct {
	term         uint64
	logEndOffset int64 // -1: unknown
	lastFetch    time.Time
	lastCaughtUp time.Time
	// lastFetchLeaderEnd is the leader's log end when the previous fetch arrived
	// (Kafka's lastFetchLeaderLogEndOffset); -1 when unknown.
	lastFetchLeaderEnd int64
}

func newReplicaProgress(term uint64) *replicaProgress {
	return &replicaProgress{term: term, logEndOffset: -1, lastFetchLeaderEnd: -1}
}

// fetched records one fetch (for a voter: one AppendEntries response) that arrived at
// now, after which the replica holds up to end; leaderEnd is the leader's log end at
// that moment, -1 if unknown. The caught-up rule is Kafka's updateFollowerState: a
// replica that reached the leader's end is caught up now, and one that reached the end
// the leader had at its previous fetch was caught up at that previous fetch, so a
// follower that keeps up with a busy leader is not reported as lagging forever.
func (p *replicaProgress) fetched(now time.Time, end, leaderEnd int64) {
	p.logEndOffset = end
	if leaderEnd >= 0 {
		switch {
		case p.logEndOffset >= leaderEnd:
			p.lastCaughtUp = later(p.lastCaughtUp, now)
		case p.lastFetchLeaderEnd >= 0 && p.logEndOffset >= p.lastFetchLeaderEnd:
			p.lastCaughtUp = later(p.lastCaughtUp, p.lastFetch)
		}
		p.lastFetchLeaderEnd = leaderEnd
	}
	p.lastFetch = later(p.lastFetch, now)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// replica is p in DescribeQuorum's terms: Unix milliseconds, -1 when unknown.
func (p *replicaProgress) replica(id int32) metadata.QuorumReplica {
	return metadata.QuorumReplica{
		ID:                    id,
		LogEndOffset:          p.logEndOffset,
		LastFetchTimestamp:    unixMilliOrUnknown(p.lastFetch),
		LastCaughtUpTimestamp: unixMilliOrUnknown(p.lastCaughtUp),
	}
}

func unixMilliOrUnknown(t time.Time) int64 {
	if t.IsZero() {
		return -1
	}
	return t.UnixMilli()
}

// quorumProgress is the leader's view of every replica of the metadata log: voters as
// the Raft transport sees their AppendEntries responses, observers (brokers) as the
// metadata fetch handler reports their fetches. Each entry belongs to the leader term it
// was learned in and is forgotten when a newer term reports, because a new leader
// starts from nothing, as Kafka's LeaderState does.
type quorumProgress struct {
	now func() time.Time

	mu        sync.Mutex
	voters    map[raft.ServerID]*replicaProgress
	observers map[int32]*replicaProgress
}

func newQuorumProgress(now func() time.Time) *quorumProgress {
	return &quorumProgress{
		now:       now,
		voters:    make(map[raft.ServerID]*replicaProgress),
		observers: make(map[int32]*replicaProgress),
	}
}

// entry returns key's progress for term, starting afresh when term is newer than what
// is stored, and nil when term is older: a late response from an earlier leadership
// says nothing about this one.
func entry[K comparable](m map[K]*replicaProgress, key K, term uint64) *replicaProgress {
	p, ok := m[key]
	switch {
	case !ok || p.term < term:
		p = newReplicaProgress(term)
		m[key] = p
	case p.term > term:
		return nil
	}
	return p
}

// voterFetched records a response from voter id to a request of leader term term.
// match is the last index the response proves the voter holds, 0 when it proves nothing
// (a heartbeat, or a rejected append). A voter's log end never moves back within a
// term, so a response that proves less than is known (an older append answered late)
// keeps what is known.
func (q *quorumProgress) voterFetched(id raft.ServerID, term, match uint64, leaderEnd int64) {
	now := q.now()
	q.mu.Lock()
	defer q.mu.Unlock()
	p := entry(q.voters, id, term)
	if p == nil {
		return
	}
	end := p.logEndOffset
	if match > 0 {
		end = max(end, int64(match))
	}
	p.fetched(now, end, leaderEnd)
}

// observerFetched records a fetch by broker id during leader term term; end is the last
// index the broker holds. Unlike a voter's, it is taken as it comes: a broker that
// restarted without its copy of the log fetches from the start again.
func (q *quorumProgress) observerFetched(id int32, term uint64, end, leaderEnd int64) {
	now := q.now()
	q.mu.Lock()
	defer q.mu.Unlock()
	if p := entry(q.observers, id, term); p != nil {
		p.fetched(now, end, leaderEnd)
	}
}

// voter is voter id's progress in term, with -1s when nothing is known yet.
func (q *quorumProgress) voter(id raft.ServerID, nodeID int32, term uint64) metadata.QuorumReplica {
	q.mu.Lock()
	defer q.mu.Unlock()
	if p, ok := q.voters[id]; ok && p.term == term {
		return p.replica(nodeID)
	}
	return newReplicaProgress(term).replica(nodeID)
}

// observersIn lists the brokers that fetched during term within observerTimeout, by
// id, leaving out voters: in combined mode a node's broker reads the log its own voter
// holds, and Kafka lists such a node once, as a voter. Silent brokers are forgotten.
func (q *quorumProgress) observersIn(term uint64, voters map[int32]bool) []metadata.QuorumReplica {
	now := q.now()
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []metadata.QuorumReplica
	for id, p := range q.observers {
		if p.term < term || now.Sub(p.lastFetch) > observerTimeout {
			delete(q.observers, id)
			continue
		}
		if p.term == term && !voters[id] {
			out = append(out, p.replica(id))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
