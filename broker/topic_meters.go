package broker

import (
	"sync"
	"sync/atomic"

	"github.com/kbridge/kbridge/metrics"
)

// topicMeter counts one topic's traffic as Kafka's BrokerTopicMetrics meters do; the
// counts are the meters' Count attribute, which Prometheus reads as counters.
type topicMeter struct {
	messagesIn, bytesIn, bytesOut atomic.Uint64
	totalProduce, failedProduce   atomic.Uint64
	totalFetch, failedFetch       atomic.Uint64
}

func (m *topicMeter) traffic() metrics.TopicTraffic {
	return metrics.TopicTraffic{
		MessagesIn: m.messagesIn.Load(), BytesIn: m.bytesIn.Load(), BytesOut: m.bytesOut.Load(),
		TotalProduceRequests: m.totalProduce.Load(), FailedProduceRequests: m.failedProduce.Load(),
		TotalFetchRequests: m.totalFetch.Load(), FailedFetchRequests: m.failedFetch.Load(),
	}
}

// topicMeters are the broker's BrokerTopicMetrics: one meter per topic, the meter of
// all topics together, and the replication traffic Kafka counts apart.
type topicMeters struct {
	all                 topicMeter
	replicationBytesIn  atomic.Uint64
	replicationBytesOut atomic.Uint64
	byTopic             sync.Map // string → *topicMeter
}

// forTopic is topic's meter, made on first use; partitions keep theirs, so the
// produce and fetch paths never look it up.
func (m *topicMeters) forTopic(topic string) *topicMeter {
	if v, ok := m.byTopic.Load(topic); ok {
		return v.(*topicMeter)
	}
	v, _ := m.byTopic.LoadOrStore(topic, &topicMeter{})
	return v.(*topicMeter)
}

// produced counts one partition's produce: its records and bytes when appended, a
// failure when the error is one Kafka's appendToLocalLog counts (not a leadership,
// unknown partition, size or corruption refusal, which are the client's to retry or
// fix).
func (m *topicMeters) produced(p *topicMeter, records, bytes int, failed bool) {
	for _, t := range [2]*topicMeter{p, &m.all} {
		t.totalProduce.Add(1)
		if failed {
			t.failedProduce.Add(1)
			continue
		}
		t.messagesIn.Add(uint64(records))
		t.bytesIn.Add(uint64(bytes))
	}
}

// fetched counts one partition of a consumer's fetch.
func (m *topicMeters) fetched(p *topicMeter, bytes int, failed bool) {
	for _, t := range [2]*topicMeter{p, &m.all} {
		t.totalFetch.Add(1)
		if failed {
			t.failedFetch.Add(1)
			continue
		}
		t.bytesOut.Add(uint64(bytes))
	}
}

// BrokerTopicStats reads the meters of the topics the image holds, for the metrics
// endpoint.
func (b *Broker) BrokerTopicStats() metrics.BrokerTopicStats {
	m := &b.replicas.meters
	s := metrics.BrokerTopicStats{
		All:                 m.all.traffic(),
		Topics:              map[string]metrics.TopicTraffic{},
		ReplicationBytesIn:  m.replicationBytesIn.Load(),
		ReplicationBytesOut: m.replicationBytesOut.Load(),
	}
	img := b.Image()
	m.byTopic.Range(func(k, v any) bool {
		if _, ok := img.Topics[k.(string)]; ok {
			s.Topics[k.(string)] = v.(*topicMeter).traffic()
		}
		return true
	})
	return s
}
