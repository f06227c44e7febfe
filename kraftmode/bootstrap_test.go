package kraftmode

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/kbridge/kbridge/metadata"
)

func TestBootstrapCheckpointRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), BootstrapCheckpointName)
	if _, err := ReadBootstrapCheckpoint(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: err = %v, want fs.ErrNotExist", err)
	}
	if err := WriteBootstrapCheckpoint(path, 17); err != nil {
		t.Fatalf("write: %v", err)
	}
	mv, err := ReadBootstrapCheckpoint(path)
	if err != nil || mv != 17 {
		t.Fatalf("read = %d, %v; want 17", mv, err)
	}
}

func TestControllerBootstrapsFromCheckpoint(t *testing.T) {
	nd := newTestCluster(t, 1)[0]
	if err := os.MkdirAll(filepath.Dir(nd.opts.Dir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteBootstrapCheckpoint(filepath.Join(filepath.Dir(nd.opts.Dir), BootstrapCheckpointName), 17); err != nil {
		t.Fatalf("write checkpoint: %v", err)
	}
	nd.start()
	nd.waitReady()
	img := nd.c.Image()
	if img.MetadataVersion() != 17 || img.ZkMigrationState != metadata.ZkMigrationNone || img.InTransaction() {
		t.Fatalf("metadata.version %d, migration state %d, in transaction %v", img.MetadataVersion(), img.ZkMigrationState, img.InTransaction())
	}
}
