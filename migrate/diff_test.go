package migrate

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/internal/zktest"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// migratedImage is the quorum's image after a copy of tree, with later records.
func migratedImage(t *testing.T, tree *zkmode.Tree, later ...metadata.Record) *metadata.Image {
	t.Helper()
	records, err := tree.MigrationRecords()
	if err != nil {
		t.Fatal(err)
	}
	name := "ZK Migration"
	img := metadata.NewImage()
	img.ClusterID = testClusterID
	apply(t, img, &metadata.FeatureLevelRecord{Name: metadata.FeatureMetadataVersion, FeatureLevel: metadata.MetadataVersionLatest},
		&metadata.ZkMigrationStateRecord{ZkMigrationState: metadata.ZkMigrationPreMigration})
	apply(t, img, migratingBrokers(1, 2, 3)...)
	apply(t, img, &metadata.BeginTransactionRecord{Name: &name})
	apply(t, img, records...)
	apply(t, img, &metadata.ZkMigrationStateRecord{ZkMigrationState: metadata.ZkMigrationMigration}, &metadata.EndTransactionRecord{})
	apply(t, img, later...)
	img.SetPosition(200, 3)
	return img
}

// TestDryRunDiffMode: once the log says the copy ran, ZooKeeper is diffed against it.
// A log that is the tree's own copy agrees; one changed partition is one difference.
func TestDryRunDiffMode(t *testing.T) {
	srv := zktest.Start(t)
	connect := kafka3Cluster(t, srv, "/kafka", func(w *treeWriter) {
		w.create(znode.MigrationPath, znode.EncodeMigration(znode.MigrationZNode{KRaftControllerID: 3000, KRaftControllerEpoch: 3, KRaftMetadataOffset: 200, KRaftMetadataEpoch: 3}))
	})
	tree, err := zkmode.LoadTree(context.Background(), dialZK(t, connect))
	if err != nil {
		t.Fatal(err)
	}

	t.Run("agree", func(t *testing.T) {
		r := runDryRun(t, connect, serveQuorum(t, migratedImage(t, tree)))
		if want := []string{"ALREADY_MIGRATED/info", "ZK_KRAFT_IN_SYNC/info"}; !slices.Equal(codes(r), want) {
			t.Fatalf("findings %v, want %v", codes(r), want)
		}
		wantExit(t, r, ExitReady)
		if r.Diff == nil || *r.Diff != (DiffSummary{}) || *r.MigrationState != "MIGRATION" {
			t.Fatalf("diff %+v, state %s", r.Diff, *r.MigrationState)
		}
	})

	t.Run("one partition moved on", func(t *testing.T) {
		change := metadata.NewPartitionChangeRecord()
		change.TopicID, change.PartitionID, change.Leader = mustUuid(t, ordersID), 0, 2
		r := runDryRun(t, connect, serveQuorum(t, migratedImage(t, tree, change)))
		if want := []string{"ZK_KRAFT_DIFF/warning", "ALREADY_MIGRATED/info"}; !slices.Equal(codes(r), want) {
			t.Fatalf("findings %v, want %v", codes(r), want)
		}
		f := wantFinding(t, r, CodeZkKRaftDiff, SeverityWarning, "orders-0")
		for _, want := range []string{"leader 1 in ZooKeeper, 2 in the metadata log", "leader epoch 4 in ZooKeeper, 5 in the metadata log"} {
			if !strings.Contains(f.Message, want) {
				t.Errorf("message %q does not say %q", f.Message, want)
			}
		}
		if r.Diff == nil || *r.Diff != (DiffSummary{Total: 1, Partitions: 1}) {
			t.Fatalf("diff %+v", r.Diff)
		}
		wantExit(t, r, ExitReady)
	})
}

