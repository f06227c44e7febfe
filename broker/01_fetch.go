package broker

import (
	"errors"
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/broker/storage"
	"github.com/kbridge/kbridge/metadata"
)

// Fetch: v0-17
//
// Behavior:
// * Long polling: waits up to MaxWaitMillis until MinBytes are available.
// * KIP-74: MaxBytes and PartitionMaxBytes are honoured, but the first non-empty
//   partition always returns at least one whole batch so a large batch cannot stall a
//   consumer.
// * Fetch sessions (KIP-227) for followers (fetch_session.go). Consumers get session id
//   0, which tells them to keep sending full fetch requests.
// * Authorization: a replica fetch needs ClusterAction on the cluster, a consumer's
//   Read on each topic; refused partitions get TOPIC_AUTHORIZATION_FAILED (an unknown
//   topic too, so that no one learns which topics exist; an unknown topic id stays
//   UNKNOWN_TOPIC_ID, as its name is not known).
// * Consumers (replica id -1) read up to the high watermark; read_committed (v4+) up
//   to the last stable offset, with the aborted transactions among the returned
//   batches (from the .txnindex files) so the client drops their records. Every
//   partition answers its last stable offset.
// * Replica fetches (replica id >= 0) are served to the partition's replicas only, read
//   up to the log end offset, and tell the leader the follower's log end offset, which
//   moves the high watermark and the ISR. A replica fetch waits for appends, a
//   consumer's for the high watermark.
// * NOT_LEADER_OR_FOLLOWER and FENCED_LEADER_EPOCH carry the current leader (v12+) and
//   its endpoint (v16+), KIP-951.
// * LastFetchedEpoch (v12+) is not checked: followers here truncate with
//   OffsetForLeaderEpoch before they fetch, so no diverging epoch is ever answered.
// * v0-3 answer in Kafka's old message formats (magic 0 for v0-1, magic 1 for v2-3),
//   converted from the stored batches (downConvertFetch); zstd data, which those
//   formats cannot hold, answers UNSUPPORTED_COMPRESSION_TYPE.
// Version notes:
// * v1: throttle time
// * v2: message format v1 (timestamps)
// * v3: request-level MaxBytes (KIP-74)
// * v4: isolation level, last stable offset, aborted transactions; message format v2
// * v5: log start offset
// * v7: fetch sessions
// * v9: current leader epoch (fencing)
// * v11: rack id (accepted, follower fetching is not offered)
// * v12: flexible; current leader
// * v13: topic ids instead of names
// * v15: replica state (id and broker epoch) replaces replica id
// * v16: node endpoints
// * v17: replica directory id (KIP-853; accepted, JBOD directories are not assigned)

func init() { regKey(1, 0, 17, handleFetch) }

// maxFetchBuffer bounds the record buffer a fetching connection keeps.
const maxFetchBuffer = 64 << 20

func handleFetch(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.FetchRequest)
	replica := replicaFetch{id: req.ReplicaID, epoch: -1}
	if req.Version >= 15 {
		replica = replicaFetch{id: req.ReplicaState.ID, epoch: req.ReplicaState.Epoch}
	}
	auth := newFetchAuth(c, replica)
	if req.Version < 4 {
		resp := b.longPollFetch(req, c, fetchPass{replica: replica, bufs: &c.fetchBufs, auth: auth}).resp
		downConvertFetch(req, resp)
		return resp, nil
	}
	if replica.id < 0 || req.Version < 7 {
		return b.longPollFetch(req, c, fetchPass{replica: replica, bufs: &c.fetchBufs, auth: auth}).resp, nil
	}
	sess, full, code := b.sessions.open(req, replica.id, time.Now())
	if code != 0 {
		resp := req.ResponseKind().(*kmsg.FetchResponse)
		resp.ErrorCode = code
		return resp, nil
	}
	if sess == nil {
		return b.longPollFetch(req, c, fetchPass{replica: replica, bufs: &c.fetchBufs, auth: auth}).resp, nil
	}
	defer sess.release()
	var prev *fetchRead
	if !full && !sess.reshaped {
		prev = sess.last
	}
	read := b.longPollFetch(sess.fullRequest(req), c, fetchPass{replica: replica, last: prev, omitUnchanged: !full, bufs: &sess.bufs, auth: auth})
	sess.last, sess.reshaped = read, false
	return sess.trim(read.resp, full), nil
}

