package main

import (
	"github.com/spf13/cobra"

	"github.com/kbridge/kbridge/kclient"
)

func init() {
	var bootstrap, commandConfig string
	o := kclient.LeaderElectionOptions{}
	cmd := &cobra.Command{
		Use:   "leader-election",
		Short: "Move partition leadership back to preferred replicas, or elect an unclean leader (like kafka-leader-election.sh)",
		Example: `  kbridge leader-election --bootstrap-server localhost:9092 --election-type PREFERRED --all-topic-partitions
  kbridge leader-election --bootstrap-server localhost:9092 --election-type UNCLEAN --topic orders --partition 0`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			props, err := kclient.ClientProperties(commandConfig, nil)
			if err != nil {
				return err
			}
			o.Conn = kclient.Conn{BootstrapServers: bootstrap, Properties: props}
			return kclient.ElectLeaders(cmd.Context(), cmd.OutOrStdout(), o)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&bootstrap, "bootstrap-server", "", "broker address(es) to connect to, host:port[,host:port]")
	fs.StringVar(&commandConfig, "admin.config", "", "client properties file (security.protocol, sasl.*, ...)")
	fs.StringVar(&o.ElectionType, "election-type", "", "PREFERRED or UNCLEAN")
	fs.StringVar(&o.Topic, "topic", "", "the topic of the one partition to elect")
	fs.Int32Var(&o.Partition, "partition", 0, "the partition of --topic")
	fs.BoolVar(&o.AllTopicPartitions, "all-topic-partitions", false, "elect every partition")
	_ = cmd.MarkFlagRequired("bootstrap-server")
	_ = cmd.MarkFlagRequired("election-type")
	rootCmd.AddCommand(cmd)
}
