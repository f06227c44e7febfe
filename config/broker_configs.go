package config

import (
	"slices"
	"strings"
)

// ConfigEntry is one broker config as DescribeConfigs reports it.
type ConfigEntry struct {
	Name      string
	Value     string
	Null      bool   // Kafka's value is null: no default, or sensitive
	Source    string // SourceStaticBroker or SourceDefault
	Sensitive bool   // a secret: Value is withheld
	ReadOnly  bool   // Kafka cannot change it without a restart
}

// BrokerConfigs is the DescribeConfigs view of this broker: every key kbridge
// types (given or defaulted), then the other Kafka keys set in the file.
// Secrets are reported as sensitive with a null value, as Kafka does.
func (c *Config) BrokerConfigs() []ConfigEntry {
	out := make([]ConfigEntry, 0, len(brokerKeys)+len(c.Raw))
	for _, k := range brokerKeys {
		e := ConfigEntry{Name: k.name, Value: k.def, Null: k.null, Source: SourceDefault, ReadOnly: !k.dynamic}
		if v, ok := c.Raw[k.name]; ok {
			e.Value, e.Null, e.Source = strings.TrimSpace(v), false, SourceStaticBroker
		}
		out = append(out, e)
	}
	var extra []ConfigEntry
	for name, v := range c.Raw {
		if brokerKeyIndex[name] == nil && isKafkaKey(name) {
			e := ConfigEntry{Name: name, Value: strings.TrimSpace(v), Source: SourceStaticBroker, ReadOnly: true}
			if isSensitiveKey(name) {
				e.Value, e.Null, e.Sensitive = "", true, true
			}
			extra = append(extra, e)
		}
	}
	slices.SortFunc(extra, func(a, b ConfigEntry) int { return strings.Compare(a.Name, b.Name) })
	return append(out, extra...)
}
