package broker

import (
	"github.com/twmb/franz-go/pkg/kmsg"
)

// SaslHandshake: v0-1
//
// Behavior:
// * On a SASL_PLAINTEXT or SASL_SSL listener, before authentication: a mechanism the
//   listener enables starts its exchange, which SaslAuthenticate carries; another one
//   answers UNSUPPORTED_SASL_MECHANISM with the enabled list (saslserver.ConnAuth,
//   which the controller listener shares).
// * After authentication, with connections.max.reauth.ms set, it starts a
//   re-authentication (KIP-368, at most once a second), which must keep the mechanism
//   and the principal.
// * Anywhere else, or after an authentication that never expires, ILLEGAL_SASL_STATE,
//   as Kafka answers a handshake that reaches its request handlers.
// Version notes:
// * v0: the exchange follows as raw SASL tokens, not Kafka requests (rawSASL)
// * v1: the exchange goes in SaslAuthenticate requests (KIP-152)

func init() { regKey(17, 0, 1, handleSaslHandshake) }

func handleSaslHandshake(_ *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	return c.sasl.auth().Handshake(kreq.(*kmsg.SASLHandshakeRequest)), nil
}
