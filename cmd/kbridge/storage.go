package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kbridge/kbridge/config"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/node"
)

func init() {
	storageCmd := &cobra.Command{
		Use:   "storage",
		Short: "Format and inspect a KRaft node's data directories (like kafka-storage.sh)",
	}
	storageCmd.AddCommand(&cobra.Command{
		Use:     "random-uuid",
		Short:   "Print a new random cluster id",
		Example: `  kbridge storage format -t $(kbridge storage random-uuid) -c server.properties`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), metadata.RandomUuid().String())
			return nil
		},
	})

	var clusterID, cfgFile string
	var ignore bool
	var addScram []string
	format := &cobra.Command{
		Use:   "format -t CLUSTER_ID -c server.properties",
		Short: "Write meta.properties and the bootstrap metadata to every data directory",
		Example: `  KAFKA_CLUSTER_ID="$(kbridge storage random-uuid)"
  kbridge storage format -t "$KAFKA_CLUSTER_ID" -c examples/kraft/server.properties
  kbridge storage format -t "$KAFKA_CLUSTER_ID" -c server.properties \
    --add-scram 'SCRAM-SHA-512=[name=admin,password=admin-secret]'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(cfgFile, nil)
			if err != nil {
				return err
			}
			var bootstrap []metadata.Record
			for _, spec := range addScram {
				rec, err := parseAddScram(spec)
				if err != nil {
					return err
				}
				bootstrap = append(bootstrap, rec)
			}
			results, err := node.Format(cfg, clusterID, ignore, bootstrap...)
			for _, r := range results {
				if r.Skipped {
					fmt.Fprintf(cmd.OutOrStdout(), "Log directory %s is already formatted. Skipping.\n", r.Dir)
				} else {
					fmt.Fprintf(cmd.OutOrStdout(), "Formatting %s with metadata.version %d.\n", r.Dir, metadata.MetadataVersionLatest)
				}
			}
			return err
		},
	}
	format.Flags().StringVarP(&clusterID, "cluster-id", "t", "", "the cluster id (kbridge storage random-uuid makes one)")
	format.Flags().StringVarP(&cfgFile, "config", "c", "", "the node's server.properties")
	format.Flags().BoolVarP(&ignore, "ignore-formatted", "g", false, "skip directories that are already formatted instead of failing")
	format.Flags().StringArrayVarP(&addScram, "add-scram", "S", nil,
		"a SCRAM user the cluster starts with, as Kafka's --add-scram: 'SCRAM-SHA-512=[name=alice,password=alice-secret]' (repeatable; optional salt=BASE64, iterations=4096..16384)")
	format.MarkFlagRequired("cluster-id")
	format.MarkFlagRequired("config")
	storageCmd.AddCommand(format)

	var infoFile string
	info := &cobra.Command{
		Use:     "info -c server.properties",
		Short:   "Show the meta.properties of every data directory",
		Example: `  kbridge storage info -c examples/kraft/server.properties`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(infoFile, nil)
			if err != nil {
				return err
			}
			return printStorageInfo(cmd, cfg)
		},
	}
	info.Flags().StringVarP(&infoFile, "config", "c", "", "the node's server.properties")
	info.MarkFlagRequired("config")
	storageCmd.AddCommand(info)
	rootCmd.AddCommand(storageCmd)
}

func printStorageInfo(cmd *cobra.Command, cfg *config.Config) error {
	out := cmd.OutOrStdout()
	unformatted := 0
	dirs := node.DataDirs(cfg)
	for _, dir := range dirs {
		mp, err := config.ReadMetaProperties(dir)
		if err != nil {
			unformatted++
			fmt.Fprintf(out, "%s: not formatted (%v)\n", dir, err)
			continue
		}
		fmt.Fprintf(out, "%s: version=%d cluster.id=%s node.id=%d directory.id=%s\n",
			dir, mp.Version, mp.ClusterID, mp.NodeID, mp.DirectoryID)
	}
	if unformatted > 0 {
		cmd.SilenceUsage = true
		return fmt.Errorf("%d of %d directories are not formatted", unformatted, len(dirs))
	}
	return nil
}
