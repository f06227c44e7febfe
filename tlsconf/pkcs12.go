package tlsconf

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"strings"

	"software.sslmate.com/src/go-pkcs12"
)

// pkcs12Keystore reads the private key of a PKCS12 keystore and its chain.
// The store password also unlocks the key, as keytool and openssl write
// PKCS12 stores (keytool ignores a different -keypass for them); a different
// ssl.key.password would fail to unlock the key in a JVM as well.
func pkcs12Keystore(s Settings, path string, data []byte, password string) (tls.Certificate, error) {
	from := origin{key: keyKeystoreLocation, file: path}
	if kp, ok := s.value(keyKeyPassword); ok && kp != password {
		return tls.Certificate{}, s.errorf(keyKeyPassword, "differs from %s, but the key of the PKCS12 keystore %s is protected by the store password",
			s.name(keyKeystorePassword), path)
	}
	key, leaf, cas, err := pkcs12.DecodeChain(data, password)
	switch {
	case errors.Is(err, pkcs12.ErrIncorrectPassword):
		return tls.Certificate{}, s.errorf(keyKeystorePassword, "wrong password for the PKCS12 keystore %s", path)
	case err != nil && strings.Contains(err.Error(), "private key missing"):
		return tls.Certificate{}, s.originErrorf(from, "no private key in the PKCS12 keystore (is this a truststore?)")
	case err != nil:
		return tls.Certificate{}, s.originErrorf(from, "reading the PKCS12 keystore: %w", err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return tls.Certificate{}, s.originErrorf(from, "unsupported private key type %T", key)
	}
	// DecodeChain calls the first certificate the leaf; the key says which.
	chain, err := leafChain(append([]*x509.Certificate{leaf}, cas...), signer)
	if err == nil {
		var c tls.Certificate
		if c, err = keyPair(chain, key); err == nil {
			return c, nil
		}
	}
	return tls.Certificate{}, s.originErrorf(from, "%w", err)
}

// pkcs12Trusted returns the certificates a JVM trusts in a PKCS12
// truststore: those carrying Java's trusted-certificate attribute, which
// keytool -importcert sets. Certificates without it (openssl pkcs12 -export
// -nokeys writes them so) are no trust anchors for a JVM either.
func pkcs12Trusted(s Settings, path string, data []byte, password string, hasPassword bool) ([]*x509.Certificate, error) {
	from := origin{key: keyTruststoreLocation, file: path}
	certs, err := pkcs12.DecodeTrustStore(data, password)
	if err == nil {
		return certs, nil
	}
	if errors.Is(err, pkcs12.ErrIncorrectPassword) {
		if !hasPassword {
			return nil, s.originErrorf(from, "the PKCS12 truststore cannot be read without %s", s.name(keyTruststorePassword))
		}
		return nil, s.errorf(keyTruststorePassword, "wrong password for the PKCS12 truststore %s", path)
	}
	if _, _, _, keyErr := pkcs12.DecodeChain(data, password); keyErr == nil {
		return nil, s.originErrorf(from, "the PKCS12 truststore holds a private key; kbridge reads only certificates from a PKCS12 truststore (export the CA with keytool -exportcert and use %s=PEM)",
			s.name(keyTruststoreType))
	}
	if strings.Contains(err.Error(), "not marked as trusted") {
		return nil, s.originErrorf(from, "the PKCS12 truststore holds certificates not marked as trusted for Java, so a JVM trusts none of them; "+
			"import the CA with keytool -importcert -storetype PKCS12, or use %s=PEM", s.name(keyTruststoreType))
	}
	return nil, s.originErrorf(from, "reading the PKCS12 truststore: %w", err)
}
