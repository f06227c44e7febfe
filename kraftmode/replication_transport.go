package kraftmode

import (
	"io"
	"sync"
	"time"

	"github.com/hashicorp/raft"
)

// observingTransport is Raft's network transport with the leader's side of replication
// recorded in a quorumProgress. DescribeQuorum must report how far each voter has
// replicated, and hashicorp/raft keeps its followers' match indexes private; every
// response a follower sends passes through the transport, so that is where they are
// read.
//
// It embeds the *raft.NetworkTransport, so every optional interface Raft looks for on
// its transport (raft.WithClose for shutdown, raft.WithPreVote for pre-vote elections)
// stays available exactly as the network transport provides it.
type observingTransport struct {
	*raft.NetworkTransport
	// logs is the Raft log store; its last index is the leader's log end when a
	// response arrives, which decides whether the follower has caught up.
	logs     raft.LogStore
	progress *quorumProgress
}

var (
	_ raft.Transport   = (*observingTransport)(nil)
	_ raft.WithClose   = (*observingTransport)(nil)
	_ raft.WithPreVote = (*observingTransport)(nil)
)

func newObservingTransport(inner *raft.NetworkTransport, logs raft.LogStore) *observingTransport {
	return &observingTransport{NetworkTransport: inner, logs: logs, progress: newQuorumProgress(time.Now)}
}

// AppendEntries sends log entries or a heartbeat and records the follower's answer.
func (t *observingTransport) AppendEntries(id raft.ServerID, target raft.ServerAddress, args *raft.AppendEntriesRequest, resp *raft.AppendEntriesResponse) error {
	if err := t.NetworkTransport.AppendEntries(id, target, args, resp); err != nil {
		return err
	}
	t.appended(id, args, resp)
	return nil
}

// InstallSnapshot sends a snapshot; a follower that took it holds the log up to the
// snapshot's last index.
func (t *observingTransport) InstallSnapshot(id raft.ServerID, target raft.ServerAddress, args *raft.InstallSnapshotRequest, resp *raft.InstallSnapshotResponse, data io.Reader) error {
	if err := t.NetworkTransport.InstallSnapshot(id, target, args, resp, data); err != nil {
		return err
	}
	var match uint64
	if resp.Success {
		match = args.LastLogIndex
	}
	t.responded(id, args.Term, resp.Term, match)
	return nil
}

// AppendEntriesPipeline wraps the pipeline's responses rather than refusing to
// pipeline: pipelining is how Raft replicates once a follower is in sync, so refusing
// it would slow every metadata write down to one round trip per batch just to be
// observed. An error, raft.ErrPipelineReplicationNotSupported included, is returned as
// is, because Raft compares that one by identity.
func (t *observingTransport) AppendEntriesPipeline(id raft.ServerID, target raft.ServerAddress) (raft.AppendPipeline, error) {
	p, err := t.NetworkTransport.AppendEntriesPipeline(id, target)
	if err != nil {
		return nil, err
	}
	return newObservedPipeline(p, func(f raft.AppendFuture) { t.appended(id, f.Request(), f.Response()) }), nil
}

// appended records one AppendEntries response. A successful append proves the
// follower holds everything up to the request's last entry (or, with no entries, up to
// PrevLogEntry); a heartbeat carries no log position and proves only that the follower
// is there. resp.LastLog is not used: it is the follower's last index before the
// append, which may include entries of an older term the leader has not yet overwritten.
func (t *observingTransport) appended(id raft.ServerID, args *raft.AppendEntriesRequest, resp *raft.AppendEntriesResponse) {
	var match uint64
	if resp.Success {
		match = args.PrevLogEntry
		if n := len(args.Entries); n > 0 {
			match = args.Entries[n-1].Index
		}
	}
	t.responded(id, args.Term, resp.Term, match)
}

// responded records a response to a request of leader term term. A follower that
// answers with a newer term has not accepted this leader, so it has not fetched from it.
func (t *observingTransport) responded(id raft.ServerID, term, respTerm, match uint64) {
	if respTerm > term {
		return
	}
	// The log end is only for the caught-up rule; if the store cannot say (it is
	// closing), the rule is skipped for this response, as Kafka does without a leader
	// end offset, rather than failing an RPC Raft already saw succeed.
	leaderEnd := int64(-1)
	if last, err := t.logs.LastIndex(); err == nil {
		leaderEnd = int64(last)
	}
	t.progress.voterFetched(id, term, match, leaderEnd)
}

// observedPipeline hands each completed pipelined append to observe before Raft's
// pipeline decoder sees it, in order. The network pipeline delivers completed futures
// on a channel, so a goroutine sits between that channel and Consumer's.
type observedPipeline struct {
	raft.AppendPipeline
	done      chan raft.AppendFuture
	closed    chan struct{}
	closeOnce sync.Once
}

func newObservedPipeline(inner raft.AppendPipeline, observe func(raft.AppendFuture)) *observedPipeline {
	p := &observedPipeline{AppendPipeline: inner, done: make(chan raft.AppendFuture), closed: make(chan struct{})}
	go p.forward(observe)
	return p
}

func (p *observedPipeline) forward(observe func(raft.AppendFuture)) {
	in := p.AppendPipeline.Consumer()
	for {
		select {
		case f := <-in:
			// A future that failed has an empty response; Raft itself aborts the
			// pipeline on it, and there is nothing to record.
			if f.Error() == nil {
				observe(f)
			}
			select {
			case p.done <- f:
			case <-p.closed:
				return
			}
		case <-p.closed:
			return
		}
	}
}

// Consumer returns the completed appends, each already recorded.
func (p *observedPipeline) Consumer() <-chan raft.AppendFuture { return p.done }

// Close stops forwarding and closes the network pipeline.
func (p *observedPipeline) Close() error {
	p.closeOnce.Do(func() { close(p.closed) })
	return p.AppendPipeline.Close()
}
