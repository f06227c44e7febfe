package kwire

import (
	"errors"
	"io"
	"log/slog"
	"net"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// RawFrames is a connection's hook for frames that are not Kafka requests: the raw
// SASL tokens a client sends after a SaslHandshake v0 (the framing before KIP-152).
// It reports whether frame was one, which it then answered itself; an error closes
// the connection. A nil RawFrames takes every frame as a request.
type RawFrames func(frame []byte) (handled bool, err error)

// Serve answers one connection's requests in order until it ends, the same way on
// every Kafka listener in kbridge: frames read with the size limit, decoded and
// version-gated by reg (with KIP-511's ApiVersions answers), each handler run under
// Call so a panic closes only this connection. handle serves one request and returns
// its response (nil: nothing is sent, as for an acks=0 produce); answer sends a
// response for a request header, in request order. Serve returns nil when the client
// closed the connection, else why it was closed; the caller closes it. It is the one
// place a frame passes through before its handler: raw authentication tokens are
// taken by raw, and the listener's handle checks authentication first.
func Serve[H any](frames *FrameReader, reg *Registry[H], log *slog.Logger, raw RawFrames,
	handle func(Request[H]) (kmsg.Response, error), answer func(Header, kmsg.Response) error) error {
	for {
		frame, err := frames.Next()
		if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
			return nil
		}
		if err != nil {
			return err
		}
		received := Now()
		if raw != nil {
			handled, err := raw(frame)
			if err != nil {
				return err
			}
			if handled {
				continue
			}
		}
		req, early, err := reg.Decode(frame)
		if err != nil {
			return err
		}
		req.Received = received
		if early != nil {
			if err := answer(req.Header, early); err != nil {
				return err
			}
			continue
		}
		resp, err := Call(log, req.Header, func() (kmsg.Response, error) { return handle(req) })
		if err != nil {
			return err
		}
		if resp == nil {
			continue
		}
		resp.SetVersion(req.Header.Version)
		if err := answer(req.Header, resp); err != nil {
			return err
		}
	}
}
