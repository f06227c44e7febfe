package zkmode

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/internal/zktest"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// TestSourceCreateTopics: topics are planned by the shared rules and written as
// Kafka's AdminZkClient writes them (config znode and v3 topic znode with topic_id),
// and the image shows them when CreateTopics returns; refusals carry Kafka's codes.
func TestSourceCreateTopics(t *testing.T) {
	srv := zktest.Start(t)
	conn := dial(t, srv.Addr()+"/kafka")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := StartSource(ctx, conn, SourceOptions{
		BrokerID: 1, ProposedClusterID: "fMCL8kv1SWm87L_Md-I2hg", MetadataVersion: 21,
		TopicDefaults: metadata.TopicDefaults{NumPartitions: 2, ReplicationFactor: 3},
		ValidateTopicConfig: func(name, _ string) error {
			if name == "bogus.key" {
				return errors.New("Unknown topic config name: bogus.key")
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	brokers := dial(t, srv.Addr()+"/kafka")
	for id := int32(1); id <= 3; id++ {
		info := znode.BrokerZNode{Version: 5, JmxPort: -1, Timestamp: 1, Endpoints: []metadata.Endpoint{{Name: "PLAINTEXT", Host: "localhost", Port: uint16(9090 + id)}}}
		if _, err := RegisterBroker(ctx, brokers, info, id); err != nil {
			t.Fatal(err)
		}
	}
	waitImage(t, s, "three brokers", func(img *metadata.Image) bool { return len(img.LiveBrokers()) == 3 })

	compact := "compact"
	res := s.CreateTopics(ctx, []metadata.TopicSpec{
		{Name: "orders", NumPartitions: -1, ReplicationFactor: -1, Configs: map[string]*string{"cleanup.policy": &compact}},
		{Name: "too-wide", NumPartitions: 1, ReplicationFactor: 4},
		{Name: "bad-config", NumPartitions: 1, ReplicationFactor: 1, Configs: map[string]*string{"bogus.key": &compact}},
	}, false)
	if res[0].Err != nil || res[0].NumPartitions != 2 || res[0].ReplicationFactor != 3 {
		t.Fatalf("orders: %+v", res[0])
	}
	if !errors.Is(res[1].Err, kerr.InvalidReplicationFactor) {
		t.Fatalf("RF 4 on 3 brokers: %v", res[1].Err)
	}
	if !errors.Is(res[2].Err, kerr.InvalidConfig) {
		t.Fatalf("bogus config: %v", res[2].Err)
	}
	if topic := s.Image().Topics["orders"]; topic == nil || topic.ID != res[0].ID || len(topic.Partitions) != 2 {
		t.Fatalf("image after CreateTopics returned: %+v", topic)
	}
	raw, _, err := conn.Get(ctx, znode.TopicPath("orders"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(raw), `{"version":3,"partitions":{"0":[`) || !strings.Contains(string(raw), `"topic_id":"`+res[0].ID.String()+`"`) {
		t.Fatalf("topic znode = %s", raw)
	}
	cfg, _, err := conn.Get(ctx, znode.ConfigEntityPath(znode.ConfigTypeTopic, "orders"))
	if err != nil || string(cfg) != `{"version":1,"config":{"cleanup.policy":"compact"}}` {
		t.Fatalf("config znode = %s (%v)", cfg, err)
	}
	if _, _, err := conn.Get(ctx, znode.TopicPath("bad-config")); err == nil {
		t.Fatal("a refused topic was written")
	}
	again := s.CreateTopics(ctx, []metadata.TopicSpec{{Name: "orders", NumPartitions: 1, ReplicationFactor: 1}}, false)
	if !errors.Is(again[0].Err, kerr.TopicAlreadyExists) {
		t.Fatalf("second create: %v", again[0].Err)
	}
}
