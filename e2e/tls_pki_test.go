package e2e

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// testPKI is a certificate authority and the certificates it signed, made with
// openssl as an operator would: the broker's (for 127.0.0.1 and localhost) as a PKCS12
// keystore and as PEM, and a client's with the subject CN=alice,O=kbridge.
type testPKI struct {
	dir                   string
	caCert                string // PEM
	brokerP12, p12Pass    string
	clientCert, clientKey string // PEM
}

// makePKI writes the PKI into a temporary directory. openssl is a test dependency
// (make test-deps): its absence fails the test.
func makePKI(t testing.TB) testPKI {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Fatalf("the TLS tests need openssl (make test-deps): %v", err)
	}
	dir := t.TempDir()
	p := testPKI{
		dir: dir, caCert: filepath.Join(dir, "ca.pem"), brokerP12: filepath.Join(dir, "broker.p12"), p12Pass: "broker-secret",
		clientCert: filepath.Join(dir, "alice.pem"), clientKey: filepath.Join(dir, "alice.key"),
	}
	ext := filepath.Join(dir, "broker.ext")
	if err := os.WriteFile(ext, []byte("subjectAltName=IP:127.0.0.1,DNS:localhost\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	openssl := func(args ...string) {
		t.Helper()
		cmd := exec.Command("openssl", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=kbridge test CA")
	for _, c := range []struct{ name, subj, ext string }{
		{"broker", "/CN=broker", ext},
		{"alice", "/O=kbridge/CN=alice", ""},
	} {
		openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", c.name+".key", "-out", c.name+".csr", "-subj", c.subj)
		args := []string{"x509", "-req", "-in", c.name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", c.name + ".pem", "-days", "2"}
		if c.ext != "" {
			args = append(args, "-extfile", c.ext)
		}
		openssl(args...)
	}
	openssl("pkcs12", "-export", "-in", "broker.pem", "-inkey", "broker.key", "-certfile", "ca.pem", "-out", "broker.p12", "-passout", "pass:"+p.p12Pass)
	return p
}

// brokerTLS is the server.properties lines of a broker serving TLS with the PKCS12
// keystore and the CA as its PEM truststore, asking client certificates as clientAuth
// says (none, requested, required).
func (p testPKI) brokerTLS(clientAuth string) []string {
	return []string{
		"ssl.keystore.type=PKCS12",
		"ssl.keystore.location=" + p.brokerP12,
		"ssl.keystore.password=" + p.p12Pass,
		"ssl.truststore.type=PEM",
		"ssl.truststore.location=" + p.caCert,
		"ssl.client.auth=" + clientAuth,
	}
}

// clientTLS is a client's TLS config trusting the CA, with alice's certificate when
// withCert is set.
func (p testPKI) clientTLS(t testing.TB, withCert bool) *tls.Config {
	t.Helper()
	ca, err := os.ReadFile(p.caCert)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		t.Fatal("no CA certificate in ca.pem")
	}
	cfg := &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
	if withCert {
		cert, err := tls.LoadX509KeyPair(p.clientCert, p.clientKey)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg
}
