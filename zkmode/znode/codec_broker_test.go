package znode

import (
	"reflect"
	"strings"
	"testing"

	"github.com/kbridge/kbridge/metadata"
)

// referenceBrokerV5 is the example of docs/kafka-compatibility.md, "Broker registrations", without its line breaks.
const referenceBrokerV5 = `{"version":5,"host":"localhost","port":9092,"jmx_port":-1,"timestamp":"1700000000000",` +
	`"endpoints":["PLAINTEXT://localhost:9092"],"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},` +
	`"features":{"metadata.version":{"min_version":1,"max_version":21}}}`

var referenceBroker = BrokerZNode{
	Version: 5, JmxPort: -1, Timestamp: 1700000000000,
	Endpoints: []metadata.Endpoint{{Name: "PLAINTEXT", Host: "localhost", Port: 9092, SecurityProtocol: SecurityProtocolPlaintext}},
	Features:  []metadata.FeatureRange{{Name: "metadata.version", MinVersion: 1, MaxVersion: 21}},
}

func TestBrokerReferenceExample(t *testing.T) {
	got, err := EncodeBroker(referenceBroker)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != referenceBrokerV5 {
		t.Errorf("EncodeBroker:\n got %s\nwant %s", got, referenceBrokerV5)
	}
	dec, err := DecodeBroker([]byte(referenceBrokerV5))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(dec, referenceBroker) {
		t.Errorf("DecodeBroker = %+v, want %+v", dec, referenceBroker)
	}
}

