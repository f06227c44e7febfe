package metrics

import (
	"sync/atomic"
	"time"
)

// RequestName is one of Kafka's kafka.network:type=RequestMetrics MBean sets: an API
// key's, or one of those Kafka's RequestChannel splits out of an API.
type RequestName int

// The request names Kafka adds to the API keys' (RequestMetrics.CONSUMER_FETCH_METRIC_NAME
// and the two beside it): a fetch is recorded as Fetch and as FetchConsumer or
// FetchFollower; an AddPartitionsToTxn whose transactions are all verify-only (a
// partition leader's KIP-890 check) only as AddPartitionsToTxnVerification.
const (
	FetchConsumer = RequestName(len(apiNames) + iota)
	FetchFollower
	AddPartitionsToTxnVerification
	requestNameCount
)

// RequestNameOf is the request name of an API key; ok is false for a key Kafka 3.9
// does not know.
func RequestNameOf(key int16) (name RequestName, ok bool) {
	if key < 0 || int(key) >= len(apiNames) {
		return 0, false
	}
	return RequestName(key), true
}

// String is the name as Kafka spells it in the request label.
func (n RequestName) String() string {
	switch n {
	case FetchConsumer:
		return "FetchConsumer"
	case FetchFollower:
		return "FetchFollower"
	case AddPartitionsToTxnVerification:
		return "AddPartitionsToTxnVerification"
	}
	return apiNames[n]
}

// versionSlots bounds the API versions counted apart: kmsg's highest is Fetch v17.
const versionSlots = 32

// maxErrorCode is the highest error code counted under its own name; any other code
// counts as UNKNOWN_SERVER_ERROR (-1), as Kafka's Errors.forCode reads it.
const maxErrorCode = 136

// RequestTimes are the parts of one request's time from the moment it was read to the
// moment its response was written, as Kafka's RequestChannel splits it.
type RequestTimes struct {
	Local         time.Duration // decoding and handling it
	Remote        time.Duration // waiting for followers (acks=all) or data (a fetch's long poll)
	ResponseQueue time.Duration // completed, waiting for the answers owed before it
	ResponseSend  time.Duration // writing the response to the socket
	Total         time.Duration
}

// requestStats are one request name's meters and histograms.
type requestStats struct {
	requests          [versionSlots]atomic.Uint64
	errors            [maxErrorCode + 2]atomic.Uint64 // by code+1
	totalTime         AtomicHistogram                 // microseconds, as all times here
	localTime         AtomicHistogram
	remoteTime        AtomicHistogram
	responseQueueTime AtomicHistogram
	responseSendTime  AtomicHistogram
	requestBytes      AtomicHistogram
}

// RequestMetrics are a broker's kafka.network:type=RequestMetrics meters and
// histograms. The request path records into arrays indexed by request name, version
// and error code with atomic adds: no lock, no map, no allocation but the first
// request of a name's.
type RequestMetrics struct {
	stats [requestNameCount]atomic.Pointer[requestStats]
}

// NewRequestMetrics returns empty request metrics.
func NewRequestMetrics() *RequestMetrics { return &RequestMetrics{} }

// of is n's stats, made by the first request of that name.
func (m *RequestMetrics) of(n RequestName) *requestStats {
	if s := m.stats[n].Load(); s != nil {
		return s
	}
	m.stats[n].CompareAndSwap(nil, &requestStats{})
	return m.stats[n].Load()
}

// Record counts one request of name n at version and records its times and its body's
// size (RequestsPerSec, the time histograms, RequestBytes).
func (m *RequestMetrics) Record(n RequestName, version int16, t *RequestTimes, bodyBytes int) {
	s := m.of(n)
	// The count of every version is the histograms' count; the registry of served
	// versions keeps version within the slots.
	s.requests[min(max(version, 0), versionSlots-1)].Add(1)
	s.totalTime.Observe(micros(t.Total))
	s.localTime.Observe(micros(t.Local))
	s.remoteTime.Observe(micros(t.Remote))
	s.responseQueueTime.Observe(micros(t.ResponseQueue))
	s.responseSendTime.Observe(micros(t.ResponseSend))
	s.requestBytes.Observe(uint64(max(bodyBytes, 0)))
}

// CountError counts one error code (0, NONE, included) of a response to API key, as
// Kafka's RequestChannel.updateErrorMetrics marks ErrorsPerSec with each error of a
// response's errorCounts, under the API's name only.
func (m *RequestMetrics) CountError(key, code int16) {
	n, ok := RequestNameOf(key)
	if !ok {
		return
	}
	if code < -1 || code > maxErrorCode {
		code = -1
	}
	m.of(n).errors[code+1].Add(1)
}

func micros(d time.Duration) uint64 {
	return uint64(max(d, 0) / time.Microsecond)
}
