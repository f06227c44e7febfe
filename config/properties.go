package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
)

// javaProperties is a viper codec for the Java .properties format. Viper
// dropped that format from its core in v1.20, and Kafka reads
// server.properties with java.util.Properties.load, so this follows that
// grammar: '#'/'!' comments, '=' ':' or whitespace separators, backslash line
// continuations and escapes. Keys stay flat (no nesting on dots).
type javaProperties struct{}

// property is one key=value pair in file order.
type property struct {
	key, value string
}

// Decode implements viper.Decoder.
func (javaProperties) Decode(b []byte, v map[string]any) error {
	props, err := parseProperties(string(b))
	if err != nil {
		return err
	}
	for _, p := range props {
		v[p.key] = p.value
	}
	return nil
}

// Encode implements viper.Encoder, writing keys in sorted order with the
// escaping of java.util.Properties.store.
func (javaProperties) Encode(v map[string]any) ([]byte, error) {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(escapeProperty(k, true))
		b.WriteByte('=')
		b.WriteString(escapeProperty(fmt.Sprint(v[k]), false))
		b.WriteByte('\n')
	}
	return []byte(b.String()), nil
}

// ParseProperties reads text in the Java .properties format, as Kafka's tools
// read their --command-config, --producer.config and --consumer.config files
// (Utils.loadProps), so a client's file is read by the same grammar as
// server.properties: continuation lines (a multi-line sasl.jaas.config),
// escapes and every separator. A key given twice keeps its last value.
func ParseProperties(text string) (map[string]string, error) {
	props, err := parseProperties(text)
	if err != nil {
		return nil, err
	}
	kv := make(map[string]string, len(props))
	for _, p := range props {
		kv[p.key] = p.value
	}
	return kv, nil
}

// parseProperties splits text into logical lines and key/value pairs.
func parseProperties(text string) ([]property, error) {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	lines := strings.Split(strings.ReplaceAll(text, "\r", "\n"), "\n")
	var props []property
	for i := 0; i < len(lines); {
		lineNo := i + 1
		line := trimPropertySpace(lines[i])
		i++
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		for endsInContinuation(line) {
			line = line[:len(line)-1]
			if i >= len(lines) {
				break
			}
			line += trimPropertySpace(lines[i])
			i++
		}
		rawKey, rawValue := splitProperty(line)
		key, err := unescapeProperty(rawKey)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", lineNo, err)
		}
		value, err := unescapeProperty(rawValue)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", lineNo, err)
		}
		props = append(props, property{key: key, value: value})
	}
	return props, nil
}

func isPropertySpace(c byte) bool { return c == ' ' || c == '\t' || c == '\f' }

func trimPropertySpace(s string) string {
	return strings.TrimLeft(s, " \t\f")
}

// endsInContinuation reports an odd number of trailing backslashes: an even
// number is escaped backslashes, not a continuation.
func endsInContinuation(s string) bool {
	n := 0
	for i := len(s) - 1; i >= 0 && s[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// splitProperty finds the key's end at the first unescaped '=', ':' or
// whitespace, then skips whitespace and at most one '=' or ':', as
// Properties.load0 does.
func splitProperty(line string) (key, value string) {
	keyEnd, valueStart, hasSep := len(line), len(line), false
	escaped := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		if !escaped && (c == '=' || c == ':') {
			keyEnd, valueStart, hasSep = i, i+1, true
			break
		}
		if !escaped && isPropertySpace(c) {
			keyEnd, valueStart = i, i+1
			break
		}
		escaped = c == '\\' && !escaped
	}
	for valueStart < len(line) {
		c := line[valueStart]
		if !isPropertySpace(c) {
			if hasSep || (c != '=' && c != ':') {
				break
			}
			hasSep = true
		}
		valueStart++
	}
	return line[:keyEnd], line[valueStart:]
}

// unescapeProperty resolves \t \n \r \f, \uXXXX (joining UTF-16 surrogate
// pairs) and drops the backslash before any other character.
func unescapeProperty(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var units []uint16
	var b strings.Builder
	flush := func() {
		b.WriteString(string(utf16.Decode(units)))
		units = units[:0]
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			flush()
			b.WriteByte(c)
			continue
		}
		i++
		switch c = s[i]; c {
		case 'u':
			if i+5 > len(s) {
				return "", fmt.Errorf("malformed \\uxxxx encoding in %q", s)
			}
			n, err := strconv.ParseUint(s[i+1:i+5], 16, 16)
			if err != nil {
				return "", fmt.Errorf("malformed \\uxxxx encoding in %q", s)
			}
			units = append(units, uint16(n))
			i += 4
			continue
		case 't':
			c = '\t'
		case 'n':
			c = '\n'
		case 'r':
			c = '\r'
		case 'f':
			c = '\f'
		}
		flush()
		b.WriteByte(c)
	}
	flush()
	return b.String(), nil
}

// escapeProperty is Properties.saveConvert with escUnicode: keys escape every
// space, values only a leading one.
func escapeProperty(s string, isKey bool) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == ' ' && (isKey || i == 0):
			b.WriteString(`\ `)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\f':
			b.WriteString(`\f`)
		case r == '=' || r == ':' || r == '#' || r == '!':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r > 0x7e:
			for _, u := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&b, `\u%04X`, u)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
