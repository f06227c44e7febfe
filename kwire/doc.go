// Package kwire is the Kafka wire framing shared by every server and internal client
// in kbridge: request headers parsed before the body (a header's flexibility depends on
// its API), responses framed with their size and correlation id, and a small
// request/response client for the broker-to-broker and broker-to-controller calls
// (replica fetching, registration, heartbeats, AlterPartition). ControllerChannel, on
// top of that client, finds the active controller among the voters and sends to it; a
// broker (kraftmode/kraftbroker) and a controller registering with the active one
// (kraftmode) both use it.
//
// It is a leaf next to metadata: the broker, kraftmode and kraftbroker all speak
// Kafka's protocol (the controller listener serves Kafka APIs 55, 56, 62, 63 ...), the
// broker imports neither of the others and kraftmode does not import kraftbroker, so
// what they share lives here rather than twice.
package kwire
