package tlsconf

import (
	"fmt"
	"strings"
)

// Settings are one listener's (or one client's) ssl.* keys, already resolved
// (listener.name.<l>.ssl.X overriding ssl.X is done by the caller).
type Settings struct {
	// Values maps Kafka's key names ("ssl.keystore.location", ...) to their values; absent = Kafka's default.
	Values map[string]string
	// KeyName renders a key as the operator wrote it, for errors (e.g. adds the "listener.name.ssl." prefix when the value came from there); nil = the key itself.
	KeyName func(key string) string
	// Source is the config file the values came from, named in errors.
	Source string
}

// value returns key's value trimmed as Kafka's ConfigDef trims STRING,
// PASSWORD and LIST values, and whether the key is set at all: Kafka tells an
// empty value from an absent one (an empty password is still a password).
func (s Settings) value(key string) (string, bool) {
	v, ok := s.Values[key]
	return javaTrim(v), ok
}

// valueOr returns key's value, or def, Kafka's default, when it is absent.
func (s Settings) valueOr(key, def string) string {
	if v, ok := s.value(key); ok {
		return v
	}
	return def
}

// list returns a LIST key's items the way ConfigDef splits them (commas with
// any whitespace around them); an empty value is an empty list.
func (s Settings) list(key, def string) []string {
	v := s.valueOr(key, def)
	if v == "" {
		return nil
	}
	items := strings.Split(v, ",")
	for i := range items {
		items[i] = javaTrim(items[i])
	}
	return items
}

// name renders key for an error message.
func (s Settings) name(key string) string {
	if s.KeyName == nil {
		return key
	}
	return s.KeyName(key)
}

// errorf returns an error about key's value, naming the file and the key as
// the operator wrote it. %w in format wraps as fmt.Errorf does.
func (s Settings) errorf(key, format string, args ...any) error {
	return &keyError{source: s.Source, key: s.name(key), err: fmt.Errorf(format, args...)}
}

// keyError is every error this package returns about a setting: "file: key:
// what is wrong". It unwraps to the cause, so errors.Is(err, fs.ErrNotExist)
// works for a missing store.
type keyError struct {
	source, key string
	err         error
}

func (e *keyError) Error() string {
	if e.source == "" {
		return e.key + ": " + e.err.Error()
	}
	return e.source + ": " + e.key + ": " + e.err.Error()
}

func (e *keyError) Unwrap() error { return e.err }

// javaTrim is Java's String.trim: it drops every character up to U+0020 at
// both ends, control characters included, which strings.TrimSpace does not.
func javaTrim(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
}
