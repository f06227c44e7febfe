package broker

import (
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/metrics"
)

// noSplit is requestTiming.split of a request Kafka records under its API's name only.
const noSplit metrics.RequestName = -1

// requestTiming follows one request through its connection for Kafka's RequestMetrics:
// begun when its handler starts, carried with its answer until that is written. The
// times are Kafka's RequestChannel's, as far as they exist here: a request is handled
// on its connection's goroutine as soon as it is read, so there is no request queue.
type requestTiming struct {
	active     bool
	name       metrics.RequestName
	split      metrics.RequestName // FetchConsumer or FetchFollower beside Fetch, else noSplit
	version    int16
	bodyBytes  int
	received   time.Duration // the frame was read, by kwire.Now as all times here
	handled    time.Duration // the handler returned
	longPolled time.Duration // a fetch's wait for data inside its handler
}

// beginTiming starts the timing of req, whose handler is about to run; a request of
// an API Kafka does not know is not timed, nor any without metering.
func (c *clientConn) beginTiming(req *kwire.Request[handlerFunc]) {
	if !metering {
		return
	}
	name, known := metrics.RequestNameOf(req.Header.Key)
	c.timing = requestTiming{
		active: known, name: name, split: noSplit,
		version: req.Header.Version, bodyBytes: req.BodyBytes, received: req.Received,
	}
	switch body := req.Body.(type) {
	case *kmsg.FetchRequest:
		c.timing.split = metrics.FetchConsumer
		if fetchReplicaID(body) >= 0 {
			c.timing.split = metrics.FetchFollower
		}
	case *kmsg.AddPartitionsToTxnRequest:
		if allVerifyOnly(body) {
			c.timing.name = metrics.AddPartitionsToTxnVerification
		}
	}
}

// fetchReplicaID is the fetching replica's id, -1 for a consumer, as Kafka's
// FetchRequest.isFromFollower reads it: from ReplicaState since v15.
func fetchReplicaID(req *kmsg.FetchRequest) int32 {
	if req.Version >= 15 {
		return req.ReplicaState.ID
	}
	return req.ReplicaID
}

// allVerifyOnly is Kafka's AddPartitionsToTxnRequest.allVerifyOnlyRequest: a v4+
// request (a partition leader's) whose transactions all only ask for verification.
func allVerifyOnly(req *kmsg.AddPartitionsToTxnRequest) bool {
	if req.Version < 4 {
		return false
	}
	for i := range req.Transactions {
		if !req.Transactions[i].VerifyOnly {
			return false
		}
	}
	return true
}

// now reads the clock for a timed request, and spares the read for any other.
func (t *requestTiming) now() time.Duration {
	if !metering || !t.active {
		return 0
	}
	return kwire.Now()
}

// markHandled notes that the request's handler has returned.
func (t *requestTiming) markHandled() { t.handled = t.now() }

// addLongPoll counts the time since parked as the request's remote time: a fetch that
// waits for data inside its handler, as Kafka's delayed fetch waits in purgatory.
func (t *requestTiming) addLongPoll(parked time.Duration) {
	if metering && t.active {
		t.longPolled += kwire.Now() - parked
	}
}

// takeTiming hands the current request's timing to its answer; an answer sent without
// a handler (an ApiVersions version refusal) gets an inactive one.
func (c *clientConn) takeTiming() requestTiming {
	t := c.timing
	c.timing.active = false
	return t
}

// recordRequest counts a request whose response completed at completed (the handler's
// return, or the end of an acks=all wait) and was written from sendStart until now.
func (b *Broker) recordRequest(t *requestTiming, completed, sendStart time.Duration) {
	if !metering || !t.active {
		return
	}
	sendEnd := kwire.Now()
	times := metrics.RequestTimes{
		Local:         t.handled - t.received - t.longPolled,
		Remote:        completed - t.handled + t.longPolled,
		ResponseQueue: sendStart - completed,
		ResponseSend:  sendEnd - sendStart,
		Total:         sendEnd - t.received,
	}
	b.requests.Record(t.name, t.version, &times, t.bodyBytes)
	if t.split != noSplit {
		b.requests.Record(t.split, t.version, &times, t.bodyBytes)
	}
}
