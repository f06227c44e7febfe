package migrate

import (
	"slices"
	"strconv"
	"testing"

	"github.com/kbridge/kbridge/kraftmode"
	"github.com/kbridge/kbridge/metadata"
)

// topicRecords is one topic's list as the copy writes it: its TopicRecord, a config
// and partitions PartitionRecords.
func topicRecords(name string, partitions int) []metadata.Record {
	id := metadata.RandomUuid()
	v := "1"
	out := []metadata.Record{
		&metadata.TopicRecord{Name: name, TopicID: id},
		&metadata.ConfigRecord{ResourceType: metadata.ConfigResourceTopic, ResourceName: name, Name: "retention.ms", Value: &v},
	}
	for p := range partitions {
		r := metadata.NewPartitionRecord()
		r.TopicID, r.PartitionID = id, int32(p)
		out = append(out, r)
	}
	return out
}

func aclRecords(n int) []metadata.Record {
	out := make([]metadata.Record, n)
	for i := range out {
		out[i] = &metadata.AccessControlEntryRecord{ID: metadata.RandomUuid(), ResourceName: "t" + strconv.Itoa(i)}
	}
	return out
}

// tokenRecords is n delegation tokens, which the copy hands over as one list.
func tokenRecords(n int) []metadata.Record {
	out := make([]metadata.Record, n)
	for i := range out {
		out[i] = &metadata.DelegationTokenRecord{Owner: "User:alice", Requester: "User:alice", TokenID: "token-" + strconv.Itoa(i)}
	}
	return out
}

// TestMigrationLists: the lists Kafka's ZkMigrationClient hands over, which the
// batching never splits.
func TestMigrationLists(t *testing.T) {
	v := "x"
	alice, bob := "alice", "bob"
	var records []metadata.Record
	records = append(records, topicRecords("a", 2)...)
	records = append(records, topicRecords("b", 0)...)
	records = append(records,
		&metadata.ConfigRecord{ResourceType: metadata.ConfigResourceBroker, ResourceName: "1", Name: "k1", Value: &v},
		&metadata.ConfigRecord{ResourceType: metadata.ConfigResourceBroker, ResourceName: "1", Name: "k2", Value: &v},
		&metadata.ConfigRecord{ResourceType: metadata.ConfigResourceBroker, ResourceName: "", Name: "k1", Value: &v},
		&metadata.UserScramCredentialRecord{Name: alice, Mechanism: metadata.ScramSHA256},
		&metadata.UserScramCredentialRecord{Name: alice, Mechanism: metadata.ScramSHA512},
		&metadata.ClientQuotaRecord{Entity: []metadata.QuotaEntityPart{{Type: "user", Name: &alice}}, Key: "a"},
		&metadata.ClientQuotaRecord{Entity: []metadata.QuotaEntityPart{{Type: "user", Name: &alice}}, Key: "b"},
		&metadata.ClientQuotaRecord{Entity: []metadata.QuotaEntityPart{{Type: "user", Name: &bob}}, Key: "a"},
		&metadata.ProducerIdsRecord{NextProducerID: 1000},
	)
	records = append(records, aclRecords(250)...)
	records = append(records, tokenRecords(3)...)
	want := []int{4, 2, 2, 1, 1, 1, 2, 1, 1, 100, 100, 50, 3}
	if got := migrationLists(records); !slices.Equal(got, want) {
		t.Fatalf("lists %v, want %v", got, want)
	}
}

// TestCopyBatches: lists are appended whole, a batch is written once it holds 200
// records, and the rest at the end; the transaction's records ride in the first and
// last batch, and even an empty copy is one write.
func TestCopyBatches(t *testing.T) {
	many := func(topics, partitions int) []metadata.Record {
		var out []metadata.Record
		for i := range topics {
			out = append(out, topicRecords("t"+strconv.Itoa(i), partitions)...)
		}
		return out
	}
	for _, tc := range []struct {
		name    string
		records []metadata.Record
		want    int
	}{
		{"nothing", nil, 1},
		{"under the minimum", many(3, 10), 1},
		{"exactly the minimum", many(50, 2), 1},
		// 3 records a topic: the 67th topic takes the batch to 201, the rest is 99.
		{"coalesced", many(100, 1), 2},
		{"one topic larger than a batch is not split", append(many(1, 500), many(1, 1)...), 2},
		// Lists of 100, 100 | 100, 100 | 50.
		{"ACLs in lists of 100", aclRecords(450), 3},
		// One list of 450: Kafka never splits the delegation tokens.
		{"delegation tokens in one list", tokenRecords(450), 1},
		// Lists of 100, 100 | 50 ACLs, then the 3 tokens.
		{"delegation tokens after the ACLs", append(aclRecords(250), tokenRecords(3)...), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := kraftmode.CopyBatchCount(migrationGroups(tc.records), kraftmode.DefaultMigrationMinBatch); got != tc.want {
				t.Fatalf("%d batches, want %d (lists %v)", got, tc.want, migrationLists(tc.records))
			}
		})
	}
}
