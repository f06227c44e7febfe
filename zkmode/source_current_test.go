package zkmode

import (
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/internal/zktest"
)

// TestSourceCurrent: a source's tree is current while its session is connected and
// the tree was loaded since; with ZooKeeper gone it is not (the cluster may move on
// unseen), and once ZooKeeper is back it is again only after a reload, both for the
// same session and for a new one after an expiry. A migrating broker on a quorum
// frozen for a rollback leads nothing while its tree is not current.
func TestSourceCurrent(t *testing.T) {
	srv := zktest.Start(t)
	conn := dial(t, srv.Addr()+"/kafka")
	s := startSource(t, conn, "")
	if !s.Current() {
		t.Fatal("a source that just loaded its tree in a connected session is not current")
	}
	events := conn.SessionEvents()

	srv.Stop()
	waitSession(t, events, zk.StateDisconnected)
	waitCurrent(t, s, false, "the connection to ZooKeeper lost")
	loads := s.loads.Load()
	srv.Start()
	waitSession(t, events, zk.StateHasSession)
	waitCurrent(t, s, true, "ZooKeeper back within the session")
	if s.loads.Load() == loads {
		t.Fatal("current again without a load of the tree since the reconnection")
	}

	srv.ExpireSession(conn.SessionID())
	waitSession(t, events, zk.StateExpired)
	loads = s.loads.Load()
	waitSession(t, events, zk.StateHasSession)
	waitCurrent(t, s, true, "a new session after the expiry")
	if s.loads.Load() <= loads+1 {
		// One load is the image the expiry published with no leadership.
		t.Fatal("current in the new session without a load of its tree")
	}
}

func waitCurrent(t *testing.T, s *Source, want bool, what string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for s.Current() != want {
		if time.Now().After(deadline) {
			t.Fatalf("%s: Current() stayed %v", what, !want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
