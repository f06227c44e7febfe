package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// cuttableDialer lets a test kill a client's network at once, as a crashed process
// would: no LeaveGroup can be sent afterwards.
type cuttableDialer struct {
	mu    sync.Mutex
	cut   bool
	conns []net.Conn
}

func (d *cuttableDialer) dial(ctx context.Context, network, host string) (net.Conn, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cut {
		return nil, errors.New("network cut by the test")
	}
	c, err := (&net.Dialer{}).DialContext(ctx, network, host)
	if err == nil {
		d.conns = append(d.conns, c)
	}
	return c, err
}

func (d *cuttableDialer) Cut() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.cut = true
	for _, c := range d.conns {
		c.Close()
	}
}

// groupConsumer is one franz-go group member that records what it consumed.
type groupConsumer struct {
	name   string
	cl     *kgo.Client
	dialer *cuttableDialer
	cancel context.CancelFunc
	done   chan struct{}
}

// consumed counts every record value seen, and who saw it.
type consumed struct {
	mu     sync.Mutex
	counts map[string]int
	by     map[string]map[string]int // member -> partition set
}

func (c *consumed) add(member string, r *kgo.Record) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts[string(r.Value)]++
	if c.by[member] == nil {
		c.by[member] = map[string]int{}
	}
	c.by[member][fmt.Sprint(r.Partition)]++
}

func (c *consumed) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.counts)
}

// check fails unless every value in want was seen exactly once.
func (c *consumed) check(t *testing.T, want []string) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, v := range want {
		if n := c.counts[v]; n != 1 {
			t.Fatalf("record %q consumed %d times, want exactly once", v, n)
		}
	}
}

func (c *consumed) membersWithRecords() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for m, ps := range c.by {
		for _, n := range ps {
			out[m] += n
		}
	}
	return out
}

func startGroupConsumer(t *testing.T, addr, name, group, topic string, balancer kgo.GroupBalancer, seen *consumed) *groupConsumer {
	t.Helper()
	d := &cuttableDialer{}
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(addr),
		kgo.Dialer(d.dial),
		kgo.ClientID(name),
		kgo.ConsumerGroup(group),
		kgo.ConsumeTopics(topic),
		kgo.Balancers(balancer),
		kgo.SessionTimeout(6*time.Second),
		kgo.HeartbeatInterval(300*time.Millisecond),
		kgo.RebalanceTimeout(10*time.Second),
		kgo.AutoCommitInterval(200*time.Millisecond),
		kgo.FetchMaxWait(300*time.Millisecond),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.RetryBackoffFn(func(int) time.Duration { return 100 * time.Millisecond }),
	)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	gc := &groupConsumer{name: name, cl: cl, dialer: d, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(gc.done)
		for ctx.Err() == nil {
			fs := cl.PollFetches(ctx)
			fs.EachRecord(func(r *kgo.Record) { seen.add(name, r) })
		}
	}()
	t.Cleanup(gc.stop)
	return gc
}

// stop ends polling and closes the client (a LeaveGroup, unless the network was cut).
func (gc *groupConsumer) stop() {
	gc.cancel()
	<-gc.done
	gc.cl.Close()
}

// produceValues writes n values round-robin over the partitions; cl must use the
// manual partitioner.
func produceValues(t *testing.T, cl *kgo.Client, topic, prefix string, n, partitions int) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var vals []string
	for i := 0; i < n; i++ {
		v := fmt.Sprintf("%s-%d", prefix, i)
		vals = append(vals, v)
		cl.Produce(ctx, &kgo.Record{Topic: topic, Partition: int32(i % partitions), Value: []byte(v)}, nil)
	}
	if err := cl.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	return vals
}

