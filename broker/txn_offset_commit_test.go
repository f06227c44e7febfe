package broker

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TxnOffsetCommit is authorized as KafkaApis does it: the transactional id, then the
// group, then each topic, before the coordinator sees anything.
func TestTxnOffsetCommitAuthorization(t *testing.T) {
	src := newFakeSource(t)
	addr := authorizedBroker(t, src)
	src.createTopic(t, "orders", []int32{1}, 1, []int32{1}, nil)
	src.createTopic(t, "payments", []int32{1}, 1, []int32{1}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	adm := kadm.NewClient(clientAs(t, addr, "admin"))
	alice := clientAs(t, addr, "alice")
	allow := func(b *kadm.ACLBuilder) {
		t.Helper()
		res, err := adm.CreateACLs(ctx, b)
		if err != nil || res[0].Err != nil {
			t.Fatalf("CreateACLs: %v %+v", err, res)
		}
	}
	allow(kadm.NewACLs().Allow("User:alice").Topics("orders", "ghost").Operations(kadm.OpRead))

	commit := func() map[string][]int16 {
		t.Helper()
		req := kmsg.NewPtrTxnOffsetCommitRequest()
		req.Version = 3
		req.TransactionalID, req.Group, req.ProducerID, req.ProducerEpoch = "tx", "g1", 1, 0
		for _, tp := range []struct {
			topic      string
			partitions []int32
		}{{"orders", []int32{0, 7}}, {"payments", []int32{0}}, {"ghost", []int32{0}}} {
			rt := kmsg.NewTxnOffsetCommitRequestTopic()
			rt.Topic = tp.topic
			for _, p := range tp.partitions {
				rp := kmsg.NewTxnOffsetCommitRequestTopicPartition()
				rp.Partition, rp.Offset = p, 1
				rt.Partitions = append(rt.Partitions, rp)
			}
			req.Topics = append(req.Topics, rt)
		}
		// Straight to the broker: kgo would first ask FindCoordinator for the group.
		kresp, err := alice.SeedBrokers()[0].Request(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		resp := kresp.(*kmsg.TxnOffsetCommitResponse)
		got := map[string][]int16{}
		for _, rt := range resp.Topics {
			for _, rp := range rt.Partitions {
				got[rt.Topic] = append(got[rt.Topic], rp.ErrorCode)
			}
		}
		return got
	}
	check := func(stage string, want map[string][]int16) {
		t.Helper()
		got := commit()
		for topic, codes := range want {
			if !slices.Equal(got[topic], codes) {
				t.Errorf("%s: %s answered %v, want %v", stage, topic, got[topic], codes)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: answered topics %v, want %v", stage, got, want)
		}
	}
	all := func(code int16) map[string][]int16 {
		return map[string][]int16{"orders": {code, code}, "payments": {code}, "ghost": {code}}
	}
	check("without Write on the transactional id", all(kerr.TransactionalIDAuthorizationFailed.Code))
	allow(kadm.NewACLs().Allow("User:alice").TransactionalIDs("tx").Operations(kadm.OpWrite))
	check("without Read on the group", all(kerr.GroupAuthorizationFailed.Code))
	allow(kadm.NewACLs().Allow("User:alice").Groups("g1").Operations(kadm.OpRead))
	// orders-0 reaches the coordinator, which leads no __consumer_offsets partition.
	check("with the group", map[string][]int16{
		"orders":   {kerr.NotCoordinator.Code, kerr.UnknownTopicOrPartition.Code},
		"payments": {kerr.TopicAuthorizationFailed.Code},
		"ghost":    {kerr.UnknownTopicOrPartition.Code},
	})
}
