package config

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// kind is a Kafka ConfigDef type: it decides how a string value is parsed
// and how a wrong value is reported.
type kind int

const (
	kindString kind = iota
	kindBool
	kindShort
	kindInt
	kindLong
	kindDouble
	kindList
)

// parseValue parses s as Kafka's ConfigDef.parseType does (values are
// trimmed; booleans are case-insensitive). It returns bool, int64, float64,
// string or []string; ok is false when s is not a value of the kind.
func parseValue(k kind, s string) (v any, ok bool) {
	s = strings.TrimSpace(s)
	switch k {
	case kindBool:
		switch strings.ToLower(s) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
		return nil, false
	case kindShort, kindInt, kindLong:
		n, err := strconv.ParseInt(s, 10, k.bits())
		return n, err == nil
	case kindDouble:
		f, err := strconv.ParseFloat(s, 64)
		return f, err == nil && !math.IsNaN(f)
	case kindList:
		return splitList(s), true
	}
	return s, true
}

// splitList splits a comma-separated list, trimming items and dropping empty
// ones, as Kafka's Csv.parseCsvList does.
func splitList(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// bits is the integer width of a numeric kind.
func (k kind) bits() int {
	switch k {
	case kindShort:
		return 16
	case kindInt:
		return 32
	}
	return 64
}

// typeError is how a server.properties error describes the wrong value s.
func (k kind) typeError(s string) string {
	switch k {
	case kindBool:
		return "is not a boolean (true or false)"
	case kindShort, kindInt, kindLong:
		_, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err == nil || errors.Is(err, strconv.ErrRange) {
			return "is out of range for " + k.integerName()
		}
		return "is not an integer"
	case kindDouble:
		return "is not a number"
	}
	return "is not valid"
}

// integerName names an integer kind in Kafka's Java terms.
func (k kind) integerName() string {
	switch k {
	case kindShort:
		return "a short (16 bits)"
	case kindInt:
		return "an int (32 bits)"
	}
	return "a long (64 bits)"
}

// kafkaTypeError is Kafka's ConfigException text for a wrong value, which
// clients see in CreateTopics and AlterConfigs responses.
func (k kind) kafkaTypeError() string {
	switch k {
	case kindBool:
		return "Expected value to be either true or false"
	case kindShort:
		return "Not a number of type SHORT"
	case kindInt:
		return "Not a number of type INT"
	case kindLong:
		return "Not a number of type LONG"
	case kindDouble:
		return "Not a number of type DOUBLE"
	}
	return "Invalid value"
}

// JavaDouble is Java's Double.toString, in which Kafka prints DOUBLE configs
// and quota values: plain decimal with at least one fraction digit in
// [1e-3, 1e7) ("1024.0", "0.5"), computerized scientific notation otherwise
// ("1.0E7", "2.5E-4").
func JavaDouble(f float64) string {
	switch abs := math.Abs(f); {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case abs == 0 || abs >= 1e-3 && abs < 1e7:
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	mantissa, exp, _ := strings.Cut(strconv.FormatFloat(f, 'E', -1, 64), "E")
	if !strings.Contains(mantissa, ".") {
		mantissa += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mantissa + "E" + strconv.Itoa(e)
}
