package zkmode

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/internal/zktest"
)

func TestFencedWriter(t *testing.T) {
	srv := zktest.Start(t)
	ctx := context.Background()

	t.Run("WritesUnderTheEpochCheck", func(t *testing.T) {
		c := dial(t, srv.Addr()+"/writes")
		epoch, zkVersion, err := registerControllerAndIncrementControllerEpoch(ctx, c, 1)
		if err != nil {
			t.Fatal(err)
		}
		w := NewFencedWriter(c, epoch, zkVersion)
		mustCreate(t, c, "/state", "v0", zk.FlagPersistent)

		res, err := w.Multi(ctx,
			&zk.CreateRequest{Path: "/probe", Data: []byte("p")},
			&zk.SetDataRequest{Path: "/state", Data: []byte("v1"), Version: 0})
		if err != nil {
			t.Fatalf("write of the current epoch: %v", err)
		}
		if len(res) != 2 || res[0].String != "/probe" || res[1].Stat == nil || res[1].Stat.Version != 1 {
			t.Fatalf("responses %+v, want the create's and the set's, without the check's", res)
		}

		// A stale zkVersion in the write itself is the write's failure, not a fence.
		_, err = w.Multi(ctx, &zk.SetDataRequest{Path: "/state", Data: []byte("v2"), Version: 0})
		if !errors.Is(err, zk.ErrBadVersion) || errors.Is(err, ErrControllerMoved) {
			t.Fatalf("write with a stale zkVersion of its own: %v, want zk.ErrBadVersion without ErrControllerMoved", err)
		}
		if w.isMoved() {
			t.Fatal("the writer counts itself fenced after a failure of its own op")
		}

		// Another election bumps /controller_epoch: every write of the term fails.
		if _, err := c.Set(ctx, "/controller_epoch", []byte("2"), zkVersion); err != nil {
			t.Fatal(err)
		}
		_, err = w.Multi(ctx, &zk.SetDataRequest{Path: "/state", Data: []byte("v2"), Version: 1})
		if !errors.Is(err, ErrControllerMoved) {
			t.Fatalf("write after the epoch moved: %v, want ErrControllerMoved", err)
		}
		if got := mustGet(t, c, "/state"); got != "v1" {
			t.Fatalf("/state = %q after a fenced write, want v1", got)
		}
		if !w.isMoved() {
			t.Fatal("the writer does not count itself fenced")
		}
	})

	t.Run("FencedWriteEndsTheElectorsTerm", func(t *testing.T) {
		connect := srv.Addr() + "/elector"
		brokers := startElectors(t, connect, 1)
		b := waitController(t, 20*time.Second, brokers, 1)
		w := b.rec.current()

		// /controller_epoch moves on while /controller stays this broker's, so no watch
		// fires: only the fenced write can tell the elector.
		if _, err := b.conn.Set(ctx, "/controller_epoch", []byte("7"), w.EpochZkVersion()); err != nil {
			t.Fatal(err)
		}
		if err := probeWrite(ctx, w, "stale"); !errors.Is(err, ErrControllerMoved) {
			t.Fatalf("write after the epoch moved: %v, want ErrControllerMoved", err)
		}
		// It resigns, then takes its own /controller up again with the epoch now there.
		waitFor(t, failoverWithin, "a new term after the fenced write", func() bool {
			epochs, _ := b.rec.history()
			return len(epochs) == 2
		})
		if epochs, resigns := b.rec.history(); !slices.Equal(epochs, []int32{1, 7}) || resigns != 1 {
			t.Fatalf("terms %v with %d resignations, want [1 7] and 1", epochs, resigns)
		}
		if err := probeWrite(ctx, b.rec.current(), "current"); err != nil {
			t.Fatalf("write of the new term: %v", err)
		}
		mustExist(t, b.conn, "/probe", true)
	})
}
