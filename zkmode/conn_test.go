package zkmode

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/internal/zktest"
)

const testSessionTimeout = 6 * time.Second

// dial opens a Conn to connect and closes it when the test ends.
func dial(t *testing.T, connect string) *Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := Dial(ctx, connect, testSessionTimeout, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", connect, err)
	}
	t.Cleanup(c.Close)
	return c
}

func mustCreate(t *testing.T, c *Conn, path, data string, flags int32) string {
	t.Helper()
	created, err := c.Create(context.Background(), path, []byte(data), flags)
	if err != nil {
		t.Fatal(err)
	}
	return created
}

func mustGet(t *testing.T, c *Conn, path string) string {
	t.Helper()
	data, _, err := c.Get(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func mustExist(t *testing.T, c *Conn, path string, want bool) *zk.Stat {
	t.Helper()
	ok, stat, err := c.Exists(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if ok != want {
		t.Fatalf("%s exists: %v, want %v", path, ok, want)
	}
	return stat
}

// nextEvent waits for one event on a watch channel.
func nextEvent(t *testing.T, ch <-chan zk.Event) zk.Event {
	t.Helper()
	select {
	case ev := <-ch:
		return ev
	case <-time.After(20 * time.Second):
		t.Fatal("no watch event within 20s")
		return zk.Event{}
	}
}

// waitSession reads session events until one has the wanted state.
func waitSession(t *testing.T, events <-chan SessionEvent, want zk.State) SessionEvent {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatalf("session events closed while waiting for %v", want)
			}
			if ev.State == want {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %v session event within 30s", want)
		}
	}
}

// TestConn runs against one real ZooKeeper; each subtest works under its own chroot,
// which is itself part of what is tested.
func TestConn(t *testing.T) {
	srv := zktest.Start(t)
	ctx := context.Background()

	t.Run("ChrootIsolation", func(t *testing.T) {
		a := dial(t, srv.Addr()+"/iso/a")
		b := dial(t, srv.Addr()+"/iso/b")
		root := dial(t, srv.Addr())
		slash := dial(t, srv.Addr()+"/")

		if got := mustCreate(t, a, "/x", "from a", zk.FlagPersistent); got != "/x" {
			t.Fatalf("create under /iso/a returned %q, want /x", got)
		}
		mustCreate(t, b, "/x", "from b", zk.FlagPersistent)
		if got := mustGet(t, a, "/x"); got != "from a" {
			t.Fatalf("a reads %q", got)
		}
		if got := mustGet(t, b, "/x"); got != "from b" {
			t.Fatalf("b reads %q", got)
		}
		if got := mustGet(t, root, "/iso/a/x"); got != "from a" {
			t.Fatalf("root reads /iso/a/x = %q", got)
		}
		if got := mustGet(t, slash, "/iso/b/x"); got != "from b" {
			t.Fatalf(`a lone "/" chroot reads /iso/b/x = %q`, got)
		}
		children, err := root.Children(ctx, "/iso")
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(children)
		if !slices.Equal(children, []string{"a", "b"}) {
			t.Fatalf("children of /iso: %q", children)
		}
		children, err = a.Children(ctx, "/")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(children, []string{"x"}) {
			t.Fatalf("children of a's /: %q", children)
		}
		// Dial created the chroot the way Kafka does: persistent, null data.
		data, _, err := root.Get(ctx, "/iso/a")
		if err != nil || data != nil {
			t.Fatalf("chroot znode: data %q, err %v; want null data", data, err)
		}

		_, _, err = a.Get(ctx, "/missing")
		if !errors.Is(err, zk.ErrNoNode) {
			t.Fatalf("get missing: %v, want zk.ErrNoNode", err)
		}
		if !strings.Contains(err.Error(), "/missing") || strings.Contains(err.Error(), "/iso") {
			t.Fatalf("error %q should name /missing without the chroot", err)
		}
		if _, err := a.Create(ctx, "relative", nil, zk.FlagPersistent); !errors.Is(err, zk.ErrInvalidPath) {
			t.Fatalf("create of a relative path: %v, want zk.ErrInvalidPath", err)
		}
	})

	t.Run("EphemeralGoneAfterClose", func(t *testing.T) {
		owner := dial(t, srv.Addr()+"/eph")
		observer := dial(t, srv.Addr()+"/eph")
		mustCreate(t, owner, "/broker", "", zk.FlagEphemeral)
		if stat := mustExist(t, observer, "/broker", true); stat.EphemeralOwner != owner.SessionID() {
			t.Fatalf("ephemeral owner 0x%x, session 0x%x", stat.EphemeralOwner, owner.SessionID())
		}
		if stat := mustExist(t, observer, "/", true); stat.EphemeralOwner != 0 {
			t.Fatalf("the chroot is ephemeral (owner 0x%x)", stat.EphemeralOwner)
		}
		owner.Close()
		mustExist(t, observer, "/broker", false)
	})

	t.Run("Sequential", func(t *testing.T) {
		c := dial(t, srv.Addr()+"/seq")
		if _, err := c.CreateRecursive(ctx, "/config/changes", nil, zk.FlagPersistent); err != nil {
			t.Fatal(err)
		}
		want := []string{"/config/changes/config_change_0000000000", "/config/changes/config_change_0000000001"}
		for _, w := range want {
			if got := mustCreate(t, c, "/config/changes/config_change_", "{}", zk.FlagSequence); got != w {
				t.Fatalf("sequential create returned %q, want %q", got, w)
			}
		}
		got := mustCreate(t, c, "/config/changes/eph_", "", zk.FlagEphemeralSequential)
		if got != "/config/changes/eph_0000000002" {
			t.Fatalf("ephemeral sequential create returned %q", got)
		}
		if stat := mustExist(t, c, got, true); stat.EphemeralOwner != c.SessionID() {
			t.Fatalf("%s is not ephemeral", got)
		}
	})

	t.Run("CreateRecursive", func(t *testing.T) {
		c := dial(t, srv.Addr()+"/rec")
		got, err := c.CreateRecursive(ctx, "/brokers/topics/t1/partitions/0/state", []byte("leader"), zk.FlagPersistent)
		if err != nil || got != "/brokers/topics/t1/partitions/0/state" {
			t.Fatalf("create recursive: %q, %v", got, err)
		}
		if data := mustGet(t, c, "/brokers/topics/t1/partitions/0/state"); data != "leader" {
			t.Fatalf("leaf data %q", data)
		}
		if data, _, err := c.Get(ctx, "/brokers/topics/t1"); err != nil || data != nil {
			t.Fatalf("parent data %q, %v; want null", data, err)
		}
		if _, err := c.CreateRecursive(ctx, "/brokers/topics/t1/partitions/0/state", nil, zk.FlagPersistent); !errors.Is(err, zk.ErrNodeExists) {
			t.Fatalf("second create recursive: %v, want zk.ErrNodeExists", err)
		}
		if _, err := c.CreateRecursive(ctx, "/brokers/topics/t1/partitions/1/state", nil, zk.FlagPersistent); err != nil {
			t.Fatalf("create recursive beside an existing branch: %v", err)
		}
	})

	t.Run("SetAndDeleteWithVersion", func(t *testing.T) {
		c := dial(t, srv.Addr()+"/ver")
		mustCreate(t, c, "/controller_epoch", "1", zk.FlagPersistent)
		stat, err := c.Set(ctx, "/controller_epoch", []byte("2"), 0)
		if err != nil || stat.Version != 1 {
			t.Fatalf("set at version 0: stat %+v, %v", stat, err)
		}
		if _, err := c.Set(ctx, "/controller_epoch", []byte("3"), 0); !errors.Is(err, zk.ErrBadVersion) {
			t.Fatalf("set at a stale version: %v, want zk.ErrBadVersion", err)
		}
		if err := c.Delete(ctx, "/controller_epoch", 0); !errors.Is(err, zk.ErrBadVersion) {
			t.Fatalf("delete at a stale version: %v, want zk.ErrBadVersion", err)
		}
		if err := c.Delete(ctx, "/controller_epoch", 1); err != nil {
			t.Fatalf("delete at the current version: %v", err)
		}
		mustExist(t, c, "/controller_epoch", false)
	})

	t.Run("MultiFencedByVersionCheck", func(t *testing.T) {
		c := dial(t, srv.Addr()+"/multi")
		mustCreate(t, c, "/controller_epoch", "5", zk.FlagPersistent)
		mustCreate(t, c, "/brokers", "", zk.FlagPersistent)

		_, err := c.Multi(ctx,
			&zk.CheckVersionRequest{Path: "/controller_epoch", Version: 3},
			&zk.CreateRequest{Path: "/brokers/topics", Data: []byte("x")},
			&zk.SetDataRequest{Path: "/controller_epoch", Data: []byte("6"), Version: -1},
		)
		if !errors.Is(err, zk.ErrBadVersion) {
			t.Fatalf("multi with a stale check: %v, want zk.ErrBadVersion", err)
		}
		if !strings.Contains(err.Error(), "check /controller_epoch") {
			t.Fatalf("error %q does not name the failed op", err)
		}
		mustExist(t, c, "/brokers/topics", false)
		if got := mustGet(t, c, "/controller_epoch"); got != "5" {
			t.Fatalf("/controller_epoch changed to %q by a failed multi", got)
		}

		res, err := c.Multi(ctx,
			&zk.CheckVersionRequest{Path: "/controller_epoch", Version: 0},
			&zk.CreateRequest{Path: "/brokers/seq-", Data: []byte("x"), Flags: zk.FlagSequence},
			&zk.SetDataRequest{Path: "/controller_epoch", Data: []byte("6"), Version: 0},
			&zk.DeleteRequest{Path: "/brokers/seq-0000000000", Version: 0},
		)
		if err != nil {
			t.Fatalf("multi with a current check: %v", err)
		}
		if len(res) != 4 || res[1].String != "/brokers/seq-0000000000" || res[2].Stat == nil || res[2].Stat.Version != 1 {
			t.Fatalf("multi responses: %+v", res)
		}
		if got := mustGet(t, c, "/controller_epoch"); got != "6" {
			t.Fatalf("/controller_epoch is %q after the multi", got)
		}
		mustExist(t, c, "/brokers/seq-0000000000", false)

		if _, err := c.Multi(ctx, zk.CheckVersionRequest{Path: "/controller_epoch"}); err == nil {
			t.Fatal("multi accepted an op by value")
		}
	})

	t.Run("WatchesFire", func(t *testing.T) {
		c := dial(t, srv.Addr()+"/watch")
		writer := dial(t, srv.Addr()+"/watch")
		mustCreate(t, c, "/topics", "v1", zk.FlagPersistent)

		data, _, dataCh, err := c.GetW(ctx, "/topics")
		if err != nil || string(data) != "v1" {
			t.Fatalf("get and watch: %q, %v", data, err)
		}
		_, childCh, err := c.ChildrenW(ctx, "/topics")
		if err != nil {
			t.Fatal(err)
		}
		ok, _, existCh, err := c.ExistsW(ctx, "/controller")
		if err != nil || ok {
			t.Fatalf("exists and watch /controller: %v, %v", ok, err)
		}

		if _, err := writer.Set(ctx, "/topics", []byte("v2"), -1); err != nil {
			t.Fatal(err)
		}
		if ev := nextEvent(t, dataCh); ev.Type != zk.EventNodeDataChanged || ev.Path != "/topics" {
			t.Fatalf("data watch: %+v", ev)
		}
		mustCreate(t, writer, "/topics/t1", "", zk.FlagPersistent)
		if ev := nextEvent(t, childCh); ev.Type != zk.EventNodeChildrenChanged || ev.Path != "/topics" {
			t.Fatalf("child watch: %+v", ev)
		}
		mustCreate(t, writer, "/controller", "", zk.FlagEphemeral)
		if ev := nextEvent(t, existCh); ev.Type != zk.EventNodeCreated || ev.Path != "/controller" {
			t.Fatalf("exists watch: %+v", ev)
		}

		ok, _, goneCh, err := c.ExistsW(ctx, "/controller")
		if err != nil || !ok {
			t.Fatalf("exists and watch an existing /controller: %v, %v", ok, err)
		}
		writer.Close()
		if ev := nextEvent(t, goneCh); ev.Type != zk.EventNodeDeleted || ev.Path != "/controller" {
			t.Fatalf("deletion watch: %+v", ev)
		}
	})

	t.Run("SessionExpiryReported", func(t *testing.T) {
		c := dial(t, srv.Addr()+"/expiry")
		observer := dial(t, srv.Addr()+"/expiry")
		events := c.SessionEvents()
		first := waitSession(t, events, zk.StateHasSession)
		old := c.SessionID()
		if first.SessionID != old {
			t.Fatalf("first event names session 0x%x, the Conn holds 0x%x", first.SessionID, old)
		}
		if _, err := c.CreateRecursive(ctx, "/brokers/ids/1", nil, zk.FlagEphemeral); err != nil {
			t.Fatal(err)
		}
		_, _, watch, err := c.GetW(ctx, "/brokers/ids/1")
		if err != nil {
			t.Fatal(err)
		}

		srv.ExpireSession(old)
		mustExist(t, observer, "/brokers/ids/1", false)
		if ev := waitSession(t, events, zk.StateExpired); ev.SessionID != old {
			t.Fatalf("expired event names 0x%x, want 0x%x", ev.SessionID, old)
		}
		if ev := nextEvent(t, watch); ev.Type != zk.EventNotWatching || !errors.Is(ev.Err, zk.ErrSessionExpired) {
			t.Fatalf("watch of the expired session: %+v", ev)
		}
		renewed := waitSession(t, events, zk.StateHasSession)
		if renewed.SessionID == 0 || renewed.SessionID == old || renewed.SessionID != c.SessionID() {
			t.Fatalf("new session 0x%x (old 0x%x, Conn holds 0x%x)", renewed.SessionID, old, c.SessionID())
		}
		// Re-registration on the new session, as a broker does.
		mustCreate(t, c, "/brokers/ids/1", "", zk.FlagEphemeral)
		if stat := mustExist(t, observer, "/brokers/ids/1", true); stat.EphemeralOwner != renewed.SessionID {
			t.Fatalf("re-registered znode owned by 0x%x", stat.EphemeralOwner)
		}

		c.Close()
		for range events {
		}
	})

	t.Run("ContextEnds", func(t *testing.T) {
		c := dial(t, srv.Addr()+"/ctx")
		canceled, cancel := context.WithCancel(ctx)
		cancel()
		if _, _, err := c.Get(canceled, "/"); !errors.Is(err, context.Canceled) {
			t.Fatalf("get with a canceled context: %v", err)
		}
		if _, err := c.Create(canceled, "/never", nil, zk.FlagPersistent); !errors.Is(err, context.Canceled) {
			t.Fatalf("create with a canceled context: %v", err)
		}
		mustExist(t, c, "/never", false)
	})
}

func TestConnDialTimesOutWithoutServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	c, err := Dial(ctx, addr+"/kafka", testSessionTimeout, nil)
	if err == nil {
		c.Close()
		t.Fatalf("dial of %s, where nothing listens, succeeded", addr)
	}
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), addr) {
		t.Fatalf("dial error %q should wrap the deadline and name %s", err, addr)
	}
}

