package zkmode

import (
	"context"
	"errors"
	"testing"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/internal/zktest"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// TestControllerWriteIsolatesFailures: a unit whose op fails (a state znode at a newer
// zkVersion than the controller read) fails alone, and the units batched with it are
// applied; a fenced write fails whole and ends the term.
func TestControllerWriteIsolatesFailures(t *testing.T) {
	srv := zktest.Start(t)
	conn := dial(t, srv.Addr()+"/write")
	mustCreate(t, conn, znode.ControllerEpochPath, "1", zk.FlagPersistent)
	for _, p := range []string{"/a", "/b", "/c"} {
		mustCreate(t, conn, p, "old", zk.FlagPersistent)
	}
	term := &controllerTerm{w: NewFencedWriter(conn, 1, 0), ctx: context.Background()}
	set := func(path string, version int32) writeUnit {
		return writeUnit{&zk.SetDataRequest{Path: path, Data: []byte("new"), Version: version}}
	}

	errs, err := term.write([]writeUnit{set("/a", 0), set("/b", 3), set("/c", 0)})
	if err != nil {
		t.Fatal(err)
	}
	if errs[0] != nil || !errors.Is(errs[1], zk.ErrBadVersion) || errs[2] != nil {
		t.Fatalf("unit errors %v, want only the second to fail with a bad version", errs)
	}
	for path, want := range map[string]string{"/a": "new", "/b": "old", "/c": "new"} {
		if got := mustGet(t, conn, path); got != want {
			t.Fatalf("%s = %q, want %q", path, got, want)
		}
	}

	if _, err := conn.Set(context.Background(), znode.ControllerEpochPath, znode.EncodeControllerEpoch(2), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := term.write([]writeUnit{set("/b", 0)}); !errors.Is(err, ErrControllerMoved) {
		t.Fatalf("write after another election: %v, want ErrControllerMoved", err)
	}
	if got := mustGet(t, conn, "/b"); got != "old" {
		t.Fatalf("/b = %q after a fenced write", got)
	}
}
