package kclient

import (
	"fmt"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// producerOpts maps Kafka producer properties onto kgo. It keeps Kafka's rule
// that idempotence needs acks=all: with acks 0 or 1 idempotence is turned off,
// unless enable.idempotence=true asks for the impossible, which is an error.
// Topics are auto-created on produce when the broker allows it, as the Java
// producer's metadata requests do.
func producerOpts(props map[string]string) ([]kgo.Opt, error) {
	opts := []kgo.Opt{kgo.AllowAutoTopicCreation()}
	idempotent, err := propBool(props, "enable.idempotence", true)
	if err != nil {
		return nil, err
	}
	switch acks := strings.ToLower(strings.TrimSpace(props["acks"])); acks {
	case "", "all", "-1":
		opts = append(opts, kgo.RequiredAcks(kgo.AllISRAcks()))
	case "0", "1":
		if _, explicit := props["enable.idempotence"]; explicit && idempotent {
			return nil, fmt.Errorf("acks=%s: must set acks to all in order to use the idempotent producer", acks)
		}
		idempotent = false
		if acks == "0" {
			opts = append(opts, kgo.RequiredAcks(kgo.NoAck()))
		} else {
			opts = append(opts, kgo.RequiredAcks(kgo.LeaderAck()))
		}
	default:
		return nil, fmt.Errorf("acks=%q: want all, -1, 0 or 1", acks)
	}
	if !idempotent {
		opts = append(opts, kgo.DisableIdempotentWrite())
	}
	// Kafka's default is compression.type=none; kgo's would be snappy.
	codec, err := compressionCodec(props["compression.type"])
	if err != nil {
		return nil, err
	}
	opts = append(opts, kgo.ProducerBatchCompression(codec))
	// Kafka 3.9's linger.ms default is 0; kgo's is 10 ms, which would show up as
	// latency that no broker caused.
	linger, _, err := propMillis(props, "linger.ms")
	if err != nil {
		return nil, err
	}
	opts = append(opts, kgo.ProducerLinger(linger))
	// Kafka gives up on a record after delivery.timeout.ms (default 2 min);
	// kgo would retry forever and a console producer would hang on a dead
	// cluster.
	delivery, ok, err := propMillis(props, "delivery.timeout.ms")
	if err != nil {
		return nil, err
	}
	if !ok {
		delivery = 2 * time.Minute
	}
	opts = append(opts, kgo.RecordDeliveryTimeout(delivery))
	if d, ok, err := propMillis(props, "request.timeout.ms"); err != nil {
		return nil, err
	} else if ok {
		opts = append(opts, kgo.ProduceRequestTimeout(d))
	}
	for key, opt := range map[string]func(int64) kgo.Opt{
		"batch.size":                            func(n int64) kgo.Opt { return kgo.ProducerBatchMaxBytes(int32(n)) },
		"retries":                               func(n int64) kgo.Opt { return kgo.RecordRetries(int(n)) },
		"max.in.flight.requests.per.connection": func(n int64) kgo.Opt { return kgo.MaxProduceRequestsInflightPerBroker(int(n)) },
		"buffer.memory":                         func(n int64) kgo.Opt { return kgo.MaxBufferedBytes(int(n)) },
	} {
		if n, ok, err := propInt(props, key); err != nil {
			return nil, err
		} else if ok {
			opts = append(opts, opt(n))
		}
	}
	return opts, nil
}

// compressionCodec reads Kafka's codec names (compression.type and
// --compression-codec).
func compressionCodec(name string) (kgo.CompressionCodec, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", "none":
		return kgo.NoCompression(), nil
	case "gzip":
		return kgo.GzipCompression(), nil
	case "snappy":
		return kgo.SnappyCompression(), nil
	case "lz4":
		return kgo.Lz4Compression(), nil
	case "zstd":
		return kgo.ZstdCompression(), nil
	default:
		return kgo.CompressionCodec{}, fmt.Errorf("compression %q: want none, gzip, snappy, lz4 or zstd", name)
	}
}
