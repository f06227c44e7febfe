package kwire

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kbin"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Header is Kafka's request header (v1, or v2 with tagged fields).
type Header struct {
	Key           int16
	Version       int16
	CorrelationID int32
	ClientID      string
}

// apiVersionsKey is ApiVersions, whose framing has KIP-511's exceptions.
const apiVersionsKey = 18

// ErrMalformedHeader is returned for a frame whose header cannot be read.
var ErrMalformedHeader = errors.New("malformed request header")

// ParseRequest decodes the header of one request frame (the bytes after the size) and
// returns the empty request for its key with the version set, and the body still to be
// read with ReadFrom. For an ApiVersions request newer than we know whose header tags
// do not parse, body is nil: KIP-511 still owes that client the version list.
func ParseRequest(frame []byte) (Header, kmsg.Request, []byte, error) {
	var hdr Header
	r := kbin.Reader{Src: frame}
	hdr.Key = r.Int16()
	hdr.Version = r.Int16()
	hdr.CorrelationID = r.Int32()
	if id := r.NullableString(); id != nil {
		hdr.ClientID = *id
	}
	if !r.Ok() {
		return hdr, nil, nil, ErrMalformedHeader
	}
	kreq := kmsg.RequestForKey(hdr.Key)
	if kreq == nil {
		return hdr, nil, nil, fmt.Errorf("unknown api key %d from client %q", hdr.Key, hdr.ClientID)
	}
	kreq.SetVersion(hdr.Version)
	if kreq.IsFlexible() {
		skipTags(&r)
		if !r.Ok() && hdr.Key == apiVersionsKey && hdr.Version > kreq.MaxVersion() {
			return hdr, kreq, nil, nil
		}
		if !r.Ok() {
			return hdr, nil, nil, fmt.Errorf("malformed tagged fields in %s request header", kmsg.NameForKey(hdr.Key))
		}
	}
	return hdr, kreq, r.Src, nil
}

func skipTags(r *kbin.Reader) {
	for n := r.Uvarint(); n > 0 && r.Ok(); n-- {
		r.Uvarint()
		r.Span(int(r.Uvarint()))
	}
}

// AppendResponse appends one framed response to dst: size, correlation id, the empty
// tagged-field section of response header v1 for flexible versions (except
// ApiVersions, always header v0 so any client can read it), and the body at the
// response's version, which the caller has set.
func AppendResponse(dst []byte, hdr Header, resp kmsg.Response) []byte {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	dst = kbin.AppendInt32(dst, hdr.CorrelationID)
	if resp.IsFlexible() && hdr.Key != apiVersionsKey {
		dst = append(dst, 0)
	}
	dst = resp.AppendTo(dst)
	binary.BigEndian.PutUint32(dst[start:], uint32(len(dst)-start-4))
	return dst
}

// AppendRequest appends one framed request at req's version: size, header v1 (or v2
// for flexible versions) with clientID, and the body.
func AppendRequest(dst []byte, correlationID int32, clientID string, req kmsg.Request) []byte {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	dst = kbin.AppendInt16(dst, req.Key())
	dst = kbin.AppendInt16(dst, req.GetVersion())
	dst = kbin.AppendInt32(dst, correlationID)
	dst = kbin.AppendNullableString(dst, &clientID)
	if req.IsFlexible() {
		dst = append(dst, 0)
	}
	dst = req.AppendTo(dst)
	binary.BigEndian.PutUint32(dst[start:], uint32(len(dst)-start-4))
	return dst
}
