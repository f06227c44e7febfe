package tlsconf

import (
	"crypto/tls"
	"errors"
	"fmt"
)

// anonymous is KafkaPrincipal.ANONYMOUS.
const anonymous = "User:ANONYMOUS"

// Principal is the Kafka principal of a TLS peer as Kafka's DefaultKafkaPrincipalBuilder names it with ssl.principal.mapping.rules (KIP-371): "User:" + the mapped name, "User:ANONYMOUS" without a client certificate.
//
// The name mapped is the subject of the peer's certificate as Java's
// X500Principal.getName() prints it, e.g. "CN=alice,OU=eng,O=example", so
// ACLs written for Kafka keep matching. state is that of a connection
// accepted with ServerConfig's configuration: a certificate Go did not
// verify names no principal. As in Kafka, a name no rule applies to, or a
// rule whose replacement is invalid, fails the authentication.
func Principal(s Settings, state tls.ConnectionState) (string, error) {
	if len(state.PeerCertificates) == 0 {
		return anonymous, nil
	}
	if len(state.VerifiedChains) == 0 {
		return "", errors.New("tlsconf: the peer's certificate was not verified, so it names no principal")
	}
	rules, err := mappingRules(s)
	if err != nil {
		return "", err
	}
	dn, err := rfc2253Name(state.PeerCertificates[0].RawSubject)
	if err != nil {
		return "", fmt.Errorf("tlsconf: the peer certificate's subject: %w", err)
	}
	name, err := rules.name(dn)
	if err != nil {
		return "", s.errorf(keyPrincipalMappingRules, "%w", err)
	}
	return "User:" + name, nil
}

// mappingRules parses ssl.principal.mapping.rules. Principal parses them on
// every connection rather than caching them: compiling a few patterns costs
// little next to a handshake, and a cache would be state shared by every
// listener.
func mappingRules(s Settings) (mapper, error) {
	m, err := parseRules(s.valueOr(keyPrincipalMappingRules, defaultMappingRules))
	if err != nil {
		return nil, s.errorf(keyPrincipalMappingRules, "%w", err)
	}
	return m, nil
}
