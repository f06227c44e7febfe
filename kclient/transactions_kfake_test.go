package kclient

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"
)

// startTxnCluster runs a one-broker kfake cluster (node 0) with a
// one-partition "orders" topic and returns it, so that a test can steer
// its answers, and a Conn to it.
func startTxnCluster(t *testing.T) (*kfake.Cluster, Conn) {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "orders"))
	if err != nil {
		t.Fatalf("start kfake: %v", err)
	}
	t.Cleanup(c.Close)
	return c, Conn{BootstrapServers: strings.Join(c.ListenAddrs(), ",")}
}

// beginTransaction starts transactional id's transaction with one record on
// orders-0 and leaves it open; it returns the producer id and epoch.
func beginTransaction(t *testing.T, conn Conn, id string) (int64, int16) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(conn.BootstrapServers), kgo.TransactionalID(id),
		kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	if err := cl.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	if err := cl.ProduceSync(testContext(t), &kgo.Record{Topic: "orders", Value: []byte("v")}).FirstErr(); err != nil {
		t.Fatalf("transactional produce: %v", err)
	}
	pid, epoch, err := cl.ProducerID(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	return pid, epoch
}

// tableRows runs a command that prints a kafka-transactions table and
// returns its rows (header dropped) as tab-separated, trimmed cells.
func tableRows(t *testing.T, run func(*strings.Builder) error) [][]string {
	t.Helper()
	var b strings.Builder
	if err := run(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	var rows [][]string
	for _, line := range lines[1:] {
		cells := strings.Split(strings.TrimSuffix(line, "\t"), "\t")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		rows = append(rows, cells)
	}
	return rows
}

// TestTransactionsCommandsOnOngoingTransaction drives list, describe,
// describe-producers and find-hanging against a real open transaction,
// which its coordinator knows: find-hanging must not report it even when
// every open transaction is a candidate.
func TestTransactionsCommandsOnOngoingTransaction(t *testing.T) {
	_, conn := startTxnCluster(t)
	ctx := testContext(t)
	pid, epoch := beginTransaction(t, conn, "app-1")
	spid, sepoch := strconv.FormatInt(pid, 10), strconv.Itoa(int(epoch))

	rows := tableRows(t, func(b *strings.Builder) error { return ListTransactions(ctx, b, ListTransactionsOptions{Conn: conn}) })
	if len(rows) != 1 || strings.Join(rows[0], " ") != "app-1 0 "+spid+" Ongoing" {
		t.Fatalf("list rows %q", rows)
	}
	rows = tableRows(t, func(b *strings.Builder) error {
		return ListTransactions(ctx, b, ListTransactionsOptions{Conn: conn, DurationFilter: int64p(time.Hour.Milliseconds())})
	})
	if len(rows) != 0 {
		t.Fatalf("list --duration-filter 3600000 rows %q, want none", rows)
	}

	rows = tableRows(t, func(b *strings.Builder) error {
		return DescribeTransaction(ctx, b, DescribeTransactionOptions{Conn: conn, TransactionalID: "app-1"})
	})
	if len(rows) != 1 || len(rows[0]) != 9 || strings.Join(rows[0][:5], " ") != "0 app-1 "+spid+" "+sepoch+" Ongoing" || rows[0][6] == "None" || rows[0][8] != "orders-0" {
		t.Fatalf("describe rows %q", rows)
	}
	err := DescribeTransaction(ctx, &strings.Builder{}, DescribeTransactionOptions{Conn: conn, TransactionalID: "nope"})
	if err == nil || !strings.HasPrefix(err.Error(), "Failed to describe transaction state of transactional-id `nope`: TRANSACTIONAL_ID_NOT_FOUND") {
		t.Fatalf("describe of an unknown id: %v", err)
	}

	for _, broker := range []*int32{nil, int32p(0)} {
		rows = tableRows(t, func(b *strings.Builder) error {
			return DescribeProducers(ctx, b, DescribeProducersOptions{Conn: conn, Topic: "orders", Partition: int32p(0), BrokerID: broker})
		})
		if len(rows) != 1 || rows[0][0] != spid || rows[0][1] != sepoch || rows[0][5] != "0" {
			t.Fatalf("describe-producers (broker %v) rows %q", broker, rows)
		}
	}
	err = DescribeProducers(ctx, &strings.Builder{}, DescribeProducersOptions{Conn: conn, Topic: "orders", Partition: int32p(0), BrokerID: int32p(7)})
	if err == nil || !strings.HasPrefix(err.Error(), "Failed to describe producers for partition orders-0 on broker 7: ") {
		t.Fatalf("describe-producers on a missing broker: %v", err)
	}

	var out strings.Builder
	o := FindHangingOptions{Conn: conn, Topic: "orders", MaxTransactionTimeout: -time.Minute}
	if err := FindHangingTransactions(ctx, &out, o); err != nil {
		t.Fatal(err)
	}
	if out.String() != "Topic\tPartition\tProducerId\tProducerEpoch\tCoordinatorEpoch\tStartOffset\tLastTimestamp\tDuration(min)\t\n" {
		t.Fatalf("find-hanging printed %q, want the header alone", out.String())
	}
}

// plantHanging makes the cluster answer DescribeProducers with producer
// 4242, epoch 3, no coordinator epoch, whose transaction opened at offset 7
// and last wrote an hour ago: a producer no coordinator knows, since kfake
// itself only tracks transactions it coordinates. It returns the planted
// last timestamp.
func plantHanging(c *kfake.Cluster) int64 {
	last := time.Now().Add(-time.Hour).UnixMilli()
	c.ControlKey(kmsg.DescribeProducers.Int16(), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		req := kreq.(*kmsg.DescribeProducersRequest)
		resp := req.ResponseKind().(*kmsg.DescribeProducersResponse)
		for _, rt := range req.Topics {
			st := kmsg.NewDescribeProducersResponseTopic()
			st.Topic = rt.Topic
			for _, p := range rt.Partitions {
				sp := kmsg.NewDescribeProducersResponseTopicPartition()
				sp.Partition = p
				ap := kmsg.NewDescribeProducersResponseTopicPartitionActiveProducer()
				ap.ProducerID, ap.ProducerEpoch, ap.CoordinatorEpoch = 4242, 3, -1
				ap.LastSequence, ap.LastTimestamp, ap.CurrentTxnStartOffset = 0, last, 7
				sp.ActiveProducers = append(sp.ActiveProducers, ap)
				st.Partitions = append(st.Partitions, sp)
			}
			resp.Topics = append(resp.Topics, st)
		}
		return resp, nil, true
	})
	return last
}

