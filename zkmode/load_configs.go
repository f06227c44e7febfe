package zkmode

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// loadBrokerConfigs reads /config/brokers: one entity per broker id plus <default>,
// the cluster-wide dynamic defaults, which KRaft names "" (ZkConfigMigrationClient
// fromZkEntityName).
func (t *Tree) loadBrokerConfigs(ctx context.Context, r TreeReader) error {
	parent := znode.ConfigEntityTypePath(znode.ConfigTypeBroker)
	names, err := children(ctx, r, parent)
	if err != nil {
		return fmt.Errorf("load broker configs: %w", err)
	}
	slices.Sort(names)
	resources := make([]string, len(names))
	paths := make([]string, len(names))
	for i, name := range names {
		paths[i] = znode.ConfigEntityPath(znode.ConfigTypeBroker, name)
		if name == znode.ConfigDefaultName {
			continue
		}
		// Kafka's migration parses the name as the broker id it configures.
		if _, err := strconv.ParseInt(name, 10, 32); err != nil {
			return fmt.Errorf("load broker configs: %s: the entity name is neither a broker id nor %s", paths[i], znode.ConfigDefaultName)
		}
		resources[i] = name
	}
	nodes, err := getAll(ctx, r, paths)
	if err != nil {
		return fmt.Errorf("load broker configs: %w", err)
	}
	for i, n := range nodes {
		if n.missing {
			continue
		}
		cfg, err := znode.DecodeConfig(n.data)
		if err != nil {
			return decodeError(n.path, err)
		}
		t.brokerConfigs = appendConfigRecords(t.brokerConfigs, metadata.ConfigResourceBroker, resources[i], cfg)
	}
	return nil
}

// appendConfigRecords appends one ConfigRecord per key of cfg, in key order.
func appendConfigRecords(out []metadata.Record, resourceType int8, resourceName string, cfg map[string]string) []metadata.Record {
	for _, k := range slices.Sorted(maps.Keys(cfg)) {
		v := cfg[k]
		out = append(out, &metadata.ConfigRecord{ResourceType: resourceType, ResourceName: resourceName, Name: k, Value: &v})
	}
	return out
}
