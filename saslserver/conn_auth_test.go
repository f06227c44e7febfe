package saslserver

import (
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func handshake(a *ConnAuth, version int16, mechanism string) *kmsg.SASLHandshakeResponse {
	req := kmsg.NewPtrSASLHandshakeRequest()
	req.Version, req.Mechanism = version, mechanism
	return a.Handshake(req)
}

func authenticate(a *ConnAuth, msg string) (*kmsg.SASLAuthenticateResponse, error) {
	req := kmsg.NewPtrSASLAuthenticateRequest()
	req.SASLAuthBytes = []byte(msg)
	return a.Authenticate(req)
}

// TestConnAuth: before authentication only ApiVersions and the SASL requests pass;
// an unknown mechanism is answered with the enabled list; SaslAuthenticate before a
// handshake and a second handshake are ILLEGAL_SASL_STATE; a wrong password fails
// with Kafka's code and an error for the caller to close on; the right one names the
// principal, after which every request passes and a handshake is illegal again.
func TestConnAuth(t *testing.T) {
	a := NewConnAuth([]Mechanism{Plain(map[string]string{"alice": "alice-secret"})})
	if a.Check(3) == nil || a.Check(18) != nil || a.Check(17) != nil || a.Check(36) != nil {
		t.Fatal("before authentication, Metadata must be refused and ApiVersions, SaslHandshake, SaslAuthenticate allowed")
	}
	if resp, _ := authenticate(a, "\x00alice\x00alice-secret"); resp.ErrorCode != kerr.IllegalSaslState.Code {
		t.Errorf("SaslAuthenticate before a handshake: code %d", resp.ErrorCode)
	}
	if resp := handshake(a, 1, "GSSAPI"); resp.ErrorCode != kerr.UnsupportedSaslMechanism.Code || len(resp.SupportedMechanisms) != 1 || resp.SupportedMechanisms[0] != "PLAIN" {
		t.Errorf("an unknown mechanism: %+v", resp)
	}
	if resp := handshake(a, 1, "PLAIN"); resp.ErrorCode != 0 {
		t.Fatalf("PLAIN handshake: code %d", resp.ErrorCode)
	}
	if resp := handshake(a, 1, "PLAIN"); resp.ErrorCode != kerr.IllegalSaslState.Code {
		t.Errorf("a second handshake during the exchange: code %d", resp.ErrorCode)
	}
	if resp, err := authenticate(a, "\x00alice\x00guess"); err == nil || resp.ErrorCode != kerr.SaslAuthenticationFailed.Code {
		t.Errorf("a wrong password: %v, code %d", err, resp.ErrorCode)
	}
	if a.Principal() != "" {
		t.Fatal("a failed exchange named a principal")
	}

	a = NewConnAuth([]Mechanism{Plain(map[string]string{"alice": "alice-secret"})})
	handshake(a, 1, "PLAIN")
	if resp, err := authenticate(a, "\x00alice\x00alice-secret"); err != nil || resp.ErrorCode != 0 {
		t.Fatalf("the right password: %v, code %d", err, resp.ErrorCode)
	}
	if a.Principal() != "User:alice" || a.Check(3) != nil {
		t.Errorf("after authentication: principal %q, Metadata allowed: %v", a.Principal(), a.Check(3))
	}
	if resp := handshake(a, 1, "PLAIN"); resp.ErrorCode != kerr.IllegalSaslState.Code {
		t.Errorf("a handshake after authentication: code %d", resp.ErrorCode)
	}
}

// TestConnAuthRawTokens: after a SaslHandshake v0 the next frame is the client's
// raw token, answered as a size and the server's bytes; frames after the exchange
// are requests again.
func TestConnAuthRawTokens(t *testing.T) {
	a := NewConnAuth([]Mechanism{Plain(map[string]string{"alice": "alice-secret"})})
	handshake(a, 0, "PLAIN")
	var written []byte
	handled, err := a.RawToken([]byte("\x00alice\x00alice-secret"), func(b []byte) error { written = b; return nil })
	if !handled || err != nil || len(written) != 4 || binary.BigEndian.Uint32(written) != 0 {
		t.Fatalf("raw PLAIN token: handled %v, err %v, written %x", handled, err, written)
	}
	if a.Principal() != "User:alice" {
		t.Fatalf("principal %q after the raw exchange", a.Principal())
	}
	if handled, _ := a.RawToken([]byte("a request"), nil); handled {
		t.Error("a frame after the raw exchange was taken as a token")
	}
}

// TestConnAuthWithoutSASL: on a listener without SASL (a nil ConnAuth) every request
// passes, the SASL requests are ILLEGAL_SASL_STATE and no frame is a raw token.
func TestConnAuthWithoutSASL(t *testing.T) {
	var a *ConnAuth
	if a.Check(3) != nil || a.Principal() != "" {
		t.Error("a listener without SASL refused a request or named a principal")
	}
	if resp := handshake(a, 1, "PLAIN"); resp.ErrorCode != kerr.IllegalSaslState.Code {
		t.Errorf("SaslHandshake without SASL: code %d", resp.ErrorCode)
	}
	if resp, _ := authenticate(a, "x"); resp.ErrorCode != kerr.IllegalSaslState.Code {
		t.Errorf("SaslAuthenticate without SASL: code %d", resp.ErrorCode)
	}
	if handled, _ := a.RawToken([]byte("x"), nil); handled {
		t.Error("a frame was taken as a raw token without SASL")
	}
}

// TestConnAuthReauthentication follows KIP-368 as Kafka's SaslServerAuthenticator and
// SocketServer run it: the final SaslAuthenticate carries the session lifetime; a
// request within it passes; a SaslHandshake on the authenticated connection starts a
// re-authentication (at most once a second) that must keep the principal; a request
// after the session expired is refused, though a SaslHandshake may still start a
// re-authentication; a different mechanism or principal fails it.
func TestConnAuthReauthentication(t *testing.T) {
	users := map[string]string{"alice": "alice-secret", "bob": "bob-secret"}
	mechs := []Mechanism{
		WithSessionLifetime(Plain(users), 10*time.Second),
		WithSessionLifetime(plain2{Plain(users)}, 10*time.Second),
	}
	clock := time.Unix(1000, 0)
	login := func(a *ConnAuth, mechanism, user string) (*kmsg.SASLHandshakeResponse, *kmsg.SASLAuthenticateResponse, error) {
		hs := handshake(a, 1, mechanism)
		resp, err := authenticate(a, "\x00"+user+"\x00"+users[user])
		return hs, resp, err
	}
	a := NewConnAuth(mechs)
	a.now = func() time.Time { return clock }
	if _, resp, err := login(a, "PLAIN", "alice"); err != nil || resp.SessionLifetimeMillis != 10000 {
		t.Fatalf("login: %v, session lifetime %d, want 10000", err, resp.SessionLifetimeMillis)
	}
	clock = clock.Add(5 * time.Second)
	if a.Check(3) != nil {
		t.Error("a request within the session was refused")
	}
	if hs, resp, err := login(a, "PLAIN", "alice"); hs.ErrorCode != 0 || err != nil || resp.SessionLifetimeMillis != 10000 {
		t.Fatalf("re-authentication: handshake code %d, %v", hs.ErrorCode, err)
	}
	if a.Expires() != clock.Add(10*time.Second) || a.Principal() != "User:alice" {
		t.Errorf("after re-authentication: expires %v, principal %s", a.Expires(), a.Principal())
	}
	if hs := handshake(a, 1, "PLAIN"); hs.ErrorCode != kerr.IllegalSaslState.Code {
		t.Errorf("a second re-authentication within a second: code %d", hs.ErrorCode)
	}
	clock = clock.Add(11 * time.Second)
	if a.Check(3) == nil {
		t.Error("a request after the session expired was served")
	}
	if a.Check(17) != nil {
		t.Error("a SaslHandshake after the session expired was refused: it may re-authenticate")
	}
	if _, _, err := login(a, "PLAIN", "alice"); err != nil || a.Check(3) != nil {
		t.Errorf("re-authentication after expiry: %v, then %v", err, a.Check(3))
	}

	clock = clock.Add(2 * time.Second)
	if _, resp, err := login(a, "PLAIN", "bob"); err == nil || resp.ErrorCode != kerr.SaslAuthenticationFailed.Code || !strings.Contains(err.Error(), "Cannot change principals during re-authentication from User.alice: User.bob") {
		t.Errorf("re-authentication as another user: %v", err)
	}
	b := NewConnAuth(mechs)
	b.now = func() time.Time { return clock }
	login(b, "PLAIN", "alice")
	clock = clock.Add(2 * time.Second)
	if hs, _, err := login(b, "PLAIN2", "alice"); hs.ErrorCode != 0 || err == nil || !strings.Contains(err.Error(), "not supported for re-authentication of mechanism 'PLAIN'") {
		t.Errorf("re-authentication with another mechanism: handshake code %d, %v", hs.ErrorCode, err)
	}

	forever := NewConnAuth([]Mechanism{Plain(users)})
	if _, resp, _ := login(forever, "PLAIN", "alice"); resp.SessionLifetimeMillis != 0 {
		t.Errorf("a session without a lifetime announced %d ms", resp.SessionLifetimeMillis)
	}
	if hs := handshake(forever, 1, "PLAIN"); hs.ErrorCode != kerr.IllegalSaslState.Code {
		t.Errorf("a handshake on a session that never expires: code %d", hs.ErrorCode)
	}
}

// plain2 is PLAIN under another name, a second mechanism for the tests.
type plain2 struct{ Mechanism }

func (plain2) Name() string { return "PLAIN2" }
