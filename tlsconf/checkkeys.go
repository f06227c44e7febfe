package tlsconf

import (
	"slices"
	"strings"
)

// unimplemented are the Kafka ssl.* keys this package does not implement,
// each with the values that mean what Kafka does by default. Any other value
// selects JVM machinery (a JCA provider, a key or trust manager, a PRNG, an
// SslEngineFactory) that Go's crypto/tls has no counterpart for.
// ssl.allow.dn.changes and ssl.allow.san.changes are not among them: they
// only relax checks of dynamic keystore updates, which are not made here.
var unimplemented = []struct {
	key      string
	defaults []string
	// foldCase: JCA algorithm names are case-insensitive, class names not.
	foldCase bool
}{
	{key: keyEngineFactoryClass, defaults: []string{"org.apache.kafka.common.security.ssl.DefaultSslEngineFactory"}},
	// KeyManagerFactory.getDefaultAlgorithm().
	{key: keyKeymanagerAlgorithm, defaults: []string{"SunX509"}, foldCase: true},
	{key: keyProvider},
	{key: keySecureRandom},
	// TrustManagerFactory.getDefaultAlgorithm() and its aliases.
	{key: keyTrustmanagerAlgorithm, defaults: []string{"PKIX", "SunPKIX", "X509", "X.509"}, foldCase: true},
}

// CheckKeys lists the ssl.* keys of s that this package does not implement and whose value is not Kafka's default, so the caller can refuse to start on them (fail closed).
//
// The keys are returned as Kafka names them (the keys of s.Values), sorted;
// s.KeyName renders them for a message. Every set value counts, an empty one
// too: Kafka would fail on it.
func CheckKeys(s Settings) []string {
	var keys []string
	for _, u := range unimplemented {
		v, ok := s.value(u.key)
		if !ok {
			continue
		}
		isDefault := slices.ContainsFunc(u.defaults, func(d string) bool {
			return d == v || u.foldCase && strings.EqualFold(d, v)
		})
		if !isDefault {
			keys = append(keys, u.key)
		}
	}
	return keys
}
