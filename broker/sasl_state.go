package broker

import (
	"fmt"

	"github.com/kbridge/kbridge/saslserver"
)

// saslState is a SASL listener's connection's authentication: the mechanisms its
// listener enables, the exchange (saslserver.ConnAuth, shared with the controller
// listener) and, once it succeeded, the principal. On the inter-broker listener the
// principal is the peer broker's, as its replica fetcher authenticated.
type saslState struct {
	mechanisms []saslserver.Mechanism
	exchange   *saslserver.ConnAuth
	// principal is "User:<name>" once the exchange has succeeded, "" before.
	principal string
}

// auth is the connection's exchange, started on first use; nil on a listener
// without SASL, which ConnAuth answers as Kafka's request handlers do.
func (s *saslState) auth() *saslserver.ConnAuth {
	if s == nil {
		return nil
	}
	if s.exchange == nil {
		s.exchange = saslserver.NewConnAuth(s.mechanisms)
	}
	return s.exchange
}

// checkAuthenticated refuses any request but ApiVersions and the SASL handshake on a
// SASL connection that has not authenticated; Kafka closes such a connection
// (IllegalSaslStateException).
func (c *clientConn) checkAuthenticated(key int16) error {
	if err := c.sasl.auth().Check(key); err != nil {
		return fmt.Errorf("%w on listener %s", err, c.listener)
	}
	return nil
}

// rawSASL takes the raw SASL tokens that follow a SaslHandshake v0 (kwire.RawFrames).
func (c *clientConn) rawSASL(frame []byte) (bool, error) {
	handled, err := c.sasl.auth().RawToken(frame, c.writeFrame)
	c.noteAuthenticated()
	return handled, err
}

// noteAuthenticated records the principal once the exchange has succeeded: the
// connection then serves every API as that principal.
func (c *clientConn) noteAuthenticated() {
	if c.sasl == nil || c.sasl.principal != "" {
		return
	}
	if p := c.sasl.exchange.Principal(); p != "" {
		c.sasl.principal = p
		c.log.Debug("SASL authenticated", "principal", p)
	}
}
