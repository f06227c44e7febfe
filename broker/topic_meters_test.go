package broker

import (
	"testing"
)

// TestTopicMeters: a produce counts records and bytes once appended, only a failure
// when it failed; a fetch counts bytes and partitions; each into its topic and all
// topics.
func TestTopicMeters(t *testing.T) {
	var m topicMeters
	a, b := m.forTopic("a"), m.forTopic("b")
	if m.forTopic("a") != a {
		t.Fatal("a topic's meter is made again")
	}
	m.produced(a, 10, 1000, false)
	m.produced(a, 0, 0, true)
	m.produced(b, 5, 500, false)
	m.fetched(b, 700, false)
	m.fetched(b, 0, true)
	got, all := a.traffic(), m.all.traffic()
	if got.MessagesIn != 10 || got.BytesIn != 1000 || got.TotalProduceRequests != 2 || got.FailedProduceRequests != 1 {
		t.Errorf("topic a counted %+v", got)
	}
	if got := b.traffic(); got.BytesOut != 700 || got.TotalFetchRequests != 2 || got.FailedFetchRequests != 1 {
		t.Errorf("topic b counted %+v", got)
	}
	if all.MessagesIn != 15 || all.BytesIn != 1500 || all.BytesOut != 700 || all.TotalProduceRequests != 3 || all.TotalFetchRequests != 2 {
		t.Errorf("all topics counted %+v", all)
	}
}

// BenchmarkTopicMeters is what BrokerTopicMetrics add to one partition's produce and
// one partition's fetch, to set against the append itself (storage's BenchmarkAppend:
// about 20 µs a batch on the project's machine).
func BenchmarkTopicMeters(b *testing.B) {
	var m topicMeters
	meter := m.forTopic("bench")
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.produced(meter, 100, 10240, false)
			m.fetched(meter, 10240, false)
		}
	})
}
