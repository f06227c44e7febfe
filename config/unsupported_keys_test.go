package config

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// parseRefused parses text and returns the *UnsupportedKeysError it must fail with.
func parseRefused(t *testing.T, text string, overrides ...string) *UnsupportedKeysError {
	t.Helper()
	_, err := Parse("server.properties", strings.NewReader(text), overrides)
	var ue *UnsupportedKeysError
	if !errors.As(err, &ue) {
		t.Fatalf("Parse error = %v, want an *UnsupportedKeysError", err)
	}
	return ue
}

// Every family of unsupportedKeys refuses a value that asks for its feature,
// naming the key and the file, saying "not supported yet" and, for security
// keys, which feature is missing.
func TestUnsupportedKeysAreRefused(t *testing.T) {
	tests := []struct {
		key, value, missing string
	}{
		{"sasl.kerberos.service.name", "kafka", securityMissing},
		{"listener.name.sasl_ssl.oauthbearer.sasl.server.callback.handler.class", "com.example.Handler", oauthSignedMissing},
		{"principal.builder.class", "com.example.PrincipalBuilder", securityMissing},
		{"security.providers", "com.example.ProviderCreator", securityMissing},
		{"delegation.token.secret.key", "s3cret", securityMissing},
		{"delegation.token.master.key", "s3cret", securityMissing},
		{"zookeeper.set.acl", "true", securityMissing},
		{"zookeeper.ssl.client.enable", "true", securityMissing},
		{"password.encoder.secret", "s3cret", securityMissing},
		{"password.encoder.old.secret", "s3cret", securityMissing},
		{"max.connections", "1000", limitsMissing},
		{"max.connections.per.ip", "100", limitsMissing},
		{"max.connections.per.ip.overrides", "10.0.0.1:200", limitsMissing},
		{"max.connection.creation.rate", "50", limitsMissing},
		{"listener.name.plaintext.max.connections", "100", limitsMissing},
		{"queued.max.request.bytes", "104857600", limitsMissing},
		{"create.topic.policy.class.name", "com.example.Policy", pluginsMissing},
		{"alter.config.policy.class.name", "com.example.Policy", pluginsMissing},
		{"client.quota.callback.class", "com.example.Quotas", pluginsMissing},
		{"eligible.leader.replicas.enable", "true", elrMissing},
		{"remote.log.storage.system.enable", "true", tieredMissing},
		{"config.providers", "file", configProvMissing},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			ue := parseRefused(t, seedsFile+tt.key+"="+tt.value+"\n")
			if len(ue.Refused) != 1 {
				t.Fatalf("refused %v, want only %s", ue, tt.key)
			}
			ke := ue.Refused[0]
			if ke.File != "server.properties" || ke.Key != tt.key || !strings.Contains(ke.Msg, tt.missing) || !strings.Contains(ke.Msg, "not supported yet") {
				t.Errorf("error = %q, want server.properties: %s: ...%s", ke.Error(), tt.key, tt.missing)
			}
			if strings.Contains(ue.Error(), tt.value) {
				t.Errorf("error %q echoes the value, which may be a secret", ue.Error())
			}
		})
	}
}