// diffFixture is a small cluster as records: what both sides start from.
func diffFixture(t *testing.T) []metadata.Record {
	t.Helper()
	id := mustUuid(t, ordersID)
	p0 := metadata.NewPartitionRecord()
	p0.TopicID, p0.PartitionID, p0.Replicas, p0.ISR, p0.Leader, p0.LeaderEpoch, p0.PartitionEpoch = id, 0, []int32{1, 2}, []int32{1, 2}, 1, 3, 7
	p1 := metadata.NewPartitionRecord()
	p1.TopicID, p1.PartitionID, p1.Replicas, p1.ISR, p1.Leader = id, 1, []int32{2, 1}, []int32{2, 1}, 2
	retention, threads := "86400000", "2"
	alice := "alice"
	acl := &metadata.AccessControlEntryRecord{
		ResourceType: int8(kmsg.ACLResourceTypeTopic), ResourceName: "orders", PatternType: int8(kmsg.ACLResourcePatternTypeLiteral),
		Principal: "User:alice", Host: "*", Operation: int8(kmsg.ACLOperationRead), PermissionType: int8(kmsg.ACLPermissionTypeAllow),
	}
	acl.ID = znode.ACLID(acl)
	return []metadata.Record{
		&metadata.TopicRecord{Name: "orders", TopicID: id}, p0, p1,
		&metadata.ConfigRecord{ResourceType: metadata.ConfigResourceTopic, ResourceName: "orders", Name: "retention.ms", Value: &retention},
		&metadata.ConfigRecord{ResourceType: metadata.ConfigResourceBroker, ResourceName: "", Name: "log.cleaner.threads", Value: &threads},
		&metadata.ClientQuotaRecord{Entity: []metadata.QuotaEntityPart{{Type: zkmode.QuotaEntityUser, Name: &alice}}, Key: "producer_byte_rate", Value: 1024},
		&metadata.UserScramCredentialRecord{Name: alice, Mechanism: metadata.ScramSHA256, Salt: []byte("salt"), StoredKey: []byte("stored"), ServerKey: []byte("server"), Iterations: 4096},
		&metadata.ProducerIdsRecord{BrokerID: 2, BrokerEpoch: -1, NextProducerID: 4000},
		acl,
		diffToken(func(*metadata.DelegationTokenRecord) {}),
	}
}

// diffTokenID is the id of diffFixture's delegation token.
const diffTokenID = "sLXPbuzqTvO1n4v0DgrwJA"

// diffToken is diffFixture's delegation token, changed by edit.
func diffToken(edit func(*metadata.DelegationTokenRecord)) *metadata.DelegationTokenRecord {
	tok := &metadata.DelegationTokenRecord{
		Owner: "User:alice", Requester: "User:admin", Renewers: []string{"User:bob"},
		IssueTimestamp: 1700000000000, MaxTimestamp: 1700604800000, ExpirationTimestamp: 1700086400000, TokenID: diffTokenID,
	}
	edit(tok)
	return tok
}

