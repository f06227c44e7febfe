package config

import "fmt"

// decoder reads typed values out of the raw key/value pairs, falling back to
// Kafka's defaults from brokerKeys, and keeps the first error so one pass
// can fill the whole struct.
type decoder struct {
	file       string
	raw        map[string]string
	overridden map[string]bool // keys whose value came from --override
	err        error
}

// source is where key's value came from, for the error's File.
func (d *decoder) source(key string) string {
	if d.overridden[key] {
		return overrideSource
	}
	return d.file
}

// fail records an error on key unless an earlier one is already recorded.
func (d *decoder) fail(key, format string, args ...any) {
	if d.err == nil {
		d.err = &KeyError{File: d.source(key), Key: key, Msg: fmt.Sprintf(format, args...)}
	}
}

// isSet reports whether key was given in the file or an override, which is
// how Kafka picks between a key and its fallback (originals.containsKey).
func (d *decoder) isSet(key string) bool {
	_, ok := d.raw[key]
	return ok
}

// value parses key's value or default; ok is false when Kafka's default is
// null and the key is not set, or when the value is invalid (then d.err is set).
func (d *decoder) value(key string) (v any, ok bool) {
	def := brokerKeyIndex[key]
	if def == nil {
		panic("config: no brokerKeys entry for " + key)
	}
	text, set := d.raw[key]
	if !set {
		if def.null {
			return nil, false
		}
		text = def.def
	}
	v, ok = parseValue(def.kind, text)
	if !ok {
		d.fail(key, "%q %s", text, def.kind.typeError(text))
		return nil, false
	}
	if def.rule != nil {
		if msg := def.rule.check(v); msg != "" {
			d.fail(key, "invalid value %q: %s", text, msg)
			return nil, false
		}
	}
	return v, true
}

func (d *decoder) optLong(key string) (int64, bool) {
	v, ok := d.value(key)
	n, _ := v.(int64)
	return n, ok
}

func (d *decoder) long(key string) int64 {
	n, _ := d.optLong(key)
	return n
}

func (d *decoder) optInt(key string) (int32, bool) {
	n, ok := d.optLong(key)
	return int32(n), ok
}

func (d *decoder) int(key string) int32 {
	n, _ := d.optLong(key)
	return int32(n)
}

func (d *decoder) short(key string) int16 {
	n, _ := d.optLong(key)
	return int16(n)
}

func (d *decoder) bool(key string) bool {
	v, _ := d.value(key)
	b, _ := v.(bool)
	return b
}

func (d *decoder) double(key string) float64 {
	v, _ := d.value(key)
	f, _ := v.(float64)
	return f
}

func (d *decoder) optStr(key string) (string, bool) {
	v, ok := d.value(key)
	s, _ := v.(string)
	return s, ok
}

func (d *decoder) str(key string) string {
	s, _ := d.optStr(key)
	return s
}

func (d *decoder) optList(key string) ([]string, bool) {
	v, ok := d.value(key)
	l, _ := v.([]string)
	return l, ok
}

func (d *decoder) list(key string) []string {
	l, _ := d.optList(key)
	return l
}