// A listener whose security protocol kbridge would not honour is refused however
// the protocol was chosen: SASL anywhere (it would be served without
// authentication), SASL on a controller listener, and on any TLS listener the ssl.*
// settings tlsconf does not implement.
func TestSecuredListenersAreRefused(t *testing.T) {
	gssapi := "enables SASL mechanism GSSAPI, which is not supported yet"
	tests := []struct {
		name, text string
		refused    map[string]string // key -> part of its message
	}{
		{"a SASL listener with Kafka's default mechanism",
			"process.roles=broker,controller\nnode.id=1\ncontroller.quorum.voters=1@localhost:9093\nlisteners=SASL_SSL://:9092,PLAINTEXT://:9094,CONTROLLER://:9093\nlog.dirs=/x\n",
			map[string]string{"sasl.enabled.mechanisms": "listener SASL_SSL " + gssapi}},
		{"SASL on the inter-broker listener with Kafka's default inter-broker mechanism",
			seedsFile + "listener.security.protocol.map=PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT\nsasl.enabled.mechanisms=PLAIN\n",
			map[string]string{"sasl.mechanism.inter.broker.protocol": "inter-broker listener PLAINTEXT authenticates the replica fetchers with SASL mechanism GSSAPI (Kafka's default is GSSAPI), which is not supported yet"}},
		{"an inter-broker mechanism the inter-broker listener does not enable",
			seedsFile + "listener.security.protocol.map=PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT\nsasl.enabled.mechanisms=PLAIN\nsasl.mechanism.inter.broker.protocol=SCRAM-SHA-512\n",
			map[string]string{"sasl.mechanism.inter.broker.protocol": "SCRAM-SHA-512 must be among the mechanisms inter-broker listener PLAINTEXT enables (PLAIN)"}},
		{"ZooKeeper mode, a per-listener mechanism",
			zkFile + "listeners=PLAINTEXT://:9092,SASL_PLAINTEXT://:9093\nlistener.name.sasl_plaintext.sasl.enabled.mechanisms=SCRAM-SHA-512,GSSAPI\n",
			map[string]string{"listener.name.sasl_plaintext.sasl.enabled.mechanisms": "enables SASL mechanism GSSAPI, which is not supported yet"}},
		{"SASL on the controller listener of a broker-only node, with Kafka's default mechanism",
			"process.roles=broker\nnode.id=2\ncontroller.quorum.voters=1@c:9093\ncontroller.listener.names=CONTROLLER\nlisteners=PLAINTEXT://:9092\nlistener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:SASL_SSL\nlog.dirs=/x\n",
			map[string]string{"sasl.mechanism.controller.protocol": "controller listener CONTROLLER authenticates this node's connections with SASL mechanism GSSAPI (Kafka's default is GSSAPI), which is not supported yet"}},
		{"a controller whose listener does not enable its own mechanism",
			"process.roles=controller\nnode.id=1\ncontroller.quorum.voters=1@localhost:9093\ncontroller.listener.names=CONTROLLER\nlisteners=CONTROLLER://:9093\nlistener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT\nsasl.mechanism.controller.protocol=PLAIN\nlistener.name.controller.sasl.enabled.mechanisms=SCRAM-SHA-512\nlog.dirs=/x\n",
			map[string]string{"listener.name.controller.sasl.enabled.mechanisms": "controller listener CONTROLLER enables SCRAM-SHA-512, but not PLAIN"}},
		{"a TLS setting kbridge does not implement on the controller listener",
			"process.roles=broker\nnode.id=2\ncontroller.quorum.voters=1@c:9093\ncontroller.listener.names=CONTROLLER\nlisteners=PLAINTEXT://:9092\nlistener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:SSL\nlistener.name.controller.ssl.engine.factory.class=com.example.Engine\nlog.dirs=/x\n",
			map[string]string{"listener.name.controller.ssl.engine.factory.class": "configures TLS on listener CONTROLLER in a way kbridge does not implement"}},
		{"a TLS setting kbridge does not implement",
			zkFile + "listeners=SSL://:9093\nlistener.name.ssl.ssl.keymanager.algorithm=SunX509-custom\n",
			map[string]string{"listener.name.ssl.ssl.keymanager.algorithm": "configures TLS on listener SSL in a way kbridge does not implement"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ue := parseRefused(t, tt.text)
			if len(ue.Refused) != len(tt.refused) {
				t.Fatalf("refused %v, want %d", ue, len(tt.refused))
			}
			for _, ke := range ue.Refused {
				want, ok := tt.refused[ke.Key]
				if ke.File != "server.properties" || !ok || !strings.Contains(strings.ReplaceAll(ke.Msg, " (from listener.security.protocol.map)", ""), want) {
					t.Errorf("error = %q, want server.properties: <one of %v>", ke.Error(), tt.refused)
				}
			}
		})
	}
}

