package storage

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Names of Kafka's per-log-dir checkpoint files, which the broker writes with
// WriteOffsetCheckpoint so that a Kafka broker (or an operator) reading the directory
// finds them where Kafka puts them.
const (
	RecoveryPointCheckpointFile  = "recovery-point-offset-checkpoint"
	LogStartOffsetCheckpointFile = "log-start-offset-checkpoint"
	ReplicationCheckpointFile    = "replication-offset-checkpoint"
)

// TopicPartition keys offset checkpoints, one line per partition.
type TopicPartition struct {
	Topic     string
	Partition int32
}

// ReadOffsetCheckpoint reads one of Kafka's offset checkpoint files ("0", a count, then
// "topic partition offset" lines). A missing file is an empty checkpoint, as for a
// freshly created log dir.
func ReadOffsetCheckpoint(path string) (map[TopicPartition]int64, error) {
	lines, err := readCheckpoint(path, 3)
	if err != nil {
		return nil, err
	}
	out := make(map[TopicPartition]int64, len(lines))
	for _, f := range lines {
		p, err1 := strconv.ParseInt(f[1], 10, 32)
		o, err2 := strconv.ParseInt(f[2], 10, 64)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("read checkpoint %s: line %q: %w", path, strings.Join(f, " "), err)
		}
		out[TopicPartition{Topic: f[0], Partition: int32(p)}] = o
	}
	return out, nil
}

// WriteOffsetCheckpoint replaces an offset checkpoint file atomically, so a crash
// leaves either the old or the new file, never a mix.
func WriteOffsetCheckpoint(path string, offsets map[TopicPartition]int64) error {
	lines := make([]string, 0, len(offsets))
	for tp, o := range offsets {
		lines = append(lines, tp.Topic+" "+strconv.FormatInt(int64(tp.Partition), 10)+" "+strconv.FormatInt(o, 10))
	}
	return writeCheckpoint(path, lines)
}

// readCheckpoint parses Kafka's checkpoint text format and returns the entry lines
// split into exactly fields fields each.
func readCheckpoint(path string, fields int) ([][]string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read checkpoint %s: %w", path, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	next := func() (string, bool) {
		if !sc.Scan() {
			return "", false
		}
		return strings.TrimSpace(sc.Text()), true
	}
	if v, ok := next(); !ok || v != "0" {
		return nil, fmt.Errorf("read checkpoint %s: unsupported version line %q", path, v)
	}
	c, ok := next()
	count, err := strconv.Atoi(c)
	if !ok || err != nil || count < 0 {
		return nil, fmt.Errorf("read checkpoint %s: bad entry count %q", path, c)
	}
	out := make([][]string, 0, count)
	for range count {
		l, ok := next()
		if !ok {
			return nil, fmt.Errorf("read checkpoint %s: %d entries announced, %d present", path, count, len(out))
		}
		f := strings.Fields(l)
		if len(f) != fields {
			return nil, fmt.Errorf("read checkpoint %s: line %q: want %d fields", path, l, fields)
		}
		out = append(out, f)
	}
	return out, nil
}

// writeCheckpoint writes the file the way Kafka's CheckpointFile does: to a temp file,
// fsync, rename over the old one, fsync the directory.
func writeCheckpoint(path string, lines []string) error {
	var b strings.Builder
	b.WriteString("0\n")
	b.WriteString(strconv.Itoa(len(lines)))
	b.WriteByte('\n')
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return writeFileAtomic(path, []byte(b.String()))
}

func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename %s: %w", tmp, err)
	}
	return syncDir(filepath.Dir(path))
}

// syncDir makes creations, renames and removals in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open dir %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync dir %s: %w", dir, err)
	}
	return nil
}
