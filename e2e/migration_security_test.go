package e2e

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kbridge/kbridge/migrate"
)

// securedAdmin is the server.properties lines that turn the authorizer on with admin
// and the nodes' own principal as super users; with no ACLs everyone else may still
// use the brokers (allow.everyone.if.no.acl.found), but not the admin endpoint.
var securedAdmin = []string{
	"authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
	"super.users=User:admin;User:kbridge",
	"allow.everyone.if.no.acl.found=true",
}

// commandConfig writes a `--command-config` file for the controller listener:
// SASL_SSL trusting the test CA, logging in as user with PLAIN; user "" leaves SASL
// out (security.protocol=SSL).
func (p testPKI) commandConfig(t *testing.T, user, password string) string {
	t.Helper()
	lines := []string{"ssl.truststore.type=PEM", "ssl.truststore.location=" + p.caCert}
	if user == "" {
		lines = append(lines, "security.protocol=SSL")
	} else {
		lines = append(lines, "security.protocol=SASL_SSL", "sasl.mechanism=PLAIN",
			fmt.Sprintf(`sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="%s" password="%s";`, user, password))
	}
	return writeProperties(t, t.TempDir(), "client-"+user, lines)
}

// TestMigrationOverSecuredControllerListener: a ZooKeeper-mode broker migrates to a
// migration controller whose listener is SASL_SSL with PLAIN and whose authorizer
// serves the admin endpoint to super users only. The broker's quorum link registers
// over it; `kbridge migrate` with a --command-config of Kafka's client keys reaches the
// endpoint over HTTPS with Basic credentials: admin (a super user) reads the status,
// runs the dry-run against the quorum and commits, after which the broker moves to the
// quorum over the same listener; alice (authenticated, not a super user) is refused
// 403, a client without SASL credentials 401 and a plaintext one cannot speak to it.
func TestMigrationOverSecuredControllerListener(t *testing.T) {
	pki := makePKI(t)
	extra := append(append(append([]string{"listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:SASL_SSL"},
		pki.controllerTLS("none")...), controllerPLAIN...), securedAdmin...)
	m := StartMigrationCluster(t, 1, 1, extra...)
	m.StartControllers()
	admin := pki.commandConfig(t, "admin", "admin-secret")
	status := func(config string) (migrate.Status, string, error) {
		out, stderr, err := RunWithInput(t, nil, "migrate", "status", "--controller", m.ControllerAddr(), "--command-config", config, "--output", "json")
		var st migrate.Status
		if err == nil {
			err = json.Unmarshal([]byte(out), &st)
		}
		return st, stderr, err
	}
	WaitFor(t, 30*time.Second, "the broker registered with the quorum over SASL_SSL (PRE_MIGRATION, READY)", func() bool {
		st, _, err := status(admin)
		return err == nil && st.Phase == migrate.PhasePreMigration && st.SubState == "READY"
	})

	for name, tt := range map[string]struct {
		config string
		says   string
	}{
		"alice, not a super user":  {pki.commandConfig(t, "alice", "alice-secret"), "principal User:alice is not a super user"},
		"no SASL credentials":      {pki.commandConfig(t, "", ""), "401 Unauthorized"},
		"a wrong password":         {pki.commandConfig(t, "admin", "guess"), "invalid username or password"},
		"a plaintext HTTP request": {writeProperties(t, t.TempDir(), "plain", []string{"security.protocol=PLAINTEXT"}), "controller " + m.ControllerAddr()},
	} {
		if _, stderr, err := status(tt.config); err == nil || !strings.Contains(stderr, tt.says) {
			t.Errorf("migrate status as %s: %v, want a refusal saying %q:\n%s", name, err, tt.says, stderr)
		}
	}
	if got := adminStatus(t, pki.clientTLS(t, false), m.ControllerAddr(), "alice", "alice-secret"); got != http.StatusForbidden {
		t.Errorf("GET /v1/state as alice: %d, want 403", got)
	}

	report, code := dryRunReport(t, "--zookeeper", m.Connect(), "--controller", m.ControllerAddr(), "--command-config", admin)
	if code != 0 || report.Quorum == nil || report.Quorum.LeaderID != 3000 {
		t.Fatalf("dry-run as admin: exit %d, quorum %+v, findings %+v", code, report.Quorum, report.Findings)
	}
	Run(t, "migrate", "commit", "--controller", m.ControllerAddr(), "--command-config", admin)
	WaitFor(t, 30*time.Second, "the broker on the quorum over SASL_SSL", func() bool {
		st, _, err := status(admin)
		return err == nil && st.Phase == migrate.PhaseBrokersOnKRaft
	})
}

// TestAdminEndpointCertificatePrincipals: on a controller listener mapped to SSL
// (client certificates requested) with an authorizer, the admin endpoint's principal
// is the client certificate's: alice's certificate, a super user, is served; the
// broker's certificate (User:CN=broker) is refused 403, a client without a certificate
// 401.
func TestAdminEndpointCertificatePrincipals(t *testing.T) {
	pki := makePKI(t)
	dir := t.TempDir()
	bp, cp := freePort(t), freePort(t)
	controller := fmt.Sprintf("127.0.0.1:%d", cp)
	startFormatted(t, dir, fmt.Sprintf("127.0.0.1:%d", bp), append([]string{
		"process.roles=broker,controller",
		"node.id=1",
		"controller.quorum.voters=1@" + controller,
		fmt.Sprintf("listeners=PLAINTEXT://127.0.0.1:%d,CONTROLLER://%s", bp, controller),
		"listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:SSL",
		"controller.listener.names=CONTROLLER",
		"log.dirs=" + filepath.Join(dir, "data"),
		"offsets.topic.replication.factor=1",
		"authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
		"super.users=User:CN=alice,O=kbridge",
		"allow.everyone.if.no.acl.found=true",
	}, pki.controllerTLS("requested")...))
	withCert := func(cert, key string) *tls.Config {
		tc := pki.clientTLS(t, false)
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			t.Fatal(err)
		}
		tc.Certificates = []tls.Certificate{pair}
		return tc
	}
	for name, tt := range map[string]struct {
		tc   *tls.Config
		want int
	}{
		"alice":                 {pki.clientTLS(t, true), http.StatusOK},
		"the broker":            {withCert(filepath.Join(pki.dir, "broker.pem"), filepath.Join(pki.dir, "broker.key")), http.StatusForbidden},
		"a client without cert": {pki.clientTLS(t, false), http.StatusUnauthorized},
	} {
		if got := adminStatus(t, tt.tc, controller, "", ""); got != tt.want {
			t.Errorf("GET /v1/state as %s: %d, want %d", name, got, tt.want)
		}
	}
}
