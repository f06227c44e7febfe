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
// exchange; the connection has no deadline afterwards. It returns the session
// lifetime the server announced (KIP-368; zero: the session never expires). A
// refusal is an error carrying the server's code (kerr.SaslAuthenticationFailed,
// UnsupportedSaslMechanism) and message.
func Authenticate(ctx context.Context, nc net.Conn, mech sasl.Mechanism) (time.Duration, error) {
	lifetime, err := authenticate(ctx, nc, mech)
	if err != nil {
		return 0, fmt.Errorf("SASL %s with %s: %w", mech.Name(), nc.RemoteAddr(), err)
	}
	return lifetime, nil
}

func authenticate(ctx context.Context, nc net.Conn, mech sasl.Mechanism) (time.Duration, error) {
	defer nc.SetDeadline(time.Time{})
	c := &Conn{nc: nc, r: nc, clientID: "kbridge-sasl"}
	hs := kmsg.NewPtrSASLHandshakeRequest()
	hs.Version, hs.Mechanism = 1, mech.Name()
	resp, err := c.roundTrip(ctx, hs)
	if err != nil {
		return 0, err
	}
	if hr := resp.(*kmsg.SASLHandshakeResponse); hr.ErrorCode != 0 {
		return 0, fmt.Errorf("handshake (the server enables %v): %w", hr.SupportedMechanisms, kerr.ErrorForCode(hr.ErrorCode))
	}
	// The host is the mechanism's to use (Kerberos would); PLAIN and SCRAM ignore it.
	host := nc.RemoteAddr().String()
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	session, msg, err := mech.Authenticate(ctx, host)
	if err != nil {
		return 0, err
	}
	for {
		ar, err := c.saslStep(ctx, msg)
		if err != nil {
			return 0, err
		}
		done, next, err := session.Challenge(ar.SASLAuthBytes)
		if err != nil {
			return 0, err
		}
		if !done {
			msg = next
			continue
		}
		if len(next) > 0 {
			if ar, err = c.saslStep(ctx, next); err != nil {
				return 0, err
			}
		}
		return time.Duration(ar.SessionLifetimeMillis) * time.Millisecond, nil
	}
}

// saslStep sends one message of the exchange in a SaslAuthenticate v1 and returns
// the server's answer, or its refusal as an error.
func (c *Conn) saslStep(ctx context.Context, msg []byte) (*kmsg.SASLAuthenticateResponse, error) {
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
	return ar, nil
}

// sessionConn is a connection whose SASL session expires (KIP-368): a Client
// replaces it before then (renewAt) rather than re-authenticating on it, so no
// request of its reaches the server after the session ended.
type sessionConn struct {
	net.Conn
	renewAt time.Time
}

// newSessionConn wraps nc, authenticated for lifetime, to be renewed a margin before
// the session ends: a tenth of it, at least a second (a Kafka client re-authenticates
// at 85-95 %), half of it for a session that short.
func newSessionConn(nc net.Conn, lifetime time.Duration) net.Conn {
	if lifetime <= 0 {
		return nc
	}
	margin := max(lifetime/10, time.Second)
	if margin >= lifetime {
		margin = lifetime / 2
	}
	return &sessionConn{Conn: nc, renewAt: time.Now().Add(lifetime - margin)}
}

// sessionEnding tells whether nc's SASL session is about to end.
func sessionEnding(nc net.Conn) bool {
	sc, ok := nc.(*sessionConn)
	return ok && time.Now().After(sc.renewAt)
}
