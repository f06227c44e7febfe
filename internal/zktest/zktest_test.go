package zktest

import (
	"encoding/hex"
	"errors"
	"io"
	"log"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
)

// connect opens a go-zookeeper session to s and waits until it is established.
func connect(t *testing.T, s *Server) (*zk.Conn, <-chan zk.Event) {
	t.Helper()
	conn, events, err := zk.Connect([]string{s.Addr()}, MinSessionTimeout*4, zk.WithLogger(log.New(io.Discard, "", 0)))
	if err != nil {
		t.Fatalf("connect to %s: %v", s.Addr(), err)
	}
	t.Cleanup(conn.Close)
	waitState(t, events, zk.StateHasSession)
	return conn, events
}

// waitState reads session events until one has the wanted state.
func waitState(t *testing.T, events <-chan zk.Event, want zk.State) {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatalf("event channel closed while waiting for %v", want)
			}
			if ev.Type == zk.EventSession && ev.State == want {
				return
			}
		case <-timeout:
			t.Fatalf("no %v event within 20s", want)
		}
	}
}

// getEventually reads a znode, retrying while the client reconnects after a restart.
func getEventually(t *testing.T, conn *zk.Conn, path string) []byte {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		data, _, err := conn.Get(path)
		if err == nil {
			return data
		}
		if errors.Is(err, zk.ErrNoNode) || time.Now().After(deadline) {
			t.Fatalf("get %s: %v", path, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestServerKeepsDataAcrossRestartAndKill(t *testing.T) {
	s := Start(t)
	conn, _ := connect(t, s)
	if _, err := conn.Create("/kbridge", []byte("before restart"), zk.FlagPersistent, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatalf("create: %v", err)
	}
	if got := getEventually(t, conn, "/kbridge"); string(got) != "before restart" {
		t.Fatalf("read %q before restart", got)
	}

	s.Restart()
	if got := getEventually(t, conn, "/kbridge"); string(got) != "before restart" {
		t.Fatalf("read %q after restart", got)
	}
	if _, err := conn.Set("/kbridge", []byte("before kill"), -1); err != nil {
		t.Fatalf("set: %v", err)
	}

	s.Kill()
	if _, err := fourLetterWord(s.Addr(), "conf", time.Second); err == nil {
		t.Fatalf("a killed server still answers on %s", s.Addr())
	}
	s.Start()
	if got := getEventually(t, conn, "/kbridge"); string(got) != "before kill" {
		t.Fatalf("read %q after kill and start", got)
	}
}

func TestServerStopIsIdempotent(t *testing.T) {
	s := Start(t)
	s.Stop()
	s.Stop()
	s.Kill()
	if _, err := fourLetterWord(s.Addr(), "conf", time.Second); err == nil {
		t.Fatalf("a stopped server still answers on %s", s.Addr())
	}
	s.Start()
	if out, err := fourLetterWord(s.Addr(), "ruok", time.Second); err != nil || out != "imok" {
		t.Fatalf("ruok after start: %q, %v", out, err)
	}
}

func TestZkExpireSession(t *testing.T) {
	s := Start(t)
	conn, events := connect(t, s)
	if _, err := conn.Create("/owner", nil, zk.FlagEphemeral, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatalf("create ephemeral: %v", err)
	}
	observer, _ := connect(t, s)
	_, stat, err := observer.Get("/owner")
	if err != nil {
		t.Fatalf("get /owner: %v", err)
	}
	if stat.EphemeralOwner != conn.SessionID() {
		t.Fatalf("ephemeral owner 0x%x, session 0x%x", stat.EphemeralOwner, conn.SessionID())
	}

	expired := conn.SessionID()
	s.ExpireSession(stat.EphemeralOwner)
	if ok, _, err := observer.Exists("/owner"); err != nil || ok {
		t.Fatalf("ephemeral of the expired session: exists=%v err=%v", ok, err)
	}
	waitState(t, events, zk.StateExpired)
	waitState(t, events, zk.StateHasSession)
	if conn.SessionID() == expired {
		t.Fatalf("the client kept session 0x%x after its expiry", expired)
	}
	if err := closeSession(s.Addr(), expired, 5*time.Second); err == nil {
		t.Fatalf("attaching to the expired session 0x%x succeeded", expired)
	}
}

// TestZkSessionPasswordIsJavaRandom pins the generator to values printed by Java:
// new java.util.Random(seed).nextBytes(new byte[16]).
func TestZkSessionPasswordIsJavaRandom(t *testing.T) {
	for _, tc := range []struct {
		seed int64
		want string
	}{
		{42, "359d41baf78afe0de1bbe7ae28c0450c"},
		{0x100000a1b2c0000 ^ superSecret, "3665714e8bcd93350432be484c2c3d03"},
		{-1, "b36cd944c3228770172024039eff4b8c"},
	} {
		b := make([]byte, 16)
		newJavaRandom(tc.seed).nextBytes(b)
		if got := hex.EncodeToString(b); got != tc.want {
			t.Errorf("seed %d: %s, Java gives %s", tc.seed, got, tc.want)
		}
	}
	if got := hex.EncodeToString(sessionPassword(0x100000a1b2c0000)); got != "3665714e8bcd93350432be484c2c3d03" {
		t.Errorf("sessionPassword: %s", got)
	}
}