// fetchPass is how readFetch reads a request's partitions: for whom; whether this is the
// request's first read (which records a follower's positions); the read before it (of
// this request, or the session's previous fetch), whose unchanged answers it takes
// over; whether it may leave those out of its response, for an incremental session
// answer that would drop them anyway; and the buffers it reads with.
type fetchPass struct {
	replica       replicaFetch
	first         bool
	last          *fetchRead
	omitUnchanged bool
	bufs          *fetchBuffers
	auth          *fetchAuth
}

// fetchBuffers are what a session's (or a connection's) fetches reuse from one to the
// next: a follower's fetch round reads hundreds of partitions and parks on them, and a
// fresh slice for each read and each wait was most of what the broker allocated (issue
// 12: a garbage collection every quarter of a second under a steady acks=all load, each
// one a burst of slow acknowledgements). A read builds on the one before it and on no
// other, so two read buffers used in turn serve every read; a fetch waits once at a
// time, so one waits buffer serves every wait.
type fetchBuffers struct {
	reads [2][]partitionRead
	next  int
	waits []*Partition
}

// takeReads returns an empty buffer for n partition reads, never the one the previous
// read used.
func (fb *fetchBuffers) takeReads(n int) []partitionRead {
	i := fb.next
	fb.next ^= 1
	if cap(fb.reads[i]) < n {
		fb.reads[i] = make([]partitionRead, 0, n)
	}
	return fb.reads[i][:0]
}

// longPollFetch answers a fetch once it has MinBytes to return, a partition fails, or
// MaxWaitMillis has passed, and counts what it answers in BrokerTopicMetrics. pass.last
// is the session's previous fetch of the same partitions, whose quiet partitions need
// not be read again.
func (b *Broker) longPollFetch(req *kmsg.FetchRequest, c *clientConn, pass fetchPass) *fetchRead {
	read := b.waitFetch(req, c, pass)
	if metering {
		b.meterFetch(pass.replica, read)
	}
	return read
}

// meterFetch counts a fetch's answer: a follower's bytes as replication traffic, a
// consumer's bytes and partitions per topic (errors of topics it may not read or that
// do not exist are not counted, as Kafka counts only the partitions it reads).
func (b *Broker) meterFetch(replica replicaFetch, read *fetchRead) {
	m := &b.replicas.meters
	if replica.id >= 0 {
		m.replicationBytesOut.Add(uint64(read.size))
		return
	}
	i := 0
	for _, rt := range read.resp.Topics {
		for _, rp := range rt.Partitions {
			if i < len(read.parts) && read.parts[i].p != nil {
				m.fetched(read.parts[i].p.meter, len(rp.RecordBatches), rp.ErrorCode != 0 && rp.ErrorCode != kerr.NotLeaderForPartition.Code && rp.ErrorCode != kerr.OffsetOutOfRange.Code)
			}
			i++
		}
	}
}

// waitFetch reads the fetch's partitions until it may answer (longPollFetch).
func (b *Broker) waitFetch(req *kmsg.FetchRequest, c *clientConn, pass fetchPass) *fetchRead {
	replica := pass.replica
	deadline := time.Now().Add(time.Duration(req.MaxWaitMillis) * time.Millisecond)
	var waiter chan struct{}
	var timer *time.Timer
	pass.first = true
	for {
		read := b.readFetch(req, c, pass)
		if read.size >= int(req.MinBytes) || read.failed || !time.Now().Before(deadline) {
			return read
		}
		if waiter == nil {
			// Registered with the marks of the first read, the waiter is signalled for
			// every change after that read.
			beforePark()
			waiter = make(chan struct{}, 1)
			registered := pass.bufs.waits[:0]
			for _, r := range read.parts {
				if r.p != nil {
					r.p.addWaiter(waiter, replica.id >= 0, r.seen)
					registered = append(registered, r.p)
				}
			}
			pass.bufs.waits = registered
			defer removeWaiter(waiter, registered)
			timer = time.NewTimer(time.Until(deadline))
			defer timer.Stop()
			defer c.timing.addLongPoll(c.timing.now())
		}
		pass.last, pass.first = read, false
		select {
		case <-waiter:
		case <-timer.C:
		case <-b.stop:
			return read
		}
	}
}

