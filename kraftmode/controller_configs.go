package kraftmode

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

// AlterConfigs changes the config set of a topic, a broker or the cluster default
// (BROKER with name ""). Incremental changes (IncrementalAlterConfigs) touch only the
// keys they name; a non-incremental alter (AlterConfigs) replaces the whole set. Only
// the keys whose value changes are written, as ConfigRecords, a nil Value deleting.
func (c *Controller) AlterConfigs(_ context.Context, res metadata.ConfigResource, changes []metadata.ConfigChange, incremental, validateOnly bool) error {
	if err := c.lockWriter(); err != nil {
		return err
	}
	defer c.writeMu.Unlock()

	img := c.Image()
	if err := checkConfigResource(img, res); err != nil {
		return err
	}
	current := img.Configs[res]
	next, err := alteredConfigs(current, changes, incremental)
	if err != nil {
		return err
	}
	var recs []metadata.Record
	for _, k := range slices.Sorted(maps.Keys(next)) {
		v := next[k]
		if old, ok := current[k]; ok && old == v {
			continue
		}
		if res.Type == metadata.ConfigResourceTopic {
			if c.opts.ValidateTopicConfig != nil {
				if err := c.opts.ValidateTopicConfig(k, v); err != nil {
					return kafkaErr(kerr.InvalidConfig, "%s", err.Error())
				}
			}
		}
		recs = append(recs, &metadata.ConfigRecord{ResourceType: res.Type, ResourceName: res.Name, Name: k, Value: &v})
	}
	for _, k := range slices.Sorted(maps.Keys(current)) {
		if _, ok := next[k]; !ok {
			recs = append(recs, &metadata.ConfigRecord{ResourceType: res.Type, ResourceName: res.Name, Name: k})
		}
	}
	if validateOnly {
		return nil
	}
	_, err = c.appendLocked(recs)
	return err
}

// checkConfigResource accepts the resources whose configs live in the metadata log.
// BROKER_LOGGER levels are not in the log: the broker handles them itself.
func checkConfigResource(img *metadata.Image, res metadata.ConfigResource) error {
	switch res.Type {
	case metadata.ConfigResourceTopic:
		if _, ok := img.Topics[res.Name]; !ok {
			return kafkaErr(kerr.UnknownTopicOrPartition, "The topic '%s' does not exist.", res.Name)
		}
	case metadata.ConfigResourceBroker:
		if res.Name == "" {
			return nil
		}
		if id, err := strconv.ParseInt(res.Name, 10, 32); err != nil || id < 0 {
			return kafkaErr(kerr.InvalidRequest, "Illegal broker name: %s", res.Name)
		}
	default:
		return kafkaErr(kerr.InvalidRequest, "Unsupported resource type %d for config changes.", res.Type)
	}
	return nil
}

// alteredConfigs returns the config set after changes. List operations (APPEND,
// SUBTRACT) treat the value as Kafka's comma-separated list.
func alteredConfigs(current map[string]string, changes []metadata.ConfigChange, incremental bool) (map[string]string, error) {
	next := make(map[string]string, len(current)+len(changes))
	if incremental {
		maps.Copy(next, current)
	}
	seen := make(map[string]bool, len(changes))
	for _, ch := range changes {
		if seen[ch.Name] {
			return nil, kafkaErr(kerr.InvalidRequest, "Error due to duplicate config keys")
		}
		seen[ch.Name] = true
		if !incremental {
			if ch.Value != nil {
				next[ch.Name] = *ch.Value
			}
			continue
		}
		switch ch.Op {
		case metadata.ConfigOpSet:
			if ch.Value == nil {
				return nil, kafkaErr(kerr.InvalidRequest, "Null value not supported for : %s", ch.Name)
			}
			next[ch.Name] = *ch.Value
		case metadata.ConfigOpDelete:
			delete(next, ch.Name)
		case metadata.ConfigOpAppend, metadata.ConfigOpSubtract:
			list := splitList(next[ch.Name])
			var values []string
			if ch.Value != nil {
				values = splitList(*ch.Value)
			}
			for _, v := range values {
				i := slices.Index(list, v)
				switch {
				case ch.Op == metadata.ConfigOpAppend && i < 0:
					list = append(list, v)
				case ch.Op == metadata.ConfigOpSubtract && i >= 0:
					list = slices.Delete(list, i, i+1)
				}
			}
			next[ch.Name] = strings.Join(list, ",")
		default:
			return nil, kafkaErr(kerr.InvalidRequest, "Unknown alter configs operation %d for %s", ch.Op, ch.Name)
		}
	}
	return next, nil
}

func splitList(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
	}
	return parts
}
