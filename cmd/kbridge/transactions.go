package main

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/kbridge/kbridge/kclient"
)

// transactionsFlags are kafka-transactions.sh's flags. The connection flags
// belong to the transactions command, as in Kafka (kafka-transactions.sh
// --bootstrap-server ... list), and are inherited by the subcommands, so
// they may follow them as well.
type transactionsFlags struct {
	bootstrap, output string
	config            clientConfigFlags
}

func init() {
	rootCmd.AddCommand(transactionsCmd())
}

func transactionsCmd() *cobra.Command {
	f := &transactionsFlags{}
	txns := &cobra.Command{
		Use:   "transactions",
		Short: "List and describe transactions, and find and abort hanging ones on any Kafka cluster (like kafka-transactions.sh)",
		Long: `Analyzes the transactional state of producers in the cluster, to detect and recover from
hanging transactions: transactions left open on a partition that no coordinator will ever
end, which stop read_committed consumers at the partition's last stable offset (KIP-664).`,
		Example: `  kbridge transactions --bootstrap-server localhost:9092 list
  kbridge transactions --bootstrap-server localhost:9092 find-hanging --broker-id 1
  kbridge transactions --bootstrap-server localhost:9092 abort --topic orders --partition 0 --start-offset 1042`,
	}
	pf := txns.PersistentFlags()
	addConnFlags(pf, &f.bootstrap)
	f.config.register(pf, "")
	txns.AddCommand(f.listCmd(), f.describeCmd(), f.describeProducersCmd(), f.abortCmd(), f.findHangingCmd())
	return txns
}

func (f *transactionsFlags) listCmd() *cobra.Command {
	var duration int64
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the transactional ids of every coordinator, with their producer id and state",
		Example: `  kbridge transactions --bootstrap-server localhost:9092 list
  kbridge transactions --bootstrap-server localhost:9092 list --duration-filter 600000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o := kclient.ListTransactionsOptions{DurationFilter: ifChanged(cmd, "duration-filter", &duration)}
			var err error
			if o.Conn, o.JSON, err = f.connAndOutput(); err != nil {
				return err
			}
			return kclient.ListTransactions(interruptContext(cmd), cmd.OutOrStdout(), o)
		},
	}
	cmd.Flags().Int64Var(&duration, "duration-filter", -1,
		"duration (in millis) to filter by: if < 0, all transactions will be returned; otherwise, only transactions running longer than this duration will be returned")
	f.addOutput(cmd)
	return cmd
}

func (f *transactionsFlags) describeCmd() *cobra.Command {
	var o kclient.DescribeTransactionOptions
	cmd := &cobra.Command{
		Use:     "describe",
		Short:   "Describe the state of an active transactional-id",
		Example: `  kbridge transactions --bootstrap-server localhost:9092 describe --transactional-id orders-app-0`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if o.Conn, o.JSON, err = f.connAndOutput(); err != nil {
				return err
			}
			return kclient.DescribeTransaction(interruptContext(cmd), cmd.OutOrStdout(), o)
		},
	}
	cmd.Flags().StringVar(&o.TransactionalID, "transactional-id", "", "transactional id (required)")
	f.addOutput(cmd)
	return cmd
}

func (f *transactionsFlags) describeProducersCmd() *cobra.Command {
	var (
		o                   kclient.DescribeProducersOptions
		partition, brokerID int32
	)
	cmd := &cobra.Command{
		Use:   "describe-producers",
		Short: "Describe the states of active producers for a topic partition",
		Example: `  kbridge transactions --bootstrap-server localhost:9092 describe-producers --topic orders --partition 0
  kbridge transactions --bootstrap-server localhost:9092 describe-producers --topic orders --partition 0 --broker-id 2`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Partition, o.BrokerID = ifChanged(cmd, "partition", &partition), ifChanged(cmd, "broker-id", &brokerID)
			var err error
			if o.Conn, o.JSON, err = f.connAndOutput(); err != nil {
				return err
			}
			return kclient.DescribeProducers(interruptContext(cmd), cmd.OutOrStdout(), o)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.Topic, "topic", "", "topic name (required)")
	fs.Int32Var(&partition, "partition", 0, "partition number (required)")
	fs.Int32Var(&brokerID, "broker-id", 0, "optional broker id to describe the producer state on a specific replica")
	f.addOutput(cmd)
	return cmd
}

func (f *transactionsFlags) abortCmd() *cobra.Command {
	var (
		o                kclient.AbortTransactionOptions
		partition, coord int32
		startOffset, pid int64
		epoch            int16
	)
	cmd := &cobra.Command{
		Use:   "abort",
		Short: "Abort a hanging transaction (requires administrative privileges)",
		Long: `Writes an ABORT marker for the transaction's producer to the partition's leader
(WriteTxnMarkers, which needs ClusterAction on the cluster), as Kafka's
Admin.abortTransaction does. Prints nothing on success.

For brokers on 3.0 and above only the start offset of the transaction is needed: the
producer is looked up with DescribeProducers (see find-hanging). For older brokers give
--producer-id, --producer-epoch and --coordinator-epoch instead. When --start-offset is
given the other three are ignored, as in Kafka.`,
		Example: `  kbridge transactions --bootstrap-server localhost:9092 abort --topic orders --partition 0 --start-offset 1042
  kbridge transactions --bootstrap-server localhost:9092 abort --topic orders --partition 0 --producer-id 4001 --producer-epoch 3 --coordinator-epoch 0`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Partition, o.StartOffset = ifChanged(cmd, "partition", &partition), ifChanged(cmd, "start-offset", &startOffset)
			o.ProducerID, o.ProducerEpoch = ifChanged(cmd, "producer-id", &pid), ifChanged(cmd, "producer-epoch", &epoch)
			o.CoordinatorEpoch = ifChanged(cmd, "coordinator-epoch", &coord)
			var err error
			if o.Conn, err = f.config.conn(f.bootstrap, "", nil); err != nil {
				return err
			}
			return kclient.AbortTransaction(interruptContext(cmd), o)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.Topic, "topic", "", "topic name (required)")
	fs.Int32Var(&partition, "partition", 0, "partition number (required)")
	fs.Int64Var(&startOffset, "start-offset", 0, "start offset of the transaction to abort (brokers on 3.0 and above)")
	fs.Int64Var(&pid, "producer-id", 0, "producer id (brokers older than 3.0)")
	fs.Int16Var(&epoch, "producer-epoch", 0, "producer epoch (brokers older than 3.0)")
	fs.Int32Var(&coord, "coordinator-epoch", 0, "coordinator epoch (brokers older than 3.0)")
	return cmd
}

func (f *transactionsFlags) findHangingCmd() *cobra.Command {
	var (
		o                   kclient.FindHangingOptions
		partition, brokerID int32
		maxTimeout          int32
	)
	cmd := &cobra.Command{
		Use:   "find-hanging",
		Short: "Find hanging transactions: open on a partition, but unknown to their coordinator",
		Long: `Asks the partitions' leaders (or, with --broker-id, that broker's replicas) for their
