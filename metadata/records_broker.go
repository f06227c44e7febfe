package metadata

import "github.com/twmb/franz-go/pkg/kbin"

// RegisterBrokerRecord (apiKey 0, v0-3) registers or re-registers a broker. Build it
// with NewRegisterBrokerRecord: Kafka's defaults (Fenced true, version 3) are not Go's.
type RegisterBrokerRecord struct {
	// Version is the schema version to write: v1 adds InControlledShutdown, v2
	// IsMigratingZkBroker, v3 LogDirs. Fields newer than Version are not written.
	Version              int16          `json:"-"`
	BrokerID             int32          `json:"brokerId"`
	IsMigratingZkBroker  bool           `json:"isMigratingZkBroker"`
	IncarnationID        Uuid           `json:"incarnationId"`
	BrokerEpoch          int64          `json:"brokerEpoch"`
	EndPoints            []Endpoint     `json:"endPoints"`
	Features             []FeatureRange `json:"features"`
	Rack                 *string        `json:"rack"`
	Fenced               bool           `json:"fenced"`
	InControlledShutdown bool           `json:"inControlledShutdown"`
	LogDirs              []Uuid         `json:"logDirs"`
}

// NewRegisterBrokerRecord returns a record with the schema defaults at the version the
// controller writes at MetadataVersionLatest.
func NewRegisterBrokerRecord() *RegisterBrokerRecord {
	return &RegisterBrokerRecord{Version: 3, Fenced: true}
}

// APIKey implements Record.
func (*RegisterBrokerRecord) APIKey() int16 { return APIKeyRegisterBroker }

// RecordVersion implements Record.
func (v *RegisterBrokerRecord) RecordVersion() int16 { return v.Version }

func (v *RegisterBrokerRecord) appendBody(dst []byte) []byte {
	dst = kbin.AppendInt32(dst, v.BrokerID)
	if v.Version >= 2 {
		dst = kbin.AppendBool(dst, v.IsMigratingZkBroker)
	}
	dst = kbin.AppendUuid(dst, v.IncarnationID)
	dst = kbin.AppendInt64(dst, v.BrokerEpoch)
	dst = appendEndpoints(dst, v.EndPoints)
	dst = appendFeatures(dst, v.Features)
	dst = kbin.AppendCompactNullableString(dst, v.Rack)
	dst = kbin.AppendBool(dst, v.Fenced)
	if v.Version >= 1 {
		dst = kbin.AppendBool(dst, v.InControlledShutdown)
	}
	var tags []taggedField
	if v.Version >= 3 && len(v.LogDirs) > 0 {
		tags = append(tags, taggedField{0, appendUuids(nil, v.LogDirs)})
	}
	return appendTags(dst, tags)
}

func (v *RegisterBrokerRecord) readBody(r *reader, version int16) {
	v.Version = version
	v.BrokerID = r.Int32()
	if version >= 2 {
		v.IsMigratingZkBroker = r.Bool()
	}
	v.IncarnationID = r.uuid()
	v.BrokerEpoch = r.Int64()
	v.EndPoints = readEndpoints(r)
	v.Features = readFeatures(r)
	v.Rack = r.nullableStr()
	v.Fenced = r.Bool()
	if version >= 1 {
		v.InControlledShutdown = r.Bool()
	}
	r.tags(func(tag uint32, sub *reader) bool {
		if tag == 0 && version >= 3 {
			v.LogDirs = sub.uuids(false)
			return true
		}
		return false
	})
}

// appendEndpoints writes BrokerEndpoint/ControllerEndpoint entries (each a flexible struct).
func appendEndpoints(dst []byte, eps []Endpoint) []byte {
	dst = kbin.AppendCompactArrayLen(dst, len(eps))
	for _, e := range eps {
		dst = kbin.AppendCompactString(dst, e.Name)
		dst = kbin.AppendCompactString(dst, e.Host)
		dst = kbin.AppendUint16(dst, e.Port)
		dst = kbin.AppendInt16(dst, e.SecurityProtocol)
		dst = appendNoTags(dst)
	}
	return dst
}

