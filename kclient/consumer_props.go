package kclient

import (
	"fmt"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// consumerOpts maps Kafka consumer properties that apply with or without a
// group onto kgo.
func consumerOpts(props map[string]string) ([]kgo.Opt, error) {
	var opts []kgo.Opt
	switch lvl := strings.ToLower(strings.TrimSpace(props["isolation.level"])); lvl {
	case "", "read_uncommitted":
	case "read_committed":
		opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	default:
		return nil, fmt.Errorf("isolation.level=%q: want read_uncommitted or read_committed", lvl)
	}
	if v, ok := props["client.rack"]; ok {
		opts = append(opts, kgo.Rack(v))
	}
	// Kafka's fetch.max.wait.ms default is 500ms, kgo's 5s; a partition added
	// while a fetch is parked waits that long, so keep Kafka's.
	wait, ok, err := propMillis(props, "fetch.max.wait.ms")
	if err != nil {
		return nil, err
	}
	if !ok {
		wait = 500 * time.Millisecond
	}
	opts = append(opts, kgo.FetchMaxWait(wait))
	for key, opt := range map[string]func(int32) kgo.Opt{
		"fetch.min.bytes":           func(n int32) kgo.Opt { return kgo.FetchMinBytes(n) },
		"fetch.max.bytes":           func(n int32) kgo.Opt { return kgo.FetchMaxBytes(n) },
		"max.partition.fetch.bytes": func(n int32) kgo.Opt { return kgo.FetchMaxPartitionBytes(n) },
	} {
		if n, ok, err := propInt(props, key); err != nil {
			return nil, err
		} else if ok {
			opts = append(opts, opt(int32(n)))
		}
	}
	return opts, nil
}

// groupOpts maps the group-membership properties; autoCommit reports
// enable.auto.commit (default true, as in Kafka).
func groupOpts(props map[string]string) (opts []kgo.Opt, autoCommit bool, err error) {
	durations := map[string]func(v int64) kgo.Opt{
		"session.timeout.ms":      func(v int64) kgo.Opt { return kgo.SessionTimeout(ms(v)) },
		"heartbeat.interval.ms":   func(v int64) kgo.Opt { return kgo.HeartbeatInterval(ms(v)) },
		"max.poll.interval.ms":    func(v int64) kgo.Opt { return kgo.RebalanceTimeout(ms(v)) },
		"auto.commit.interval.ms": func(v int64) kgo.Opt { return kgo.AutoCommitInterval(ms(v)) },
	}
	for key, opt := range durations {
		if n, ok, err := propInt(props, key); err != nil {
			return nil, false, err
		} else if ok {
			opts = append(opts, opt(n))
		}
	}
	if v, ok := props["group.instance.id"]; ok {
		opts = append(opts, kgo.InstanceID(v))
	}
	autoCommit, err = propBool(props, "enable.auto.commit", true)
	return opts, autoCommit, err
}

// resetOffset reads auto.offset.reset; def applies when it is unset.
func resetOffset(props map[string]string, def kgo.Offset) (kgo.Offset, error) {
	switch v := strings.ToLower(strings.TrimSpace(props["auto.offset.reset"])); v {
	case "":
		return def, nil
	case "earliest":
		return kgo.NewOffset().AtStart(), nil
	case "latest":
		return kgo.NewOffset().AtEnd(), nil
	case "none":
		return kgo.NoResetOffset(), nil
	default:
		return kgo.Offset{}, fmt.Errorf("auto.offset.reset=%q: want earliest, latest or none", v)
	}
}

func ms(n int64) time.Duration { return time.Duration(n) * time.Millisecond }
