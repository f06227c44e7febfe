package broker

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kbridge/kbridge/broker/storage"
	"github.com/kbridge/kbridge/config"
	"github.com/kbridge/kbridge/metadata"
)

// ReplicaManager owns the partition logs of this broker and keeps them in step with the
// metadata image: it opens logs for partitions assigned here, applies topic configs and
// leadership, and deletes the logs of deleted topics. Logs that the first image of a
// metadata source does not assign here are kept as strays (stray_logs.go).
type ReplicaManager struct {
	cfg      *config.Config
	id       int32
	log      *slog.Logger
	fetchers *fetcherManager

	mu      sync.RWMutex
	parts   map[topicPartition]*Partition
	dirLoad map[string]int // partitions per log dir, to spread new ones
	closed  bool
	// strayChecked is set once stray logs were looked for after the first full image;
	// later deletions arrive as image changes.
	strayChecked bool
	// migrating is set while the image says a migration may still roll back
	// (PRE_MIGRATION, MIGRATION): stray logs are never expired then.
	migrating bool
	// onLeadershipChange, when set, hears when this broker becomes or stops being a
	// partition's leader (or a new leader epoch starts); the group coordinator loads
	// and unloads __consumer_offsets partitions by it. It is called under mu.
	onLeadershipChange func(topic string, partition int32, leader bool, leaderEpoch int32)
	// meters count the traffic of every topic (BrokerTopicMetrics); each partition
	// holds its topic's.
	meters topicMeters
}

// partitionMetadataFile is Kafka's per-partition file naming the topic id, which lets a
// broker tell a log of a deleted-and-recreated topic from the live one.
const partitionMetadataFile = "partition.metadata"

// NewReplicaManager prepares the log directories. brokerEpoch is this broker's current
// registration epoch, which its replica fetches carry.
func NewReplicaManager(cfg *config.Config, id int32, brokerEpoch func() int64, logger *slog.Logger) (*ReplicaManager, error) {
	log := logger.With("component", "replica-manager")
	dial, err := interBrokerDialer(cfg)
	if err != nil {
		return nil, err
	}
	rm := &ReplicaManager{
		cfg:      cfg,
		id:       id,
		log:      log,
		fetchers: newFetcherManager(cfg, id, brokerEpoch, dial, log),
		parts:    make(map[topicPartition]*Partition),
		dirLoad:  make(map[string]int),
	}
	for _, d := range cfg.LogDirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("create log dir %s: %w", d, err)
		}
		rm.dirLoad[d] = 0
	}
	return rm, nil
}

// Get returns the local replica of a partition.
func (rm *ReplicaManager) Get(topic string, partition int32) (*Partition, bool) {
	rm.mu.RLock()
	defer rm.mu.RUnlock()
	p, ok := rm.parts[topicPartition{topic, partition}]
	return p, ok
}

// ApplyImage brings the local replicas in line with img, the next image of the source
// in use: a partition it no longer assigns here was deleted or moved, and its log goes.
func (rm *ReplicaManager) ApplyImage(img *metadata.Image) { rm.apply(img, false) }

// ApplySourceImage brings the local replicas in line with the first image of a new
// metadata source: a partition it does not assign here is one the sources disagree on,
// and its log is kept as a stray rather than deleted.
func (rm *ReplicaManager) ApplySourceImage(img *metadata.Image) { rm.apply(img, true) }

func (rm *ReplicaManager) apply(img *metadata.Image, newSource bool) {
	if img == nil {
		return
	}
	rm.mu.Lock()
	defer rm.mu.Unlock()
	if rm.closed {
		return
	}
	rm.migrating = img.ZkMigrationState == metadata.ZkMigrationPreMigration || img.ZkMigrationState == metadata.ZkMigrationMigration
	for tp, p := range rm.parts {
		t, ok := img.Topics[tp.topic]
		if ok && t.ID == p.topicID && t.Partitions[tp.partition] != nil && t.Partitions[tp.partition].IsReplica(rm.id) {
			continue
		}
		if newSource {
			rm.strayPartitionLocked(tp, p, "the new metadata source does not assign it to this broker")
		} else {
			rm.dropLocked(tp, p)
		}
	}
	rm.openNewLocked(img)
	rm.assignNewLeaderEpochsLocked(img)
	eligible := isrEligibleBrokers(img)
	for _, t := range img.Topics {
		for _, part := range t.Partitions {
			if !part.IsReplica(rm.id) {
				continue
			}
			if p, ok := rm.parts[topicPartition{t.Name, part.ID}]; ok {
				rm.updatePartition(p, part, img, eligible)
			}
		}
	}
	if !rm.strayChecked && img.MetadataVersion() > 0 {
		rm.strayChecked = true
		rm.keepStrayLogsLocked(img)
	}
}