func TestEncodeBroker(t *testing.T) {
	ep := func(name, host string, port uint16, sp int16) metadata.Endpoint {
		return metadata.Endpoint{Name: name, Host: host, Port: port, SecurityProtocol: sp}
	}
	for _, c := range []struct {
		name string
		b    BrokerZNode
		want string
	}{
		{"no PLAINTEXT listener: host null, port -1; rack", BrokerZNode{Version: 5, JmxPort: 9999, Timestamp: 1, Rack: "r1",
			Endpoints: []metadata.Endpoint{ep("INTERNAL", "10.0.0.1", 9092, SecurityProtocolSASLPlaintext), ep("EXTERNAL", "b1", 9094, SecurityProtocolSASLSSL)}},
			`{"version":5,"host":null,"port":-1,"jmx_port":9999,"timestamp":"1","endpoints":["INTERNAL://10.0.0.1:9092","EXTERNAL://b1:9094"],` +
				`"rack":"r1","listener_security_protocol_map":{"INTERNAL":"SASL_PLAINTEXT","EXTERNAL":"SASL_SSL"},"features":{}}`},
		{"host and port of the first PLAINTEXT-protocol listener; IPv6 in brackets", BrokerZNode{Version: 5, JmxPort: -1,
			Endpoints: []metadata.Endpoint{ep("REPL", "fd00::1", 9091, SecurityProtocolSSL), ep("CLIENT", "b1", 9092, SecurityProtocolPlaintext)}},
			`{"version":5,"host":"b1","port":9092,"jmx_port":-1,"timestamp":"0","endpoints":["REPL://[fd00::1]:9091","CLIENT://b1:9092"],` +
				`"listener_security_protocol_map":{"REPL":"SSL","CLIENT":"PLAINTEXT"},"features":{}}`},
		{"wildcard host", BrokerZNode{Version: 5, JmxPort: -1, Endpoints: []metadata.Endpoint{ep("PLAINTEXT", "", 9092, SecurityProtocolPlaintext)}},
			`{"version":5,"host":null,"port":9092,"jmx_port":-1,"timestamp":"0","endpoints":["PLAINTEXT://:9092"],` +
				`"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"features":{}}`},
		{"v4: no features", BrokerZNode{Version: 4, JmxPort: -1, Rack: "r", Endpoints: []metadata.Endpoint{ep("PLAINTEXT", "h", 1, SecurityProtocolPlaintext)},
			Features: []metadata.FeatureRange{{Name: "x", MinVersion: 1, MaxVersion: 1}}},
			`{"version":4,"host":"h","port":1,"jmx_port":-1,"timestamp":"0","endpoints":["PLAINTEXT://h:1"],"rack":"r",` +
				`"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"}}`},
		{"v2: no rack, no map", BrokerZNode{Version: 2, JmxPort: -1, Rack: "r",
			Endpoints: []metadata.Endpoint{ep("PLAINTEXT", "h", 1, SecurityProtocolPlaintext), ep("SSL", "h", 2, SecurityProtocolSSL)}},
			`{"version":2,"host":"h","port":1,"jmx_port":-1,"timestamp":"0","endpoints":["PLAINTEXT://h:1","SSL://h:2"]}`},
		{"features in name order", BrokerZNode{Version: 5, JmxPort: -1, Features: []metadata.FeatureRange{
			{Name: "metadata.version", MinVersion: 1, MaxVersion: 21}, {Name: "group.version", MinVersion: 0, MaxVersion: 1}}},
			`{"version":5,"host":null,"port":-1,"jmx_port":-1,"timestamp":"0","endpoints":[],"listener_security_protocol_map":{},` +
				`"features":{"group.version":{"min_version":0,"max_version":1},"metadata.version":{"min_version":1,"max_version":21}}}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := EncodeBroker(c.b)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Errorf("EncodeBroker:\n got %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestEncodeBrokerRefuses(t *testing.T) {
	ep := metadata.Endpoint{Name: "PLAINTEXT", Host: "h", Port: 1}
	for _, c := range []struct {
		name string
		b    BrokerZNode
		want string
	}{
		{"v1", BrokerZNode{Version: 1}, "unsupported version 1"},
		{"v6", BrokerZNode{Version: 6}, "unsupported version 6"},
		{"custom listener without a map", BrokerZNode{Version: 2, Endpoints: []metadata.Endpoint{{Name: "CLIENT", Host: "h", Port: 1}}}, "listener CLIENT"},
		{"lower-case listener", BrokerZNode{Version: 5, Endpoints: []metadata.Endpoint{{Name: "plaintext", Host: "h", Port: 1}}}, "not upper-case"},
		{"unknown protocol", BrokerZNode{Version: 5, Endpoints: []metadata.Endpoint{{Name: "X", Host: "h", Port: 1, SecurityProtocol: 9}}}, "security protocol id 9"},
		{"ok", BrokerZNode{Version: 5, Endpoints: []metadata.Endpoint{ep}}, ""},
	} {
		_, err := EncodeBroker(c.b)
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: EncodeBroker error = %v, want it to mention %q", c.name, err, c.want)
		}
	}
}

// TestDecodeBrokerVersions reads every version Kafka wrote, with the examples of
// BrokerIdZNode.decode's own documentation.
func TestDecodeBrokerVersions(t *testing.T) {
	plain := func(host string, port uint16) metadata.Endpoint {
		return metadata.Endpoint{Name: "PLAINTEXT", Host: host, Port: port, SecurityProtocol: SecurityProtocolPlaintext}
	}
	for _, c := range []struct {
		name, data string
		want       BrokerZNode
	}{
		{"v1: host and port only", `{"version":1,"host":"localhost","port":9092,"jmx_port":9999,"timestamp":"2233345666"}`,
			BrokerZNode{Version: 1, JmxPort: 9999, Timestamp: 2233345666, Endpoints: []metadata.Endpoint{plain("localhost", 9092)}}},
		{"v2: default listener map", `{"version":2,"host":"localhost","port":9092,"jmx_port":9999,"timestamp":"2233345666","endpoints":["PLAINTEXT://host1:9092", "SSL://host1:9093"]}`,
			BrokerZNode{Version: 2, JmxPort: 9999, Timestamp: 2233345666, Endpoints: []metadata.Endpoint{plain("host1", 9092),
				{Name: "SSL", Host: "host1", Port: 9093, SecurityProtocol: SecurityProtocolSSL}}}},
		{"v3: rack, lower-case listener normalised", `{"version":3,"host":"localhost","port":9092,"jmx_port":9999,"timestamp":"2233345666","endpoints":["plaintext://host1:9092"],"rack":"dc1"}`,
			BrokerZNode{Version: 3, JmxPort: 9999, Timestamp: 2233345666, Rack: "dc1", Endpoints: []metadata.Endpoint{plain("host1", 9092)}}},
		{"v4: listener map, null rack", `{"version":4,"host":null,"port":-1,"jmx_port":-1,"timestamp":"5","endpoints":["CLIENT://host1:9092","REPLICATION://host1:9093"],` +
			`"listener_security_protocol_map":{"CLIENT":"SASL_SSL","REPLICATION":"ssl"},"rack":null}`,
			BrokerZNode{Version: 4, JmxPort: -1, Timestamp: 5, Endpoints: []metadata.Endpoint{
				{Name: "CLIENT", Host: "host1", Port: 9092, SecurityProtocol: SecurityProtocolSASLSSL},
				{Name: "REPLICATION", Host: "host1", Port: 9093, SecurityProtocol: SecurityProtocolSSL}}}},
		{"v4 without a map falls back to the default", `{"version":4,"jmx_port":-1,"endpoints":["SASL_PLAINTEXT://h:1"]}`,
			BrokerZNode{Version: 4, JmxPort: -1, Endpoints: []metadata.Endpoint{{Name: "SASL_PLAINTEXT", Host: "h", Port: 1, SecurityProtocol: SecurityProtocolSASLPlaintext}}}},
		{"v5: features, null features", `{"version":5,"jmx_port":-1,"endpoints":["PLAINTEXT://[::1]:9092"],"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"features":null}`,
			BrokerZNode{Version: 5, JmxPort: -1, Endpoints: []metadata.Endpoint{plain("::1", 9092)}}},
		{"v5: features sorted", `{"version":5,"jmx_port":-1,"endpoints":[],"features":{"z":{"min_version":0,"max_version":0},"a":{"max_version":3,"min_version":2}}}`,
			BrokerZNode{Version: 5, JmxPort: -1, Features: []metadata.FeatureRange{{Name: "a", MinVersion: 2, MaxVersion: 3}, {Name: "z"}}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := DecodeBroker([]byte(c.data))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("DecodeBroker:\n got %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestDecodeBrokerRejects(t *testing.T) {
	for _, c := range []struct{ data, want string }{
		{`[]`, "not a JSON object"},
		{`{"version":5`, "not a JSON object"},
		{`{"version":0,"jmx_port":-1}`, "unsupported version 0"},
		{`{"version":6,"jmx_port":-1,"endpoints":[]}`, "unsupported version 6"},
		{`{"version":"5","jmx_port":-1,"endpoints":[]}`, `field "version"`},
		{`{"version":5,"endpoints":[]}`, `field "jmx_port" is missing`},
		{`{"version":5,"jmx_port":1.5,"endpoints":[]}`, "not an integer"},
		{`{"version":5,"jmx_port":-1}`, `field "endpoints" is missing`},
		{`{"version":5,"jmx_port":-1,"endpoints":"PLAINTEXT://h:1"}`, "is not an array"},
		{`{"version":5,"jmx_port":-1,"endpoints":[1]}`, "endpoints[0]"},
		{`{"version":5,"jmx_port":-1,"endpoints":["h:1"]}`, "unable to parse"},
		{`{"version":5,"jmx_port":-1,"endpoints":["://h:1"],"listener_security_protocol_map":{"":"SSL"}}`, "no listener name"},
		{`{"version":5,"jmx_port":-1,"endpoints":["PLAINTEXT://h:99999"]}`, "out of range"},
		{`{"version":5,"jmx_port":-1,"endpoints":["CLIENT://h:1"]}`, "no security protocol defined for listener CLIENT"},
		{`{"version":5,"jmx_port":-1,"endpoints":["CLIENT://h:1"],"listener_security_protocol_map":{"client":"SSL"}}`, "listener CLIENT"},
		{`{"version":5,"jmx_port":-1,"endpoints":[],"listener_security_protocol_map":{"A":"TLS"}}`, `unknown security protocol "TLS"`},
		{`{"version":5,"jmx_port":-1,"endpoints":[],"listener_security_protocol_map":null}`, "listener_security_protocol_map"},
		{`{"version":5,"jmx_port":-1,"endpoints":[],"rack":7}`, `field "rack"`},
		{`{"version":5,"jmx_port":-1,"endpoints":[],"timestamp":1700000000000}`, `field "timestamp"`},
		{`{"version":5,"jmx_port":-1,"endpoints":[],"timestamp":"soon"}`, "not a decimal number"},
		{`{"version":5,"jmx_port":-1,"endpoints":[],"features":[]}`, `field "features"`},
		{`{"version":5,"jmx_port":-1,"endpoints":[],"features":{"f":{"min_version":2,"max_version":1}}}`, "invalid version range"},
		{`{"version":5,"jmx_port":-1,"endpoints":[],"features":{"f":{"min_version":1}}}`, `"max_version" is missing`},
		{`{"version":5,"jmx_port":-1,"endpoints":[],"features":{"f":{"min_version":1,"max_version":40000}}}`, "16-bit"},
		{`{"version":1,"port":9092,"jmx_port":-1}`, `field "host" is missing`},
	} {
		_, err := DecodeBroker([]byte(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("DecodeBroker(%s) error = %v, want it to mention %q", c.data, err, c.want)
		}
	}
}

func TestBrokerRoundTrip(t *testing.T) {
	for _, b := range []BrokerZNode{
		referenceBroker,
		{Version: 5, JmxPort: 9999, Timestamp: 42, Rack: "rack-1", Endpoints: []metadata.Endpoint{
			{Name: "INTERNAL", Host: "10.1.2.3", Port: 19092, SecurityProtocol: SecurityProtocolSASLPlaintext},
			{Name: "EXTERNAL", Host: "fe80::1%eth0", Port: 9094, SecurityProtocol: SecurityProtocolSASLSSL},
			{Name: "LOCAL", Host: "", Port: 9095, SecurityProtocol: SecurityProtocolPlaintext},
		}},
		{Version: 4, JmxPort: -1, Rack: "r", Endpoints: []metadata.Endpoint{{Name: "PLAINTEXT", Host: "h", Port: 1}}},
		{Version: 3, JmxPort: -1, Rack: "r", Endpoints: []metadata.Endpoint{{Name: "SSL", Host: "h", Port: 2, SecurityProtocol: SecurityProtocolSSL}}},
		{Version: 2, JmxPort: -1, Endpoints: []metadata.Endpoint{{Name: "PLAINTEXT", Host: "h", Port: 1}}},
	} {
		data, err := EncodeBroker(b)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeBroker(data)
		if err != nil {
			t.Fatalf("DecodeBroker(%s): %v", data, err)
		}
		if !reflect.DeepEqual(got, b) {
			t.Errorf("round trip of %s:\n got %+v\nwant %+v", data, got, b)
		}
	}
}

func TestSecurityProtocolNames(t *testing.T) {
	for id, name := range map[int16]string{0: "PLAINTEXT", 1: "SSL", 2: "SASL_PLAINTEXT", 3: "SASL_SSL"} {
		if got, err := SecurityProtocolName(id); err != nil || got != name {
			t.Errorf("SecurityProtocolName(%d) = %q, %v", id, got, err)
		}
		if got, err := ParseSecurityProtocol(strings.ToLower(name)); err != nil || got != id {
			t.Errorf("ParseSecurityProtocol(%q) = %d, %v", strings.ToLower(name), got, err)
		}
	}
	if _, err := SecurityProtocolName(4); err == nil {
		t.Error("SecurityProtocolName(4) succeeded")
	}
}
