package kraftmode

import (
	"context"
	"slices"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

func TestCreateTopicsPlacesAcrossRacks(t *testing.T) {
	c := startSingleVoter(t, nil)
	ctx := context.Background()
	for id, rack := range map[int32]string{1: "r1", 2: "r1", 3: "r2", 4: "r2"} {
		epoch := registerFenced(t, c, metadata.BrokerRegistration{BrokerID: id, Rack: rack})
		unfenceBroker(t, c, id, epoch)
	}
	res := c.CreateTopics(ctx, []metadata.TopicSpec{{Name: "racked", NumPartitions: 8, ReplicationFactor: 2}}, false)
	if res[0].Err != nil {
		t.Fatalf("create: %v", res[0].Err)
	}
	if err := c.CreatePartitions(ctx, "racked", 12, nil, false); err != nil {
		t.Fatalf("create partitions: %v", err)
	}
	img := c.Image()
	for _, p := range img.Topics["racked"].Partitions {
		if len(p.Replicas) != 2 || img.Brokers[p.Replicas[0]].Rack == img.Brokers[p.Replicas[1]].Rack {
			t.Errorf("partition %d replicas %v share a rack", p.ID, p.Replicas)
		}
		if p.Leader != p.Replicas[0] || !slices.Equal(p.ISR, p.Replicas) || p.LeaderEpoch != 0 {
			t.Errorf("new partition %d = %+v", p.ID, p)
		}
	}

	// A broker without broker.rack: Kafka's rack-aware assignment refuses.
	unfenceBroker(t, c, 5, registerFenced(t, c, metadata.BrokerRegistration{BrokerID: 5}))
	res = c.CreateTopics(ctx, []metadata.TopicSpec{{Name: "mixed", NumPartitions: 1, ReplicationFactor: 2}}, false)
	wantCode(t, "mixed racks", res[0].Err, kerr.UnknownServerError)
	if res[0].Err == nil || res[0].Err.Error() != "Not all brokers have rack information for replica rack aware assignment." {
		t.Errorf("mixed racks message = %v", res[0].Err)
	}
	wantCode(t, "mixed racks, new partitions", c.CreatePartitions(ctx, "racked", 13, nil, false), kerr.UnknownServerError)
	// A manual assignment needs no placement.
	if res := c.CreateTopics(ctx, []metadata.TopicSpec{{Name: "manual", NumPartitions: -1, ReplicationFactor: -1, Assignment: map[int32][]int32{0: {5, 1}}}}, false); res[0].Err != nil {
		t.Errorf("manual assignment with mixed racks: %v", res[0].Err)
	}
}
