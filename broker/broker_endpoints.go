package broker

import (
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// metadataBrokers is the live brokers as Metadata, DescribeCluster and the current
// leader hints of Produce and Fetch (KIP-951) list them: each at its endpoint on the
// listener the client came in on.
func metadataBrokers(img *metadata.Image, listener string) []kmsg.MetadataResponseBroker {
	var out []kmsg.MetadataResponseBroker
	for _, br := range img.LiveBrokers() {
		ep, ok := brokerEndpoint(br, listener)
		if !ok {
			continue
		}
		mb := kmsg.NewMetadataResponseBroker()
		mb.NodeID = br.ID
		mb.Host = ep.Host
		mb.Port = int32(ep.Port)
		if br.Rack != "" {
			rack := br.Rack
			mb.Rack = &rack
		}
		out = append(out, mb)
	}
	return out
}

// brokerEndpoint picks the endpoint of the listener a client used; a client that came
// in on a listener the broker does not register gets the first endpoint.
func brokerEndpoint(br *metadata.Broker, listener string) (metadata.Endpoint, bool) {
	for _, ep := range br.Endpoints {
		if ep.Name == listener {
			return ep, true
		}
	}
	if len(br.Endpoints) > 0 {
		return br.Endpoints[0], true
	}
	return metadata.Endpoint{}, false
}
