package zkmode

import "github.com/kbridge/kbridge/zkmode/znode"

// Kafka's dual-write operation types (KRaftMigrationZkWriter; docs/kafka-compatibility.md, "Dual-write"),
// which name each operation in errors and in the count WriteChanges returns.
const (
	opCreateTopic                = "CreateTopic"
	opUpdateTopic                = "UpdateTopic"
	opDeleteTopic                = "DeleteTopic"
	opDeletePendingTopicDeletion = "DeletePendingTopicDeletion"
	opUpdatePartition            = "UpdatePartition"
	opDeletePartition            = "DeletePartition"
	opUpdateBrokerConfig         = "UpdateBrokerConfig"
	opDeleteBrokerConfig         = "DeleteBrokerConfig"
	opUpdateTopicConfig          = "UpdateTopicConfig"
	opDeleteTopicConfig          = "DeleteTopicConfig"
	opUpdateClientQuota          = "UpdateClientQuota"
	opUpdateACL                  = "UpdateAcl"
	opDeleteACL                  = "DeleteAcl"
	opUpdateProducerID           = "UpdateProducerId"
)

// changeKind is what a znodeChange wants of its znode.
type changeKind int

const (
	// changeUpsert: the znode exists with the data; created (parents first) or set.
	changeUpsert changeKind = iota
	// changeRemove: the znode does not exist.
	changeRemove
	// changeRemoveTree: neither the znode nor anything below it exists.
	changeRemoveTree
	// changeNotify: a persistent sequential znode is created under the path's parent,
	// announcing the operation to ZooKeeper brokers, if the operation writes anything
	// else at all.
	changeNotify
)

// znodeChange is one znode in the state a migration operation wants it in.
type znodeChange struct {
	kind changeKind
	path string
	data []byte
}

// migrationOp is one of Kafka's dual-write operations: its type, what it is about, and
// the znode states that make ZooKeeper reflect it, in the order they are to be reached.
// It says what ZooKeeper must hold, not how to get there: the requests are worked out
// against the tree as read just before writing (zkView), so an operation that a
// crashed run already applied, in full or in part, writes only what is still missing.
type migrationOp struct {
	kind    string
	subject string
	changes []znodeChange
}

func newOp(kind, subject string) *migrationOp { return &migrationOp{kind: kind, subject: subject} }

func (o *migrationOp) upsert(path string, data []byte) {
	o.changes = append(o.changes, znodeChange{kind: changeUpsert, path: path, data: data})
}

func (o *migrationOp) remove(path string) {
	o.changes = append(o.changes, znodeChange{kind: changeRemove, path: path})
}

func (o *migrationOp) removeTree(path string) {
	o.changes = append(o.changes, znodeChange{kind: changeRemoveTree, path: path})
}

// notify announces the operation with a sequential znode named prefix under parent.
func (o *migrationOp) notify(parent, prefix string, data []byte) {
	o.changes = append(o.changes, znodeChange{kind: changeNotify, path: parent + "/" + prefix, data: data})
}

// notifyConfigChange announces a change of the config entity at entityPath, its path
// below /config ("topics/orders", "brokers/<default>"), to ZooKeeper brokers'
// DynamicConfigManager. It goes in the multi of the change itself: Kafka writes it
// after, unfenced, so a crash between the two leaves a change brokers never hear of.
func (o *migrationOp) notifyConfigChange(entityPath string) {
	o.notify(znode.ConfigChangesPath, znode.ConfigChangePrefix, znode.EncodeConfigChange(entityPath))
}
