package broker

import (
	"sort"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// handlerFunc serves one decoded request. Returning a nil response sends nothing back
// (acks=0 produce); returning an error closes the connection.
type handlerFunc func(b *Broker, c *clientConn, hdr *requestHeader, req kmsg.Request) (kmsg.Response, error)

// handler is one API with the versions we really serve.
type handler struct {
	key      int16
	min, max int16
	fn       handlerFunc
}

var handlers = map[int16]*handler{}

// regKey registers a handler with its served version range. ApiVersions is derived from
// these registrations, so it can never advertise a version nobody handles.
func regKey(key, min, max int16, fn handlerFunc) {
	handlers[key] = &handler{key: key, min: min, max: max, fn: fn}
}

func lookupHandler(key int16) *handler { return handlers[key] }

// servedAPIs lists the registered handlers in key order.
func servedAPIs() []*handler {
	out := make([]*handler, 0, len(handlers))
	for _, h := range handlers {
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}
