package znode

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Config entity znodes (ZkData ConfigEntityZNode): /config/<type>/<name> holds
//
//	{"version":1,"config":{"cleanup.policy":"compact"}}
//
// with every value a string. A change is announced by a sequential znode under
// /config/changes (ConfigEntityChangeNotificationSequenceZNode), v2:
// {"version":2,"entity_path":"topics/orders"}; Kafka before 0.10.1 wrote v1:
// {"version":1,"entity_type":"topics","entity_name":"orders"}.

// EncodeConfig returns a config entity znode's data, keys in sorted order (Kafka
// writes a java.util.Properties, whose order is its hash table's).
func EncodeConfig(config map[string]string) []byte {
	c := newJSONWriter()
	for _, k := range slices.Sorted(maps.Keys(config)) {
		c.string(k, config[k])
	}
	return newJSONWriter().int("version", 1).raw("config", c.bytes()).bytes()
}

// DecodeConfig reads a config entity znode; nil when it holds no config. Empty data
// is an empty config: Kafka creates /config/users/<user> with no data when only a
// client-id entity below it has quotas. A missing "config" is empty, as in
// ConfigEntityZNode.decode, but (unlike Kafka, which silently reads unparsable JSON as
// empty) malformed JSON and non-string values are errors.
func DecodeConfig(data []byte) (map[string]string, error) {
	if len(data) == 0 {
		return nil, nil
	}
	obj, err := parseJSONObject(data)
	if err != nil {
		return nil, err
	}
	if _, err := obj.version(1); err != nil {
		return nil, err
	}
	cfg, err := obj.optObject("config")
	if err != nil {
		return nil, err
	}
	var out map[string]string
	for k, raw := range cfg {
		v, err := jsonString(raw)
		if err != nil {
			return nil, fmt.Errorf("config[%q]: %w", k, err)
		}
		if out == nil {
			out = make(map[string]string, len(cfg))
		}
		out[k] = v
	}
	return out, nil
}

// EncodeConfigChange returns a v2 change notification for entityPath, the entity's
// path below /config with its name sanitized: "topics/orders", "brokers/<default>",
// "users/alice/clients/app".
func EncodeConfigChange(entityPath string) []byte {
	return newJSONWriter().int("version", 2).string("entity_path", entityPath).bytes()
}

// DecodeConfigChange reads a change notification of version 1 or 2 and returns the
// entity path. The entity type must be one ZooKeeper mode knows; v1 supported only
// topics and clients (DynamicConfigManager.processEntityConfigChangeVersion1).
func DecodeConfigChange(data []byte) (string, error) {
	obj, err := parseJSONObject(data)
	if err != nil {
		return "", err
	}
	version, err := obj.version(1, 2)
	if err != nil {
		return "", err
	}
	if version == 1 {
		entityType, err := obj.string("entity_type")
		if err != nil {
			return "", err
		}
		if entityType != ConfigTypeTopic && entityType != ConfigTypeClient {
			return "", fmt.Errorf("field \"entity_type\": version 1 notifications support only %s and %s, not %q", ConfigTypeTopic, ConfigTypeClient, entityType)
		}
		name, err := obj.string("entity_name")
		if err != nil {
			return "", err
		}
		if name == "" {
			return "", fmt.Errorf("field \"entity_name\" is empty")
		}
		return entityType + "/" + name, nil
	}
	path, err := obj.string("entity_path")
	if err != nil {
		return "", err
	}
	entityType, name, ok := strings.Cut(path, "/")
	if !ok || name == "" {
		return "", fmt.Errorf("field \"entity_path\": %q is not of the form <type>/<name>", path)
	}
	if !slices.Contains(configTypes, entityType) {
		return "", fmt.Errorf("field \"entity_path\": unknown entity type %q", entityType)
	}
	return path, nil
}
