package config

import "testing"

func TestBrokerConfigs(t *testing.T) {
	c := mustParse(t, seedsFile+"zookeeper.ssl.keystore.password=hunter2\nno.such.key=1\n")
	byName := map[string]ConfigEntry{}
	for _, e := range c.BrokerConfigs() {
		if _, dup := byName[e.Name]; dup {
			t.Errorf("%s listed twice", e.Name)
		}
		byName[e.Name] = e
	}
	tests := []ConfigEntry{
		{Name: "node.id", Value: "1", Source: SourceStaticBroker, ReadOnly: true},
		{Name: "num.partitions", Value: "1", Source: SourceDefault, ReadOnly: true},
		{Name: "log.retention.hours", Value: "168", Source: SourceDefault},
		{Name: "log.retention.ms", Null: true, Source: SourceDefault},
		{Name: "zookeeper.ssl.keystore.password", Null: true, Source: SourceStaticBroker, Sensitive: true, ReadOnly: true},
	}
	for _, want := range tests {
		if got := byName[want.Name]; got != want {
			t.Errorf("%s = %+v, want %+v", want.Name, got, want)
		}
	}
	if _, ok := byName["no.such.key"]; ok {
		t.Error("an unknown key is described")
	}
	for _, k := range brokerKeys {
		if _, ok := byName[k.name]; !ok {
			t.Errorf("%s missing", k.name)
		}
	}
}