producers with an open transaction whose last write is older than --max-transaction-timeout,
then asks those producers' coordinators whether the partition is part of their current
transaction. The ones that are not will never be ended by a coordinator; each row gives the
start offset that abort --start-offset takes.`,
		Example: `  kbridge transactions --bootstrap-server localhost:9092 find-hanging --broker-id 1
  kbridge transactions --bootstrap-server localhost:9092 find-hanging --topic orders --partition 0 --max-transaction-timeout 60`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Partition, o.BrokerID = ifChanged(cmd, "partition", &partition), ifChanged(cmd, "broker-id", &brokerID)
			o.MaxTransactionTimeout = time.Duration(maxTimeout) * time.Minute
			var err error
			if o.Conn, o.JSON, err = f.connAndOutput(); err != nil {
				return err
			}
			return kclient.FindHangingTransactions(interruptContext(cmd), cmd.OutOrStdout(), o)
		},
	}
	fs := cmd.Flags()
	fs.Int32Var(&brokerID, "broker-id", 0, "broker id to search for hanging transactions")
	fs.Int32Var(&maxTimeout, "max-transaction-timeout", kclient.DefaultMaxTransactionTimeoutMinutes,
		"maximum transaction timeout in minutes to limit the scope of the search")
	fs.StringVar(&o.Topic, "topic", "", "topic name to limit search to (required if --partition is specified)")
	fs.Int32Var(&partition, "partition", 0, "partition number")
	f.addOutput(cmd)
	return cmd
}

func (f *transactionsFlags) addOutput(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&f.output, "output", "o", "text", "output format: text or json")
}

func (f *transactionsFlags) connAndOutput() (kclient.Conn, bool, error) {
	conn, err := f.config.conn(f.bootstrap, "", nil)
	if err != nil {
		return conn, false, err
	}
	json, err := outputJSON(f.output)
	return conn, json, err
}

// ifChanged is v when the flag was given and nil when not, so that the
// options tell a missing flag from its zero value as Kafka's argparse does.
func ifChanged[T any](cmd *cobra.Command, name string, v *T) *T {
	if cmd.Flags().Changed(name) {
		return v
	}
	return nil
}
