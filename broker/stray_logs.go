package broker

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/kbridge/kbridge/metadata"
)

// Stray logs, as Kafka keeps them since KAFKA-15605: a partition log this broker holds
// but its metadata does not assign to it, found at start-up or when a new metadata
// source takes over (the switch between ZooKeeper and the quorum during a migration),
// is not deleted but renamed "<topic>-<partition>.<uniqueId>-stray" and kept. The two
// sources disagreeing is exactly when a deletion would destroy data nobody asked to
// delete (issue 13: a rollback that lost topics deleted their logs on every broker);
// `kbridge log-dirs strays list|delete` shows and removes them. A topic deleted
// through the metadata, seen by a running broker, is still deleted at once. Once no
// migration can roll back any more, a stray is deleted log.retention.ms after it
// became one, as its records would have expired (expireStrays).

// straySuffix ends a stray log's directory name (Kafka's LocalLog.StrayDirSuffix).
const straySuffix = "-stray"

// strayDirName is Kafka's LocalLog.logStrayDirName: "<topic>-<partition>.<uniqueId>-stray",
// the unique id 32 hex digits, the topic cut so the name stays within 255 bytes.
func strayDirName(tp topicPartition) string {
	id := metadata.RandomUuid()
	suffix := fmt.Sprintf("-%d.%s%s", tp.partition, hex.EncodeToString(id[:]), straySuffix)
	return tp.topic[:min(len(tp.topic), 255-len(suffix))] + suffix
}

// StrayLog is a stray log directory.
type StrayLog struct {
	Path      string        `json:"path"`
	Topic     string        `json:"topic"`
	Partition int32         `json:"partition"`
	TopicID   metadata.Uuid `json:"topic_id"`
	Bytes     int64         `json:"bytes"`
	// Since is when the log became a stray (its directory's modification time).
	Since time.Time `json:"since"`
}

// parseStrayDirName reads the topic and partition out of a stray log's directory
// name, as Kafka's parseTopicPartitionName does.
func parseStrayDirName(name string) (string, int32, bool) {
	base, ok := strings.CutSuffix(name, straySuffix)
	if !ok {
		return "", 0, false
	}
	dot := strings.LastIndexByte(base, '.')
	if dot <= 0 {
		return "", 0, false
	}
	return splitPartitionDir(base[:dot])
}

// ListStrayLogs lists the stray logs in the log directories, by path.
func ListStrayLogs(logDirs []string) ([]StrayLog, error) {
	var out []StrayLog
	for _, d := range logDirs {
		entries, err := os.ReadDir(d)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("list log dir %s: %w", d, err)
		}
		for _, e := range entries {
			topic, part, ok := parseStrayDirName(e.Name())
			if !e.IsDir() || !ok {
				continue
			}
			path := filepath.Join(d, e.Name())
			s := StrayLog{Path: path, Topic: topic, Partition: part}
			s.TopicID, _ = readPartitionMetadata(path)
			if fi, err := e.Info(); err == nil {
				s.Since = fi.ModTime()
			}
			s.Bytes, err = dirBytes(path)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b StrayLog) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

// DeleteStrayLog removes one stray log directory; a path that is not a stray log's is
// refused, so the command can never remove a live partition.
func DeleteStrayLog(path string) error {
	if _, _, ok := parseStrayDirName(filepath.Base(path)); !ok {
		return fmt.Errorf("%s is not a stray log directory (<topic>-<partition>.<id>%s)", path, straySuffix)
	}
	if err := os.RemoveAll(path); err != nil {
		return fmt.Errorf("delete stray log %s: %w", path, err)
	}
	return nil
}

func dirBytes(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if fi, err := d.Info(); err == nil && !d.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("size of %s: %w", dir, err)
	}
	return n, nil
}

// renameStray renames a closed partition log's directory to a stray name beside it.
func renameStray(dir string, tp topicPartition) (string, error) {
	stray := filepath.Join(filepath.Dir(dir), strayDirName(tp))
	if err := os.Rename(dir, stray); err != nil {
		return "", fmt.Errorf("rename %s to a stray log: %w", dir, err)
	}
	// The rename does not touch the directory's own modification time; Since is when
	// it became a stray.
	now := time.Now()
	if err := os.Chtimes(stray, now, now); err != nil {
		return "", fmt.Errorf("stamp stray log %s: %w", stray, err)
	}
	return stray, nil
}

// strayPartitionLocked stops serving p and keeps its log as a stray.
func (rm *ReplicaManager) strayPartitionLocked(tp topicPartition, p *Partition, why string) {
	rm.stopPartitionLocked(tp, p)
	dir := p.log.Dir()
	if err := p.log.Close(); err != nil {
		rm.log.Error("close partition log", "topic", tp.topic, "partition", tp.partition, "err", err)
	}
	stray, err := renameStray(dir, tp)
	if err != nil {
		rm.log.Error("keep partition log as a stray", "topic", tp.topic, "partition", tp.partition, "err", err)
		return
	}
	rm.log.Warn("kept a partition log as a stray instead of deleting it", "topic", tp.topic, "partition", tp.partition,
		"reason", why, "path", stray, "hint", "kbridge log-dirs strays list|delete")
}

// expireStrays deletes the stray logs that became strays log.retention.ms or more
// before now, unless a migration may still roll back (the image is in PRE_MIGRATION
// or MIGRATION: a rollback may need exactly those logs) or retention is unlimited.
func (rm *ReplicaManager) expireStrays(now time.Time) {
	rm.mu.RLock()
	migrating := rm.migrating
	rm.mu.RUnlock()
	retention := rm.cfg.LogRetentionMs
	if migrating || retention < 0 {
		return
	}
	strays, err := ListStrayLogs(rm.cfg.LogDirs)
	if err != nil {
		rm.log.Error("list stray logs", "err", err)
		return
	}
	for _, s := range strays {
		if now.Sub(s.Since) < time.Duration(retention)*time.Millisecond {
			continue
		}
		if err := DeleteStrayLog(s.Path); err != nil {
			rm.log.Error("delete an expired stray log", "path", s.Path, "err", err)
			continue
		}
		rm.log.Info("deleted a stray log past log.retention.ms", "path", s.Path, "topic", s.Topic, "partition", s.Partition,
			"stray_since", s.Since, "log.retention.ms", retention)
	}
}