// Kafka's defaults that mean "off", and empty values, load: such a file means
// the same in Kafka and kbridge. Kafka's own default protocol map, which lists
// SSL and SASL names, does not matter while no listener uses them; TLS settings
// are read for TLS listeners, so they are neither unknown nor ignored.
func TestOffValuesAreAccepted(t *testing.T) {
	off := `zookeeper.set.acl=false
zookeeper.ssl.client.enable=FALSE
authorizer.class.name=
super.users=
allow.everyone.if.no.acl.found=false
ssl.client.auth=none
listener.name.internal.ssl.client.auth=NONE
ssl.endpoint.identification.algorithm=
sasl.enabled.mechanisms=
security.inter.broker.protocol=PLAINTEXT
principal.builder.class=org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder
connections.max.reauth.ms=0
delegation.token.secret.key=
max.connections=2147483647
max.connections.per.ip=2147483647
max.connections.per.ip.overrides=
max.connection.creation.rate=2147483647
queued.max.request.bytes=-1
eligible.leader.replicas.enable=false
remote.log.storage.system.enable=false
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL
`
	c := mustParse(t, seedsFile+off)
	if len(c.UnknownKeys) != 0 {
		t.Errorf("UnknownKeys = %v, want none", c.UnknownKeys)
	}
	for _, key := range []string{"zookeeper.set.acl", "delegation.token.secret.key", "max.connections"} {
		if !slices.Contains(c.IgnoredKeys, key) {
			t.Errorf("IgnoredKeys = %v, want %s among them", c.IgnoredKeys, key)
		}
	}
	for _, key := range []string{"ssl.client.auth", "listener.name.internal.ssl.client.auth"} {
		if slices.Contains(c.IgnoredKeys, key) {
			t.Errorf("IgnoredKeys = %v: %s is read for TLS listeners", c.IgnoredKeys, key)
		}
	}
}

// All refused keys come back in one error, sorted, each on a "file: key: msg"
// line, so the operator fixes the file in one pass; overrides are blamed on
// --override.
func TestAllRefusedKeysAreReportedTogether(t *testing.T) {
	text := strings.Replace(seedsFile, "listeners=PLAINTEXT://:9092", "listeners=SASL_SSL://:9092", 1) + `password.encoder.secret=s3cret
delegation.token.secret.key=s3cret
max.connections=10
sasl.enabled.mechanisms=GSSAPI
`
	ue := parseRefused(t, text, "zookeeper.set.acl=true")
	var got []string
	for _, ke := range ue.Refused {
		got = append(got, ke.File+" "+ke.Key)
	}
	want := []string{
		"server.properties delegation.token.secret.key",
		"server.properties max.connections",
		"server.properties password.encoder.secret",
		"server.properties sasl.enabled.mechanisms",
		"--override zookeeper.set.acl",
	}
	if !slices.Equal(got, want) {
		t.Errorf("refused = %v, want %v", got, want)
	}
	for _, ke := range ue.Refused {
		if !strings.Contains(ue.Error(), "\n  "+ke.Error()) {
			t.Errorf("error text lacks the line %q:\n%s", ke.Error(), ue.Error())
		}
	}
	var ke *KeyError
	if !errors.As(ue, &ke) || ke != ue.Refused[0] {
		t.Errorf("errors.As does not reach the first KeyError: %v", ke)
	}
}

// The repository's own configs and the embedded default must keep starting.
func TestRepositoryConfigsAreNotRefused(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "examples", "*", "*.properties"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no example configs found: %v", err)
	}
	for _, f := range append(files, defaultName) {
		if _, err := Load(f, nil); err != nil {
			t.Errorf("%v", err)
		}
	}
}

// The tables do not overlap: a key is ignored or refused, never both, and a
// refused key that kbridge also reads is off at Kafka's default.
func TestUnsupportedKeysTableIsConsistent(t *testing.T) {
	seen := map[string]bool{}
	for _, u := range unsupportedKeys {
		if seen[u.name] {
			t.Errorf("%s listed twice in unsupportedKeys", u.name)
		}
		seen[u.name] = true
		if def := brokerKeyIndex[u.name]; def != nil && !def.null && !u.off(def.def) {
			t.Errorf("%s: Kafka's default %q would be refused", u.name, def.def)
		}
	}
	for _, name := range kafkaKeys {
		if unsupportedKeyFor(name) != nil {
			t.Errorf("%s is both ignored (kafkaKeys) and in unsupportedKeys", name)
		}
	}
}

