package storage

import (
	"os"
	"path/filepath"
	"testing"
)

func TestOffsetCheckpointRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), ReplicationCheckpointFile)
	if m, err := ReadOffsetCheckpoint(path); err != nil || len(m) != 0 {
		t.Fatalf("missing file: %v, %v", m, err)
	}
	want := map[TopicPartition]int64{{"orders", 0}: 42, {"orders", 7}: 0, {"__consumer_offsets", 49}: 1 << 40}
	if err := WriteOffsetCheckpoint(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadOffsetCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("%v = %d, want %d", k, got[k], v)
		}
	}
	if _, err := os.Stat(path + ".tmp"); !os.IsNotExist(err) {
		t.Fatal("temp file left behind")
	}
}

func TestOffsetCheckpointRejectsMalformed(t *testing.T) {
	for name, content := range map[string]string{
		"version 1":          "1\n0\n",
		"empty":              "",
		"bad count":          "0\nx\n",
		"fewer than counted": "0\n2\nt 0 5\n",
		"missing field":      "0\n1\nt 5\n",
		"bad offset":         "0\n1\nt 0 five\n",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cp")
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := ReadOffsetCheckpoint(path); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestKafkaCheckpointFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), RecoveryPointCheckpointFile)
	if err := WriteOffsetCheckpoint(path, map[TopicPartition]int64{{"a.b-c", 3}: 17}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if string(data) != "0\n1\na.b-c 3 17\n" {
		t.Fatalf("file %q", data)
	}
}
