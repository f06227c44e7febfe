package kraftbroker

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestRegisterBrokerRacesHeartbeats: a broker that registers again while its heartbeats
// run (a migrating ZooKeeper broker moving to the quorum in place does) has heartbeats
// on their way carrying the epoch it is replacing, which the controller refuses with
// STALE_BROKER_EPOCH. Those refusals must not make the heartbeat loop register yet
// again: that would replace the registration just made with a fenced one, taking the
// broker out of every ISR and leadership (as a 10-40 s stall of the migration
// scenarios showed, with partitions left under min.insync.replicas). Every epoch
// RegisterBroker returns stays the broker's until the next call.
func TestRegisterBrokerRacesHeartbeats(t *testing.T) {
	tc := startController(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	logs := &recordingHandler{}
	_, s := tc.startBrokerSourceWith(t, ctx, func(o *BrokerSourceOptions) {
		o.HeartbeatInterval, o.Logger = time.Millisecond, slog.New(logs)
	})
	reg := registration(101)
	if _, err := s.RegisterBroker(ctx, reg); err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		epoch, err := s.RegisterBroker(ctx, reg)
		if err != nil {
			t.Fatalf("registration %d: %v", i, err)
		}
		// A heartbeat sent after this registration must be answered for it.
		sent := time.Now()
		waitUntil(t, 10*time.Second, "a heartbeat answered after the registration", func() bool {
			return time.Unix(0, s.answered.Load()).After(sent)
		})
		if now := s.Epoch(); now != epoch {
			t.Fatalf("registration %d got broker epoch %d, but the broker source moved on to %d by itself: %s", i, epoch, now, logs.matching("registered again"))
		}
	}
	if again := logs.matching("registered again"); again != "" {
		t.Fatalf("the heartbeat loop registered again after a registration of the broker's own:\n%s", again)
	}
	if refused := logs.matching("heartbeat refused for a registration already replaced"); refused == "" {
		t.Log("no heartbeat raced a registration this run")
	}
}

// recordingHandler keeps every log record's message and attributes, at every level.
type recordingHandler struct {
	mu    sync.Mutex
	lines []string
}

func (h *recordingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordingHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *recordingHandler) WithGroup(string) slog.Handler            { return h }
func (h *recordingHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.String())
		return true
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lines = append(h.lines, b.String())
	return nil
}

// matching joins the lines whose message contains msg.
func (h *recordingHandler) matching(msg string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, l := range h.lines {
		if strings.Contains(l, msg) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
