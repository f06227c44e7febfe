package migrate

import (
	"strings"
	"testing"
)

// TestAdminClientFromProperties: a Kafka client's properties become the endpoint's
// client (HTTPS on SSL and SASL_SSL, Basic credentials from sasl.jaas.config on SASL),
// and what it cannot honour is an error naming the key and the file.
func TestAdminClientFromProperties(t *testing.T) {
	const file = "admin.properties"
	jaas := `org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="admin-secret";`
	c, err := AdminClientFromProperties(map[string]string{"security.protocol": "sasl_ssl", "sasl.mechanism": "SCRAM-SHA-512", "sasl.jaas.config": jaas}, file)
	if err != nil || c.TLS == nil || c.Username != "admin" || c.Password != "admin-secret" {
		t.Fatalf("SASL_SSL: %+v, %v", c, err)
	}
	if c, err := AdminClientFromProperties(map[string]string{}, file); err != nil || c.TLS != nil || c.Username != "" {
		t.Errorf("no security.protocol: %+v, %v, want plain HTTP", c, err)
	}
	for _, tt := range []struct {
		props map[string]string
		key   string
	}{
		{map[string]string{"security.protocol": "SASL_PLAINTEXT", "sasl.jaas.config": jaas}, "sasl.mechanism"},
		{map[string]string{"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "PLAIN"}, "sasl.jaas.config"},
		{map[string]string{"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "PLAIN", "sasl.jaas.config": "m required user_a=\"b\";"}, "sasl.jaas.config"},
		{map[string]string{"security.protocol": "SSL", "ssl.truststore.location": "/no/such/truststore.jks"}, "ssl.truststore.location"},
		{map[string]string{"security.protocol": "SSL", "ssl.provider": "SunJSSE"}, "ssl.provider"},
		{map[string]string{"security.protocol": "TLS"}, "security.protocol"},
	} {
		_, err := AdminClientFromProperties(tt.props, file)
		if err == nil || !strings.Contains(err.Error(), file+": "+tt.key) {
			t.Errorf("%v: %v, want an error naming %s: %s", tt.props, err, file, tt.key)
		}
	}
}
