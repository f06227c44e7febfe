package saslserver

import "time"

// WithSessionLifetime makes m's authentications expire after lifetime, Kafka's
// connections.max.reauth.ms for the mechanism on its listener (KIP-368): ConnAuth
// tells the client the lifetime in SaslAuthenticate v1+, lets it re-authenticate on the
// same connection, and refuses its requests once the session has expired without
// that. A lifetime of zero or less leaves m as it is: sessions never expire.
func WithSessionLifetime(m Mechanism, lifetime time.Duration) Mechanism {
	if lifetime <= 0 {
		return m
	}
	return lifetimeMechanism{Mechanism: m, lifetime: lifetime}
}

type lifetimeMechanism struct {
	Mechanism
	lifetime time.Duration
}

// checkPassword forwards to the mechanism it wraps, so CheckPassword still finds it.
func (m lifetimeMechanism) checkPassword(user, password string) bool {
	pc, ok := m.Mechanism.(passwordChecker)
	return ok && pc.checkPassword(user, password)
}

// sessionLifetime is how long an authentication with m lasts; zero: for ever.
func sessionLifetime(m Mechanism) time.Duration {
	if lm, ok := m.(lifetimeMechanism); ok {
		return lm.lifetime
	}
	return 0
}
