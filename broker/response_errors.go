package broker

import (
	"reflect"
	"sync"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metrics"
)

// countResponseErrors counts each error code of resp (NONE included) under its API
// key, as Kafka's RequestChannel.sendResponse marks ErrorsPerSec with the response's
// errorCounts: one per partition of a produce; the top-level error and one per
// partition of a fetch; one per topic and partition of a metadata response; one per
// coordinator of a FindCoordinator. Other responses count every ErrorCode field they
// hold, at every level, which is what Kafka's errorCounts of nearly every other
// response does; they are read by reflection, off the produce and fetch paths.
func countResponseErrors(m *metrics.RequestMetrics, key int16, resp kmsg.Response) {
	if !metering {
		return
	}
	switch r := resp.(type) {
	case *kmsg.ProduceResponse:
		for i := range r.Topics {
			for j := range r.Topics[i].Partitions {
				m.CountError(key, r.Topics[i].Partitions[j].ErrorCode)
			}
		}
	case *kmsg.FetchResponse:
		m.CountError(key, r.ErrorCode)
		for i := range r.Topics {
			for j := range r.Topics[i].Partitions {
				m.CountError(key, r.Topics[i].Partitions[j].ErrorCode)
			}
		}
	case *kmsg.MetadataResponse:
		// Its top-level error (v13+) is not among Kafka's errorCounts.
		for i := range r.Topics {
			m.CountError(key, r.Topics[i].ErrorCode)
			for j := range r.Topics[i].Partitions {
				m.CountError(key, r.Topics[i].Partitions[j].ErrorCode)
			}
		}
	case *kmsg.FindCoordinatorResponse:
		if len(r.Coordinators) == 0 { // before v4's batches
			m.CountError(key, r.ErrorCode)
		}
		for i := range r.Coordinators {
			m.CountError(key, r.Coordinators[i].ErrorCode)
		}
	default:
		countErrorFields(m, key, reflect.ValueOf(resp))
	}
}

// errorFields is where a kmsg struct type keeps error codes: its own ErrorCode field
// (-1 without) and the fields holding structs that keep some.
type errorFields struct {
	code   int
	nested []int
}

// errorFieldsByType caches errorFieldsOf: reflect.Type → *errorFields (nil for a type
// holding no error code).
var errorFieldsByType sync.Map

// countErrorFields counts the error codes of v, a kmsg struct, a pointer to one or a
// slice of them.
func countErrorFields(m *metrics.RequestMetrics, key int16, v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			countErrorFields(m, key, v.Elem())
		}
	case reflect.Slice:
		for i := range v.Len() {
			countErrorFields(m, key, v.Index(i))
		}
	case reflect.Struct:
		f := errorFieldsOf(v.Type())
		if f == nil {
			return
		}
		if f.code >= 0 {
			m.CountError(key, int16(v.Field(f.code).Int()))
		}
		for _, i := range f.nested {
			countErrorFields(m, key, v.Field(i))
		}
	}
}

// errorFieldsOf finds where struct type t keeps error codes, once per type.
func errorFieldsOf(t reflect.Type) *errorFields {
	if f, ok := errorFieldsByType.Load(t); ok {
		return f.(*errorFields)
	}
	f := &errorFields{code: -1}
	for i := range t.NumField() {
		field := t.Field(i)
		if field.Name == "ErrorCode" && field.Type.Kind() == reflect.Int16 {
			f.code = i
			continue
		}
		if inner := structInside(field.Type); inner != nil && inner != t && errorFieldsOf(inner) != nil {
			f.nested = append(f.nested, i)
		}
	}
	if f.code < 0 && len(f.nested) == 0 {
		f = nil
	}
	errorFieldsByType.Store(t, f)
	return f
}

// structInside is the struct type a field of type t holds (itself, behind a pointer,
// or as slice elements), nil for any other type.
func structInside(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	return t
}