// fetchRead is one read of a fetch request's partitions: the response, the bytes it
// returns, whether any partition had an error (which ends long polling, as in Kafka),
// and each requested partition in request order with its waitMark (p is nil where the
// partition could not be read).
type fetchRead struct {
	resp   *kmsg.FetchResponse
	size   int
	failed bool
	parts  []partitionRead
}

// readFetch builds one fetch response from the logs as they are now. Only the first
// read of a request records a follower's position, as Kafka does not update it again
// when it completes a delayed fetch. A read takes over last's answer for each partition
// read from the same offset that returned nothing and has not been signalled since: a
// woken fetch of many partitions reads only those that changed. On a first read (last
// is then the session's previous fetch) that holds only for quiet partitions, whose
// follower was in the ISR at the log end, so that recording its fetch again would
// change nothing.
func (b *Broker) readFetch(req *kmsg.FetchRequest, c *clientConn, pass fetchPass) *fetchRead {
	replica, first, last := pass.replica, pass.first, pass.last
	appends := replica.id >= 0
	now := time.Now()
	resp := req.ResponseKind().(*kmsg.FetchResponse)
	img := b.Image()
	maxBytes := int(req.MaxBytes)
	if req.Version < 3 || maxBytes <= 0 {
		maxBytes = int(^uint32(0) >> 1)
	}
	if c.fetchBuf == nil {
		c.fetchBuf = make([]byte, min(maxBytes, 1<<20))
	}
	scratch := c.fetchBuf[:cap(c.fetchBuf)]
	total := 0
	defer func() {
		// A connection's buffer grows to what its fetches return, so a consumer of
		// many partitions stops paying for fresh, page-faulting memory each time.
		if total > cap(c.fetchBuf) && total <= maxFetchBuffer {
			c.fetchBuf = make([]byte, total)
		}
	}()
	failed := false
	n := 0
	for _, rt := range req.Topics {
		n += len(rt.Partitions)
	}
	parts := pass.bufs.takeReads(n)
	names := make([]string, 0, len(req.Topics))
	resp.Topics = make([]kmsg.FetchResponseTopic, 0, len(req.Topics))
	for _, rt := range req.Topics {
		st := kmsg.NewFetchResponseTopic()
		st.Topic = rt.Topic
		st.TopicID = rt.TopicID
		if !pass.omitUnchanged {
			st.Partitions = make([]kmsg.FetchResponseTopicPartition, 0, len(rt.Partitions))
		}
		name, topicErr := resolveFetchTopic(img, req.Version, rt)
		if !errors.Is(topicErr, kerr.UnknownTopicID) {
			topicErr = pass.auth.check(img, name, topicErr)
		}
		for _, rp := range rt.Partitions {
			if last != nil {
				prev := last.parts[len(parts)]
				unchanged := prev.p != nil && prev.offset == rp.FetchOffset && !prev.p.signalledSince(prev.seen, appends)
				if first {
					// The follower must also hear of a high watermark that moved, and
					// its fetch is recorded now and then all the same, so that its last
					// caught-up time stays fresh for the ISR check.
					unchanged = unchanged && prev.quiet && !prev.p.signalledSince(prev.seen, false) &&
						now.Sub(prev.recorded) < min(quietRecordInterval, prev.p.lagTime/4)
				}
				if unchanged && prev.empty {
					parts = append(parts, prev)
					// An incremental answer leaves out what the session's previous answer
					// told. A read of this same fetch was never sent: its high
					// watermark may be news, which the session's trim decides.
					if !pass.omitUnchanged || !first {
						st.Partitions = append(st.Partitions, prev.answer)
					}
					continue
				}
			}
			sp := kmsg.NewFetchResponseTopicPartition()
			sp.Partition = rp.Partition
			sp.HighWatermark = -1
			sp.LastStableOffset = -1
			sp.LogStartOffset = -1
			sp.RecordBatches = []byte{}
			if topicErr != nil {
				sp.ErrorCode = errorCode(topicErr)
				failed = true
				parts = append(parts, partitionRead{})
				st.Partitions = append(st.Partitions, sp)
				continue
			}
			how := readRequest{
				replica: replica, first: first, atStart: total == 0, limit: min(int(rp.PartitionMaxBytes), maxBytes-total),
				committed: replica.id < 0 && req.Version >= 4 && req.IsolationLevel == isolationReadCommitted,
			}
			r, data, aborted, err := b.readPartition(img, name, rp, how, scratch)
			if len(data) <= len(scratch) && len(data) > 0 && &data[0] == &scratch[0] {
				scratch = scratch[len(data):]
			}
			r.empty = err == nil && len(data) == 0
			if first {
				r.recorded = now
			} else if last != nil {
				r.recorded = last.parts[len(parts)].recorded
			}
			parts = append(parts, r)
			if p := r.p; p != nil {
				sp.HighWatermark = p.HighWatermark()
				sp.LastStableOffset = p.log.LastStableOffset(sp.HighWatermark)
				sp.LogStartOffset = p.log.LogStartOffset()
			}
			for _, a := range aborted {
				sp.AbortedTransactions = append(sp.AbortedTransactions, kmsg.FetchResponseTopicPartitionAbortedTransaction{ProducerID: a.ProducerID, FirstOffset: a.FirstOffset})
			}
			if err != nil {
				sp.ErrorCode = errorCode(err)
				failed = true
			}
			if data == nil {
				data = []byte{} // an empty record set, not null: librdkafka rejects a -1 size
			}
			sp.RecordBatches = data
			total += len(data)
			st.Partitions = append(st.Partitions, sp)
			parts[len(parts)-1].answer = sp
		}
		resp.Topics = append(resp.Topics, st)
		names = append(names, name)
	}
	if failed && req.Version >= 12 {
		b.fillFetchLeaders(img, resp, names, c.listener)
	}
	return &fetchRead{resp: resp, size: total, failed: failed, parts: parts}
}

