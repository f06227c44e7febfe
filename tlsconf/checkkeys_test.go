package tlsconf

import (
	"slices"
	"testing"
)

func TestCheckKeys(t *testing.T) {
	cases := []struct {
		name string
		s    Settings
		want []string
	}{
		{"nothing set", settings(), nil},
		{"implemented keys", settings(keyKeystoreLocation, "/ks.jks", keyClientAuth, "required", keyCipherSuites, "TLS_AES_128_GCM_SHA256",
			"ssl.allow.dn.changes", "true"), nil},
		{"Kafka's defaults spelled out", settings(keyKeymanagerAlgorithm, "SunX509", keyTrustmanagerAlgorithm, "PKIX",
			keyEngineFactoryClass, "org.apache.kafka.common.security.ssl.DefaultSslEngineFactory"), nil},
		{"JCA names are case-insensitive, aliases too", settings(keyKeymanagerAlgorithm, "sunx509", keyTrustmanagerAlgorithm, " X.509 "), nil},
		{"other values", settings(
			keyKeymanagerAlgorithm, "PKIX",
			keyTrustmanagerAlgorithm, "SunX509",
			keyProvider, "SunJSSE",
			keySecureRandom, "SHA1PRNG",
			keyEngineFactoryClass, "org.apache.kafka.common.security.ssl.CommonNameLoggingSslEngineFactory",
		), []string{keyEngineFactoryClass, keyKeymanagerAlgorithm, keyProvider, keySecureRandom, keyTrustmanagerAlgorithm}},
		{"an empty value is a value", settings(keyProvider, ""), []string{keyProvider}},
		{"a class name is case-sensitive", settings(keyEngineFactoryClass, "org.apache.kafka.common.security.ssl.defaultsslenginefactory"),
			[]string{keyEngineFactoryClass}},
	}
	for _, c := range cases {
		if got := CheckKeys(c.s); !slices.Equal(got, c.want) {
			t.Errorf("%s: CheckKeys = %q, want %q", c.name, got, c.want)
		}
	}
}
