package kclient

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// ProduceOptions are kafka-console-producer's flags. Conn.Properties holds the
// producer properties (--producer.config, --producer-property); the explicit
// flags below win over them, as in Kafka.
type ProduceOptions struct {
	Conn
	Topic        string
	ReaderProps  map[string]string // --property: parse.key, key.separator, parse.headers, null.marker, ignore.error ...
	RequiredAcks string            // --request-required-acks: all, -1, 0 or 1; empty keeps acks from the properties (default all)
	Compression  string            // --compression-codec; empty keeps compression.type (default none)
	Sync         bool              // wait for each record before reading the next line
	FlushTimeout time.Duration     // how long to wait for buffered records on interrupt; 0 means 30s
}

// Produce reads in line by line, produces one record per line to o.Topic and
// flushes at EOF. Produce failures are reported on errOut as Kafka's
// ErrorLoggingCallback does, and make the call fail unless ignore.error=true.
// It returns how many records were acknowledged.
func Produce(ctx context.Context, in io.Reader, errOut io.Writer, o ProduceOptions) (int64, error) {
	if o.Topic == "" {
		return 0, fmt.Errorf("--topic is required")
	}
	reader, err := newLineReader(o.ReaderProps)
	if err != nil {
		return 0, fmt.Errorf("console producer: %w", err)
	}
	props := make(map[string]string, len(o.Properties)+2)
	for k, v := range o.Properties {
		props[k] = v
	}
	if o.RequiredAcks != "" {
		props["acks"] = o.RequiredAcks
	}
	if o.Compression != "" {
		props["compression.type"] = o.Compression
	}
	popts, err := producerOpts(props)
	if err != nil {
		return 0, fmt.Errorf("console producer: %w", err)
	}
	o.Properties = props
	cl, err := o.newClient(roleProducer, append(popts, kgo.DefaultProduceTopic(o.Topic))...)
	if err != nil {
		return 0, err
	}
	defer cl.Close()

	p := &consoleProducer{cl: cl, errOut: errOut, topic: o.Topic, ignoreError: reader.ignoreError}
	readErr := p.run(ctx, in, reader, o.Sync)
	flushTimeout := o.FlushTimeout
	if flushTimeout <= 0 {
		flushTimeout = 30 * time.Second
	}
	flushCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), flushTimeout)
	defer cancel()
	if err := cl.Flush(flushCtx); err != nil {
		return p.acked.Load(), fmt.Errorf("flush produced records: %w", err)
	}
	if readErr != nil {
		return p.acked.Load(), readErr
	}
	if n := p.failed.Load(); n > 0 && !p.ignoreError {
		return p.acked.Load(), fmt.Errorf("%d records failed to produce to %s", n, o.Topic)
	}
	return p.acked.Load(), nil
}

// consoleProducer counts outcomes; promises run on kgo's goroutines.
type consoleProducer struct {
	cl          *kgo.Client
	errOut      io.Writer
	topic       string
	ignoreError bool
	acked       atomic.Int64
	failed      atomic.Int64
	errMu       sync.Mutex
}

// run reads lines on its own goroutine so that an interrupt is not stuck
// behind a blocked terminal read.
func (p *consoleProducer) run(ctx context.Context, in io.Reader, reader *lineReader, sync bool) error {
	lines := make(chan string)
	readDone := make(chan error, 1)
	go func() {
		readDone <- readLines(ctx, in, lines)
	}()
	for {
		var line string
		select {
		case <-ctx.Done():
			return nil
		case err := <-readDone:
			return err
		case line = <-lines:
		}
		rec, err := reader.record(line)
		if err != nil {
			return fmt.Errorf("console producer: %w", err)
		}
		if sync {
			if err := p.cl.ProduceSync(ctx, rec).FirstErr(); err != nil {
				p.report(rec, err)
				if !p.ignoreError {
					return fmt.Errorf("produce to %s: %w", p.topic, err)
				}
			}
			continue
		}
		p.cl.Produce(ctx, rec, p.report)
	}
}

// report is the produce promise: count, and print failures.
func (p *consoleProducer) report(r *kgo.Record, err error) {
	if err == nil {
		p.acked.Add(1)
		return
	}
	if errors.Is(err, context.Canceled) {
		return
	}
	p.failed.Add(1)
	key := "null"
	if r.Key != nil {
		key = fmt.Sprintf("%d bytes", len(r.Key))
	}
	p.errMu.Lock()
	defer p.errMu.Unlock()
	fmt.Fprintf(p.errOut, "Error when sending message to topic %s with key: %s, value: %d bytes with error: %v\n", p.topic, key, len(r.Value), err)
}

// readLines sends each line of in without its line terminator, like Java's
// BufferedReader.readLine, then returns nil at EOF.
func readLines(ctx context.Context, in io.Reader, lines chan<- string) error {
	br := bufio.NewReaderSize(in, 64<<10)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
			select {
			case lines <- line:
			case <-ctx.Done():
				return nil
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read input: %w", err)
		}
	}
}
