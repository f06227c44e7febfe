package broker

import (
	"sort"
	"strconv"

	"github.com/kbridge/kbridge/config"
	"github.com/kbridge/kbridge/metadata"
)

// Kafka's ConfigSource values (DescribeConfigs v1+).
const (
	configSourceDynamicTopic         int8 = 1
	configSourceDynamicBroker        int8 = 2
	configSourceDynamicDefaultBroker int8 = 3
	configSourceStaticBroker         int8 = 4
	configSourceDefault              int8 = 5
)

var configSourceByName = map[string]int8{
	"DYNAMIC_TOPIC_CONFIG":          configSourceDynamicTopic,
	"DYNAMIC_BROKER_CONFIG":         configSourceDynamicBroker,
	"DYNAMIC_DEFAULT_BROKER_CONFIG": configSourceDynamicDefaultBroker,
	"STATIC_BROKER_CONFIG":          configSourceStaticBroker,
	"DEFAULT_CONFIG":                configSourceDefault,
}

// configEntry is one described config value with its source.
type configEntry struct {
	name      string
	value     *string
	source    int8
	sensitive bool
	readOnly  bool
}

// topicConfigEntries lists every topic config with its effective value.
func (b *Broker) topicConfigEntries(img *metadata.Image, topic string) []configEntry {
	s := topicSettings{cfg: b.cfg, img: img, topic: topic}
	var out []configEntry
	for _, name := range config.TopicConfigNames() {
		v, src := s.lookup(name)
		e := configEntry{name: name, value: &v, source: configSourceByName[src]}
		if e.source == 0 {
			e.source = configSourceDefault
		}
		out = append(out, e)
	}
	return out
}

// brokerConfigEntries lists a broker's configs: the static file and Kafka's defaults,
// overridden by dynamic configs from the image (per broker, then cluster default).
func (b *Broker) brokerConfigEntries(img *metadata.Image) []configEntry {
	perBroker := img.Configs[metadata.ConfigResource{Type: metadata.ConfigResourceBroker, Name: strconv.Itoa(int(b.id))}]
	clusterDefault := img.Configs[metadata.ConfigResource{Type: metadata.ConfigResourceBroker, Name: ""}]
	seen := make(map[string]bool)
	var out []configEntry
	for _, c := range b.cfg.BrokerConfigs() {
		seen[c.Name] = true
		v := c.Value
		e := configEntry{name: c.Name, value: &v, source: configSourceByName[c.Source], sensitive: c.Sensitive, readOnly: c.ReadOnly}
		if dv, ok := clusterDefault[c.Name]; ok {
			e.value, e.source = &dv, configSourceDynamicDefaultBroker
		}
		if dv, ok := perBroker[c.Name]; ok {
			e.value, e.source = &dv, configSourceDynamicBroker
		}
		if e.sensitive {
			e.value = nil
		}
		out = append(out, e)
	}
	for _, set := range []struct {
		m   map[string]string
		src int8
	}{{perBroker, configSourceDynamicBroker}, {clusterDefault, configSourceDynamicDefaultBroker}} {
		for name, v := range set.m {
			if seen[name] {
				continue
			}
			seen[name] = true
			e := configEntry{name: name, source: set.src, sensitive: metadata.IsPasswordConfig(name)}
			if !e.sensitive {
				v := v
				e.value = &v
			}
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}
