package config

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// rule is a Kafka ConfigDef.Validator. check returns "" for a valid parsed
// value, or Kafka's own explanation ("Value must be at least 1") so topic
// config errors read exactly like Kafka's.
type rule interface {
	check(v any) string
}

// bounds is ConfigDef.Range: a numeric value in [lo, hi].
type bounds struct {
	lo, hi float64
	double bool // print the bounds as Java doubles ("1.0")
}

func atLeast(n float64) bounds      { return bounds{lo: n, hi: math.Inf(1)} }
func between(lo, hi float64) bounds { return bounds{lo: lo, hi: hi} }

func (r bounds) check(v any) string {
	var n float64
	switch v := v.(type) {
	case int64:
		n = float64(v)
	case float64:
		n = v
	default:
		return ""
	}
	if n < r.lo {
		return "Value must be at least " + r.format(r.lo)
	}
	if n > r.hi {
		return "Value must be no more than " + r.format(r.hi)
	}
	return ""
}

func (r bounds) format(f float64) string {
	if r.double {
		return JavaDouble(f)
	}
	return strconv.FormatInt(int64(f), 10)
}

// oneOf is ConfigDef.ValidString, and ValidList when the value is a list.
type oneOf []string

func (r oneOf) check(v any) string {
	items, isList := v.([]string)
	if !isList {
		s, _ := v.(string)
		items = []string{s}
	}
	for _, item := range items {
		if !slices.Contains(r, item) {
			return "String must be one of: " + strings.Join(r, ", ")
		}
	}
	return ""
}

// ruleFunc adapts a function to rule for Kafka's one-off validators.
type ruleFunc func(v any) string

func (f ruleFunc) check(v any) string { return f(v) }

// gzipLevel is Kafka's GZIP level validator: -1 (the zlib default) or 1..9.
var gzipLevel = ruleFunc(func(v any) string {
	if n, _ := v.(int64); n != -1 && (n < 1 || n > 9) {
		return "Value must be -1 or between 1 and 9"
	}
	return ""
})

// throttledReplicaPattern is one "partition:broker" entry of a throttled
// replica list (ThrottledReplicaListValidator).
var throttledReplicaPattern = regexp.MustCompile(`^[0-9]+:[0-9]+$`)

// throttledReplicas accepts "*" alone or a list of partition:broker pairs.
var throttledReplicas = ruleFunc(func(v any) string {
	items, _ := v.([]string)
	if len(items) == 1 && items[0] == "*" {
		return ""
	}
	for _, item := range items {
		if !throttledReplicaPattern.MatchString(item) {
			return "Value must be '*' or a list of partition:brokerId pairs"
		}
	}
	return ""
})

// versionPattern matches a Kafka release or metadata version: 3.9, 3.7-IV2, 0.10.2.
var versionPattern = regexp.MustCompile(`^[0-9]+\.[0-9]+(\.[0-9]+)?(-IV[0-9]+)?$`)

// kafkaVersion accepts release strings as inter.broker.protocol.version and
// message.format.version do.
var kafkaVersion = ruleFunc(func(v any) string {
	if s, _ := v.(string); !versionPattern.MatchString(s) {
		return "Value must be a Kafka version such as 3.9 or 3.7-IV2"
	}
	return ""
})

// securityProtocols are Kafka's SecurityProtocol names.
var securityProtocols = oneOf{"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"}
