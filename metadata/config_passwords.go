package metadata

import "strings"

// passwordConfigs are Kafka's broker configs of type PASSWORD (KafkaConfig, SslConfigs,
// SaslConfigs) under their own names; per-listener forms add a listener.name.<l>.
// prefix, and sasl.jaas.config a mechanism before it.
var passwordConfigs = map[string]bool{
	"ssl.keystore.password": true, "ssl.key.password": true, "ssl.truststore.password": true,
	"ssl.keystore.key": true, "ssl.keystore.certificate.chain": true, "ssl.truststore.certificates": true,
	"sasl.jaas.config": true, "password.encoder.secret": true, "password.encoder.old.secret": true,
	"delegation.token.secret.key": true, "delegation.token.master.key": true,
}

// IsPasswordConfig tells whether a broker config holds a secret (Kafka's PASSWORD
// type), whose value DescribeConfigs never returns and which Kafka's ZooKeeper mode
// stores only encrypted with password.encoder.secret.
func IsPasswordConfig(name string) bool {
	if rest, ok := strings.CutPrefix(name, "listener.name."); ok {
		if _, key, found := strings.Cut(rest, "."); found {
			name = key
		}
	}
	if passwordConfigs[name] {
		return true
	}
	_, key, found := strings.Cut(name, ".")
	return found && key == "sasl.jaas.config"
}