// waitGroupStable waits until the group is Stable with exactly members members.
func waitGroupStable(t *testing.T, adm *kadm.Client, group string, members int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	last := ""
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		described, err := adm.DescribeGroups(ctx, group)
		cancel()
		if err == nil {
			g := described[group]
			last = fmt.Sprintf("state %s, %d members, err %v", g.State, len(g.Members), g.Err)
			if g.Err == nil && g.State == "Stable" && len(g.Members) == members {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("group %s not Stable with %d members within %v (last: %s)", group, members, within, last)
}

// waitCommitted waits until the group's committed offsets add up to total.
func waitCommitted(t *testing.T, adm *kadm.Client, group string, total int64) {
	t.Helper()
	waitFor(t, 20*time.Second, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		offsets, err := adm.FetchOffsets(ctx, group)
		if err != nil {
			return false
		}
		var sum int64
		offsets.Each(func(o kadm.OffsetResponse) { sum += o.At })
		return sum == total
	})
}

// TestGroupConsumers is acceptance 1: three members share a 6-partition topic with
// every record consumed exactly once; a member whose network dies (no LeaveGroup)
// loses its partitions after the session timeout; a new member joining takes some
// over with nothing lost. Once with an eager and once with the cooperative-sticky
// balancer.
func TestGroupConsumers(t *testing.T) {
	n := StartSingleNode(t)
	for _, tc := range []struct {
		name     string
		balancer kgo.GroupBalancer
	}{
		{"eager-range", kgo.RangeBalancer()},
		{"cooperative-sticky", kgo.CooperativeStickyBalancer()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			topic, group := "members-"+tc.name, "group-"+tc.name
			createTopic(t, n.BrokerAddr, topic, 6, nil)
			prod := newClient(t, n.BrokerAddr, kgo.RecordPartitioner(kgo.ManualPartitioner()))
			adm := kadm.NewClient(prod)
			seen := &consumed{counts: map[string]int{}, by: map[string]map[string]int{}}
			var members []*groupConsumer
			for i := 0; i < 3; i++ {
				members = append(members, startGroupConsumer(t, n.BrokerAddr, fmt.Sprintf("m%d", i), group, topic, tc.balancer, seen))
			}
			waitGroupStable(t, adm, group, 3, 30*time.Second)

			want := produceValues(t, prod, topic, "first", 600, 6)
			waitFor(t, 30*time.Second, func() bool { return seen.total() == len(want) })
			seen.check(t, want)
			if got := seen.membersWithRecords(); len(got) != 3 {
				t.Fatalf("records were not shared by all three members: %v", got)
			}
			waitCommitted(t, adm, group, 600)

			killed := time.Now()
			members[0].dialer.Cut()
			waitGroupStable(t, adm, group, 2, 30*time.Second)
			if took := time.Since(killed); took < 4*time.Second {
				t.Fatalf("the dead member was removed after %v, before its 6s session timeout", took)
			}
			want = append(want, produceValues(t, prod, topic, "second", 600, 6)...)
			waitFor(t, 30*time.Second, func() bool { return seen.total() == len(want) })
			seen.check(t, want)
			waitCommitted(t, adm, group, 1200)

			startGroupConsumer(t, n.BrokerAddr, "m3", group, topic, tc.balancer, seen)
			waitGroupStable(t, adm, group, 3, 30*time.Second)
			want = append(want, produceValues(t, prod, topic, "third", 600, 6)...)
			waitFor(t, 30*time.Second, func() bool { return seen.total() == len(want) })
			seen.check(t, want)
			if got := seen.membersWithRecords(); got["m3"] == 0 {
				t.Fatalf("the new member got no partitions: %v", got)
			}
		})
	}
}

// kcatGroupRun runs kcat's balanced consumer and returns partition:offset lines.
func kcatGroupRun(t *testing.T, kcat, addr, group, topic string, extra ...string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args := append([]string{"-b", addr, "-G", group, "-X", "auto.offset.reset=earliest", "-f", "%p:%o\n"}, extra...)
	cmd := exec.CommandContext(ctx, kcat, append(args, topic)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("kcat -G: %v\nstderr: %s", err, errOut.String())
	}
	return strings.Fields(out.String())
}

