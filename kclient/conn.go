package kclient

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Conn says how to reach a cluster: Kafka's --bootstrap-server list plus client
// properties under Kafka's own names (from --command-config, --producer-property
// and friends), so that existing client config files keep working.
type Conn struct {
	BootstrapServers string            // comma-separated host:port list
	Properties       map[string]string // Kafka client properties; role-specific keys are read by each command
	// ConfigFile is the properties file Properties were read from
	// (--command-config, --producer.config ...), named in errors about
	// their values; empty when there was none.
	ConfigFile string
	// Overrides maps each key set on the command line instead
	// (--producer-property ...) to that flag, named in errors too.
	Overrides map[string]string
}

// role says which client properties apply; a key that no role knows is warned
// about, as Kafka warns "supplied but isn't a known config".
type role int

const (
	roleAdmin role = iota
	roleProducer
	roleConsumer
)

// commonKeys are the properties every client understands; the rest are read by
// the producer or consumer code from Conn.Properties.
var commonKeys = map[string]bool{
	"bootstrap.servers": true, "client.id": true, "security.protocol": true,
	"sasl.mechanism": true, "sasl.jaas.config": true, "metadata.max.age.ms": true, "retry.backoff.ms": true,
	"socket.connection.setup.timeout.ms": true, "connections.max.idle.ms": true,
}

var producerKeys = map[string]bool{
	"acks": true, "enable.idempotence": true, "compression.type": true, "linger.ms": true,
	"batch.size": true, "retries": true, "delivery.timeout.ms": true, "request.timeout.ms": true,
	"max.in.flight.requests.per.connection": true, "buffer.memory": true,
}

var consumerKeys = map[string]bool{
	"group.id": true, "auto.offset.reset": true, "isolation.level": true,
	"fetch.min.bytes": true, "fetch.max.bytes": true, "fetch.max.wait.ms": true,
	"max.partition.fetch.bytes": true, "session.timeout.ms": true, "heartbeat.interval.ms": true,
	"max.poll.interval.ms": true, "enable.auto.commit": true, "auto.commit.interval.ms": true,
	"group.instance.id": true, "client.rack": true,
}

// clientOpts translates the connection into kgo options common to every role
// and warns about properties that role does not use.
func (c Conn) clientOpts(r role) ([]kgo.Opt, error) {
	props := c.Properties
	seeds := splitList(c.BootstrapServers)
	if len(seeds) == 0 {
		seeds = splitList(props["bootstrap.servers"])
	}
	if len(seeds) == 0 {
		return nil, fmt.Errorf("--bootstrap-server is required")
	}
	opts := []kgo.Opt{kgo.SeedBrokers(seeds...), kgo.WithLogger(kgoLogger{})}
	warnUnknown(props, r)

	if v, ok := props["client.id"]; ok {
		opts = append(opts, kgo.ClientID(v))
	}
	for key, opt := range map[string]func(time.Duration) kgo.Opt{
		"metadata.max.age.ms":     kgo.MetadataMaxAge,
		"connections.max.idle.ms": kgo.ConnIdleTimeout,
		"retry.backoff.ms": func(d time.Duration) kgo.Opt {
			return kgo.RetryBackoffFn(func(int) time.Duration { return d })
		},
	} {
		d, ok, err := propMillis(props, key)
		if err != nil {
			return nil, err
		}
		if ok {
			opts = append(opts, opt(d))
		}
	}
	setupTimeout, ok, err := propMillis(props, "socket.connection.setup.timeout.ms")
	if err != nil {
		return nil, err
	}
	if !ok {
		setupTimeout = defaultSetupTimeout
	}
	sec, err := c.securityOpts(seeds, setupTimeout)
	if err != nil {
		return nil, err
	}
	return append(opts, sec...), nil
}

// defaultSetupTimeout is Kafka's socket.connection.setup.timeout.ms (and
// kgo's dial timeout).
const defaultSetupTimeout = 10 * time.Second

// keyName renders a client property's key for an error: the key, and the
// flag that set it when it came from the command line.
func (c Conn) keyName(key string) string {
	if flag, ok := c.Overrides[key]; ok {
		return key + " (set by " + flag + ")"
	}
	return key
}

// propError is an error about a client property's value, naming the file and
// the key: "client.properties: sasl.mechanism: ...".
func (c Conn) propError(key, format string, args ...any) error {
	err := fmt.Errorf("%s: %w", c.keyName(key), fmt.Errorf(format, args...))
	if c.ConfigFile == "" {
		return err
	}
	return fmt.Errorf("%s: %w", c.ConfigFile, err)
}

func warnUnknown(props map[string]string, r role) {
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		known := commonKeys[k] || tlsKeys[k] || (r == roleProducer && producerKeys[k]) || (r == roleConsumer && consumerKeys[k])
		if !known {
			slog.Warn("ignoring client property that is not supported here", "key", k)
		}
	}
}

// newClient builds a kgo client for the connection plus role-specific options.
func (c Conn) newClient(r role, extra ...kgo.Opt) (*kgo.Client, error) {
	opts, err := c.clientOpts(r)
	if err != nil {
		return nil, err
	}
	cl, err := kgo.NewClient(append(opts, extra...)...)
	if err != nil {
		return nil, fmt.Errorf("create client: %w", err)
	}
	return cl, nil
}

// kgoLogger routes franz-go's warnings and errors to slog; its info and debug
// chatter stays off the terminal of an interactive tool.
type kgoLogger struct{}

func (kgoLogger) Level() kgo.LogLevel { return kgo.LogLevelWarn }

func (kgoLogger) Log(level kgo.LogLevel, msg string, keyvals ...any) {
	l := slog.LevelWarn
	if level == kgo.LogLevelError {
		l = slog.LevelError
	}
	slog.Log(context.Background(), l, "kgo: "+msg, keyvals...)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// propMillis reads a Kafka "*.ms" property as a duration.
func propMillis(props map[string]string, key string) (time.Duration, bool, error) {
	n, ok, err := propInt(props, key)
	return time.Duration(n) * time.Millisecond, ok, err
}

func propInt(props map[string]string, key string) (int64, bool, error) {
	v, ok := props[key]
	if !ok {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("property %s=%q: not an integer", key, v)
	}
	return n, true, nil
}

func propBool(props map[string]string, key string, def bool) (bool, error) {
	v, ok := props[key]
	if !ok {
		return def, nil
	}
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil {
		return false, fmt.Errorf("property %s=%q: not true or false", key, v)
	}
	return b, nil
}
