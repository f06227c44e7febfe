package znode

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// jsonObject is one JSON object read from a znode. Kafka's Jackson writes most znodes
// from hash maps, so field order means nothing and fields are looked up by name. Like
// Kafka's DecodeJson, a value of the wrong type is an error, never a default: an Int
// field must be an integral JSON number, a String field a JSON string.
type jsonObject map[string]json.RawMessage

// parseJSONObject parses data as a JSON object.
func parseJSONObject(data []byte) (jsonObject, error) {
	var obj jsonObject
	if err := json.Unmarshal(data, &obj); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	if obj == nil {
		return nil, errors.New("not a JSON object: null")
	}
	return obj, nil
}

// lookup returns the raw value of key; ok is false when the key is absent or null,
// which Kafka's optional fields (get(key).flatMap(_.to[Option[T]])) treat alike.
func (o jsonObject) lookup(key string) (json.RawMessage, bool) {
	raw, ok := o[key]
	if !ok || isJSONNull(raw) {
		return nil, false
	}
	return raw, true
}

func isJSONNull(raw json.RawMessage) bool { return bytes.Equal(raw, []byte("null")) }

func (o jsonObject) required(key string) (json.RawMessage, error) {
	raw, ok := o[key]
	switch {
	case !ok:
		return nil, fmt.Errorf("field %q is missing", key)
	case isJSONNull(raw):
		return nil, fmt.Errorf("field %q is null", key)
	}
	return raw, nil
}

// int reads a required integer field that must fit in bits (32 for Kafka's Int, 64
// for Long).
func (o jsonObject) int(key string, bits int) (int64, error) {
	raw, err := o.required(key)
	if err != nil {
		return 0, err
	}
	v, err := jsonInt(raw, bits)
	if err != nil {
		return 0, fmt.Errorf("field %q: %w", key, err)
	}
	return v, nil
}

func (o jsonObject) int32(key string) (int32, error) {
	v, err := o.int(key, 32)
	return int32(v), err
}

// optInt32 reads an optional integer field, def when absent or null.
func (o jsonObject) optInt32(key string, def int32) (int32, error) {
	raw, ok := o.lookup(key)
	if !ok {
		return def, nil
	}
	v, err := jsonInt(raw, 32)
	if err != nil {
		return 0, fmt.Errorf("field %q: %w", key, err)
	}
	return int32(v), nil
}

func (o jsonObject) string(key string) (string, error) {
	raw, err := o.required(key)
	if err != nil {
		return "", err
	}
	s, err := jsonString(raw)
	if err != nil {
		return "", fmt.Errorf("field %q: %w", key, err)
	}
	return s, nil
}

// optString reads an optional string field; ok is false when absent or null.
func (o jsonObject) optString(key string) (s string, ok bool, err error) {
	raw, ok := o.lookup(key)
	if !ok {
		return "", false, nil
	}
	s, err = jsonString(raw)
	if err != nil {
		return "", false, fmt.Errorf("field %q: %w", key, err)
	}
	return s, true, nil
}

// decimalString reads a required field Kafka writes as a string holding a decimal
// Long (the producer-id block's bounds).
func (o jsonObject) decimalString(key string) (int64, error) {
	s, err := o.string(key)
	if err != nil {
		return 0, err
	}
	return parseDecimalField(key, s)
}

// optDecimalString is decimalString for an optional field (timestamps, which Kafka
// writes but never reads back); def when absent or null.
func (o jsonObject) optDecimalString(key string, def int64) (int64, error) {
	s, ok, err := o.optString(key)
	if err != nil || !ok {
		return def, err
	}
	return parseDecimalField(key, s)
}

func parseDecimalField(key, s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("field %q: %q is not a decimal number", key, s)
	}
	return n, nil
}

func (o jsonObject) object(key string) (jsonObject, error) {
	raw, err := o.required(key)
	if err != nil {
		return nil, err
	}
	obj, err := jsonObjectValue(raw)
	if err != nil {
		return nil, fmt.Errorf("field %q: %w", key, err)
	}
	return obj, nil
}

