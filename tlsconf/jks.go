package tlsconf

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pavlo-v-chernykh/keystore-go/v4"
)

// errWrongStorePassword is a JKS store whose integrity digest does not
// match the password.
var errWrongStorePassword = errors.New("wrong password")

// readJKS loads a JKS store. Without a password (hasPassword false; only
// truststores allow it) the entries are read without the integrity check,
// as Java's KeyStore.load(in, null) does: keystore-go fills the store before
// it compares the digest, so its digest mismatch is then ignored.
func readJKS(data []byte, password string, hasPassword bool) (keystore.KeyStore, error) {
	pw, err := jksPassword(password)
	if err != nil {
		return keystore.KeyStore{}, err
	}
	ks := keystore.New()
	err = ks.Load(bytes.NewReader(data), pw)
	switch {
	case err == nil:
		return ks, nil
	case isDigestMismatch(err) && !hasPassword:
		return ks, nil
	case isDigestMismatch(err):
		return keystore.KeyStore{}, errWrongStorePassword
	}
	return keystore.KeyStore{}, err
}

// isDigestMismatch recognizes keystore-go's error for a digest (store or
// key entry) that does not match the password; it has no sentinel for it.
func isDigestMismatch(err error) bool {
	return strings.Contains(err.Error(), "invalid digest")
}

// jksPassword turns a password into the bytes keystore-go expects: it
// widens each byte to a UTF-16 unit as Java does with each char, so only
// passwords within Latin-1 can be given.
func jksPassword(p string) ([]byte, error) {
	b := make([]byte, 0, len(p))
	for _, r := range p {
		if r > 0xff {
			return nil, errors.New("kbridge reads JKS stores only with passwords of Latin-1 characters")
		}
		b = append(b, byte(r))
	}
	return b, nil
}

// jksKeystore reads every private key entry of a JKS keystore, each with
// ssl.key.password or, when that is unset, ssl.keystore.password (Kafka's
// FileBasedStore.keyPassword). A JVM's key manager also needs every key entry
// to open with that one password.
func jksKeystore(s Settings, path string, data []byte, storePassword string) ([]tls.Certificate, error) {
	from := origin{key: keyKeystoreLocation, file: path}
	ks, err := readJKS(data, storePassword, true)
	if errors.Is(err, errWrongStorePassword) {
		return nil, s.errorf(keyKeystorePassword, "wrong password for the JKS keystore %s", path)
	}
	if err != nil {
		return nil, s.originErrorf(from, "reading the JKS keystore: %v; %s", err, convertHint(path))
	}
	keyPassword, passwordKey, defaulted := storePassword, keyKeystorePassword, true
	if p, ok := s.value(keyKeyPassword); ok {
		keyPassword, passwordKey, defaulted = p, keyKeyPassword, false
	}
	pw, err := jksPassword(keyPassword)
	if err != nil {
		return nil, s.errorf(passwordKey, "%w", err)
	}
	aliases := ks.Aliases()
	slices.Sort(aliases)
	var certs []tls.Certificate
	for _, alias := range aliases {
		if !ks.IsPrivateKeyEntry(alias) {
			continue
		}
		entry, err := ks.GetPrivateKeyEntry(alias, pw)
		if err != nil && isDigestMismatch(err) {
			hint := ""
			if defaulted {
				hint = " (" + s.name(keyKeyPassword) + " is unset, so the key password is this one)"
			}
			return nil, s.errorf(passwordKey, "wrong password for the key entry %q in %s%s", alias, path, hint)
		}
		if err != nil {
			return nil, s.originErrorf(from, "key entry %q: %v; %s", alias, err, convertHint(path))
		}
		c, err := jksKeyPair(entry)
		if err != nil {
			return nil, s.originErrorf(from, "key entry %q: %w", alias, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, s.originErrorf(from, "no private key in the JKS keystore (is this a truststore?)")
	}
	return certs, nil
}

func jksKeyPair(entry keystore.PrivateKeyEntry) (tls.Certificate, error) {
	key, err := x509.ParsePKCS8PrivateKey(entry.PrivateKey)
	if err != nil {
		return tls.Certificate{}, err
	}
	var chain []*x509.Certificate
	for _, c := range entry.CertificateChain {
		cert, err := jksCertificate(c)
		if err != nil {
			return tls.Certificate{}, err
		}
		chain = append(chain, cert)
	}
	return keyPair(chain, key)
}

func jksCertificate(c keystore.Certificate) (*x509.Certificate, error) {
	if c.Type != "X.509" {
		return nil, fmt.Errorf("certificate of type %q, not X.509", c.Type)
	}
	return x509.ParseCertificate(c.Content)
}

// jksTrusted returns what a JVM trusts in a JKS truststore
// (TrustStoreUtil.getTrustedCerts): every trusted certificate entry, and the
// first certificate of every key entry.
func jksTrusted(ks keystore.KeyStore) ([]*x509.Certificate, error) {
	aliases := ks.Aliases()
	slices.Sort(aliases)
	var certs []*x509.Certificate
	for _, alias := range aliases {
		var c keystore.Certificate
		if ks.IsTrustedCertificateEntry(alias) {
			e, err := ks.GetTrustedCertificateEntry(alias)
			if err != nil {
				return nil, err
			}
			c = e.Certificate
		} else {
			chain, err := ks.GetPrivateKeyEntryCertificateChain(alias)
			if err != nil || len(chain) == 0 {
				continue
			}
			c = chain[0]
		}
		cert, err := jksCertificate(c)
		if err != nil {
			return nil, fmt.Errorf("entry %q: %w", alias, err)
		}
		certs = append(certs, cert)
	}
	return certs, nil
}
