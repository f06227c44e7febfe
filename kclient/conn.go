package kclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// Conn says how to reach a cluster: Kafka's --bootstrap-server list plus client
// properties under Kafka's own names (from --command-config, --producer-property
// and friends), so that existing client config files keep working.
type Conn struct {
	BootstrapServers string            // comma-separated host:port list
	Properties       map[string]string // Kafka client properties; role-specific keys are read by each command
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
	"sasl.mechanism": true, "sasl.jaas.config": true, "ssl.truststore.type": true,
	"ssl.truststore.location": true, "metadata.max.age.ms": true, "retry.backoff.ms": true,
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
		"metadata.max.age.ms":                kgo.MetadataMaxAge,
		"socket.connection.setup.timeout.ms": kgo.DialTimeout,
		"connections.max.idle.ms":            kgo.ConnIdleTimeout,
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
	sec, err := securityOpts(props)
	if err != nil {
		return nil, err
	}
	return append(opts, sec...), nil
}

// securityOpts maps security.protocol and its SASL/TLS companions.
func securityOpts(props map[string]string) ([]kgo.Opt, error) {
	protocol := strings.ToUpper(props["security.protocol"])
	var opts []kgo.Opt
	switch protocol {
	case "", "PLAINTEXT":
		return nil, nil
	case "SSL", "SASL_SSL":
		tc, err := tlsConfig(props)
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.DialTLSConfig(tc))
	case "SASL_PLAINTEXT":
	default:
		return nil, fmt.Errorf("security.protocol=%s: want PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL", protocol)
	}
	if strings.HasPrefix(protocol, "SASL_") {
		m, err := saslMechanism(props)
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.SASL(m))
	}
	return opts, nil
}

// tlsConfig supports the PEM truststore form of Java's client; without one the
// system roots are used.
func tlsConfig(props map[string]string) (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	loc := props["ssl.truststore.location"]
	if loc == "" {
		return tc, nil
	}
	if t := strings.ToUpper(props["ssl.truststore.type"]); t != "PEM" {
		return nil, fmt.Errorf("ssl.truststore.type=%q: only PEM truststores are supported", t)
	}
	pem, err := os.ReadFile(loc)
	if err != nil {
		return nil, fmt.Errorf("read ssl.truststore.location: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("ssl.truststore.location %s: no PEM certificates", loc)
	}
	tc.RootCAs = pool
	return tc, nil
}

var jaasField = regexp.MustCompile(`(username|password)\s*=\s*"([^"]*)"`)

// saslMechanism reads the credentials out of sasl.jaas.config, which is where
// Java clients keep them (PlainLoginModule or ScramLoginModule).
func saslMechanism(props map[string]string) (sasl.Mechanism, error) {
	var user, pass string
	for _, m := range jaasField.FindAllStringSubmatch(props["sasl.jaas.config"], -1) {
		if m[1] == "username" {
			user = m[2]
		} else {
			pass = m[2]
		}
	}
	if user == "" {
		return nil, fmt.Errorf("sasl.jaas.config: no username=\"...\" found")
	}
	switch mech := strings.ToUpper(props["sasl.mechanism"]); mech {
	case "", "PLAIN":
		return plain.Auth{User: user, Pass: pass}.AsMechanism(), nil
	case "SCRAM-SHA-256":
		return scram.Auth{User: user, Pass: pass}.AsSha256Mechanism(), nil
	case "SCRAM-SHA-512":
		return scram.Auth{User: user, Pass: pass}.AsSha512Mechanism(), nil
	default:
		return nil, fmt.Errorf("sasl.mechanism=%s: want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", mech)
	}
}

func warnUnknown(props map[string]string, r role) {
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		known := commonKeys[k] || (r == roleProducer && producerKeys[k]) || (r == roleConsumer && consumerKeys[k])
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
