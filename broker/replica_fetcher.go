package broker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/broker/storage"
	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/metadata"
)

// replicaFetchResponseMaxBytes is Kafka's replica.fetch.response.max.bytes default: the
// most one fetch response may carry across partitions.
const replicaFetchResponseMaxBytes = 10 << 20

// replicaSocketTimeout is Kafka's replica.socket.timeout.ms default: how long a request
// to the leader may take beyond replica.fetch.wait.max.ms before it is given up.
const replicaSocketTimeout = 30 * time.Second

// fetchStage is where a followed partition is in Kafka's fetcher state machine.
type fetchStage int

const (
	// stageTruncating: ask the leader where our logs diverge (OffsetForLeaderEpoch)
	// and truncate there before fetching, as every new leader epoch requires (KIP-101).
	stageTruncating fetchStage = iota
	// stageOutOfRange: the leader answered OFFSET_OUT_OF_RANGE; ask for its log bounds.
	stageOutOfRange
	// stageFetching: fetch from the log end offset.
	stageFetching
)

// fetchPartition is one partition a fetcher follows, in one leader epoch.
type fetchPartition struct {
	p           *Partition
	leaderEpoch int32
	stage       fetchStage
	fetchOffset int64
	retryAt     time.Time // backing off until then after an error
	// fenced: the leader is in a newer epoch than the image this broker acts on; only a
	// newer image (which replaces this fetchPartition) can move it on.
	fenced bool
}

// fullLookInterval bounds how long a steady fetcher goes without looking at every
// partition: a follower's log start offset moved by its own retention reaches the
// leader within it.
const fullLookInterval = time.Second

// replicaFetcher fetches, in one goroutine, every partition this broker follows whose
// leader is one broker, from that broker's inter-broker listener (Kafka's
// ReplicaFetcherThread). It talks to the leader with kwire, as any Kafka client would.
//
// mu is held while the partition set changes and while an answer is applied to the
// logs, never across a request: removing a partition therefore waits for an append in
// progress, and an answer to a request sent for a partition state that has changed
// since is dropped.
type replicaFetcher struct {
	m      *fetcherManager
	leader int32
	addr   string
	client *kwire.Client
	ctx    context.Context
	cancel context.CancelFunc
	wake   chan struct{}
	done   chan struct{}
	log    *slog.Logger

	mu    sync.Mutex
	parts map[topicPartition]*fetchPartition
	names map[metadata.Uuid]string // topic names by id, for answers that carry only ids
	// session is the fetch session (KIP-227) the leader keeps for this fetcher; its id
	// is 0 until the leader grants one.
	session fetcherSession
	// steady: at the last look at every partition (lookedAt), all were fetching, due
	// and in the session, and nothing has changed a partition's stage, backoff or
	// membership since. A steady fetcher builds its next fetch from changed alone (the
	// partitions whose fetch offset or log start an answer moved), so a round costs
	// what changed, not what is followed.
	steady       bool
	lookedAt     time.Time
	lookInterval time.Duration // fullLookInterval; tests lengthen it
	changed      []*fetchPartition
}

// fetcherSession is the follower's side of a fetch session: its id and the epoch of the
// next fetch, and the partitions as the leader's session has them.
type fetcherSession struct {
	id    int32
	epoch int32
	parts map[topicPartition]sessionEntry
}

// sessionEntry is what a fetch told the leader of one partition.
type sessionEntry struct {
	topicID     [16]byte
	offset      int64
	leaderEpoch int32
	logStart    int64
}

func newReplicaFetcher(m *fetcherManager, leader int32, addr string) *replicaFetcher {
	ctx, cancel := context.WithCancel(context.Background())
	return &replicaFetcher{
		m:      m,
		leader: leader,
		addr:   addr,
		client: kwire.NewClientWith(addr, fmt.Sprintf("broker-%d-fetcher-0", m.id), m.dial),
		ctx:    ctx,
		cancel: cancel,
		wake:   make(chan struct{}, 1),
		done:   make(chan struct{}),
		log:    m.log.With("fetcher_leader", leader, "leader_addr", addr),
		parts:  make(map[topicPartition]*fetchPartition),
		names:  make(map[metadata.Uuid]string),

		lookInterval: fullLookInterval,
	}
}

