package kraftmode

import (
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hashicorp/raft"

	"github.com/kbridge/kbridge/metrics"
)

// raftMetrics measures what Kafka's KafkaRaftMetrics does and hashicorp/raft does not
// keep: commit and election latencies and the rates of records appended as leader and
// replicated from the leader. The rest of raft-metrics is read from Raft when
// Prometheus scrapes (RaftStats).
type raftMetrics struct {
	commitLatency, electionLatency metrics.SampledStat
	appendRecords, fetchRecords    metrics.SampledStat
	// electionStart is when this node last became a candidate, in Unix nanoseconds,
	// until it learns who leads; 0 while no election of its own is under way.
	electionStart atomic.Int64
	// started is the Raft node once it runs, with the last index its log held then.
	started atomic.Pointer[startedRaft]
}

// startedRaft is a Raft node and its log end when it started: entries up to there were
// on this node's disk already, so applying them again is not fetching them.
type startedRaft struct {
	r        *raft.Raft
	localEnd uint64
}

// appended records a batch of n records this leader wrote and saw committed, begun at
// start. Kafka divides the commit latency of a batch by its record count
// (KafkaRaftClient.appendBatch), so the average is per record, and so is this one.
func (m *raftMetrics) appended(n int, start time.Time) {
	now := time.Now()
	m.appendRecords.Record(float64(n), now)
	m.commitLatency.Record(float64(now.Sub(start))/float64(time.Millisecond)/float64(n), now)
}

// applied is the FSM's hook for each batch of n records it applies: a batch that
// reached this node from the leader counts as fetched; one this node wrote as leader,
// or replayed from its own log at start, does not.
func (m *raftMetrics) applied(l *raft.Log, n int) {
	s := m.started.Load()
	if s == nil || l.Index <= s.localEnd {
		return
	}
	if s.r.State() == raft.Leader && l.Term == s.r.CurrentTerm() {
		return
	}
	m.fetchRecords.Record(float64(n), time.Now())
}

// observe turns Raft's state and leader observations into election latencies, as
// Kafka's does: timed from this node becoming a candidate until it knows a leader,
// itself or another.
func (m *raftMetrics) observe(o raft.Observation) {
	now := time.Now()
	switch d := o.Data.(type) {
	case raft.RaftState:
		if d == raft.Candidate {
			m.electionStart.CompareAndSwap(0, now.UnixNano())
		}
	case raft.LeaderObservation:
		if d.LeaderID == "" {
			return
		}
		if start := m.electionStart.Swap(0); start != 0 {
			m.electionLatency.Record(float64(now.UnixNano()-start)/float64(time.Millisecond), now)
		}
	}
}

// watchElections feeds Raft's observations to observe until the controller shuts
// down. Raft drops an observation rather than wait for a slow observer, so the channel
// has room for a burst of elections.
func (c *Controller) watchElections() {
	defer c.wg.Done()
	ch := make(chan raft.Observation, 16)
	obs := raft.NewObserver(ch, false, func(o *raft.Observation) bool {
		switch o.Data.(type) {
		case raft.RaftState, raft.LeaderObservation:
			return true
		}
		return false
	})
	c.raft.RegisterObserver(obs)
	defer c.raft.DeregisterObserver(obs)
	for {
		select {
		case <-c.shutdown:
			return
		case o := <-ch:
			c.raftMetrics.observe(o)
		}
	}
}

// RaftStats are this controller's kafka.server:type=raft-metrics values. Offsets are
// Raft indexes, as DescribeQuorum reports them: the high watermark is the commit index
// and the log end offset the last index, so `kbridge metadata-quorum describe` shows
// the same numbers.
func (c *Controller) RaftStats() metrics.RaftStats {
	now := time.Now()
	m := &c.raftMetrics
	term := c.raft.CurrentTerm()
	s := metrics.RaftStats{
		CurrentLeader:      c.LeaderID(),
		CurrentVote:        -1,
		CurrentEpoch:       int64(term),
		HighWatermark:      int64(c.raft.CommitIndex()),
		CommitLatencyAvg:   m.commitLatency.Avg(now),
		CommitLatencyMax:   m.commitLatency.Max(now),
		ElectionLatencyAvg: m.electionLatency.Avg(now),
		ElectionLatencyMax: m.electionLatency.Max(now),
		AppendRecordsRate:  m.appendRecords.Rate(now),
		FetchRecordsRate:   m.fetchRecords.Rate(now),
	}
	s.LogEndOffset, s.LogEndEpoch = c.logEnd()
	cf := c.raft.GetConfiguration()
	var servers []raft.Server
	if cf.Error() == nil {
		servers = cf.Configuration().Servers
	}
	for _, srv := range servers {
		if srv.Suffrage == raft.Voter && srv.Address == "" {
			s.NumberUnknownVoterConnections++
		}
	}
	switch c.raft.State() {
	case raft.Leader:
		s.CurrentState, s.CurrentVote = "leader", c.opts.NodeID
	case raft.Candidate:
		s.CurrentState, s.CurrentVote = "candidate", c.opts.NodeID
	case raft.Shutdown:
		s.CurrentState = "resigned"
	default:
		s.CurrentState = "follower"
		if s.CurrentLeader < 0 {
			s.CurrentState = "unattached"
			if vote, ok := c.votedFor(term, servers); ok {
				s.CurrentState, s.CurrentVote = "voted", vote
			}
		}
	}
	return s
}

// logEnd is the last index of this node's metadata log and the term of that entry,
// which may be the last one a snapshot covers.
func (c *Controller) logEnd() (int64, int64) {
	st := c.raft.Stats()
	index, term := parseUint(st["last_log_index"]), parseUint(st["last_log_term"])
	if snap := parseUint(st["last_snapshot_index"]); snap > index {
		index, term = snap, parseUint(st["last_snapshot_term"])
	}
	return int64(index), int64(term)
}

func parseUint(s string) uint64 {
	v, _ := strconv.ParseUint(s, 10, 64)
	return v
}

// Raft persists its vote in the stable store under these keys (hashicorp/raft's
// persistVote): the term and the candidate's advertised address.
var (
	lastVoteTermKey      = []byte("LastVoteTerm")
	lastVoteCandidateKey = []byte("LastVoteCand")
)

// votedFor is the node id this node voted for in term, read from where Raft persists
// its vote, and false when it has not voted in term or the candidate is not a voter
// of servers.
func (c *Controller) votedFor(term uint64, servers []raft.Server) (int32, bool) {
	voteTerm, err := c.store.GetUint64(lastVoteTermKey)
	if err != nil || voteTerm != term {
		return -1, false
	}
	addr, err := c.store.Get(lastVoteCandidateKey)
	if err != nil {
		return -1, false
	}
	for _, srv := range servers {
		if string(srv.Address) != string(addr) {
			continue
		}
		id, err := strconv.ParseInt(string(srv.ID), 10, 32)
		if err != nil {
			return -1, false
		}
		return int32(id), true
	}
	return -1, false
}
