package kraftmode

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

func TestControlledShutdown(t *testing.T) {
	c := startSingleVoter(t, nil)
	ctx := context.Background()
	e := map[int32]int64{}
	for id := int32(1); id <= 3; id++ {
		e[id] = registerBroker(t, c, id)
	}
	createTopic(t, c, "t", nil, []int32{1, 2, 3}, []int32{2, 3, 1})
	createTopic(t, c, "pair", nil, []int32{1, 2}, []int32{2, 1})
	createTopic(t, c, "single", nil, []int32{1})
	heartbeat(t, c, BrokerHeartbeat{BrokerID: 2, BrokerEpoch: e[2]})
	heartbeat(t, c, BrokerHeartbeat{BrokerID: 3, BrokerEpoch: e[3]})

	reply := heartbeat(t, c, BrokerHeartbeat{BrokerID: 1, BrokerEpoch: e[1], WantShutdown: true})
	if reply.ShouldShutdown || reply.IsFenced {
		t.Fatalf("first shutdown heartbeat = %+v, want a controlled shutdown in progress", reply)
	}
	if b := c.Image().Brokers[1]; !b.InControlledShutdown || b.Fenced {
		t.Fatalf("broker 1 = %+v, want in controlled shutdown and unfenced", b)
	}
	wantPartition(t, c, "t", 0, 2, []int32{2, 3}, 1)
	wantPartition(t, c, "t", 1, 2, []int32{2, 3}, 0)
	wantPartition(t, c, "pair", 0, 2, []int32{2}, 1)
	wantPartition(t, c, "pair", 1, 2, []int32{2}, 0)
	wantPartition(t, c, "single", 0, metadata.NoLeader, []int32{1}, 1)

	// A broker shutting down gets no new replicas and no new leaderships.
	res := c.CreateTopics(ctx, []metadata.TopicSpec{{Name: "new", NumPartitions: 1, ReplicationFactor: 3}}, false)
	wantCode(t, "rf 3 with a broker shutting down", res[0].Err, kerr.InvalidReplicationFactor)
	isr := createTopic(t, c, "manual", nil, []int32{1, 3}).Partitions[0].ISR
	if !slices.Equal(isr, []int32{3}) {
		t.Errorf("manual assignment onto a broker shutting down: ISR %v, want [3]", isr)
	}

	// Broker 1 may stop only once the others have read that they lead now.
	if reply := heartbeat(t, c, BrokerHeartbeat{BrokerID: 1, BrokerEpoch: e[1], WantShutdown: true}); reply.ShouldShutdown {
		t.Fatalf("shutdown granted before the other brokers caught up")
	}
	heartbeat(t, c, BrokerHeartbeat{BrokerID: 2, BrokerEpoch: e[2]})
	heartbeat(t, c, BrokerHeartbeat{BrokerID: 3, BrokerEpoch: e[3]})
	if reply := heartbeat(t, c, BrokerHeartbeat{BrokerID: 1, BrokerEpoch: e[1], WantShutdown: true}); !reply.ShouldShutdown || !reply.IsFenced {
		t.Fatalf("shutdown heartbeat after the others caught up = %+v", reply)
	}
	if !c.Image().Brokers[1].Fenced {
		t.Fatalf("broker 1 not fenced after its shutdown completed")
	}

	// The same through ControlledShutdown, for a broker reading the controller's image.
	keepAlive(t, func() *Controller { return c }, map[int32]int64{3: e[3]})
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := c.ControlledShutdown(sctx, 2, e[2]); err != nil {
		t.Fatalf("controlled shutdown of broker 2: %v", err)
	}
	if b := c.Image().Brokers[2]; !b.Fenced {
		t.Fatalf("broker 2 = %+v, want fenced", b)
	}
	if leadsAny(c.Image(), 2) {
		t.Errorf("broker 2 still leads after its controlled shutdown")
	}
	wantPartition(t, c, "t", 0, 3, []int32{3}, 2)
	wantPartition(t, c, "pair", 0, metadata.NoLeader, []int32{2}, 2)
	wantCode(t, "stale epoch", c.ControlledShutdown(sctx, 3, e[3]+1), kerr.StaleBrokerEpoch)
}

