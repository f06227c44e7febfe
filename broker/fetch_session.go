package broker

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Fetch sessions (KIP-227), for followers only. A follower's first fetch (session id 0,
// epoch 0) opens a session holding its partitions and their fetch positions; each later
// fetch (the session's id and next epoch) names only the partitions whose position
// changed and those to forget, and is answered with only the partitions that have
// records, an error, or a high watermark or log start offset the follower has not been
// told. A fetch round of a thousand partitions thus no longer encodes, sends and decodes
// all of them twice (issue 12: that was most of a round, and a round is what an acks=all
// produce waits for). Consumers are answered with session id 0, which KIP-227 lets a
// broker do and which tells them to keep sending full fetches.

// fetchSessions is the leader's session cache, bounded by
// max.incremental.fetch.session.cache.slots; the least recently used session makes room.
type fetchSessions struct {
	mu       sync.Mutex
	slots    int
	sessions map[int32]*fetchSession
}

func newFetchSessions(slots int32) *fetchSessions {
	return &fetchSessions{slots: int(slots), sessions: make(map[int32]*fetchSession)}
}

// fetchSession is one follower's session: its partitions in the order they were added.
// A fetch holds mu from open to release, so a session serves one fetch at a time.
type fetchSession struct {
	id      int32
	replica int32
	usesIDs bool         // opened by Fetch v13+, so partitions are named by topic id
	used    atomic.Int64 // unix nanoseconds of the last fetch, for eviction

	mu    sync.Mutex
	epoch int32 // the epoch the next fetch must carry
	parts []*sessionPartition
	index map[sessionKey]int
	// last is the previous fetch's read of parts; reshaped says parts were added or
	// removed since, so last no longer lines up with them.
	last     *fetchRead
	reshaped bool
	bufs     fetchBuffers
	// topics is parts as a fetch's topics, kept from one fetch to the next while the
	// session keeps its shape; at[i] is where parts[i] stands in it.
	topics []kmsg.FetchRequestTopic
	at     []topicSlot
}

// topicSlot is a partition's place in a fetch's topics.
type topicSlot struct{ topic, partition int }

// sessionKey names a partition the way the session's fetches do: by topic id from
// Fetch v13, by name before.
type sessionKey struct {
	topic     string
	topicID   [16]byte
	partition int32
}

// sessionPartition is what the session remembers of one partition: the follower's last
// fetch parameters, and the high watermark and log start offset it was last told.
type sessionPartition struct {
	key       sessionKey
	topic     string
	topicID   [16]byte
	fetch     kmsg.FetchRequestTopicPartition
	toldHW    int64
	toldStart int64
}

func (sess *fetchSession) keyOf(topic string, topicID [16]byte, partition int32) sessionKey {
	if sess.usesIDs {
		return sessionKey{topicID: topicID, partition: partition}
	}
	return sessionKey{topic: topic, partition: partition}
}

// open resolves a follower's fetch against the cache (Kafka's FetchSessionCache and
// FetchManager.newContext). It returns the session the fetch uses, locked until
// release, or none; whether the answer must hold every partition; and a top-level
// error code that tells the follower to start a new session.
func (s *fetchSessions) open(req *kmsg.FetchRequest, replica int32, now time.Time) (*fetchSession, bool, int16) {
	s.mu.Lock()
	if req.SessionEpoch <= 0 {
		defer s.mu.Unlock()
		if req.SessionID != 0 {
			delete(s.sessions, req.SessionID) // the follower closes it, or starts anew
		}
		if req.SessionEpoch < 0 || s.slots == 0 {
			return nil, true, 0
		}
		sess := s.createLocked(replica, req.Version >= 13, now)
		sess.mu.Lock()
		sess.update(req)
		return sess, true, 0
	}
	sess := s.sessions[req.SessionID]
	s.mu.Unlock()
	if sess == nil || sess.replica != replica {
		return nil, true, kerr.FetchSessionIDNotFound.Code
	}
	sess.mu.Lock()
	switch {
	case sess.usesIDs != (req.Version >= 13):
		sess.mu.Unlock()
		return nil, true, kerr.FetchSessionTopicIDError.Code
	case sess.epoch != req.SessionEpoch:
		sess.mu.Unlock()
		return nil, true, kerr.InvalidFetchSessionEpoch.Code
	}
	sess.used.Store(now.UnixNano())
	sess.epoch = nextSessionEpoch(sess.epoch)
	sess.update(req)
	return sess, false, 0
}

// release ends the fetch that opened the session.
func (sess *fetchSession) release() { sess.mu.Unlock() }

