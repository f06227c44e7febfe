package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
)

// ClientConfig builds the TLS configuration of a client of serverName (an
// inter-broker link, a command) from its ssl.* settings: the truststore's
// certificates as roots (the system's without one, as a JVM uses its
// cacerts), the keystore's certificate for listeners that ask for one, and
// Kafka's protocols and suites. With ssl.endpoint.identification.algorithm
// "https" (the default) the server's certificate must name serverName as
// Java's HTTPS endpoint identification wants it; with it empty the chain is
// still verified, only the name is not.
func ClientConfig(s Settings, serverName string) (*tls.Config, error) {
	versions, err := negotiable(s, true)
	if err != nil {
		return nil, err
	}
	verifyName, err := hostnameVerification(s)
	if err != nil {
		return nil, err
	}
	if verifyName && serverName == "" {
		return nil, s.errorf(keyEndpointIdentification, "verifying the server's name needs a server name to connect to")
	}
	certs, err := loadKeystore(s)
	if err != nil {
		return nil, err
	}
	pool, err := loadTruststore(s)
	if err != nil {
		return nil, err
	}
	expected := ""
	if verifyName {
		expected = serverName
	}
	return &tls.Config{
		ServerName:   serverName,
		Certificates: certs,
		MinVersion:   versions.min,
		MaxVersion:   versions.max,
		CipherSuites: versions.suites,
		// Go verifies a chain only together with the name, and names only
		// by subject alternative names; VerifyConnection does both as Java
		// does instead, so Go's own verification is turned off.
		InsecureSkipVerify: true,
		VerifyConnection:   verifyServer(pool, expected),
	}, nil
}

// hostnameVerification reads ssl.endpoint.identification.algorithm, which
// Java's SSLParameters knows as "HTTPS" in any case; empty turns it off.
// Other algorithms (Java also has LDAPS) are errors rather than skipped.
func hostnameVerification(s Settings) (bool, error) {
	switch v := s.valueOr(keyEndpointIdentification, defaultEndpointIdent); {
	case strings.EqualFold(v, "https"):
		return true, nil
	case v == "":
		return false, nil
	default:
		return false, s.errorf(keyEndpointIdentification, "unsupported algorithm %q (use https, or an empty value to skip verifying the server's name)", v)
	}
}

// verifyServer verifies a server's chain against roots (nil: the system's)
// for server authentication and, unless name is empty, that the certificate
// names the server.
func verifyServer(roots *x509.CertPool, name string) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("tls: the server sent no certificate")
		}
		opts := x509.VerifyOptions{
			Roots:         roots,
			Intermediates: x509.NewCertPool(),
			KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		}
		for _, c := range cs.PeerCertificates[1:] {
			opts.Intermediates.AddCert(c)
		}
		leaf := cs.PeerCertificates[0]
		if _, err := leaf.Verify(opts); err != nil {
			return err
		}
		if name == "" {
			return nil
		}
		return verifyHostname(leaf, name)
	}
}

// verifyHostname is Java's HTTPS endpoint identification (HostnameChecker):
// an address must be among the IP subject alternative names, a host name
// among the DNS ones or, when the certificate has none, match its most
// specific common name, which Go alone no longer accepts.
func verifyHostname(leaf *x509.Certificate, name string) error {
	err := leaf.VerifyHostname(name)
	if err == nil || net.ParseIP(name) != nil || len(leaf.DNSNames) > 0 || leaf.Subject.CommonName == "" {
		return err
	}
	byCommonName := *leaf
	byCommonName.DNSNames = []string{leaf.Subject.CommonName}
	if byCommonName.VerifyHostname(name) == nil {
		return nil
	}
	return err
}
