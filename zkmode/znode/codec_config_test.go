package znode

import (
	"reflect"
	"strings"
	"testing"
)

func TestConfigReferenceExample(t *testing.T) {
	const ref = `{"version":1,"config":{"cleanup.policy":"compact"}}`
	if got := string(EncodeConfig(map[string]string{"cleanup.policy": "compact"})); got != ref {
		t.Errorf("EncodeConfig = %s, want %s", got, ref)
	}
	// Keys sorted; Jackson's escaping, which leaves <, > and & alone.
	got := string(EncodeConfig(map[string]string{"b": "<x>&\"\\\n\x01é", "a": ""}))
	if want := `{"version":1,"config":{"a":"","b":"<x>&\"\\\n\u0001é"}}`; got != want {
		t.Errorf("EncodeConfig = %s, want %s", got, want)
	}
	if got := string(EncodeConfig(nil)); got != `{"version":1,"config":{}}` {
		t.Errorf("EncodeConfig(nil) = %s", got)
	}
}

func TestDecodeConfig(t *testing.T) {
	for _, c := range []struct {
		data string
		want map[string]string
	}{
		{``, nil},
		{`{"version":1,"config":{}}`, nil},
		{`{"version":1}`, nil},
		{`{"config":{"a":"1","b":""},"version":1}`, map[string]string{"a": "1", "b": ""}},
	} {
		got, err := DecodeConfig([]byte(c.data))
		if err != nil {
			t.Fatalf("DecodeConfig(%s): %v", c.data, err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("DecodeConfig(%s) = %v, want %v", c.data, got, c.want)
		}
	}
	for _, c := range []struct{ data, want string }{
		{`not json`, "not a JSON object"},
		{`{"version":2,"config":{}}`, "unsupported version 2"},
		{`{"config":{}}`, `field "version" is missing`},
		{`{"version":1,"config":[]}`, `field "config"`},
		{`{"version":1,"config":{"retention.ms":604800000}}`, `config["retention.ms"]`},
		{`{"version":1,"config":{"a":null}}`, `config["a"]`},
	} {
		_, err := DecodeConfig([]byte(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("DecodeConfig(%s) error = %v, want it to mention %q", c.data, err, c.want)
		}
	}
	cfg := map[string]string{"min.insync.replicas": "2", "x": "a,b=c"}
	if got, err := DecodeConfig(EncodeConfig(cfg)); err != nil || !reflect.DeepEqual(got, cfg) {
		t.Errorf("round trip = %v, %v", got, err)
	}
}

func TestConfigChange(t *testing.T) {
	for _, c := range []struct{ path, ref string }{
		{"topics/foo", `{"version":2,"entity_path":"topics/foo"}`},
		{"brokers/<default>", `{"version":2,"entity_path":"brokers/<default>"}`},
		{"users/alice/clients/app", `{"version":2,"entity_path":"users/alice/clients/app"}`},
	} {
		if got := string(EncodeConfigChange(c.path)); got != c.ref {
			t.Errorf("EncodeConfigChange(%s) = %s, want %s", c.path, got, c.ref)
		}
		if got, err := DecodeConfigChange([]byte(c.ref)); err != nil || got != c.path {
			t.Errorf("DecodeConfigChange(%s) = %q, %v", c.ref, got, err)
		}
	}
	if got, err := DecodeConfigChange([]byte(`{"version":1,"entity_type":"clients","entity_name":"app"}`)); err != nil || got != "clients/app" {
		t.Errorf("legacy v1 notification = %q, %v", got, err)
	}
	for _, c := range []struct{ data, want string }{
		{`{"version":3,"entity_path":"topics/foo"}`, "unsupported version 3"},
		{`{"version":2}`, `field "entity_path" is missing`},
		{`{"version":2,"entity_path":"topics"}`, "not of the form"},
		{`{"version":2,"entity_path":"topics/"}`, "not of the form"},
		{`{"version":2,"entity_path":"widgets/x"}`, `unknown entity type "widgets"`},
		{`{"version":1,"entity_type":"brokers","entity_name":"1"}`, "support only topics and clients"},
		{`{"version":1,"entity_type":"topics","entity_name":""}`, "is empty"},
		{`{"version":1,"entity_type":"topics"}`, `field "entity_name" is missing`},
	} {
		_, err := DecodeConfigChange([]byte(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("DecodeConfigChange(%s) error = %v, want it to mention %q", c.data, err, c.want)
		}
	}
}
