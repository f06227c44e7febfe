package broker

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/metrics"
)

// requestSeries gathers request metrics: the counters summed over versions and the
// summaries, each by its name, request and error labels
// ("kafka_network_requestmetrics_errors_total/Produce/NONE").
func requestSeries(t *testing.T, m *metrics.RequestMetrics) (map[string]float64, map[string]*dto.Summary) {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(metrics.RequestCollector(m))
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	counters, summaries := map[string]float64{}, map[string]*dto.Summary{}
	for _, f := range families {
		for _, s := range f.GetMetric() {
			key := f.GetName()
			for _, label := range []string{"request", "error"} {
				for _, l := range s.GetLabel() {
					if l.GetName() == label {
						key += "/" + l.GetValue()
					}
				}
			}
			if s.GetSummary() != nil {
				summaries[key] = s.GetSummary()
			} else {
				counters[key] += s.GetCounter().GetValue()
			}
		}
	}
	return counters, summaries
}

// percentile is summary s's value at quantile q, -1 when it has none.
func percentile(s *dto.Summary, q float64) float64 {
	for _, v := range s.GetQuantile() {
		if v.GetQuantile() == q {
			return v.GetValue()
		}
	}
	return -1
}

// TestRequestMetrics: a broker's requests are counted by name, and their error codes by
// Kafka's names; an acks=all produce's wait for its follower and a consumer fetch's long
// poll are remote time, not local; a fetch counts as Fetch and as FetchConsumer.
func TestRequestMetrics(t *testing.T) {
	const wait = 300 * time.Millisecond
	c := newCluster(t, 1)
	c.createTopic("t", []int32{1, 2}, 1, []int32{1, 2}, nil)
	b := c.broker(1)
	if _, sp := c.produce(1, "t", 1, 5*time.Second, recordBatch(3, -1, 0)); sp.ErrorCode != 0 {
		t.Fatalf("acks=1 produce: error %d", sp.ErrorCode)
	}
	if _, sp := c.produce(1, "missing", 1, 5*time.Second, recordBatch(1, -1, 0)); sp.ErrorCode != kerr.UnknownTopicOrPartition.Code {
		t.Fatalf("produce to a missing topic: error %d", sp.ErrorCode)
	}
	// The follower never fetches: the acks=all produce waits out its timeout.
	if _, sp := c.produce(1, "t", -1, wait, recordBatch(1, -1, 0)); sp.ErrorCode != kerr.RequestTimedOut.Code {
		t.Fatalf("acks=all produce without its follower: error %d", sp.ErrorCode)
	}
	fetch := c.fetchFrom("t", 4, -1)
	fetch.MaxWaitMillis = int32(wait / time.Millisecond)
	fetch.MinBytes = 1 << 20
	if resp := c.request(1, fetch).(*kmsg.FetchResponse); resp.Topics[0].Partitions[0].ErrorCode != 0 {
		t.Fatalf("consumer fetch: error %d", resp.Topics[0].Partitions[0].ErrorCode)
	}

	var counters map[string]float64
	var summaries map[string]*dto.Summary
	waitFor(t, "the last fetch to be recorded once written", func() bool {
		counters, summaries = requestSeries(t, b.RequestMetrics())
		return summaries["kafka_network_requestmetrics_totaltimems/FetchConsumer"] != nil
	})
	for key, want := range map[string]float64{
		"kafka_network_requestmetrics_requests_total/Produce":                          3,
		"kafka_network_requestmetrics_requests_total/Fetch":                            1,
		"kafka_network_requestmetrics_requests_total/FetchConsumer":                    1,
		"kafka_network_requestmetrics_requests_total/FetchFollower":                    0,
		"kafka_network_requestmetrics_errors_total/Produce/NONE":                       1,
		"kafka_network_requestmetrics_errors_total/Produce/UNKNOWN_TOPIC_OR_PARTITION": 1,
		"kafka_network_requestmetrics_errors_total/Produce/REQUEST_TIMED_OUT":          1,
		"kafka_network_requestmetrics_errors_total/Fetch/NONE":                         2, // the response's and the partition's
		"kafka_network_requestmetrics_errors_total/FetchConsumer/NONE":                 0, // errors count under the API's name only
	} {
		if got := counters[key]; got != want {
			t.Errorf("%s is %v, want %v", key, got, want)
		}
	}
	waited := float64(wait / time.Millisecond)
	for _, request := range []string{"Produce", "FetchConsumer", "Fetch"} {
		remote := summaries["kafka_network_requestmetrics_remotetimems/"+request]
		local := summaries["kafka_network_requestmetrics_localtimems/"+request]
		total := summaries["kafka_network_requestmetrics_totaltimems/"+request]
		// A fetch's long poll is timed from its first read, which the race detector
		// can make take a few tens of milliseconds of the wait: remote time is most
		// of the wait, and the local time stays small.
		if got := percentile(remote, 0.999); got < waited*3/4 || got > waited*2 {
			t.Errorf("%s: the slowest remote time is %v ms, want the %v ms waited", request, got, waited)
		}
		if got := percentile(local, 0.999); got >= waited/2 {
			t.Errorf("%s: the slowest local time is %v ms, which counts the %v ms wait", request, got, waited)
		}
		if total.GetSampleSum() < remote.GetSampleSum()+local.GetSampleSum() {
			t.Errorf("%s: total time %v ms under local %v + remote %v", request, total.GetSampleSum(), local.GetSampleSum(), remote.GetSampleSum())
		}
	}
	if got := summaries["kafka_network_requestmetrics_requestbytes/Produce"]; got.GetSampleCount() != 3 || got.GetSampleSum() <= 0 {
		t.Errorf("Produce requestbytes: %v", got)
	}
}

