package metadata

import "github.com/twmb/franz-go/pkg/kbin"

// BeginTransactionRecord (apiKey 23, MV >= 3.6-IV1) opens a metadata transaction: the
// records up to the matching End or Abort take effect together or not at all. The
// migration copy spans many batches, which is why it needs one.
type BeginTransactionRecord struct {
	// Name is an optional description (tagged, default null).
	Name *string `json:"name"`
}

// APIKey implements Record.
func (*BeginTransactionRecord) APIKey() int16 { return APIKeyBeginTransaction }

// RecordVersion implements Record.
func (*BeginTransactionRecord) RecordVersion() int16 { return 0 }

func (v *BeginTransactionRecord) appendBody(dst []byte) []byte {
	return appendOptionalString(dst, v.Name)
}

func (v *BeginTransactionRecord) readBody(r *reader, _ int16) {
	v.Name = readOptionalString(r)
}

// EndTransactionRecord (apiKey 24) commits the open metadata transaction.
type EndTransactionRecord struct{}

// APIKey implements Record.
func (*EndTransactionRecord) APIKey() int16 { return APIKeyEndTransaction }

// RecordVersion implements Record.
func (*EndTransactionRecord) RecordVersion() int16 { return 0 }

func (*EndTransactionRecord) appendBody(dst []byte) []byte { return appendNoTags(dst) }

func (*EndTransactionRecord) readBody(r *reader, _ int16) { r.noTags() }

// AbortTransactionRecord (apiKey 25) drops the open metadata transaction; a controller
// that takes over with a transaction open writes one.
type AbortTransactionRecord struct {
	// Reason is an optional description (tagged, default null).
	Reason *string `json:"reason"`
}

// APIKey implements Record.
func (*AbortTransactionRecord) APIKey() int16 { return APIKeyAbortTransaction }

// RecordVersion implements Record.
func (*AbortTransactionRecord) RecordVersion() int16 { return 0 }

func (v *AbortTransactionRecord) appendBody(dst []byte) []byte {
	return appendOptionalString(dst, v.Reason)
}

func (v *AbortTransactionRecord) readBody(r *reader, _ int16) {
	v.Reason = readOptionalString(r)
}

// appendOptionalString writes a body whose only field is a nullable string at tag 0.
func appendOptionalString(dst []byte, s *string) []byte {
	var tags []taggedField
	if s != nil {
		tags = append(tags, taggedField{0, kbin.AppendCompactNullableString(nil, s)})
	}
	return appendTags(dst, tags)
}

func readOptionalString(r *reader) *string {
	var s *string
	r.tags(func(tag uint32, sub *reader) bool {
		if tag != 0 {
			return false
		}
		s = sub.nullableStr()
		return true
	})
	return s
}
