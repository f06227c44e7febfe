package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestMetaPropertiesRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		mp    MetaProperties
		want  MetaProperties // as read back
		lines []string       // key=value lines in the file
	}{
		{"v1 KRaft",
			MetaProperties{Version: 1, ClusterID: "fMCL8kv1SWm87L_Md-I2hg", NodeID: 1, DirectoryID: "J8aAPcfLQt2bqs1JT_rMgQ"},
			MetaProperties{Version: 1, ClusterID: "fMCL8kv1SWm87L_Md-I2hg", NodeID: 1, BrokerID: 1, DirectoryID: "J8aAPcfLQt2bqs1JT_rMgQ"},
			[]string{"cluster.id=fMCL8kv1SWm87L_Md-I2hg", "directory.id=J8aAPcfLQt2bqs1JT_rMgQ", "node.id=1", "version=1"}},
		{"v0 ZooKeeper",
			MetaProperties{Version: 0, ClusterID: "fMCL8kv1SWm87L_Md-I2hg", BrokerID: 7},
			MetaProperties{Version: 0, ClusterID: "fMCL8kv1SWm87L_Md-I2hg", NodeID: 7, BrokerID: 7},
			[]string{"broker.id=7", "cluster.id=fMCL8kv1SWm87L_Md-I2hg", "version=0"}},
		{"v0 in migration keeps its directory.id",
			MetaProperties{Version: 0, ClusterID: "c1", BrokerID: 0, DirectoryID: "J8aAPcfLQt2bqs1JT_rMgQ"},
			MetaProperties{Version: 0, ClusterID: "c1", NodeID: 0, BrokerID: 0, DirectoryID: "J8aAPcfLQt2bqs1JT_rMgQ"},
			[]string{"broker.id=0", "cluster.id=c1", "directory.id=J8aAPcfLQt2bqs1JT_rMgQ", "version=0"}},
	}
	javaDate := regexp.MustCompile(`^#[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} \S+ \d{4}$`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := WriteMetaProperties(dir, &tt.mp); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(filepath.Join(dir, "meta.properties"))
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
			if len(lines) < 2 || lines[0] != "#" || !javaDate.MatchString(lines[1]) {
				t.Errorf("header is not Properties.store's:\n%s", b)
			}
			if got := strings.Join(lines[2:], "\n"); got != strings.Join(tt.lines, "\n") {
				t.Errorf("body =\n%s\nwant\n%s", got, strings.Join(tt.lines, "\n"))
			}
			if _, err := os.Stat(filepath.Join(dir, "meta.properties.tmp")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("temp file left behind: %v", err)
			}
			got, err := ReadMetaProperties(dir)
			if err != nil {
				t.Fatal(err)
			}
			if *got != tt.want {
				t.Errorf("read back %+v, want %+v", *got, tt.want)
			}
		})
	}
}

func TestReadMetaPropertiesKafkaFile(t *testing.T) {
	dir := t.TempDir()
	kafka := "#\n#Mon Oct 21 12:34:56 UTC 2024\nnode.id=1\ndirectory.id=J8aAPcfLQt2bqs1JT_rMgQ\nversion=1\ncluster.id=fMCL8kv1SWm87L_Md-I2hg\n"
	if err := os.WriteFile(filepath.Join(dir, "meta.properties"), []byte(kafka), 0o644); err != nil {
		t.Fatal(err)
	}
	mp, err := ReadMetaProperties(dir)
	if err != nil || mp.Version != 1 || mp.NodeID != 1 || mp.ClusterID != "fMCL8kv1SWm87L_Md-I2hg" {
		t.Errorf("ReadMetaProperties = %+v, %v", mp, err)
	}
}

func TestReadMetaPropertiesErrors(t *testing.T) {
	if _, err := ReadMetaProperties(t.TempDir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, want fs.ErrNotExist", err)
	}
	tests := []struct{ name, text, key string }{
		{"unknown version", "version=2\ncluster.id=c\nnode.id=1\n", "version"},
		{"no cluster.id", "version=1\nnode.id=1\n", "cluster.id"},
		{"v1 without node.id", "version=1\ncluster.id=c\n", "node.id"},
		{"non-numeric node.id", "version=1\ncluster.id=c\nnode.id=one\n", "node.id"},
		{"non-numeric broker.id", "version=0\ncluster.id=c\nbroker.id=x\n", "broker.id"},
		{"bad directory.id", "version=1\ncluster.id=c\nnode.id=1\ndirectory.id=nope\n", "directory.id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "meta.properties")
			if err := os.WriteFile(path, []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ReadMetaProperties(dir)
			var ke *KeyError
			if !errors.As(err, &ke) || ke.Key != tt.key || ke.File != path {
				t.Errorf("err = %v, want a KeyError for %s in %s", err, tt.key, path)
			}
		})
	}
}

func TestWriteMetaPropertiesRefusesBadInput(t *testing.T) {
	for _, mp := range []MetaProperties{{Version: 2, ClusterID: "c"}, {Version: 1}} {
		if err := WriteMetaProperties(t.TempDir(), &mp); err == nil {
			t.Errorf("WriteMetaProperties(%+v) succeeded", mp)
		}
	}
}
