package metadata

import "testing"

func TestIsPasswordConfig(t *testing.T) {
	for name, want := range map[string]bool{
		"ssl.keystore.password":                                 true,
		"listener.name.sasl_ssl.ssl.key.password":               true,
		"listener.name.internal.scram-sha-512.sasl.jaas.config": true,
		"sasl.jaas.config":                                      true,
		"listener.name.ssl.ssl.keystore.location":               false,
		"ssl.keystore.location":                                 false,
		"log.retention.ms":                                      false,
	} {
		if got := IsPasswordConfig(name); got != want {
			t.Errorf("IsPasswordConfig(%q) = %v, want %v", name, got, want)
		}
	}
}
