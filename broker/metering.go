//go:build !nometrics

package broker

// metering says whether the produce, fetch and replication paths count what they do
// for the metrics endpoint. It is a constant, so the compiler drops the counting from
// a build with -tags nometrics, the baseline that measures what metrics cost
// (make bench-metrics-cost, README "Performance").
const metering = true
