package e2e

import "testing"

// TestZKLeaderKilledUnderAcksAll is issue 5's third acceptance: RF=3,
// min.insync.replicas=2, an idempotent acks=all producer running while the partition
// leader's broker gets SIGKILL; the ZooKeeper controller elects a new leader from the
// ISR once the dead broker's session ends, and no acknowledged record is lost.
func TestZKLeaderKilledUnderAcksAll(t *testing.T) {
	leaderKilledUnderAcksAll(t, StartZKCluster(t, 3))
}
