package kraftmode

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/kbridge/kbridge/metadata"
)

// imageRecords renders an image as the JSON lines `metadata dump --image` prints, to
// compare two images whole.
func imageRecords(t *testing.T, img *metadata.Image) []string {
	t.Helper()
	var out []string
	for _, r := range img.Records() {
		b, err := metadata.RecordJSON(r)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

func waitSameImage(t *testing.T, f *MetadataFollower, c *Controller) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if slices.Equal(imageRecords(t, f.Image()), imageRecords(t, c.Image())) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("follower image at %d never matched the controller's at %d:\nfollower: %v\ncontroller: %v",
		f.Image().Offset, c.Image().Offset, imageRecords(t, f.Image()), imageRecords(t, c.Image()))
}

// TestFollowerTracksTheLog: a broker's follower, fetching the committed log over the
// controller listener, holds the controller's image through registrations, topic
// writes and fencing.
func TestFollowerTracksTheLog(t *testing.T) {
	nd := newTestCluster(t, 1)[0]
	nd.start()
	nd.waitReady()
	nd.serveKafka()
	f := StartMetadataFollower(FollowerOptions{NodeID: 101, ClusterID: nd.opts.ClusterID, Voters: nd.opts.Voters, MaxWait: 100 * time.Millisecond, Logger: testLogger(t)})
	defer f.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.WaitCaughtUp(ctx); err != nil {
		t.Fatal(err)
	}
	epoch := registerBroker(t, nd.c, 101)
	if res := nd.c.CreateTopics(ctx, []metadata.TopicSpec{{Name: "t", NumPartitions: 3, ReplicationFactor: 1}}, false); res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	waitSameImage(t, f, nd.c)
	heartbeat(t, nd.c, BrokerHeartbeat{BrokerID: 101, BrokerEpoch: epoch, WantFence: true})
	waitSameImage(t, f, nd.c)
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
	nd := newTestCluster(t, 1)[0]
	nd.opts.SnapshotThreshold = 4
	nd.opts.TrailingLogs = 1
	nd.start()
	nd.waitReady()
	nd.serveKafka()
	ctx := context.Background()
	registerBroker(t, nd.c, 101)
	for i := range 10 {
		name := string(rune('a'+i)) + "-topic"
		if res := nd.c.CreateTopics(ctx, []metadata.TopicSpec{{Name: name, NumPartitions: 1, ReplicationFactor: 1}}, false); res[0].Err != nil {
			t.Fatal(res[0].Err)
		}
	}
	if err := nd.c.raft.Snapshot().Error(); err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	if first, _ := nd.c.store.FirstIndex(); first <= 1 {
		t.Fatalf("log not compacted after the snapshot (first index %d)", first)
	}
	f := StartMetadataFollower(FollowerOptions{NodeID: 101, ClusterID: nd.opts.ClusterID, Voters: nd.opts.Voters, MaxWait: 100 * time.Millisecond, Logger: testLogger(t)})
	defer f.Close()
	waitSameImage(t, f, nd.c)
	if res := nd.c.CreateTopics(ctx, []metadata.TopicSpec{{Name: "after-snapshot", NumPartitions: 1, ReplicationFactor: 1}}, false); res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	waitSameImage(t, f, nd.c)
}
