package saslserver

import (
	"encoding/binary"
	"fmt"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Kafka API keys of the requests a connection may send before it has authenticated
// (Kafka's SaslServerAuthenticator): ApiVersions, SaslHandshake, SaslAuthenticate.
const (
	keySaslHandshake    = 17
	keyApiVersions      = 18
	keySaslAuthenticate = 36
)

// ConnAuth is one connection's SASL authentication as Kafka's SaslServerAuthenticator
// runs it, in Kafka's framing: SaslHandshake picks a mechanism, SaslAuthenticate
// carries its exchange (KIP-152), or raw tokens do after a SaslHandshake v0, and
// until the exchange has succeeded the connection is served nothing but those and
// ApiVersions. Every Kafka-protocol server with SASL listeners uses it, so a broker
// listener, the controller listener and the Raft streams on it authenticate alike.
//
// A nil *ConnAuth is a connection on a listener without SASL: it allows every
// request and answers SaslHandshake and SaslAuthenticate with ILLEGAL_SASL_STATE, as
// Kafka answers them when they reach its request handlers. A ConnAuth is used by the
// connection's goroutine only.
type ConnAuth struct {
	mechanisms []Mechanism
	session    Session
	// raw is set by a SaslHandshake v0: the exchange then goes in raw tokens, each a
	// size and the bytes, instead of SaslAuthenticate requests (before KIP-152).
	raw       bool
	principal string
}

// NewConnAuth starts a connection's authentication on a SASL listener that enables
// mechanisms.
func NewConnAuth(mechanisms []Mechanism) *ConnAuth {
	return &ConnAuth{mechanisms: mechanisms}
}

// Principal is the authenticated principal ("User:" and the user name), "" until the
// exchange has succeeded or on a listener without SASL.
func (a *ConnAuth) Principal() string {
	if a == nil {
		return ""
	}
	return a.principal
}

// Check refuses a request other than ApiVersions, SaslHandshake and SaslAuthenticate
// before the connection has authenticated; Kafka closes such a connection
// (IllegalSaslStateException), and so does the caller on an error.
func (a *ConnAuth) Check(key int16) error {
	if a == nil || a.principal != "" {
		return nil
	}
	switch key {
	case keyApiVersions, keySaslHandshake, keySaslAuthenticate:
		return nil
	}
	return fmt.Errorf("%s before SASL authentication", kmsg.NameForKey(key))
}

// Handshake answers a SaslHandshake: a mechanism the listener enables starts its
// exchange; another one is answered UNSUPPORTED_SASL_MECHANISM with the enabled
// list; on a listener without SASL, after authentication or during an exchange the
// answer is ILLEGAL_SASL_STATE.
func (a *ConnAuth) Handshake(req *kmsg.SASLHandshakeRequest) *kmsg.SASLHandshakeResponse {
	resp := req.ResponseKind().(*kmsg.SASLHandshakeResponse)
	if a == nil || a.session != nil || a.principal != "" {
		resp.ErrorCode = kerr.IllegalSaslState.Code
		return resp
	}
	for _, m := range a.mechanisms {
		resp.SupportedMechanisms = append(resp.SupportedMechanisms, m.Name())
		if m.Name() == req.Mechanism {
			a.session = m.Start()
		}
	}
	if a.session == nil {
		resp.ErrorCode = kerr.UnsupportedSaslMechanism.Code
	}
	a.raw = a.session != nil && req.Version == 0
	return resp
}

// Authenticate answers a SaslAuthenticate with the next step of the exchange the
// handshake started. A failed exchange is answered SASL_AUTHENTICATION_FAILED with
// Kafka's message and returns the failure (its Unwrap is the reason to log): the
// caller closes the connection after sending the answer, as Kafka does. Without a
// handshake first the answer is ILLEGAL_SASL_STATE.
func (a *ConnAuth) Authenticate(req *kmsg.SASLAuthenticateRequest) (*kmsg.SASLAuthenticateResponse, error) {
	resp := req.ResponseKind().(*kmsg.SASLAuthenticateResponse)
	if a == nil || a.session == nil || a.raw {
		resp.ErrorCode = kerr.IllegalSaslState.Code
		msg := "SaslAuthenticate without a SaslHandshake first"
		resp.ErrorMessage = &msg
		return resp, nil
	}
	reply, done, err := a.session.Step(req.SASLAuthBytes)
	if err != nil {
		resp.ErrorCode = kerr.SaslAuthenticationFailed.Code
		msg := err.Error()
		resp.ErrorMessage = &msg
		a.session = nil
		return resp, err
	}
	resp.SASLAuthBytes = reply
	if done {
		a.succeeded()
	}
	return resp, nil
}

// RawToken takes a raw SASL token that follows a SaslHandshake v0 (kwire.Serve's
// RawFrames hook calls it with every frame): the frame is the client's next message,
// answered through write with the server's as a size and the bytes. It reports
// whether frame was such a token; a failed exchange is an error, which closes the
// connection, as Kafka closes it (a v0 client has no error field to read).
func (a *ConnAuth) RawToken(frame []byte, write func(frame []byte) error) (bool, error) {
	if a == nil || !a.raw || a.session == nil {
		return false, nil
	}
	reply, done, err := a.session.Step(frame)
	if err != nil {
		return true, fmt.Errorf("SASL authentication failed: %w", err)
	}
	out := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(reply)), uint32(len(reply)))
	if err := write(append(out, reply...)); err != nil {
		return true, err
	}
	if done {
		a.succeeded()
	}
	return true, nil
}

// succeeded ends a successful exchange: the connection now serves every API as its
// principal.
func (a *ConnAuth) succeeded() {
	a.principal = "User:" + a.session.Principal()
	a.session, a.raw = nil, false
}
