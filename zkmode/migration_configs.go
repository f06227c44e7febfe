package zkmode

import (
	"cmp"
	"maps"
	"slices"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// planConfigs plans Update/Delete{Topic,Broker}Config for every topic and broker
// config set that differs (ZkConfigMigrationClient.writeConfigs and deleteConfigs): an
// empty set removes the entity znode, as Kafka does, and either way a config_change_
// notification tells ZooKeeper brokers to reload the entity. The cluster default,
// "" in KRaft, is the <default> broker entity. Topics a topic operation creates or
// removes are left to it, and config resources ZooKeeper mode has no znode for (broker
// loggers, client metrics) are not written. Values are written as they are in the
// image, which holds broker password configs as LoadImage reads them: encrypted with
// password.encoder.secret.
func (p *changePlanner) planConfigs() {
	resources := slices.Collect(maps.Keys(p.prev.Configs))
	for res := range p.next.Configs {
		if _, ok := p.prev.Configs[res]; !ok {
			resources = append(resources, res)
		}
	}
	slices.SortFunc(resources, func(a, b metadata.ConfigResource) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.Name, b.Name))
	})
	for _, res := range resources {
		var entityType, name, update, remove string
		switch res.Type {
		case metadata.ConfigResourceTopic:
			if p.topicsRewritten[res.Name] {
				continue
			}
			entityType, name, update, remove = znode.ConfigTypeTopic, res.Name, opUpdateTopicConfig, opDeleteTopicConfig
		case metadata.ConfigResourceBroker:
			name = res.Name
			if name == "" {
				name = znode.ConfigDefaultName
			}
			entityType, update, remove = znode.ConfigTypeBroker, opUpdateBrokerConfig, opDeleteBrokerConfig
		default:
			continue
		}
		cfg := p.next.Configs[res]
		if maps.Equal(p.prev.Configs[res], cfg) {
			continue
		}
		path := znode.ConfigEntityPath(entityType, name)
		var op *migrationOp
		if len(cfg) == 0 {
			op = newOp(remove, entityType+"/"+name)
			op.remove(path)
		} else {
			op = newOp(update, entityType+"/"+name)
			op.upsert(path, znode.EncodeConfig(cfg))
		}
		op.notifyConfigChange(entityType + "/" + name)
		p.add(op)
	}
}
