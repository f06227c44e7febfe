package tlsconf

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// wantError checks that err names the file and the key as the operator
// wrote it ("server.properties: listener.name.ssl.<key>: ") and says what
// is wrong.
func wantError(t *testing.T, err error, key, detail string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one about %s: %s", key, detail)
	}
	prefix := "server.properties: listener.name.ssl." + key + ": "
	if !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), detail) {
		t.Fatalf("error %q\nwant %q...%q", err, prefix, detail)
	}
}

func testErrors(t *testing.T, m *material) {
	missing := filepath.Join(m.dir, "missing.p12")
	t.Run("missing keystore file", func(t *testing.T) {
		_, err := ServerConfig(settings(keyKeystoreType, "PKCS12", keyKeystoreLocation, missing, keyKeystorePassword, storePass))
		want := "server.properties: listener.name.ssl.ssl.keystore.location: open " + missing + ": no such file or directory"
		if err == nil || err.Error() != want {
			t.Fatalf("error %v\nwant  %s", err, want)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("errors.Is(%v, fs.ErrNotExist) = false", err)
		}
	})
	t.Run("unset KeyName and Source", func(t *testing.T) {
		_, err := ServerConfig(Settings{Values: map[string]string{keyKeystoreLocation: missing, keyKeystorePassword: storePass}})
		if err == nil || !strings.HasPrefix(err.Error(), "ssl.keystore.location: open ") {
			t.Fatalf("error %v, want it to start with the bare key", err)
		}
	})
	withTrust := func(kv ...string) Settings { return trustPEM(m, kv...) }
	cases := []struct {
		name     string
		s        Settings
		client   bool // ClientConfig rather than ServerConfig
		key      string
		detail   string
		alsoWant string
	}{
		{name: "wrong PKCS12 password", s: settings(keyKeystoreLocation, m.serverP12, keyKeystorePassword, "nope"),
			key: keyKeystorePassword, detail: "wrong password for the PKCS12 keystore " + m.serverP12},
		{name: "PKCS12 key password differing from the store's", s: serverPKCS12(m, keyKeyPassword, keyPass),
			key: keyKeyPassword, detail: "differs from listener.name.ssl.ssl.keystore.password"},
		{name: "wrong JKS store password", s: settings(keyKeystoreLocation, m.serverJKS, keyKeystorePassword, "nope", keyKeyPassword, keyPass),
			key: keyKeystorePassword, detail: "wrong password for the JKS keystore " + m.serverJKS},
		{name: "wrong JKS key password", s: settings(keyKeystoreLocation, m.serverJKS, keyKeystorePassword, storePass, keyKeyPassword, "nope"),
			key: keyKeyPassword, detail: `wrong password for the key entry "server" in ` + m.serverJKS},
		{name: "JKS key password defaulting to a store password that does not open the key",
			s:   settings(keyKeystoreLocation, m.serverJKS, keyKeystorePassword, storePass),
			key: keyKeystorePassword, detail: "(listener.name.ssl.ssl.key.password is unset, so the key password is this one)"},
		{name: "wrong PEM key password", s: settings(keyKeystoreType, "PEM", keyKeystoreLocation, m.serverBundleEnc, keyKeyPassword, "nope"),
			key: keyKeyPassword, detail: "wrong password for the private key in " + m.serverBundleEnc},
		{name: "encrypted PEM key without password", s: settings(keyKeystoreType, "PEM", keyKeystoreLocation, m.serverBundleEnc),
			key: keyKeystoreLocation, detail: m.serverBundleEnc + ": the private key is encrypted, but listener.name.ssl.ssl.key.password is not set"},
		{name: "plain PEM key with a password", s: settings(keyKeystoreType, "PEM", keyKeystoreLocation, m.serverBundle, keyKeyPassword, keyPass),
			key: keyKeyPassword, detail: "is set, but the private key is not encrypted"},
		{name: "certificate and key do not match", s: settings(keyKeystoreType, "PEM", keyKeystoreChain, read(t, m.serverPEM), keyKeystoreKey, read(t, m.clientKey)),
			key: keyKeystoreKey, detail: `the certificate and the private key do not match (certificate "CN=localhost")`},
		{name: "key encrypted the PKCS#12 way", s: settings(keyKeystoreType, "PEM", keyKeystoreChain, read(t, m.serverPEM),
			keyKeystoreKey, read(t, m.serverKeyPBES1), keyKeyPassword, keyPass),
			key: keyKeystoreKey, detail: "the key is encrypted with 1.2.840.113549.1.12.1.3, not PBES2",
			alsoWant: "re-encrypt it with: openssl pkcs8 -topk8 -v2 aes-256-cbc"},
		{name: "PKCS#1 key", s: settings(keyKeystoreType, "PEM", keyKeystoreChain, read(t, m.serverPEM), keyKeystoreKey, read(t, m.serverKeyPKCS1)),
			key: keyKeystoreKey, detail: "the private key is not PKCS#8"},
		{name: "no key in PEM", s: settings(keyKeystoreType, "PEM", keyKeystoreLocation, m.serverPEM),
			key: keyKeystoreLocation, detail: m.serverPEM + ": no PRIVATE KEY entries in PEM"},
		{name: "unknown keystore type", s: settings(keyKeystoreType, "JCEKS", keyKeystoreLocation, m.serverJKS, keyKeystorePassword, storePass),
			key: keyKeystoreType, detail: `unknown keystore type "JCEKS"`},
		{name: "PEM is case-sensitive", s: settings(keyKeystoreType, "pem", keyKeystoreLocation, m.serverBundle, keyKeystorePassword, storePass),
			key: keyKeystoreType, detail: `unknown keystore type "pem"`},
		{name: "PEM file declared JKS", s: settings(keyKeystoreLocation, m.serverBundle, keyKeystorePassword, storePass),
			key: keyKeystoreLocation, detail: "the file holds PEM text; set listener.name.ssl.ssl.keystore.type=PEM to read it"},
		{name: "unreadable JKS says how to convert it", s: settings(keyKeystoreLocation, truncated(t, m.serverJKS), keyKeystorePassword, storePass),
			key: keyKeystoreLocation, detail: "reading the JKS keystore",
			alsoWant: "convert it with: keytool -importkeystore -srckeystore " + filepath.Join(m.dir, "truncated.jks") +
				" -destkeystore " + filepath.Join(m.dir, "truncated.p12") + " -deststoretype PKCS12"},
		{name: "JCEKS says how to convert it", s: settings(keyKeystoreLocation, m.serverJCEKS, keyKeystorePassword, storePass),
			key: keyKeystoreLocation, detail: m.serverJCEKS + ": the file is a JCEKS keystore, which kbridge does not read; convert it with: keytool -importkeystore -srckeystore " +
				m.serverJCEKS + " -destkeystore " + filepath.Join(m.dir, "server.p12") + " -deststoretype PKCS12"},
		{name: "a truststore as keystore", s: settings(keyKeystoreLocation, m.trustJKS, keyKeystorePassword, trustPass),
			key: keyKeystoreLocation, detail: "no private key in the JKS keystore"},
		{name: "no keystore on a listener", s: withTrust(), key: keyKeystoreLocation, detail: "a listener needs a keystore"},
		{name: "keystore location without password", s: settings(keyKeystoreLocation, m.serverJKS),
			key: keyKeystorePassword, detail: "must be set with listener.name.ssl.ssl.keystore.location"},
		{name: "keystore password without location", s: settings(keyKeystorePassword, storePass),
			key: keyKeystorePassword, detail: "is set, but listener.name.ssl.ssl.keystore.location is not"},
		{name: "inline key with a JKS type", s: settings(keyKeystoreChain, read(t, m.serverPEM), keyKeystoreKey, read(t, m.serverKey)),
			key: keyKeystoreKey, detail: `is set, so listener.name.ssl.ssl.keystore.type must be PEM, not "JKS"`},
		{name: "inline key without chain", s: settings(keyKeystoreType, "PEM", keyKeystoreKey, read(t, m.serverKey)),
			key: keyKeystoreKey, detail: "is set, but listener.name.ssl.ssl.keystore.certificate.chain is not"},
		{name: "inline chain without key", s: settings(keyKeystoreType, "PEM", keyKeystoreChain, read(t, m.serverPEM)),
			key: keyKeystoreChain, detail: "is set, but listener.name.ssl.ssl.keystore.key is not"},
		{name: "PEM keystore with a store password", s: settings(keyKeystoreType, "PEM", keyKeystoreLocation, m.serverBundle, keyKeystorePassword, storePass),
			key: keyKeystorePassword, detail: "cannot be set for a PEM keystore"},
		{name: "required client auth without truststore", s: serverPKCS12(m, keyClientAuth, "required"),
			key: keyClientAuth, detail: "required needs a truststore to verify client certificates"},
		{name: "requested client auth without truststore", s: serverPKCS12(m, keyClientAuth, "requested"),
			key: keyClientAuth, detail: "requested needs a truststore"},
		{name: "unknown client auth", s: serverPKCS12(m, keyClientAuth, "optional"),
			key: keyClientAuth, detail: `unknown value "optional"`},
		{name: "missing truststore file", s: serverPKCS12(m, keyTruststoreLocation, missing),
			key: keyTruststoreLocation, detail: "open " + missing + ": no such file or directory"},
		{name: "wrong JKS truststore password", s: serverPKCS12(m, keyTruststoreLocation, m.trustJKS, keyTruststorePassword, "nope"),
			key: keyTruststorePassword, detail: "wrong password for the JKS truststore"},
		{name: "wrong PKCS12 truststore password", s: serverPKCS12(m, keyTruststoreLocation, m.trustP12, keyTruststorePassword, "nope"),
			key: keyTruststorePassword, detail: "wrong password for the PKCS12 truststore"},
		{name: "PKCS12 truststore without password", s: serverPKCS12(m, keyTruststoreLocation, m.trustP12),
			key: keyTruststoreLocation, detail: "the PKCS12 truststore cannot be read without listener.name.ssl.ssl.truststore.password"},
		{name: "PKCS12 truststore by openssl", s: serverPKCS12(m, keyTruststoreLocation, m.trustP12OpenSSL, keyTruststorePassword, trustPass),
			key: keyTruststoreLocation, detail: "not marked as trusted for Java"},
		{name: "PKCS12 keystore as truststore", s: serverPKCS12(m, keyTruststoreLocation, m.serverP12, keyTruststorePassword, storePass),
			key: keyTruststoreLocation, detail: "the PKCS12 truststore holds a private key"},
		{name: "inline truststore with a JKS type", s: serverPKCS12(m, keyTruststoreCertificates, read(t, m.caPEM)),
			key: keyTruststoreCertificates, detail: "must be PEM"},
		{name: "PEM truststore with a password", s: serverPKCS12(m, keyTruststoreType, "PEM", keyTruststoreLocation, m.caPEM, keyTruststorePassword, trustPass),
			key: keyTruststorePassword, detail: "cannot be set for a PEM truststore"},
		{name: "invalid mapping rule", s: serverPKCS12(m, keyPrincipalMappingRules, "RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/L/U"),
			key: keyPrincipalMappingRules, detail: "invalid rule"},
		{name: "mapping rule RE2 cannot compile", s: serverPKCS12(m, keyPrincipalMappingRules, `RULE:^CN=(\w+),\1$/$1/`),
			key: keyPrincipalMappingRules, detail: "invalid escape sequence"},
		{name: "unknown protocol", s: serverPKCS12(m, keyEnabledProtocols, "TLSv1.2,TLSv1.4"),
			key: keyEnabledProtocols, detail: `unknown protocol "TLSv1.4"`},
		{name: "only disabled protocols", s: serverPKCS12(m, keyEnabledProtocols, "TLSv1,TLSv1.1"),
			key: keyEnabledProtocols, detail: "enables no protocol a current JVM allows"},
		{name: "unknown SSLContext", s: serverPKCS12(m, keyProtocol, "DTLSv1.2"),
			key: keyProtocol, detail: `unknown SSLContext protocol "DTLSv1.2"`},
		{name: "obsolete SSLContext on a client", s: withTrust(keyProtocol, "TLSv1.1"), client: true,
			key: keyProtocol, detail: `"TLSv1.1" is an obsolete SSLContext`},
		{name: "a TLSv1.2 SSLContext on a TLSv1.3 client", s: withTrust(keyProtocol, "TLSv1.2", keyEnabledProtocols, "TLSv1.3"), client: true,
			key: keyProtocol, detail: `a client's "TLSv1.2" SSLContext offers TLSv1.2 at most, but listener.name.ssl.ssl.enabled.protocols enables only TLSv1.3`},
		{name: "unknown cipher suite", s: serverPKCS12(m, keyCipherSuites, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"),
			key: keyCipherSuites, detail: `unknown cipher suite "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"`},
		{name: "only suites JVMs disable", s: serverPKCS12(m, keyCipherSuites, "TLS_RSA_WITH_RC4_128_SHA, TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"),
			key: keyCipherSuites, detail: "lists no suite for the protocols"},
		{name: "some TLS 1.3 suites", s: serverPKCS12(m, keyCipherSuites, "TLS_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
			key: keyCipherSuites, detail: "lists TLS_AES_256_GCM_SHA384 but Go always enables every TLS 1.3 suite"},
		{name: "TLS 1.2 suites with only TLSv1.3", s: serverPKCS12(m, keyCipherSuites, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", keyEnabledProtocols, "TLSv1.3"),
			key: keyCipherSuites, detail: "lists no suite for the protocols listener.name.ssl.ssl.enabled.protocols enables (TLSv1.3)"},
		{name: "unsupported endpoint identification", s: withTrust(keyEndpointIdentification, "ldaps"), client: true,
			key: keyEndpointIdentification, detail: `unsupported algorithm "ldaps"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			if c.client {
				_, err = ClientConfig(c.s, "localhost")
			} else {
				_, err = ServerConfig(c.s)
			}
			wantError(t, err, c.key, c.detail)
			if !strings.Contains(err.Error(), c.alsoWant) {
				t.Fatalf("error %q\ndoes not contain %q", err, c.alsoWant)
			}
		})
	}
}

// truncated writes the first half of a store to truncated.<ext> beside it.
func truncated(t *testing.T, path string) string {
	t.Helper()
	data := read(t, path)
	out := filepath.Join(filepath.Dir(path), "truncated"+filepath.Ext(path))
	write(t, out, data[:len(data)/2])
	return out
}
