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
// Version notes:
// * v1: session lifetime (0: no re-authentication, KIP-368 is not offered)
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
