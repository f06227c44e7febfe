package kraftbroker

import (
	"context"
	"testing"
	"time"

	"github.com/kbridge/kbridge/kraftmode"
)

// TestFollowerTracksTheLog: a broker's follower, fetching the committed log over the
// controller listener, holds the controller's image through registrations, topic
// writes and fencing.
func TestFollowerTracksTheLog(t *testing.T) {
	tc := startController(t, nil)
	f := tc.startFollower(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.WaitCaughtUp(ctx); err != nil {
		t.Fatal(err)
	}
	epoch := tc.registerBroker(t, 101)
	tc.createTopic(t, "t", 3)
	waitSameImage(t, f, tc.c)
	tc.heartbeat(t, kraftmode.BrokerHeartbeat{BrokerID: 101, BrokerEpoch: epoch, WantFence: true})
	waitSameImage(t, f, tc.c)
	if !f.Image().Brokers[101].Fenced {
		t.Fatal("the follower's image does not show broker 101 fenced")
	}
	if f.LeaderID() != 1 {
		t.Fatalf("follower's leader is %d, want 1", f.LeaderID())
	}
}

// TestFollowerLoadsSnapshot: a follower that starts after the log was compacted into
// a snapshot loads the leader's image with FetchSnapshot, then continues from the log.
func TestFollowerLoadsSnapshot(t *testing.T) {
	tc := startController(t, func(o *kraftmode.Options) {
		o.SnapshotThreshold = 4
		o.TrailingLogs = 1
		// Snapshots are taken by time as well as by count, so the log is compacted
		// without reaching into the controller's Raft.
		o.SnapshotInterval = 50 * time.Millisecond
	})
	tc.registerBroker(t, 101)
	for i := range 10 {
		tc.createTopic(t, string(rune('a'+i))+"-topic", 1)
	}
	tc.waitCompacted(t)
	f := tc.startFollower(t)
	waitSameImage(t, f, tc.c)
	tc.createTopic(t, "after-snapshot", 1)
	waitSameImage(t, f, tc.c)
}
