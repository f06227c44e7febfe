package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kbridge/kbridge/kclient"
)

func init() {
	perf := &cobra.Command{
		Use:   "perf",
		Short: "Producer and consumer benchmarks (like kafka-*-perf-test.sh) and a kfake baseline broker",
		Example: `  kbridge perf fake-broker --listen 127.0.0.1:19092 &
  kbridge perf produce --bootstrap-server 127.0.0.1:19092 --topic bench --num-records 1000000 --record-size 100 --throughput -1`,
	}
	perf.AddCommand(perfProduceCmd(), perfConsumeCmd(), perfFakeBrokerCmd())
	rootCmd.AddCommand(perf)
}

func perfProduceCmd() *cobra.Command {
	var (
		o           kclient.PerfProduceOptions
		config      clientConfigFlags
		props       []string
		asJSON      bool
		reportEvery int64
	)
	cmd := &cobra.Command{
		Use:   "produce",
		Short: "Measure producer throughput and latency (like kafka-producer-perf-test.sh)",
		Long: `Sends --num-records records of --record-size random uppercase letters (one payload reused,
as Kafka's tool does), acks=all and idempotent by default. Progress goes to stderr every
5 s; the final line (or --json object) goes to stdout. Latency is measured from the
Produce call to its acknowledgement. --producer-props takes k=v pairs as in Kafka:
"--producer-props acks=1 linger.ms=5" or the flag repeated.`,
		Example: `  kbridge perf produce --bootstrap-server localhost:9092 --topic bench --num-records 100000 --record-size 1024 --throughput -1 --json
  kbridge perf produce --bootstrap-server localhost:9092 --topic bench --num-records 50000 --record-size 100 --throughput 10000 --producer-props linger.ms=5 batch.size=65536`,
		Args: func(_ *cobra.Command, args []string) error {
			for _, a := range args {
				if !strings.Contains(a, "=") {
					return fmt.Errorf("unexpected argument %q: only k=v producer properties may follow --producer-props", a)
				}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if o.Conn, err = config.conn(o.BootstrapServers, "--producer-props", append(props, args...)); err != nil {
				return err
			}
			if !cmd.Flags().Changed("acks") && o.Properties["acks"] != "" {
				o.Acks = ""
			}
			o.ReportInterval = time.Duration(reportEvery) * time.Millisecond
			res, err := kclient.PerfProduce(interruptContext(cmd), cmd.ErrOrStderr(), o)
			if werr := printResult(cmd.OutOrStdout(), asJSON, res, res.WriteText); werr != nil {
				return werr
			}
			return err
		},
	}
	fs := cmd.Flags()
	addConnFlags(fs, &o.BootstrapServers)
	fs.StringVar(&o.Topic, "topic", "", "topic to produce to (required)")
	fs.Int64Var(&o.NumRecords, "num-records", 0, "number of records to send (required)")
	fs.IntVar(&o.RecordSize, "record-size", 0, "bytes per record (required)")
	fs.Float64Var(&o.Throughput, "throughput", -1, "maximum records/sec (-1: unthrottled)")
	fs.StringVar(&o.Acks, "acks", "-1", "acks: -1 (all, idempotent), 0 or 1")
	fs.StringArrayVar(&props, "producer-props", nil, "producer properties k=v")
	config.register(fs, "producer.config")
	fs.Int64Var(&reportEvery, "reporting-interval", 5000, "milliseconds between progress lines")
	fs.BoolVar(&asJSON, "json", false, "print the result as one JSON object")
	return cmd
}

func perfConsumeCmd() *cobra.Command {
	var (
		o         kclient.PerfConsumeOptions
		config    clientConfigFlags
		props     []string
		asJSON    bool
		timeoutMs int64
		fetchSize int64
	)
	cmd := &cobra.Command{
		Use:   "consume",
		Short: "Measure consumer throughput from the beginning of a topic (like kafka-consumer-perf-test.sh)",
		Long: `Reads --messages records from the beginning of --topic and prints Kafka's summary line
(start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, ...).
Without --group it reads directly, so no group coordinator is in the measurement.`,
		Example: `  kbridge perf consume --bootstrap-server localhost:9092 --topic bench --messages 100000 --json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("fetch-size") {
				props = append(props, "max.partition.fetch.bytes="+strconv.FormatInt(fetchSize, 10))
			}
			var err error
			if o.Conn, err = config.conn(o.BootstrapServers, "--consumer-property", props); err != nil {
				return err
			}
			o.Timeout = time.Duration(timeoutMs) * time.Millisecond
			res, err := kclient.PerfConsume(interruptContext(cmd), o)
			if err != nil {
				return err
			}
			return printResult(cmd.OutOrStdout(), asJSON, res, res.WriteText)
		},
	}
	fs := cmd.Flags()
	addConnFlags(fs, &o.BootstrapServers)
	fs.StringVar(&o.Topic, "topic", "", "topic to consume (required)")
	fs.Int64Var(&o.Messages, "messages", 0, "number of records to consume (required)")
	fs.StringVar(&o.Group, "group", "", "consume in this group (default: no group)")
	fs.Int64Var(&timeoutMs, "timeout-ms", 10000, "longest wait for a record before giving up, in milliseconds")
	fs.Int64Var(&timeoutMs, "timeout", 10000, "same as --timeout-ms (kafka-consumer-perf-test's name)")
	fs.Int64Var(&fetchSize, "fetch-size", 1048576, "max.partition.fetch.bytes")
	fs.StringArrayVar(&props, "consumer-property", nil, "consumer property k=v (repeatable)")
	config.register(fs, "consumer.config")
	fs.BoolVar(&asJSON, "json", false, "print the result as one JSON object")
	return cmd
}

func perfFakeBrokerCmd() *cobra.Command {
	var o kclient.FakeBrokerOptions
	cmd := &cobra.Command{
		Use:   "fake-broker",
		Short: "Run franz-go's in-memory kfake broker, the baseline for side-by-side benchmarks",
		Long: `Runs a one-broker kfake cluster (franz-go's in-memory Kafka) until SIGINT or SIGTERM and
prints its address on stdout once it listens. Topics are auto-created with --partitions.`,
		Example: `  kbridge perf fake-broker --listen 127.0.0.1:19092 --partitions 1 --topic bench`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return kclient.RunFakeBroker(interruptContext(cmd), cmd.OutOrStdout(), o)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.Listen, "listen", "127.0.0.1:9092", "host:port to listen on and advertise")
	fs.IntVar(&o.Partitions, "partitions", 1, "partitions of auto-created and seeded topics")
	fs.StringArrayVar(&o.Topics, "topic", nil, "topic to create at start (repeatable)")
	return cmd
}

// printResult writes a perf result as indented JSON or as its text line.
func printResult(w io.Writer, asJSON bool, v any, text func(io.Writer) error) error {
	if !asJSON {
		return text(w)
	}
	enc := json.NewEncoder(w)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write JSON result: %w", err)
	}
	return nil
}
