package config

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/viper"
)

// Load reads the server.properties at path, applies --override key=value
// strings (later ones win) and returns the validated config, as
// kafka-server-start.sh does with its --override flags.
func Load(path string, overrides []string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open config: %w", err)
	}
	defer f.Close()
	return Parse(path, f, overrides)
}

// Parse is Load for a file that is not on disk (an embedded default, a
// test); name stands for the file in errors.
func Parse(name string, r io.Reader, overrides []string) (*Config, error) {
	raw, overridden, err := readProperties(name, r, overrides)
	if err != nil {
		return nil, err
	}
	d := &decoder{file: name, raw: raw, overridden: overridden}
	c, err := decode(d)
	if err != nil {
		return nil, err
	}
	if err := refuseUnsupported(d, c); err != nil {
		return nil, err
	}
	if err := validate(d, c); err != nil {
		return nil, err
	}
	c.UnknownKeys = unknownKeys(raw)
	c.IgnoredKeys = ignoredKeys(raw)
	return c, nil
}

// readProperties reads the file through viper and layers the overrides on
// top. The "::" key delimiter keeps Kafka's dotted keys flat instead of
// nesting them.
func readProperties(name string, r io.Reader, overrides []string) (raw map[string]string, overridden map[string]bool, err error) {
	codecs := viper.NewCodecRegistry()
	if err := codecs.RegisterCodec("properties", javaProperties{}); err != nil {
		return nil, nil, fmt.Errorf("register properties codec: %w", err)
	}
	v := viper.NewWithOptions(viper.KeyDelimiter("::"), viper.WithCodecRegistry(codecs))
	v.SetConfigType("properties")
	if err := v.ReadConfig(r); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	overridden = map[string]bool{}
	for _, o := range overrides {
		key, value, ok := strings.Cut(o, "=")
		key = strings.ToLower(strings.TrimSpace(key))
		if !ok || key == "" {
			return nil, nil, &KeyError{File: overrideSource, Key: o, Msg: "expected key=value"}
		}
		v.Set(key, value)
		overridden[key] = true
	}
	raw = map[string]string{}
	for _, key := range v.AllKeys() {
		raw[key] = v.GetString(key)
	}
	return raw, overridden, nil
}

// unknownKeys lists, sorted, the keys Kafka 3.9 would not recognise.
func unknownKeys(raw map[string]string) []string {
	return sortedKeys(raw, func(key string) bool { return !isKafkaKey(key) })
}

// ignoredKeys lists, sorted, the Kafka keys kbridge accepts without acting on
// them. Parse has refused the others already, so these have no effect on
// security or durability.
func ignoredKeys(raw map[string]string) []string {
	return sortedKeys(raw, func(key string) bool {
		return brokerKeyIndex[key] == nil && !isTLSKey(key) && !isSASLKey(key) && isKafkaKey(key)
	})
}

func sortedKeys(raw map[string]string, keep func(key string) bool) []string {
	var out []string
	for key := range raw {
		if keep(key) {
			out = append(out, key)
		}
	}
	slices.Sort(out)
	return out
}
