package broker

import "testing"

func TestSecurityKeysOfDynamicBrokerConfigs(t *testing.T) {
	for key, want := range map[string][2]bool{ // reloadable, refused
		"listener.name.ssl.ssl.keystore.location":                {true, false},
		"ssl.truststore.location":                                {true, false},
		"listener.name.sasl_ssl.ssl.key.password":                {true, false},
		"listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config":  {false, true},
		"listener.name.ssl.ssl.client.auth":                      {false, true},
		"ssl.cipher.suites":                                      {false, true},
		"sasl.enabled.mechanisms":                                {false, true},
		"super.users":                                            {false, true},
		"listener.name.sasl_ssl.plain.connections.max.reauth.ms": {false, true},
		"log.retention.ms":                                       {false, false},
		"min.insync.replicas":                                    {false, false},
	} {
		if got := [2]bool{isReloadableTLSKey(key), isStaticSecurityKey(key)}; got != want {
			t.Errorf("%s: reloadable, refused = %v, want %v", key, got, want)
		}
	}
}
