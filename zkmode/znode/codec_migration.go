package znode

// /migration (ZkData MigrationZNode, KIP-866; metadata ZkMigrationLeadershipState):
//
//	{"version":0,"kraft_controller_id":3000,"kraft_controller_epoch":5,"kraft_metadata_offset":1234,"kraft_metadata_epoch":5}
//
// The KRaft controller creates it with every field -1 and rewrites it, fenced on its
// zkVersion, after the copy and after every dual-write batch.

// MigrationZNode is the content of /migration.
type MigrationZNode struct {
	KRaftControllerID    int32
	KRaftControllerEpoch int32
	// KRaftMetadataOffset and KRaftMetadataEpoch are the metadata log position that
	// ZooKeeper reflects: the end of the copy, then of the last dual-written batch.
	KRaftMetadataOffset int64
	KRaftMetadataEpoch  int32
}

// EmptyMigration is ZkMigrationLeadershipState.EMPTY as Kafka first writes /migration.
var EmptyMigration = MigrationZNode{KRaftControllerID: -1, KRaftControllerEpoch: -1, KRaftMetadataOffset: -1, KRaftMetadataEpoch: -1}

// InitialMigrationComplete is ZkMigrationLeadershipState.initialZkMigrationComplete:
// the copy has been committed once the znode records a metadata offset.
func (m MigrationZNode) InitialMigrationComplete() bool { return m.KRaftMetadataOffset > 0 }

// EncodeMigration returns /migration's data (v0, the only version).
func EncodeMigration(m MigrationZNode) []byte {
	return newJSONWriter().
		int("version", 0).
		int("kraft_controller_id", int64(m.KRaftControllerID)).
		int("kraft_controller_epoch", int64(m.KRaftControllerEpoch)).
		int("kraft_metadata_offset", m.KRaftMetadataOffset).
		int("kraft_metadata_epoch", int64(m.KRaftMetadataEpoch)).
		bytes()
}

// DecodeMigration reads /migration; like MigrationZNode.decode it accepts only v0.
func DecodeMigration(data []byte) (MigrationZNode, error) {
	obj, err := parseJSONObject(data)
	if err != nil {
		return MigrationZNode{}, err
	}
	if _, err := obj.version(0); err != nil {
		return MigrationZNode{}, err
	}
	var m MigrationZNode
	if m.KRaftControllerID, err = obj.int32("kraft_controller_id"); err != nil {
		return MigrationZNode{}, err
	}
	if m.KRaftControllerEpoch, err = obj.int32("kraft_controller_epoch"); err != nil {
		return MigrationZNode{}, err
	}
	if m.KRaftMetadataOffset, err = obj.int("kraft_metadata_offset", 64); err != nil {
		return MigrationZNode{}, err
	}
	if m.KRaftMetadataEpoch, err = obj.int32("kraft_metadata_epoch"); err != nil {
		return MigrationZNode{}, err
	}
	return m, nil
}
