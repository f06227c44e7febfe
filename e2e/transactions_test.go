package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// txnLayout is what a test's transactions wrote, partition by partition in offset
// order: every record, and the records of committed transactions only.
type txnLayout struct {
	all       map[int32][]string
	committed map[int32][]string
}

func newTxnLayout() *txnLayout {
	return &txnLayout{all: map[int32][]string{}, committed: map[int32][]string{}}
}

func (l *txnLayout) add(partition int32, value string, commit bool) {
	l.all[partition] = append(l.all[partition], value)
	if commit {
		l.committed[partition] = append(l.committed[partition], value)
	}
}

// TestTransactionsReadCommittedFranzGo: a franz-go transactional producer commits and
// aborts alternately, then leaves a transaction open. A read_committed consumer gets
// exactly the committed records in order and is told the last stable offset is the
// open transaction's first offset, as ListOffsets says; a read_uncommitted consumer
// gets everything. Once the open transaction commits, its records follow.
func TestTransactionsReadCommittedFranzGo(t *testing.T) {
	n := StartSingleNode(t)
	const topic, partitions = "txn-franz", 3
	createTopic(t, n.BrokerAddr, topic, partitions, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	producer := newClient(t, n.BrokerAddr, kgo.TransactionalID("franz-alternating"),
		kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.DefaultProduceTopic(topic))
	want := newTxnLayout()
	alternateTransactions(ctx, t, producer, partitions, 10, "alt", want)
	open := openTransaction(ctx, t, producer, partitions, "open")
	checkTransactionFigures(ctx, t, func(opts ...kgo.Opt) *kgo.Client { return newClient(t, n.BrokerAddr, opts...) }, topic, want, open)
}

// alternateTransactions runs txns transactions of four records per partition on
// producer, committing the even ones and aborting the odd ones.
func alternateTransactions(ctx context.Context, t *testing.T, producer *kgo.Client, partitions int32, txns int, prefix string, want *txnLayout) {
	t.Helper()
	for i := range txns {
		produceTransaction(ctx, t, producer, partitions, 4, func(p int32, r int) string {
			return fmt.Sprintf("%s-%d-%d-%d", prefix, i, p, r)
		}, want, i%2 == 0)
	}
}

// openedTransaction is a transaction left open: its records and the offset of each
// partition's first one.
type openedTransaction struct {
	producer *kgo.Client
	records  []*kgo.Record
	first    map[int32]int64
}

// openTransaction begins a transaction on producer and writes four records to every
// partition in it, leaving it open.
func openTransaction(ctx context.Context, t *testing.T, producer *kgo.Client, partitions int32, prefix string) *openedTransaction {
	t.Helper()
	if err := producer.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	o := &openedTransaction{producer: producer, first: map[int32]int64{}}
	for p := range partitions {
		for r := range 4 {
			o.records = append(o.records, &kgo.Record{Partition: p, Value: fmt.Appendf(nil, "%s-%d-%d", prefix, p, r)})
		}
	}
	for _, res := range producer.ProduceSync(ctx, o.records...) {
		if res.Err != nil {
			t.Fatalf("produce in the open transaction: %v", res.Err)
		}
		if first, ok := o.first[res.Record.Partition]; !ok || res.Record.Offset < first {
			o.first[res.Record.Partition] = res.Record.Offset
		}
	}
	return o
}

// checkTransactionFigures checks what consumers see of topic while open is open, then
// commits it: a read_committed consumer reads exactly want's committed records in order
// and is told that each partition's last stable offset is the open transaction's first
// offset, which ListOffsets read_committed answers too; a read_uncommitted consumer
// reads every record, the open ones included; after the commit, the read_committed
// consumer reads the open transaction's records next. want then holds them as
// committed.
func checkTransactionFigures(ctx context.Context, t *testing.T, client func(...kgo.Opt) *kgo.Client, topic string, want *txnLayout, open *openedTransaction) {
	t.Helper()
	committed := newIsolatedConsumer(client(isolatedConsumerOpts(topic, kgo.ReadCommitted())...))
	committed.waitStable(t, want.committed, open.first)
	all := map[int32][]string{}
	for p, vs := range want.all {
		all[p] = append(slices.Clone(vs), valuesOf(open.records, p)...)
	}
	newIsolatedConsumer(client(isolatedConsumerOpts(topic, kgo.ReadUncommitted())...)).waitExactly(t, all)

	lso, err := kadm.NewClient(client()).ListCommittedOffsets(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	for p, first := range open.first {
		if o, _ := lso.Lookup(topic, p); o.Offset != first {
			t.Errorf("ListOffsets read_committed latest of partition %d is %d, want the open transaction's first offset %d", p, o.Offset, first)
		}
	}
	if err := open.producer.EndTransaction(ctx, kgo.TryCommit); err != nil {
		t.Fatalf("commit the open transaction: %v", err)
	}
	for p := range all {
		for _, v := range valuesOf(open.records, p) {
			want.add(p, v, true)
		}
	}
	committed.waitExactly(t, want.committed)
}

// TestTransactionsReadCommittedLibrdkafka is the same with librdkafka on both sides:
// confluent-kafka's transactional producer, and kcat reading with each isolation level
// to the end of the partitions, which for read_committed is the last stable offset.
func TestTransactionsReadCommittedLibrdkafka(t *testing.T) {
	kcat := requireTool(t, "kcat")
	python := requireTool(t, "/usr/bin/python3")
	n := StartSingleNode(t)
	const topic, partitions, txns, perPartition = "txn-librdkafka", 3, 10, 4
	createTopic(t, n.BrokerAddr, topic, partitions, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "testdata", "txn_producer.py")
	cmd := exec.CommandContext(ctx, python, script, n.BrokerAddr, topic, strconv.Itoa(partitions), strconv.Itoa(txns), strconv.Itoa(perPartition))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	next := func() string {
		if !lines.Scan() {
			t.Fatalf("the librdkafka producer ended early: %v\n%s", cmd.Wait(), stderr.String())
		}
		return lines.Text()
	}
	if l := next(); l != "OPEN" {
		t.Fatalf("the librdkafka producer said %q, want OPEN\n%s", l, stderr.String())
	}
	openFirst := map[int32]int64{}
	for l := next(); l != "READY"; l = next() {
		var p int32
		var off int64
		if _, err := fmt.Sscan(l, &p, &off); err != nil {
			t.Fatalf("the librdkafka producer said %q: %v", l, err)
		}
		openFirst[p] = off
	}

	want := newTxnLayout()
	open := map[int32][]string{}
	for i := range txns {
		for p := range int32(partitions) {
			for r := range perPartition {
				want.add(p, fmt.Sprintf("%d-%d-%d", i, p, r), i%2 == 0)
			}
		}
	}
	for p := range int32(partitions) {
		for r := range perPartition {
			open[p] = append(open[p], fmt.Sprintf("open-%d-%d", p, r))
		}
	}
	if got := kcatRead(ctx, t, kcat, n.BrokerAddr, topic, "read_committed"); !equalLayouts(got, want.committed) {
		t.Fatalf("kcat read_committed read\n%v\nwant the committed records\n%v", got, want.committed)
	}
	all := map[int32][]string{}
	for p := range want.all {
		all[p] = append(slices.Clone(want.all[p]), open[p]...)
	}
	if got := kcatRead(ctx, t, kcat, n.BrokerAddr, topic, "read_uncommitted"); !equalLayouts(got, all) {
		t.Fatalf("kcat read_uncommitted read\n%v\nwant every record\n%v", got, all)
	}
	adm := kadm.NewClient(newClient(t, n.BrokerAddr))
	lso, err := adm.ListCommittedOffsets(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	for p, first := range openFirst {
		if o, _ := lso.Lookup(topic, p); o.Offset != first {
			t.Errorf("ListOffsets read_committed latest of partition %d is %d, want the open transaction's first offset %d", p, o.Offset, first)
		}
	}

	if _, err := fmt.Fprintln(stdin, "commit"); err != nil {
		t.Fatal(err)
	}
	if l := next(); l != "COMMITTED" {
		t.Fatalf("the librdkafka producer said %q, want COMMITTED\n%s", l, stderr.String())
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the librdkafka producer: %v\n%s", err, stderr.String())
	}
	for p := range want.committed {
		want.committed[p] = append(want.committed[p], open[p]...)
	}
	if got := kcatRead(ctx, t, kcat, n.BrokerAddr, topic, "read_committed"); !equalLayouts(got, want.committed) {
		t.Fatalf("after the commit kcat read_committed read\n%v\nwant\n%v", got, want.committed)
	}
}

// produceTransaction writes perPartition records to every partition in one
// transaction and commits or aborts it, recording what it wrote in want.
func produceTransaction(ctx context.Context, t *testing.T, cl *kgo.Client, partitions int32, perPartition int, value func(p int32, r int) string, want *txnLayout, commit bool) {
	t.Helper()
	if err := cl.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	var recs []*kgo.Record
	for p := range partitions {
		for r := range perPartition {
			v := value(p, r)
			recs = append(recs, &kgo.Record{Partition: p, Value: []byte(v)})
			want.add(p, v, commit)
		}
	}
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatalf("produce in a transaction: %v", err)
	}
	end := kgo.TryAbort
	if commit {
		end = kgo.TryCommit
	}
	if err := cl.EndTransaction(ctx, end); err != nil {
		t.Fatalf("end transaction (commit %v): %v", commit, err)
	}
}

func valuesOf(recs []*kgo.Record, partition int32) []string {
	var out []string
	for _, r := range recs {
		if r.Partition == partition {
			out = append(out, string(r.Value))
		}
	}
	return out
}

// kcatRead reads topic to the end of every partition with the isolation level given
// and returns each partition's values in offset order.
func kcatRead(ctx context.Context, t *testing.T, kcat, addr, topic, isolation string) map[int32][]string {
	t.Helper()
	out, err := exec.CommandContext(ctx, kcat, "-C", "-b", addr, "-t", topic, "-o", "beginning", "-e", "-q",
		"-X", "isolation.level="+isolation, "-f", "%p %s\n").CombinedOutput()
	if err != nil {
		t.Fatalf("kcat -C %s: %v\n%s", isolation, err, out)
	}
	got := map[int32][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line == "" {
			continue
		}
		ps, v, _ := strings.Cut(line, " ")
		p, err := strconv.Atoi(ps)
		if err != nil {
			t.Fatalf("kcat printed %q", line)
		}
		got[int32(p)] = append(got[int32(p)], v)
	}
	return got
}

func equalLayouts(a, b map[int32][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for p, vs := range a {
		if !slices.Equal(vs, b[p]) {
			return false
		}
	}
	return true
}

// isolatedConsumer reads a topic from the start with one isolation level and keeps,
// per partition, the values in the order received and the last stable offset and
// high watermark of the latest fetch.
type isolatedConsumer struct {
	cl  *kgo.Client
	got map[int32][]string
	lso map[int32]int64
	hw  map[int32]int64
}

func startIsolatedConsumer(t *testing.T, addr, topic string, level kgo.IsolationLevel) *isolatedConsumer {
	return newIsolatedConsumer(newClient(t, addr, isolatedConsumerOpts(topic, level)...))
}

// isolatedConsumerOpts are the options of an isolatedConsumer's client.
func isolatedConsumerOpts(topic string, level kgo.IsolationLevel) []kgo.Opt {
	return []kgo.Opt{kgo.ConsumeTopics(topic), kgo.FetchIsolationLevel(level),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(200 * time.Millisecond)}
}

func newIsolatedConsumer(cl *kgo.Client) *isolatedConsumer {
	return &isolatedConsumer{cl: cl, got: map[int32][]string{}, lso: map[int32]int64{}, hw: map[int32]int64{}}
}

// pollUntil polls until done says the consumer has seen enough, failing the test
// after a minute.
func (c *isolatedConsumer) pollUntil(t *testing.T, what string, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; read %v (last stable offsets %v, high watermarks %v)", what, c.got, c.lso, c.hw)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		fs := c.cl.PollFetches(ctx)
		cancel()
		fs.EachPartition(func(fp kgo.FetchTopicPartition) {
			if fp.Err != nil {
				return
			}
			c.lso[fp.Partition], c.hw[fp.Partition] = fp.LastStableOffset, fp.HighWatermark
			for _, r := range fp.Records {
				c.got[fp.Partition] = append(c.got[fp.Partition], string(r.Value))
			}
		})
	}
}

// waitExactly polls until the consumer has read as many records as want holds, then
// checks they are want's.
func (c *isolatedConsumer) waitExactly(t *testing.T, want map[int32][]string) {
	t.Helper()
	c.pollUntil(t, "every record expected", func() bool {
		for p, vs := range want {
			if len(c.got[p]) < len(vs) {
				return false
			}
		}
		return true
	})
	if !equalLayouts(c.got, want) {
		t.Fatalf("read\n%v\nwant\n%v", c.got, want)
	}
}

// waitStable polls until the consumer has read want and the broker has told it that
// each partition's last stable offset is lso[partition], below the high watermark: the
// consumer has reached the open transaction and may read no further.
func (c *isolatedConsumer) waitStable(t *testing.T, want map[int32][]string, lso map[int32]int64) {
	t.Helper()
	c.pollUntil(t, "the consumer to reach the open transaction's last stable offset", func() bool {
		for p, vs := range want {
			if len(c.got[p]) < len(vs) || c.lso[p] != lso[p] || c.hw[p] <= lso[p] {
				return false
			}
		}
		return true
	})
	if !equalLayouts(c.got, want) {
		t.Fatalf("read_committed read\n%v\nwant\n%v", c.got, want)
	}
}
