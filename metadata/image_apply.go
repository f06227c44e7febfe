package metadata

import (
	"fmt"
	"maps"
	"slices"
)

// Apply applies one record to img, which must not be published yet (see Clone). It is
// the only way the image changes, for the log and for snapshots alike.
//
// Inside a metadata transaction (BeginTransactionRecord) records are held back and
// applied together at EndTransactionRecord, or dropped at AbortTransactionRecord, as
// Kafka's MetadataLoader does; a record that fails at commit leaves the image as it was
// before the transaction. Control records and NoOpRecord change nothing.
func (img *Image) Apply(r Record) error {
	switch v := r.(type) {
	case *BeginTransactionRecord:
		if img.inTxn {
			return fmt.Errorf("apply BeginTransactionRecord: transaction %q is already open", img.pendingName)
		}
		img.inTxn, img.pending, img.pendingName = true, nil, derefString(v.Name)
		return nil
	case *EndTransactionRecord:
		if !img.inTxn {
			return fmt.Errorf("apply EndTransactionRecord: no transaction is open")
		}
		return img.commit()
	case *AbortTransactionRecord:
		if !img.inTxn {
			return fmt.Errorf("apply AbortTransactionRecord: no transaction is open")
		}
		img.inTxn, img.pending, img.pendingName = false, nil, ""
		return nil
	}
	if img.inTxn {
		img.pending = append(img.pending, r)
		return nil
	}
	return img.applyOne(r)
}

// commit applies the open transaction's records on a clone and keeps the clone only if
// all of them apply.
func (img *Image) commit() error {
	name, pending := img.pendingName, img.pending
	img.inTxn, img.pending, img.pendingName = false, nil, ""
	next := img.Clone()
	for i, r := range pending {
		if err := next.applyOne(r); err != nil {
			return fmt.Errorf("commit metadata transaction %q: record %d of %d: %w", name, i+1, len(pending), err)
		}
	}
	*img = *next
	return nil
}

func (img *Image) applyOne(r Record) error {
	var err error
	switch v := r.(type) {
	case *RegisterBrokerRecord:
		img.applyRegisterBroker(v)
	case *UnregisterBrokerRecord:
		delete(img.Brokers, v.BrokerID)
	case *FenceBrokerRecord:
		err = img.changeBroker(v.ID, BrokerFencingFence, BrokerControlledShutdownNone, nil)
	case *UnfenceBrokerRecord:
		err = img.changeBroker(v.ID, BrokerFencingUnfence, BrokerControlledShutdownNone, nil)
	case *BrokerRegistrationChangeRecord:
		err = img.changeBroker(v.BrokerID, v.Fenced, v.InControlledShutdown, v.LogDirs)
	case *RegisterControllerRecord:
		img.Controllers[v.ControllerID] = &Controller{
			ID: v.ControllerID, IncarnationID: v.IncarnationID, ZkMigrationReady: v.ZkMigrationReady,
			Endpoints: slices.Clone(v.EndPoints), Features: slices.Clone(v.Features),
		}
	case *TopicRecord:
		err = img.applyTopic(v)
	case *PartitionRecord:
		err = img.applyPartition(v)
	case *PartitionChangeRecord:
		err = img.applyPartitionChange(v)
	case *RemoveTopicRecord:
		err = img.applyRemoveTopic(v)
	case *ConfigRecord:
		img.applyConfig(v)
	case *FeatureLevelRecord:
		if v.FeatureLevel == 0 {
			delete(img.Features, v.Name)
		} else {
			img.Features[v.Name] = v.FeatureLevel
		}
	case *ClientQuotaRecord:
		img.applyClientQuota(v)
	case *ProducerIdsRecord:
		img.ProducerIDs = ProducerIDs{NextProducerID: v.NextProducerID, BrokerID: v.BrokerID, BrokerEpoch: v.BrokerEpoch}
	case *ZkMigrationStateRecord:
		img.ZkMigrationState = v.ZkMigrationState
	case *AccessControlEntryRecord:
		acl := *v
		img.ACLs[v.ID] = &acl
	case *RemoveAccessControlEntryRecord:
		if _, ok := img.ACLs[v.ID]; !ok {
			return fmt.Errorf("apply RemoveAccessControlEntryRecord: no ACL with id %s", v.ID)
		}
		delete(img.ACLs, v.ID)
	case *UserScramCredentialRecord:
		c := *v
		c.Salt, c.StoredKey, c.ServerKey = slices.Clone(v.Salt), slices.Clone(v.StoredKey), slices.Clone(v.ServerKey)
		img.Scram[ScramKey{Name: v.Name, Mechanism: v.Mechanism}] = &c
	case *RemoveUserScramCredentialRecord:
		delete(img.Scram, ScramKey{Name: v.Name, Mechanism: v.Mechanism})
	case *DelegationTokenRecord:
		t := *v
		t.Renewers = slices.Clone(v.Renewers)
		img.DelegationTokens[v.TokenID] = &t
	case *RemoveDelegationTokenRecord:
		delete(img.DelegationTokens, v.TokenID)
	case *NoOpRecord, *ControlRecord:
	default:
		return fmt.Errorf("apply: unexpected record type %T", r)
	}
	return err
}

