package kwire

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl"
)

// Authenticate runs a SASL exchange with mech on a connection just opened to a SASL
// listener, as Kafka's clients do since KIP-152: a SaslHandshake v1 naming the
// mechanism, then the mechanism's messages in SaslAuthenticate v1 requests until it is
// done. It reads exactly the answers, so the connection can go on to carry anything
// (Kafka requests, or a Raft stream on the controller listener). ctx bounds the
// exchange; the connection has no deadline afterwards. A refusal is an error carrying
// the server's code (kerr.SaslAuthenticationFailed, UnsupportedSaslMechanism) and
// message.
func Authenticate(ctx context.Context, nc net.Conn, mech sasl.Mechanism) error {
	defer nc.SetDeadline(time.Time{})
	c := &Conn{nc: nc, r: nc, clientID: "kbridge-sasl"}
	hs := kmsg.NewPtrSASLHandshakeRequest()
	hs.Version, hs.Mechanism = 1, mech.Name()
	resp, err := c.roundTrip(ctx, hs)
	if err != nil {
		return fmt.Errorf("SASL handshake with %s: %w", nc.RemoteAddr(), err)
	}
	if hr := resp.(*kmsg.SASLHandshakeResponse); hr.ErrorCode != 0 {
		return fmt.Errorf("SASL handshake with %s for %s (the server enables %v): %w", nc.RemoteAddr(), mech.Name(), hr.SupportedMechanisms, kerr.ErrorForCode(hr.ErrorCode))
	}
	host, _, err := net.SplitHostPort(nc.RemoteAddr().String())
	if err != nil {
		return fmt.Errorf("SASL %s with %s: %w", mech.Name(), nc.RemoteAddr(), err)
	}
	session, msg, err := mech.Authenticate(ctx, host)
	if err != nil {
		return fmt.Errorf("SASL %s with %s: %w", mech.Name(), nc.RemoteAddr(), err)
	}
	for {
		reply, err := c.saslStep(ctx, msg)
		if err != nil {
			return fmt.Errorf("SASL %s with %s: %w", mech.Name(), nc.RemoteAddr(), err)
		}
		done, next, err := session.Challenge(reply)
		if err != nil {
			return fmt.Errorf("SASL %s with %s: %w", mech.Name(), nc.RemoteAddr(), err)
		}
		if done {
			if len(next) > 0 {
				if _, err := c.saslStep(ctx, next); err != nil {
					return fmt.Errorf("SASL %s with %s: %w", mech.Name(), nc.RemoteAddr(), err)
				}
			}
			return nil
		}
		msg = next
	}
}

// saslStep sends one message of the exchange in a SaslAuthenticate v1 and returns
// the server's reply.
func (c *Conn) saslStep(ctx context.Context, msg []byte) ([]byte, error) {
	req := kmsg.NewPtrSASLAuthenticateRequest()
	req.Version, req.SASLAuthBytes = 1, msg
	resp, err := c.roundTrip(ctx, req)
	if err != nil {
		return nil, err
	}
	ar := resp.(*kmsg.SASLAuthenticateResponse)
	if ar.ErrorCode != 0 {
		text := ""
		if ar.ErrorMessage != nil {
			text = *ar.ErrorMessage
		}
		return nil, fmt.Errorf("%w: %s", kerr.ErrorForCode(ar.ErrorCode), text)
	}
	return ar.SASLAuthBytes, nil
}