// A SASL_SSL controller listener with PLAIN, enabled on the listener and used by the
// node's own connections, loads; the node reads its mechanism and the JAAS config its
// connections take their credentials from.
func TestControllerSASLIsAccepted(t *testing.T) {
	c := mustParse(t, `process.roles=controller
node.id=1
controller.quorum.voters=1@localhost:9093
controller.listener.names=CONTROLLER
listeners=CONTROLLER://:9093
listener.security.protocol.map=CONTROLLER:SASL_SSL
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="ctl" password="ctl-secret" user_ctl="ctl-secret";
listener.name.controller.ssl.keystore.location=/x.p12
log.dirs=/x
`)
	if got := c.ClientMechanism(KeyControllerMechanism); got != "PLAIN" {
		t.Errorf("controller mechanism %q, want PLAIN", got)
	}
	if _, key, ok := c.ListenerJAAS("CONTROLLER", "PLAIN"); !ok || key != "listener.name.controller.plain.sasl.jaas.config" {
		t.Errorf("controller JAAS config read from %q (%v)", key, ok)
	}
	if len(c.UnknownKeys) != 0 || slices.Contains(c.IgnoredKeys, KeyControllerMechanism) {
		t.Errorf("unknown %v, ignored %v: the controller's SASL keys are read", c.UnknownKeys, c.IgnoredKeys)
	}
}

// SASL between brokers loads: SASL_SSL named by security.inter.broker.protocol, with
// the replica fetchers' mechanism enabled on the listener.
func TestInterBrokerSASLIsAccepted(t *testing.T) {
	c := mustParse(t, strings.Replace(seedsFile, "listeners=PLAINTEXT://:9092", "listeners=SASL_SSL://:9092", 1)+`listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
security.inter.broker.protocol=SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="broker-secret";
`)
	if c.InterBrokerListenerName != "SASL_SSL" || c.ClientMechanism(KeyInterBrokerMechanism) != "SCRAM-SHA-512" {
		t.Errorf("inter-broker listener %s with %s", c.InterBrokerListenerName, c.ClientMechanism(KeyInterBrokerMechanism))
	}
}

// connections.max.reauth.ms is read per listener and mechanism as Kafka's
// SaslChannelBuilder reads it: the listener's mechanism override first, then the
// general key; 0 or less never expires; a value that is not a number names its key
// and the file.
func TestListenerReauth(t *testing.T) {
	c := mustParse(t, seedsFile+`connections.max.reauth.ms=60000
listener.name.sasl_ssl.scram-sha-512.connections.max.reauth.ms=3000
listener.name.sasl_ssl.plain.connections.max.reauth.ms=-1
`)
	for _, tt := range []struct {
		listener, mechanism string
		want                time.Duration
	}{
		{"SASL_SSL", "SCRAM-SHA-512", 3 * time.Second},
		{"SASL_SSL", "PLAIN", 0},
		{"SASL_SSL", "SCRAM-SHA-256", time.Minute},
		{"CONTROLLER", "PLAIN", time.Minute},
	} {
		if got, err := c.ListenerReauth(tt.listener, tt.mechanism); err != nil || got != tt.want {
			t.Errorf("ListenerReauth(%s, %s) = %v, %v; want %v", tt.listener, tt.mechanism, got, err, tt.want)
		}
	}
	if slices.Contains(c.IgnoredKeys, "connections.max.reauth.ms") {
		t.Errorf("connections.max.reauth.ms is read, but listed as ignored: %v", c.IgnoredKeys)
	}
	bad := mustParse(t, seedsFile+"listener.name.sasl_ssl.plain.connections.max.reauth.ms=soon\n")
	if _, err := bad.ListenerReauth("SASL_SSL", "PLAIN"); err == nil || !strings.Contains(err.Error(), "server.properties: listener.name.sasl_ssl.plain.connections.max.reauth.ms") {
		t.Errorf("a lifetime that is not a number: %v", err)
	}
}