// updatePartition applies the image to one local replica: topic configs, then its role.
// A new leader takes over only once no fetcher can append to its log any more; a new
// follower stops taking writes first and is then handed to the fetcher for its leader,
// which truncates before it fetches.
func (rm *ReplicaManager) updatePartition(p *Partition, part *metadata.Partition, img *metadata.Image, eligible map[int32]int64) {
	ts, err := topicSettings{cfg: rm.cfg, img: img, topic: p.tp.topic}.resolved()
	if err != nil {
		rm.log.Warn("topic config", "err", err)
	}
	sc := storageConfig(ts)
	if err := p.log.SetConfig(sc); err != nil {
		rm.log.Error("topic config not applied; the log keeps its settings", "topic", p.tp.topic, "partition", p.tp.partition, "err", err)
	}
	isLeader := part.Leader == rm.id
	if isLeader {
		rm.fetchers.remove(p.tp)
	}
	ps := partitionSettings{
		minISR:     int(ts.MinInsyncReplicas),
		maxMessage: ts.MaxMessageBytes,
		appendTime: ts.LogAppendTime,
		compacted:  sc.Compacts(),
	}
	wasLeader, oldEpoch, err := p.applyImage(part, ps, eligible, time.Now())
	if err != nil {
		rm.log.Error("leadership change", "topic", p.tp.topic, "partition", p.tp.partition, "err", err)
	}
	newTerm := wasLeader != isLeader || oldEpoch != part.LeaderEpoch
	if newTerm {
		rm.log.Info("partition role changed", "topic", p.tp.topic, "partition", p.tp.partition,
			"leader", part.Leader, "leader_epoch", part.LeaderEpoch, "isr", part.ISR, "is_leader", isLeader)
	}
	if !isLeader {
		rm.follow(p, part, img, newTerm)
	}
	if rm.onLeadershipChange != nil && (wasLeader != isLeader || (isLeader && oldEpoch != part.LeaderEpoch)) {
		rm.onLeadershipChange(p.tp.topic, p.tp.partition, isLeader, part.LeaderEpoch)
	}
}

// follow points a follower partition's fetching at its leader's inter-broker listener
// (inter.broker.listener.name), or stops it while the image names no live leader that
// listens there; a later image starts it.
func (rm *ReplicaManager) follow(p *Partition, part *metadata.Partition, img *metadata.Image, newTerm bool) {
	br, ok := img.Brokers[part.Leader]
	if part.Leader < 0 || !ok || br.Fenced {
		rm.fetchers.remove(p.tp)
		return
	}
	ep, ok := br.Endpoint(rm.cfg.InterBrokerListenerName)
	if !ok {
		if newTerm {
			rm.log.Warn("leader has no endpoint for the inter-broker listener; not fetching", "topic", p.tp.topic,
				"partition", p.tp.partition, "leader", part.Leader, "listener", rm.cfg.InterBrokerListenerName)
		}
		rm.fetchers.remove(p.tp)
		return
	}
	rm.fetchers.add(part.Leader, net.JoinHostPort(ep.Host, strconv.Itoa(int(ep.Port))), p, part.LeaderEpoch)
}

// logOpenWorkers bounds how many partition logs are opened, closed or given a leader
// epoch at once. That work waits on the disk (small reads of each log's files, fsyncs
// of checkpoints), which overlaps well even on two cores, so a broker with 10,000
// partitions starts and stops in seconds rather than minutes.
const logOpenWorkers = 64

// openJob is one partition log to open: where, and for which topic.
type openJob struct {
	topic *metadata.Topic
	tp    topicPartition
	dir   string
	p     *Partition
	err   error
}

// openNewLocked opens the log of every partition img assigns to this broker that is
// not open yet, logOpenWorkers at a time: the log directory of each is chosen first,
// in order (choosing balances the dirs), then the logs are opened in parallel.
func (rm *ReplicaManager) openNewLocked(img *metadata.Image) {
	var jobs []*openJob
	for _, t := range img.Topics {
		for _, part := range t.Partitions {
			tp := topicPartition{t.Name, part.ID}
			if _, ok := rm.parts[tp]; ok || !part.IsReplica(rm.id) {
				continue
			}
			dir := rm.existingDirLocked(tp)
			if dir == "" {
				dir = rm.pickDirLocked()
			}
			rm.dirLoad[dir]++
			jobs = append(jobs, &openJob{topic: t, tp: tp, dir: dir})
		}
	}
	inParallel(len(jobs), logOpenWorkers, func(i int) {
		j := jobs[i]
		j.p, j.err = rm.openPartition(j.topic, j.tp, j.dir, img)
	})
	for _, j := range jobs {
		if j.err != nil {
			rm.dirLoad[j.dir]--
			rm.log.Error("cannot open partition log", "topic", j.tp.topic, "partition", j.tp.partition, "err", j.err)
			continue
		}
		rm.parts[j.tp] = j.p
	}
}

