package kclient

import (
	"context"
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// tlsCluster runs a kfake broker serving TLS with cfg (and opts) and returns
// its bootstrap address.
func tlsCluster(t *testing.T, cfg *tls.Config, opts ...kfake.Opt) string {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1), kfake.TLS(cfg)}, opts...)...)
	if err != nil {
		t.Fatalf("start kfake: %v", err)
	}
	t.Cleanup(c.Close)
	return strings.Join(c.ListenAddrs(), ",")
}

// connFromFile writes text as a client properties file and loads it as a
// command does, so each case goes through the file's parsing too.
func connFromFile(t *testing.T, bootstrap, text string) (Conn, string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "client.properties")
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := LoadConn(bootstrap, file, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	return c, file
}

// ping connects with the connection's security settings and asks the broker
// for metadata.
func ping(conn Conn, timeout time.Duration) error {
	cl, err := conn.newClient(roleAdmin)
	if err != nil {
		return err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return cl.Ping(ctx)
}

// TestTLSClientProperties: the truststore in each of Kafka's forms (PEM file,
// inline PEM, PKCS12 and JKS with their passwords), hostname verification on
// by default and off with an empty ssl.endpoint.identification.algorithm,
// mutual TLS with the client certificate from a PKCS12 or JKS keystore or
// from inline PEM with an encrypted key, and ssl.enabled.protocols, each
// against a kfake broker serving TLS.
func TestTLSClientProperties(t *testing.T) {
	pki := makePKI(t)
	plain := tlsCluster(t, &tls.Config{Certificates: []tls.Certificate{pki.server}})
	elsewhere := tlsCluster(t, &tls.Config{Certificates: []tls.Certificate{pki.elsewhere}})
	mutual := tlsCluster(t, &tls.Config{Certificates: []tls.Certificate{pki.server},
		ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pki.caPool})
	tls13 := tlsCluster(t, &tls.Config{Certificates: []tls.Certificate{pki.server}, MinVersion: tls.VersionTLS13})

	// A PEM value folded onto continuation lines, as an operator pastes it.
	inlineCA := "ssl.truststore.certificates=" + strings.ReplaceAll(strings.TrimSpace(readFile(t, pki.caPEM)), "\n", " \\\n  ") + "\n"
	pemTrust := "ssl.truststore.type=PEM\nssl.truststore.location=" + pki.caPEM + "\n"
	inlineClient := "ssl.keystore.type=PEM\nssl.key.password=" + testKeyPass + "\n" +
		"ssl.keystore.certificate.chain=" + strings.ReplaceAll(strings.TrimSpace(readFile(t, pki.clientPEM)), "\n", "\\n") + "\n" +
		"ssl.keystore.key=" + strings.ReplaceAll(strings.TrimSpace(readFile(t, pki.clientKeyEnc)), "\n", "\\n") + "\n"
	for _, tc := range []struct {
		name, bootstrap, props, wantErr string
	}{
		{"PEM truststore file", plain, pemTrust, ""},
		{"inline PEM truststore", plain, "ssl.truststore.type=PEM\n" + inlineCA, ""},
		{"PKCS12 truststore", plain, "ssl.truststore.type=PKCS12\nssl.truststore.location=" + pki.trustP12 + "\nssl.truststore.password=" + testTrustPass + "\n", ""},
		{"JKS truststore, Kafka's default type", plain, "ssl.truststore.location=" + pki.trustJKS + "\nssl.truststore.password=" + testTrustPass + "\n", ""},
		{"no truststore: the system's roots do not know the CA", plain, "", "certificate signed by unknown authority"},
		{"certificate for another host", elsewhere, pemTrust, "doesn't contain any IP SANs"},
		{"hostname verification off", elsewhere, pemTrust + "ssl.endpoint.identification.algorithm=\n", ""},
		{"client certificate required, none given", mutual, pemTrust, "certificate"},
		{"PKCS12 keystore", mutual, pemTrust + "ssl.keystore.type=PKCS12\nssl.keystore.location=" + pki.clientP12 + "\nssl.keystore.password=" + testStorePass + "\n", ""},
		{"JKS keystore with ssl.key.password", mutual, pemTrust + "ssl.keystore.location=" + pki.clientJKS + "\nssl.keystore.password=" + testStorePass + "\nssl.key.password=" + testKeyPass + "\n", ""},
		{"inline PEM keystore, encrypted key", mutual, pemTrust + inlineClient, ""},
		{"TLSv1.2 only against a TLS 1.3 broker", tls13, pemTrust + "ssl.enabled.protocols=TLSv1.2\n", "protocol version"},
		{"TLSv1.3 enabled", tls13, pemTrust + "ssl.enabled.protocols=TLSv1.3\nssl.protocol=TLSv1.3\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, _ := connFromFile(t, tc.bootstrap, "security.protocol=SSL\n"+tc.props)
			err := ping(conn, 10*time.Second)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("ping: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("ping: got %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
}

// TestSASLClientProperties: PLAIN and SCRAM-SHA-512 credentials from
// sasl.jaas.config in the syntax Kafka's JaasConfig reads (double or single
// quotes, continuation lines in the file), over SASL_PLAINTEXT and SASL_SSL;
// a wrong password is refused by the broker.
func TestSASLClientProperties(t *testing.T) {
	pki := makePKI(t)
	users := []kfake.Opt{kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-512", "alice", "alice-secret"),
		kfake.Superuser("PLAIN", "bob", "bob's secret")}
	plaintext, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1)}, users...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(plaintext.Close)
	overTLS := tlsCluster(t, &tls.Config{Certificates: []tls.Certificate{pki.server}}, users...)
	sslProps := "security.protocol=SASL_SSL\nssl.truststore.type=PEM\nssl.truststore.location=" + pki.caPEM + "\n"
	for _, tc := range []struct {
		name, bootstrap, props string
		ok                     bool
	}{
		{"SCRAM, continuation lines", plaintext.ListenAddrs()[0], "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\n" +
			"sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\\n    username=\"alice\" \\\n    password=\"alice-secret\";\n", true},
		{"PLAIN, double quotes holding a single quote", plaintext.ListenAddrs()[0], "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n" +
			`sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=bob password="bob's secret";` + "\n", true},
		{"SCRAM over TLS, single quotes", overTLS, sslProps + "sasl.mechanism=SCRAM-SHA-512\n" +
			`sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username='alice' password='alice-secret';` + "\n", true},
		{"wrong password", plaintext.ListenAddrs()[0], "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\n" +
			`sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="nope";` + "\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, _ := connFromFile(t, tc.bootstrap, tc.props)
			if err := ping(conn, 10*time.Second); (err == nil) != tc.ok {
				t.Fatalf("ping: %v, want success %v", err, tc.ok)
			}
		})
	}
}

// TestSecurityPropertyErrors: a bad value fails before any connection with an
// error naming the file and the key, and never repeating a password.
func TestSecurityPropertyErrors(t *testing.T) {
	pki := makePKI(t)
	scram := "sasl.mechanism=SCRAM-SHA-256\nsecurity.protocol=SASL_PLAINTEXT\n"
	for _, tc := range []struct {
		name, props, key, want string
	}{
		{"unknown protocol", "security.protocol=TLS\n", "security.protocol", "unknown protocol"},
		{"wrong truststore password", "security.protocol=SSL\nssl.truststore.location=" + pki.trustJKS + "\nssl.truststore.password=wrong-secret\n",
			"ssl.truststore.password", "wrong password"},
		{"missing truststore", "security.protocol=SSL\nssl.truststore.type=PKCS12\nssl.truststore.location=/nonexistent/trust.p12\n",
			"ssl.truststore.location", "no such file"},
		{"PEM store with a password", "security.protocol=SSL\nssl.truststore.type=PEM\nssl.truststore.location=" + pki.caPEM + "\nssl.truststore.password=x-secret\n",
			"ssl.truststore.password", "PEM"},
		{"wrong key password", "security.protocol=SSL\nssl.keystore.location=" + pki.clientJKS + "\nssl.keystore.password=" + testStorePass + "\nssl.key.password=wrong-secret\n",
			"ssl.key.password", "password"},
		{"unknown endpoint identification", "security.protocol=SSL\nssl.endpoint.identification.algorithm=ldaps\n", "ssl.endpoint.identification.algorithm", "ldaps"},
		{"unknown protocol version", "security.protocol=SSL\nssl.enabled.protocols=TLSv1.4\n", "ssl.enabled.protocols", "TLSv1.4"},
		{"unimplemented key", "security.protocol=SSL\nssl.provider=BC\n", "ssl.provider", "not supported"},
		{"GSSAPI default", "security.protocol=SASL_SSL\n", "sasl.mechanism", "GSSAPI"},
		{"lower-case mechanism", "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=plain\n", "sasl.mechanism", "not supported"},
		{"no JAAS config", scram, "sasl.jaas.config", "not set"},
		{"login module of another mechanism", scram +
			`sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="a" password="p-secret";` + "\n",
			"sasl.jaas.config", "does not go with sasl.mechanism=SCRAM-SHA-256"},
		{"unterminated quote", scram +
			`sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="a" password="p-secret;` + "\n",
			"sasl.jaas.config", ""},
		{"no semicolon", scram +
			`sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="a" password="p-secret"` + "\n",
			"sasl.jaas.config", "semi-colon"},
		{"no password", scram +
			`sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="a";` + "\n",
			"sasl.jaas.config", "no password option"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, file := connFromFile(t, "127.0.0.1:1", tc.props)
			_, err := conn.clientOpts(roleAdmin)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.Contains(msg, file) || !strings.Contains(msg, tc.key) || !strings.Contains(msg, tc.want) {
				t.Fatalf("error %q: want the file %s, the key %s and %q", msg, file, tc.key, tc.want)
			}
			if strings.Contains(msg, "-secret") {
				t.Fatalf("error %q repeats a password", msg)
			}
		})
	}
}

// TestOverrideNamedInErrors: a key set with --producer-property is named
// with that flag.
func TestOverrideNamedInErrors(t *testing.T) {
	conn, err := LoadConn("127.0.0.1:1", "", "--producer-property", []string{"security.protocol=SASL_SSL"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.clientOpts(roleProducer)
	if err == nil || !strings.Contains(err.Error(), "sasl.mechanism") {
		t.Fatalf("got %v", err)
	}
	conn, _ = LoadConn("127.0.0.1:1", "", "--producer-property", []string{"security.protocol=TLS"})
	if _, err = conn.clientOpts(roleProducer); err == nil || !strings.Contains(err.Error(), "security.protocol (set by --producer-property)") {
		t.Fatalf("got %v", err)
	}
}
