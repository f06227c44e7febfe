package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestConfigFailsClosed starts `kbridge server start` on an otherwise valid,
// formatted single-node KRaft file plus one setting per family kbridge
// refuses: a security or durability feature it does not implement. Each run
// must exit non-zero within a few seconds, name the key and the file, say
// "not supported yet", and leave nothing listening. A voter host that does
// not resolve fails the same way instead of advertising loopback, and so do the
// secured listener's usual mistakes (a missing keystore or none at all, a wrong
// keystore password, an unknown SASL mechanism, PLAIN without its JAAS config, a JAAS
// config without the broker's own user). The file without those settings then
// starts, so the refusals are the settings' doing.
func TestConfigFailsClosed(t *testing.T) {
	dir := t.TempDir()
	bp, cp := freePort(t), freePort(t)
	brokerAddr, controllerAddr := fmt.Sprintf("127.0.0.1:%d", bp), fmt.Sprintf("127.0.0.1:%d", cp)
	voters := fmt.Sprintf("controller.quorum.voters=1@127.0.0.1:%d", cp)
	listeners := fmt.Sprintf("listeners=PLAINTEXT://%s,CONTROLLER://%s", brokerAddr, controllerAddr)
	base := []string{
		"process.roles=broker,controller",
		"node.id=1",
		voters,
		listeners,
		"controller.listener.names=CONTROLLER",
		"log.dirs=" + filepath.Join(dir, "data"),
		"offsets.topic.replication.factor=1",
	}
	basePath := writeProperties(t, dir, "server", base)
	clusterID := strings.TrimSpace(Run(t, "storage", "random-uuid"))
	Run(t, "storage", "format", "-t", clusterID, "-c", basePath)

	const security = "this security feature is not supported yet"
	tests := []struct {
		name    string
		replace map[string]string // base line -> its replacement
		extra   []string
		key     string
		msg     string
	}{
		{name: "sasl-ssl-listener",
			replace: map[string]string{listeners: fmt.Sprintf("listeners=SASL_SSL://%s,CONTROLLER://%s", brokerAddr, controllerAddr)},
			extra:   []string{"listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT", "inter.broker.listener.name=SASL_SSL"},
			key:     "sasl.mechanism.inter.broker.protocol", msg: "authenticates the replica fetchers with SASL mechanism GSSAPI"},
		{name: "gssapi-controller-listener", extra: []string{"listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:SASL_PLAINTEXT"},
			key: "sasl.mechanism.controller.protocol", msg: "SASL mechanism GSSAPI (Kafka's default is GSSAPI), which is not supported yet"},
		{name: "sasl-kerberos", extra: []string{"sasl.kerberos.service.name=kafka"}, key: "sasl.kerberos.service.name", msg: security},
		{name: "delegation-tokens", extra: []string{"delegation.token.secret.key=s3cret"}, key: "delegation.token.secret.key", msg: security},
		{name: "password-encoder", extra: []string{"password.encoder.secret=s3cret"}, key: "password.encoder.secret", msg: security},
		{name: "zookeeper-acls", extra: []string{"zookeeper.set.acl=true"}, key: "zookeeper.set.acl", msg: security},
		{name: "connection-limit", extra: []string{"max.connections=1000"}, key: "max.connections", msg: "limits are not supported yet"},
		{name: "eligible-leader-replicas", extra: []string{"eligible.leader.replicas.enable=true"}, key: "eligible.leader.replicas.enable", msg: "not supported yet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var lines []string
			for _, l := range base {
				if r, ok := tt.replace[l]; ok {
					l = r
				}
				lines = append(lines, l)
			}
			path := writeProperties(t, dir, tt.name, append(lines, tt.extra...))
			stderr := startMustFail(t, path, 10*time.Second)
			if want := path + ": " + tt.key + ": "; !strings.Contains(stderr, want) || !strings.Contains(stderr, tt.msg) || !strings.Contains(stderr, "not supported yet") {
				t.Errorf("stderr does not name %q with %q and \"not supported yet\":\n%s", want, tt.msg, stderr)
			}
			assertNotListening(t, brokerAddr, controllerAddr)
		})
	}

	// A TLS listener is served, so its keystore must be there: a missing one stops
	// the start naming the key and the file, before anything listens.
	t.Run("tls-keystore-missing", func(t *testing.T) {
		var lines []string
		for _, l := range base {
			if l == listeners {
				l = fmt.Sprintf("listeners=SSL://%s,CONTROLLER://%s", brokerAddr, controllerAddr)
			}
			lines = append(lines, l)
		}
		lines = append(lines, "inter.broker.listener.name=SSL", "listener.security.protocol.map=SSL:SSL,CONTROLLER:PLAINTEXT", "ssl.keystore.type=PKCS12",
			"ssl.keystore.location="+filepath.Join(dir, "no-such.p12"), "ssl.keystore.password=x")
		path := writeProperties(t, dir, "tls-keystore-missing", lines)
		stderr := startMustFail(t, path, 10*time.Second)
		if want := path + ": ssl.keystore.location: "; !strings.Contains(stderr, want) || !strings.Contains(stderr, "no-such.p12") {
			t.Errorf("stderr does not name %q and the keystore file:\n%s", want, stderr)
		}
		assertNotListening(t, brokerAddr, controllerAddr)
	})

	// The misconfigurations of a secured listener an operator makes most, each refused
	// naming the file and the key before anything listens.
	pki := makePKI(t)
	for _, tt := range []struct {
		name, listener string
		extra          []string
		want           []string
	}{
		{"tls-wrong-keystore-password", "SSL", []string{"ssl.keystore.type=PKCS12", "ssl.keystore.location=" + pki.brokerP12, "ssl.keystore.password=guess"},
			[]string{"ssl.keystore.password", pki.brokerP12}},
		{"tls-no-keystore", "SSL", nil, []string{"ssl.keystore.location"}},
		{"sasl-unknown-mechanism", "SASL_PLAINTEXT", []string{"sasl.enabled.mechanisms=SCRAM-SHA-1", "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-1"},
			[]string{"sasl.enabled.mechanisms", "SCRAM-SHA-1"}},
		{"sasl-plain-without-jaas", "SASL_PLAINTEXT", []string{"sasl.enabled.mechanisms=PLAIN", "sasl.mechanism.inter.broker.protocol=PLAIN"},
			[]string{"listener.name.sasl_plaintext.plain.sasl.jaas.config"}},
		{"sasl-jaas-without-the-brokers-user", "SASL_PLAINTEXT", []string{"sasl.enabled.mechanisms=PLAIN", "sasl.mechanism.inter.broker.protocol=PLAIN",
			`listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";`},
			[]string{"listener.name.sasl_plaintext.plain.sasl.jaas.config", "username"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var lines []string
			for _, l := range base {
				if l == listeners {
					l = fmt.Sprintf("listeners=%s://%s,CONTROLLER://%s", tt.listener, brokerAddr, controllerAddr)
				}
				lines = append(lines, l)
			}
			lines = append(lines, "inter.broker.listener.name="+tt.listener,
				fmt.Sprintf("listener.security.protocol.map=%s:%s,CONTROLLER:PLAINTEXT", tt.listener, tt.listener))
			path := writeProperties(t, dir, tt.name, append(lines, tt.extra...))
			stderr := startMustFail(t, path, 10*time.Second)
			for _, want := range append([]string{path}, tt.want...) {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr does not name %q:\n%s", want, stderr)
				}
			}
			assertNotListening(t, brokerAddr, controllerAddr)
		})
	}

	// Resolution goes to DNS; .invalid never resolves (RFC 6761), so this waits
	// at most for the resolver's own timeout.
	t.Run("unresolvable-voter-host", func(t *testing.T) {
		const host = "kbridge-no-such-host.invalid"
		lines := []string{fmt.Sprintf("controller.quorum.voters=1@%s:%d", host, cp)}
		for _, l := range base {
			if l != voters {
				lines = append(lines, l)
			}
		}
		path := writeProperties(t, dir, "unresolvable", lines)
		stderr := startMustFail(t, path, 30*time.Second)
		if want := path + ": controller.quorum.voters: "; !strings.Contains(stderr, want) || !strings.Contains(stderr, host) {
			t.Errorf("stderr does not name %q and the host %s:\n%s", want, host, stderr)
		}
		assertNotListening(t, brokerAddr, controllerAddr)
	})

	n := &Node{t: t, ConfigPath: basePath, DataDir: filepath.Join(dir, "data"), BrokerAddr: brokerAddr, logPath: filepath.Join(dir, "server.log")}
	t.Cleanup(n.Stop)
	n.Start()
	n.Stop()
}

// writeProperties writes lines as dir/name.properties and returns its path.
func writeProperties(t *testing.T, dir, name string, lines []string) string {
	t.Helper()
	path := filepath.Join(dir, name+".properties")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// startMustFail runs `kbridge server start path` and returns its stderr; it
// fails the test unless the process exits non-zero within limit.
func startMustFail(t *testing.T, path string, limit time.Duration) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, kbridgeBin, "server", "start", path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("kbridge server start %s still running after %v; stderr:\n%s", path, limit, stderr.String())
	case err == nil:
		t.Fatalf("kbridge server start %s exited 0; stderr:\n%s", path, stderr.String())
	case !errors.As(err, &exit):
		t.Fatalf("kbridge server start %s: %v", path, err)
	}
	return stderr.String()
}

// assertNotListening fails the test if anything accepts on addrs.
func assertNotListening(t *testing.T, addrs ...string) {
	t.Helper()
	for _, addr := range addrs {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			t.Errorf("something accepts on %s after a refused start", addr)
		}
	}
}
