package kclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// ConsumeOptions are kafka-console-consumer's flags. Conn.Properties holds the
// consumer properties (--consumer.config, --consumer-property).
type ConsumeOptions struct {
	Conn
	Topic          string
	Group          string            // empty: a direct consumer that joins no group (group.id in the properties also counts)
	FromBeginning  bool              // start at the log start when there is no committed offset
	Partition      *int32            // nil: all partitions
	Offset         string            // with Partition: earliest, latest or an offset; empty means latest (earliest with FromBeginning)
	MaxMessages    int64             // stop after this many records; <= 0 means no limit
	Timeout        time.Duration     // stop when no record arrives for this long; 0 waits forever
	IsolationLevel string            // read_uncommitted (default) or read_committed
	FormatProps    map[string]string // --property: print.key, print.offset, key.separator, null.literal ...
}

// Consume prints records of o.Topic to out in DefaultMessageFormatter's format
// until MaxMessages, Timeout or ctx ends it, and returns how many it printed
// (for Kafka's "Processed a total of N messages"). With a group it commits what
// it printed, and only that, before leaving the group.
func Consume(ctx context.Context, out io.Writer, o ConsumeOptions) (int64, error) {
	f, err := newMessageFormatter(o.FormatProps)
	if err != nil {
		return 0, fmt.Errorf("console consumer: %w", err)
	}
	opts, mode, err := consumeClientOpts(o)
	if err != nil {
		return 0, fmt.Errorf("console consumer: %w", err)
	}
	cl, err := o.newClient(roleConsumer, opts...)
	if err != nil {
		return 0, err
	}
	defer cl.Close()

	n, err := printRecords(ctx, cl, out, f, o.MaxMessages, o.Timeout, mode.group)
	if mode.group {
		commitCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if mode.commit {
			if cerr := cl.CommitMarkedOffsets(commitCtx); cerr != nil && err == nil {
				err = fmt.Errorf("commit offsets: %w", cerr)
			}
		}
		if lerr := cl.LeaveGroupContext(commitCtx); lerr != nil && err == nil {
			err = fmt.Errorf("leave group: %w", lerr)
		}
	}
	return n, err
}

// consumeMode says whether the consumer is in a group and commits.
type consumeMode struct{ group, commit bool }

// consumeClientOpts chooses between a direct consumer and a group consumer
// with Kafka's rules for --partition, --offset and --from-beginning.
func consumeClientOpts(o ConsumeOptions) ([]kgo.Opt, consumeMode, error) {
	var none consumeMode
	if o.Topic == "" {
		return nil, none, errors.New("--topic is required")
	}
	props := o.Properties
	if o.IsolationLevel != "" {
		props = withProp(props, "isolation.level", o.IsolationLevel)
	}
	opts, err := consumerOpts(props)
	if err != nil {
		return nil, none, err
	}
	if o.FromBeginning && o.Offset != "" {
		return nil, none, errors.New("--from-beginning cannot be used with --offset")
	}
	if o.Offset != "" && o.Partition == nil {
		return nil, none, errors.New("--offset requires --partition")
	}
	start := kgo.NewOffset().AtEnd()
	if o.FromBeginning {
		start = kgo.NewOffset().AtStart()
	}
	groupID := o.Group
	if groupID == "" {
		groupID = props["group.id"]
	}
	if groupID != "" {
		if o.Partition != nil {
			return nil, none, errors.New("--group cannot be used with --partition")
		}
		gopts, autoCommit, err := groupOpts(props)
		if err != nil {
			return nil, none, err
		}
		reset, err := resetOffset(props, start)
		if err != nil {
			return nil, none, err
		}
		// Marks rather than plain autocommit: a record that was polled but not
		// printed (past --max-messages) must not be committed.
		opts = append(opts, kgo.ConsumerGroup(groupID), kgo.ConsumeTopics(o.Topic), kgo.ConsumeResetOffset(reset), kgo.AutoCommitMarks())
		if !autoCommit {
			opts = append(opts, kgo.DisableAutoCommit())
		}
		return append(opts, gopts...), consumeMode{group: true, commit: autoCommit}, nil
	}
	if o.Partition == nil {
		return append(opts, kgo.ConsumeTopics(o.Topic), kgo.ConsumeResetOffset(start)), none, nil
	}
	at, err := parseOffset(o.Offset, start)
	if err != nil {
		return nil, none, err
	}
	return append(opts, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{o.Topic: {*o.Partition: at}})), none, nil
}

func parseOffset(s string, def kgo.Offset) (kgo.Offset, error) {
	switch strings.ToLower(s) {
	case "":
		return def, nil
	case "earliest":
		return kgo.NewOffset().AtStart(), nil
	case "latest":
		return kgo.NewOffset().AtEnd(), nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return kgo.Offset{}, fmt.Errorf("--offset %q: want earliest, latest or a non-negative offset", s)
	}
	return kgo.NewOffset().At(n), nil
}

// printRecords is the poll loop. A poll that sees nothing within timeout ends
// the run normally, as kafka-console-consumer's --timeout-ms does.
func printRecords(ctx context.Context, cl *kgo.Client, out io.Writer, f *messageFormatter, max int64, timeout time.Duration, group bool) (int64, error) {
	var n int64
	var buf []byte
	for max <= 0 || n < max {
		pollCtx, cancel := ctx, context.CancelFunc(func() {})
		if timeout > 0 {
			pollCtx, cancel = context.WithTimeout(ctx, timeout)
		}
		limit := 0
		if max > 0 {
			limit = int(max - n)
		}
		fetches := cl.PollRecords(pollCtx, limit)
		cancel()
		if fetches.IsClientClosed() || ctx.Err() != nil {
			return n, nil
		}
		buf = buf[:0]
		var printed []*kgo.Record
		fetches.EachRecord(func(r *kgo.Record) {
			if max <= 0 || n < max {
				buf = f.format(buf, r)
				printed = append(printed, r)
				n++
			}
		})
		if len(buf) > 0 {
			if _, err := out.Write(buf); err != nil {
				return n, fmt.Errorf("write records: %w", err)
			}
		}
		if group {
			cl.MarkCommitRecords(printed...)
		}
		timedOut := false
		for _, fe := range fetches.Errors() {
			if errors.Is(fe.Err, context.DeadlineExceeded) {
				timedOut = true
				continue
			}
			slog.Warn("fetch error", "topic", fe.Topic, "partition", fe.Partition, "err", fe.Err)
		}
		if timedOut && len(printed) == 0 {
			return n, nil
		}
	}
	return n, nil
}

// withProp returns a copy of props with key set.
func withProp(props map[string]string, key, value string) map[string]string {
	out := make(map[string]string, len(props)+1)
	for k, v := range props {
		out[k] = v
	}
	out[key] = value
	return out
}