// add starts following p in leaderEpoch, from truncation; the same epoch again changes
// nothing.
func (f *replicaFetcher) add(p *Partition, leaderEpoch int32) {
	f.mu.Lock()
	if fp := f.parts[p.tp]; fp != nil && fp.leaderEpoch == leaderEpoch {
		f.mu.Unlock()
		return
	}
	f.parts[p.tp] = &fetchPartition{p: p, leaderEpoch: leaderEpoch, stage: stageTruncating}
	f.names[p.topicID] = p.tp.topic
	f.steady = false
	f.mu.Unlock()
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// remove stops following tp and returns how many partitions are left.
func (f *replicaFetcher) remove(tp topicPartition) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.parts, tp)
	f.steady = false
	return len(f.parts)
}

// stop ends the fetcher: its partitions are released at once (no answer is applied
// after stop returns) and the goroutine exits when its request is cancelled.
func (f *replicaFetcher) stop() map[topicPartition]*fetchPartition {
	f.mu.Lock()
	parts := f.parts
	f.parts = make(map[topicPartition]*fetchPartition)
	f.steady = false
	f.mu.Unlock()
	f.cancel()
	return parts
}

func (f *replicaFetcher) run() {
	defer close(f.done)
	defer f.client.Close()
	f.log.Info("replica fetcher started")
	defer f.log.Info("replica fetcher stopped")
	for f.ctx.Err() == nil {
		now := time.Now()
		f.truncate(now)
		f.resolveOutOfRange(now)
		if !f.fetchOnce(now) {
			f.idle()
		}
	}
}

// idle waits until a partition's backoff ends, a partition is added, or the fetcher
// stops. A partition that is due (a truncation that needs another round) ends it at once.
func (f *replicaFetcher) idle() {
	f.mu.Lock()
	var next time.Time
	pending := false
	for _, fp := range f.parts {
		if !fp.fenced && (!pending || fp.retryAt.Before(next)) {
			next, pending = fp.retryAt, true
		}
	}
	f.mu.Unlock()
	var timer <-chan time.Time
	if pending {
		t := time.NewTimer(time.Until(next))
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-f.ctx.Done():
	case <-f.wake:
	case <-timer:
	}
}

// dueLocked lists the partitions in stage whose backoff has passed.
func (f *replicaFetcher) dueLocked(stage fetchStage, now time.Time) []*fetchPartition {
	var out []*fetchPartition
	for _, fp := range f.parts {
		if fp.stage == stage && !fp.fenced && !now.Before(fp.retryAt) {
			out = append(out, fp)
		}
	}
	return out
}

// currentLocked reports whether fp is still the fetcher's state for its partition, in
// stage: an answer to a request made for anything else is stale.
func (f *replicaFetcher) currentLocked(fp *fetchPartition, stage fetchStage) bool {
	return f.parts[fp.p.tp] == fp && fp.stage == stage && !fp.fenced
}

// request sends req to the leader, bounded by the replica socket timeout.
func (f *replicaFetcher) request(req kmsg.Request, wait time.Duration) (kmsg.Response, error) {
	ctx, cancel := context.WithTimeout(f.ctx, wait+replicaSocketTimeout)
	defer cancel()
	return f.client.Request(ctx, req)
}

func (f *replicaFetcher) backoff() time.Duration {
	return time.Duration(f.m.cfg.ReplicaFetchBackoffMs) * time.Millisecond
}

// fetchOnce sends one fetch for the partitions ready to fetch and applies the answer.
// It reports false when no partition was ready.
func (f *replicaFetcher) fetchOnce(now time.Time) bool {
	f.mu.Lock()
	req := f.buildFetchLocked(now)
	f.mu.Unlock()
	if req == nil {
		return false
	}
	kresp, err := f.request(req, time.Duration(req.MaxWaitMillis)*time.Millisecond)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err != nil {
		if f.ctx.Err() == nil {
			f.log.Warn("fetch from leader failed", "err", err)
		}
		f.backoffLocked(time.Now())
		f.session = fetcherSession{}
		return true
	}
	resp := kresp.(*kmsg.FetchResponse)
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		if errors.Is(err, kerr.FetchSessionIDNotFound) || errors.Is(err, kerr.InvalidFetchSessionEpoch) || errors.Is(err, kerr.FetchSessionTopicIDError) {
			f.log.Info("leader dropped the fetch session; starting a new one", "err", err)
		} else {
			f.log.Warn("fetch from leader failed", "err", err)
			f.backoffLocked(time.Now())
		}
		f.session = fetcherSession{}
		return true
	}
	f.applyFetchLocked(resp)
	f.session.answered(req, resp)
	return true
}

