package broker

import (
	"errors"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/broker/storage"
	"github.com/kbridge/kbridge/metadata"
)

// Fetch: v4-16
//
// Behavior:
// * Long polling: waits up to MaxWaitMillis until MinBytes are available.
// * KIP-74: MaxBytes and PartitionMaxBytes are honoured, but the first non-empty
//   partition always returns at least one whole batch so a large batch cannot stall a
//   consumer.
// * No fetch sessions (KIP-227): every response carries session id 0, which tells the
//   client to keep sending full fetch requests.
// * Consumers read up to the high watermark; read_committed is the same (no transactions).
// Version notes:
// * v5: log start offset
// * v7: fetch sessions
// * v9: current leader epoch (fencing)
// * v11: rack id (accepted, follower fetching is not offered)
// * v12: flexible
// * v13: topic ids instead of names
// * v15: replica state replaces replica id

func init() { regKey(1, 4, 16, handleFetch) }

// maxFetchBuffer bounds the record buffer a fetching connection keeps.
const maxFetchBuffer = 64 << 20

func handleFetch(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.FetchRequest)
	deadline := time.Now().Add(time.Duration(req.MaxWaitMillis) * time.Millisecond)
	var waiter chan struct{}
	var timer *time.Timer
	for {
		resp, size, failed, parts := b.readFetch(req, c)
		if size >= int(req.MinBytes) || failed || !time.Now().Before(deadline) {
			return resp, nil
		}
		if waiter == nil {
			waiter = make(chan struct{}, 1)
			for _, p := range parts {
				p.addWaiter(waiter)
				defer p.removeWaiter(waiter)
			}
			timer = time.NewTimer(time.Until(deadline))
			defer timer.Stop()
		}
		select {
		case <-waiter:
		case <-timer.C:
		case <-b.stop:
			return resp, nil
		}
	}
}

// readFetch builds one fetch response from the logs as they are now. It reports the
// bytes returned, whether any partition had an error (which ends long polling, as in
// Kafka), and the partitions read so the caller can wait on them.
func (b *Broker) readFetch(req *kmsg.FetchRequest, c *clientConn) (*kmsg.FetchResponse, int, bool, []*Partition) {
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
	var parts []*Partition
	for _, rt := range req.Topics {
		st := kmsg.NewFetchResponseTopic()
		st.Topic = rt.Topic
		st.TopicID = rt.TopicID
		name, topicErr := resolveFetchTopic(img, req.Version, rt)
		for _, rp := range rt.Partitions {
			sp := kmsg.NewFetchResponseTopicPartition()
			sp.Partition = rp.Partition
			sp.HighWatermark = -1
			sp.LastStableOffset = -1
			sp.LogStartOffset = -1
			sp.RecordBatches = []byte{}
			if topicErr != nil {
				sp.ErrorCode = topicErr.(*kerr.Error).Code
				failed = true
				st.Partitions = append(st.Partitions, sp)
				continue
			}
			p, data, err := b.readPartition(img, name, rp, total == 0, min(int(rp.PartitionMaxBytes), maxBytes-total), scratch)
			if len(data) <= len(scratch) && len(data) > 0 && &data[0] == &scratch[0] {
				scratch = scratch[len(data):]
			}
			if p != nil {
				parts = append(parts, p)
				sp.HighWatermark = p.HighWatermark()
				sp.LastStableOffset = sp.HighWatermark
				sp.LogStartOffset = p.log.LogStartOffset()
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
		}
		resp.Topics = append(resp.Topics, st)
	}
	return resp, total, failed, parts
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
		return "", kerr.UnknownTopicOrPartition
	}
	return rt.Topic, nil
}

// readPartition reads one partition for a consumer. first says nothing has been put in
// the response yet, so one whole batch is returned even if it exceeds limit (KIP-74).
// Data is read into scratch when it fits.
func (b *Broker) readPartition(img *metadata.Image, topic string, rp kmsg.FetchRequestTopicPartition, first bool, limit int, scratch []byte) (*Partition, []byte, error) {
	t := img.Topics[topic]
	if t.Partitions[rp.Partition] == nil {
		return nil, nil, kerr.UnknownTopicOrPartition
	}
	p, ok := b.replicas.Get(topic, rp.Partition)
	if !ok {
		return nil, nil, kerr.NotLeaderForPartition
	}
	st := p.state()
	if st.leader != b.id {
		return p, nil, kerr.NotLeaderForPartition
	}
	if rp.CurrentLeaderEpoch >= 0 {
		switch {
		case rp.CurrentLeaderEpoch < st.leaderEpoch:
			return p, nil, kerr.FencedLeaderEpoch
		case rp.CurrentLeaderEpoch > st.leaderEpoch:
			return p, nil, kerr.UnknownLeaderEpoch
		}
	}
	if rp.FetchOffset > p.log.LogEndOffset() || rp.FetchOffset < p.log.LogStartOffset() {
		return p, nil, kerr.OffsetOutOfRange
	}
	if rp.FetchOffset >= st.hw || (limit <= 0 && !first) {
		return p, nil, nil
	}
	data, err := p.log.ReadInto(scratch, rp.FetchOffset, int32(max(limit, 1)), st.hw)
	if errors.Is(err, storage.ErrOffsetOutOfRange) {
		return p, nil, kerr.OffsetOutOfRange
	}
	if err != nil {
		return p, nil, err
	}
	if !first && len(data) > limit {
		return p, nil, nil
	}
	return p, data, nil
}
