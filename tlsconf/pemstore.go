package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"strings"
)

// pemKeystore reads a PEM keystore as Kafka's PemStore does: the chain from
// the CERTIFICATE entries of chainText, leaf first, and exactly one PKCS#8
// private key from keyText, encrypted if and only if ssl.key.password is set.
// For a keystore file both texts are the file's.
func pemKeystore(s Settings, chainFrom, keyFrom origin, chainText, keyText string) (tls.Certificate, error) {
	chain, err := pemCerts(s, chainFrom, chainText)
	if err != nil {
		return tls.Certificate{}, err
	}
	key, err := pemKey(s, keyFrom, keyText)
	if err != nil {
		return tls.Certificate{}, err
	}
	c, err := keyPair(chain, key)
	if err != nil {
		return tls.Certificate{}, s.originErrorf(keyFrom, "%w", err)
	}
	return c, nil
}

// pemCerts parses the CERTIFICATE entries of text.
func pemCerts(s Settings, from origin, text string) ([]*x509.Certificate, error) {
	ders, err := pemCertificates.entries(text)
	if err != nil {
		return nil, s.originErrorf(from, "%w", err)
	}
	certs := make([]*x509.Certificate, len(ders))
	for i, der := range ders {
		if certs[i], err = x509.ParseCertificate(der); err != nil {
			return nil, s.originErrorf(from, "certificate %d: %w", i+1, err)
		}
	}
	return certs, nil
}

// pemKey parses the one private key of text. Errors that come from the
// password name ssl.key.password.
func pemKey(s Settings, from origin, text string) (any, error) {
	ders, err := pemPrivateKeys.entries(text)
	if err != nil {
		return nil, s.originErrorf(from, "%w", err)
	}
	if len(ders) != 1 {
		return nil, s.originErrorf(from, "expected one private key, found %d", len(ders))
	}
	der := ders[0]
	password, encrypted := s.value(keyKeyPassword)
	if encrypted {
		der, err = decryptPKCS8(der, password)
		switch {
		case errors.Is(err, errNotEncrypted):
			return nil, s.errorf(keyKeyPassword, "is set, but %w in %s", err, s.describe(from))
		case errors.Is(err, errWrongKeyPassword):
			return nil, s.errorf(keyKeyPassword, "%w in %s", err, s.describe(from))
		case err != nil:
			return nil, s.originErrorf(from, "%w", err)
		}
	}
	key, err := x509.ParsePKCS8PrivateKey(der)
	switch {
	case err == nil:
		return key, nil
	case encrypted:
		// The padding happened to check out; the password is still wrong.
		return nil, s.errorf(keyKeyPassword, "%w in %s", errWrongKeyPassword, s.describe(from))
	case strings.Contains(text, "ENCRYPTED PRIVATE KEY"):
		return nil, s.originErrorf(from, "the private key is encrypted, but %s is not set", s.name(keyKeyPassword))
	case strings.Contains(text, "RSA PRIVATE KEY") || strings.Contains(text, "EC PRIVATE KEY"):
		return nil, s.originErrorf(from, "the private key is not PKCS#8 (Kafka reads only BEGIN PRIVATE KEY or BEGIN ENCRYPTED PRIVATE KEY); convert it with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pk8.pem")
	}
	return nil, s.originErrorf(from, "private key: %w", err)
}

// pemPool reads the CERTIFICATE entries of a PEM truststore.
func pemPool(s Settings, from origin, text string) (*x509.CertPool, error) {
	certs, err := pemCerts(s, from, text)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool, nil
}