func TestAlterPartition(t *testing.T) {
	c := startSingleVoter(t, nil)
	ctx := context.Background()
	e := map[int32]int64{}
	for id := int32(1); id <= 3; id++ {
		e[id] = registerBroker(t, c, id)
	}
	id := createTopic(t, c, "t", nil, []int32{1, 2, 3}, []int32{2, 3, 1}).ID

	res, err := c.AlterPartition(ctx, 1, e[1], []metadata.ISRChange{{TopicID: id, Partition: 0, NewISR: []int32{1, 2}}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("shrink: %v, %+v", err, res)
	}
	if s := res[0].State; s.Leader != 1 || !slices.Equal(s.ISR, []int32{1, 2}) || s.LeaderEpoch != 0 || s.PartitionEpoch != 1 {
		t.Fatalf("state after shrink = %+v", s)
	}
	heartbeat(t, c, BrokerHeartbeat{BrokerID: 3, BrokerEpoch: e[3], WantFence: true})
	current := partition(t, c, "t", 0)

	valid := metadata.ISRChange{TopicID: id, Partition: 0, LeaderEpoch: current.LeaderEpoch, PartitionEpoch: current.PartitionEpoch, NewISR: []int32{1, 2}}
	with := func(f func(*metadata.ISRChange)) metadata.ISRChange {
		ch := valid
		f(&ch)
		return ch
	}
	for _, tc := range []struct {
		name   string
		broker int32
		change metadata.ISRChange
		want   *kerr.Error
	}{
		{"unknown topic id", 1, with(func(ch *metadata.ISRChange) { ch.TopicID = metadata.RandomUuid() }), kerr.UnknownTopicID},
		{"unknown partition", 1, with(func(ch *metadata.ISRChange) { ch.Partition = 9 }), kerr.UnknownTopicOrPartition},
		{"newer leader epoch", 1, with(func(ch *metadata.ISRChange) { ch.LeaderEpoch++ }), kerr.NotController},
		{"newer partition epoch", 1, with(func(ch *metadata.ISRChange) { ch.PartitionEpoch++ }), kerr.NotController},
		{"older leader epoch", 1, with(func(ch *metadata.ISRChange) { ch.LeaderEpoch-- }), kerr.FencedLeaderEpoch},
		{"not the leader", 2, valid, kerr.InvalidRequest},
		{"older partition epoch", 1, with(func(ch *metadata.ISRChange) { ch.PartitionEpoch-- }), kerr.InvalidUpdateVersion},
		{"not a replica", 1, with(func(ch *metadata.ISRChange) { ch.NewISR = []int32{1, 4} }), kerr.InvalidRequest},
		{"duplicate member", 1, with(func(ch *metadata.ISRChange) { ch.NewISR = []int32{1, 1} }), kerr.InvalidRequest},
		{"empty", 1, with(func(ch *metadata.ISRChange) { ch.NewISR = []int32{} }), kerr.InvalidRequest},
		{"without the leader", 1, with(func(ch *metadata.ISRChange) { ch.NewISR = []int32{2} }), kerr.InvalidRequest},
		{"recovered to recovering", 1, with(func(ch *metadata.ISRChange) {
			ch.NewISR, ch.LeaderRecoveryState = []int32{1}, metadata.LeaderRecoveryStateRecovering
		}), kerr.InvalidRequest},
		{"fenced member", 1, with(func(ch *metadata.ISRChange) { ch.NewISR = []int32{1, 2, 3} }), kerr.IneligibleReplica},
	} {
		before := c.Image().Offset
		res, err := c.AlterPartition(ctx, tc.broker, e[tc.broker], []metadata.ISRChange{tc.change})
		if err != nil {
			t.Errorf("%s: request error %v", tc.name, err)
			continue
		}
		wantCode(t, tc.name, res[0].Err, tc.want)
		if res[0].TopicID != tc.change.TopicID || res[0].Partition != tc.change.Partition {
			t.Errorf("%s: result names %s-%d", tc.name, res[0].TopicID, res[0].Partition)
		}
		if tc.change.TopicID == id && tc.change.Partition == 0 && res[0].State != current {
			t.Errorf("%s: state %+v, want the current %+v", tc.name, res[0].State, current)
		}
		if c.Image().Offset != before {
			t.Errorf("%s: a refused change was written", tc.name)
		}
	}

	_, err = c.AlterPartition(ctx, 1, e[1]+1, []metadata.ISRChange{valid})
	wantCode(t, "stale broker epoch", err, kerr.StaleBrokerEpoch)
	_, err = c.AlterPartition(ctx, 9, 1, []metadata.ISRChange{valid})
	wantCode(t, "unregistered broker", err, kerr.StaleBrokerEpoch)

	// An unchanged ISR writes nothing.
	before := c.Image().Offset
	if res, err := c.AlterPartition(ctx, 1, e[1], []metadata.ISRChange{valid}); err != nil || res[0].Err != nil || res[0].State != current {
		t.Errorf("no-op change: %v, %+v", err, res)
	}
	if c.Image().Offset != before {
		t.Errorf("a no-op change was written")
	}

	// Several partitions in one request: outcomes in request order, valid ones applied.
	unfenceBroker(t, c, 3, e[3])
	p1 := partition(t, c, "t", 1)
	res, err = c.AlterPartition(ctx, 2, e[2], []metadata.ISRChange{
		{TopicID: id, Partition: 1, LeaderEpoch: p1.LeaderEpoch, PartitionEpoch: p1.PartitionEpoch, NewISR: []int32{2, 3}},
		{TopicID: id, Partition: 0, LeaderEpoch: current.LeaderEpoch, PartitionEpoch: current.PartitionEpoch, NewISR: []int32{1, 2, 3}},
	})
	if err != nil {
		t.Fatalf("batch: %v", err)
	}
	if res[0].Err != nil || !slices.Equal(res[0].State.ISR, []int32{2, 3}) || res[0].State.PartitionEpoch != p1.PartitionEpoch+1 {
		t.Errorf("t-1 result = %+v (state %+v)", res[0], res[0].State)
	}
	wantCode(t, "t-0 from its follower", res[1].Err, kerr.InvalidRequest)
	wantPartition(t, c, "t", 1, 2, []int32{2, 3}, 0)
	wantPartition(t, c, "t", 0, 1, []int32{1, 2}, 0)
}

func TestAutoLeaderRebalance(t *testing.T) {
	c := startSingleVoter(t, func(o *Options) {
		o.AutoLeaderRebalance = true
		o.LeaderImbalanceCheckInterval = 100 * time.Millisecond
	})
	ctx := context.Background()
	e1, e2 := registerBroker(t, c, 1), registerBroker(t, c, 2)
	id := createTopic(t, c, "t", nil, []int32{1, 2}).ID

	heartbeat(t, c, BrokerHeartbeat{BrokerID: 1, BrokerEpoch: e1, WantFence: true})
	wantPartition(t, c, "t", 0, 2, []int32{2}, 1)
	unfenceBroker(t, c, 1, e1)
	// Broker 1 is back but not in the ISR: leadership must not move to it yet.
	time.Sleep(300 * time.Millisecond)
	wantPartition(t, c, "t", 0, 2, []int32{2}, 1)

	p := partition(t, c, "t", 0)
	res, err := c.AlterPartition(ctx, 2, e2, []metadata.ISRChange{{TopicID: id, Partition: 0, LeaderEpoch: p.LeaderEpoch, PartitionEpoch: p.PartitionEpoch, NewISR: []int32{2, 1}}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("expand ISR: %v, %+v", err, res)
	}
	waitFor(t, "leadership back on the preferred replica", 5*time.Second, func() bool {
		return partition(t, c, "t", 0).Leader == 1
	})
	wantPartition(t, c, "t", 0, 1, []int32{2, 1}, 2)
}
