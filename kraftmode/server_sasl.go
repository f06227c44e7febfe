package kraftmode

import (
	"context"
	"errors"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/saslserver"
)

// SaslHandshake: v0-1, SaslAuthenticate: v0-2
//
// Behavior:
// * On a SASL_PLAINTEXT or SASL_SSL controller listener a connection authenticates as
//   on a broker listener (saslserver.ConnAuth, the broker's own state machine): until
//   it has, it is served nothing but ApiVersions and these two, and a failed exchange
//   is answered SASL_AUTHENTICATION_FAILED and closed. With connections.max.reauth.ms
//   the session expires and is re-authenticated as on a broker listener (KIP-368).
// * On a listener without SASL, ILLEGAL_SASL_STATE.
// Version notes:
// * SaslHandshake v0: the exchange follows as raw tokens (saslserver.ConnAuth.RawToken)
// * SaslAuthenticate v1: session lifetime (0: the session never expires); v2: flexible

func init() {
	serve(17, 0, 1, handleSaslHandshake)
	serve(36, 0, 2, handleSaslAuthenticate)
}

// controllerConn is what the controller listener knows of one Kafka-protocol
// connection; its handlers reach it through their context.
type controllerConn struct {
	// auth is the connection's SASL exchange; nil on a listener without SASL.
	auth *saslserver.ConnAuth
	// tlsPrincipal is the client certificate's principal on a TLS listener, "" on a
	// plaintext one.
	tlsPrincipal string
	// closeAfterAnswer ends the connection once the current answer is written (a
	// failed SASL authentication, which Kafka answers and then closes).
	closeAfterAnswer bool
}

// principal is the connection's Kafka principal: the SASL one once authenticated on a
// SASL listener, else the TLS one ("" on a plaintext listener).
func (cc *controllerConn) principal() string {
	if p := cc.auth.Principal(); p != "" {
		return p
	}
	return cc.tlsPrincipal
}

type controllerConnKey struct{}

// withConn makes cc reachable from the handlers of its requests.
func withConn(ctx context.Context, cc *controllerConn) context.Context {
	return context.WithValue(ctx, controllerConnKey{}, cc)
}

// connOf is the connection a request came on: ServeConn puts it in every request's
// context.
func connOf(ctx context.Context) *controllerConn {
	return ctx.Value(controllerConnKey{}).(*controllerConn)
}

func handleSaslHandshake(ctx context.Context, _ *ControllerServer, kreq kmsg.Request) (kmsg.Response, error) {
	return connOf(ctx).auth.Handshake(kreq.(*kmsg.SASLHandshakeRequest)), nil
}

func handleSaslAuthenticate(ctx context.Context, s *ControllerServer, kreq kmsg.Request) (kmsg.Response, error) {
	cc := connOf(ctx)
	resp, err := cc.auth.Authenticate(kreq.(*kmsg.SASLAuthenticateRequest))
	if err != nil {
		cc.closeAfterAnswer = true
		s.log.Info("SASL authentication failed on the controller listener", "err", err, "reason", errors.Unwrap(err))
	}
	return resp, nil
}
