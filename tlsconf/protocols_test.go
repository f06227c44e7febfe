package tlsconf

import (
	"crypto/tls"
	"slices"
	"testing"
)

func TestNegotiable(t *testing.T) {
	const v12, v13 = tls.VersionTLS12, tls.VersionTLS13
	cases := []struct {
		name     string
		s        Settings
		client   bool
		min, max uint16
		suites   []uint16
	}{
		{"Kafka's defaults", settings(), false, v12, v13, nil},
		{"an empty list is the JVM's defaults", settings(keyEnabledProtocols, ""), false, v12, v13, nil},
		{"TLSv1.3 only", settings(keyEnabledProtocols, "TLSv1.3"), false, v13, v13, nil},
		{"TLSv1.2 context on a client", settings(keyProtocol, "tlsv1.2"), true, v12, v12, nil},
		{"TLSv1.2 context on a client listing TLS 1.3 suites", settings(keyProtocol, "TLSv1.2",
			keyCipherSuites, "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
			true, v12, v13, []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}},
		{"suites JVMs disable are skipped", settings(keyCipherSuites, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
			false, v12, v12, []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}},
		{"only TLS 1.3 suites", settings(keyCipherSuites, "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256"),
			false, v13, v13, nil},
	}
	for _, c := range cases {
		r, err := negotiable(c.s, c.client)
		if err != nil || r.min != c.min || r.max != c.max || !slices.Equal(r.suites, c.suites) {
			t.Errorf("%s: %s-%s %v, %v; want %s-%s %v", c.name, tls.VersionName(r.min), tls.VersionName(r.max), r.suites, err,
				tls.VersionName(c.min), tls.VersionName(c.max), c.suites)
		}
	}
}