// TestRequestMetricsResponseQueue: an answer that completes while an acks=all produce
// before it on the same connection waits for its follower is counted as queued for the
// rest of that wait, and its error code as any answer's; the waiting answer, written
// as soon as it completes, is not queued.
func TestRequestMetricsResponseQueue(t *testing.T) {
	const wait = 300 * time.Millisecond
	c := newCluster(t, 1)
	c.createTopic("t", []int32{1, 2}, 1, []int32{1, 2}, nil)
	conn := c.dial(1)
	// The follower never fetches: the acks=all produce waits out its timeout.
	frames := kwire.AppendRequest(nil, 1, "queued", produceRequest("t", -1, wait, recordBatch(1, -1, 0)))
	frames = kwire.AppendRequest(frames, 2, "queued", produceRequest("t", 1, wait, recordBatch(1, -1, 0)))
	if _, err := conn.Write(frames); err != nil {
		t.Fatal(err)
	}
	var counters map[string]float64
	var summaries map[string]*dto.Summary
	waitFor(t, "both produce requests to be recorded", func() bool {
		counters, summaries = requestSeries(t, c.broker(1).RequestMetrics())
		return counters["kafka_network_requestmetrics_requests_total/Produce"] == 2
	})
	if counters["kafka_network_requestmetrics_errors_total/Produce/NONE"] != 1 || counters["kafka_network_requestmetrics_errors_total/Produce/REQUEST_TIMED_OUT"] != 1 {
		t.Errorf("error codes counted: %v, want one NONE and one REQUEST_TIMED_OUT", counters)
	}
	queued := summaries["kafka_network_requestmetrics_responsequeuetimems/Produce"]
	waited := float64(wait / time.Millisecond)
	if got := percentile(queued, 0.999); got < waited/2 || got > waited*2 {
		t.Errorf("the acks=1 answer queued %v ms behind the %v ms wait", got, waited)
	}
	if got := percentile(queued, 0.5); got >= waited/2 {
		t.Errorf("the acks=all answer queued %v ms after it completed", got)
	}
}

// TestListenerConnections: a listener reports its open connections from the start,
// and counts those accepted and closed.
func TestListenerConnections(t *testing.T) {
	c := newCluster(t, 1)
	b := c.broker(1)
	waitFor(t, "the listener to be served", func() bool { return len(b.ListenerConnections()) == 1 })
	before := b.ListenerConnections()[0]
	cl := kwire.NewClient(c.nodes[1].addr, "connections-test")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := cl.Request(ctx, kmsg.NewPtrApiVersionsRequest()); err != nil {
		t.Fatal(err)
	}
	opened := b.ListenerConnections()[0]
	if opened.Listener != "PLAINTEXT" || opened.Active != before.Active+1 || opened.Created != before.Created+1 {
		t.Fatalf("after a connection was opened: %+v, before: %+v", opened, before)
	}
	cl.Close()
	waitFor(t, "the closed connection to be counted", func() bool {
		got := b.ListenerConnections()[0]
		return got.Active == before.Active && got.Closed == before.Closed+1
	})
}

