package metadata

import (
	"fmt"
	"sort"

	"github.com/twmb/franz-go/pkg/kbin"
)

// reader decodes Kafka's flexible encoding on top of kbin.Reader, adding the checks
// kbin leaves to callers (null in a non-nullable field, impossible lengths), so a
// decoder can run on arbitrary bytes and fail with an error instead of panicking.
type reader struct {
	kbin.Reader
	err error
}

func newReader(b []byte) *reader { return &reader{Reader: kbin.Reader{Src: b}} }

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf(format, args...)
	}
	r.Src = nil
}

func (r *reader) ok() bool { return r.err == nil && r.Ok() }

// done reports the first problem met, or trailing bytes, which Kafka's
// AbstractApiMessageSerde rejects as garbage.
func (r *reader) done() error {
	if r.err != nil {
		return r.err
	}
	if err := r.Complete(); err != nil {
		return err
	}
	if len(r.Src) > 0 {
		return fmt.Errorf("%d byte(s) of garbage after the message", len(r.Src))
	}
	return nil
}

// arrayLen reads a compact array length; -1 means null, allowed only when nullable.
// Readers return nil for an empty non-nullable array so decoded records compare equal
// to ones built in Go.
func (r *reader) arrayLen(nullable bool) int {
	n := int64(r.Uvarint()) - 1
	if !r.ok() {
		return 0
	}
	switch {
	case n < 0 && nullable:
		return -1
	case n < 0:
		r.fail("non-nullable array is null")
		return 0
	case n > int64(len(r.Src)):
		// Every element takes at least one byte.
		r.fail("array length %d exceeds the %d bytes left", n, len(r.Src))
		return 0
	}
	return int(n)
}

func (r *reader) str() string {
	n := int64(r.Uvarint()) - 1
	if !r.ok() {
		return ""
	}
	if n < 0 {
		r.fail("non-nullable string is null")
		return ""
	}
	return string(r.Span(int(n)))
}

func (r *reader) nullableStr() *string {
	n := int64(r.Uvarint()) - 1
	if !r.ok() || n < 0 {
		return nil
	}
	s := string(r.Span(int(n)))
	return &s
}

func (r *reader) bytes() []byte {
	n := int64(r.Uvarint()) - 1
	if !r.ok() {
		return nil
	}
	if n < 0 {
		r.fail("non-nullable bytes are null")
		return nil
	}
	return append([]byte{}, r.Span(int(n))...)
}

func (r *reader) uuid() Uuid { return Uuid(r.Uuid()) }

func (r *reader) int32s(nullable bool) []int32 {
	n := r.arrayLen(nullable)
	if n < 0 || !r.ok() || (n == 0 && !nullable) {
		return nil
	}
	out := make([]int32, 0, n)
	for i := 0; i < n && r.ok(); i++ {
		out = append(out, r.Int32())
	}
	return out
}

func (r *reader) uuids(nullable bool) []Uuid {
	n := r.arrayLen(nullable)
	if n < 0 || !r.ok() || (n == 0 && !nullable) {
		return nil
	}
	out := make([]Uuid, 0, n)
	for i := 0; i < n && r.ok(); i++ {
		out = append(out, r.uuid())
	}
	return out
}

func (r *reader) strs() []string {
	n := r.arrayLen(false)
	var out []string
	for i := 0; i < n && r.ok(); i++ {
		out = append(out, r.str())
	}
	return out
}

// tags reads a tagged-field section. fn decodes a known tag from sub, which holds
// exactly that field's bytes, and returns false for a tag it does not know; unknown
// tags are skipped, as Kafka keeps them only to re-serialize.
func (r *reader) tags(fn func(tag uint32, sub *reader) bool) {
	n := r.Uvarint()
	for i := uint32(0); i < n && r.ok(); i++ {
		tag := r.Uvarint()
		size := r.Uvarint()
		body := r.Span(int(size))
		if !r.ok() {
			return
		}
		sub := newReader(body)
		if !fn(tag, sub) {
			continue
		}
		if err := sub.done(); err != nil {
			r.fail("tagged field %d: %w", tag, err)
		}
	}
}

// noTags reads a tagged-field section of a struct that defines no tags.
func (r *reader) noTags() { r.tags(func(uint32, *reader) bool { return false }) }

// taggedField is one tagged field ready to write.
type taggedField struct {
	tag uint32
	val []byte
}

// appendTags writes a tagged-field section: count, then (tag, size, value) by tag order.
func appendTags(dst []byte, fields []taggedField) []byte {
	sort.Slice(fields, func(i, j int) bool { return fields[i].tag < fields[j].tag })
	dst = kbin.AppendUvarint(dst, uint32(len(fields)))
	for _, f := range fields {
		dst = kbin.AppendUvarint(dst, f.tag)
		dst = kbin.AppendUvarint(dst, uint32(len(f.val)))
		dst = append(dst, f.val...)
	}
	return dst
}

func appendNoTags(dst []byte) []byte { return append(dst, 0) }

func appendInt32s(dst []byte, v []int32) []byte {
	dst = kbin.AppendCompactArrayLen(dst, len(v))
	for _, x := range v {
		dst = kbin.AppendInt32(dst, x)
	}
	return dst
}

func appendNullableInt32s(dst []byte, v []int32) []byte {
	dst = kbin.AppendCompactNullableArrayLen(dst, len(v), v == nil)
	for _, x := range v {
		dst = kbin.AppendInt32(dst, x)
	}
	return dst
}

func appendUuids(dst []byte, v []Uuid) []byte {
	dst = kbin.AppendCompactArrayLen(dst, len(v))
	for _, x := range v {
		dst = kbin.AppendUuid(dst, x)
	}
	return dst
}

func appendNullableUuids(dst []byte, v []Uuid) []byte {
	dst = kbin.AppendCompactNullableArrayLen(dst, len(v), v == nil)
	for _, x := range v {
		dst = kbin.AppendUuid(dst, x)
	}
	return dst
}

func appendStrs(dst []byte, v []string) []byte {
	dst = kbin.AppendCompactArrayLen(dst, len(v))
	for _, s := range v {
		dst = kbin.AppendCompactString(dst, s)
	}
	return dst
}
