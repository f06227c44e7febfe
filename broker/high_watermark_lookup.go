package broker

import (
	"context"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

const (
	// highWatermarkTTL is how long a looked-up high watermark is used again, so that
	// several metrics listeners, or scrapes close together, ask the leaders once.
	highWatermarkTTL = time.Second
	// highWatermarkTimeout bounds a scrape's ListOffsets to the partition leaders: a
	// slow or unreachable broker leaves its partitions out of the lag instead of
	// stalling the scrape.
	highWatermarkTimeout = 2 * time.Second
)

// highWatermarks looks up the high watermarks of partitions for the consumer lag
// metrics: from the replica itself where this broker leads the partition, otherwise
// with one ListOffsets (latest, read_uncommitted: what kafka_exporter asks) per leader
// broker, as an operator's lag exporter would.
type highWatermarks struct {
	peers *peerClients

	mu     sync.Mutex
	cached map[topicPartition]learntHighWatermark
}

// learntHighWatermark is a high watermark and when it was learnt.
type learntHighWatermark struct {
	offset int64
	at     time.Time
}

func newHighWatermarks(peers *peerClients) *highWatermarks {
	return &highWatermarks{peers: peers, cached: map[topicPartition]learntHighWatermark{}}
}

// lookup returns the high watermark of each of parts that could be learnt; a
// partition without a leader, or whose leader did not answer in time, is missing.
// Only parts stay cached, so partitions nobody asks for any more are forgotten.
func (h *highWatermarks) lookup(b *Broker, parts map[topicPartition]struct{}) map[topicPartition]int64 {
	now := time.Now()
	img := b.Image()
	out := make(map[topicPartition]int64, len(parts))
	remote := map[int32][]topicPartition{}
	h.mu.Lock()
	for tp := range parts {
		if c, ok := h.cached[tp]; ok && now.Sub(c.at) < highWatermarkTTL {
			out[tp] = c.offset
			continue
		}
		leader := partitionLeader(img, tp)
		switch {
		case leader == b.id:
			if hw, ok := b.localHighWatermark(tp); ok {
				out[tp] = hw
			}
		case leader >= 0:
			remote[leader] = append(remote[leader], tp)
		}
	}
	h.mu.Unlock()

	var wg sync.WaitGroup
	var outMu sync.Mutex
	ctx, cancel := context.WithTimeout(context.Background(), highWatermarkTimeout)
	defer cancel()
	for leader, tps := range remote {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got := h.listOffsets(ctx, b, img, leader, tps)
			outMu.Lock()
			defer outMu.Unlock()
			for tp, hw := range got {
				out[tp] = hw
			}
		}()
	}
	wg.Wait()

	h.mu.Lock()
	defer h.mu.Unlock()
	kept := make(map[topicPartition]learntHighWatermark, len(out))
	for tp, hw := range out {
		if c, ok := h.cached[tp]; ok && now.Sub(c.at) < highWatermarkTTL {
			kept[tp] = c
			continue
		}
		kept[tp] = learntHighWatermark{offset: hw, at: now}
	}
	h.cached = kept
	return out
}

// partitionLeader is tp's leader in img, -1 when it has none or does not exist.
func partitionLeader(img *metadata.Image, tp topicPartition) int32 {
	t, ok := img.Topics[tp.topic]
	if !ok {
		return -1
	}
	p, ok := t.Partitions[tp.partition]
	if !ok {
		return -1
	}
	return p.Leader
}

// localHighWatermark is the high watermark of a partition this broker leads.
func (b *Broker) localHighWatermark(tp topicPartition) (int64, bool) {
	p, ok := b.replicas.Get(tp.topic, tp.partition)
	if !ok {
		return 0, false
	}
	st := p.state()
	return st.hw, st.leader == b.id
}

// listOffsets asks leader for the latest offsets of tps; partitions it does not answer
// for without an error are left out, and a failed request is logged and leaves all out.
func (h *highWatermarks) listOffsets(ctx context.Context, b *Broker, img *metadata.Image, leader int32, tps []topicPartition) map[topicPartition]int64 {
	req := kmsg.NewPtrListOffsetsRequest()
	req.ReplicaID = -1
	for topic, partitions := range partitionsByTopic(tps, func(tp topicPartition) topicPartition { return tp }) {
		rt := kmsg.NewListOffsetsRequestTopic()
		rt.Topic = topic
		for _, p := range partitions {
			rp := kmsg.NewListOffsetsRequestTopicPartition()
			rp.Partition, rp.Timestamp = p, listOffsetsLatest
			rt.Partitions = append(rt.Partitions, rp)
		}
		req.Topics = append(req.Topics, rt)
	}
	kresp, err := h.peers.request(ctx, img, leader, req)
	if err != nil {
		b.log.Warn("consumer lag: high watermarks not learnt", "leader", leader, "partitions", len(tps), "err", err)
		return nil
	}
	got := make(map[topicPartition]int64, len(tps))
	for _, rt := range kresp.(*kmsg.ListOffsetsResponse).Topics {
		for _, rp := range rt.Partitions {
			if err := kerr.ErrorForCode(rp.ErrorCode); err != nil || rp.Offset < 0 {
				continue
			}
			got[topicPartition{rt.Topic, rp.Partition}] = rp.Offset
		}
	}
	return got
}