// TestGroupKcatResumesAfterCommit is acceptance 2 and 3: librdkafka's balanced
// consumer commits what it read, and a second run of the same group, after a broker
// restart, resumes exactly after the committed offsets.
func TestGroupKcatResumesAfterCommit(t *testing.T) {
	kcat := requireTool(t, "kcat")
	n := StartSingleNode(t)
	createTopic(t, n.BrokerAddr, "kcat-group", 3, nil)
	prod := newClient(t, n.BrokerAddr, kgo.RecordPartitioner(kgo.ManualPartitioner()))
	produceValues(t, prod, "kcat-group", "v", 90, 3)

	first := kcatGroupRun(t, kcat, n.BrokerAddr, "kcat-g", "kcat-group", "-c", "40")
	if len(first) != 40 {
		t.Fatalf("first kcat run read %d records, want 40", len(first))
	}
	adm := kadm.NewClient(prod)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	before, err := adm.FetchOffsets(ctx, "kcat-g")
	if err != nil {
		t.Fatal(err)
	}
	prod.Close()

	n.Stop()
	n.Start()

	adm = kadm.NewClient(newClient(t, n.BrokerAddr))
	var after kadm.OffsetResponses
	waitFor(t, 15*time.Second, func() bool {
		after, err = adm.FetchOffsets(ctx, "kcat-g")
		return err == nil
	})
	if !sameOffsets(before, after) {
		t.Fatalf("committed offsets changed across restart: before %v after %v", before, after)
	}
	second := kcatGroupRun(t, kcat, n.BrokerAddr, "kcat-g", "kcat-group", "-e")
	all := append(append([]string{}, first...), second...)
	sort.Strings(all)
	if len(all) != 90 {
		t.Fatalf("the two runs read %d records, want 90 (first %d, second %d)", len(all), len(first), len(second))
	}
	for i := 1; i < len(all); i++ {
		if all[i] == all[i-1] {
			t.Fatalf("record %s read by both runs: the second did not resume after the commit", all[i])
		}
	}
}

func sameOffsets(a, b kadm.OffsetResponses) bool {
	count := 0
	same := true
	a.Each(func(o kadm.OffsetResponse) {
		count++
		ob, ok := b.Lookup(o.Topic, o.Partition)
		same = same && ok && ob.At == o.At
	})
	return same && count > 0
}

// TestGroupOffsetsSurviveRestart is acceptance 3 with franz-go: offsets committed by a
// group are there after a restart, and a new member of the group starts exactly at them.
func TestGroupOffsetsSurviveRestart(t *testing.T) {
	n := StartSingleNode(t)
	createTopic(t, n.BrokerAddr, "restart-group", 2, nil)
	prod := newClient(t, n.BrokerAddr, kgo.RecordPartitioner(kgo.ManualPartitioner()))
	produceValues(t, prod, "restart-group", "r", 40, 2)
	prod.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	cl := newClient(t, n.BrokerAddr, kgo.ConsumerGroup("restart-g"), kgo.ConsumeTopics("restart-group"),
		kgo.DisableAutoCommit(), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	var got []*kgo.Record
	for len(got) < 40 {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %d of 40 records", len(got))
		}
		got = append(got, fs.Records()...)
	}
	// Commit offset 7 on partition 0 and 13 on partition 1: the next record of each.
	commit := map[int32]*kgo.Record{}
	for _, r := range got {
		if (r.Partition == 0 && r.Offset == 6) || (r.Partition == 1 && r.Offset == 12) {
			commit[r.Partition] = r
		}
	}
	if err := cl.CommitRecords(ctx, commit[0], commit[1]); err != nil {
		t.Fatal(err)
	}
	cl.Close()

	n.Stop()
	n.Start()

	cl2 := newClient(t, n.BrokerAddr, kgo.ConsumerGroup("restart-g"), kgo.ConsumeTopics("restart-group"),
		kgo.DisableAutoCommit(), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	firstOf := map[int32]int64{}
	for len(firstOf) < 2 {
		fs := cl2.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("after the restart the group read only partitions %v", firstOf)
		}
		fs.EachRecord(func(r *kgo.Record) {
			if _, ok := firstOf[r.Partition]; !ok {
				firstOf[r.Partition] = r.Offset
			}
		})
	}
	if firstOf[0] != 7 || firstOf[1] != 13 {
		t.Fatalf("after the restart the group resumed at %v, want partition 0 at 7 and 1 at 13", firstOf)
	}
}
