package broker

import (
	"errors"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// SaslAuthenticate: v0-2
//
// Behavior:
// * Carries the exchange SaslHandshake started, one client message per request
//   (KIP-152); once it succeeds the connection serves every API as the principal.
// * A failed exchange answers SASL_AUTHENTICATION_FAILED with Kafka's message and
//   closes the connection after the answer, as Kafka does.
// * Without a handshake first, ILLEGAL_SASL_STATE.
// * With connections.max.reauth.ms (KIP-368) the session expires: the client
//   re-authenticates with a new SaslHandshake on the same connection, keeping its
//   mechanism and principal; any other request after expiry closes the connection
//   (saslserver.ConnAuth).
// Version notes:
// * v1: session lifetime (0: the session never expires)
// * v2: flexible

func init() { regKey(36, 0, 2, handleSaslAuthenticate) }

func handleSaslAuthenticate(_ *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	resp, err := c.sasl.auth().Authenticate(kreq.(*kmsg.SASLAuthenticateRequest))
	if err != nil {
		c.closeAfterAnswer = true
		c.log.Info("SASL authentication failed", "err", err, "reason", errors.Unwrap(err))
		return resp, nil
	}
	c.noteAuthenticated()
	return resp, nil
}
