package broker

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/kwire"
)

// maxQueuedAnswers bounds the answers a connection holds behind a pending one; a client
// that pipelines more waits for the connection to read its next request.
const maxQueuedAnswers = 64

// pendingResponse is an answer that is not complete yet: an acks=all produce waiting for
// its followers. The connection goes on reading and handling the requests behind it
// while complete runs (so a pipelining producer's next batches are appended, and
// replicated, in the same follower fetch rounds), and still answers in request order.
// This is Redpanda's two-stage produce; Kafka reads nothing more from the connection
// until it answers, which makes a pipelining producer wait one replication round per
// request queued before its own (issue 12).
type pendingResponse struct {
	kmsg.Response
	complete func()
}

// answerQueue is what a connection owes while an answer is pending: the answers in
// request order, written by one goroutine. While it is empty the read loop writes its
// answers itself; queued counts what was handed to the writer and not yet written, so
// the read loop never writes while the writer may.
type answerQueue struct {
	answers chan queuedAnswer
	queued  atomic.Int32
	done    chan struct{}
	out     []byte // the writer's encoding buffer
}

// queuedAnswer is an encoded answer, or a pending one to complete and encode.
type queuedAnswer struct {
	hdr     requestHeader
	frame   []byte
	pending *pendingResponse
	timing  requestTiming
}

// answer sends resp for the request hdr, after every answer still owed.
func (c *clientConn) answer(hdr requestHeader, resp kmsg.Response) error {
	timing := c.takeTiming()
	pending, isPending := resp.(*pendingResponse)
	if !isPending {
		countResponseErrors(c.b.requests, hdr.Key, resp)
	}
	if !isPending && (c.queue == nil || c.queue.queued.Load() == 0) {
		return c.writeResponse(hdr, resp, &timing)
	}
	q := queuedAnswer{hdr: hdr, pending: pending, timing: timing}
	if !isPending {
		// Encoded now: a fetch's record data lives in buffers the next request reuses.
		q.frame = kwire.AppendResponse(nil, hdr, resp)
	}
	if c.queue == nil {
		c.queue = &answerQueue{answers: make(chan queuedAnswer, maxQueuedAnswers), done: make(chan struct{})}
		go c.writeQueued()
	}
	c.queue.queued.Add(1)
	c.queue.answers <- q
	return nil
}

// writeQueued writes the queued answers in order until the read loop ends. After a
// failed write the connection is closed, which ends the read loop; later answers are
// still completed, so that no wait outlives its request, but not written.
func (c *clientConn) writeQueued() {
	q := c.queue
	defer close(q.done)
	var failed error
	for a := range q.answers {
		frame, completed := a.frame, a.timing.handled
		if a.pending != nil {
			a.pending.complete()
			completed = a.timing.now()
			countResponseErrors(c.b.requests, a.hdr.Key, a.pending.Response)
			q.out = kwire.AppendResponse(q.out[:0], a.hdr, a.pending.Response)
			frame = q.out
		}
		if failed == nil {
			failed = c.writeTimed(frame, &a.timing, completed)
			if failed != nil {
				c.log.Debug("write failed", "err", failed)
				c.conn.Close()
			}
		}
		q.queued.Add(-1)
	}
}

// closeQueue waits for the answers still owed once the read loop has ended.
func (c *clientConn) closeQueue() {
	if c.queue != nil {
		close(c.queue.answers)
		<-c.queue.done
	}
}

// writeTimed writes the encoded answer of the request timed by t, whose response
// completed at completed, and records the request once it is written.
func (c *clientConn) writeTimed(frame []byte, t *requestTiming, completed time.Duration) error {
	sendStart := t.now()
	if err := c.writeFrame(frame); err != nil {
		return err
	}
	c.b.recordRequest(t, completed, sendStart)
	return nil
}

// writeFrame writes one encoded answer and sends it at once: holding it for the next
// answer would make it wait for that request too, which may be a long-polling fetch
// (issue 12 measured answers held 100-300 ms that way).
func (c *clientConn) writeFrame(frame []byte) error {
	if _, err := c.w.Write(frame); err != nil {
		return fmt.Errorf("write response: %w", err)
	}
	if err := c.w.Flush(); err != nil {
		return fmt.Errorf("write response: %w", err)
	}
	return nil
}
