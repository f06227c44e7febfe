package migrate

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/internal/zktest"
	"github.com/kbridge/kbridge/kraftmode"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// benchPartitions is how many partitions BenchmarkMigrationCopy writes into ZooKeeper
// (the target in docs/architecture.md, "Performance targets", is 100,000); KBRIDGE_BENCH_PARTITIONS changes it.
func benchPartitions(b *testing.B) int {
	if v := os.Getenv("KBRIDGE_BENCH_PARTITIONS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 {
			b.Fatalf("KBRIDGE_BENCH_PARTITIONS=%q: want a number of at least 100", v)
		}
		return n
	}
	return 100_000
}

// BenchmarkMigrationCopy measures the migration-copy target (docs/architecture.md, "Performance targets") against a real
// ZooKeeper holding topics of 100 partitions each: the time to read every topic and
// partition-state znode raw (parallel Gets, nothing decoded), and the time of the copy
// as a commit runs it after fencing (LoadTree, the migration records, and
// CopyZkMetadata into a fresh single-voter controller that fsyncs every batch). It
// reports both and their ratio, copy/read (target < 1.5).
//
//	go test -run '^$' -bench MigrationCopy -benchtime 3x ./migrate/
func BenchmarkMigrationCopy(b *testing.B) {
	partitions := benchPartitions(b)
	srv := zktest.Start(b)
	ctx := context.Background()
	conn, err := zkmode.Dial(ctx, srv.Addr()+"/kafka", 30*time.Second, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(conn.Close)
	start := time.Now()
	paths := populateTopics(b, conn, partitions/100, 100)
	b.Logf("wrote %d topics of 100 partitions (%d znodes) in %v", partitions/100, len(paths), time.Since(start).Round(time.Millisecond))

	var read, copied time.Duration
	b.ResetTimer()
	for i := range b.N {
		t0 := time.Now()
		if err := readRaw(ctx, conn, paths); err != nil {
			b.Fatal(err)
		}
		read += time.Since(t0)

		ctrl := startBenchController(b, i)
		t1 := time.Now()
		tree, err := zkmode.LoadTree(ctx, conn)
		if err != nil {
			b.Fatal(err)
		}
		recs, err := tree.MigrationRecords()
		if err != nil {
			b.Fatal(err)
		}
		lastShown := time.Now()
		if _, _, err := ctrl.CopyZkMetadata(ctx, migrationGroups(recs), kraftmode.DefaultMigrationMinBatch, func(done, total int) {
			if time.Since(lastShown) > time.Second {
				b.Logf("copy progress: %d/%d records", done, total)
				lastShown = time.Now()
			}
		}); err != nil {
			b.Fatal(err)
		}
		copied += time.Since(t1)
		b.StopTimer()
		ctrl.Close()
		b.StartTimer()
	}
	b.ReportMetric(read.Seconds()/float64(b.N), "read-s/op")
	b.ReportMetric(copied.Seconds()/float64(b.N), "copy-s/op")
	b.ReportMetric(copied.Seconds()/read.Seconds(), "copy/read")
}

// populateTopics writes topics of perTopic partitions each in Kafka's layout (topic
// znode v3 with topic_id, a state znode per partition) and returns the paths of every
// topic and state znode.
func populateTopics(b *testing.B, conn *zkmode.Conn, topics, perTopic int) []string {
	ctx := context.Background()
	if err := zkmode.CreateTopLevelPaths(ctx, conn); err != nil {
		b.Fatal(err)
	}
	var paths []string
	var ops []any
	flush := func() {
		if len(ops) == 0 {
			return
		}
		if _, err := conn.Multi(ctx, ops...); err != nil {
			b.Fatal(err)
		}
		ops = ops[:0]
	}
	for t := range topics {
		name := fmt.Sprintf("bench-%05d", t)
		tz := znode.TopicZNode{TopicID: metadata.RandomUuid(), Partitions: map[int32][]int32{}}
		for p := range int32(perTopic) {
			tz.Partitions[p] = []int32{1 + p%3, 1 + (p+1)%3, 1 + (p+2)%3}
		}
		ops = append(ops,
			&zk.CreateRequest{Path: znode.TopicPath(name), Data: znode.EncodeTopic(tz)},
			&zk.CreateRequest{Path: znode.TopicPath(name) + "/partitions"})
		paths = append(paths, znode.TopicPath(name))
		for p := range int32(perTopic) {
			state := znode.PartitionState{Leader: tz.Partitions[p][0], ControllerEpoch: 1, ISR: tz.Partitions[p]}
			ops = append(ops,
				&zk.CreateRequest{Path: fmt.Sprintf("%s/partitions/%d", znode.TopicPath(name), p)},
				&zk.CreateRequest{Path: znode.TopicPartitionStatePath(name, p), Data: znode.EncodePartitionState(state)})
			paths = append(paths, znode.TopicPartitionStatePath(name, p))
		}
		if len(ops) >= 800 {
			flush()
		}
	}
	flush()
	return paths
}

// readRaw reads every path once, 64 at a time as LoadTree does, decoding nothing.
func readRaw(ctx context.Context, conn *zkmode.Conn, paths []string) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if int(i) >= len(paths) {
					return
				}
				if _, _, err := conn.Get(ctx, paths[i]); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// startBenchController starts a single-voter migration controller on a fresh log, in
// PRE_MIGRATION, ready to copy.
func startBenchController(b *testing.B, i int) *kraftmode.Controller {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	ln.Close()
	dir := fmt.Sprintf("%s/run-%d/__cluster_metadata-0", b.TempDir(), i)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	ctrl, err := kraftmode.Start(kraftmode.Options{
		NodeID: 3000, ClusterID: "fMCL8kv1SWm87L_Md-I2hg", Dir: dir,
		Voters:             []kraftmode.Voter{{ID: 3000, Host: "127.0.0.1", Port: addr.Port}},
		ZkMigrationEnabled: true,
		Logger:             slog.New(slog.DiscardHandler),
	}, kraftmode.NewStreamLayer(addr, kraftmode.StreamOptions{}))
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := ctrl.WaitReady(ctx); err != nil {
		b.Fatal(err)
	}
	for ctrl.MigrationState().State != metadata.ZkMigrationPreMigration || !ctrl.MigrationState().Active {
		time.Sleep(10 * time.Millisecond)
	}
	return ctrl
}
