// Package kwire is the Kafka wire framing shared by every server and internal client
// in kbridge: request headers parsed before the body (a header's flexibility depends on
// its API), responses framed with their size and correlation id, and a small
// request/response client for the broker-to-broker and broker-to-controller calls
// (replica fetching, registration, heartbeats, AlterPartition). ControllerChannel, on
// top of that client, finds the active controller among the voters and sends to it; a
// broker's BrokerSource and a controller registering with the active one both use it.
//
// It is a leaf next to metadata: the broker and kraftmode both speak Kafka's protocol
// (the controller listener serves Kafka APIs 55, 56, 62, 63 ...), and neither may import
// the other, so the framing they share lives here rather than twice.
package kwire
