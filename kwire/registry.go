package kwire

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Registry is the set of Kafka APIs one listener serves, each with the version range
// declared beside its handler. Every Kafka server in kbridge (the broker's listeners
// and the controller's) decodes and gates its requests through one, and its
// ApiVersions answer is derived from it, so no listener can advertise a version no
// handler serves or serve one it does not advertise. H is the listener's handler type.
type Registry[H any] struct {
	apis map[int16]registered[H]
}

type registered[H any] struct {
	min, max int16
	handler  H
}

// NewRegistry returns an empty registry.
func NewRegistry[H any]() *Registry[H] {
	return &Registry[H]{apis: map[int16]registered[H]{}}
}

// Register serves key at versions min through max with h. A range franz-go cannot
// encode, or a key registered twice, is a programming error and panics at start-up.
func (r *Registry[H]) Register(key, min, max int16, h H) {
	req := kmsg.RequestForKey(key)
	switch {
	case req == nil:
		panic(fmt.Sprintf("kwire: register unknown api key %d", key))
	case min < 0 || min > max || max > req.MaxVersion():
		panic(fmt.Sprintf("kwire: %s versions %d-%d: kmsg knows 0-%d", kmsg.NameForKey(key), min, max, req.MaxVersion()))
	}
	if _, dup := r.apis[key]; dup {
		panic(fmt.Sprintf("kwire: %s registered twice", kmsg.NameForKey(key)))
	}
	r.apis[key] = registered[H]{min: min, max: max, handler: h}
}

// Versions returns the range served for key; ok is false for an API not served.
func (r *Registry[H]) Versions(key int16) (min, max int16, ok bool) {
	a, ok := r.apis[key]
	return a.min, a.max, ok
}

// ApiKeys is the ApiVersions list of every registered API, in key order.
func (r *Registry[H]) ApiKeys() []kmsg.ApiVersionsResponseApiKey {
	keys := make([]kmsg.ApiVersionsResponseApiKey, 0, len(r.apis))
	for _, key := range slices.Sorted(maps.Keys(r.apis)) {
		a := r.apis[key]
		k := kmsg.NewApiVersionsResponseApiKey()
		k.ApiKey, k.MinVersion, k.MaxVersion = key, a.min, a.max
		keys = append(keys, k)
	}
	return keys
}

// Request is one request frame decoded for its handler.
type Request[H any] struct {
	Header  Header
	Body    kmsg.Request
	Handler H
	// BodyBytes is the size of the body after the header, which Kafka's RequestBytes
	// histogram records; Received is when Serve had read the whole frame (by Now),
	// where Kafka's request times start.
	BodyBytes int
	Received  time.Duration
}

// Decode parses one request frame, finds its handler and checks its version, as
// Kafka's SocketServer and KafkaApis do. It returns either the request to handle; or
// an answer to send instead and keep the connection (an ApiVersions request at a
// version not served, or whose body does not parse, gets the list of APIs with
// UNSUPPORTED_VERSION or INVALID_REQUEST, KIP-511); or an error, after which the
// connection is closed, as Kafka closes it for a request it cannot read: an unknown
// key, an unserved version, a malformed header or body.
func (r *Registry[H]) Decode(frame []byte) (req Request[H], answer kmsg.Response, err error) {
	hdr, body, rest, err := ParseRequest(frame)
	req.Header = hdr
	if err != nil {
		return req, nil, err
	}
	a, ok := r.apis[hdr.Key]
	if !ok {
		return req, nil, fmt.Errorf("%s (api key %d) is not served on this listener; client %q", kmsg.NameForKey(hdr.Key), hdr.Key, hdr.ClientID)
	}
	if hdr.Version < a.min || hdr.Version > a.max || rest == nil {
		if hdr.Key == apiVersionsKey {
			return req, r.apiVersionsError(0, kerr.UnsupportedVersion), nil
		}
		return req, nil, fmt.Errorf("unsupported version %d of %s (served: %d-%d) from client %q",
			hdr.Version, kmsg.NameForKey(hdr.Key), a.min, a.max, hdr.ClientID)
	}
	if err := body.ReadFrom(rest); err != nil {
		if hdr.Key == apiVersionsKey {
			return req, r.apiVersionsError(hdr.Version, kerr.InvalidRequest), nil
		}
		return req, nil, fmt.Errorf("malformed %s v%d from client %q: %w", kmsg.NameForKey(hdr.Key), hdr.Version, hdr.ClientID, err)
	}
	req.Body, req.Handler, req.BodyBytes = body, a.handler, len(rest)
	return req, nil, nil
}

// apiVersionsError is KIP-511's answer to an ApiVersions request the server cannot
// serve: the error and the full list, at version (v0 for an unknown version, which
// every client can read).
func (r *Registry[H]) apiVersionsError(version int16, e *kerr.Error) kmsg.Response {
	resp := kmsg.NewPtrApiVersionsResponse()
	resp.Version = version
	resp.ErrorCode = e.Code
	resp.ApiKeys = r.ApiKeys()
	return resp
}