// openPartition opens one partition's log in dir, replacing the log of an older topic
// of the same name. It touches no shared state, so many can run at once.
func (rm *ReplicaManager) openPartition(t *metadata.Topic, tp topicPartition, dir string, img *metadata.Image) (*Partition, error) {
	path := filepath.Join(dir, fmt.Sprintf("%s-%d", tp.topic, tp.partition))
	if id, err := readPartitionMetadata(path); err == nil && id != t.ID {
		rm.log.Info("removing log of an older topic with the same name", "path", path, "old_topic_id", id.String())
		if err := os.RemoveAll(path); err != nil {
			return nil, fmt.Errorf("remove stale log %s: %w", path, err)
		}
	}
	ts, err := topicSettings{cfg: rm.cfg, img: img, topic: tp.topic}.resolved()
	if err != nil {
		rm.log.Warn("topic config", "err", err)
	}
	l, err := storage.Open(path, tp.topic, tp.partition, storageConfig(ts), rm.log)
	if err != nil {
		return nil, fmt.Errorf("open log %s: %w", path, err)
	}
	if err := writePartitionMetadata(path, t.ID); err != nil {
		l.Close()
		return nil, err
	}
	return &Partition{
		tp: tp, topicID: t.ID, log: l, self: rm.id, meters: &rm.meters, meter: rm.meters.forTopic(tp.topic),
		lagTime: time.Duration(rm.cfg.ReplicaLagTimeMaxMs) * time.Millisecond,
		leader:  -1, leaderEpoch: -1, partitionEpoch: -1,
	}, nil
}

// assignNewLeaderEpochsLocked writes, logOpenWorkers at a time, the leader epoch of
// every partition this image makes this broker lead that no fetcher is appending to
// (it led nothing or led itself): the epoch's start offset is the log end offset,
// which nothing can move before the partition becomes leader, so it is the same
// offset the role change would write, one fsync each. Done one by one, a broker that
// takes over thousands of partitions at once — a restart, an unfencing — spends
// seconds in fsyncs before it serves any of them.
func (rm *ReplicaManager) assignNewLeaderEpochsLocked(img *metadata.Image) {
	type assignment struct {
		p     *Partition
		epoch int32
	}
	var todo []assignment
	for _, t := range img.Topics {
		for _, part := range t.Partitions {
			if part.Leader != rm.id {
				continue
			}
			p, ok := rm.parts[topicPartition{t.Name, part.ID}]
			if !ok {
				continue
			}
			p.mu.Lock()
			idle := p.leader < 0 || p.leader == rm.id
			newEpoch := p.leaderEpoch != part.LeaderEpoch || p.leader != part.Leader
			p.mu.Unlock()
			if idle && newEpoch {
				todo = append(todo, assignment{p, part.LeaderEpoch})
			}
		}
	}
	inParallel(len(todo), logOpenWorkers, func(i int) {
		if _, err := todo[i].p.log.AssignEpochStartOffset(todo[i].epoch); err != nil {
			rm.log.Warn("leader epoch", "topic", todo[i].p.tp.topic, "partition", todo[i].p.tp.partition, "err", err)
		}
	})
}

