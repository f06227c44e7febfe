package main

import (
	"github.com/spf13/cobra"

	"github.com/kbridge/kbridge/kclient"
)

func init() {
	var (
		o                          kclient.ProduceOptions
		config                     clientConfigFlags
		readerProps, producerProps []string
	)
	cmd := &cobra.Command{
		Use:   "console-producer",
		Short: "Produce one record per line of stdin to a topic (like kafka-console-producer.sh)",
		Long: `Reads stdin and produces one record per line, flushing and exiting at EOF. With
--property parse.key=true each line is key<key.separator>value. A failed record is printed
to stderr and makes the command exit non-zero unless --property ignore.error=true.
Defaults are Kafka's: acks=all with the idempotent producer, no compression.`,
		Example: `  printf 'k1:hello\nk2:world\n' | kbridge console-producer --bootstrap-server localhost:9092 --topic test-topic --property parse.key=true --property key.separator=:`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if o.Conn, err = config.conn(o.BootstrapServers, "--producer-property", producerProps); err != nil {
				return err
			}
			if o.ReaderProps, err = kclient.ParseKeyValues(readerProps); err != nil {
				return err
			}
			if !cmd.Flags().Changed("request-required-acks") && o.Properties["acks"] != "" {
				o.RequiredAcks = ""
			}
			_, err = kclient.Produce(interruptContext(cmd), cmd.InOrStdin(), cmd.ErrOrStderr(), o)
			return err
		},
	}
	fs := cmd.Flags()
	addConnFlags(fs, &o.BootstrapServers)
	fs.StringVar(&o.Topic, "topic", "", "topic to produce to (required)")
	fs.StringArrayVar(&readerProps, "property", nil, "line reader property k=v: parse.key, key.separator, parse.headers, headers.delimiter, headers.separator, headers.key.separator, null.marker, ignore.error")
	fs.StringArrayVar(&producerProps, "producer-property", nil, "producer property k=v (repeatable)")
	config.register(fs, "producer.config")
	fs.StringVar(&o.RequiredAcks, "request-required-acks", "-1", "acks: -1 (all), 0 or 1; idempotence is off unless -1")
	fs.StringVar(&o.Compression, "compression-codec", "", "none, gzip, snappy, lz4 or zstd (default compression.type, none)")
	fs.BoolVar(&o.Sync, "sync", false, "wait for each record to be acknowledged before the next")
	rootCmd.AddCommand(cmd)
}