// answered moves the session on once the leader answered req: the session it granted
// or kept, or none. parts already holds what req told it (buildFetchLocked); a fetch
// that fails resets the session instead.
func (s *fetcherSession) answered(req *kmsg.FetchRequest, resp *kmsg.FetchResponse) {
	switch {
	case resp.SessionID == 0:
		*s = fetcherSession{}
	case req.SessionEpoch == 0:
		s.id, s.epoch = resp.SessionID, 1
	default:
		s.epoch = nextSessionEpoch(s.epoch)
	}
}

// buildFetchLocked builds a replica fetch (Kafka's ReplicaFetcherThread.buildFetch):
// the replica id and broker epoch identify the follower, each partition asks from its
// log end offset in the leader epoch it knows. Map order varies, so no partition is
// always last in line for replica.fetch.response.max.bytes. Within a session only the
// partitions whose fetch changed are sent, and those no longer fetched are forgotten;
// the session's parts become what the leader's session holds once it has read req, and
// so what the answer is for. A steady fetcher looks only at the changed partitions.
func (f *replicaFetcher) buildFetchLocked(now time.Time) *kmsg.FetchRequest {
	var fps []*fetchPartition
	look := !f.steady || f.session.id == 0 || now.Sub(f.lookedAt) >= f.lookInterval
	if look {
		fps = f.dueLocked(stageFetching, now)
		if len(fps) == 0 {
			f.steady = false
			return nil
		}
		f.steady = len(fps) == len(f.parts)
		f.lookedAt = now
	} else {
		fps = f.changed
	}
	defer func() { f.changed = f.changed[:0] }()
	cfg := f.m.cfg
	req := kmsg.NewPtrFetchRequest()
	req.ReplicaID = f.m.id
	req.ReplicaState.ID = f.m.id
	req.ReplicaState.Epoch = f.m.brokerEpoch()
	req.MaxWaitMillis = cfg.ReplicaFetchWaitMaxMs
	req.MinBytes = cfg.ReplicaFetchMinBytes
	req.MaxBytes = replicaFetchResponseMaxBytes
	req.SessionID, req.SessionEpoch = f.session.id, f.session.epoch
	incremental := f.session.id != 0
	if !incremental {
		f.session.parts = make(map[topicPartition]sessionEntry, len(fps))
	}
	topics := make(map[string]int)
	for _, fp := range fps {
		tp := fp.p.tp
		entry := sessionEntry{topicID: fp.p.topicID, offset: fp.fetchOffset, leaderEpoch: fp.leaderEpoch, logStart: fp.p.log.LogStartOffset()}
		if told, ok := f.session.parts[tp]; incremental && ok && told == entry {
			continue
		}
		f.session.parts[tp] = entry
		i, ok := topics[tp.topic]
		if !ok {
			rt := kmsg.NewFetchRequestTopic()
			rt.Topic, rt.TopicID = tp.topic, fp.p.topicID
			req.Topics = append(req.Topics, rt)
			i = len(req.Topics) - 1
			topics[tp.topic] = i
		}
		rp := kmsg.NewFetchRequestTopicPartition()
		rp.Partition = tp.partition
		rp.CurrentLeaderEpoch = fp.leaderEpoch
		rp.FetchOffset = fp.fetchOffset
		rp.LastFetchedEpoch = -1
		rp.LogStartOffset = entry.logStart
		rp.PartitionMaxBytes = cfg.ReplicaFetchMaxBytes
		req.Topics[i].Partitions = append(req.Topics[i].Partitions, rp)
	}
	if incremental && look {
		forgotten := make(map[string]int)
		asked := make(map[topicPartition]bool, len(fps))
		for _, fp := range fps {
			asked[fp.p.tp] = true
		}
		for tp, entry := range f.session.parts {
			if asked[tp] {
				continue
			}
			delete(f.session.parts, tp)
			i, ok := forgotten[tp.topic]
			if !ok {
				ft := kmsg.NewFetchRequestForgottenTopic()
				ft.Topic, ft.TopicID = tp.topic, entry.topicID
				req.ForgottenTopics = append(req.ForgottenTopics, ft)
				i = len(req.ForgottenTopics) - 1
				forgotten[tp.topic] = i
			}
			req.ForgottenTopics[i].Partitions = append(req.ForgottenTopics[i].Partitions, tp.partition)
		}
	}
	return req
}

// backoffLocked holds back the partitions the failed fetch asked for: those of its
// session view, before the session is reset.
func (f *replicaFetcher) backoffLocked(now time.Time) {
	for tp := range f.session.parts {
		if fp := f.parts[tp]; fp != nil {
			fp.retryAt = now.Add(f.backoff())
		}
	}
	f.steady = false
}

