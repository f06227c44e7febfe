package kclient

import (
	"log/slog"
	"strconv"

	"github.com/twmb/franz-go/pkg/kgo"
)

// messageFormatter prints records as Kafka's DefaultMessageFormatter does, so
// that scripts written against kafka-console-consumer parse our output too.
type messageFormatter struct {
	printTimestamp, printPartition, printOffset, printEpoch bool
	printHeaders, printKey, printValue                      bool
	keySep, lineSep, headersSep, nullLiteral                string
}

var formatterBools = []string{"print.timestamp", "print.partition", "print.offset", "print.epoch", "print.headers", "print.key", "print.value"}

func newMessageFormatter(props map[string]string) (*messageFormatter, error) {
	f := &messageFormatter{printValue: true, keySep: "\t", lineSep: "\n", headersSep: ",", nullLiteral: "null"}
	dsts := []*bool{&f.printTimestamp, &f.printPartition, &f.printOffset, &f.printEpoch, &f.printHeaders, &f.printKey, &f.printValue}
	known := map[string]bool{}
	for i, key := range formatterBools {
		v, err := propBool(props, key, *dsts[i])
		if err != nil {
			return nil, err
		}
		*dsts[i] = v
		known[key] = true
	}
	for key, dst := range map[string]*string{
		"key.separator": &f.keySep, "line.separator": &f.lineSep,
		"headers.separator": &f.headersSep, "null.literal": &f.nullLiteral,
	} {
		if v, ok := props[key]; ok {
			*dst = v
		}
		known[key] = true
	}
	for k := range props {
		if !known[k] {
			slog.Warn("ignoring unknown formatter property", "key", k)
		}
	}
	return f, nil
}

// format appends one record and the line separator to b. Fields come in
// Kafka's order: timestamp, partition, offset, epoch, headers, key, value.
func (f *messageFormatter) format(b []byte, r *kgo.Record) []byte {
	type field struct {
		on    bool
		write func([]byte) []byte
	}
	fields := [...]field{
		{f.printTimestamp, func(b []byte) []byte {
			switch r.Attrs.TimestampType() {
			case 0:
				return strconv.AppendInt(append(b, "CreateTime:"...), r.Timestamp.UnixMilli(), 10)
			case 1:
				return strconv.AppendInt(append(b, "LogAppendTime:"...), r.Timestamp.UnixMilli(), 10)
			default:
				return append(b, "NO_TIMESTAMP"...)
			}
		}},
		{f.printPartition, func(b []byte) []byte { return strconv.AppendInt(append(b, "Partition:"...), int64(r.Partition), 10) }},
		{f.printOffset, func(b []byte) []byte { return strconv.AppendInt(append(b, "Offset:"...), r.Offset, 10) }},
		{f.printEpoch, func(b []byte) []byte {
			return strconv.AppendInt(append(b, "LeaderEpoch:"...), int64(r.LeaderEpoch), 10)
		}},
		{f.printHeaders, func(b []byte) []byte {
			if len(r.Headers) == 0 {
				return append(b, "NO_HEADERS"...)
			}
			for i, h := range r.Headers {
				if i > 0 {
					b = append(b, f.headersSep...)
				}
				b = f.bytes(append(append(b, h.Key...), ':'), h.Value)
			}
			return b
		}},
		{f.printKey, func(b []byte) []byte { return f.bytes(b, r.Key) }},
		{f.printValue, func(b []byte) []byte { return f.bytes(b, r.Value) }},
	}
	first := true
	for _, fd := range fields {
		if !fd.on {
			continue
		}
		if !first {
			b = append(b, f.keySep...)
		}
		first = false
		b = fd.write(b)
	}
	return append(b, f.lineSep...)
}

// bytes appends v, or null.literal when v is null (not when it is empty).
func (f *messageFormatter) bytes(b, v []byte) []byte {
	if v == nil {
		return append(b, f.nullLiteral...)
	}
	return append(b, v...)
}
