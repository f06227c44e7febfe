package tlsconf

import (
	"crypto/tls"
	"os"
)

// loadKeystore reads the certificates and keys to present, with the checks
// and in the order of DefaultSslEngineFactory.createKeystore. No keystore
// configured is nil without an error: clients may do without one.
func loadKeystore(s Settings) ([]tls.Certificate, error) {
	typ := s.valueOr(keyKeystoreType, defaultStoreType)
	location, hasLocation := s.value(keyKeystoreLocation)
	password, hasPassword := s.value(keyKeystorePassword)
	keyText, hasKey := s.value(keyKeystoreKey)
	chainText, hasChain := s.value(keyKeystoreChain)
	switch {
	case hasKey:
		switch {
		case typ != pemType:
			return nil, s.errorf(keyKeystoreKey, "is set, so %s must be PEM, not %q", s.name(keyKeystoreType), typ)
		case !hasChain:
			return nil, s.errorf(keyKeystoreKey, "is set, but %s is not", s.name(keyKeystoreChain))
		case hasLocation:
			return nil, s.errorf(keyKeystoreLocation, "cannot be set together with %s", s.name(keyKeystoreKey))
		case hasPassword:
			return nil, s.errorf(keyKeystorePassword, "cannot be set for a PEM keystore, only %s can", s.name(keyKeyPassword))
		}
		return oneCertificate(pemKeystore(s, origin{key: keyKeystoreChain}, origin{key: keyKeystoreKey}, chainText, keyText))
	case hasChain:
		return nil, s.errorf(keyKeystoreChain, "is set, but %s is not", s.name(keyKeystoreKey))
	case typ == pemType && hasLocation:
		if hasPassword {
			return nil, s.errorf(keyKeystorePassword, "cannot be set for a PEM keystore, only %s can", s.name(keyKeyPassword))
		}
		text, err := os.ReadFile(location)
		if err != nil {
			return nil, s.errorf(keyKeystoreLocation, "%w", err)
		}
		from := origin{key: keyKeystoreLocation, file: location}
		return oneCertificate(pemKeystore(s, from, from, string(text), string(text)))
	case hasPassword && !hasLocation:
		return nil, s.errorf(keyKeystorePassword, "is set, but %s is not", s.name(keyKeystoreLocation))
	case hasLocation && !hasPassword:
		return nil, s.errorf(keyKeystorePassword, "must be set with %s", s.name(keyKeystoreLocation))
	case hasLocation:
		return fileKeystore(s, typ, location, password)
	}
	return nil, nil
}

// fileKeystore reads a JKS or PKCS12 keystore file, whichever of the two it
// is (see storeFormat).
func fileKeystore(s Settings, typ, path, password string) ([]tls.Certificate, error) {
	if !isFileStoreType(typ) {
		return nil, s.errorf(keyKeystoreType, "unknown keystore type %q (Kafka's are JKS, PKCS12 and PEM)", typ)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, s.errorf(keyKeystoreLocation, "%w", err)
	}
	switch format := storeFormat(data); format {
	case "JKS":
		return jksKeystore(s, path, data, password)
	case "PKCS12":
		return oneCertificate(pkcs12Keystore(s, path, data, password))
	default:
		return nil, s.originErrorf(origin{key: keyKeystoreLocation, file: path}, "%s", s.notAStore(format, path, keyKeystoreType))
	}
}

func oneCertificate(c tls.Certificate, err error) ([]tls.Certificate, error) {
	if err != nil {
		return nil, err
	}
	return []tls.Certificate{c}, nil
}
