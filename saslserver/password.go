package saslserver

import (
	"crypto/subtle"
)

// passwordChecker is a mechanism that can judge a user name and password given
// outright, for a protocol that carries them instead of a SASL exchange.
type passwordChecker interface {
	checkPassword(user, password string) bool
}

// CheckPassword reports whether one of mechanisms accepts user with password: PLAIN
// against its JAAS users, SCRAM against the user's stored credential. It is how the
// migration admin endpoint, whose HTTP requests carry Basic credentials, authenticates
// a user against the SASL controller listener it is served on: with the same users and
// credentials a Kafka client of that listener would log in with.
func CheckPassword(mechanisms []Mechanism, user, password string) bool {
	for _, m := range mechanisms {
		if pc, ok := m.(passwordChecker); ok && pc.checkPassword(user, password) {
			return true
		}
	}
	return false
}

// checkPassword compares in constant time, as a PLAIN exchange does.
func (m plainMechanism) checkPassword(user, password string) bool {
	expected, known := m.users[user]
	return known && password != "" && subtle.ConstantTimeCompare([]byte(expected), []byte(password)) == 1
}

// checkPassword derives the credential of password with the stored salt and
// iteration count (SaltedPassword = PBKDF2(password, salt, iterations), StoredKey =
// H(HMAC(SaltedPassword, "Client Key"))) and compares the stored key in constant
// time. A credential under MinScramIterations is refused, as the SCRAM exchange
// refuses it.
func (m *scramMechanism) checkPassword(user, password string) bool {
	stored, ok := m.lookup(user)
	if !ok || stored.Iterations < MinScramIterations {
		return false
	}
	derived, err := NewScramCredential(m.name, password, stored.Salt, stored.Iterations)
	return err == nil && subtle.ConstantTimeCompare(derived.StoredKey, stored.StoredKey) == 1
}