// applyFetchLocked applies a fetch response to the partitions still in the state the
// request was built from: fetching, in the epoch and from the offset the session view
// says it asked.
func (f *replicaFetcher) applyFetchLocked(resp *kmsg.FetchResponse) {
	now := time.Now()
	for _, rt := range resp.Topics {
		name := rt.Topic
		if resp.Version >= 13 {
			name = f.names[metadata.Uuid(rt.TopicID)]
		}
		for i := range rt.Partitions {
			sp := &rt.Partitions[i]
			tp := topicPartition{name, sp.Partition}
			fp, ok := f.parts[tp]
			asked, inSession := f.session.parts[tp]
			if !ok || !inSession || !f.currentLocked(fp, stageFetching) || fp.fetchOffset != asked.offset || fp.leaderEpoch != asked.leaderEpoch {
				continue
			}
			f.applyPartitionLocked(fp, sp, now)
		}
	}
}

// applyPartitionLocked is Kafka's processPartitionData and its error handling: records
// go to the log with the leader's offsets, epochs and producer state, the high
// watermark and log start offset follow the leader's.
func (f *replicaFetcher) applyPartitionLocked(fp *fetchPartition, sp *kmsg.FetchResponseTopicPartition, now time.Time) {
	err := kerr.ErrorForCode(sp.ErrorCode)
	switch {
	case err == nil:
		if len(sp.RecordBatches) > 0 {
			if metering {
				fp.p.meters.replicationBytesIn.Add(uint64(len(sp.RecordBatches)))
			}
			if err := fp.p.log.AppendAsFollower(sp.RecordBatches); err != nil {
				f.appendFailedLocked(fp, err, now)
				return
			}
		}
		fp.fetchOffset = fp.p.log.LogEndOffset()
		fp.p.updateFollowerHW(sp.HighWatermark)
		if err := fp.p.followLogStart(sp.LogStartOffset); err != nil {
			f.log.Warn("cannot follow the leader's log start offset", "topic", fp.p.tp.topic,
				"partition", fp.p.tp.partition, "log_start_offset", sp.LogStartOffset, "err", err)
		}
		f.changed = append(f.changed, fp)
	case errors.Is(err, kerr.OffsetOutOfRange):
		fp.stage = stageOutOfRange
		f.steady = false
	default:
		f.partitionErrorLocked(fp, "fetch", err, now)
	}
}

// appendFailedLocked handles a fetched batch the log refused. Batches that do not
// continue the log mean the logs diverge: truncate again. Anything else (a corrupt
// batch) is retried after the backoff.
func (f *replicaFetcher) appendFailedLocked(fp *fetchPartition, err error, now time.Time) {
	tp := fp.p.tp
	if errors.Is(err, storage.ErrOffsetsOutOfOrder) {
		f.log.Warn("fetched batches do not continue the log; truncating again", "topic", tp.topic, "partition", tp.partition, "err", err)
		fp.stage = stageTruncating
		f.steady = false
		return
	}
	f.log.Error("append as follower", "topic", tp.topic, "partition", tp.partition, "err", err)
	fp.retryAt = now.Add(f.backoff())
	f.steady = false
}

// partitionErrorLocked handles an error the leader answered for one partition.
// FENCED_LEADER_EPOCH: the leader is in a newer epoch than our image, so wait for the
// image. NOT_LEADER_OR_FOLLOWER and UNKNOWN_LEADER_EPOCH: the leader has not yet applied
// the image we act on, so retry after replica.fetch.backoff.ms; so for anything else.
func (f *replicaFetcher) partitionErrorLocked(fp *fetchPartition, what string, err error, now time.Time) {
	tp := fp.p.tp
	if errors.Is(err, kerr.FencedLeaderEpoch) {
		f.log.Info("leader is in a newer epoch; waiting for the metadata that says so", "request", what,
			"topic", tp.topic, "partition", tp.partition, "leader_epoch", fp.leaderEpoch)
		fp.fenced = true
		f.steady = false
		return
	}
	level := slog.LevelWarn
	if errors.Is(err, kerr.NotLeaderForPartition) || errors.Is(err, kerr.UnknownLeaderEpoch) {
		level = slog.LevelInfo
	}
	f.log.Log(context.Background(), level, "leader refused a partition; backing off", "request", what,
		"topic", tp.topic, "partition", tp.partition, "leader_epoch", fp.leaderEpoch, "err", err)
	fp.retryAt = now.Add(f.backoff())
	f.steady = false
}
