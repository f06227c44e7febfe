package metadata

import "github.com/twmb/franz-go/pkg/kbin"

// ConfigRecord (apiKey 4) sets one config key of a resource, or deletes it (Value nil).
type ConfigRecord struct {
	// ResourceType is one of the ConfigResource* codes (CLIENT_METRICS=16 also exists).
	ResourceType int8 `json:"resourceType"`
	// ResourceName "" with BROKER is the cluster-wide default.
	ResourceName string  `json:"resourceName"`
	Name         string  `json:"name"`
	Value        *string `json:"value"`
}

// APIKey implements Record.
func (*ConfigRecord) APIKey() int16 { return APIKeyConfig }

// RecordVersion implements Record.
func (*ConfigRecord) RecordVersion() int16 { return 0 }

func (v *ConfigRecord) appendBody(dst []byte) []byte {
	dst = kbin.AppendInt8(dst, v.ResourceType)
	dst = kbin.AppendCompactString(dst, v.ResourceName)
	dst = kbin.AppendCompactString(dst, v.Name)
	dst = kbin.AppendCompactNullableString(dst, v.Value)
	return appendNoTags(dst)
}

func (v *ConfigRecord) readBody(r *reader, _ int16) {
	v.ResourceType = r.Int8()
	v.ResourceName = r.str()
	v.Name = r.str()
	v.Value = r.nullableStr()
	r.noTags()
}

// FeatureLevelRecord (apiKey 12) sets a finalized feature level; level 0 removes the
// feature. Its version must stay 0: a log or snapshot starts with one, before the
// reader knows the metadata version.
type FeatureLevelRecord struct {
	Name         string `json:"name"`
	FeatureLevel int16  `json:"featureLevel"`
}

// APIKey implements Record.
func (*FeatureLevelRecord) APIKey() int16 { return APIKeyFeatureLevel }

// RecordVersion implements Record.
func (*FeatureLevelRecord) RecordVersion() int16 { return 0 }

func (v *FeatureLevelRecord) appendBody(dst []byte) []byte {
	dst = kbin.AppendCompactString(dst, v.Name)
	dst = kbin.AppendInt16(dst, v.FeatureLevel)
	return appendNoTags(dst)
}

func (v *FeatureLevelRecord) readBody(r *reader, _ int16) {
	v.Name = r.str()
	v.FeatureLevel = r.Int16()
	r.noTags()
}

// ClientQuotaRecord (apiKey 14) sets or removes one quota key of a client-quota entity.
type ClientQuotaRecord struct {
	Entity []QuotaEntityPart `json:"entity"`
	Key    string            `json:"key"`
	Value  float64           `json:"value"`
	Remove bool              `json:"remove"`
}

// APIKey implements Record.
func (*ClientQuotaRecord) APIKey() int16 { return APIKeyClientQuota }

// RecordVersion implements Record.
func (*ClientQuotaRecord) RecordVersion() int16 { return 0 }

func (v *ClientQuotaRecord) appendBody(dst []byte) []byte {
	dst = kbin.AppendCompactArrayLen(dst, len(v.Entity))
	for _, e := range v.Entity {
		dst = kbin.AppendCompactString(dst, e.Type)
		dst = kbin.AppendCompactNullableString(dst, e.Name)
		dst = appendNoTags(dst)
	}
	dst = kbin.AppendCompactString(dst, v.Key)
	dst = kbin.AppendFloat64(dst, v.Value)
	dst = kbin.AppendBool(dst, v.Remove)
	return appendNoTags(dst)
}

func (v *ClientQuotaRecord) readBody(r *reader, _ int16) {
	n := r.arrayLen(false)
	for i := 0; i < n && r.ok(); i++ {
		e := QuotaEntityPart{Type: r.str(), Name: r.nullableStr()}
		r.noTags()
		v.Entity = append(v.Entity, e)
	}
	v.Key = r.str()
	v.Value = r.Float64()
	v.Remove = r.Bool()
	r.noTags()
}

// ProducerIdsRecord (apiKey 15) records the next producer-id block to hand out. Build
// it with NewProducerIdsRecord: BrokerEpoch defaults to -1.
type ProducerIdsRecord struct {
	BrokerID       int32 `json:"brokerId"`
	BrokerEpoch    int64 `json:"brokerEpoch"`
	NextProducerID int64 `json:"nextProducerId"`
}

// NewProducerIdsRecord returns a record with the schema defaults.
func NewProducerIdsRecord() *ProducerIdsRecord { return &ProducerIdsRecord{BrokerEpoch: -1} }

// APIKey implements Record.
func (*ProducerIdsRecord) APIKey() int16 { return APIKeyProducerIds }

// RecordVersion implements Record.
func (*ProducerIdsRecord) RecordVersion() int16 { return 0 }

func (v *ProducerIdsRecord) appendBody(dst []byte) []byte {
	dst = kbin.AppendInt32(dst, v.BrokerID)
	dst = kbin.AppendInt64(dst, v.BrokerEpoch)
	dst = kbin.AppendInt64(dst, v.NextProducerID)
	return appendNoTags(dst)
}

func (v *ProducerIdsRecord) readBody(r *reader, _ int16) {
	v.BrokerID = r.Int32()
	v.BrokerEpoch = r.Int64()
	v.NextProducerID = r.Int64()
	r.noTags()
}

// ZkMigrationStateRecord (apiKey 21, file ZkMigrationRecord.json) marks the KIP-866
// migration state, with the 3.5+ numbering.
type ZkMigrationStateRecord struct {
	ZkMigrationState ZkMigrationState `json:"zkMigrationState"`
}

// APIKey implements Record.
func (*ZkMigrationStateRecord) APIKey() int16 { return APIKeyZkMigrationState }

// RecordVersion implements Record.
func (*ZkMigrationStateRecord) RecordVersion() int16 { return 0 }

func (v *ZkMigrationStateRecord) appendBody(dst []byte) []byte {
	return appendNoTags(kbin.AppendInt8(dst, int8(v.ZkMigrationState)))
}

func (v *ZkMigrationStateRecord) readBody(r *reader, _ int16) {
	v.ZkMigrationState = ZkMigrationState(r.Int8())
	r.noTags()
}

// NoOpRecord (apiKey 20) is written every metadata.max.idle.interval.ms so brokers see
// the log advance and the controller's liveness.
type NoOpRecord struct{}

// APIKey implements Record.
func (*NoOpRecord) APIKey() int16 { return APIKeyNoOp }

// RecordVersion implements Record.
func (*NoOpRecord) RecordVersion() int16 { return 0 }

func (*NoOpRecord) appendBody(dst []byte) []byte { return appendNoTags(dst) }

func (*NoOpRecord) readBody(r *reader, _ int16) { r.noTags() }
