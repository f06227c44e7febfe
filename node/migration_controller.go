package node

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/kbridge/kbridge/metrics"
	"github.com/kbridge/kbridge/migrate"
)

// startMigrationDriver makes this controller a migration controller
// (zookeeper.metadata.migration.enable with zookeeper.connect): it opens its own
// ZooKeeper session and runs the migration driver, whose commit, status and finalize
// the admin endpoint serves.
func (n *Node) startMigrationDriver(ctx context.Context) error {
	conn, err := n.dialZooKeeper(ctx)
	if err != nil {
		return err
	}
	n.driverZK = conn
	times := metrics.NewZkWriteTimes()
	n.driver = migrate.NewDriver(n.controller, conn, migrate.DriverOptions{
		NodeID:              n.cfg.NodeID,
		MinBatchSize:        int(n.cfg.ZookeeperMetadataMigrationMinBatchSize),
		Voters:              adminVoters(n.cfg),
		Logger:              n.log,
		SoakStartFile:       filepath.Join(metadataPartitionDir(n.cfg), "migration-soak-start"),
		CommitWindow:        testHookDuration(n.log, commitWindowEnv, "the commit holds ZooKeeper claimed and read for this long before it copies"),
		ZkWriteSnapshotTime: times.Snapshot.UpdateMs,
		ZkWriteDeltaTime:    times.Delta.UpdateMs,
	})
	n.admin.UseDriver(n.driver)
	n.log.Info("migration controller: ZooKeeper connected", "zookeeper.connect", n.cfg.ZookeeperConnect)
	return n.addZkMigrationMetrics(times)
}

// migrationBatchDelayEnv names the test hook that pauses the migration copy after
// each batch, so an end-to-end test can kill the active controller in the middle of
// a copy. The test hooks are read from the environment, not server.properties,
// because no operator should ever set them.
const migrationBatchDelayEnv = "KBRIDGE_TEST_MIGRATION_BATCH_DELAY"

// commitWindowEnv names the test hook that widens a commit's window between its
// claim and read of ZooKeeper and its copy, so an end-to-end test can force broker
// writes into it (issue 13's race test).
const commitWindowEnv = "KBRIDGE_TEST_COMMIT_WINDOW"

// migrationBatchDelay reads the batch-delay test hook.
func migrationBatchDelay(logger *slog.Logger) time.Duration {
	return testHookDuration(logger, migrationBatchDelayEnv, "the migration copy pauses after every batch")
}

// testHookDuration reads a test hook's duration from env; unset or malformed means
// no hook. A hook that is set is logged as a warning, saying what it does.
func testHookDuration(logger *slog.Logger, env, does string) time.Duration {
	v := os.Getenv(env)
	if v == "" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		logger.Warn("ignoring a malformed test hook", "env", env, "value", v, "err", err)
		return 0
	}
	logger.Warn("test hook: "+does, "env", env, "duration", d)
	return d
}
