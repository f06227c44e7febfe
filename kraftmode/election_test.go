package kraftmode

import (
	"context"
	"errors"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

func TestUncleanLeaderElectionOnlyWhenEnabled(t *testing.T) {
	c := startSingleVoter(t, nil)
	ctx := context.Background()
	e1 := registerBroker(t, c, 1)
	registerBroker(t, c, 2)
	clean := createTopic(t, c, "clean", nil, []int32{1, 2}).ID
	dirty := createTopic(t, c, "dirty", map[string]*string{metadata.UncleanLeaderElectionConfig: strp("true")}, []int32{1, 2}).ID
	res, err := c.AlterPartition(ctx, 1, e1, []metadata.ISRChange{
		{TopicID: clean, NewISR: []int32{1}},
		{TopicID: dirty, NewISR: []int32{1}},
	})
	if err != nil || res[0].Err != nil || res[1].Err != nil {
		t.Fatalf("shrink ISRs: %v, %+v", err, res)
	}

	heartbeat(t, c, BrokerHeartbeat{BrokerID: 1, BrokerEpoch: e1, WantFence: true})
	wantPartition(t, c, "clean", 0, metadata.NoLeader, []int32{1}, 1)
	wantPartition(t, c, "dirty", 0, 2, []int32{2}, 1)
	if lrs := partition(t, c, "dirty", 0).LeaderRecoveryState; lrs != metadata.LeaderRecoveryStateRecovering {
		t.Errorf("dirty-0 leader recovery state %d, want RECOVERING", lrs)
	}

	got, err := c.ElectLeaders(ctx, false, map[string][]int32{"clean": {0}})
	if err != nil || len(got) != 1 || !errors.Is(got[0].Err, kerr.PreferredLeaderNotAvailable) {
		t.Fatalf("preferred election without a live preferred replica = %+v, %v", got, err)
	}
	got, err = c.ElectLeaders(ctx, true, map[string][]int32{"dirty": {0}, "clean": {0}})
	if err != nil || len(got) != 2 {
		t.Fatalf("unclean election = %+v, %v", got, err)
	}
	if got[0].Topic != "clean" || got[0].Err != nil {
		t.Errorf("clean-0 = %+v, want elected", got[0])
	}
	wantCode(t, "dirty-0 has a leader", got[1].Err, kerr.ElectionNotNeeded)
	wantPartition(t, c, "clean", 0, 2, []int32{2}, 2)
}

func TestElectLeaders(t *testing.T) {
	c := startSingleVoter(t, nil)
	ctx := context.Background()
	e := map[int32]int64{}
	for id := int32(1); id <= 3; id++ {
		e[id] = registerBroker(t, c, id)
	}
	id := createTopic(t, c, "t", nil, []int32{1, 2}, []int32{2, 1}).ID
	createTopic(t, c, "solo", nil, []int32{3})

	// Broker 1 leaves and comes back: t-0 stays with 2 until 1 is in sync again.
	heartbeat(t, c, BrokerHeartbeat{BrokerID: 1, BrokerEpoch: e[1], WantFence: true})
	unfenceBroker(t, c, 1, e[1])
	wantPartition(t, c, "t", 0, 2, []int32{2}, 1)

	got, err := c.ElectLeaders(ctx, false, map[string][]int32{"t": {0, 1, 7}, "nope": {0}})
	if err != nil {
		t.Fatalf("elect: %v", err)
	}
	want := []struct {
		topic string
		p     int32
		code  *kerr.Error
	}{{"nope", 0, kerr.UnknownTopicOrPartition}, {"t", 0, kerr.PreferredLeaderNotAvailable}, {"t", 1, kerr.ElectionNotNeeded}, {"t", 7, kerr.UnknownTopicOrPartition}}
	if len(got) != len(want) {
		t.Fatalf("results %+v, want %d", got, len(want))
	}
	for i, w := range want {
		if got[i].Topic != w.topic || got[i].Partition != w.p || !errors.Is(got[i].Err, w.code) {
			t.Errorf("result %d = %+v, want %s-%d %s", i, got[i], w.topic, w.p, w.code.Message)
		}
	}

	p := partition(t, c, "t", 0)
	if res, err := c.AlterPartition(ctx, 2, e[2], []metadata.ISRChange{{TopicID: id, LeaderEpoch: p.LeaderEpoch, PartitionEpoch: p.PartitionEpoch, NewISR: []int32{2, 1}}}); err != nil || res[0].Err != nil {
		t.Fatalf("expand ISR: %v, %+v", err, res)
	}
	// Every partition: only those that needed an election are reported.
	got, err = c.ElectLeaders(ctx, false, nil)
	if err != nil || len(got) != 1 || got[0].Topic != "t" || got[0].Partition != 0 || got[0].Err != nil {
		t.Fatalf("preferred election of all partitions = %+v, %v", got, err)
	}
	wantPartition(t, c, "t", 0, 1, []int32{2, 1}, 2)

	got, _ = c.ElectLeaders(ctx, true, map[string][]int32{"t": {0}})
	wantCode(t, "unclean with a leader", got[0].Err, kerr.ElectionNotNeeded)
	heartbeat(t, c, BrokerHeartbeat{BrokerID: 3, BrokerEpoch: e[3], WantFence: true})
	got, _ = c.ElectLeaders(ctx, true, map[string][]int32{"solo": {0}})
	wantCode(t, "unclean with no live replica", got[0].Err, kerr.EligibleLeadersNotAvailable)
}
