package kclient

import (
	"strings"

	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/kbridge/kbridge/saslserver"
)

// Login module classes of the mechanisms kbridge's clients speak.
const (
	plainLoginModule = "org.apache.kafka.common.security.plain.PlainLoginModule"
	scramLoginModule = "org.apache.kafka.common.security.scram.ScramLoginModule"
)

// saslMechanism builds the client side of sasl.mechanism from the credentials
// of sasl.jaas.config, read as Kafka's JaasContext reads it (one login module,
// a control flag, quoted or bare options, a final ';'). The login module must
// be the one Kafka pairs with the mechanism, since another one's options
// would mean something else. Errors never repeat the config's text, which
// holds a password.
func (c Conn) saslMechanism() (sasl.Mechanism, error) {
	mech, ok := c.Properties["sasl.mechanism"]
	mech = strings.TrimSpace(mech)
	var wantModule string
	switch {
	case !ok:
		return nil, c.propError("sasl.mechanism", "not set, and Kafka's default GSSAPI (Kerberos) is not supported; set PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
	case mech == "PLAIN":
		wantModule = plainLoginModule
	case mech == "SCRAM-SHA-256" || mech == "SCRAM-SHA-512":
		wantModule = scramLoginModule
	default:
		// Mechanism names are case-sensitive in the SASL handshake.
		return nil, c.propError("sasl.mechanism", "%q is not supported (want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)", mech)
	}
	jaas, ok := c.Properties["sasl.jaas.config"]
	if !ok {
		return nil, c.propError("sasl.jaas.config", "not set: kbridge's clients take their credentials only from it, e.g. %s required username=\"alice\" password=\"...\";", wantModule)
	}
	module, options, err := saslserver.ParseJAASLogin(jaas)
	if err != nil {
		return nil, c.propError("sasl.jaas.config", "%w", err)
	}
	if module != wantModule {
		return nil, c.propError("sasl.jaas.config", "login module %s does not go with sasl.mechanism=%s, which needs %s", module, mech, wantModule)
	}
	user, pass := options["username"], options["password"]
	for _, opt := range []string{"username", "password"} {
		if _, ok := options[opt]; !ok {
			return nil, c.propError("sasl.jaas.config", "%s has no %s option", module, opt)
		}
	}
	if mech == "PLAIN" {
		return plain.Auth{User: user, Pass: pass}.AsMechanism(), nil
	}
	// ScramLoginModule's tokenauth="true" authenticates with a delegation
	// token (Boolean.parseBoolean: true in any case, anything else false).
	auth := scram.Auth{User: user, Pass: pass, IsToken: strings.EqualFold(options["tokenauth"], "true")}
	if mech == "SCRAM-SHA-256" {
		return auth.AsSha256Mechanism(), nil
	}
	return auth.AsSha512Mechanism(), nil
}
