package kraftmode

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbridge/kbridge/metadata"
)

// imageJSON is the --image rendering of img, built straight from the live image.
func imageJSON(t *testing.T, img *metadata.Image) string {
	t.Helper()
	var b strings.Builder
	for _, r := range img.Records() {
		js, err := metadata.RecordJSON(r)
		if err != nil {
			t.Fatalf("render %T: %v", r, err)
		}
		b.Write(js)
		b.WriteByte('\n')
	}
	return b.String()
}

func dumpString(t *testing.T, dir string, opts DumpOptions) string {
	t.Helper()
	opts.Logger = testLogger(t)
	var b bytes.Buffer
	if err := Dump(dir, &b, opts); err != nil {
		t.Fatalf("dump %+v: %v", opts, err)
	}
	return b.String()
}

func TestDumpMetadataDir(t *testing.T) {
	nd := newTestCluster(t, 1)[0]
	nd.start()
	nd.waitReady()
	ctx := context.Background()
	registerBroker(t, nd.c, 1)
	res := nd.c.CreateTopics(ctx, []metadata.TopicSpec{
		{Name: "orders", NumPartitions: 3, ReplicationFactor: 1, Configs: map[string]*string{"cleanup.policy": strp("compact")}},
	}, false)
	if res[0].Err != nil {
		t.Fatalf("create topic: %v", res[0].Err)
	}
	if err := nd.c.AlterConfigs(ctx, metadata.ConfigResource{Type: metadata.ConfigResourceBroker}, []metadata.ConfigChange{
		{Name: "log.retention.ms", Op: metadata.ConfigOpSet, Value: strp("60000")},
	}, true, false); err != nil {
		t.Fatalf("alter cluster default: %v", err)
	}

	dir := nd.opts.Dir
	var buf bytes.Buffer
	if err := Dump(dir, &buf, DumpOptions{Logger: testLogger(t)}); !errors.Is(err, ErrMetadataDirLocked) {
		t.Fatalf("dump of a running node's dir: err = %v, want ErrMetadataDirLocked", err)
	}
	want := imageJSON(t, nd.c.Image())
	beforeSnapshot := nd.c.raft.AppliedIndex()
	nd.stop()

	db := filepath.Join(dir, "raft.db")
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatalf("read raft.db: %v", err)
	}
	text := dumpString(t, dir, DumpOptions{})
	for _, s := range []string{
		"Dumping raft log " + db,
		"type: LogConfiguration servers: [1@",
		`payload: {"type":"FEATURE_LEVEL_RECORD","version":0,"data":{"name":"metadata.version"`,
		`payload: {"type":"TOPIC_RECORD","version":0,"data":{"name":"orders"`,
		`payload: {"type":"PARTITION_RECORD"`,
		`payload: {"type":"CONFIG_RECORD","version":0,"data":{"resourceType":2,"resourceName":"orders","name":"cleanup.policy","value":"compact"}}`,
		`"name":"log.retention.ms","value":"60000"`,
	} {
		if !strings.Contains(text, s) {
			t.Errorf("text dump lacks %q:\n%s", s, text)
		}
	}
	if after, _ := os.ReadFile(db); !bytes.Equal(before, after) {
		t.Errorf("dump changed raft.db")
	}

	types := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(dumpString(t, dir, DumpOptions{Format: DumpJSON})), "\n") {
		var l struct {
			Index  uint64
			Term   uint64
			Record struct{ Type string }
			Error  string
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil || l.Index == 0 || l.Term == 0 || l.Error != "" {
			t.Fatalf("json line %q: %+v, %v", line, l, err)
		}
		types[l.Record.Type]++
	}
	for _, typ := range []string{"FEATURE_LEVEL_RECORD", "TOPIC_RECORD", "CONFIG_RECORD", "REGISTER_BROKER_RECORD", "REGISTER_CONTROLLER_RECORD"} {
		if types[typ] == 0 {
			t.Errorf("json dump has no %s: %v", typ, types)
		}
	}
	if types["PARTITION_RECORD"] != 3 {
		t.Errorf("json dump has %d PARTITION_RECORDs, want 3", types["PARTITION_RECORD"])
	}
	if got := dumpString(t, dir, DumpOptions{Image: true}); got != want {
		t.Errorf("image dump differs from the controller's image:\n got %s\nwant %s", got, want)
	}
	wantBeforeSnapshot := want

	// Snapshot, write past it, and stop: the image comes from snapshot plus log.
	nd.start()
	nd.waitReady()
	if err := nd.c.raft.Snapshot().Error(); err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	if r := nd.c.CreateTopics(ctx, []metadata.TopicSpec{{Name: "after-snapshot", NumPartitions: 1, ReplicationFactor: 1}}, false); r[0].Err != nil {
		t.Fatalf("create topic after snapshot: %v", r[0].Err)
	}
	wantAfterCreate, afterCreate := imageJSON(t, nd.c.Image()), nd.c.raft.AppliedIndex()
	if errs := nd.c.DeleteTopics(ctx, []string{"orders"}); errs[0] != nil {
		t.Fatalf("delete topic: %v", errs[0])
	}
	want = imageJSON(t, nd.c.Image())
	nd.stop()

	if got := dumpString(t, dir, DumpOptions{Image: true}); got != want {
		t.Errorf("image dump after snapshot differs:\n got %s\nwant %s", got, want)
	}
	if strings.Contains(want, `"orders"`) || !strings.Contains(want, `"after-snapshot"`) {
		t.Errorf("image misses the writes after the snapshot:\n%s", want)
	}
	// --last-index: as of the topic's creation, after the snapshot (snapshot plus a
	// part of the log), and as of before the snapshot (the snapshot left out).
	if got := dumpString(t, dir, DumpOptions{Image: true, LastIndex: afterCreate}); got != wantAfterCreate {
		t.Errorf("image dump up to index %d differs:\n got %s\nwant %s", afterCreate, got, wantAfterCreate)
	}
	if got := dumpString(t, dir, DumpOptions{Image: true, LastIndex: beforeSnapshot}); got != wantBeforeSnapshot {
		t.Errorf("image dump up to index %d, before the snapshot, differs:\n got %s\nwant %s", beforeSnapshot, got, wantBeforeSnapshot)
	}
	text = dumpString(t, dir, DumpOptions{})
	for _, s := range []string{"Dumping snapshot ", `payload: {"type":"SNAPSHOT_HEADER"`, `payload: {"type":"SNAPSHOT_FOOTER"`, `"type":"REMOVE_TOPIC_RECORD"`} {
		if !strings.Contains(text, s) {
			t.Errorf("text dump after snapshot lacks %q", s)
		}
	}
}

func TestDumpRejectsMissingDir(t *testing.T) {
	dir := t.TempDir()
	if err := Dump(dir, &bytes.Buffer{}, DumpOptions{}); err == nil {
		t.Fatalf("dump of an empty dir succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "raft.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("dump created raft.db: %v", err)
	}
}
