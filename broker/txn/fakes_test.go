package txn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/broker/coordlog"
	"github.com/kbridge/kbridge/broker/coordlog/coordlogtest"
	"github.com/kbridge/kbridge/broker/group"
)

// fakeClock fires timers only when a test advances it.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	c  *fakeClock
	at time.Time
	f  func()
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	for i, o := range t.c.timers {
		if o == t {
			t.c.timers = append(t.c.timers[:i], t.c.timers[i+1:]...)
			return true
		}
	}
	return false
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) group.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

// pending is how many timers are set.
func (c *fakeClock) pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// Advance moves time forward, firing due timers in order, each at its own time.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	target := c.now.Add(d)
	for {
		next := -1
		for i, t := range c.timers {
			if !t.at.After(target) && (next < 0 || t.at.Before(c.timers[next].at)) {
				next = i
			}
		}
		if next < 0 {
			break
		}
		t := c.timers[next]
		c.timers = append(c.timers[:next], c.timers[next+1:]...)
		c.now = t.at
		c.mu.Unlock()
		t.f()
		c.mu.Lock()
	}
	c.now = target
	c.mu.Unlock()
}

// fakeLog is an in-memory __transaction_state.
type fakeLog struct{ *coordlogtest.MemLog }

func newFakeLog() *fakeLog { return &fakeLog{coordlogtest.New()} }

// logRecord is one decoded __transaction_state record; a nil value is a tombstone.
type logRecord struct {
	id    string
	value *kmsg.TxnMetadataValue
}

// records decodes what was written to a partition, skipping the records a test
// wrote to be unreadable.
func (l *fakeLog) records(t *testing.T, partition int32) []logRecord {
	t.Helper()
	data, _ := l.Read(partition, 0)
	var out []logRecord
	if _, err := coordlog.ForEachRecord(data, func(_ *coordlog.Batch, _ int64, k, v []byte) error {
		var key kmsg.TxnMetadataKey
		if err := key.ReadFrom(k); err != nil || key.Version != 0 {
			return nil
		}
		rec := logRecord{id: key.TransactionalID}
		if v != nil {
			rec.value = new(kmsg.TxnMetadataValue)
			if err := rec.value.ReadFrom(v); err != nil {
				return nil
			}
		}
		out = append(out, rec)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// lastRecord is the last record written for an id.
func (l *fakeLog) lastRecord(t *testing.T, partition int32, id string) logRecord {
	t.Helper()
	recs := l.records(t, partition)
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].id == id {
			return recs[i]
		}
	}
	t.Fatalf("no record of %s", id)
	return logRecord{}
}

// write appends a record as another broker would have.
func (l *fakeLog) write(t *testing.T, partition int32, id string, v *kmsg.TxnMetadataValue) {
	t.Helper()
	rec := coordlog.Record{Key: encodeKey(id)}
	if v != nil {
		rec.Value = v.AppendTo(nil)
	}
	if err := l.Append(context.Background(), partition, coordlog.EncodeBatch([]coordlog.Record{rec}, 1)); err != nil {
		t.Fatal(err)
	}
}

// fakePIDs counts producer ids up from 1000.
type fakePIDs struct {
	mu   sync.Mutex
	next int64
	err  error
}

func (p *fakePIDs) NextProducerID(context.Context) (int64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return -1, p.err
	}
	id := p.next
	p.next++
	return id, nil
}

// fakeMarkers records the markers asked for; calls fail while failures lasts, and
// wait while gate is set.
type fakeMarkers struct {
	mu       sync.Mutex
	calls    []Marker
	failures int
	gate     chan struct{}
}

func (f *fakeMarkers) WriteMarkers(ctx context.Context, m Marker) error {
	f.mu.Lock()
	f.calls = append(f.calls, m)
	gate := f.gate
	fail := f.failures > 0
	if fail {
		f.failures--
	}
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return fmt.Errorf("markers of %s: %w", m.TransactionalID, ctx.Err())
		}
	}
	if fail {
		return errors.New("leader not available")
	}
	return nil
}

func (f *fakeMarkers) hold() (release func()) {
	gate := make(chan struct{})
	f.mu.Lock()
	f.gate = gate
	f.mu.Unlock()
	return func() {
		f.mu.Lock()
		f.gate = nil
		f.mu.Unlock()
		close(gate)
	}
}

func (f *fakeMarkers) written() []Marker {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Marker(nil), f.calls...)
}

var quietLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

// The test coordinator owns partitions 0-2 of 4 at leader epoch 7; partition 3 is
// another broker's.
const (
	testEpoch     = 7
	unownedPart   = 3
	testTimeoutMs = 60_000
)

var testConfig = Config{NumPartitions: 4, MaxTimeout: 15 * time.Minute}

type harness struct {
	c       *Coordinator
	clk     *fakeClock
	log     *fakeLog
	pids    *fakePIDs
	markers *fakeMarkers
}

