package kclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// PerfProduceOptions are kafka-producer-perf-test's flags. Conn.Properties
// holds --producer-props and --producer.config.
type PerfProduceOptions struct {
	Conn
	Topic          string
	NumRecords     int64
	RecordSize     int
	Throughput     float64       // records per second; <= 0 is unthrottled (Kafka's -1)
	Acks           string        // -1/all (default, idempotent), 0 or 1; overrides acks in Properties
	ReportInterval time.Duration // progress lines; 0 means Kafka's 5s
}

// PerfProduceResult is the final line of a producer perf run, and its JSON.
type PerfProduceResult struct {
	Records       int64   `json:"records"`
	Errors        int64   `json:"errors"`
	RecordsPerSec float64 `json:"records_per_sec"`
	MBPerSec      float64 `json:"mb_per_sec"`
	AvgMs         float64 `json:"avg_ms"`
	P50Ms         float64 `json:"p50_ms"`
	P95Ms         float64 `json:"p95_ms"`
	P99Ms         float64 `json:"p99_ms"`
	P999Ms        float64 `json:"p999_ms"`
	MaxMs         float64 `json:"max_ms"`
}

// PerfProduce sends NumRecords records of RecordSize random uppercase letters
// (one payload reused, as Kafka's tool does) with null keys, measuring each
// record's latency from the Produce call to its promise. Progress goes to
// progress every ReportInterval; an interrupt stops early and still reports.
func PerfProduce(ctx context.Context, progress io.Writer, o PerfProduceOptions) (PerfProduceResult, error) {
	if o.Topic == "" || o.NumRecords <= 0 || o.RecordSize <= 0 {
		return PerfProduceResult{}, errors.New("--topic, --num-records and --record-size are required and must be positive")
	}
	props := o.Properties
	if o.Acks != "" {
		props = withProp(props, "acks", o.Acks)
	}
	popts, err := producerOpts(props)
	if err != nil {
		return PerfProduceResult{}, fmt.Errorf("producer perf: %w", err)
	}
	o.Properties = props
	cl, err := o.newClient(roleProducer, append(popts, kgo.DefaultProduceTopic(o.Topic))...)
	if err != nil {
		return PerfProduceResult{}, err
	}
	defer cl.Close()

	payload := make([]byte, o.RecordSize)
	for i := range payload {
		payload[i] = byte('A' + rand.IntN(26))
	}
	start := time.Now()
	lat := newLatencyRecorder(o.NumRecords, start)
	var failed atomic.Int64
	var errMu sync.Mutex
	var firstErr error
	promise := func(r *kgo.Record, err error) {
		if err != nil {
			failed.Add(1)
			errMu.Lock()
			if firstErr == nil {
				firstErr = err
			}
			errMu.Unlock()
			return
		}
		lat.record(time.Since(r.Timestamp), len(r.Value))
	}

	stopProgress := reportProgress(progress, lat, o.ReportInterval)
	throttle := newThrottle(o.Throughput, start)
	for i := int64(0); i < o.NumRecords && ctx.Err() == nil; i++ {
		throttle.wait(ctx, i)
		cl.Produce(ctx, &kgo.Record{Value: payload, Timestamp: time.Now()}, promise)
	}
	flushErr := cl.Flush(context.WithoutCancel(ctx))
	elapsed := time.Since(start)
	stopProgress()

	total, samples := lat.summary()
	res := PerfProduceResult{Records: total.count, Errors: failed.Load(), MaxMs: millis(total.max),
		P50Ms: millis(percentile(samples, 0.5)), P95Ms: millis(percentile(samples, 0.95)),
		P99Ms: millis(percentile(samples, 0.99)), P999Ms: millis(percentile(samples, 0.999))}
	if secs := elapsed.Seconds(); secs > 0 {
		res.RecordsPerSec = float64(total.count) / secs
		res.MBPerSec = float64(total.bytes) / (1024 * 1024) / secs
	}
	if total.count > 0 {
		res.AvgMs = millis(total.sum) / float64(total.count)
	}
	switch {
	case flushErr != nil:
		return res, fmt.Errorf("flush produced records: %w", flushErr)
	case res.Errors > 0:
		errMu.Lock()
		defer errMu.Unlock()
		return res, fmt.Errorf("%d records failed, the first with: %w", res.Errors, firstErr)
	}
	return res, nil
}

// WriteText prints the result as Kafka's final line, except that percentiles
// keep two decimals: whole milliseconds hide everything on a fast broker.
func (r PerfProduceResult) WriteText(w io.Writer) error {
	_, err := fmt.Fprintf(w, "%d records sent, %f records/sec (%.2f MB/sec), %.2f ms avg latency, %.2f ms max latency, %.2f ms 50th, %.2f ms 95th, %.2f ms 99th, %.2f ms 99.9th.\n",
		r.Records, r.RecordsPerSec, r.MBPerSec, r.AvgMs, r.MaxMs, r.P50Ms, r.P95Ms, r.P99Ms, r.P999Ms)
	return err
}

// reportProgress prints a Kafka-style window line every interval until the
// returned stop function is called.
func reportProgress(w io.Writer, lat *latencyRecorder, interval time.Duration) (stop func()) {
	if interval <= 0 {
		interval = 5 * time.Second
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				win := lat.takeWindow(now)
				secs := now.Sub(win.start).Seconds()
				var avg float64
				if win.count > 0 {
					avg = millis(win.sum) / float64(win.count)
				}
				fmt.Fprintf(w, "%d records sent, %.1f records/sec (%.2f MB/sec), %.1f ms avg latency, %.1f ms max latency.\n",
					win.count, float64(win.count)/secs, float64(win.bytes)/(1024*1024)/secs, avg, millis(win.max))
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// throttle paces sends to a target rate like Kafka's ThroughputThrottler:
// record i may not be sent before start + i/rate.
type throttle struct {
	rate  float64
	start time.Time
}

func newThrottle(rate float64, start time.Time) throttle { return throttle{rate: rate, start: start} }

func (t throttle) wait(ctx context.Context, i int64) {
	if t.rate <= 0 {
		return
	}
	due := t.start.Add(time.Duration(float64(i) / t.rate * float64(time.Second)))
	if d := time.Until(due); d > 0 {
		timer := time.NewTimer(d)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-ctx.Done():
		}
	}
}