// TestConnSurvivesZooKeeperRestart: a restart within the session timeout keeps the
// session, its ephemerals and its watches (issue 5, acceptance 4).
func TestConnSurvivesZooKeeperRestart(t *testing.T) {
	srv := zktest.Start(t)
	ctx := context.Background()
	c := dial(t, srv.Addr()+"/kafka")
	events := c.SessionEvents()
	held := waitSession(t, events, zk.StateHasSession).SessionID
	mustCreate(t, c, "/brokers", "", zk.FlagPersistent)
	mustCreate(t, c, "/brokers/1", "", zk.FlagEphemeral)
	_, watch, err := c.ChildrenW(ctx, "/brokers")
	if err != nil {
		t.Fatal(err)
	}

	srv.Restart()
	if ev := waitSession(t, events, zk.StateDisconnected); ev.SessionID != held {
		t.Fatalf("disconnected event names 0x%x, want 0x%x", ev.SessionID, held)
	}
	if ev := waitSession(t, events, zk.StateHasSession); ev.SessionID != held {
		t.Fatalf("session after the restart is 0x%x, want the old 0x%x", ev.SessionID, held)
	}
	mustExist(t, c, "/brokers/1", true)
	mustCreate(t, c, "/brokers/2", "", zk.FlagEphemeral)
	if ev := nextEvent(t, watch); ev.Type != zk.EventNodeChildrenChanged || ev.Path != "/brokers" {
		t.Fatalf("watch set before the restart: %+v", ev)
	}
}