// TestCountResponseErrors: the error codes of a response are counted under its API
// key as Kafka's errorCounts counts them, NONE included.
func TestCountResponseErrors(t *testing.T) {
	m := metrics.NewRequestMetrics()
	produce := kmsg.NewPtrProduceResponse()
	produce.Topics = []kmsg.ProduceResponseTopic{{Partitions: []kmsg.ProduceResponseTopicPartition{{ErrorCode: 0}, {ErrorCode: 3}, {ErrorCode: 6}}}}
	countResponseErrors(m, 0, produce)
	metadata := kmsg.NewPtrMetadataResponse()
	metadata.Topics = []kmsg.MetadataResponseTopic{
		{ErrorCode: 0, Partitions: []kmsg.MetadataResponseTopicPartition{{ErrorCode: 0}, {ErrorCode: 9}}},
		{ErrorCode: 3},
	}
	countResponseErrors(m, 3, metadata)
	groups := kmsg.NewPtrDescribeGroupsResponse()
	groups.Groups = []kmsg.DescribeGroupsResponseGroup{{ErrorCode: 16, Members: make([]kmsg.DescribeGroupsResponseGroupMember, 3)}}
	countResponseErrors(m, 15, groups)
	countResponseErrors(m, 18, kmsg.NewPtrApiVersionsResponse())
	coordinators := kmsg.NewPtrFindCoordinatorResponse()
	coordinators.Coordinators = []kmsg.FindCoordinatorResponseCoordinator{{ErrorCode: 0}, {ErrorCode: 15}}
	countResponseErrors(m, 10, coordinators)

	got, _ := requestSeries(t, m)
	want := map[string]float64{
		"Produce/NONE": 1, "Produce/UNKNOWN_TOPIC_OR_PARTITION": 1, "Produce/NOT_LEADER_OR_FOLLOWER": 1,
		"Metadata/NONE": 2, "Metadata/REPLICA_NOT_AVAILABLE": 1, "Metadata/UNKNOWN_TOPIC_OR_PARTITION": 1,
		"DescribeGroups/NOT_COORDINATOR": 1,
		"ApiVersions/NONE":               1,
		"FindCoordinator/NONE":           1, "FindCoordinator/COORDINATOR_NOT_AVAILABLE": 1,
	}
	for k, v := range want {
		if got := got["kafka_network_requestmetrics_errors_total/"+k]; got != v {
			t.Errorf("%s counted %v, want %v", k, got, v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("counted %v, want %v", got, want)
	}
}

// BenchmarkRequestMetrics is what RequestMetrics add to one produce request of one
// partition answered at once: the three clock reads of its times (read, handled, sent),
// choosing its names, counting its error code and recording its counts and six
// histograms; run in parallel, as connections record into the same Produce histograms.
func BenchmarkRequestMetrics(b *testing.B) {
	br := &Broker{requests: metrics.NewRequestMetrics()}
	req := kmsg.NewPtrProduceRequest()
	req.SetVersion(9)
	resp := req.ResponseKind().(*kmsg.ProduceResponse)
	resp.Topics = []kmsg.ProduceResponseTopic{{Partitions: []kmsg.ProduceResponseTopicPartition{{}}}}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		c := &clientConn{b: br}
		for pb.Next() {
			decoded := kwire.Request[handlerFunc]{Header: kwire.Header{Key: 0, Version: 9}, Body: req, BodyBytes: 1100, Received: kwire.Now()}
			c.beginTiming(&decoded)
			c.timing.markHandled()
			timing := c.takeTiming()
			countResponseErrors(br.requests, 0, resp)
			br.recordRequest(&timing, timing.handled, timing.handled)
		}
	})
}
