package node

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbridge/kbridge/config"
	"github.com/kbridge/kbridge/kraftmode"
	"github.com/kbridge/kbridge/metadata"
)

func parse(t *testing.T, props string) *config.Config {
	t.Helper()
	cfg, err := config.Parse("server.properties", strings.NewReader(props), nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestFormatWritesMetaPropertiesAndBootstrap(t *testing.T) {
	dir := t.TempDir()
	logs, meta := filepath.Join(dir, "logs"), filepath.Join(dir, "meta")
	cfg := parse(t, "process.roles=broker,controller\nnode.id=3\ncontroller.quorum.voters=3@localhost:9093\n"+
		"listeners=PLAINTEXT://:9092,CONTROLLER://:9093\nlog.dirs="+logs+"\nmetadata.log.dir="+meta+"\n")
	id := metadata.RandomUuid().String()
	if IsFormatted(cfg) {
		t.Fatal("an empty directory counts as formatted")
	}
	results, err := Format(cfg, id, false)
	if err != nil || len(results) != 2 {
		t.Fatalf("Format: %v %+v", err, results)
	}
	for _, d := range []string{logs, meta} {
		mp, err := config.ReadMetaProperties(d)
		if err != nil || mp.Version != 1 || mp.ClusterID != id || mp.NodeID != 3 || mp.DirectoryID == "" {
			t.Fatalf("%s: %+v %v", d, mp, err)
		}
	}
	if mv, err := kraftmode.ReadBootstrapCheckpoint(filepath.Join(meta, bootstrapCheckpointFile)); err != nil || mv != metadata.MetadataVersionLatest {
		t.Fatalf("bootstrap.checkpoint: %d %v", mv, err)
	}
	if _, err := os.Stat(filepath.Join(logs, bootstrapCheckpointFile)); err == nil {
		t.Fatal("bootstrap.checkpoint written outside the metadata log dir")
	}
	if !IsFormatted(cfg) {
		t.Fatal("not formatted after Format")
	}
	if _, err := Format(cfg, id, false); !errors.Is(err, ErrAlreadyFormatted) {
		t.Fatalf("second format: want ErrAlreadyFormatted, got %v", err)
	}
	if res, err := Format(cfg, id, true); err != nil || !res[0].Skipped || !res[1].Skipped {
		t.Fatalf("--ignore-formatted: %+v %v", res, err)
	}
}

func TestFormatRefusesZooKeeperModeAndBadClusterIDs(t *testing.T) {
	zk := parse(t, "broker.id=1\nzookeeper.connect=localhost:2181\nlog.dirs="+t.TempDir()+"\n")
	if _, err := Format(zk, metadata.RandomUuid().String(), false); err == nil || !strings.Contains(err.Error(), "only supported for clusters in KRaft mode") {
		t.Fatalf("ZooKeeper config: %v", err)
	}
	kraft := parse(t, "process.roles=broker,controller\nnode.id=1\ncontroller.quorum.voters=1@localhost:9093\n"+
		"listeners=PLAINTEXT://:9092,CONTROLLER://:9093\nlog.dirs="+t.TempDir()+"\n")
	if _, err := Format(kraft, "not-a-uuid", false); err == nil {
		t.Fatal("a malformed cluster id was accepted")
	}
}
