package migrate

import (
	"crypto/tls"
	"fmt"
	"slices"
	"strings"

	"github.com/kbridge/kbridge/saslserver"
	"github.com/kbridge/kbridge/tlsconf"
)

// AdminClientFromProperties builds the client of the admin endpoint from a Kafka
// client's properties (a `--command-config` file, named source in errors), read as a
// Kafka client reads them: security.protocol (PLAINTEXT unless set); for SSL and
// SASL_SSL the ssl.* keys (truststore for the controllers' certificates, keystore
// for this client's, ssl.endpoint.identification.algorithm); for SASL_PLAINTEXT and
// SASL_SSL sasl.mechanism (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512) and the username and
// password options of sasl.jaas.config, which go to the endpoint as HTTP Basic
// credentials. Anything it cannot honour is an error naming the key and the file.
func AdminClientFromProperties(props map[string]string, source string) (*AdminClient, error) {
	protocol := strings.ToUpper(strings.TrimSpace(props["security.protocol"]))
	c := &AdminClient{}
	switch protocol {
	case "", "PLAINTEXT":
		return c, nil
	case "SSL", "SASL_SSL", "SASL_PLAINTEXT":
	default:
		return nil, fmt.Errorf("%s: security.protocol: %q is not PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL", source, protocol)
	}
	if protocol != "SASL_PLAINTEXT" {
		tlsFor, err := adminTLS(props, source)
		if err != nil {
			return nil, err
		}
		c.TLS = tlsFor
	}
	if protocol != "SSL" {
		mech := strings.ToUpper(strings.TrimSpace(props["sasl.mechanism"]))
		if !slices.Contains([]string{"PLAIN", saslserver.ScramSHA256, saslserver.ScramSHA512}, mech) {
			return nil, fmt.Errorf("%s: sasl.mechanism: %q (Kafka's default is GSSAPI) is not supported: the admin endpoint takes PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 users", source, mech)
		}
		jaas, ok := props["sasl.jaas.config"]
		if !ok {
			return nil, fmt.Errorf("%s: sasl.jaas.config is not set: %s needs the user's login module with its username and password", source, protocol)
		}
		user, password, err := saslserver.ParseJAASCredentials(jaas)
		if err != nil {
			return nil, fmt.Errorf("%s: sasl.jaas.config: %w", source, err)
		}
		c.Username, c.Password = user, password
	}
	return c, nil
}

// adminTLS checks the ssl.* properties and returns the TLS config for each
// controller host.
func adminTLS(props map[string]string, source string) (func(host string) (*tls.Config, error), error) {
	values := map[string]string{}
	for k, v := range props {
		if strings.HasPrefix(k, "ssl.") {
			values[k] = v
		}
	}
	settings := tlsconf.Settings{Values: values, Source: source}
	if keys := tlsconf.CheckKeys(settings); len(keys) > 0 {
		return nil, fmt.Errorf("%s: %s: kbridge implements only Kafka's default for it", source, strings.Join(keys, ", "))
	}
	if _, err := tlsconf.ClientConfig(settings, "localhost"); err != nil {
		return nil, err
	}
	return func(host string) (*tls.Config, error) { return tlsconf.ClientConfig(settings, host) }, nil
}