func (img *Image) applyRegisterBroker(v *RegisterBrokerRecord) {
	img.Brokers[v.BrokerID] = &Broker{
		ID:                   v.BrokerID,
		Epoch:                v.BrokerEpoch,
		IncarnationID:        v.IncarnationID,
		Endpoints:            slices.Clone(v.EndPoints),
		Features:             slices.Clone(v.Features),
		Rack:                 derefString(v.Rack),
		Fenced:               v.Fenced,
		InControlledShutdown: v.InControlledShutdown,
		IsMigratingZkBroker:  v.IsMigratingZkBroker,
		LogDirs:              slices.Clone(v.LogDirs),
	}
}

// changeBroker applies a fencing / controlled-shutdown / log-dir change, replacing the
// Broker value since it may be shared with a published image. Like Kafka's ClusterDelta
// it fails for an unknown broker or an undefined change value.
func (img *Image) changeBroker(id int32, fenced, inControlledShutdown int8, logDirs []Uuid) error {
	old, ok := img.Brokers[id]
	if !ok {
		return fmt.Errorf("apply broker change: broker %d is not registered", id)
	}
	b := *old
	switch fenced {
	case BrokerFencingUnfence:
		b.Fenced = false
	case BrokerFencingFence:
		b.Fenced = true
	case BrokerFencingNone:
	default:
		return fmt.Errorf("apply broker change: broker %d: invalid fencing change %d", id, fenced)
	}
	switch inControlledShutdown {
	case BrokerControlledShutdownActive:
		b.InControlledShutdown = true
	case BrokerControlledShutdownNone:
	default:
		return fmt.Errorf("apply broker change: broker %d: invalid controlled-shutdown change %d", id, inControlledShutdown)
	}
	if len(logDirs) > 0 {
		b.LogDirs = slices.Clone(logDirs)
	}
	img.Brokers[id] = &b
	return nil
}

func (img *Image) applyTopic(v *TopicRecord) error {
	if t, ok := img.Topics[v.Name]; ok {
		return fmt.Errorf("apply TopicRecord: topic %q already exists with id %s", v.Name, t.ID)
	}
	if t, ok := img.TopicsByID[v.TopicID]; ok {
		return fmt.Errorf("apply TopicRecord %q: topic id %s is already used by %q", v.Name, v.TopicID, t.Name)
	}
	t := &Topic{Name: v.Name, ID: v.TopicID, Partitions: map[int32]*Partition{}}
	img.Topics[t.Name] = t
	img.TopicsByID[t.ID] = t
	return nil
}

func (img *Image) applyPartition(v *PartitionRecord) error {
	t, ok := img.TopicsByID[v.TopicID]
	if !ok {
		return fmt.Errorf("apply PartitionRecord %s-%d: unknown topic id", v.TopicID, v.PartitionID)
	}
	t.Partitions[v.PartitionID] = &Partition{
		ID:                     v.PartitionID,
		Replicas:               slices.Clone(v.Replicas),
		ISR:                    slices.Clone(v.ISR),
		RemovingReplicas:       slices.Clone(v.RemovingReplicas),
		AddingReplicas:         slices.Clone(v.AddingReplicas),
		Leader:                 v.Leader,
		LeaderRecoveryState:    v.LeaderRecoveryState,
		LeaderEpoch:            v.LeaderEpoch,
		PartitionEpoch:         v.PartitionEpoch,
		Directories:            slices.Clone(v.Directories),
		EligibleLeaderReplicas: slices.Clone(v.EligibleLeaderReplicas),
		LastKnownELR:           slices.Clone(v.LastKnownELR),
	}
	return nil
}

