package znode

import "strconv"

// jsonWriter builds one JSON object the way Kafka's Jackson writes znodes: no
// whitespace, fields in the order they are added, and strings escaped as Jackson
// escapes them (encoding/json would also escape <, > and &, so "<default>" in a config
// change notification would not be byte-equal to Kafka's).
//
// The encoders add fields in the order docs/kafka-compatibility.md shows. That is Kafka's own
// order wherever Kafka builds the JSON from a small Scala map, which keeps insertion
// order (/cluster/id, /controller, configs and their change notifications, the
// producer-id block, the admin lists, ACLs up to 3.6); where Kafka uses a hash map
// (broker, topic, partition state, /feature, /migration) its order follows Java string
// hashes and means nothing, so the reference's reading order is used.
type jsonWriter struct{ buf []byte }

func newJSONWriter() *jsonWriter { return &jsonWriter{buf: []byte{'{'}} }

func (w *jsonWriter) key(k string) {
	if len(w.buf) > 1 {
		w.buf = append(w.buf, ',')
	}
	w.buf = appendJSONString(w.buf, k)
	w.buf = append(w.buf, ':')
}

func (w *jsonWriter) int(k string, v int64) *jsonWriter {
	w.key(k)
	w.buf = strconv.AppendInt(w.buf, v, 10)
	return w
}

func (w *jsonWriter) string(k, v string) *jsonWriter {
	w.key(k)
	w.buf = appendJSONString(w.buf, v)
	return w
}

func (w *jsonWriter) null(k string) *jsonWriter {
	w.key(k)
	w.buf = append(w.buf, "null"...)
	return w
}

// raw adds a value that is already JSON (a nested object or an array).
func (w *jsonWriter) raw(k string, v []byte) *jsonWriter {
	w.key(k)
	w.buf = append(w.buf, v...)
	return w
}

func (w *jsonWriter) bytes() []byte { return append(w.buf, '}') }

func appendJSONInt32s(dst []byte, vs []int32) []byte {
	dst = append(dst, '[')
	for i, v := range vs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendInt(dst, int64(v), 10)
	}
	return append(dst, ']')
}

func appendJSONStrings(dst []byte, vs []string) []byte {
	dst = append(dst, '[')
	for i, v := range vs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, v)
	}
	return append(dst, ']')
}

// appendJSONString quotes s as Jackson's default escaping does: '"' and '\\', the short
// forms \b \t \n \f \r, \u00XX with upper-case hex for the other control characters,
// and every other character (including non-ASCII and '/') as itself.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\b':
			dst = append(dst, '\\', 'b')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\f':
			dst = append(dst, '\\', 'f')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}
