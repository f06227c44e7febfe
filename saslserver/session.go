package saslserver

import "time"

// Session is one authentication exchange on one connection. A session is
// used by one goroutine at a time: the broker's handling of the connection.
type Session interface {
	// Step consumes the client's next message and returns the server's reply; done is
	// true once the exchange has ended successfully (the reply may still need sending).
	// An error means the authentication failed: the error is safe to show the client
	// (Kafka's SaslAuthenticationException texts, e.g. "Authentication failed during
	// authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512").
	// It is an *AuthError, whose Unwrap is the reason to log.
	Step(msg []byte) (reply []byte, done bool, err error)
	// Principal is the authenticated user's name (without "User:"), after done.
	Principal() string
}

// Mechanism starts sessions of one SASL mechanism; it is safe for concurrent
// use, as a listener starts a session per connection.
type Mechanism interface {
	Name() string // "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"
	Start() Session
}

// ExpiringSession is a Session whose credential stops being valid at a known
// time, such as an OAUTHBEARER token at its exp. Kafka's
// SaslServerAuthenticator bounds a session's lifetime by it (the
// CREDENTIAL_LIFETIME_MS negotiated property): session_lifetime_ms is at most
// the time left until then, with or without connections.max.reauth.ms, so that
// a connection does not outlive its token (KIP-368).
type ExpiringSession interface {
	Session
	// CredentialExpiry is when the authenticated credential expires; it is the zero
	// time until the exchange has ended successfully.
	CredentialExpiry() time.Time
}