func newHarness(t *testing.T, cfg Config, owned ...int32) *harness {
	t.Helper()
	h := &harness{
		clk:     &fakeClock{now: time.UnixMilli(1_700_000_000_000)},
		log:     newFakeLog(),
		pids:    &fakePIDs{next: 1000},
		markers: &fakeMarkers{},
	}
	h.c = New(cfg, h.log, h.pids, h.markers, h.clk, quietLogger)
	t.Cleanup(h.c.Close)
	for _, p := range owned {
		h.c.BecomeLeader(p, testEpoch)
		h.waitLoaded(t, p)
	}
	return h
}

func newTestHarness(t *testing.T) *harness {
	return newHarness(t, testConfig, 0, 1, 2)
}

func (h *harness) waitLoaded(t *testing.T, partition int32) {
	t.Helper()
	eventually(t, fmt.Sprintf("partition %d loaded", partition), func() bool {
		h.c.mu.Lock()
		defer h.c.mu.Unlock()
		op, ok := h.c.parts[partition]
		return ok && !op.loading
	})
}

// eventually polls cond until it holds, failing the test after 5 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// idIn is a transactional id of the given partition.
func idIn(c *Coordinator, partition int32, n int) string {
	for i := 0; ; i++ {
		id := fmt.Sprintf("txn-%d-%d", n, i)
		if c.PartitionFor(id) == partition {
			return id
		}
	}
}

// snapshot is a transactional id's metadata as the coordinator holds it.
type snapshot struct {
	state, pending txnState
	producerID     int64
	epoch          int16
	partitions     int
}

func (h *harness) snapshot(id string) (snapshot, bool) {
	h.c.mu.Lock()
	defer h.c.mu.Unlock()
	op, ok := h.c.parts[h.c.PartitionFor(id)]
	if !ok || op.txns[id] == nil {
		return snapshot{}, false
	}
	m := op.txns[id]
	return snapshot{state: m.state, pending: m.pending, producerID: m.producerID, epoch: m.producerEpoch, partitions: len(m.partitions)}, true
}

func (h *harness) waitState(t *testing.T, id string, s txnState) snapshot {
	t.Helper()
	var snap snapshot
	eventually(t, fmt.Sprintf("%s in %s", id, s), func() bool {
		var ok bool
		snap, ok = h.snapshot(id)
		return ok && snap.state == s && snap.pending == noState
	})
	return snap
}

// advanceOnceWaiting advances the clock by d once n timers are set, so a
// background retry has scheduled itself before time moves.
func (h *harness) advanceOnceWaiting(t *testing.T, n int, d time.Duration) {
	t.Helper()
	eventually(t, fmt.Sprintf("%d timers", n), func() bool { return h.clk.pending() >= n })
	h.clk.Advance(d)
}

// periodicTimers is how many timers the coordinator's periodic checks hold.
const periodicTimers = 2

func initReq(id *string, version int16, producerID int64, epoch int16) *kmsg.InitProducerIDRequest {
	r := kmsg.NewPtrInitProducerIDRequest()
	r.Version = version
	r.TransactionalID = id
	r.TransactionTimeoutMillis = testTimeoutMs
	r.ProducerID, r.ProducerEpoch = producerID, epoch
	return r
}

// initProducer initializes id as a new producer (v5, no producer of its own).
func (h *harness) initProducer(t *testing.T, id string) (int64, int16) {
	t.Helper()
	r := h.c.InitProducerID(context.Background(), initReq(&id, 5, -1, -1))
	if r.ErrorCode != 0 {
		t.Fatalf("InitProducerId %s: error %d", id, r.ErrorCode)
	}
	return r.ProducerID, r.ProducerEpoch
}

func addReq(version int16, id string, producerID int64, epoch int16, topic string, partitions ...int32) *kmsg.AddPartitionsToTxnRequest {
	r := kmsg.NewPtrAddPartitionsToTxnRequest()
	r.Version = version
	r.TransactionalID, r.ProducerID, r.ProducerEpoch = id, producerID, epoch
	r.Topics = []kmsg.AddPartitionsToTxnRequestTopic{{Topic: topic, Partitions: partitions}}
	return r
}

// addPartitions adds partitions of topic through a v3 request and returns the one
// error code all of them got.
func (h *harness) addPartitions(t *testing.T, version int16, id string, producerID int64, epoch int16, topic string, partitions ...int32) int16 {
	t.Helper()
	resp := h.c.AddPartitionsToTxn(addReq(version, id, producerID, epoch, topic, partitions...), nil)
	if len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != len(partitions) {
		t.Fatalf("AddPartitionsToTxn answered %+v", resp.Topics)
	}
	code := resp.Topics[0].Partitions[0].ErrorCode
	for _, p := range resp.Topics[0].Partitions {
		if p.ErrorCode != code {
			t.Fatalf("partitions answered differently: %+v", resp.Topics[0].Partitions)
		}
	}
	return code
}

func (h *harness) endTxn(version int16, id string, producerID int64, epoch int16, commit bool) int16 {
	r := kmsg.NewPtrEndTxnRequest()
	r.Version = version
	r.TransactionalID, r.ProducerID, r.ProducerEpoch, r.Commit = id, producerID, epoch, commit
	return h.c.EndTxn(r).ErrorCode
}

func codeOf(err *kerr.Error) int16 {
	if err == nil {
		return 0
	}
	return err.Code
}
