package tlsconf

import (
	"crypto/tls"
	"strings"
)

// ServerConfig builds a listener's TLS configuration from its ssl.* settings,
// so that it presents the keystore's certificate, verifies client
// certificates against the truststore as ssl.client.auth asks, and speaks the
// protocols and suites Kafka would. Everything Kafka would refuse when the
// listener starts is an error, and so is what Kafka would only find out in
// the first handshake: no keystore, a key that does not match its
// certificate, and client authentication without a truststore (see the
// package documentation). ssl.principal.mapping.rules is checked too, as
// Kafka checks it when it builds the listener's channel.
func ServerConfig(s Settings) (*tls.Config, error) {
	versions, err := negotiable(s, false)
	if err != nil {
		return nil, err
	}
	auth, err := clientAuth(s)
	if err != nil {
		return nil, err
	}
	certs, err := loadKeystore(s)
	if err != nil {
		return nil, err
	}
	if certs == nil {
		return nil, s.errorf(keyKeystoreLocation, "a listener needs a keystore: set it (or %s and %s with %s=PEM)",
			s.name(keyKeystoreChain), s.name(keyKeystoreKey), s.name(keyKeystoreType))
	}
	pool, err := loadTruststore(s)
	if err != nil {
		return nil, err
	}
	if auth != tls.NoClientCert && pool == nil {
		return nil, s.errorf(keyClientAuth, "%s needs a truststore to verify client certificates: set %s (or %s)",
			s.valueOr(keyClientAuth, defaultClientAuth), s.name(keyTruststoreLocation), s.name(keyTruststoreCertificates))
	}
	if _, err := mappingRules(s); err != nil {
		return nil, err
	}
	return &tls.Config{
		Certificates: certs,
		ClientAuth:   auth,
		ClientCAs:    pool,
		MinVersion:   versions.min,
		MaxVersion:   versions.max,
		CipherSuites: versions.suites,
	}, nil
}

// clientAuth reads ssl.client.auth, case-insensitively as Kafka's
// SslClientAuth.forConfig does. Kafka would fall back to none on an unknown
// value of a listener's override; that would drop client authentication, so
// it is an error here.
func clientAuth(s Settings) (tls.ClientAuthType, error) {
	v := s.valueOr(keyClientAuth, defaultClientAuth)
	switch strings.ToLower(v) {
	case "none":
		return tls.NoClientCert, nil
	case "requested":
		return tls.VerifyClientCertIfGiven, nil
	case "required":
		return tls.RequireAndVerifyClientCert, nil
	}
	return 0, s.errorf(keyClientAuth, "unknown value %q (Kafka's are required, requested and none)", v)
}
