package kclient

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Passwords of the generated stores and keys.
const (
	testStorePass = "store-secret"
	testKeyPass   = "key-secret"
	testTrustPass = "trust-secret"
)

// testPKI is a CA and what it signed, made with openssl at test time (the Java
// stores converted by keytool, as an operator would): a broker certificate for
// 127.0.0.1 and localhost, one for another host only, and alice's client
// certificate as PEM, encrypted PKCS#8, PKCS12 and JKS; truststores as PEM,
// PKCS12 and JKS.
type testPKI struct {
	dir                     string
	caPEM                   string
	server, elsewhere       tls.Certificate
	clientPEM, clientKeyEnc string
	clientP12, clientJKS    string // testStorePass; the JKS key testKeyPass
	trustP12, trustJKS      string // testTrustPass
	caPool                  *x509.CertPool
}

// pkiConfig holds the certificates' extensions.
const pkiConfig = `[req]
distinguished_name = dn
prompt = no
[dn]
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
[server]
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
[elsewhere]
extendedKeyUsage = serverAuth
subjectAltName = DNS:broker.invalid
[client]
extendedKeyUsage = clientAuth
`

// makePKI writes the PKI into a temporary directory. openssl and keytool are
// test dependencies (make test-deps): a missing one fails the test.
func makePKI(t *testing.T) testPKI {
	t.Helper()
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	if err := os.WriteFile(p("pki.cnf"), []byte(pkiConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	openssl := func(args ...string) { runTool(t, dir, "openssl", args...) }
	keytool := func(args ...string) { runTool(t, dir, "keytool", args...) }
	openssl("req", "-config", "pki.cnf", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
		"-days", "2", "-subj", "/CN=kclient test CA", "-extensions", "ca")
	for _, c := range []struct{ name, subj string }{{"server", "/CN=broker"}, {"elsewhere", "/CN=elsewhere"}, {"client", "/CN=alice"}} {
		openssl("req", "-config", "pki.cnf", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
			"-keyout", c.name+".key", "-out", c.name+".csr", "-subj", c.subj)
		openssl("x509", "-req", "-in", c.name+".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
			"-extfile", "pki.cnf", "-extensions", c.name, "-out", c.name+".pem")
	}
	openssl("pkcs8", "-topk8", "-in", "client.key", "-out", "client.enc.key", "-passout", "pass:"+testKeyPass)
	openssl("pkcs12", "-export", "-in", "client.pem", "-inkey", "client.key", "-certfile", "ca.pem", "-name", "alice",
		"-out", "client.p12", "-passout", "pass:"+testStorePass)
	keytool("-importkeystore", "-noprompt", "-srckeystore", "client.p12", "-srcstoretype", "PKCS12", "-srcstorepass", testStorePass,
		"-srcalias", "alice", "-destkeystore", "client.jks", "-deststoretype", "JKS", "-deststorepass", testStorePass,
		"-srckeypass", testStorePass, "-destkeypass", testKeyPass)
	for _, typ := range []string{"JKS", "PKCS12"} {
		keytool("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-keystore", "trust."+strings.ToLower(typ),
			"-storetype", typ, "-storepass", testTrustPass)
	}
	pki := testPKI{
		dir: dir, caPEM: p("ca.pem"), clientPEM: p("client.pem"), clientKeyEnc: p("client.enc.key"),
		clientP12: p("client.p12"), clientJKS: p("client.jks"), trustP12: p("trust.pkcs12"), trustJKS: p("trust.jks"),
		caPool: x509.NewCertPool(),
	}
	var err error
	if pki.server, err = tls.LoadX509KeyPair(p("server.pem"), p("server.key")); err != nil {
		t.Fatal(err)
	}
	if pki.elsewhere, err = tls.LoadX509KeyPair(p("elsewhere.pem"), p("elsewhere.key")); err != nil {
		t.Fatal(err)
	}
	if !pki.caPool.AppendCertsFromPEM([]byte(readFile(t, pki.caPEM))) {
		t.Fatal("no certificate in ca.pem")
	}
	return pki
}

// runTool runs a PKI tool in dir; the JDK's keytool may live in /usr/lib/jvm
// only. A missing tool fails the test.
func runTool(t *testing.T, dir, name string, args ...string) {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		found, _ := filepath.Glob("/usr/lib/jvm/*/bin/" + name)
		if len(found) == 0 {
			t.Fatalf("%s is needed to make the test's certificates and stores (make test-deps): %v", name, err)
		}
		path = found[0]
	}
	cmd := exec.Command(path, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