// inParallel calls fn(0..n-1), at most workers at a time, and returns when all are done.
func inParallel(n, workers int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

func (rm *ReplicaManager) existingDirLocked(tp topicPartition) string {
	name := fmt.Sprintf("%s-%d", tp.topic, tp.partition)
	for _, d := range rm.cfg.LogDirs {
		if fi, err := os.Stat(filepath.Join(d, name)); err == nil && fi.IsDir() {
			return d
		}
	}
	return ""
}

func (rm *ReplicaManager) pickDirLocked() string {
	best := rm.cfg.LogDirs[0]
	for _, d := range rm.cfg.LogDirs {
		if rm.dirLoad[d] < rm.dirLoad[best] {
			best = d
		}
	}
	return best
}

func (rm *ReplicaManager) dropLocked(tp topicPartition, p *Partition) {
	rm.log.Info("deleting partition log", "topic", tp.topic, "partition", tp.partition)
	rm.stopPartitionLocked(tp, p)
	if err := p.log.Delete(); err != nil {
		rm.log.Error("delete partition log", "topic", tp.topic, "partition", tp.partition, "err", err)
	}
}

// stopPartitionLocked stops serving and fetching a partition before its log goes.
func (rm *ReplicaManager) stopPartitionLocked(tp topicPartition, p *Partition) {
	if rm.onLeadershipChange != nil && p.state().leader == rm.id {
		rm.onLeadershipChange(tp.topic, tp.partition, false, -1)
	}
	rm.fetchers.remove(tp)
	p.resign()
	delete(rm.parts, tp)
}

// keepStrayLogsLocked renames, as strays, the partition directories the first full
// image does not assign to this broker: a topic deleted while the broker was down, or
// one the metadata lost. Kafka renames them the same way at start-up.
func (rm *ReplicaManager) keepStrayLogsLocked(img *metadata.Image) {
	for _, d := range rm.cfg.LogDirs {
		entries, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if !e.IsDir() || strings.HasPrefix(e.Name(), "__cluster_metadata") {
				continue
			}
			path := filepath.Join(d, e.Name())
			id, err := readPartitionMetadata(path)
			if err != nil {
				continue
			}
			topic, part, ok := splitPartitionDir(e.Name())
			if !ok {
				continue
			}
			if _, open := rm.parts[topicPartition{topic, part}]; open {
				continue
			}
			if t, ok := img.TopicsByID[id]; ok && t.Partitions[part] != nil && t.Partitions[part].IsReplica(rm.id) {
				continue
			}
			stray, err := renameStray(path, topicPartition{topic, part})
			if err != nil {
				rm.log.Error("keep partition log as a stray", "path", path, "err", err)
				continue
			}
			rm.log.Warn("kept a partition log as a stray: the metadata does not assign it to this broker", "path", stray,
				"hint", "kbridge log-dirs strays list|delete")
		}
	}
}

func splitPartitionDir(name string) (string, int32, bool) {
	i := strings.LastIndexByte(name, '-')
	if i <= 0 {
		return "", 0, false
	}
	n, err := strconv.ParseInt(name[i+1:], 10, 32)
	if err != nil {
		return "", 0, false
	}
	return name[:i], int32(n), true
}

func readPartitionMetadata(dir string) (metadata.Uuid, error) {
	b, err := os.ReadFile(filepath.Join(dir, partitionMetadataFile))
	if err != nil {
		return metadata.Uuid{}, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "topic_id: "); ok {
			return metadata.ParseUuid(strings.TrimSpace(v))
		}
	}
	return metadata.Uuid{}, errors.New("partition.metadata has no topic_id")
}

func writePartitionMetadata(dir string, id metadata.Uuid) error {
	path := filepath.Join(dir, partitionMetadataFile)
	want := "version: 0\ntopic_id: " + id.String() + "\n"
	if b, err := os.ReadFile(path); err == nil && string(b) == want {
		return nil
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(want), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename %s: %w", tmp, err)
	}
	return nil
}

// Maintain runs time-based flushes and segment rolls.
func (rm *ReplicaManager) Maintain(now time.Time) {
	for _, p := range rm.snapshot() {
		if err := p.log.Maintain(now); err != nil {
			rm.log.Error("log maintenance", "topic", p.tp.topic, "partition", p.tp.partition, "err", err)
		}
	}
}

// EnforceRetention deletes whole old segments by time and size.
func (rm *ReplicaManager) EnforceRetention(now time.Time) {
	rm.expireStrays(now)
	for _, p := range rm.snapshot() {
		n, err := p.log.EnforceRetention(now)
		if err != nil {
			rm.log.Error("retention", "topic", p.tp.topic, "partition", p.tp.partition, "err", err)
		} else if n > 0 {
			rm.log.Info("retention deleted segments", "topic", p.tp.topic, "partition", p.tp.partition, "segments", n)
		}
	}
}

func (rm *ReplicaManager) snapshot() []*Partition {
	rm.mu.RLock()
	defer rm.mu.RUnlock()
	out := make([]*Partition, 0, len(rm.parts))
	for _, p := range rm.parts {
		out = append(out, p)
	}
	return out
}

// Close stops the replica fetchers and closes every log cleanly.
func (rm *ReplicaManager) Close() error {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	rm.closed = true
	rm.fetchers.close()
	parts := make([]*Partition, 0, len(rm.parts))
	for _, p := range rm.parts {
		parts = append(parts, p)
	}
	errs := make([]error, len(parts))
	inParallel(len(parts), logOpenWorkers, func(i int) {
		if err := parts[i].log.Close(); err != nil {
			errs[i] = fmt.Errorf("close %s-%d: %w", parts[i].tp.topic, parts[i].tp.partition, err)
		}
	})
	return errors.Join(errs...)
}
