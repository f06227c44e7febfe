package tlsconf

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Passwords of the generated stores.
const (
	storePass = "storepass"
	keyPass   = "keypass"
	trustPass = "trustpass"
)

// material is a CA, a server certificate for localhost and 127.0.0.1 (and
// one naming localhost only in its common name), a
// client certificate for CN=alice,OU=eng,O=example and one for a client of
// another CA, in every form the tests read: PEM (plain and encrypted PKCS#8
// keys, key and chain in one file), PKCS12 as OpenSSL 3 writes it by default
// (AES-256-CBC, PBKDF2) and JKS and PKCS12 stores made by keytool.
type material struct {
	dir string

	caPEM, otherCAPEM string // CA certificates

	serverPEM, serverKey, serverKeyEnc, serverKeyPKCS1 string
	serverKeyPBES1                                     string // encrypted the PKCS#12 way (openssl pkcs8 -v1)
	cnOnlyBundle                                       string // CN=localhost without subject alternative names
	serverBundle, serverBundleEnc                      string // key and chain in one file
	serverP12                                          string // openssl, storePass
	serverP12Keytool                                   string // keytool, storePass
	serverJKS                                          string // storePass, key keyPass
	serverJKSOnePass                                   string // storePass for store and key
	serverJCEKS                                        string // storePass

	clientPEM, clientKey string
	clientP12, clientJKS string // storePass
	strangerBundle       string // a client certificate and key of the other CA

	trustJKS, trustP12   string // keytool, trustPass
	trustP12OpenSSL      string // openssl, without Java's trusted attribute
	trustOtherPEM        string // the other CA only
	trustJKSWithKeyEntry string // a keystore used as truststore: trusts the server's own certificate
}

// opensslConfig holds the extensions of the generated certificates.
const opensslConfig = `[req]
distinguished_name = dn
prompt = no
[dn]
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
[cnonly]
basicConstraints = CA:FALSE
extendedKeyUsage = serverAuth
[client]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
`