// TestDiffEntities plants one difference of each kind between ZooKeeper's image and
// the log's and checks what is reported, and that what legitimately differs is not.
func TestDiffEntities(t *testing.T) {
	other := "3600000"
	bob := "bob"
	for _, tc := range []struct {
		name string
		// zk and log change each side after the common records.
		zk, log func(t *testing.T, tree *zkmode.Tree, img *metadata.Image)
		want    DiffSummary
		entity  string
		says    string
	}{
		{name: "identical"},
		{
			name: "topic config value",
			log: func(t *testing.T, _ *zkmode.Tree, img *metadata.Image) {
				apply(t, img, &metadata.ConfigRecord{ResourceType: metadata.ConfigResourceTopic, ResourceName: "orders", Name: "retention.ms", Value: &other})
			},
			want: DiffSummary{Total: 1, Configs: 1}, entity: "topic orders", says: "different values: retention.ms",
		},
		{
			name: "broker default config only in the log",
			log: func(t *testing.T, _ *zkmode.Tree, img *metadata.Image) {
				apply(t, img, &metadata.ConfigRecord{ResourceType: metadata.ConfigResourceBroker, ResourceName: "", Name: "log.retention.ms", Value: &other})
			},
			want: DiffSummary{Total: 1, Configs: 1}, entity: "broker <default>", says: "only in the metadata log: log.retention.ms",
		},
		{
			name: "quota value",
			zk: func(t *testing.T, _ *zkmode.Tree, img *metadata.Image) {
				apply(t, img, &metadata.ClientQuotaRecord{Entity: []metadata.QuotaEntityPart{{Type: zkmode.QuotaEntityUser, Name: &bob}}, Key: "consumer_byte_rate", Value: 1})
			},
			want: DiffSummary{Total: 1, Quotas: 1}, entity: `user="bob"`, says: "in ZooKeeper but not in the metadata log",
		},
		{
			name: "SCRAM credential",
			log: func(t *testing.T, _ *zkmode.Tree, img *metadata.Image) {
				apply(t, img, &metadata.UserScramCredentialRecord{Name: "alice", Mechanism: metadata.ScramSHA256, Salt: []byte("salt2"), StoredKey: []byte("stored"), ServerKey: []byte("server"), Iterations: 4096})
			},
			want: DiffSummary{Total: 1, Scram: 1}, entity: "alice (SCRAM-SHA-256)", says: "differs",
		},
		{
			name: "ACL compared by binding, not id",
			log: func(t *testing.T, _ *zkmode.Tree, img *metadata.Image) {
				for id, a := range img.ACLs {
					moved := *a
					moved.ID = metadata.RandomUuid()
					apply(t, img, &metadata.RemoveAccessControlEntryRecord{ID: id}, &moved)
				}
			},
		},
		{
			name: "ACL only in ZooKeeper",
			log: func(t *testing.T, _ *zkmode.Tree, img *metadata.Image) {
				for id := range img.ACLs {
					apply(t, img, &metadata.RemoveAccessControlEntryRecord{ID: id})
				}
			},
			want: DiffSummary{Total: 1, ACLs: 1}, entity: "ALLOW TOPIC:orders LITERAL User:alice READ from *", says: "in ZooKeeper but not in the metadata log",
		},
		{
			name: "ZooKeeper's producer-id block ahead of the log, as dual-write leaves it",
			zk: func(t *testing.T, tree *zkmode.Tree, img *metadata.Image) {
				tree.ProducerIDBlock = &znode.ProducerIDBlock{BrokerID: -1, BlockStart: 4000, BlockEnd: 4999}
			},
		},
		{
			name: "ZooKeeper's producer-id block behind the log",
			log: func(t *testing.T, _ *zkmode.Tree, img *metadata.Image) {
				apply(t, img, &metadata.ProducerIdsRecord{BrokerID: 1, BrokerEpoch: 10, NextProducerID: 5000})
			},
			want: DiffSummary{Total: 1, ProducerIDs: 1}, entity: znode.ProducerIDBlockPath, says: "next producer id 4000 is below the metadata log's 5000",
		},
		{
			name: "delegation token renewed in the log only",
			log: func(t *testing.T, _ *zkmode.Tree, img *metadata.Image) {
				apply(t, img, diffToken(func(tok *metadata.DelegationTokenRecord) { tok.ExpirationTimestamp = 1700172800000 }))
			},
			want: DiffSummary{Total: 1, DelegationTokens: 1}, entity: diffTokenID,
			says: "Delegation token " + diffTokenID + " differs between ZooKeeper and the metadata log: expiry timestamp.",
		},
		{
			name: "delegation token owner and renewers",
			zk: func(t *testing.T, _ *zkmode.Tree, img *metadata.Image) {
				apply(t, img, diffToken(func(tok *metadata.DelegationTokenRecord) { tok.Owner, tok.Renewers = "User:carol", nil }))
			},
			want: DiffSummary{Total: 1, DelegationTokens: 1}, entity: diffTokenID, says: "metadata log: owner, renewers.",
		},
		{
			name: "delegation token expired in the log only",
			log: func(t *testing.T, _ *zkmode.Tree, img *metadata.Image) {
				apply(t, img, &metadata.RemoveDelegationTokenRecord{TokenID: diffTokenID})
			},
			want: DiffSummary{Total: 1, DelegationTokens: 1}, entity: diffTokenID, says: "in ZooKeeper but not in the metadata log",
		},
		{
			name: "delegation token only in the log",
			zk: func(t *testing.T, _ *zkmode.Tree, img *metadata.Image) {
				apply(t, img, &metadata.RemoveDelegationTokenRecord{TokenID: diffTokenID})
			},
			want: DiffSummary{Total: 1, DelegationTokens: 1}, entity: diffTokenID, says: "in the metadata log but not in ZooKeeper",
		},
		{
			name: "delegation token without renewers, as nil and as an empty list",
			zk: func(t *testing.T, _ *zkmode.Tree, img *metadata.Image) {
				apply(t, img, diffToken(func(tok *metadata.DelegationTokenRecord) { tok.Renewers = []string{} }))
			},
			log: func(t *testing.T, _ *zkmode.Tree, img *metadata.Image) {
				apply(t, img, diffToken(func(tok *metadata.DelegationTokenRecord) { tok.Renewers = nil }))
			},
		},
		{
			name: "topic id",
			log: func(t *testing.T, _ *zkmode.Tree, img *metadata.Image) {
				id := mustUuid(t, ordersID)
				retention := "86400000"
				apply(t, img, &metadata.RemoveTopicRecord{TopicID: id}, &metadata.TopicRecord{Name: "orders", TopicID: mustUuid(t, paymentsID)},
					&metadata.ConfigRecord{ResourceType: metadata.ConfigResourceTopic, ResourceName: "orders", Name: "retention.ms", Value: &retention})
			},
			want: DiffSummary{Total: 1, Topics: 1}, entity: "orders", says: "topic id " + ordersID + " in ZooKeeper, " + paymentsID,
		},
		{
			name: "topic in the log still pending deletion in ZooKeeper",
			zk: func(t *testing.T, tree *zkmode.Tree, img *metadata.Image) {
				apply(t, img, &metadata.RemoveTopicRecord{TopicID: mustUuid(t, ordersID)})
				tree.PendingDeletions = []string{"orders"}
			},
			want: DiffSummary{Total: 1, Topics: 1}, entity: "orders", says: "pending deletion in ZooKeeper",
		},
		{
			name: "partition without a state znode: only its assignment is compared",
			zk: func(t *testing.T, tree *zkmode.Tree, img *metadata.Image) {
				change := metadata.NewPartitionChangeRecord()
				change.TopicID, change.PartitionID, change.Leader, change.ISR = mustUuid(t, ordersID), 1, metadata.NoLeader, []int32{}
				apply(t, img, change)
				tree.PartitionsWithoutState = []znode.TopicPartition{{Topic: "orders", Partition: 1}}
			},
		},
		{
			name: "partition epochs are not compared",
			log: func(t *testing.T, _ *zkmode.Tree, img *metadata.Image) {
				change := metadata.NewPartitionChangeRecord()
				change.TopicID, change.PartitionID, change.ISR = mustUuid(t, ordersID), 0, []int32{1, 2}
				apply(t, img, change)
			},
		},
		{
			name: "replicas and ISR",
			log: func(t *testing.T, _ *zkmode.Tree, img *metadata.Image) {
				change := metadata.NewPartitionChangeRecord()
				change.TopicID, change.PartitionID, change.Replicas, change.ISR = mustUuid(t, ordersID), 1, []int32{2, 1, 3}, []int32{2}
				apply(t, img, change)
			},
			want: DiffSummary{Total: 1, Partitions: 1}, entity: "orders-1", says: "replicas [2 1] in ZooKeeper, [2 1 3] in the metadata log; ISR [2 1] in ZooKeeper, [2] in the metadata log",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			zkImg, logImg := metadata.NewImage(), metadata.NewImage()
			apply(t, zkImg, diffFixture(t)...)
			apply(t, logImg, diffFixture(t)...)
			tree := &zkmode.Tree{Image: zkImg, ProducerIDBlock: &znode.ProducerIDBlock{BrokerID: 2, BlockStart: 3000, BlockEnd: 3999}}
			if tc.zk != nil {
				tc.zk(t, tree, zkImg)
			}
			if tc.log != nil {
				tc.log(t, tree, logImg)
			}
			findings, sum := diffZooKeeper(tree, logImg)
			if sum != tc.want {
				t.Fatalf("summary %+v, want %+v; findings %+v", sum, tc.want, findings)
			}
			if tc.want.Total == 0 {
				if len(findings) != 1 || findings[0].Code != CodeZkKRaftInSync || findings[0].Severity != SeverityInfo {
					t.Fatalf("findings %+v, want only %s", findings, CodeZkKRaftInSync)
				}
				if !strings.Contains(findings[0].Message, "1 delegation tokens compared") {
					t.Fatalf("message %q does not count the delegation token", findings[0].Message)
				}
				return
			}
			f := findings[0]
			if f.Code != CodeZkKRaftDiff || f.Severity != SeverityWarning || !slices.Equal(f.Entities, []string{tc.entity}) || f.Fix == "" {
				t.Fatalf("finding %+v, want a %s warning on %q", f, CodeZkKRaftDiff, tc.entity)
			}
			if !strings.Contains(f.Message, tc.says) {
				t.Fatalf("message %q does not say %q", f.Message, tc.says)
			}
			for _, secret := range []string{"salt", "86400000", other} {
				if strings.Contains(f.Message, secret) {
					t.Fatalf("message %q shows a config value or credential", f.Message)
				}
			}
		})
	}
}
