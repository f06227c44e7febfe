package main

import (
	"github.com/spf13/cobra"

	"github.com/kbridge/kbridge/kclient"
)

func init() {
	var (
		bootstrap string
		config    clientConfigFlags
	)
	o := kclient.LeaderElectionOptions{}
	cmd := &cobra.Command{
		Use:   "leader-election",
		Short: "Move partition leadership back to preferred replicas, or elect an unclean leader (like kafka-leader-election.sh)",
		Example: `  kbridge leader-election --bootstrap-server localhost:9092 --election-type PREFERRED --all-topic-partitions
  kbridge leader-election --bootstrap-server localhost:9092 --election-type UNCLEAN --topic orders --partition 0`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if o.Conn, err = config.conn(bootstrap, "", nil); err != nil {
				return err
			}
			return kclient.ElectLeaders(cmd.Context(), cmd.OutOrStdout(), o)
		},
	}
	fs := cmd.Flags()
	addConnFlags(fs, &bootstrap)
	config.register(fs, "admin.config")
	fs.StringVar(&o.ElectionType, "election-type", "", "PREFERRED or UNCLEAN")
	fs.StringVar(&o.Topic, "topic", "", "the topic of the one partition to elect")
	fs.Int32Var(&o.Partition, "partition", 0, "the partition of --topic")
	fs.BoolVar(&o.AllTopicPartitions, "all-topic-partitions", false, "elect every partition")
	_ = cmd.MarkFlagRequired("bootstrap-server")
	_ = cmd.MarkFlagRequired("election-type")
	rootCmd.AddCommand(cmd)
}
