package zkmode

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/internal/zktest"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// failoverWithin is how soon another broker must be controller once the old one's
// ephemeral is gone: the election is driven by the watch, not by polling.
const failoverWithin = 5 * time.Second

// termRecorder is a ControllerListener that keeps the current term and every epoch it
// was given, and fails the test if a term starts before the last one ended.
type termRecorder struct {
	t       *testing.T
	id      int32
	mu      sync.Mutex
	term    *FencedWriter
	epochs  []int32
	resigns int
}

func (r *termRecorder) OnBecomeController(w *FencedWriter) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.term != nil {
		r.t.Errorf("broker %d: new term %d while term %d has not ended", r.id, w.Epoch(), r.term.Epoch())
	}
	r.term = w
	r.epochs = append(r.epochs, w.Epoch())
}

func (r *termRecorder) OnResign() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.term == nil {
		r.t.Errorf("broker %d: resigned without a term", r.id)
	}
	r.term = nil
	r.resigns++
}

func (r *termRecorder) current() *FencedWriter {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.term
}

func (r *termRecorder) history() (epochs []int32, resigns int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.epochs), r.resigns
}

// electionBroker is one broker's session and elector.
type electionBroker struct {
	id   int32
	conn *Conn
	rec  *termRecorder
	stop func()
}

// startElectors dials one session per id to connect and runs an elector on each; they
// are stopped, then their sessions closed, when the test ends.
func startElectors(t *testing.T, connect string, ids ...int32) []*electionBroker {
	t.Helper()
	var out []*electionBroker
	for _, id := range ids {
		conn := dial(t, connect)
		out = append(out, runElector(t, conn, id))
	}
	return out
}

// runElector runs an elector for broker id on conn until stop is called or the test ends.
func runElector(t *testing.T, conn *Conn, id int32) *electionBroker {
	t.Helper()
	rec := &termRecorder{t: t, id: id}
	e := NewControllerElector(conn, id, rec, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.Run(ctx)
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Errorf("broker %d: elector still running 20s after it was stopped", id)
			}
		})
	}
	t.Cleanup(stop)
	return &electionBroker{id: id, conn: conn, rec: rec, stop: stop}
}

// waitFor polls cond until it holds, failing the test after within.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", within, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// controllers returns the brokers that hold a term and their terms' epochs.
func controllers(brokers []*electionBroker) ([]*electionBroker, []int32) {
	var active []*electionBroker
	var epochs []int32
	for _, b := range brokers {
		if w := b.rec.current(); w != nil {
			active = append(active, b)
			epochs = append(epochs, w.Epoch())
		}
	}
	return active, epochs
}

// waitController waits until exactly one of brokers holds a term with epoch, and
// returns it.
func waitController(t *testing.T, within time.Duration, brokers []*electionBroker, epoch int32) *electionBroker {
	t.Helper()
	var winner *electionBroker
	waitFor(t, within, fmt.Sprintf("one controller with epoch %d", epoch), func() bool {
		active, epochs := controllers(brokers)
		if len(active) != 1 || epochs[0] != epoch {
			return false
		}
		winner = active[0]
		return true
	})
	return winner
}

// assertController checks /controller and /controller_epoch as seen from c.
func assertController(t *testing.T, c *Conn, winner *electionBroker, epoch int32) {
	t.Helper()
	id, got, err := CurrentController(context.Background(), c)
	if err != nil || id != winner.id || got != epoch {
		t.Fatalf("CurrentController = %d, %d, %v; want %d, %d", id, got, err, winner.id, epoch)
	}
	if data := mustGet(t, c, "/controller_epoch"); data != fmt.Sprint(epoch) {
		t.Fatalf("/controller_epoch = %q, want %q", data, fmt.Sprint(epoch))
	}
	if stat := mustExist(t, c, "/controller", true); stat.EphemeralOwner != winner.conn.SessionID() {
		t.Fatalf("/controller owner 0x%x, want the winner's session 0x%x", stat.EphemeralOwner, winner.conn.SessionID())
	}
}

// probeWrite is a controller write the fencing tests try: the creation of /probe.
func probeWrite(ctx context.Context, w *FencedWriter, data string) error {
	_, err := w.Multi(ctx, &zk.CreateRequest{Path: "/probe", Data: []byte(data)})
	return err
}

