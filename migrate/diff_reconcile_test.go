package migrate

import (
	"context"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/internal/zktest"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// TestDiffAgreesWithReconcile: the dry-run's diff and dual-write's planner are two
// readings of one comparison, so that "no difference" means "a reconcile writes
// nothing" (a rollback releases ZooKeeper only on an empty diff). For a change of each
// kind the copy and dual-write carry, made in the log after the copy: the diff sees it
// and a reconcile writes it; after that reconcile the diff is empty and a second
// reconcile writes nothing.
func TestDiffAgreesWithReconcile(t *testing.T) {
	srv := zktest.Start(t)
	connect := kafka3Cluster(t, srv, "/kafka", nil)
	conn := dialZK(t, connect)
	ctx := context.Background()
	fw, err := zkmode.ClaimControllerForKRaft(ctx, conn, 3000, 5)
	if err != nil {
		t.Fatal(err)
	}
	_, migVersion, err := zkmode.GetOrCreateMigration(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	w := zkmode.NewMigrationWriter(conn, fw.EpochZkVersion(), migVersion)

	name, value, bob := "reporting", "86400000", "bob"
	isrShrink := metadata.NewPartitionChangeRecord()
	isrShrink.TopicID, isrShrink.PartitionID, isrShrink.ISR = mustUuid(t, ordersID), 0, []int32{1, 2}
	fresh := metadata.RandomUuid()
	freshPartition := metadata.NewPartitionRecord()
	freshPartition.TopicID, freshPartition.PartitionID, freshPartition.Replicas, freshPartition.ISR, freshPartition.Leader = fresh, 0, []int32{2, 3}, []int32{2, 3}, 2
	changes := []struct {
		name    string
		records []metadata.Record
	}{
		{"a topic created", []metadata.Record{&metadata.TopicRecord{Name: "fresh", TopicID: fresh}, freshPartition}},
		{"an ISR shrunk", []metadata.Record{isrShrink}},
		{"a topic deleted", []metadata.Record{&metadata.RemoveTopicRecord{TopicID: mustUuid(t, paymentsID)}}},
		{"a topic config set", []metadata.Record{&metadata.ConfigRecord{ResourceType: metadata.ConfigResourceTopic, ResourceName: "orders", Name: "retention.ms", Value: &value}}},
		{"a broker config removed", []metadata.Record{&metadata.ConfigRecord{ResourceType: metadata.ConfigResourceBroker, ResourceName: "1", Name: "log.cleaner.threads"}}},
		{"a client quota set", []metadata.Record{&metadata.ClientQuotaRecord{Entity: []metadata.QuotaEntityPart{{Type: "client-id", Name: &name}}, Key: "consumer_byte_rate", Value: 2048}}},
		{"a SCRAM credential added", []metadata.Record{&metadata.UserScramCredentialRecord{Name: bob, Mechanism: 2, Salt: []byte("bob-salt"),
			StoredKey: []byte("bob-stored-key-bob-stored-key-bob-stored-key-bob-stored-key-0123"), ServerKey: []byte("bob-server-key-bob-server-key-bob-server-key-bob-server-key-0123"), Iterations: 4096}}},
		{"an ACL added", []metadata.Record{&metadata.AccessControlEntryRecord{ID: metadata.RandomUuid(), ResourceType: int8(kmsg.ACLResourceTypeGroup),
			ResourceName: "billing", PatternType: int8(kmsg.ACLResourcePatternTypeLiteral), Principal: "User:bob", Host: "*",
			Operation: int8(kmsg.ACLOperationRead), PermissionType: int8(kmsg.ACLPermissionTypeAllow)}}},
		{"producer ids allocated", []metadata.Record{&metadata.ProducerIdsRecord{BrokerID: 3, BrokerEpoch: 12, NextProducerID: 5000}}},
		{"a delegation token created", []metadata.Record{&metadata.DelegationTokenRecord{Owner: "User:bob", Requester: "User:bob",
			IssueTimestamp: 1700000000000, MaxTimestamp: 1700604800000, ExpirationTimestamp: 1700086400000, TokenID: "token-3"}}},
		{"a delegation token expired", []metadata.Record{&metadata.RemoveDelegationTokenRecord{TokenID: "token-1"}}},
	}
	for _, c := range changes {
		tree, err := zkmode.LoadTree(ctx, conn)
		if err != nil {
			t.Fatal(err)
		}
		log := migratedImage(t, tree, c.records...)
		state := znode.MigrationZNode{KRaftControllerID: 3000, KRaftControllerEpoch: 5, KRaftMetadataOffset: log.Offset, KRaftMetadataEpoch: log.Epoch}
		if _, sum := diffZooKeeper(tree, log); sum.Total == 0 {
			t.Errorf("%s: the diff sees no difference", c.name)
		}
		if ops, err := w.WriteChanges(ctx, tree.Image, log, state); err != nil || ops == 0 {
			t.Errorf("%s: the reconcile wrote %d operations (%v), want some", c.name, ops, err)
		}
		after, err := zkmode.LoadTree(ctx, conn)
		if err != nil {
			t.Fatal(err)
		}
		if findings, sum := diffZooKeeper(after, log); sum.Total != 0 {
			t.Errorf("%s: after the reconcile the diff still sees %+v: %+v", c.name, sum, findings)
		}
		if ops, err := w.WriteChanges(ctx, after.Image, log, state); err != nil || ops != 0 {
			t.Errorf("%s: a reconcile of an agreeing ZooKeeper wrote %d operations (%v)", c.name, ops, err)
		}
	}
}
