package migrate

import (
	"github.com/kbridge/kbridge/metadata"
)

// Voter is one member of the controller quorum, as its controller.quorum.voters entry
// names it.
type Voter struct {
	ID   int32  `json:"id"`
	Host string `json:"host"`
	Port int    `json:"port"`
}

// ControllerView is what a migration command sees of the KRaft side: the quorum and the
// active controller's committed image, including the migration state, the registered
// brokers (IsMigratingZkBroker, log dirs) and everything a copy wrote.
type ControllerView struct {
	// NodeID is the controller that answered, LeaderID the active one (-1 if none).
	NodeID   int32
	LeaderID int32
	Voters   []Voter
	// Image is the active controller's committed image; its Offset is -1 and its
	// ZkMigrationState NONE while the metadata log is empty.
	Image *metadata.Image
	// InTransaction tells that a metadata transaction (a copy) is open in the log.
	InTransaction bool
}

// stateJSON is GET /v1/state: the image's position and migration state without its
// records, which come from GET /v1/records.
type stateJSON struct {
	NodeID           int32   `json:"node_id"`
	LeaderID         int32   `json:"leader_id"`
	Voters           []Voter `json:"voters"`
	ClusterID        string  `json:"cluster_id"`
	Offset           int64   `json:"offset"`
	Epoch            int32   `json:"epoch"`
	InTransaction    bool    `json:"in_transaction"`
	MetadataVersion  int16   `json:"metadata_version"`
	ZkMigrationState string  `json:"zk_migration_state"`
}
