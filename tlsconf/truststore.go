package tlsconf

import (
	"crypto/x509"
	"errors"
	"os"
)

// loadTruststore reads the certificates to trust, with the checks and in the
// order of DefaultSslEngineFactory.createTruststore. No truststore configured
// is nil without an error; what that means is the caller's to decide.
func loadTruststore(s Settings) (*x509.CertPool, error) {
	typ := s.valueOr(keyTruststoreType, defaultStoreType)
	certsText, hasCerts := s.value(keyTruststoreCertificates)
	location, hasLocation := s.value(keyTruststoreLocation)
	password, hasPassword := s.value(keyTruststorePassword)
	switch {
	case hasCerts:
		switch {
		case typ != pemType:
			return nil, s.errorf(keyTruststoreCertificates, "is set, so %s must be PEM, not %q", s.name(keyTruststoreType), typ)
		case hasLocation:
			return nil, s.errorf(keyTruststoreLocation, "cannot be set together with %s", s.name(keyTruststoreCertificates))
		case hasPassword:
			return nil, s.errorf(keyTruststorePassword, "cannot be set for a PEM truststore")
		}
		return pemPool(s, origin{key: keyTruststoreCertificates}, certsText)
	case typ == pemType && hasLocation:
		if hasPassword {
			return nil, s.errorf(keyTruststorePassword, "cannot be set for a PEM truststore")
		}
		text, err := os.ReadFile(location)
		if err != nil {
			return nil, s.errorf(keyTruststoreLocation, "%w", err)
		}
		return pemPool(s, origin{key: keyTruststoreLocation, file: location}, string(text))
	case hasPassword && !hasLocation:
		return nil, s.errorf(keyTruststorePassword, "is set, but %s is not", s.name(keyTruststoreLocation))
	case hasLocation:
		return fileTruststore(s, typ, location, password, hasPassword)
	}
	return nil, nil
}

// fileTruststore reads a JKS or PKCS12 truststore file, whichever of the two
// it is (see storeFormat). Without a password its integrity is not checked.
func fileTruststore(s Settings, typ, path, password string, hasPassword bool) (*x509.CertPool, error) {
	if !isFileStoreType(typ) {
		return nil, s.errorf(keyTruststoreType, "unknown truststore type %q (Kafka's are JKS, PKCS12 and PEM)", typ)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, s.errorf(keyTruststoreLocation, "%w", err)
	}
	from := origin{key: keyTruststoreLocation, file: path}
	var certs []*x509.Certificate
	switch format := storeFormat(data); format {
	case "JKS":
		ks, err := readJKS(data, password, hasPassword)
		if errors.Is(err, errWrongStorePassword) {
			return nil, s.errorf(keyTruststorePassword, "wrong password for the JKS truststore %s", path)
		}
		if err == nil {
			certs, err = jksTrusted(ks)
		}
		if err != nil {
			return nil, s.originErrorf(from, "reading the JKS truststore: %v; %s", err, convertHint(path))
		}
	case "PKCS12":
		if certs, err = pkcs12Trusted(s, path, data, password, hasPassword); err != nil {
			return nil, err
		}
	default:
		return nil, s.originErrorf(from, "%s", s.notAStore(format, path, keyTruststoreType))
	}
	if len(certs) == 0 {
		// A JVM's trust manager refuses an empty truststore too.
		return nil, s.originErrorf(from, "the truststore holds no certificates")
	}
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool, nil
}
