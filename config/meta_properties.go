package config

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// MetaPropertiesFile is the file `storage format` writes in every log
// directory; it ties the directory to one cluster and one node.
const MetaPropertiesFile = "meta.properties"

// MetaProperties is Kafka's meta.properties (MetaProperties.java). Version 0
// is a ZooKeeper-mode directory (broker.id), version 1 a KRaft one (node.id).
type MetaProperties struct {
	Version     int
	ClusterID   string
	NodeID      int32  // node.id (v1); on read of v0, broker.id
	DirectoryID string // KIP-858 directory id, base64url UUID; may be empty in v0
	BrokerID    int32  // broker.id (v0); on read of v1, node.id
}

// ReadMetaProperties reads and checks dir/meta.properties. A missing file
// yields an error satisfying errors.Is(err, fs.ErrNotExist): the directory
// is not formatted.
func ReadMetaProperties(dir string) (*MetaProperties, error) {
	path := filepath.Join(dir, MetaPropertiesFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read meta.properties: %w", err)
	}
	kv, err := ParseProperties(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return decodeMetaProperties(path, kv)
}

// decodeMetaProperties checks the keys the way MetaProperties.Builder does:
// a missing version means 0, v1 needs node.id, and both need cluster.id here
// because kbridge never writes a directory without one.
func decodeMetaProperties(path string, kv map[string]string) (*MetaProperties, error) {
	mp := &MetaProperties{NodeID: -1, BrokerID: -1, ClusterID: kv["cluster.id"], DirectoryID: kv["directory.id"]}
	if v, ok := kv["version"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || (n != 0 && n != 1) {
			return nil, &KeyError{File: path, Key: "version", Msg: fmt.Sprintf("%q is not a known meta.properties version (0 or 1)", v)}
		}
		mp.Version = n
	}
	idKey := "node.id"
	if mp.Version == 0 {
		idKey = "broker.id"
	}
	if v, ok := kv[idKey]; ok || mp.Version == 1 {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil {
			return nil, &KeyError{File: path, Key: idKey, Msg: fmt.Sprintf("%q is not an integer", v)}
		}
		mp.NodeID, mp.BrokerID = int32(n), int32(n)
	}
	if mp.ClusterID == "" {
		return nil, &KeyError{File: path, Key: "cluster.id", Msg: "is missing"}
	}
	if mp.DirectoryID != "" {
		if id, err := base64.RawURLEncoding.DecodeString(mp.DirectoryID); err != nil || len(id) != 16 {
			return nil, &KeyError{File: path, Key: "directory.id", Msg: fmt.Sprintf("%q is not a base64url UUID", mp.DirectoryID)}
		}
	}
	return mp, nil
}

// WriteMetaProperties writes dir/meta.properties as Kafka's
// PropertiesUtils.writePropertiesFile does: Properties.store's two comment
// lines, then key=value, into a temp file that is fsynced and renamed over
// the old one, then the directory is fsynced so the rename survives a crash.
func WriteMetaProperties(dir string, mp *MetaProperties) error {
	kv, err := encodeMetaProperties(mp)
	if err != nil {
		return err
	}
	body, err := javaProperties{}.Encode(kv)
	if err != nil {
		return fmt.Errorf("encode meta.properties: %w", err)
	}
	header := "#\n#" + time.Now().Format("Mon Jan 02 15:04:05 MST 2006") + "\n"
	return writeFileAtomic(filepath.Join(dir, MetaPropertiesFile), append([]byte(header), body...))
}

// encodeMetaProperties picks the keys of mp's version.
func encodeMetaProperties(mp *MetaProperties) (map[string]any, error) {
	kv := map[string]any{"version": mp.Version, "cluster.id": mp.ClusterID}
	switch mp.Version {
	case 0:
		kv["broker.id"] = mp.BrokerID
	case 1:
		kv["node.id"] = mp.NodeID
	default:
		return nil, fmt.Errorf("write meta.properties: unknown version %d", mp.Version)
	}
	if mp.ClusterID == "" {
		return nil, fmt.Errorf("write meta.properties: cluster.id is empty")
	}
	if mp.DirectoryID != "" {
		kv["directory.id"] = mp.DirectoryID
	}
	return kv, nil
}

// writeFileAtomic replaces path with data so that a crash leaves either the
// old file or the new one, never a torn one.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("fsync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename %s to %s: %w", tmp, path, err)
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("open directory of %s: %w", path, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync directory of %s: %w", path, err)
	}
	return nil
}
