package saslserver

import (
	"encoding/binary"
	"fmt"
	"strings"
	"time"

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

// minReauthInterval is KafkaChannel.MIN_REAUTH_INTERVAL_ONE_SECOND_NANOS: a
// re-authentication may start at most once a second.
const minReauthInterval = time.Second

// ConnAuth is one connection's SASL authentication as Kafka's SaslServerAuthenticator
// runs it, in Kafka's framing: SaslHandshake picks a mechanism, SaslAuthenticate
// carries its exchange (KIP-152), or raw tokens do after a SaslHandshake v0, and
// until the exchange has succeeded the connection is served nothing but those and
// ApiVersions. Every Kafka-protocol server with SASL listeners uses it, so a broker
// listener, the controller listener and the Raft streams on it authenticate alike.
//
// With a session lifetime (WithSessionLifetime, KIP-368) an authentication expires:
// SaslAuthenticate v1+ tells the client when; a SaslHandshake on the authenticated
// connection starts a re-authentication, which must use the same mechanism and end
// with the same principal, else it fails and the connection is closed; and any other
// request after the session expired is refused, which closes the connection, as
// Kafka's SocketServer closes it.
//
// A nil *ConnAuth is a connection on a listener without SASL: it allows every
// request and answers SaslHandshake and SaslAuthenticate with ILLEGAL_SASL_STATE, as
// Kafka answers them when they reach its request handlers. A ConnAuth is used by the
// connection's goroutine only.
type ConnAuth struct {
	mechanisms []Mechanism
	now        func() time.Time
	// session is the exchange in progress, started by a handshake with mechanism.
	session   Session
	mechanism Mechanism
	// raw is set by a SaslHandshake v0: the exchange then goes in raw tokens, each a
	// size and the bytes, instead of SaslAuthenticate requests (before KIP-152).
	raw       bool
	principal string
	// expires ends the authenticated session (zero: never); reauthStarted is when the
	// last re-authentication began; reauthRefusal fails a re-authentication that
	// changed mechanism at its first SaslAuthenticate, as Kafka's REAUTH_BAD_MECHANISM.
	expires       time.Time
	reauthStarted time.Time
	reauthRefusal error
}

// NewConnAuth starts a connection's authentication on a SASL listener that enables
// mechanisms.
func NewConnAuth(mechanisms []Mechanism) *ConnAuth {
	return &ConnAuth{mechanisms: mechanisms, now: time.Now}
}

// Principal is the authenticated principal ("User:" and the user name), "" until the
// exchange has succeeded or on a listener without SASL. It stays the same across
// re-authentications.
func (a *ConnAuth) Principal() string {
	if a == nil {
		return ""
	}
	return a.principal
}

// Expires is when the authenticated session ends unless the client re-authenticates;
// zero when it never does.
func (a *ConnAuth) Expires() time.Time {
	if a == nil {
		return time.Time{}
	}
	return a.expires
}

// Check refuses a request other than ApiVersions, SaslHandshake and SaslAuthenticate
// before the connection has authenticated or during a re-authentication, and any but
// a SaslHandshake (which starts one) once the session has expired; Kafka closes such
// a connection, and so does the caller on an error.
func (a *ConnAuth) Check(key int16) error {
	if a == nil {
		return nil
	}
	if a.principal == "" || a.session != nil || a.reauthRefusal != nil {
		switch key {
		case keyApiVersions, keySaslHandshake, keySaslAuthenticate:
			return nil
		}
		return fmt.Errorf("%s before SASL authentication", kmsg.NameForKey(key))
	}
	if !a.expires.IsZero() && a.now().After(a.expires) && key != keySaslHandshake {
		return fmt.Errorf("%s after the SASL session of %s expired at %s without re-authentication (connections.max.reauth.ms)",
			kmsg.NameForKey(key), a.principal, a.expires.Format(time.RFC3339Nano))
	}
	return nil
}

// Handshake answers a SaslHandshake: a mechanism the listener enables starts its
// exchange; another one is answered UNSUPPORTED_SASL_MECHANISM with the enabled
// list. On an authenticated connection whose session has a lifetime it starts a
// re-authentication (at most once a second); a different mechanism is still
// answered, and fails the exchange at its first SaslAuthenticate, as in Kafka. On a
// listener without SASL, after an authentication that never expires, or during an
// exchange the answer is ILLEGAL_SASL_STATE.
func (a *ConnAuth) Handshake(req *kmsg.SASLHandshakeRequest) *kmsg.SASLHandshakeResponse {
	resp := req.ResponseKind().(*kmsg.SASLHandshakeResponse)
	if a == nil || a.session != nil || a.reauthRefusal != nil || (a.principal != "" && !a.mayReauthenticate()) {
		resp.ErrorCode = kerr.IllegalSaslState.Code
		return resp
	}
	var chosen Mechanism
	for _, m := range a.mechanisms {
		resp.SupportedMechanisms = append(resp.SupportedMechanisms, m.Name())
		if m.Name() == req.Mechanism {
			chosen = m
		}
	}
	if chosen == nil {
		resp.ErrorCode = kerr.UnsupportedSaslMechanism.Code
		return resp
	}
	if a.principal != "" {
		a.reauthStarted = a.now()
		if chosen.Name() != a.mechanism.Name() {
			a.reauthRefusal = refused(fmt.Sprintf("SASL mechanism '%s' requested by client is not supported for re-authentication of mechanism '%s'",
				chosen.Name(), a.mechanism.Name()))
			return resp
		}
	}
	a.session, a.mechanism = chosen.Start(), chosen
	a.raw = req.Version == 0
	return resp
}

// mayReauthenticate tells whether an authenticated connection may start a
// re-authentication now (KafkaChannel.maybeBeginServerReauthentication).
func (a *ConnAuth) mayReauthenticate() bool {
	return !a.expires.IsZero() && (a.reauthStarted.IsZero() || a.now().Sub(a.reauthStarted) >= minReauthInterval)
}

// Authenticate answers a SaslAuthenticate with the next step of the exchange the
// handshake started; the answer that ends it carries the session lifetime (v1+, 0 for
// none). A failed exchange is answered SASL_AUTHENTICATION_FAILED with Kafka's
// message and returns the failure (its Unwrap is the reason to log): the caller
// closes the connection after sending the answer, as Kafka does. Without a handshake
// first the answer is ILLEGAL_SASL_STATE.
func (a *ConnAuth) Authenticate(req *kmsg.SASLAuthenticateRequest) (*kmsg.SASLAuthenticateResponse, error) {
	resp := req.ResponseKind().(*kmsg.SASLAuthenticateResponse)
	if a == nil || (a.session == nil && a.reauthRefusal == nil) || a.raw {
		resp.ErrorCode = kerr.IllegalSaslState.Code
		msg := "SaslAuthenticate without a SaslHandshake first"
		resp.ErrorMessage = &msg
		return resp, nil
	}
	reply, err := a.step(req.SASLAuthBytes)
	if err != nil {
		resp.ErrorCode = kerr.SaslAuthenticationFailed.Code
		msg := err.Error()
		resp.ErrorMessage = &msg
		return resp, err
	}
	resp.SASLAuthBytes = reply
	if a.session == nil && !a.expires.IsZero() {
		resp.SessionLifetimeMillis = max(a.expires.Sub(a.now()).Milliseconds(), 0)
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
	reply, err := a.step(frame)
	if err != nil {
		return true, fmt.Errorf("SASL authentication failed: %w", err)
	}
	out := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(reply)), uint32(len(reply)))
	return true, write(append(out, reply...))
}

