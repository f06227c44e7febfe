package saslserver

import (
	"fmt"
	"time"
)

// oauthBearerName is OAuthBearerLoginModule.OAUTHBEARER_MECHANISM.
const oauthBearerName = "OAUTHBEARER"

// OAuthBearer is Kafka's OAuthBearerSaslServer (RFC 7628, KIP-255) with the
// validator a Kafka broker uses when no
// listener.name.<l>.oauthbearer.sasl.server.callback.handler.class is set:
// OAuthBearerUnsecuredValidatorCallbackHandler, which accepts an unsecured
// JWS by its claims alone, configured by opts. Its sessions are
// ExpiringSessions, ending with the token's exp.
func OAuthBearer(opts OAuthBearerOptions) Mechanism {
	return &oauthMechanism{opts: opts, now: time.Now}
}

type oauthMechanism struct {
	opts OAuthBearerOptions
	now  func() time.Time // the clock tokens are checked against; tests set it
}

func (*oauthMechanism) Name() string { return oauthBearerName }

func (m *oauthMechanism) Start() Session { return &oauthSession{m: m} }

// oauthSession is OAuthBearerSaslServer: the client's initial response is
// answered with an empty reply once its token is valid. A refused token is
// answered with an error challenge (oauthErrorJSON) instead, as RFC 7628
// section 3.2.2 has it; the client then sends a lone kvsep and the
// authentication fails with the challenge as its message, which is what a
// Kafka client sees. A client may send a new initial response instead, as
// Kafka allows.
type oauthSession struct {
	m *oauthMechanism
	// challenge is the error challenge sent for the last token, and refusal why
	// the token was refused, until the client answers.
	challenge string
	refusal   error
	ended     bool
	principal string
	expiry    time.Time
}

func (s *oauthSession) Principal() string { return s.principal }

// CredentialExpiry is the token's exp (Kafka's OAuthBearerToken.lifetimeMs,
// which its SaslServerAuthenticator bounds session_lifetime_ms by).
func (s *oauthSession) CredentialExpiry() time.Time { return s.expiry }

func (s *oauthSession) Step(msg []byte) ([]byte, bool, error) {
	if s.ended {
		return nil, false, stepAfterEnd(s.principal)
	}
	reply, err := s.evaluate(msg)
	if err != nil {
		s.ended = true
		return nil, false, err
	}
	return reply, s.ended, nil
}

// evaluate is OAuthBearerSaslServer.evaluateResponse: a kvsep after an error
// challenge fails with the challenge; anything else is a new initial response.
func (s *oauthSession) evaluate(msg []byte) ([]byte, error) {
	if s.challenge != "" && len(msg) == 1 && msg[0] == oauthKVSep {
		return nil, &AuthError{message: s.challenge, reason: fmt.Errorf("OAUTHBEARER token refused: %w", s.refusal)}
	}
	s.challenge, s.refusal = "", nil
	resp, err := parseOAuthInitialResponse(msg)
	if err != nil {
		return nil, invalidCredentials(oauthBearerName, err)
	}
	token, err := s.m.opts.validate(resp.token, s.m.now())
	if err != nil {
		s.challenge, s.refusal = oauthErrorJSON(err), err
		return []byte(s.challenge), nil
	}
	if resp.authzid != "" && resp.authzid != token.principal {
		return nil, refused(fmt.Sprintf("Authentication failed: Client requested an authorization id (%s) that is different from the token's principal name (%s)",
			resp.authzid, token.principal))
	}
	s.principal, s.expiry, s.ended = token.principal, time.UnixMilli(token.expiryMillis()), true
	return []byte{}, nil
}
