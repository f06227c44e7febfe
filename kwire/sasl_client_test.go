package kwire

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl/plain"
)

// TestClientRenewsExpiringSASLSessions: a Client over a SASL Security authenticates
// each connection it dials (SaslHandshake v1, then the mechanism's message in a
// SaslAuthenticate v1) and, when the server announced a session lifetime (KIP-368),
// dials anew before the session ends instead of sending on it; a refused
// authentication is the server's error.
func TestClientRenewsExpiringSASLSessions(t *testing.T) {
	var handshakes atomic.Int32
	addr := fakeKafka(t, func(req kmsg.Request) kmsg.Response {
		switch r := req.(type) {
		case *kmsg.SASLHandshakeRequest:
			handshakes.Add(1)
			resp := r.ResponseKind().(*kmsg.SASLHandshakeResponse)
			if r.Mechanism != "PLAIN" || r.Version != 1 {
				resp.ErrorCode = kerr.UnsupportedSaslMechanism.Code
			}
			return resp
		case *kmsg.SASLAuthenticateRequest:
			resp := r.ResponseKind().(*kmsg.SASLAuthenticateResponse)
			if string(r.SASLAuthBytes) != "\x00alice\x00alice-secret" {
				resp.ErrorCode = kerr.SaslAuthenticationFailed.Code
				return resp
			}
			resp.SessionLifetimeMillis = 1500
			return resp
		}
		return apiVersions(req, map[int16]int16{18: 4})
	})
	sec := Security{SASL: plain.Auth{User: "alice", Pass: "alice-secret"}.AsMechanism()}
	c := NewClientWith(addr, "test", sec.Dialer())
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	request := func() {
		t.Helper()
		if _, err := c.Request(ctx, kmsg.NewPtrApiVersionsRequest()); err != nil {
			t.Fatalf("request: %v", err)
		}
	}
	request()
	request()
	if n := handshakes.Load(); n != 1 {
		t.Fatalf("%d authentications for two requests within the session, want 1", n)
	}
	time.Sleep(600 * time.Millisecond) // past the renewal point: 1.5 s minus a 1 s margin
	request()
	if n := handshakes.Load(); n != 2 {
		t.Fatalf("%d authentications after the session neared its end, want 2", n)
	}

	wrong := Security{SASL: plain.Auth{User: "alice", Pass: "guess"}.AsMechanism()}
	if _, err := DialWith(ctx, addr, "test", wrong.Dialer()); !errors.Is(err, kerr.SaslAuthenticationFailed) {
		t.Errorf("a refused authentication: %v, want SASL_AUTHENTICATION_FAILED", err)
	}
}
