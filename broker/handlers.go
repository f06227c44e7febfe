package broker

import (
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/kwire"
)

// handlerFunc serves one decoded request. Returning a nil response sends nothing back
// (acks=0 produce); returning an error closes the connection.
type handlerFunc func(b *Broker, c *clientConn, hdr *requestHeader, req kmsg.Request) (kmsg.Response, error)

// brokerAPIs are the APIs the broker's listeners serve, each with Kafka 3.9's version
// range declared in its handler's file; ApiVersions is derived from them.
var brokerAPIs = kwire.NewRegistry[handlerFunc]()

// regKey registers a handler with its served version range.
func regKey(key, min, max int16, fn handlerFunc) { brokerAPIs.Register(key, min, max, fn) }