// createLocked adds a session, evicting the least recently used one when full.
func (s *fetchSessions) createLocked(replica int32, usesIDs bool, now time.Time) *fetchSession {
	if len(s.sessions) >= s.slots {
		var oldest *fetchSession
		for _, sess := range s.sessions {
			if oldest == nil || sess.used.Load() < oldest.used.Load() {
				oldest = sess
			}
		}
		delete(s.sessions, oldest.id)
	}
	id := rand.Int32()
	for id == 0 || s.sessions[id] != nil {
		id = rand.Int32()
	}
	sess := &fetchSession{id: id, replica: replica, usesIDs: usesIDs, epoch: 1, index: make(map[sessionKey]int)}
	sess.used.Store(now.UnixNano())
	s.sessions[id] = sess
	return sess
}

// nextSessionEpoch follows epoch, wrapping past the largest int32 to 1 (0 and -1 are
// the initial and final epochs).
func nextSessionEpoch(epoch int32) int32 {
	if epoch == 1<<31-1 {
		return 1
	}
	return epoch + 1
}

// update applies a fetch to the session: its partitions are added or take the new
// fetch parameters, its forgotten topics leave.
func (sess *fetchSession) update(req *kmsg.FetchRequest) {
	for _, ft := range req.ForgottenTopics {
		for _, p := range ft.Partitions {
			sess.remove(sess.keyOf(ft.Topic, ft.TopicID, p))
		}
	}
	for _, rt := range req.Topics {
		for _, rp := range rt.Partitions {
			k := sess.keyOf(rt.Topic, rt.TopicID, rp.Partition)
			if i, ok := sess.index[k]; ok {
				sess.parts[i].fetch = rp
				if !sess.reshaped && sess.topics != nil {
					at := sess.at[i]
					sess.topics[at.topic].Partitions[at.partition] = rp
				}
				continue
			}
			sess.reshaped = true
			sess.index[k] = len(sess.parts)
			sess.parts = append(sess.parts, &sessionPartition{key: k, topic: rt.Topic, topicID: rt.TopicID, fetch: rp, toldHW: -2, toldStart: -2})
		}
	}
}

func (sess *fetchSession) remove(k sessionKey) {
	i, ok := sess.index[k]
	if !ok {
		return
	}
	sess.reshaped = true
	delete(sess.index, k)
	last := len(sess.parts) - 1
	if i != last {
		sess.parts[i] = sess.parts[last]
		sess.index[sess.parts[i].key] = i
	}
	sess.parts = sess.parts[:last]
}

// fullRequest is the fetch as if the follower had named every partition of its
// session: what the leader reads, and records the follower's positions from.
func (sess *fetchSession) fullRequest(req *kmsg.FetchRequest) *kmsg.FetchRequest {
	if sess.reshaped || sess.topics == nil {
		sess.topics, sess.at = nil, make([]topicSlot, len(sess.parts))
		topics := make(map[sessionKey]int)
		for j, sp := range sess.parts {
			tk := sess.keyOf(sp.topic, sp.topicID, 0)
			i, ok := topics[tk]
			if !ok {
				rt := kmsg.NewFetchRequestTopic()
				rt.Topic, rt.TopicID = sp.topic, sp.topicID
				sess.topics = append(sess.topics, rt)
				i = len(sess.topics) - 1
				topics[tk] = i
			}
			sess.at[j] = topicSlot{topic: i, partition: len(sess.topics[i].Partitions)}
			sess.topics[i].Partitions = append(sess.topics[i].Partitions, sp.fetch)
		}
	}
	full := *req
	full.Topics = sess.topics
	full.ForgottenTopics = nil
	return &full
}

// trim is the answer to send: in an incremental one only the partitions the follower
// must hear of, and it remembers what it was told. A full answer keeps everything.
// read stays whole, for the next fetch's read to build on.
func (sess *fetchSession) trim(read *kmsg.FetchResponse, full bool) *kmsg.FetchResponse {
	resp := *read
	resp.SessionID = sess.id
	var topics []kmsg.FetchResponseTopic
	for _, st := range read.Topics {
		var parts []kmsg.FetchResponseTopicPartition
		for _, sp := range st.Partitions {
			i, ok := sess.index[sess.keyOf(st.Topic, st.TopicID, sp.Partition)]
			if !ok {
				continue
			}
			told := sess.parts[i]
			changed := sp.ErrorCode != 0 || len(sp.RecordBatches) > 0 || sp.HighWatermark != told.toldHW || sp.LogStartOffset != told.toldStart
			if full || changed {
				told.toldHW, told.toldStart = sp.HighWatermark, sp.LogStartOffset
				parts = append(parts, sp)
			}
		}
		if len(parts) > 0 {
			st.Partitions = parts
			topics = append(topics, st)
		}
	}
	resp.Topics = topics
	return &resp
}
