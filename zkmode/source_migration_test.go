package zkmode

import (
	"context"
	"errors"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/internal/zktest"
	"github.com/kbridge/kbridge/metadata"
)

// TestSourceRefusesWritesUnderAKRaftController: once a KRaft controller holds a
// persistent /controller (a migration fenced the ZooKeeper controller), the broker
// writes nothing to ZooKeeper itself and answers NOT_CONTROLLER.
func TestSourceRefusesWritesUnderAKRaftController(t *testing.T) {
	srv := zktest.Start(t)
	conn := dial(t, srv.Addr())
	s := startSource(t, conn, "")
	ctx := context.Background()
	if _, err := conn.Create(ctx, ControllerPath, EncodeController(ControllerZNode{BrokerID: 3000, Timestamp: 1, KRaftControllerEpoch: 5}), 0); err != nil {
		t.Fatal(err)
	}
	waitImage(t, s, "the KRaft controller in the tree", func(*metadata.Image) bool {
		c := s.Tree().Controller
		return c != nil && c.IsKRaftController()
	})
	res := s.CreateTopics(ctx, []metadata.TopicSpec{{Name: "t", NumPartitions: 1, ReplicationFactor: 1}}, false)
	if !errors.Is(res[0].Err, kerr.NotController) {
		t.Fatalf("CreateTopics under a KRaft controller: %v, want NOT_CONTROLLER", res[0].Err)
	}
	if ok, _, _ := conn.Exists(ctx, TopicPath("t")); ok {
		t.Fatal("the topic was written to ZooKeeper")
	}
	v := "1"
	err := s.AlterConfigs(ctx, metadata.ConfigResource{Type: metadata.ConfigResourceBroker}, []metadata.ConfigChange{{Name: "log.retention.ms", Value: &v}}, true, false)
	if !errors.Is(err, kerr.NotController) {
		t.Fatalf("AlterConfigs under a KRaft controller: %v, want NOT_CONTROLLER", err)
	}
	if s.ControllerID() != 1 {
		t.Fatalf("ControllerID %d under a KRaft controller, want this broker (1)", s.ControllerID())
	}
}
