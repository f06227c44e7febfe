package config

import (
	"errors"
	"strings"
	"testing"
)

// mustParse parses text as server.properties and fails the test on error.
func mustParse(t *testing.T, text string, overrides ...string) *Config {
	t.Helper()
	c, err := Parse("server.properties", strings.NewReader(text), overrides)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return c
}

// parseKeyError parses text and returns the *KeyError it must fail with.
func parseKeyError(t *testing.T, text string, overrides ...string) *KeyError {
	t.Helper()
	_, err := Parse("server.properties", strings.NewReader(text), overrides)
	var ke *KeyError
	if !errors.As(err, &ke) {
		t.Fatalf("Parse error = %v, want a *KeyError", err)
	}
	return ke
}

// decodeAndValidate runs Parse's decoding and Kafka's validation without
// refusing unsupported features, for tests of Kafka's own rules on files
// kbridge would refuse.
func decodeAndValidate(t *testing.T, text string) (*Config, error) {
	t.Helper()
	raw, overridden, err := readProperties("server.properties", strings.NewReader(text), nil)
	if err != nil {
		t.Fatalf("readProperties: %v", err)
	}
	d := &decoder{file: "server.properties", raw: raw, overridden: overridden}
	c, err := decode(d)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return c, validate(d, c)
}

// seedsFile is the single-node file that must load verbatim (docs/architecture.md, "Modes and roles").
const seedsFile = `process.roles=controller,broker
node.id=1
controller.quorum.voters=1@localhost:9093
listeners=PLAINTEXT://:9092,CONTROLLER://:9093
log.dirs=/tmp/kafka-logs
`

// zkFile is a plain ZooKeeper-mode broker.
const zkFile = `broker.id=0
listeners=PLAINTEXT://:9092
zookeeper.connect=localhost:2181
log.dirs=/var/lib/kafka
`

// migratingBrokerFile is the ZooKeeper broker entering migration (reference §3.2).
const migratingBrokerFile = `broker.id=0
listeners=PLAINTEXT://:9092
advertised.listeners=PLAINTEXT://localhost:9092
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.protocol.version=3.9
zookeeper.metadata.migration.enable=true
zookeeper.connect=localhost:2181
controller.quorum.bootstrap.servers=localhost:9093
controller.listener.names=CONTROLLER
`

// migrationControllerFile is the KRaft controller during migration (reference §3.2).
const migrationControllerFile = `process.roles=controller
node.id=3000
controller.quorum.bootstrap.servers=localhost:9093
controller.listener.names=CONTROLLER
listeners=CONTROLLER://:9093
zookeeper.metadata.migration.enable=true
zookeeper.connect=localhost:2181
inter.broker.listener.name=PLAINTEXT
`
