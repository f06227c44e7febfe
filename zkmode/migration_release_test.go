package zkmode

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kbridge/kbridge/internal/zktest"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// TestMigrationWriterRelease: a rollback's release deletes /migration and the KRaft
// controller's /controller in one fenced multi, after which a ZooKeeper broker is
// elected again and the released writer can write nothing more.
func TestMigrationWriterRelease(t *testing.T) {
	srv := zktest.Start(t)
	c, w := startMigration(t, srv.Addr())
	ctx := context.Background()
	if err := w.WriteMigrationState(ctx, migrationAt(10)); err != nil {
		t.Fatal(err)
	}
	if err := w.Release(ctx); err != nil {
		t.Fatalf("release: %v", err)
	}
	for _, path := range []string{znode.MigrationPath, znode.ControllerPath} {
		if ok, _, err := c.Exists(ctx, path); err != nil || ok {
			t.Fatalf("%s after release: exists %v, %v", path, ok, err)
		}
	}
	if err := w.WriteMigrationState(ctx, migrationAt(11)); !errors.Is(err, ErrMigrationMoved) {
		t.Fatalf("write after release: %v, want ErrMigrationMoved", err)
	}
	epoch, _, err := readControllerEpoch(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	brokers := startElectors(t, srv.Addr(), 1)
	waitController(t, 10*time.Second, brokers, epoch+1)
}

// TestMigrationWriterReleaseFenced: a KRaft leader whose epoch was taken over cannot
// release ZooKeeper from under its successor.
func TestMigrationWriterReleaseFenced(t *testing.T) {
	srv := zktest.Start(t)
	c, w := startMigration(t, srv.Addr())
	ctx := context.Background()
	if _, err := ClaimControllerForKRaft(ctx, c, testKRaftNodeID+1, testKRaftEpoch+1); err != nil {
		t.Fatal(err)
	}
	if err := w.Release(ctx); !errors.Is(err, ErrControllerMoved) {
		t.Fatalf("release by a fenced leader: %v, want ErrControllerMoved", err)
	}
	if ok, _, _ := c.Exists(ctx, znode.MigrationPath); !ok {
		t.Fatal("a fenced release deleted /migration")
	}
}
