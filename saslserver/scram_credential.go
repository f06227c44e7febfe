package saslserver

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"fmt"
	"hash"
)

// Names of the SCRAM mechanisms, as ScramMechanism.mechanismName spells them.
const (
	ScramSHA256 = "SCRAM-SHA-256"
	ScramSHA512 = "SCRAM-SHA-512"
)

// MinScramIterations is ScramMechanism.minIterations (RFC 7677's minimum) for
// both hashes: the server refuses credentials with fewer iterations, and
// Kafka's tools refuse to create them.
const MinScramIterations = 4096

// ScramCredential is a stored SCRAM credential as Kafka keeps it (UserScramCredentialRecord / the ZooKeeper user config).
//
// It holds what RFC 5802 lets a server keep instead of the password:
// StoredKey = H(ClientKey) checks the client's proof and ServerKey signs the
// server's reply, with ClientKey = HMAC(SaltedPassword, "Client Key"),
// ServerKey = HMAC(SaltedPassword, "Server Key") and SaltedPassword =
// PBKDF2(HMAC-H, password, Salt, Iterations).
type ScramCredential struct {
	Salt, StoredKey, ServerKey []byte
	Iterations                 int32
}

// NewScramCredential derives the credential of password for mechanism
// (ScramSHA256 or ScramSHA512) as Kafka's ScramFormatter.generateCredential
// does, for kafka-storage's --add-scram and for tests. An empty salt is
// replaced by a random one, as Kafka's tools make when none is given.
// iterations must be positive; whether it is within Kafka's range is the
// caller's rule (the server itself refuses fewer than MinScramIterations).
func NewScramCredential(mechanism, password string, salt []byte, iterations int32) (ScramCredential, error) {
	newHash, err := scramHash(mechanism)
	if err != nil {
		return ScramCredential{}, err
	}
	if iterations < 1 {
		return ScramCredential{}, fmt.Errorf("saslserver: %s iterations must be positive, got %d", mechanism, iterations)
	}
	if len(salt) == 0 {
		// ScramFormatter.secureRandomBytes: 130 random bits as text.
		salt = []byte(rand.Text())
	}
	// ScramFormatter.normalize takes the password's UTF-8 bytes as they are
	// (no SASLprep), which is what a Go string holds.
	salted, err := pbkdf2.Key(newHash, password, salt, int(iterations), newHash().Size())
	if err != nil {
		return ScramCredential{}, fmt.Errorf("saslserver: deriving the %s salted password: %w", mechanism, err)
	}
	storedKey, serverKey := scramKeys(newHash, salted)
	return ScramCredential{Salt: salt, StoredKey: storedKey, ServerKey: serverKey, Iterations: iterations}, nil
}

// ScramKeys derives the stored and server keys of a salted password for mechanism
// (ScramSHA256 or ScramSHA512), as Kafka's ScramFormatter does for
// AlterUserScramCredentials, whose clients send the salted password rather than the
// password itself.
func ScramKeys(mechanism string, saltedPassword []byte) (storedKey, serverKey []byte, err error) {
	newHash, err := scramHash(mechanism)
	if err != nil {
		return nil, nil, err
	}
	storedKey, serverKey = scramKeys(newHash, saltedPassword)
	return storedKey, serverKey, nil
}

// scramKeys is StoredKey = H(HMAC(salted, "Client Key")) and
// ServerKey = HMAC(salted, "Server Key").
func scramKeys(newHash func() hash.Hash, salted []byte) (storedKey, serverKey []byte) {
	clientKey := hmacOf(newHash, salted, []byte("Client Key"))
	return hashOf(newHash, clientKey), hmacOf(newHash, salted, []byte("Server Key"))
}

// scramHash is the hash a SCRAM mechanism name stands for (ScramMechanism).
func scramHash(mechanism string) (func() hash.Hash, error) {
	switch mechanism {
	case ScramSHA256:
		return sha256.New, nil
	case ScramSHA512:
		return sha512.New, nil
	}
	return nil, fmt.Errorf("saslserver: requested mechanism '%s' is not supported; supported mechanisms are '%s' and '%s'", mechanism, ScramSHA256, ScramSHA512)
}

func hmacOf(newHash func() hash.Hash, key, message []byte) []byte {
	mac := hmac.New(newHash, key)
	mac.Write(message)
	return mac.Sum(nil)
}

func hashOf(newHash func() hash.Hash, data []byte) []byte {
	h := newHash()
	h.Write(data)
	return h.Sum(nil)
}

// proofValid is ScramSaslServer.verifyClientProof: ClientKey = proof XOR
// HMAC(StoredKey, AuthMessage) must hash to StoredKey (RFC 5802 section 3),
// compared in constant time.
func proofValid(newHash func() hash.Hash, storedKey, authMessage, proof []byte) bool {
	clientKey := hmacOf(newHash, storedKey, authMessage)
	if len(proof) != len(clientKey) {
		return false
	}
	subtle.XORBytes(clientKey, clientKey, proof)
	return subtle.ConstantTimeCompare(hashOf(newHash, clientKey), storedKey) == 1
}
