package tlsconf

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
)

// errKeyMismatch is a keystore whose key is not the key of its certificate;
// a JVM would only find out in the first handshake.
var errKeyMismatch = errors.New("the certificate and the private key do not match")

// keyPair makes a tls.Certificate of a private key and its chain, leaf
// first, checking that the key is the leaf's and that TLS can sign with it.
func keyPair(chain []*x509.Certificate, key any) (tls.Certificate, error) {
	var signer crypto.Signer
	switch k := key.(type) {
	case *rsa.PrivateKey:
		signer = k
	case *ecdsa.PrivateKey:
		signer = k
	case ed25519.PrivateKey:
		signer = k
	default:
		return tls.Certificate{}, fmt.Errorf("unsupported private key type %T (TLS needs RSA, ECDSA or Ed25519)", key)
	}
	if len(chain) == 0 {
		return tls.Certificate{}, errors.New("no certificate for the private key")
	}
	leaf := chain[0]
	pub, ok := leaf.PublicKey.(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(signer.Public()) {
		return tls.Certificate{}, fmt.Errorf("%w (certificate %q)", errKeyMismatch, leaf.Subject)
	}
	c := tls.Certificate{PrivateKey: signer, Leaf: leaf}
	for _, cert := range chain {
		c.Certificate = append(c.Certificate, cert.Raw)
	}
	return c, nil
}

// leafChain picks the certificate of key among certs and follows its issuers
// through the rest, as a Java key store chains a key entry's certificates,
// so a store that lists its certificates in another order still works.
func leafChain(certs []*x509.Certificate, key crypto.Signer) ([]*x509.Certificate, error) {
	var chain []*x509.Certificate
	for _, c := range certs {
		if pub, ok := c.PublicKey.(interface{ Equal(crypto.PublicKey) bool }); ok && pub.Equal(key.Public()) {
			chain = []*x509.Certificate{c}
			break
		}
	}
	if chain == nil {
		return nil, errKeyMismatch
	}
	for cur := chain[0]; !bytes.Equal(cur.RawIssuer, cur.RawSubject); {
		var next *x509.Certificate
		for _, c := range certs {
			if bytes.Equal(c.RawSubject, cur.RawIssuer) && !slices.ContainsFunc(chain, c.Equal) {
				next = c
				break
			}
		}
		if next == nil {
			break
		}
		chain = append(chain, next)
		cur = next
	}
	return chain, nil
}