func resolveFetchTopic(img *metadata.Image, version int16, rt kmsg.FetchRequestTopic) (string, error) {
	if version >= 13 {
		t, ok := img.TopicsByID[metadata.Uuid(rt.TopicID)]
		if !ok {
			return "", kerr.UnknownTopicID
		}
		return t.Name, nil
	}
	if _, ok := img.Topics[rt.Topic]; !ok {
		return rt.Topic, kerr.UnknownTopicOrPartition
	}
	return rt.Topic, nil
}

// readRequest is how one partition of a fetch is read: for whom, whether this is the
// request's first read, whether nothing has been put in the response yet (so one whole
// batch is returned even beyond limit, KIP-74), the bytes left for it, and whether a
// consumer reads committed records only.
type readRequest struct {
	replica   replicaFetch
	first     bool
	atStart   bool
	limit     int
	committed bool
}

// isolationReadCommitted is the isolation level of a consumer that reads committed
// transactional records only (Fetch v4+, ListOffsets v2+); 0 is read_uncommitted.
const isolationReadCommitted = 1

// partitionRead is a partition a fetch read from offset, its waitMark from before the
// read, whether the read returned nothing and no error, for a follower whether it was
// quiet (in the ISR and at the log end) and when its fetch was last recorded, and the
// answer the read gave, which a later read that finds nothing changed gives again (an
// incremental response leaves partitions out, so the answer cannot be found by its
// place in the previous response).
type partitionRead struct {
	p        *Partition
	seen     waitMark
	offset   int64
	empty    bool
	quiet    bool
	recorded time.Time
	answer   kmsg.FetchResponseTopicPartition
}

