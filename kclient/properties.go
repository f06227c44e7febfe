package kclient

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// LoadProperties reads a Java-style properties file, the format of Kafka's
// --command-config, --producer.config and --consumer.config files, so that
// operators can reuse the files they already have.
func LoadProperties(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read client properties: %w", err)
	}
	defer f.Close()
	props := make(map[string]string)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		i := strings.IndexAny(line, "=:")
		if i < 0 {
			return nil, fmt.Errorf("read client properties %s:%d: no '=' in %q", path, n, line)
		}
		props[strings.TrimSpace(line[:i])] = strings.TrimSpace(line[i+1:])
	}
	if err := sc.Err(); err != nil {
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

// ClientProperties merges a properties file (may be empty) with k=v overrides,
// the overrides winning, which is how Kafka's tools layer --producer.config
// under --producer-property.
func ClientProperties(file string, overrides []string) (map[string]string, error) {
	props := make(map[string]string)
	if file != "" {
		fromFile, err := LoadProperties(file)
		if err != nil {
			return nil, err
		}
		for k, v := range fromFile {
			props[k] = v
		}
	}
	kv, err := ParseKeyValues(overrides)
	if err != nil {
		return nil, err
	}
	for k, v := range kv {
		props[k] = v
	}
	return props, nil
}
