package metadata

import (
	"bytes"
	"cmp"
	"maps"
	"slices"
)

// Records returns the image as metadata records in the order of Kafka's
// MetadataImage.write: features (metadata.version first) and the migration state,
// brokers and controllers, topics each followed by its partitions, configs, client
// quotas, producer ids, ACLs, SCRAM credentials and delegation tokens. Applied to
// NewImage() they rebuild an equal image, so a snapshot is just these records and
// loading one goes through the same Apply as the log. Record versions follow the image's
// metadata.version, as the controller's ImageWriterOptions do. The records share
// memory with the image: encode or apply them, never modify them.
func (img *Image) Records() []Record {
	mv := img.MetadataVersion()
	var out []Record
	out = img.appendFeatureRecords(out, mv)
	out = img.appendClusterRecords(out, mv)
	out = img.appendTopicRecords(out, mv)
	out = img.appendConfigRecords(out)
	out = img.appendQuotaRecords(out)
	if img.ProducerIDs != (ProducerIDs{}) {
		p := img.ProducerIDs
		out = append(out, &ProducerIdsRecord{BrokerID: p.BrokerID, BrokerEpoch: p.BrokerEpoch, NextProducerID: p.NextProducerID})
	}
	return img.appendSecurityRecords(out)
}

func (img *Image) appendFeatureRecords(out []Record, mv int16) []Record {
	if mv != 0 {
		out = append(out, &FeatureLevelRecord{Name: FeatureMetadataVersion, FeatureLevel: mv})
	}
	for _, name := range slices.Sorted(maps.Keys(img.Features)) {
		if name != FeatureMetadataVersion {
			out = append(out, &FeatureLevelRecord{Name: name, FeatureLevel: img.Features[name]})
		}
	}
	// Kafka writes the migration state at every level that supports migration.
	if mv <= 0 || mv >= MetadataVersion3_4IV0 || img.ZkMigrationState != ZkMigrationNone {
		out = append(out, &ZkMigrationStateRecord{ZkMigrationState: img.ZkMigrationState})
	}
	return out
}

func (img *Image) appendClusterRecords(out []Record, mv int16) []Record {
	for _, id := range slices.Sorted(maps.Keys(img.Brokers)) {
		b := img.Brokers[id]
		r := &RegisterBrokerRecord{
			Version:              RecordVersionFor(APIKeyRegisterBroker, mv),
			BrokerID:             b.ID,
			IsMigratingZkBroker:  b.IsMigratingZkBroker,
			IncarnationID:        b.IncarnationID,
			BrokerEpoch:          b.Epoch,
			EndPoints:            b.Endpoints,
			Features:             b.Features,
			Fenced:               b.Fenced,
			InControlledShutdown: b.InControlledShutdown,
			LogDirs:              b.LogDirs,
		}
		if b.Rack != "" {
			rack := b.Rack
			r.Rack = &rack
		}
		out = append(out, r)
	}
	for _, id := range slices.Sorted(maps.Keys(img.Controllers)) {
		c := img.Controllers[id]
		out = append(out, &RegisterControllerRecord{
			ControllerID: c.ID, IncarnationID: c.IncarnationID, ZkMigrationReady: c.ZkMigrationReady,
			EndPoints: c.Endpoints, Features: c.Features,
		})
	}
	return out
}

func (img *Image) appendTopicRecords(out []Record, mv int16) []Record {
	version := RecordVersionFor(APIKeyPartition, mv)
	for _, name := range slices.Sorted(maps.Keys(img.Topics)) {
		t := img.Topics[name]
		out = append(out, &TopicRecord{Name: t.Name, TopicID: t.ID})
		for _, id := range slices.Sorted(maps.Keys(t.Partitions)) {
			p := t.Partitions[id]
			out = append(out, &PartitionRecord{
				Version:                version,
				PartitionID:            p.ID,
				TopicID:                t.ID,
				Replicas:               p.Replicas,
				ISR:                    p.ISR,
				RemovingReplicas:       p.RemovingReplicas,
				AddingReplicas:         p.AddingReplicas,
				Leader:                 p.Leader,
				LeaderRecoveryState:    p.LeaderRecoveryState,
				LeaderEpoch:            p.LeaderEpoch,
				PartitionEpoch:         p.PartitionEpoch,
				Directories:            p.Directories,
				EligibleLeaderReplicas: p.EligibleLeaderReplicas,
				LastKnownELR:           p.LastKnownELR,
			})
		}
	}
	return out
}

func (img *Image) appendConfigRecords(out []Record) []Record {
	resources := slices.SortedFunc(maps.Keys(img.Configs), func(a, b ConfigResource) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.Name, b.Name))
	})
	for _, res := range resources {
		m := img.Configs[res]
		for _, key := range slices.Sorted(maps.Keys(m)) {
			value := m[key]
			out = append(out, &ConfigRecord{ResourceType: res.Type, ResourceName: res.Name, Name: key, Value: &value})
		}
	}
	return out
}

func (img *Image) appendQuotaRecords(out []Record) []Record {
	for _, key := range slices.Sorted(maps.Keys(img.Quotas)) {
		e := img.Quotas[key]
		for _, name := range slices.Sorted(maps.Keys(e.Values)) {
			out = append(out, &ClientQuotaRecord{Entity: e.Entity, Key: name, Value: e.Values[name]})
		}
	}
	return out
}

func (img *Image) appendSecurityRecords(out []Record) []Record {
	for _, id := range slices.SortedFunc(maps.Keys(img.ACLs), func(a, b Uuid) int { return bytes.Compare(a[:], b[:]) }) {
		out = append(out, img.ACLs[id])
	}
	keys := slices.SortedFunc(maps.Keys(img.Scram), func(a, b ScramKey) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Mechanism, b.Mechanism))
	})
	for _, k := range keys {
		out = append(out, img.Scram[k])
	}
	for _, id := range slices.Sorted(maps.Keys(img.DelegationTokens)) {
		out = append(out, img.DelegationTokens[id])
	}
	return out
}