func TestControllerElection(t *testing.T) {
	srv := zktest.Start(t)
	ctx := context.Background()

	t.Run("OneOfThreeWins", func(t *testing.T) {
		connect := srv.Addr() + "/one"
		brokers := startElectors(t, connect, 1, 2, 3)
		winner := waitController(t, 20*time.Second, brokers, 1)
		observer := dial(t, connect)
		assertController(t, observer, winner, 1)
		data := mustGet(t, observer, "/controller")
		fields := jsonFields(t, data)
		if fields["version"] != 2.0 || fields["brokerid"] != float64(winner.id) || fields["kraftControllerEpoch"] != -1.0 {
			t.Fatalf("/controller = %s, want v2 naming broker %d with kraftControllerEpoch -1", data, winner.id)
		}
		if _, ok := fields["timestamp"].(string); !ok {
			t.Fatalf("/controller timestamp is not a string: %s", data)
		}
		// Losers stay losers: nothing more happens while the controller lives.
		time.Sleep(500 * time.Millisecond)
		if active, _ := controllers(brokers); len(active) != 1 || active[0] != winner {
			t.Fatalf("%d controllers after the election settled", len(active))
		}
		assertController(t, observer, winner, 1)
	})

	t.Run("FailoverFencesOldController", func(t *testing.T) {
		connect := srv.Addr() + "/failover"
		brokers := startElectors(t, connect, 1, 2, 3)
		old := waitController(t, 20*time.Second, brokers, 1)
		stale := old.rec.current()

		old.conn.Close()
		began := time.Now()
		var rest []*electionBroker
		for _, b := range brokers {
			if b != old {
				rest = append(rest, b)
			}
		}
		successor := waitController(t, failoverWithin, rest, 2)
		t.Logf("broker %d took over from broker %d in %v", successor.id, old.id, time.Since(began).Round(time.Millisecond))
		observer := dial(t, connect)
		assertController(t, observer, successor, 2)
		old.stop()
		if old.rec.current() != nil {
			t.Fatal("the old controller did not resign when its session closed")
		}

		// The old controller comes back with its epoch-1 term (on a live session, as a
		// paused process would): its write is refused and not applied.
		revived := NewFencedWriter(observer, stale.Epoch(), stale.EpochZkVersion())
		err := probeWrite(ctx, revived, "stale")
		if !errors.Is(err, ErrControllerMoved) || !errors.Is(err, zk.ErrBadVersion) {
			t.Fatalf("write of the epoch-1 controller: %v, want ErrControllerMoved", err)
		}
		mustExist(t, observer, "/probe", false)

		if err := probeWrite(ctx, successor.rec.current(), "current"); err != nil {
			t.Fatalf("write of the epoch-2 controller: %v", err)
		}
		if got := mustGet(t, observer, "/probe"); got != "current" {
			t.Fatalf("/probe = %q", got)
		}
	})

	t.Run("SessionExpiryResigns", func(t *testing.T) {
		connect := srv.Addr() + "/expiry"
		brokers := startElectors(t, connect, 1, 2, 3)
		old := waitController(t, 20*time.Second, brokers, 1)
		stale := old.rec.current()
		session := old.conn.SessionID()

		srv.ExpireSession(session)
		var rest []*electionBroker
		for _, b := range brokers {
			if b != old {
				rest = append(rest, b)
			}
		}
		successor := waitController(t, failoverWithin, rest, 2)
		waitFor(t, failoverWithin, "the expired controller resigns", func() bool { return old.rec.current() == nil })
		waitFor(t, 20*time.Second, "a new session for the expired broker", func() bool {
			id := old.conn.SessionID()
			return id != 0 && id != session
		})
		observer := dial(t, connect)
		assertController(t, observer, successor, 2)
		if epochs, resigns := old.rec.history(); !slices.Equal(epochs, []int32{1}) || resigns != 1 {
			t.Fatalf("expired broker's terms %v with %d resignations, want [1] and 1", epochs, resigns)
		}

		// Its epoch-1 writer, now on the new session, is fenced.
		if err := probeWrite(ctx, stale, "stale"); !errors.Is(err, ErrControllerMoved) {
			t.Fatalf("write of the expired controller: %v, want ErrControllerMoved", err)
		}
		mustExist(t, observer, "/probe", false)
	})

	t.Run("StoppedElectorGivesUpController", func(t *testing.T) {
		connect := srv.Addr() + "/stop"
		brokers := startElectors(t, connect, 1, 2)
		old := waitController(t, 20*time.Second, brokers, 1)
		old.stop()
		if old.rec.current() != nil {
			t.Fatal("the stopped elector did not resign")
		}
		// Its session lives on, so only the delete lets the other broker in this soon.
		successor := waitController(t, failoverWithin, brokers, 2)
		if successor == old {
			t.Fatal("the stopped elector won again")
		}
		assertController(t, old.conn, successor, 2)
	})

	t.Run("KRaftControllerTakesOver", func(t *testing.T) {
		connect := srv.Addr() + "/kraft"
		brokers := startElectors(t, connect, 1, 2)
		old := waitController(t, 20*time.Second, brokers, 1)
		stale := old.rec.current()
		kraft := dial(t, connect)

		// KafkaZkClient.tryRegisterKRaftControllerAsActiveController (docs/kafka-compatibility.md, "Claiming the controller").
		_, epochStat, err := kraft.Get(ctx, "/controller_epoch")
		if err != nil {
			t.Fatal(err)
		}
		_, controllerStat, err := kraft.Get(ctx, "/controller")
		if err != nil {
			t.Fatal(err)
		}
		kraftController := znode.EncodeController(znode.ControllerZNode{BrokerID: 3000, Timestamp: time.Now().UnixMilli(), KRaftControllerEpoch: 5})
		if _, err := kraft.Multi(ctx,
			&zk.SetDataRequest{Path: "/controller_epoch", Data: []byte("2"), Version: epochStat.Version},
			&zk.DeleteRequest{Path: "/controller", Version: controllerStat.Version},
			&zk.CreateRequest{Path: "/controller", Data: kraftController, Flags: zk.FlagPersistent},
		); err != nil {
			t.Fatalf("KRaft controller registration: %v", err)
		}

		waitFor(t, failoverWithin, "the ZooKeeper controller resigns", func() bool { return old.rec.current() == nil })
		if err := probeWrite(ctx, stale, "stale"); !errors.Is(err, ErrControllerMoved) {
			t.Fatalf("write of the fenced ZooKeeper controller: %v, want ErrControllerMoved", err)
		}
		// A broker starting now sees the persistent /controller too.
		brokers = append(brokers, startElectors(t, connect, 3)...)
		time.Sleep(time.Second)
		if active, _ := controllers(brokers); len(active) != 0 {
			t.Fatalf("broker %d was elected over a KRaft controller's /controller", active[0].id)
		}
		id, epoch, err := CurrentController(ctx, kraft)
		if err != nil || id != 3000 || epoch != 2 {
			t.Fatalf("CurrentController = %d, %d, %v; want the KRaft controller 3000 at epoch 2", id, epoch, err)
		}
		mustExist(t, kraft, "/probe", false)
	})

	t.Run("AdoptsElectionWhoseAnswerWasLost", func(t *testing.T) {
		connect := srv.Addr() + "/adopt"
		conn := dial(t, connect)
		// The election's multi went through but the elector never learnt of it.
		epoch, zkVersion, err := registerControllerAndIncrementControllerEpoch(ctx, conn, 1)
		if err != nil || epoch != 1 {
			t.Fatalf("registration: epoch %d, %v", epoch, err)
		}
		brokers := []*electionBroker{runElector(t, conn, 1)}
		brokers = append(brokers, startElectors(t, connect, 2)...)
		winner := waitController(t, 20*time.Second, brokers, 1)
		if winner.id != 1 || winner.rec.current().EpochZkVersion() != zkVersion {
			t.Fatalf("broker %d controller with zkVersion %d, want broker 1 with %d", winner.id, winner.rec.current().EpochZkVersion(), zkVersion)
		}
		assertController(t, conn, winner, 1)
	})
}
