package broker

import (
	"encoding/binary"
	"fmt"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/saslserver"
)

// saslState is a SASL listener's connection's authentication: the mechanisms its
// listener enables, the exchange in progress and, once it succeeded, the principal.
type saslState struct {
	mechanisms []saslserver.Mechanism
	session    saslserver.Session
	principal  string
	// raw is set by a SaslHandshake v0: the exchange then goes in raw tokens, each a
	// size and the bytes, instead of SaslAuthenticate requests (before KIP-152).
	raw bool
}

// beforeAuthentication are the APIs a SASL connection may send before it has
// authenticated (Kafka's SaslServerAuthenticator): ApiVersions, SaslHandshake and
// SaslAuthenticate.
var beforeAuthentication = map[int16]bool{18: true, 17: true, 36: true}

// checkAuthenticated refuses any other request on a SASL connection that has not
// authenticated; Kafka closes such a connection (IllegalSaslStateException).
func (c *clientConn) checkAuthenticated(key int16) error {
	if c.sasl == nil || c.sasl.principal != "" || beforeAuthentication[key] {
		return nil
	}
	return fmt.Errorf("%s before SASL authentication on listener %s", kmsg.NameForKey(key), c.listener)
}

// rawSASL takes the raw SASL tokens that follow a SaslHandshake v0 (kwire.RawFrames):
// each frame is the client's next message, answered with the server's as a size and
// the bytes. A failed exchange closes the connection, as Kafka closes it (a v0 client
// has no error field to read).
func (c *clientConn) rawSASL(frame []byte) (bool, error) {
	if c.sasl == nil || !c.sasl.raw || c.sasl.session == nil {
		return false, nil
	}
	reply, done, err := c.sasl.session.Step(frame)
	if err != nil {
		return true, fmt.Errorf("SASL authentication failed: %w", err)
	}
	out := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(reply)), uint32(len(reply)))
	if err := c.writeFrame(append(out, reply...)); err != nil {
		return true, err
	}
	if done {
		c.authenticated()
	}
	return true, nil
}

// authenticated ends a successful exchange: the connection now serves every API as
// its principal.
func (c *clientConn) authenticated() {
	c.sasl.principal = "User:" + c.sasl.session.Principal()
	c.sasl.session, c.sasl.raw = nil, false
	c.log.Debug("SASL authenticated", "principal", c.sasl.principal)
}