func readEndpoints(r *reader) []Endpoint {
	n := r.arrayLen(false)
	var out []Endpoint
	for i := 0; i < n && r.ok(); i++ {
		e := Endpoint{Name: r.str(), Host: r.str(), Port: r.Uint16(), SecurityProtocol: r.Int16()}
		r.noTags()
		out = append(out, e)
	}
	return out
}

// appendFeatures writes BrokerFeature/ControllerFeature entries.
func appendFeatures(dst []byte, fs []FeatureRange) []byte {
	dst = kbin.AppendCompactArrayLen(dst, len(fs))
	for _, f := range fs {
		dst = kbin.AppendCompactString(dst, f.Name)
		dst = kbin.AppendInt16(dst, f.MinVersion)
		dst = kbin.AppendInt16(dst, f.MaxVersion)
		dst = appendNoTags(dst)
	}
	return dst
}

func readFeatures(r *reader) []FeatureRange {
	n := r.arrayLen(false)
	var out []FeatureRange
	for i := 0; i < n && r.ok(); i++ {
		f := FeatureRange{Name: r.str(), MinVersion: r.Int16(), MaxVersion: r.Int16()}
		r.noTags()
		out = append(out, f)
	}
	return out
}

// UnregisterBrokerRecord (apiKey 1) removes a broker registration.
type UnregisterBrokerRecord struct {
	BrokerID    int32 `json:"brokerId"`
	BrokerEpoch int64 `json:"brokerEpoch"`
}

// APIKey implements Record.
func (*UnregisterBrokerRecord) APIKey() int16 { return APIKeyUnregisterBroker }

// RecordVersion implements Record.
func (*UnregisterBrokerRecord) RecordVersion() int16 { return 0 }

func (v *UnregisterBrokerRecord) appendBody(dst []byte) []byte {
	dst = kbin.AppendInt32(dst, v.BrokerID)
	dst = kbin.AppendInt64(dst, v.BrokerEpoch)
	return appendNoTags(dst)
}

func (v *UnregisterBrokerRecord) readBody(r *reader, _ int16) {
	v.BrokerID = r.Int32()
	v.BrokerEpoch = r.Int64()
	r.noTags()
}

// FenceBrokerRecord (apiKey 7) fences a broker; metadata versions from 3.3-IV2 write
// BrokerRegistrationChangeRecord instead, but logs may still hold it.
type FenceBrokerRecord struct {
	ID    int32 `json:"id"`
	Epoch int64 `json:"epoch"`
}

// APIKey implements Record.
func (*FenceBrokerRecord) APIKey() int16 { return APIKeyFenceBroker }

// RecordVersion implements Record.
func (*FenceBrokerRecord) RecordVersion() int16 { return 0 }

func (v *FenceBrokerRecord) appendBody(dst []byte) []byte {
	dst = kbin.AppendInt32(dst, v.ID)
	dst = kbin.AppendInt64(dst, v.Epoch)
	return appendNoTags(dst)
}

func (v *FenceBrokerRecord) readBody(r *reader, _ int16) {
	v.ID = r.Int32()
	v.Epoch = r.Int64()
	r.noTags()
}

// UnfenceBrokerRecord (apiKey 8) unfences a broker (legacy, like FenceBrokerRecord).
type UnfenceBrokerRecord struct {
	ID    int32 `json:"id"`
	Epoch int64 `json:"epoch"`
}

// APIKey implements Record.
func (*UnfenceBrokerRecord) APIKey() int16 { return APIKeyUnfenceBroker }

// RecordVersion implements Record.
func (*UnfenceBrokerRecord) RecordVersion() int16 { return 0 }

func (v *UnfenceBrokerRecord) appendBody(dst []byte) []byte {
	dst = kbin.AppendInt32(dst, v.ID)
	dst = kbin.AppendInt64(dst, v.Epoch)
	return appendNoTags(dst)
}

func (v *UnfenceBrokerRecord) readBody(r *reader, _ int16) {
	v.ID = r.Int32()
	v.Epoch = r.Int64()
	r.noTags()
}

// BrokerRegistrationChange values of Fenced and InControlledShutdown.
const (
	BrokerFencingUnfence           int8 = -1
	BrokerFencingNone              int8 = 0
	BrokerFencingFence             int8 = 1
	BrokerControlledShutdownNone   int8 = 0
	BrokerControlledShutdownActive int8 = 1
)

