package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kbridge/kbridge/kclient"
)

// metadataQuorumFlags are kafka-metadata-quorum.sh's flags. The connection flags belong
// to the quorum command, as in Kafka (kafka-metadata-quorum.sh --bootstrap-server ...
// describe --status), and are inherited by describe, so they may follow it as well.
type metadataQuorumFlags struct {
	bootstrap, bootstrapController, output string
	config                                 clientConfigFlags
	status, replication, humanReadable     bool
}

func init() {
	metadataCmd.AddCommand(metadataQuorumCmd())
}

func metadataQuorumCmd() *cobra.Command {
	f := &metadataQuorumFlags{}
	quorum := &cobra.Command{
		Use:   "quorum",
		Short: "Describe the KRaft controller quorum (like kafka-metadata-quorum.sh)",
		Example: `  kbridge metadata quorum --bootstrap-controller localhost:9093 describe --status
  kbridge metadata quorum describe --bootstrap-server localhost:9092 --replication`,
	}
	pf := quorum.PersistentFlags()
	pf.StringVar(&f.bootstrap, "bootstrap-server", "", "comma-separated host:port list of brokers, which forward to the quorum")
	pf.StringVar(&f.bootstrapController, "bootstrap-controller", "", "comma-separated host:port list of controller listeners, asked in turn until the quorum leader answers")
	f.config.register(pf, "")

	describe := &cobra.Command{
		Use:   "describe (--status | --replication [--human-readable]) [--output text|json]",
		Short: "Show the quorum's leader and high watermark, or how far each voter and observer has replicated",
		Long: `Sends DescribeQuorum for __cluster_metadata-0 and prints it in kafka-metadata-quorum's
Kafka 3.9+ format.

--status prints the cluster id (from DescribeCluster), the leader, its epoch and high
watermark, how far the most lagging voter is behind the leader (MaxFollowerLag, in
offsets) and how much earlier it was last caught up (MaxFollowerLagTimeMs), and the
voters and observers as {"id": N, "directoryId": ..., "endpoints": [...]}, the last two
only when the quorum reports them (KIP-853).

--replication prints one row per replica: the leader, the other voters (Follower) and
the brokers reading the metadata log (Observer), with each one's log end offset, its
lag behind the leader, and when it last fetched and was last caught up (Unix ms, -1
when unknown; --human-readable: "N ms ago").

With --bootstrap-controller every listed controller is asked in turn until one answers,
since only the quorum leader can; list them all. On a kbridge quorum the offsets are
Raft indexes and the high watermark is the commit index, so a caught-up replica's log
end offset equals the high watermark.`,
		Example: `  kbridge metadata quorum --bootstrap-controller localhost:9093,localhost:9094,localhost:9095 describe --status
  kbridge metadata quorum --bootstrap-server localhost:9092 describe --replication --human-readable
  kbridge metadata quorum describe --bootstrap-server localhost:9092 --status --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return f.runDescribe(cmd) },
	}
	fs := describe.Flags()
	fs.BoolVar(&f.status, "status", false, "a summary of the quorum: leader, epoch, high watermark, lag, voters and observers")
	fs.BoolVar(&f.replication, "replication", false, "each voter's and observer's log end offset, lag and fetch times")
	fs.BoolVar(&f.humanReadable, "human-readable", false, "with --replication: timestamps as time elapsed (N ms ago)")
	fs.StringVarP(&f.output, "output", "o", "text", "output format: text or json")
	quorum.AddCommand(describe)
	return quorum
}

func (f *metadataQuorumFlags) runDescribe(cmd *cobra.Command) error {
	switch {
	case f.status && f.replication:
		return errors.New("only one of --status or --replication should be specified")
	case !f.status && !f.replication:
		return errors.New("one of --status or --replication must be specified")
	case f.humanReadable && f.status:
		return errors.New("--human-readable is only supported along with --replication")
	case (f.bootstrap == "") == (f.bootstrapController == ""):
		return errors.New("exactly one of --bootstrap-server or --bootstrap-controller is required")
	}
	var asJSON bool
	switch f.output {
	case "text", "":
	case "json":
		asJSON = true
	default:
		return fmt.Errorf("--output %q: want text or json", f.output)
	}
	conn, err := f.config.conn(f.bootstrap, "", nil)
	if err != nil {
		return err
	}
	return kclient.DescribeQuorum(interruptContext(cmd), cmd.OutOrStdout(), kclient.DescribeQuorumOptions{
		Conn:                 conn,
		BootstrapControllers: f.bootstrapController,
		Replication:          f.replication,
		HumanReadable:        f.humanReadable,
		JSON:                 asJSON,
	})
}