// applyPartitionChange merges a delta as Kafka's PartitionRegistration.merge does: nil
// fields stay, the partition epoch always advances, and the leader epoch advances
// whenever the record names a leader (even the same one), because that is a new term.
func (img *Image) applyPartitionChange(v *PartitionChangeRecord) error {
	t, ok := img.TopicsByID[v.TopicID]
	if !ok {
		return fmt.Errorf("apply PartitionChangeRecord %s-%d: unknown topic id", v.TopicID, v.PartitionID)
	}
	old, ok := t.Partitions[v.PartitionID]
	if !ok {
		return fmt.Errorf("apply PartitionChangeRecord %s-%d: unknown partition", t.Name, v.PartitionID)
	}
	p := *old
	if v.LeaderRecoveryState != LeaderRecoveryStateNoChange {
		if v.LeaderRecoveryState != LeaderRecoveryStateRecovered && v.LeaderRecoveryState != LeaderRecoveryStateRecovering {
			return fmt.Errorf("apply PartitionChangeRecord %s-%d: invalid leader recovery state %d", t.Name, v.PartitionID, v.LeaderRecoveryState)
		}
		p.LeaderRecoveryState = v.LeaderRecoveryState
	}
	replaceIfSet(&p.Replicas, v.Replicas)
	replaceIfSet(&p.ISR, v.ISR)
	replaceIfSet(&p.RemovingReplicas, v.RemovingReplicas)
	replaceIfSet(&p.AddingReplicas, v.AddingReplicas)
	replaceIfSet(&p.Directories, v.Directories)
	replaceIfSet(&p.EligibleLeaderReplicas, v.EligibleLeaderReplicas)
	replaceIfSet(&p.LastKnownELR, v.LastKnownELR)
	if v.Leader != NoLeaderChange {
		p.Leader = v.Leader
		p.LeaderEpoch++
	}
	p.PartitionEpoch++
	t.Partitions[v.PartitionID] = &p
	return nil
}

// replaceIfSet copies src into *dst unless src is nil ("unchanged").
func replaceIfSet[T any](dst *[]T, src []T) {
	if src != nil {
		*dst = slices.Clone(src)
	}
}

func (img *Image) applyRemoveTopic(v *RemoveTopicRecord) error {
	t, ok := img.TopicsByID[v.TopicID]
	if !ok {
		return fmt.Errorf("apply RemoveTopicRecord: unknown topic id %s", v.TopicID)
	}
	delete(img.TopicsByID, t.ID)
	delete(img.Topics, t.Name)
	delete(img.Configs, ConfigResource{Type: ConfigResourceTopic, Name: t.Name})
	return nil
}

// applyConfig replaces the resource's config map (it may be shared with a published
// image) and drops the resource once its last key is deleted.
func (img *Image) applyConfig(v *ConfigRecord) {
	res := ConfigResource{Type: v.ResourceType, Name: v.ResourceName}
	m := maps.Clone(img.Configs[res])
	if m == nil {
		m = map[string]string{}
	}
	if v.Value == nil {
		delete(m, v.Name)
	} else {
		m[v.Name] = *v.Value
	}
	if len(m) == 0 {
		delete(img.Configs, res)
		return
	}
	img.Configs[res] = m
}

// applyClientQuota replaces the entity (it may be shared) and drops it once its last
// quota key is removed.
func (img *Image) applyClientQuota(v *ClientQuotaRecord) {
	e := &QuotaEntity{Entity: sortedEntity(v.Entity)}
	key := e.Key()
	if old, ok := img.Quotas[key]; ok {
		e.Values = maps.Clone(old.Values)
	} else {
		e.Values = map[string]float64{}
	}
	if v.Remove {
		delete(e.Values, v.Key)
	} else {
		e.Values[v.Key] = v.Value
	}
	if len(e.Values) == 0 {
		delete(img.Quotas, key)
		return
	}
	img.Quotas[key] = e
}

func derefString(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
