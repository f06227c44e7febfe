//go:build nometrics

package broker

// metering is off in a build with -tags nometrics: the baseline of
// make bench-metrics-cost, never a build to run (every metric then reads 0).
const metering = false
