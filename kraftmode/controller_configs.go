package kraftmode

import (
	"context"
	"maps"
	"slices"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

// AlterConfigs changes the config set of a topic, a broker or the cluster default
// (BROKER with name ""). Incremental changes (IncrementalAlterConfigs) touch only the
// keys they name; a non-incremental alter (AlterConfigs) replaces the whole set. Only
// the keys whose value changes are written, as ConfigRecords, a nil Value deleting.
func (c *Controller) AlterConfigs(_ context.Context, res metadata.ConfigResource, changes []metadata.ConfigChange, incremental, validateOnly bool) error {
	if err := c.lockGatedWriter(); err != nil {
		return err
	}
	defer c.writeMu.Unlock()

	img := c.Image()
	if err := metadata.CheckConfigResource(img, res); err != nil {
		return err
	}
	current := img.Configs[res]
	next, err := metadata.AlteredConfigs(current, changes, incremental)
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
