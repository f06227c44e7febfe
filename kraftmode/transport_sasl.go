package kraftmode

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/saslserver"
)

// streamAuthTimeout bounds a Raft connection's SASL exchange.
const streamAuthTimeout = 10 * time.Second

// streamAuthAPIs are the only requests a Raft connection may send on a SASL
// controller listener, between its magic byte and its stream: the SASL handshake and
// exchange, in Kafka's framing, as on the listener's Kafka connections.
var streamAuthAPIs = func() *kwire.Registry[struct{}] {
	r := kwire.NewRegistry[struct{}]()
	r.Register(17, 0, 1, struct{}{})
	r.Register(36, 0, 2, struct{}{})
	return r
}()

// errStreamAuthenticated ends the exchange loop once the peer has authenticated.
var errStreamAuthenticated = errors.New("authenticated")

// authenticateStream runs the SASL exchange a Raft peer opens with on a SASL
// controller listener, right after the magic byte: SaslHandshake and SaslAuthenticate
// requests answered by saslserver.ConnAuth as the listener's Kafka connections are
// answered, until the peer has authenticated (its principal is returned, with the
// end of its session, zero for none) or failed (an error; the caller closes the
// connection). Raft reads nothing of a connection that did not authenticate.
func authenticateStream(conn net.Conn, opts StreamOptions, log *slog.Logger) (string, time.Time, error) {
	conn.SetDeadline(time.Now().Add(streamAuthTimeout))
	defer conn.SetDeadline(time.Time{})
	auth := saslserver.NewConnAuth(opts.Mechanisms)
	write := func(b []byte) error {
		_, err := conn.Write(b)
		return err
	}
	var out []byte
	var failed error
	frames := kwire.NewFrameReader(conn, opts.MaxRequestSize)
	err := kwire.Serve(frames, streamAuthAPIs, log, func(frame []byte) (bool, error) {
		handled, err := auth.RawToken(frame, write)
		if err == nil && auth.Principal() != "" {
			return true, errStreamAuthenticated
		}
		return handled, err
	}, func(req kwire.Request[struct{}]) (kmsg.Response, error) {
		switch r := req.Body.(type) {
		case *kmsg.SASLHandshakeRequest:
			return auth.Handshake(r), nil
		case *kmsg.SASLAuthenticateRequest:
			resp, err := auth.Authenticate(r)
			failed = err
			return resp, nil
		}
		return nil, fmt.Errorf("%s on a Raft connection before its stream", kmsg.NameForKey(req.Header.Key))
	}, func(hdr kwire.Header, resp kmsg.Response) error {
		out = kwire.AppendResponse(out[:0], hdr, resp)
		if err := write(out); err != nil {
			return err
		}
		if failed != nil {
			return fmt.Errorf("SASL authentication failed: %w (%v)", failed, errors.Unwrap(failed))
		}
		if auth.Principal() != "" {
			return errStreamAuthenticated
		}
		return nil
	})
	switch {
	case !errors.Is(err, errStreamAuthenticated) && err != nil:
		return "", time.Time{}, err
	case err == nil:
		return "", time.Time{}, errors.New("closed before authenticating")
	case frames.Buffered() > 0:
		return "", time.Time{}, errors.New("stream data sent before the SASL exchange had succeeded")
	}
	return auth.Principal(), auth.Expires(), nil
}
