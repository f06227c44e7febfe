package kclient

import (
	"fmt"
	"os"
	"strings"

	"github.com/kbridge/kbridge/config"
)

// LoadProperties reads a Java-style properties file, the format of Kafka's
// --command-config, --producer.config and --consumer.config files, with the
// grammar Java's Properties.load has (continuation lines, escapes), so that
// operators can reuse the files they already have, multi-line
// sasl.jaas.config values included.
func LoadProperties(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read client properties: %w", err)
	}
	props, err := config.ParseProperties(string(b))
	if err != nil {
		return nil, fmt.Errorf("read client properties %s: %w", path, err)
	}
	return props, nil
}

// ParseKeyValues turns repeated k=v flag values (--config, --property,
// --producer-property ...) into a map; a later key wins, as with Kafka's tools.
func ParseKeyValues(kvs []string) (map[string]string, error) {
	props := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("invalid property %q: want key=value", kv)
		}
		props[k] = v
	}
	return props, nil
}

// LoadConn builds a command's connection from --bootstrap-server, a client
// properties file (may be empty) and k=v overrides given with overrideFlag
// (--producer-property ...), the overrides winning, which is how Kafka's tools
// layer --producer.config under --producer-property. It records where each
// key was set so that an error about a value names its file or flag.
func LoadConn(bootstrap, file, overrideFlag string, overrides []string) (Conn, error) {
	c := Conn{BootstrapServers: bootstrap, Properties: map[string]string{}, ConfigFile: file}
	if file != "" {
		fromFile, err := LoadProperties(file)
		if err != nil {
			return Conn{}, err
		}
		c.Properties = fromFile
	}
	kv, err := ParseKeyValues(overrides)
	if err != nil {
		return Conn{}, fmt.Errorf("%s: %w", overrideFlag, err)
	}
	for k, v := range kv {
		c.Properties[k] = v
		if c.Overrides == nil {
			c.Overrides = map[string]string{}
		}
		c.Overrides[k] = overrideFlag
	}
	return c, nil
}