// step runs one client message through the exchange; when it ends successfully the
// connection is authenticated (again) and its session starts.
func (a *ConnAuth) step(msg []byte) ([]byte, error) {
	if err := a.reauthRefusal; err != nil {
		return nil, err
	}
	reply, done, err := a.session.Step(msg)
	if err != nil {
		a.session = nil
		return nil, err
	}
	if !done {
		return reply, nil
	}
	principal := "User:" + a.session.Principal()
	var credentialExpiry time.Time
	if es, ok := a.session.(ExpiringSession); ok {
		credentialExpiry = es.CredentialExpiry()
	}
	a.session, a.raw = nil, false
	if a.principal != "" && principal != a.principal {
		err := refused(fmt.Sprintf("Cannot change principals during re-authentication from User.%s: User.%s",
			strings.TrimPrefix(a.principal, "User:"), strings.TrimPrefix(principal, "User:")))
		a.reauthRefusal = err
		return nil, err
	}
	a.principal = principal
	a.expires = sessionExpiry(a.now(), sessionLifetime(a.mechanism), credentialExpiry)
	return reply, nil
}

// sessionExpiry is when a session authenticated at now ends (SaslServerAuthenticator's
// calcCompletionTimesAndReturnSessionLifetimeMs): after connections.max.reauth.ms, and
// no later than the credential itself expires (an OAUTHBEARER token's exp), whether or
// not re-authentication is configured; zero when neither bounds it.
func sessionExpiry(now time.Time, lifetime time.Duration, credentialExpiry time.Time) time.Time {
	var expires time.Time
	if lifetime > 0 {
		expires = now.Add(lifetime)
	}
	if !credentialExpiry.IsZero() && (expires.IsZero() || credentialExpiry.Before(expires)) {
		expires = credentialExpiry
	}
	return expires
}
