package kclient

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// produceTo appends n records to one partition of topic.
func produceTo(t *testing.T, conn Conn, topic string, partition int32, n int) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(conn.BootstrapServers), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatalf("producer: %v", err)
	}
	defer cl.Close()
	for i := 0; i < n; i++ {
		r := &kgo.Record{Topic: topic, Partition: partition, Value: []byte("v" + strconv.Itoa(i))}
		if err := cl.ProduceSync(testContext(t), r).FirstErr(); err != nil {
			t.Fatalf("produce to %s-%d: %v", topic, partition, err)
		}
	}
}

// groupMember is a kgo group consumer that commits only when told to, so
// that the test decides what the group's committed offsets are.
type groupMember struct {
	*kgo.Client
	t     *testing.T
	leave sync.Once
}

// joinGroup starts a member of group on topic; reset applies where the group
// has no committed offset.
func joinGroup(t *testing.T, conn Conn, group, topic string, reset kgo.Offset) *groupMember {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(conn.BootstrapServers), kgo.ConsumerGroup(group), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(reset), kgo.DisableAutoCommit(), kgo.FetchMaxWait(100*time.Millisecond))
	if err != nil {
		t.Fatalf("consumer: %v", err)
	}
	m := &groupMember{Client: cl, t: t}
	t.Cleanup(m.Leave)
	return m
}

// Leave closes the client, which sends LeaveGroup; the group is Empty once
// its last member has left.
func (m *groupMember) Leave() { m.leave.Do(m.Close) }

// poll reads exactly n records (failing on more or on a timeout) and returns
// their offsets by partition, in order.
func (m *groupMember) poll(n int) map[int32][]int64 {
	m.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	got := make(map[int32][]int64)
	for total := 0; total < n; {
		fs := m.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			m.t.Fatalf("polled %d of %d records: %v", total, n, err)
		}
		fs.EachRecord(func(r *kgo.Record) {
			got[r.Partition] = append(got[r.Partition], r.Offset)
			total++
		})
		if total > n {
			m.t.Fatalf("polled %d records, want %d", total, n)
		}
	}
	return got
}

// commit commits everything polled so far.
func (m *groupMember) commit() {
	m.t.Helper()
	if err := m.CommitUncommittedOffsets(testContext(m.t)); err != nil {
		m.t.Fatalf("commit: %v", err)
	}
}

// waitGroupState polls DescribeGroups until the group reaches state, so that
// tests do not race the coordinator's rebalance.
func waitGroupState(t *testing.T, conn Conn, group, state string) kadm.DescribedGroup {
	t.Helper()
	cl, err := conn.newClient(roleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	deadline := time.Now().Add(20 * time.Second)
	for {
		described, err := adm.DescribeGroups(testContext(t), group)
		if err == nil && described[group].State == state {
			return described[group]
		}
		if time.Now().After(deadline) {
			t.Fatalf("group %s: want state %s, have %+v (%v)", group, state, described[group], err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// committedOffsets reads the group's committed offsets as topic-partition → offset.
func committedOffsets(t *testing.T, conn Conn, group string) map[string]int64 {
	t.Helper()
	cl, err := conn.newClient(roleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	offs, err := kadm.NewClient(cl).FetchOffsets(testContext(t), group)
	if err != nil {
		t.Fatalf("fetch offsets of %s: %v", group, err)
	}
	out := make(map[string]int64)
	for _, o := range offs.Sorted() {
		out[topicPartition{Topic: o.Topic, Partition: o.Partition}.String()] = o.At
	}
	return out
}

// describeText runs DescribeGroups and returns what it printed to stdout
// and stderr.
func describeText(t *testing.T, o DescribeGroupsOptions) (string, string) {
	t.Helper()
	var out, errOut strings.Builder
	if err := DescribeGroups(testContext(t), &out, &errOut, o); err != nil {
		t.Fatalf("describe %v: %v", o.Groups, err)
	}
	return out.String(), errOut.String()
}
