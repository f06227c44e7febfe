package broker

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kbridge/kbridge/metadata"
)

// TestNewSourceKeepsStrays (issue 13): a new metadata source that lacks a topic this
// broker holds (the sources of a migration disagreeing) makes its log a stray, renamed
// and kept, not deleted; a topic deleted through the source in use is still deleted;
// so is a topic deleted while the broker was down found a stray at start-up. The strays
// are listed with their topic, partition, id and size, and only a stray's directory
// can be deleted.
func TestNewSourceKeepsStrays(t *testing.T) {
	c := newCluster(t, 1)
	one := []int32{1}
	for _, topic := range []string{"kept", "lost", "gone-while-down"} {
		c.createTopic(topic, one, 1, one, nil)
		if _, sp := c.produce(1, topic, 1, 5*time.Second, recordBatch(3, -1, 0)); sp.ErrorCode != 0 {
			t.Fatalf("produce to %s: error %d", topic, sp.ErrorCode)
		}
	}
	b := c.broker(1)
	dirs := b.cfg.LogDirs
	lostDir := c.partition(1, "lost").log.Dir()
	lostID := c.src.Image().Topics["lost"].ID

	next := newFakeSource(t)
	next.mu.Lock()
	next.img = c.src.Image().Clone()
	next.mu.Unlock()
	next.apply(t, &metadata.RemoveTopicRecord{TopicID: lostID})
	b.SetSource(next)
	if _, ok := b.replicas.Get("lost", 0); ok {
		t.Fatal("the broker still serves a partition its new source lacks")
	}
	if _, err := os.Stat(lostDir); !os.IsNotExist(err) {
		t.Fatalf("%s is still there (%v), want it renamed", lostDir, err)
	}
	strays, err := ListStrayLogs(dirs)
	if err != nil || len(strays) != 1 {
		t.Fatalf("strays %+v, %v; want lost-0 alone", strays, err)
	}
	s := strays[0]
	if s.Topic != "lost" || s.Partition != 0 || s.TopicID != lostID || s.Bytes == 0 {
		t.Fatalf("stray %+v, want lost-0 with its topic id and its data", s)
	}
	if _, ok := b.replicas.Get("kept", 0); !ok {
		t.Fatal("the new source's own topic is no longer served")
	}

	keptDir := c.partition(1, "kept").log.Dir()
	next.apply(t, &metadata.RemoveTopicRecord{TopicID: next.Image().Topics["kept"].ID})
	waitFor(t, "kept deleted through the source in use", func() bool {
		_, err := os.Stat(keptDir)
		return os.IsNotExist(err)
	})
	if strays, _ := ListStrayLogs(dirs); len(strays) != 1 {
		t.Fatalf("a topic deleted through the source became a stray: %+v", strays)
	}

	c.stop(1)
	next.apply(t, &metadata.RemoveTopicRecord{TopicID: next.Image().Topics["gone-while-down"].ID})
	c.src = next
	c.start(1)
	strays, err = ListStrayLogs(dirs)
	if err != nil || len(strays) != 2 {
		t.Fatalf("after a restart: strays %+v, %v; want lost-0 and gone-while-down-0", strays, err)
	}

	if err := DeleteStrayLog(filepath.Join(dirs[0], "kept-0")); err == nil {
		t.Fatal("deleted a directory that is not a stray's")
	}
	for _, s := range strays {
		if err := DeleteStrayLog(s.Path); err != nil {
			t.Fatal(err)
		}
	}
	if strays, _ := ListStrayLogs(dirs); len(strays) != 0 {
		t.Fatalf("strays left after deleting them: %+v", strays)
	}
}

// TestStraysExpireOnlyAfterTheMigration: while the image says a migration may still
// roll back, no stray is deleted however old; once it is finalized, a stray is deleted
// log.retention.ms after it became one, and a younger one is kept.
func TestStraysExpireOnlyAfterTheMigration(t *testing.T) {
	c := newCluster(t, 1, "log.retention.ms=3600000")
	one := []int32{1}
	for _, topic := range []string{"old", "young"} {
		c.createTopic(topic, one, 1, one, nil)
	}
	b := c.broker(1)
	next := newFakeSource(t)
	next.mu.Lock()
	next.img = c.src.Image().Clone()
	next.mu.Unlock()
	next.apply(t, &metadata.ZkMigrationStateRecord{ZkMigrationState: metadata.ZkMigrationMigration})
	for _, topic := range []string{"old", "young"} {
		next.apply(t, &metadata.RemoveTopicRecord{TopicID: next.Image().Topics[topic].ID})
	}
	b.SetSource(next)
	strays, err := ListStrayLogs(b.cfg.LogDirs)
	if err != nil || len(strays) != 2 {
		t.Fatalf("strays %+v, %v; want old-0 and young-0", strays, err)
	}
	longAgo := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(strays[0].Path, longAgo, longAgo); err != nil {
		t.Fatal(err)
	}
	b.replicas.EnforceRetention(time.Now())
	if left, _ := ListStrayLogs(b.cfg.LogDirs); len(left) != 2 {
		t.Fatalf("a stray was deleted while the migration could still roll back: %+v left", left)
	}

	next.apply(t, &metadata.ZkMigrationStateRecord{ZkMigrationState: metadata.ZkMigrationPostMigration})
	waitFor(t, "the finalized image applied", func() bool {
		b.replicas.mu.RLock()
		defer b.replicas.mu.RUnlock()
		return !b.replicas.migrating
	})
	b.replicas.EnforceRetention(time.Now())
	left, err := ListStrayLogs(b.cfg.LogDirs)
	if err != nil || len(left) != 1 || left[0].Topic != "young" {
		t.Fatalf("after the migration: strays %+v, %v; want young-0 alone (old-0 is past log.retention.ms)", left, err)
	}
}