// newMaterial generates the material into a new temporary directory with
// openssl and keytool; either missing fails the test.
func newMaterial(t *testing.T) *material {
	t.Helper()
	m := &material{dir: t.TempDir()}
	p := func(name string) string { return filepath.Join(m.dir, name) }
	write(t, p("openssl.cnf"), opensslConfig)
	ssl := func(args ...string) { run(t, m.dir, "openssl", args...) }
	kt := func(args ...string) { run(t, m.dir, "keytool", args...) }

	newCA := func(name, subject string) {
		ssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", name+".key")
		ssl("req", "-config", "openssl.cnf", "-x509", "-new", "-key", name+".key", "-subj", subject,
			"-days", "2", "-extensions", "ca", "-out", name+".pem")
	}
	issue := func(ca, name, subject, ext string, keyArgs ...string) {
		ssl(append([]string{"genpkey", "-out", name + ".key"}, keyArgs...)...)
		ssl("req", "-config", "openssl.cnf", "-new", "-key", name+".key", "-subj", subject, "-out", name+".csr")
		ssl("x509", "-req", "-in", name+".csr", "-CA", ca+".pem", "-CAkey", ca+".key", "-CAcreateserial",
			"-days", "2", "-extfile", "openssl.cnf", "-extensions", ext, "-out", name+".pem")
	}
	rsa := []string{"-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"}
	ec := []string{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"}

	newCA("ca", "/CN=kbridge test CA")
	newCA("otherca", "/CN=another CA")
	issue("ca", "server", "/CN=localhost", "server", rsa...)
	issue("ca", "client", "/O=example/OU=eng/CN=alice", "client", ec...)
	issue("otherca", "stranger", "/CN=mallory", "client", ec...)
	issue("ca", "cnonly", "/CN=localhost", "cnonly", ec...)
	m.caPEM, m.otherCAPEM = p("ca.pem"), p("otherca.pem")
	m.serverPEM, m.serverKey = p("server.pem"), p("server.key")
	m.clientPEM, m.clientKey = p("client.pem"), p("client.key")

	// OpenSSL 3's defaults: PBES2 with PBKDF2 and AES-256-CBC.
	m.serverKeyEnc = p("server.enc.key")
	ssl("pkcs8", "-topk8", "-in", "server.key", "-out", "server.enc.key", "-passout", "pass:"+keyPass)
	m.serverKeyPBES1 = p("server.pbes1.key")
	ssl("pkcs8", "-topk8", "-v1", "PBE-SHA1-3DES", "-in", "server.key", "-out", "server.pbes1.key", "-passout", "pass:"+keyPass)
	m.serverKeyPKCS1 = p("server.pkcs1.key")
	ssl("pkey", "-in", "server.key", "-traditional", "-out", "server.pkcs1.key")

	m.serverBundle = p("server-bundle.pem")
	write(t, m.serverBundle, read(t, m.serverKey)+read(t, m.serverPEM)+read(t, m.caPEM))
	m.serverBundleEnc = p("server-bundle-enc.pem")
	write(t, m.serverBundleEnc, read(t, m.serverPEM)+read(t, m.caPEM)+read(t, m.serverKeyEnc))
	m.cnOnlyBundle = p("cnonly-bundle.pem")
	write(t, m.cnOnlyBundle, read(t, p("cnonly.pem"))+read(t, p("cnonly.key")))
	m.strangerBundle = p("stranger-bundle.pem")
	write(t, m.strangerBundle, read(t, p("stranger.pem"))+read(t, p("stranger.key")))

	m.serverP12, m.clientP12 = p("server.p12"), p("client.p12")
	ssl("pkcs12", "-export", "-in", "server.pem", "-inkey", "server.key", "-certfile", "ca.pem",
		"-name", "server", "-out", "server.p12", "-passout", "pass:"+storePass)
	ssl("pkcs12", "-export", "-in", "client.pem", "-inkey", "client.key", "-certfile", "ca.pem",
		"-name", "client", "-out", "client.p12", "-passout", "pass:"+storePass)
	m.trustP12OpenSSL = p("trust-openssl.p12")
	ssl("pkcs12", "-export", "-nokeys", "-in", "ca.pem", "-out", "trust-openssl.p12", "-passout", "pass:"+trustPass)
	m.trustOtherPEM = m.otherCAPEM

	toJKS := func(src, alias, dest string, extra ...string) {
		kt(append([]string{"-importkeystore", "-noprompt", "-srckeystore", src, "-srcstoretype", "PKCS12",
			"-srcstorepass", storePass, "-srcalias", alias, "-destkeystore", dest, "-deststoretype", "JKS",
			"-deststorepass", storePass}, extra...)...)
	}
	m.serverJKS, m.serverJKSOnePass, m.clientJKS = p("server.jks"), p("server-onepass.jks"), p("client.jks")
	toJKS("server.p12", "server", "server.jks", "-srckeypass", storePass, "-destkeypass", keyPass)
	toJKS("server.p12", "server", "server-onepass.jks")
	toJKS("client.p12", "client", "client.jks")

	m.serverP12Keytool = p("server-keytool.p12")
	kt("-importkeystore", "-noprompt", "-srckeystore", "server-onepass.jks", "-srcstoretype", "JKS", "-srcstorepass", storePass,
		"-destkeystore", "server-keytool.p12", "-deststoretype", "PKCS12", "-deststorepass", storePass)

	m.serverJCEKS = p("server.jceks")
	kt("-importkeystore", "-noprompt", "-srckeystore", "server-onepass.jks", "-srcstoretype", "JKS", "-srcstorepass", storePass,
		"-destkeystore", "server.jceks", "-deststoretype", "JCEKS", "-deststorepass", storePass)

	m.trustJKS, m.trustP12 = p("trust.jks"), p("trust.p12")
	kt("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-keystore", "trust.jks", "-storetype", "JKS", "-storepass", trustPass)
	kt("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-keystore", "trust.p12", "-storetype", "PKCS12", "-storepass", trustPass)
	m.trustJKSWithKeyEntry = m.serverJKSOnePass
	return m
}

// tool finds a program the tests need: on the PATH or, for the JDK's, in
// /usr/lib/jvm. A missing one fails the test; it is never skipped.
func tool(t *testing.T, name string) string {
	t.Helper()
	if path, err := exec.LookPath(name); err == nil {
		return path
	}
	if found, _ := filepath.Glob("/usr/lib/jvm/*/bin/" + name); len(found) > 0 {
		return found[0]
	}
	t.Fatalf("%s is needed to generate the test's keys and stores, but is neither on the PATH nor in /usr/lib/jvm/*/bin", name)
	return ""
}

func run(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(tool(t, name), args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}