// quietRecordInterval is the longest a session fetch goes without recording its
// follower's fetch of a quiet partition (at most a quarter of replica.lag.time.max.ms).
const quietRecordInterval = time.Second

// readPartition reads one partition for a consumer or a follower, with the aborted
// transactions among the batches for a read_committed consumer. Data is read into
// scratch when it fits.
func (b *Broker) readPartition(img *metadata.Image, topic string, rp kmsg.FetchRequestTopicPartition, r readRequest, scratch []byte) (partitionRead, []byte, []storage.AbortedTxn, error) {
	t := img.Topics[topic]
	if t.Partitions[rp.Partition] == nil {
		return partitionRead{}, nil, nil, kerr.UnknownTopicOrPartition
	}
	p, ok := b.replicas.Get(topic, rp.Partition)
	if !ok {
		return partitionRead{}, nil, nil, kerr.NotLeaderForPartition
	}
	p.leadership.RLock()
	defer p.leadership.RUnlock()
	st := p.state()
	read := partitionRead{p: p, seen: st.mark, offset: rp.FetchOffset}
	if st.leader != b.id {
		return read, nil, nil, kerr.NotLeaderForPartition
	}
	if rp.CurrentLeaderEpoch >= 0 {
		switch {
		case rp.CurrentLeaderEpoch < st.leaderEpoch:
			return read, nil, nil, kerr.FencedLeaderEpoch
		case rp.CurrentLeaderEpoch > st.leaderEpoch:
			return read, nil, nil, kerr.UnknownLeaderEpoch
		}
	}
	if r.replica.id >= 0 && !slices.Contains(st.replicas, r.replica.id) {
		// Kafka's followerReplicaOrThrow: with a leader epoch that matches, the sender
		// may be a replica this leader has not heard of yet (a reassignment), so it
		// should retry; without one nothing can be said.
		if rp.CurrentLeaderEpoch >= 0 {
			return read, nil, nil, kerr.UnknownLeaderEpoch
		}
		return read, nil, nil, kerr.NotLeaderForPartition
	}
	leo := p.log.LogEndOffset()
	if rp.FetchOffset > leo || rp.FetchOffset < p.log.LogStartOffset() {
		return read, nil, nil, kerr.OffsetOutOfRange
	}
	upTo := st.hw
	if r.committed {
		upTo = p.log.LastStableOffset(st.hw)
	}
	if r.replica.id >= 0 {
		upTo = leo
		if r.first {
			b.recordReplicaFetch(p, r.replica, rp)
		}
		read.quiet = rp.FetchOffset == leo && slices.Contains(st.isr, r.replica.id)
	}
	if rp.FetchOffset >= upTo || (r.limit <= 0 && !r.atStart) {
		return read, nil, nil, nil
	}
	var data []byte
	var aborted []storage.AbortedTxn
	var err error
	if r.committed {
		data, aborted, err = p.log.ReadCommitted(scratch, rp.FetchOffset, int32(max(r.limit, 1)), upTo)
	} else {
		data, err = p.log.ReadInto(scratch, rp.FetchOffset, int32(max(r.limit, 1)), upTo)
	}
	if errors.Is(err, storage.ErrOffsetOutOfRange) {
		return read, nil, nil, kerr.OffsetOutOfRange
	}
	if err != nil {
		return read, nil, nil, err
	}
	if !r.atStart && len(data) > r.limit {
		return read, nil, nil, nil
	}
	return read, data, aborted, nil
}

// recordReplicaFetch tells the leader's partition where a follower fetches from, and
// sends the ISR expansion that may follow.
func (b *Broker) recordReplicaFetch(p *Partition, r replicaFetch, rp kmsg.FetchRequestTopicPartition) {
	if prop := p.recordFollowerFetch(r, rp.FetchOffset, time.Now()); prop != nil {
		b.alterISRAsync([]isrRequest{{p, prop}})
	}
}
