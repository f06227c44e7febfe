package kwire

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// fakeController listens as controller id: it serves ApiVersions and BrokerHeartbeat,
// answering NOT_CONTROLLER unless active holds its id, and counts the heartbeats it
// was sent.
func fakeController(t *testing.T, id int32, active *atomic.Int32, heartbeats *atomic.Int32) Peer {
	t.Helper()
	addr := fakeKafka(t, func(req kmsg.Request) kmsg.Response {
		if _, ok := req.(*kmsg.ApiVersionsRequest); ok {
			return apiVersions(req, map[int16]int16{18: 1, 63: 1})
		}
		heartbeats.Add(1)
		hb := req.ResponseKind().(*kmsg.BrokerHeartbeatResponse)
		if active.Load() != id {
			hb.ErrorCode = kerr.NotController.Code
		}
		return hb
	})
	return Peer{ID: id, Addr: addr}
}

// TestControllerChannelFindsTheActiveController: a request goes to the hinted
// controller first, moves on past NOT_CONTROLLER to the active one, goes next time
// straight to the one that last answered (after the hint), follows the active
// controller when it moves, and ends with the context when none is active.
func TestControllerChannelFindsTheActiveController(t *testing.T) {
	var active atomic.Int32
	active.Store(3)
	heartbeats := make([]atomic.Int32, 4)
	var peers []Peer
	for id := int32(1); id <= 3; id++ {
		peers = append(peers, fakeController(t, id, &active, &heartbeats[id]))
	}
	ch := NewControllerChannel(peers, "test", func() int32 { return 1 }, Security{}) // a stale hint
	defer ch.Close()
	send := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		resp, err := ch.Request(ctx, kmsg.NewPtrBrokerHeartbeatRequest())
		if err != nil {
			return err
		}
		if code := resp.(*kmsg.BrokerHeartbeatResponse).ErrorCode; code != 0 {
			t.Fatalf("the channel returned an answer with error code %d", code)
		}
		return nil
	}
	counts := func() [3]int32 {
		return [3]int32{heartbeats[1].Load(), heartbeats[2].Load(), heartbeats[3].Load()}
	}

	if err := send(); err != nil {
		t.Fatal(err)
	}
	if got := counts(); got != [3]int32{1, 1, 1} {
		t.Fatalf("first request: heartbeats per controller %v, want [1 1 1] (hint, then each voter)", got)
	}
	if err := send(); err != nil {
		t.Fatal(err)
	}
	if got := counts(); got != [3]int32{2, 1, 2} {
		t.Fatalf("second request: heartbeats per controller %v, want [2 1 2] (hint, then the last to answer)", got)
	}
	active.Store(2)
	if err := send(); err != nil {
		t.Fatal(err)
	}
	if got := counts(); got != [3]int32{3, 2, 3} {
		t.Fatalf("after the move: heartbeats per controller %v, want [3 2 3]", got)
	}
	active.Store(-1)
	if err := send(); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("with no active controller: %v, want the context's deadline", err)
	}
}
