package saslserver

import (
	"encoding/binary"
	"testing"

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
