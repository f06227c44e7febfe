package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// startSecuredNode starts a KRaft node with a PLAINTEXT listener and a SASL_SSL one
// (SCRAM-SHA-512 and SCRAM-SHA-256, the broker's certificate from pki) and extra
// properties, formatted with formatArgs (e.g. --add-scram), and returns it with the
// SASL_SSL address.
func startSecuredNode(t testing.TB, pki testPKI, extra []string, formatArgs ...string) (*Node, string) {
	t.Helper()
	dir := t.TempDir()
	bp, sp, cp := freePort(t), freePort(t), freePort(t)
	props := append([]string{
		"process.roles=broker,controller",
		"node.id=1",
		fmt.Sprintf("controller.quorum.voters=1@127.0.0.1:%d", cp),
		fmt.Sprintf("listeners=PLAINTEXT://127.0.0.1:%d,SASL_SSL://127.0.0.1:%d,CONTROLLER://127.0.0.1:%d", bp, sp, cp),
		"listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT",
		"controller.listener.names=CONTROLLER",
		"sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256",
		"log.dirs=" + filepath.Join(dir, "data"),
		"offsets.topic.replication.factor=1",
	}, pki.brokerTLS("none")...)
	props = append(props, extra...)
	return startFormatted(t, dir, fmt.Sprintf("127.0.0.1:%d", bp), props, formatArgs...), fmt.Sprintf("127.0.0.1:%d", sp)
}

// clientProperties writes a client properties file for user over SASL_SSL with
// mechanism, trusting pki's CA, its JAAS config on continuation lines as operators
// write it.
func clientProperties(t *testing.T, pki testPKI, mechanism, user, password string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), user+".properties")
	text := "security.protocol=SASL_SSL\n" +
		"ssl.truststore.type=PEM\n" +
		"ssl.truststore.location=" + pki.caCert + "\n" +
		"sasl.mechanism=" + mechanism + "\n" +
		"sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\\n" +
		"    username=\"" + user + "\" \\\n" +
		"    password=\"" + password + "\";\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCommandConfigOverSASLSSL: the client commands reach a SASL_SSL listener with
// the security settings of a Kafka client properties file (PEM truststore, the broker's
// name verified, SCRAM-SHA-512 from sasl.jaas.config): topics with --command-config,
// console-producer with --producer.config, console-consumer with --consumer.config; a
// file with a wrong password is refused by the broker.
func TestCommandConfigOverSASLSSL(t *testing.T) {
	pki := makePKI(t)
	_, addr := startSecuredNode(t, pki, nil, "--add-scram", "SCRAM-SHA-512=[name=admin,password=admin-secret]")
	admin := clientProperties(t, pki, "SCRAM-SHA-512", "admin", "admin-secret")

	Run(t, "topics", "create", "--bootstrap-server", addr, "--command-config", admin, "--topic", "secured", "--partitions", "1", "--replication-factor", "1")
	if list := Run(t, "topics", "list", "--bootstrap-server", addr, "--command-config", admin); !strings.Contains(list, "secured") {
		t.Fatalf("topics list over SASL_SSL: %q", list)
	}
	if _, errOut, err := RunWithInput(t, []byte("one\ntwo\n"), "console-producer", "--bootstrap-server", addr, "--producer.config", admin, "--topic", "secured"); err != nil {
		t.Fatalf("console-producer --producer.config: %v\n%s", err, errOut)
	}
	out := Run(t, "console-consumer", "--bootstrap-server", addr, "--consumer.config", admin, "--topic", "secured",
		"--from-beginning", "--max-messages", "2", "--timeout-ms", "15000")
	if got := strings.Fields(out); strings.Join(got, ",") != "one,two" {
		t.Fatalf("console-consumer --consumer.config read %q", out)
	}

	wrong := clientProperties(t, pki, "SCRAM-SHA-512", "admin", "guess")
	_, errOut, err := RunWithInput(t, nil, "topics", "list", "--bootstrap-server", addr, "--command-config", wrong)
	if err == nil || !strings.Contains(errOut, "SASL_AUTHENTICATION_FAILED") {
		t.Fatalf("a wrong password: %v\n%s", err, errOut)
	}
}
