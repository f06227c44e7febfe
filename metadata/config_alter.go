package metadata

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
)

// CheckConfigResource accepts the resources whose configs live in the metadata log
// (or, in ZooKeeper mode, under /config). BROKER_LOGGER levels are not there: the broker handles them itself.
func CheckConfigResource(img *Image, res ConfigResource) error {
	switch res.Type {
	case ConfigResourceTopic:
		if _, ok := img.Topics[res.Name]; !ok {
			return Errorf(kerr.UnknownTopicOrPartition, "The topic '%s' does not exist.", res.Name)
		}
	case ConfigResourceBroker:
		if res.Name == "" {
			return nil
		}
		if id, err := strconv.ParseInt(res.Name, 10, 32); err != nil || id < 0 {
			return Errorf(kerr.InvalidRequest, "Illegal broker name: %s", res.Name)
		}
	default:
		return Errorf(kerr.InvalidRequest, "Unsupported resource type %d for config changes.", res.Type)
	}
	return nil
}

// AlteredConfigs returns the config set after changes. List operations (APPEND,
// SUBTRACT) treat the value as Kafka's comma-separated list.
func AlteredConfigs(current map[string]string, changes []ConfigChange, incremental bool) (map[string]string, error) {
	next := make(map[string]string, len(current)+len(changes))
	if incremental {
		maps.Copy(next, current)
	}
	seen := make(map[string]bool, len(changes))
	for _, ch := range changes {
		if seen[ch.Name] {
			return nil, Errorf(kerr.InvalidRequest, "Error due to duplicate config keys")
		}
		seen[ch.Name] = true
		if !incremental {
			if ch.Value != nil {
				next[ch.Name] = *ch.Value
			}
			continue
		}
		switch ch.Op {
		case ConfigOpSet:
			if ch.Value == nil {
				return nil, Errorf(kerr.InvalidRequest, "Null value not supported for : %s", ch.Name)
			}
			next[ch.Name] = *ch.Value
		case ConfigOpDelete:
			delete(next, ch.Name)
		case ConfigOpAppend, ConfigOpSubtract:
			list := splitList(next[ch.Name])
			var values []string
			if ch.Value != nil {
				values = splitList(*ch.Value)
			}
			for _, v := range values {
				i := slices.Index(list, v)
				switch {
				case ch.Op == ConfigOpAppend && i < 0:
					list = append(list, v)
				case ch.Op == ConfigOpSubtract && i >= 0:
					list = slices.Delete(list, i, i+1)
				}
			}
			next[ch.Name] = strings.Join(list, ",")
		default:
			return nil, Errorf(kerr.InvalidRequest, "Unknown alter configs operation %d for %s", ch.Op, ch.Name)
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
