package migrate

import (
	"slices"

	"github.com/kbridge/kbridge/kraftmode"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode"
)

// Kafka's batching of the copy (docs/kafka-compatibility.md, "Copy order and batching"): ZkMigrationClient hands the
// records over in lists that are never split (a topic with its configs and partitions,
// one broker's configs, one quota entity, one SCRAM credential, the producer-id block,
// ACLs by at most maxACLList, every delegation token in one list), and
// BufferingBatchConsumer coalesces those lists until a batch holds at least
// zookeeper.metadata.migration.min.batch.size records.
const (
	minBatchSize = 200
	maxACLList   = 100
)

// Plan is what a migration would copy from ZooKeeper, counted entity by entity, and
// the metadata log writes the copy takes.
type Plan struct {
	// Brokers counts /brokers/ids; BrokerIDs lists them.
	Brokers   int     `json:"brokers"`
	BrokerIDs []int32 `json:"broker_ids"`
	// Topics and Partitions count what the copy takes: pending deletions are left out,
	// as Kafka's migration leaves them out.
	Topics     int `json:"topics"`
	Partitions int `json:"partitions"`
	// TopicConfigs counts topics with at least one config override.
	TopicConfigs int `json:"topic_configs"`
	// BrokerConfigs counts broker config entities, the cluster default (<default>)
	// included.
	BrokerConfigs int `json:"broker_configs"`
	// ClientQuotas counts user, client-id, user/client-id and IP quota entities.
	ClientQuotas int `json:"client_quotas"`
	// ScramUsers counts users with SCRAM credentials, ScramCredentials the credentials
	// (one per user and mechanism).
	ScramUsers       int `json:"scram_users"`
	ScramCredentials int `json:"scram_credentials"`
	// ACLs counts ACL entries (bindings), not resources.
	ACLs int `json:"acls"`
	// DelegationTokens counts the tokens under /delegation_token/tokens.
	DelegationTokens int `json:"delegation_tokens"`
	// ProducerIDBlock is /latest_producer_id_block as the copy writes it, nil when no
	// block was ever handed out.
	ProducerIDBlock *ProducerIDBlockPlan `json:"producer_id_block"`
	// PendingDeletions are the topics in /admin/delete_topics, which are not copied.
	PendingDeletions []string `json:"pending_deletions"`
	// Records is every record the copy appends: BeginTransaction, the migration
	// records, ZkMigrationState(MIGRATION) and EndTransaction. Batches counts the
	// controller writes they take, as the controller coalesces Kafka's lists (at least
	// 200 records a batch, a list never split), the transaction's records riding in the
	// first and the last. Both are nil while a topic has no topic_id, since such a
	// cluster cannot be copied at all.
	Records *int `json:"records"`
	Batches *int `json:"batches"`
	// Transactions is the number of metadata transactions: the copy is one.
	Transactions int `json:"transactions"`
}

// ProducerIDBlockPlan is the producer-id state the copy writes (ProducerIdsRecord).
type ProducerIDBlockPlan struct {
	// BrokerID is the broker the last block went to.
	BrokerID int32 `json:"broker_id"`
	// NextProducerID is the first id not handed out yet: the block's end plus one.
	NextProducerID int64 `json:"next_producer_id"`
}

// planCopy counts what the tree holds and what copying it writes.
func planCopy(tree *zkmode.Tree) Plan {
	img := tree.Image
	// Lists are never nil, so that JSON shows [] rather than null.
	p := Plan{
		BrokerIDs:        make([]int32, 0, len(tree.BrokerZNodes)),
		Topics:           len(img.Topics),
		ClientQuotas:     len(img.Quotas),
		ScramCredentials: len(img.Scram),
		ACLs:             len(img.ACLs),
		DelegationTokens: len(tree.Image.DelegationTokens),
		PendingDeletions: append([]string{}, tree.PendingDeletions...),
		Transactions:     1,
	}
	for id := range tree.BrokerZNodes {
		p.BrokerIDs = append(p.BrokerIDs, id)
	}
	slices.Sort(p.BrokerIDs)
	p.Brokers = len(p.BrokerIDs)
	for _, t := range img.Topics {
		p.Partitions += len(t.Partitions)
	}
	for res := range img.Configs {
		switch res.Type {
		case metadata.ConfigResourceTopic:
			p.TopicConfigs++
		case metadata.ConfigResourceBroker:
			p.BrokerConfigs++
		}
	}
	users := map[string]bool{}
	for k := range img.Scram {
		users[k.Name] = true
	}
	p.ScramUsers = len(users)
	if b := tree.ProducerIDBlock; b != nil {
		p.ProducerIDBlock = &ProducerIDBlockPlan{BrokerID: b.BrokerID, NextProducerID: b.NextProducerID()}
	}
	if records, err := tree.MigrationRecords(); err == nil {
		// BeginTransaction, ZkMigrationState and EndTransaction frame the copy.
		n := len(records) + 3
		b := kraftmode.CopyBatchCount(migrationGroups(records), kraftmode.DefaultMigrationMinBatch)
		p.Records, p.Batches = &n, &b
	}
	return p
}

// migrationGroups splits the migration records into the lists ZkMigrationClient
// hands over (see migrationLists), which the copy keeps whole in one batch each.
func migrationGroups(records []metadata.Record) [][]metadata.Record {
	var groups [][]metadata.Record
	for _, n := range migrationLists(records) {
		groups = append(groups, records[:n:n])
		records = records[n:]
	}
	return groups
}

// migrationLists splits the migration records, in their order, into the lists
// ZkMigrationClient hands over, and returns their sizes.
func migrationLists(records []metadata.Record) []int {
	var sizes []int
	prev := ""
	for _, r := range records {
		kind, startsList := migrationList(r)
		last := len(sizes) - 1
		switch {
		case startsList || last < 0 || kind != prev:
			sizes = append(sizes, 1)
		case kind == "acl" && sizes[last] == maxACLList:
			sizes = append(sizes, 1)
		default:
			sizes[last]++
		}
		prev = kind
	}
	return sizes
}

// migrationList names the list a record belongs to: records of one kind that follow
// each other share a list unless the record starts a new one (a TopicRecord, each
// SCRAM credential, the producer-id block). Kafka copies every delegation token in one
// list (ZkMigrationClient.migrateDelegationTokens, KIP-866).
func migrationList(r metadata.Record) (kind string, startsList bool) {
	switch v := r.(type) {
	case *metadata.TopicRecord:
		return "topic", true
	case *metadata.PartitionRecord:
		return "topic", false
	case *metadata.ConfigRecord:
		if v.ResourceType == metadata.ConfigResourceTopic {
			return "topic", false
		}
		return "config:" + v.ResourceName, false
	case *metadata.ClientQuotaRecord:
		return "quota:" + (&metadata.QuotaEntity{Entity: v.Entity}).Key(), false
	case *metadata.AccessControlEntryRecord:
		return "acl", false
	case *metadata.DelegationTokenRecord:
		return "delegation token", false
	}
	return "", true
}