// markersSeen records the WriteTxnMarkers requests the cluster receives and
// lets it handle them.
type markersSeen struct {
	mu      sync.Mutex
	markers []kmsg.WriteTxnMarkersRequestMarker
}

func watchMarkers(c *kfake.Cluster) *markersSeen {
	s := &markersSeen{}
	c.ControlKey(kmsg.WriteTxnMarkers.Int16(), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		s.mu.Lock()
		defer s.mu.Unlock()
		s.markers = append(s.markers, kreq.(*kmsg.WriteTxnMarkersRequest).Markers...)
		return nil, nil, false
	})
	return s
}

// take returns the markers seen since the last call, one per topic, as
// "producer/epoch/coordinator epoch/committed topic:[partitions]".
func (s *markersSeen) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, m := range s.markers {
		for _, rt := range m.Topics {
			out = append(out, fmt.Sprintf("%d/%d/%d/%v %s:%v", m.ProducerID, m.ProducerEpoch, m.CoordinatorEpoch, m.Committed, rt.Topic, rt.Partitions))
		}
	}
	s.markers = nil
	return out
}

// TestFindAndAbortHangingTransaction finds a planted hanging transaction,
// by topic and by broker, in text and JSON, then aborts it by start offset
// and by explicit producer, checking the markers the leader receives.
func TestFindAndAbortHangingTransaction(t *testing.T) {
	c, conn := startTxnCluster(t)
	ctx := testContext(t)
	last := plantHanging(c)
	markers := watchMarkers(c)

	want := "orders 0 4242 3 -1 7 " + strconv.FormatInt(last, 10) + " 60"
	for _, o := range []FindHangingOptions{
		{Conn: conn, Topic: "orders", MaxTransactionTimeout: 15 * time.Minute},
		{Conn: conn, BrokerID: int32p(0), MaxTransactionTimeout: 15 * time.Minute},
		{Conn: conn, Topic: "orders", Partition: int32p(0), BrokerID: int32p(0), MaxTransactionTimeout: 15 * time.Minute},
	} {
		rows := tableRows(t, func(b *strings.Builder) error { return FindHangingTransactions(ctx, b, o) })
		if len(rows) != 1 || strings.Join(rows[0], " ") != want {
			t.Fatalf("find-hanging %+v rows %q, want %q", o, rows, want)
		}
	}
	rows := tableRows(t, func(b *strings.Builder) error {
		return FindHangingTransactions(ctx, b, FindHangingOptions{Conn: conn, Topic: "orders", MaxTransactionTimeout: 2 * time.Hour})
	})
	if len(rows) != 0 {
		t.Fatalf("find-hanging with a 2 h timeout rows %q, want none", rows)
	}
	var js strings.Builder
	if err := FindHangingTransactions(ctx, &js, FindHangingOptions{Conn: conn, Topic: "orders", MaxTransactionTimeout: 15 * time.Minute, JSON: true}); err != nil {
		t.Fatal(err)
	}
	var found []OpenTransaction
	if err := json.Unmarshal([]byte(js.String()), &found); err != nil {
		t.Fatalf("find-hanging json: %v\n%s", err, js.String())
	}
	if len(found) != 1 || found[0].Producer.ProducerID != 4242 || *found[0].Producer.CurrentTransactionStartOffset != 7 || found[0].Producer.CoordinatorEpoch != nil {
		t.Fatalf("find-hanging json: %s", js.String())
	}
	if got := markers.take(); len(got) != 0 {
		t.Fatalf("find-hanging wrote markers %q", got)
	}

	err := AbortTransaction(ctx, AbortTransactionOptions{Conn: conn, Topic: "orders", Partition: int32p(0), StartOffset: int64p(8)})
	if err == nil || err.Error() != "Could not find any open transactions starting at offset 8 on partition orders-0" {
		t.Fatalf("abort at an offset no transaction starts at: %v", err)
	}
	if err := AbortTransaction(ctx, AbortTransactionOptions{Conn: conn, Topic: "orders", Partition: int32p(0), StartOffset: int64p(7)}); err != nil {
		t.Fatalf("abort --start-offset 7: %v", err)
	}
	if got, want := strings.Join(markers.take(), ","), "4242/3/0/false orders:[0]"; got != want {
		t.Fatalf("abort --start-offset sent markers %q, want %q", got, want)
	}
	err = AbortTransaction(ctx, AbortTransactionOptions{Conn: conn, Topic: "orders", Partition: int32p(0),
		ProducerID: int64p(4242), ProducerEpoch: int16p(3), CoordinatorEpoch: int32p(5)})
	if err != nil {
		t.Fatalf("abort --producer-id: %v", err)
	}
	if got, want := strings.Join(markers.take(), ","), "4242/3/5/false orders:[0]"; got != want {
		t.Fatalf("abort --producer-id sent markers %q, want %q", got, want)
	}
	err = AbortTransaction(ctx, AbortTransactionOptions{Conn: conn, Topic: "missing", Partition: int32p(0),
		ProducerID: int64p(4242), ProducerEpoch: int16p(3), CoordinatorEpoch: int32p(5)})
	if err == nil || !strings.HasPrefix(err.Error(), "Failed to abort transaction AbortTransactionSpec(topicPartition=missing-0, producerId=4242, producerEpoch=3, coordinatorEpoch=5): ") {
		t.Fatalf("abort on a missing topic: %v", err)
	}
}

// TestListDurationFilterNeedsV1: a broker that only speaks ListTransactions
// v0 cannot filter on duration, so the listing fails, as Kafka's request
// builder refuses it, instead of printing every transaction.
func TestListDurationFilterNeedsV1(t *testing.T) {
	_, conn := startTxnCluster(t)
	beginTransaction(t, conn, "app-1")
	versions := kversion.Stable()
	versions.SetMaxKeyVersion(kmsg.ListTransactions.Int16(), 0)
	cl, err := kgo.NewClient(kgo.SeedBrokers(conn.BootstrapServers), kgo.MaxVersions(versions))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if _, err := listTransactions(testContext(t), cl, nil, 0); err == nil || !strings.Contains(err.Error(), "Duration filter can be set only when using API version 1 or higher") {
		t.Fatalf("duration filter over v0: %v", err)
	}
	listed, err := listTransactions(testContext(t), cl, nil, -1)
	if err != nil || len(listed) != 1 || listed[0].TransactionalID != "app-1" {
		t.Fatalf("v0 listing without a filter: %+v, %v", listed, err)
	}
}
