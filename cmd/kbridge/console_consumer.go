package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/kbridge/kbridge/kclient"
)

func init() {
	var (
		o                          kclient.ConsumeOptions
		config                     clientConfigFlags
		partition                  int32
		timeoutMs                  int64
		formatProps, consumerProps []string
	)
	cmd := &cobra.Command{
		Use:   "console-consumer",
		Short: "Print records of a topic to stdout (like kafka-console-consumer.sh)",
		Long: `Prints records as Kafka's DefaultMessageFormatter does. Without --group it reads directly
(from the end, or from the start with --from-beginning, or from --partition/--offset) and
commits nothing; with --group it joins the group and commits what it printed when it exits.
It stops after --max-messages, or when no record arrives for --timeout-ms, and prints
"Processed a total of N messages" to stderr.`,
		Example: `  kbridge console-consumer --bootstrap-server localhost:9092 --topic test-topic --from-beginning --max-messages 10 --property print.key=true
  kbridge console-consumer --bootstrap-server localhost:9092 --topic test-topic --partition 0 --offset 42 --timeout-ms 5000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if o.Conn, err = config.conn(o.BootstrapServers, "--consumer-property", consumerProps); err != nil {
				return err
			}
			if o.FormatProps, err = kclient.ParseKeyValues(formatProps); err != nil {
				return err
			}
			if cmd.Flags().Changed("partition") {
				o.Partition = &partition
			}
			if timeoutMs > 0 {
				o.Timeout = time.Duration(timeoutMs) * time.Millisecond
			}
			n, err := kclient.Consume(interruptContext(cmd), cmd.OutOrStdout(), o)
			fmt.Fprintf(cmd.ErrOrStderr(), "Processed a total of %d messages\n", n)
			return err
		},
	}
	fs := cmd.Flags()
	addConnFlags(fs, &o.BootstrapServers)
	fs.StringVar(&o.Topic, "topic", "", "topic to consume (required)")
	fs.StringVar(&o.Group, "group", "", "consumer group; without it no group is joined and nothing is committed")
	fs.BoolVar(&o.FromBeginning, "from-beginning", false, "start at the earliest offset when there is no committed offset")
	fs.Int32Var(&partition, "partition", 0, "consume only this partition")
	fs.StringVar(&o.Offset, "offset", "", "with --partition: earliest, latest or an offset (default latest)")
	fs.Int64Var(&o.MaxMessages, "max-messages", -1, "exit after this many records (-1: no limit)")
	fs.Int64Var(&timeoutMs, "timeout-ms", -1, "exit when no record arrives for this long (-1: wait forever)")
	fs.StringArrayVar(&formatProps, "property", nil, "formatter property k=v: print.key, print.value, print.timestamp, print.partition, print.offset, print.headers, key.separator, line.separator, null.literal")
	fs.StringArrayVar(&consumerProps, "consumer-property", nil, "consumer property k=v (repeatable)")
	config.register(fs, "consumer.config")
	fs.StringVar(&o.IsolationLevel, "isolation-level", "", "read_uncommitted (default) or read_committed")
	rootCmd.AddCommand(cmd)
}
