package e2e

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestKafkaAPIs walks the admin and data APIs a client uses beyond produce and fetch,
// each through franz-go as an application would, against one node.
func TestKafkaAPIs(t *testing.T) {
	n := StartSingleNode(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cl := newClient(t, n.BrokerAddr)
	adm := kadm.NewClient(cl)

	t.Run("auto-create on metadata", func(t *testing.T) {
		p := newClient(t, n.BrokerAddr, kgo.AllowAutoTopicCreation(), kgo.DefaultProduceTopic("auto-created"))
		if err := p.ProduceSync(ctx, &kgo.Record{Value: []byte("hello")}).FirstErr(); err != nil {
			t.Fatal(err)
		}
		topics, err := adm.ListTopics(ctx, "auto-created")
		if err != nil || !topics.Has("auto-created") || len(topics["auto-created"].Partitions) != 1 {
			t.Fatalf("auto-created topic: %v %+v", err, topics)
		}
	})

	t.Run("create errors", func(t *testing.T) {
		createTopic(t, n.BrokerAddr, "exists", 1, nil)
		resp, _ := adm.CreateTopics(ctx, 1, 1, nil, "exists")
		if !errors.Is(resp["exists"].Err, kerr.TopicAlreadyExists) {
			t.Fatalf("want TOPIC_ALREADY_EXISTS, got %v", resp["exists"].Err)
		}
		resp, _ = adm.CreateTopics(ctx, 1, 3, nil, "too-replicated")
		if !errors.Is(resp["too-replicated"].Err, kerr.InvalidReplicationFactor) {
			t.Fatalf("want INVALID_REPLICATION_FACTOR, got %v", resp["too-replicated"].Err)
		}
		resp, _ = adm.CreateTopics(ctx, 1, 1, map[string]*string{"no.such.config": strp("1")}, "bad-config")
		if !errors.Is(resp["bad-config"].Err, kerr.InvalidConfig) {
			t.Fatalf("want INVALID_CONFIG, got %v", resp["bad-config"].Err)
		}
		resp, _ = adm.CreateTopics(ctx, 1, 1, map[string]*string{"retention.ms": strp("soon")}, "unparsable")
		if r := resp["unparsable"]; !errors.Is(r.Err, kerr.InvalidConfig) || !strings.Contains(r.ErrMessage, "retention.ms") {
			t.Fatalf("retention.ms=soon: want INVALID_CONFIG naming the key, got %v %q", r.Err, r.ErrMessage)
		}
		resp, _ = adm.CreateTopics(ctx, 1, 1, nil, "bad/name")
		if !errors.Is(resp["bad/name"].Err, kerr.InvalidTopicException) {
			t.Fatalf("want INVALID_TOPIC_EXCEPTION, got %v", resp["bad/name"].Err)
		}
	})

	t.Run("message.max.bytes", func(t *testing.T) {
		createTopic(t, n.BrokerAddr, "small-messages", 1, map[string]*string{"max.message.bytes": strp("1000")})
		p := newClient(t, n.BrokerAddr, kgo.DefaultProduceTopic("small-messages"), kgo.ProducerBatchCompression(kgo.NoCompression()))
		err := p.ProduceSync(ctx, &kgo.Record{Value: []byte(strings.Repeat("x", 5000))}).FirstErr()
		if !errors.Is(err, kerr.MessageTooLarge) {
			t.Fatalf("want MESSAGE_TOO_LARGE, got %v", err)
		}
	})

	t.Run("acks=0 and acks=1", func(t *testing.T) {
		createTopic(t, n.BrokerAddr, "acks", 1, nil)
		for _, acks := range []kgo.Acks{kgo.NoAck(), kgo.LeaderAck()} {
			p := newClient(t, n.BrokerAddr, kgo.DefaultProduceTopic("acks"), kgo.RequiredAcks(acks), kgo.DisableIdempotentWrite())
			for i := 0; i < 10; i++ {
				if err := p.ProduceSync(ctx, &kgo.Record{Value: []byte("v")}).FirstErr(); err != nil {
					t.Fatal(err)
				}
			}
		}
		waitFor(t, 10*time.Second, func() bool { return listEnd(t, cl, "acks") == 20 })
	})

	t.Run("list offsets by time, delete records", func(t *testing.T) {
		createTopic(t, n.BrokerAddr, "timed", 1, nil)
		p := newClient(t, n.BrokerAddr, kgo.DefaultProduceTopic("timed"))
		base := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
		for i := 0; i < 10; i++ {
			r := &kgo.Record{Value: []byte{byte(i)}, Timestamp: base.Add(time.Duration(i) * time.Minute)}
			if err := p.ProduceSync(ctx, r).FirstErr(); err != nil {
				t.Fatal(err)
			}
		}
		offs, err := adm.ListOffsetsAfterMilli(ctx, base.Add(4*time.Minute+time.Second).UnixMilli(), "timed")
		if err != nil {
			t.Fatal(err)
		}
		if o, _ := offs.Lookup("timed", 0); o.Offset != 5 {
			t.Fatalf("first offset after minute 4: %d, want 5", o.Offset)
		}
		var del kadm.Offsets
		del.Add(kadm.Offset{Topic: "timed", Partition: 0, At: 3})
		dr, err := adm.DeleteRecords(ctx, del)
		if err != nil {
			t.Fatal(err)
		}
		if r, _ := dr.Lookup("timed", 0); r.Err != nil || r.LowWatermark != 3 {
			t.Fatalf("delete records: %+v", r)
		}
		starts, _ := adm.ListStartOffsets(ctx, "timed")
		if o, _ := starts.Lookup("timed", 0); o.Offset != 3 {
			t.Fatalf("log start offset %d after DeleteRecords, want 3", o.Offset)
		}
		del = kadm.Offsets{}
		del.Add(kadm.Offset{Topic: "timed", Partition: 0, At: 99})
		dr, _ = adm.DeleteRecords(ctx, del)
		if r, _ := dr.Lookup("timed", 0); !errors.Is(r.Err, kerr.OffsetOutOfRange) {
			t.Fatalf("DeleteRecords past the high watermark: %v", r.Err)
		}
	})

	t.Run("configs", func(t *testing.T) {
		createTopic(t, n.BrokerAddr, "configured", 1, nil)
		ar, err := adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Name: "retention.ms", Value: strp("60000")}}, "configured")
		if err == nil {
			err = ar[0].Err
		}
		if err != nil {
			t.Fatal(err)
		}
		rc, err := adm.DescribeTopicConfigs(ctx, "configured")
		if err != nil {
			t.Fatal(err)
		}
		c, _ := rc.On("configured", nil)
		if v := configValue(c.Configs, "retention.ms"); v != "60000" {
			t.Fatalf("retention.ms = %q after IncrementalAlterConfigs", v)
		}
		if v := configValue(c.Configs, "segment.bytes"); v != "1073741824" {
			t.Fatalf("segment.bytes default %q", v)
		}
		bc, err := adm.DescribeBrokerConfigs(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := bc.On("1", nil)
		if v := configValue(b.Configs, "num.partitions"); v != "1" {
			t.Fatalf("broker num.partitions = %q", v)
		}
		// The legacy AlterConfigs replaces the whole set: retention.ms goes back to its default.
		ar, err = adm.AlterTopicConfigsState(ctx, []kadm.AlterConfig{{Name: "segment.ms", Value: strp("3600000")}}, "configured")
		if err == nil {
			err = ar[0].Err
		}
		if err != nil {
			t.Fatal(err)
		}
		rc, _ = adm.DescribeTopicConfigs(ctx, "configured")
		c, _ = rc.On("configured", nil)
		if r, s := configValue(c.Configs, "retention.ms"), configValue(c.Configs, "segment.ms"); r != "604800000" || s != "3600000" {
			t.Fatalf("after AlterConfigs: retention.ms=%s segment.ms=%s", r, s)
		}
		ar, _ = adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Name: "retention.ms", Value: strp("soon")}}, "configured")
		if !errors.Is(ar[0].Err, kerr.InvalidConfig) || !strings.Contains(ar[0].ErrMessage, "retention.ms") {
			t.Fatalf("bad value: want INVALID_CONFIG naming the key, got %v %q", ar[0].Err, ar[0].ErrMessage)
		}
	})

	t.Run("LogAppendTime", func(t *testing.T) {
		createTopic(t, n.BrokerAddr, "append-time", 1, map[string]*string{"message.timestamp.type": strp("LogAppendTime")})
		p := newClient(t, n.BrokerAddr, kgo.DefaultProduceTopic("append-time"))
		old := time.Now().Add(-24 * time.Hour)
		if err := p.ProduceSync(ctx, &kgo.Record{Value: []byte("v"), Timestamp: old}).FirstErr(); err != nil {
			t.Fatal(err)
		}
		recs := consumeAll(t, n.BrokerAddr, "append-time", 1)
		if d := time.Since(recs[0].Timestamp); d < 0 || d > time.Minute {
			t.Fatalf("record timestamp %v is not the broker's append time", recs[0].Timestamp)
		}
	})

	t.Run("create partitions", func(t *testing.T) {
		createTopic(t, n.BrokerAddr, "growing", 1, nil)
		resp, err := adm.CreatePartitions(ctx, 2, "growing")
		if err == nil {
			err = resp["growing"].Err
		}
		if err != nil {
			t.Fatal(err)
		}
		topics, _ := adm.ListTopics(ctx, "growing")
		if got := len(topics["growing"].Partitions); got != 3 {
			t.Fatalf("%d partitions after adding 2 to 1", got)
		}
	})

	t.Run("describe cluster and offset for leader epoch", func(t *testing.T) {
		dc := kmsg.NewPtrDescribeClusterRequest()
		dresp, err := dc.RequestWith(ctx, cl)
		if err != nil || dresp.ErrorCode != 0 || len(dresp.Brokers) != 1 || dresp.ClusterID == "" {
			t.Fatalf("DescribeCluster: %v %+v", err, dresp)
		}
		createTopic(t, n.BrokerAddr, "epochs", 1, nil)
		p := newClient(t, n.BrokerAddr, kgo.DefaultProduceTopic("epochs"))
		for i := 0; i < 5; i++ {
			if err := p.ProduceSync(ctx, &kgo.Record{Value: []byte("e")}).FirstErr(); err != nil {
				t.Fatal(err)
			}
		}
		req := kmsg.NewPtrOffsetForLeaderEpochRequest()
		rt := kmsg.NewOffsetForLeaderEpochRequestTopic()
		rt.Topic = "epochs"
		rp := kmsg.NewOffsetForLeaderEpochRequestTopicPartition()
		rp.LeaderEpoch = 0
		rp.CurrentLeaderEpoch = -1
		rt.Partitions = append(rt.Partitions, rp)
		req.Topics = append(req.Topics, rt)
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			t.Fatal(err)
		}
		got := resp.Topics[0].Partitions[0]
		if got.ErrorCode != 0 || got.LeaderEpoch != 0 || got.EndOffset != 5 {
			t.Fatalf("OffsetForLeaderEpoch: %+v", got)
		}
	})
}

func configValue(configs []kadm.Config, key string) string {
	for _, c := range configs {
		if c.Key == key {
			return c.MaybeValue()
		}
	}
	return "<missing>"
}
