package metadata

// FeatureMetadataVersion is the feature whose level is the cluster's MetadataVersion.
const FeatureMetadataVersion = "metadata.version"

// MetadataVersionLatest is 3.9-IV0, the newest production level in Kafka 3.9.
const MetadataVersionLatest int16 = 21

// MetadataVersion levels at which the controller starts writing newer record versions
// (server-common MetadataVersion.java).
const (
	// MetadataVersion3_3IV3 adds InControlledShutdown (isInControlledShutdownStateSupported).
	MetadataVersion3_3IV3 int16 = 7
	// MetadataVersion3_4IV0 is the first level that supports ZooKeeper migration.
	MetadataVersion3_4IV0 int16 = 8
	// MetadataVersion3_6IV1 is the first level with metadata transactions.
	MetadataVersion3_6IV1 int16 = 13
	// MetadataVersion3_7IV0 adds controller registration (KIP-919).
	MetadataVersion3_7IV0 int16 = 15
	// MetadataVersion3_7IV2 adds JBOD directory assignment (KIP-858).
	MetadataVersion3_7IV2 int16 = 17
)

// RecordVersionFor returns the version of record apiKey that Kafka's controller writes
// at metadata version mv, so snapshots and deltas stay readable by brokers at that level.
// An mv of 0 (unknown) is treated as MetadataVersionLatest.
func RecordVersionFor(apiKey, mv int16) int16 {
	if mv <= 0 {
		mv = MetadataVersionLatest
	}
	switch apiKey {
	case APIKeyRegisterBroker:
		switch {
		case mv >= MetadataVersion3_7IV2:
			return 3
		case mv >= MetadataVersion3_4IV0:
			return 2
		case mv >= MetadataVersion3_3IV3:
			return 1
		}
	case APIKeyPartition, APIKeyPartitionChange:
		// v2 (ELR) needs 4.0-IV0, which no 3.x level reaches.
		if mv >= MetadataVersion3_7IV2 {
			return 1
		}
	case APIKeyBrokerRegistrationChange:
		switch {
		case mv >= MetadataVersion3_7IV2:
			return 2
		case mv >= MetadataVersion3_3IV3:
			return 1
		}
	}
	return 0
}