// BrokerRegistrationChangeRecord (apiKey 17, v0-2) changes a broker's fencing,
// controlled-shutdown state or log dirs; only non-default fields are written.
type BrokerRegistrationChangeRecord struct {
	// Version is the schema version to write: v1 adds InControlledShutdown, v2 LogDirs.
	Version     int16 `json:"-"`
	BrokerID    int32 `json:"brokerId"`
	BrokerEpoch int64 `json:"brokerEpoch"`
	// Fenced is BrokerFencingUnfence, BrokerFencingNone or BrokerFencingFence.
	Fenced int8 `json:"fenced"`
	// InControlledShutdown is BrokerControlledShutdownNone or ...Active.
	InControlledShutdown int8 `json:"inControlledShutdown"`
	// LogDirs empty means unchanged.
	LogDirs []Uuid `json:"logDirs"`
}

// NewBrokerRegistrationChangeRecord returns a record at the version the controller
// writes at MetadataVersionLatest.
func NewBrokerRegistrationChangeRecord() *BrokerRegistrationChangeRecord {
	return &BrokerRegistrationChangeRecord{Version: 2}
}

// APIKey implements Record.
func (*BrokerRegistrationChangeRecord) APIKey() int16 { return APIKeyBrokerRegistrationChange }

// RecordVersion implements Record.
func (v *BrokerRegistrationChangeRecord) RecordVersion() int16 { return v.Version }

func (v *BrokerRegistrationChangeRecord) appendBody(dst []byte) []byte {
	dst = kbin.AppendInt32(dst, v.BrokerID)
	dst = kbin.AppendInt64(dst, v.BrokerEpoch)
	var tags []taggedField
	if v.Fenced != 0 {
		tags = append(tags, taggedField{0, kbin.AppendInt8(nil, v.Fenced)})
	}
	if v.Version >= 1 && v.InControlledShutdown != 0 {
		tags = append(tags, taggedField{1, kbin.AppendInt8(nil, v.InControlledShutdown)})
	}
	if v.Version >= 2 && len(v.LogDirs) > 0 {
		tags = append(tags, taggedField{2, appendUuids(nil, v.LogDirs)})
	}
	return appendTags(dst, tags)
}

func (v *BrokerRegistrationChangeRecord) readBody(r *reader, version int16) {
	v.Version = version
	v.BrokerID = r.Int32()
	v.BrokerEpoch = r.Int64()
	r.tags(func(tag uint32, sub *reader) bool {
		switch {
		case tag == 0:
			v.Fenced = sub.Int8()
		case tag == 1 && version >= 1:
			v.InControlledShutdown = sub.Int8()
		case tag == 2 && version >= 2:
			v.LogDirs = sub.uuids(false)
		default:
			return false
		}
		return true
	})
}

// RegisterControllerRecord (apiKey 27, KIP-919) registers a controller.
type RegisterControllerRecord struct {
	ControllerID     int32          `json:"controllerId"`
	IncarnationID    Uuid           `json:"incarnationId"`
	ZkMigrationReady bool           `json:"zkMigrationReady"`
	EndPoints        []Endpoint     `json:"endPoints"`
	Features         []FeatureRange `json:"features"`
}

// APIKey implements Record.
func (*RegisterControllerRecord) APIKey() int16 { return APIKeyRegisterController }

// RecordVersion implements Record.
func (*RegisterControllerRecord) RecordVersion() int16 { return 0 }

func (v *RegisterControllerRecord) appendBody(dst []byte) []byte {
	dst = kbin.AppendInt32(dst, v.ControllerID)
	dst = kbin.AppendUuid(dst, v.IncarnationID)
	dst = kbin.AppendBool(dst, v.ZkMigrationReady)
	dst = appendEndpoints(dst, v.EndPoints)
	dst = appendFeatures(dst, v.Features)
	return appendNoTags(dst)
}

func (v *RegisterControllerRecord) readBody(r *reader, _ int16) {
	v.ControllerID = r.Int32()
	v.IncarnationID = r.uuid()
	v.ZkMigrationReady = r.Bool()
	v.EndPoints = readEndpoints(r)
	v.Features = readFeatures(r)
	r.noTags()
}
