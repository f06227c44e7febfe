package group

import (
	"context"
	"io"
	"log/slog"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/broker/coordlog"
	"github.com/kbridge/kbridge/broker/coordlog/coordlogtest"
)

// fakeClock fires timers only when a test advances it.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	c    *fakeClock
	at   time.Time
	f    func()
	done bool
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := !t.done
	t.done = true
	return was
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

// Advance moves time forward, firing due timers in order, each at its own time.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	target := c.now.Add(d)
	for {
		sort.SliceStable(c.timers, func(i, j int) bool { return c.timers[i].at.Before(c.timers[j].at) })
		var next *fakeTimer
		for _, t := range c.timers {
			if !t.done && !t.at.After(target) {
				next = t
				break
			}
		}
		if next == nil {
			break
		}
		next.done = true
		c.now = next.at
		c.mu.Unlock()
		next.f()
		c.mu.Lock()
	}
	c.now = target
	c.mu.Unlock()
}

// fakeLog is an in-memory __consumer_offsets.
type fakeLog struct{ *coordlogtest.MemLog }

func newFakeLog() *fakeLog { return &fakeLog{coordlogtest.New()} }

// records decodes everything written to a partition but transaction markers.
func (l *fakeLog) records(t *testing.T, partition int32) []logRecord {
	t.Helper()
	data, _ := l.Read(partition, 0)
	var out []logRecord
	if _, err := coordlog.ForEachRecord(data, func(b *coordlog.Batch, _ int64, k, v []byte) error {
		if b.Control {
			return nil
		}
		rec, err := decodeRecord(k, v)
		out = append(out, rec)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

var quietLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

const testGroup = "my-group" // partition 36 of 50

var testConfig = Config{
	NumPartitions:         50,
	MinSessionTimeout:     6 * time.Second,
	MaxSessionTimeout:     30 * time.Second,
	InitialRebalanceDelay: 3 * time.Second,
	MaxSize:               3,
	OffsetsRetention:      time.Hour,
}

// testNow is when every test starts.
var testNow = time.UnixMilli(1_700_000_000_000)

// newTestCoordinator owns every partition, already loaded.
func newTestCoordinator(t *testing.T) (*Coordinator, *fakeClock, *fakeLog) {
	t.Helper()
	clk := &fakeClock{now: testNow}
	l := newFakeLog()
	c := New(testConfig, l, clk, quietLogger)
	c.BecomeLeader(36, 0)
	waitLoaded(t, c)
	t.Cleanup(c.Close)
	return c, clk, l
}

func waitLoaded(t *testing.T, c *Coordinator) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c.mu.Lock()
		err := c.checkOwner(testGroup)
		c.mu.Unlock()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("partition not loaded: %v", err)
		}
		time.Sleep(time.Millisecond)
	}
}

func joinReq(memberID string, instance *string, protocols ...string) *kmsg.JoinGroupRequest {
	r := kmsg.NewPtrJoinGroupRequest()
	r.Version = 9
	r.Group = testGroup
	r.MemberID = memberID
	r.InstanceID = instance
	r.SessionTimeoutMillis = 10000
	r.RebalanceTimeoutMillis = 20000
	r.ProtocolType = "consumer"
	if len(protocols) == 0 {
		protocols = []string{"range"}
	}
	for _, p := range protocols {
		r.Protocols = append(r.Protocols, kmsg.JoinGroupRequestProtocol{Name: p, Metadata: []byte(p)})
	}
	return r
}

// joinAsync sends a JoinGroup that may park; the result arrives on the channel.
func joinAsync(c *Coordinator, req *kmsg.JoinGroupRequest) <-chan *kmsg.JoinGroupResponse {
	ch := make(chan *kmsg.JoinGroupResponse, 1)
	go func() { ch <- c.JoinGroup(context.Background(), req, "client", "/127.0.0.1") }()
	return ch
}

func syncAsync(c *Coordinator, memberID string, gen int32, assignment map[string]string) <-chan *kmsg.SyncGroupResponse {
	r := kmsg.NewPtrSyncGroupRequest()
	r.Version = 5
	r.Group, r.MemberID, r.Generation = testGroup, memberID, gen
	for m, a := range assignment {
		r.GroupAssignment = append(r.GroupAssignment, kmsg.SyncGroupRequestGroupAssignment{MemberID: m, MemberAssignment: []byte(a)})
	}
	ch := make(chan *kmsg.SyncGroupResponse, 1)
	go func() { ch <- c.SyncGroup(context.Background(), r) }()
	return ch
}

func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatal("no response")
	}
	var zero T
	return zero
}

// parked checks a request has not been answered, giving it a moment to be handled.
func parked[T any](t *testing.T, ch <-chan T) {
	t.Helper()
	select {
	case v := <-ch:
		t.Fatalf("answered early: %+v", v)
	case <-time.After(20 * time.Millisecond):
	}
}

func heartbeat(c *Coordinator, memberID string, gen int32, instance *string) int16 {
	r := kmsg.NewPtrHeartbeatRequest()
	r.Version = 4
	r.Group, r.MemberID, r.Generation, r.InstanceID = testGroup, memberID, gen, instance
	return c.Heartbeat(r).ErrorCode
}

func state(c *Coordinator) (State, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	g := c.groups[testGroup]
	if g == nil {
		return Dead, 0
	}
	return g.state, len(g.members)
}

// stableGroup brings n dynamic members to Stable in generation 1 and returns their ids.
func stableGroup(t *testing.T, c *Coordinator, clk *fakeClock, n int) []string {
	t.Helper()
	var ids []string
	var waits []<-chan *kmsg.JoinGroupResponse
	for i := 0; i < n; i++ {
		first := recv(t, joinAsync(c, joinReq("", nil)))
		if first.ErrorCode != kerr.MemberIDRequired.Code {
			t.Fatalf("first join: error %d, want MEMBER_ID_REQUIRED", first.ErrorCode)
		}
		ids = append(ids, first.MemberID)
		waits = append(waits, joinAsync(c, joinReq(first.MemberID, nil)))
	}
	for _, w := range waits {
		parked(t, w)
	}
	// Members that joined during the initial delay extend it once more.
	clk.Advance(2 * testConfig.InitialRebalanceDelay)
	var leader string
	for _, w := range waits {
		r := recv(t, w)
		if r.ErrorCode != 0 || r.Generation != 1 {
			t.Fatalf("join: error %d generation %d", r.ErrorCode, r.Generation)
		}
		leader = r.LeaderID
	}
	assignment := map[string]string{}
	for _, id := range ids {
		assignment[id] = "assigned-" + id
	}
	var syncs []<-chan *kmsg.SyncGroupResponse
	for _, id := range ids {
		if id != leader {
			syncs = append(syncs, syncAsync(c, id, 1, nil))
		}
	}
	syncs = append(syncs, syncAsync(c, leader, 1, assignment))
	for _, s := range syncs {
		if r := recv(t, s); r.ErrorCode != 0 {
			t.Fatalf("sync: error %d", r.ErrorCode)
		}
	}
	if st, _ := state(c); st != Stable {
		t.Fatalf("group is %s after sync, want Stable", st)
	}
	return ids
}
