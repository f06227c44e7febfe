package kclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// PerfConsumeOptions are kafka-consumer-perf-test's flags. Conn.Properties
// holds --consumer.config and --consumer-property.
type PerfConsumeOptions struct {
	Conn
	Topic    string
	Messages int64
	Group    string        // empty: a direct consumer, so that no group coordinator is measured
	Timeout  time.Duration // the longest gap allowed between returned records; 0 means Kafka's 10s
}

// PerfConsumeResult is kafka-consumer-perf-test's summary line, and its JSON.
type PerfConsumeResult struct {
	StartTime       time.Time `json:"start_time"`
	EndTime         time.Time `json:"end_time"`
	MB              float64   `json:"data_consumed_mb"`
	MBPerSec        float64   `json:"mb_per_sec"`
	Messages        int64     `json:"data_consumed_msgs"`
	MessagesPerSec  float64   `json:"msgs_per_sec"`
	RebalanceTimeMs int64     `json:"rebalance_time_ms"`
	FetchTimeMs     int64     `json:"fetch_time_ms"`
	FetchMBPerSec   float64   `json:"fetch_mb_per_sec"`
	FetchMsgsPerSec float64   `json:"fetch_msgs_per_sec"`
}

// PerfConsume reads o.Topic from the beginning until Messages records (key
// plus value bytes counted, as Kafka does) or until Timeout passes without a
// record, in which case it warns as Kafka does and still reports.
func PerfConsume(ctx context.Context, o PerfConsumeOptions) (PerfConsumeResult, error) {
	if o.Topic == "" || o.Messages <= 0 {
		return PerfConsumeResult{}, errors.New("--topic and a positive --messages are required")
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	opts, err := consumerOpts(o.Properties)
	if err != nil {
		return PerfConsumeResult{}, fmt.Errorf("consumer perf: %w", err)
	}
	start := time.Now()
	joined := make(chan time.Time, 1)
	opts = append(opts, kgo.ConsumeTopics(o.Topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if o.Group != "" {
		gopts, autoCommit, err := groupOpts(o.Properties)
		if err != nil {
			return PerfConsumeResult{}, fmt.Errorf("consumer perf: %w", err)
		}
		opts = append(append(opts, gopts...), kgo.ConsumerGroup(o.Group),
			kgo.OnPartitionsAssigned(func(context.Context, *kgo.Client, map[string][]int32) {
				select {
				case joined <- time.Now():
				default:
				}
			}))
		if !autoCommit {
			opts = append(opts, kgo.DisableAutoCommit())
		}
	}
	cl, err := o.newClient(roleConsumer, opts...)
	if err != nil {
		return PerfConsumeResult{}, err
	}
	defer cl.Close()

	var msgs, bytes int64
	for msgs < o.Messages {
		pollCtx, cancel := context.WithTimeout(ctx, timeout)
		fetches := cl.PollRecords(pollCtx, int(o.Messages-msgs))
		cancel()
		fetches.EachRecord(func(r *kgo.Record) {
			msgs++
			bytes += int64(len(r.Key) + len(r.Value))
		})
		if ctx.Err() != nil || fetches.IsClientClosed() {
			break
		}
		if fetches.NumRecords() == 0 && pollCtx.Err() != nil {
			slog.Warn(fmt.Sprintf("Exiting before consuming the expected number of messages: timeout (%d ms) exceeded. You can use the --timeout option to increase the timeout.", timeout.Milliseconds()))
			break
		}
		for _, fe := range fetches.Errors() {
			if !errors.Is(fe.Err, context.DeadlineExceeded) {
				slog.Warn("fetch error", "topic", fe.Topic, "partition", fe.Partition, "err", fe.Err)
			}
		}
	}
	end := time.Now()
	var rebalance time.Duration
	select {
	case t := <-joined:
		rebalance = t.Sub(start)
	default:
	}
	return perfConsumeResult(start, end, rebalance, msgs, bytes), nil
}

func perfConsumeResult(start, end time.Time, rebalance time.Duration, msgs, bytes int64) PerfConsumeResult {
	r := PerfConsumeResult{StartTime: start, EndTime: end, MB: float64(bytes) / (1024 * 1024), Messages: msgs,
		RebalanceTimeMs: rebalance.Milliseconds(), FetchTimeMs: (end.Sub(start) - rebalance).Milliseconds()}
	if secs := end.Sub(start).Seconds(); secs > 0 {
		r.MBPerSec, r.MessagesPerSec = r.MB/secs, float64(msgs)/secs
	}
	if secs := float64(r.FetchTimeMs) / 1000; secs > 0 {
		r.FetchMBPerSec, r.FetchMsgsPerSec = r.MB/secs, float64(msgs)/secs
	}
	return r
}

// perfTime formats t as Kafka's default --date-format, yyyy-MM-dd HH:mm:ss:SSS
// (Go layouts only know '.' or ',' before fractional seconds).
func perfTime(t time.Time) string {
	return fmt.Sprintf("%s:%03d", t.Format("2006-01-02 15:04:05"), t.Nanosecond()/int(time.Millisecond))
}

// WriteText prints Kafka's header and CSV-ish line (without --hide-header).
func (r PerfConsumeResult) WriteText(w io.Writer) error {
	_, err := fmt.Fprintf(w, "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec\n"+
		"%s, %s, %.4f, %.4f, %d, %.4f, %d, %d, %.4f, %.4f\n",
		perfTime(r.StartTime), perfTime(r.EndTime), r.MB, r.MBPerSec, r.Messages,
		r.MessagesPerSec, r.RebalanceTimeMs, r.FetchTimeMs, r.FetchMBPerSec, r.FetchMsgsPerSec)
	return err
}
