package broker

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// SaslHandshake: v0-1
//
// Behavior:
// * On a SASL_PLAINTEXT or SASL_SSL listener, before authentication: a mechanism the
//   listener enables starts its exchange, which SaslAuthenticate carries; another one
//   answers UNSUPPORTED_SASL_MECHANISM with the enabled list.
// * Anywhere else, or after authentication, ILLEGAL_SASL_STATE, as Kafka answers a
//   handshake that reaches its request handlers.
// Version notes:
// * v0: the exchange follows as raw SASL tokens, not Kafka requests (rawSASL)
// * v1: the exchange goes in SaslAuthenticate requests (KIP-152)

func init() { regKey(17, 0, 1, handleSaslHandshake) }

func handleSaslHandshake(_ *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.SASLHandshakeRequest)
	resp := req.ResponseKind().(*kmsg.SASLHandshakeResponse)
	if c.sasl == nil || c.sasl.session != nil || c.sasl.principal != "" {
		resp.ErrorCode = kerr.IllegalSaslState.Code
		return resp, nil
	}
	for _, m := range c.sasl.mechanisms {
		resp.SupportedMechanisms = append(resp.SupportedMechanisms, m.Name())
		if m.Name() == req.Mechanism {
			c.sasl.session = m.Start()
		}
	}
	if c.sasl.session == nil {
		resp.ErrorCode = kerr.UnsupportedSaslMechanism.Code
	}
	c.sasl.raw = c.sasl.session != nil && req.Version == 0
	return resp, nil
}
