package saslserver

import (
	"testing"
	"time"
)

// TestSessionExpiry follows SaslServerAuthenticator's rule: the earlier of
// connections.max.reauth.ms and the credential's expiry, either alone, or never.
func TestSessionExpiry(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	token := now.Add(30 * time.Second)
	for _, c := range []struct {
		name     string
		lifetime time.Duration
		expiry   time.Time
		want     time.Time
	}{
		{"neither", 0, time.Time{}, time.Time{}},
		{"reauth only", time.Minute, time.Time{}, now.Add(time.Minute)},
		{"token only", 0, token, token},
		{"token first", time.Minute, token, token},
		{"reauth first", 10 * time.Second, token, now.Add(10 * time.Second)},
	} {
		if got := sessionExpiry(now, c.lifetime, c.expiry); !got.Equal(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
