package zkmode

import (
	"context"
	"errors"
	"testing"

	"github.com/go-zookeeper/zk"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/internal/zktest"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// TestSourceRefusesWritesUnderAKRaftController: once a KRaft controller holds a
// persistent /controller (a migration fenced the ZooKeeper controller), the broker
// writes nothing to ZooKeeper itself (topics, configs, ACLs, SCRAM credentials) and
// answers NOT_CONTROLLER.
func TestSourceRefusesWritesUnderAKRaftController(t *testing.T) {
	srv := zktest.Start(t)
	conn := dial(t, srv.Addr())
	s := startSource(t, conn, "")
	ctx := context.Background()
	if _, err := conn.Create(ctx, znode.ControllerPath, znode.EncodeController(znode.ControllerZNode{BrokerID: 3000, Timestamp: 1, KRaftControllerEpoch: 5}), 0); err != nil {
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
	if ok, _, _ := conn.Exists(ctx, znode.TopicPath("t")); ok {
		t.Fatal("the topic was written to ZooKeeper")
	}
	v := "1"
	err := s.AlterConfigs(ctx, metadata.ConfigResource{Type: metadata.ConfigResourceBroker}, []metadata.ConfigChange{{Name: "log.retention.ms", Value: &v}}, true, false)
	if !errors.Is(err, kerr.NotController) {
		t.Fatalf("AlterConfigs under a KRaft controller: %v, want NOT_CONTROLLER", err)
	}
	acl := zkACL(metadata.ACLResourceTopic, "t", metadata.ACLPatternLiteral, "User:alice", metadata.ACLOperationRead)
	if errs := s.CreateACLs(ctx, []metadata.ACLBinding{acl}); !errors.Is(errs[0], kerr.NotController) {
		t.Fatalf("CreateACLs under a KRaft controller: %v, want NOT_CONTROLLER", errs[0])
	}
	mustExist(t, conn, "/kafka-acl/Topic/t", false)
	all := metadata.ACLFilter{ResourceType: metadata.ACLResourceAny, PatternType: metadata.ACLPatternAny,
		Operation: metadata.ACLOperationAny, PermissionType: metadata.ACLPermissionAny}
	if res := s.DeleteACLs(ctx, []metadata.ACLFilter{all}); !errors.Is(res[0].Err, kerr.NotController) {
		t.Fatalf("DeleteACLs under a KRaft controller: %v, want NOT_CONTROLLER", res[0].Err)
	}
	errs := s.AlterScramCredentials(ctx, []metadata.ScramChange{{Name: "alice", Mechanism: metadata.ScramSHA256,
		Credential: &metadata.UserScramCredentialRecord{Iterations: 4096}}})
	if !errors.Is(errs[0], kerr.NotController) {
		t.Fatalf("AlterScramCredentials under a KRaft controller: %v, want NOT_CONTROLLER", errs[0])
	}
	mustExist(t, conn, "/config/users/alice", false)
	if s.ControllerID() != 1 {
		t.Fatalf("ControllerID %d under a KRaft controller, want this broker (1)", s.ControllerID())
	}
}

// TestBrokerWritesFencedByAMigrationClaim: a broker write checked before a KRaft
// controller's claim but made after it fails whole (the window the watched tree leaves
// open, where the write would miss the migration's copy), and one made after the claim
// is refused from a fresh read of /controller, before the tree has caught up.
func TestBrokerWritesFencedByAMigrationClaim(t *testing.T) {
	srv := zktest.Start(t)
	conn := dial(t, srv.Addr())
	s := startSource(t, conn, "")
	ctx := context.Background()
	if _, _, err := s.AllocateProducerIDs(ctx, 1, 0); err != nil {
		t.Fatalf("allocate before the claim: %v", err)
	}
	_, before, err := conn.Get(ctx, znode.ProducerIDBlockPath)
	if err != nil {
		t.Fatal(err)
	}

	w, err := s.brokerWriter(ctx, "test")
	if err != nil {
		t.Fatalf("broker writer before the claim: %v", err)
	}
	if _, err := ClaimControllerForKRaft(ctx, dial(t, srv.Addr()), 3000, 7); err != nil {
		t.Fatalf("claim: %v", err)
	}
	block := znode.EncodeProducerIDBlock(znode.ProducerIDBlock{BrokerID: 1, BlockStart: 1000, BlockEnd: 1999})
	_, err = w.Multi(ctx, &zk.SetDataRequest{Path: znode.ProducerIDBlockPath, Data: block, Version: before.Version})
	if !errors.Is(err, ErrControllerMoved) || !errors.Is(brokerWriteError(err, "test"), kerr.NotController) {
		t.Fatalf("write checked before the claim, made after it: %v, want the controller moved (NOT_CONTROLLER)", err)
	}
	if _, after, err := conn.Get(ctx, znode.ProducerIDBlockPath); err != nil || after.Version != before.Version {
		t.Fatalf("the producer-id block was written after the claim (%v)", err)
	}
	if _, err := s.brokerWriter(ctx, "test"); !errors.Is(err, kerr.NotController) {
		t.Fatalf("broker writer after the claim: %v, want NOT_CONTROLLER", err)
	}
}