// optObject reads an optional object field; nil when absent or null.
func (o jsonObject) optObject(key string) (jsonObject, error) {
	raw, ok := o.lookup(key)
	if !ok {
		return nil, nil
	}
	obj, err := jsonObjectValue(raw)
	if err != nil {
		return nil, fmt.Errorf("field %q: %w", key, err)
	}
	return obj, nil
}

func (o jsonObject) array(key string) ([]json.RawMessage, error) {
	raw, err := o.required(key)
	if err != nil {
		return nil, err
	}
	arr, err := jsonArray(raw)
	if err != nil {
		return nil, fmt.Errorf("field %q: %w", key, err)
	}
	return arr, nil
}

func (o jsonObject) int32s(key string) ([]int32, error) {
	raw, err := o.required(key)
	if err != nil {
		return nil, err
	}
	v, err := jsonInt32s(raw)
	if err != nil {
		return nil, fmt.Errorf("field %q: %w", key, err)
	}
	return v, nil
}

// version reads "version" and checks it is one of the versions Kafka has written for
// the znode: a layout we do not know must fail loudly rather than be misread.
func (o jsonObject) version(allowed ...int32) (int32, error) {
	v, err := o.int32("version")
	if err != nil {
		return 0, err
	}
	for _, a := range allowed {
		if v == a {
			return v, nil
		}
	}
	return 0, fmt.Errorf("unsupported version %d (want %s)", v, versionList(allowed))
}

func versionList(vs []int32) string {
	var b []byte
	for i, v := range vs {
		if i > 0 {
			b = append(b, " or "...)
		}
		b = strconv.AppendInt(b, int64(v), 10)
	}
	return string(b)
}

// jsonInt parses an integral JSON number that fits in bits, as Jackson's isInt /
// isLong check does: 1.0, 1e3 and strings are not integers.
func jsonInt(raw json.RawMessage, bits int) (int64, error) {
	v, err := strconv.ParseInt(string(raw), 10, bits)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return 0, fmt.Errorf("%s does not fit in %d bits", truncateJSON(raw), bits)
	case err != nil:
		return 0, fmt.Errorf("%s is not an integer", truncateJSON(raw))
	}
	return v, nil
}

func jsonString(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", fmt.Errorf("%s is not a string", truncateJSON(raw))
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("invalid string: %w", err)
	}
	return s, nil
}

func jsonObjectValue(raw json.RawMessage) (jsonObject, error) {
	if len(raw) == 0 || raw[0] != '{' {
		return nil, fmt.Errorf("%s is not an object", truncateJSON(raw))
	}
	var obj jsonObject
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, fmt.Errorf("invalid object: %w", err)
	}
	return obj, nil
}

func jsonArray(raw json.RawMessage) ([]json.RawMessage, error) {
	if len(raw) == 0 || raw[0] != '[' {
		return nil, fmt.Errorf("%s is not an array", truncateJSON(raw))
	}
	var arr []json.RawMessage
	if err := json.Unmarshal(raw, &arr); err != nil {
		return nil, fmt.Errorf("invalid array: %w", err)
	}
	return arr, nil
}

// jsonInt32s reads an array of Ints (broker ids, partition ids). An empty array gives
// nil, the form metadata's records use for "none".
func jsonInt32s(raw json.RawMessage) ([]int32, error) {
	arr, err := jsonArray(raw)
	if err != nil {
		return nil, err
	}
	var out []int32
	for i, e := range arr {
		v, err := jsonInt(e, 32)
		if err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
		out = append(out, int32(v))
	}
	return out, nil
}

// int16Level narrows a feature version read as a JSON Int; Kafka casts it to Short,
// which would silently wrap a value out of range.
func int16Level(v int64, what string) (int16, error) {
	if v < math.MinInt16 || v > math.MaxInt16 {
		return 0, fmt.Errorf("%s %d does not fit in a 16-bit version", what, v)
	}
	return int16(v), nil
}

// truncateJSON shortens a raw value for an error message.
func truncateJSON(raw json.RawMessage) string {
	const max = 40
	if len(raw) > max {
		return string(raw[:max]) + "..."
	}
	return string(raw)
}
