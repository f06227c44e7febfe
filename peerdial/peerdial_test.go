package peerdial

import (
	"strings"
	"testing"

	"github.com/kbridge/kbridge/config"
)

// parse loads a broker-only node's server.properties whose controller listener is
// mapped to protocol, with extra lines.
func parse(t *testing.T, protocol string, extra ...string) *config.Config {
	t.Helper()
	text := strings.Join(append([]string{
		"process.roles=broker",
		"node.id=2",
		"controller.quorum.voters=1@localhost:9093",
		"controller.listener.names=CONTROLLER",
		"listeners=PLAINTEXT://:9092",
		"listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:" + protocol,
		"log.dirs=/tmp/x",
	}, extra...), "\n")
	cfg, err := config.Parse("server.properties", strings.NewReader(text), nil)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return cfg
}

// TestListener: a SASL listener is dialed with the mechanism its key names and the
// JAAS config's credentials, over TCP for SASL_PLAINTEXT; a plaintext one with
// nothing; missing credentials and an unreadable truststore stop the start, naming
// the key and the file.
func TestListener(t *testing.T) {
	jaas := `listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="broker-secret";`
	sec, err := Listener(parse(t, "SASL_PLAINTEXT", "sasl.mechanism.controller.protocol=PLAIN", jaas), "CONTROLLER", config.KeyControllerMechanism)
	if err != nil || sec.SASL == nil || sec.SASL.Name() != "PLAIN" || sec.Dial != nil {
		t.Fatalf("SASL_PLAINTEXT with PLAIN: %+v, %v", sec, err)
	}
	if sec, err := Listener(parse(t, "PLAINTEXT"), "CONTROLLER", config.KeyControllerMechanism); err != nil || sec.SASL != nil || sec.Dial != nil {
		t.Errorf("PLAINTEXT: %+v, %v", sec, err)
	}
	for _, tt := range []struct {
		name     string
		protocol string
		extra    []string
		want     string
	}{
		{"no JAAS config", "SASL_PLAINTEXT", []string{"sasl.mechanism.controller.protocol=SCRAM-SHA-512"},
			"server.properties: listener.name.controller.scram-sha-512.sasl.jaas.config is not set"},
		{"no password", "SASL_PLAINTEXT", []string{"sasl.mechanism.controller.protocol=PLAIN",
			`listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="broker";`},
			"server.properties: listener.name.controller.plain.sasl.jaas.config: login module"},
		{"a truststore that is not there", "SSL", []string{"listener.name.controller.ssl.truststore.location=/no/such/truststore.jks"},
			"server.properties: listener.name.controller.ssl.truststore.location"},
	} {
		if _, err := Listener(parse(t, tt.protocol, tt.extra...), "CONTROLLER", config.KeyControllerMechanism); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}
