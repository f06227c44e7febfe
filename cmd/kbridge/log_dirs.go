package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/kbridge/kbridge/broker"
	"github.com/kbridge/kbridge/config"
)

func init() {
	logDirs := &cobra.Command{
		Use:   "log-dirs",
		Short: "Inspect a broker's log directories",
	}
	strays := &cobra.Command{
		Use:   "strays",
		Short: "List and delete stray partition logs: logs the metadata did not assign to the broker, kept instead of deleted",
		Long: `A broker keeps a partition log its metadata does not assign to it as a stray, renamed
<topic>-<partition>.<id>-stray, instead of deleting it: at start-up, and when a migration
switches it between ZooKeeper and the KRaft quorum. Strays are never served; look at
them, and delete them once you know their data is not needed.`,
	}

	var listFile, output string
	list := &cobra.Command{
		Use:   "list -c server.properties",
		Short: "List the stray logs in the broker's log.dirs",
		Example: `  kbridge log-dirs strays list -c server.properties
  kbridge log-dirs strays list -c server.properties --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			found, err := strayLogs(listFile)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			switch output {
			case "json":
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if found == nil {
					found = []broker.StrayLog{}
				}
				return enc.Encode(found)
			case "text":
			default:
				return fmt.Errorf("--output %q: want text or json", output)
			}
			if len(found) == 0 {
				fmt.Fprintln(out, "No stray logs.")
				return nil
			}
			w := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
			fmt.Fprintln(w, "TOPIC\tPARTITION\tTOPIC ID\tBYTES\tSTRAY SINCE\tPATH")
			for _, s := range found {
				fmt.Fprintf(w, "%s\t%d\t%s\t%d\t%s\t%s\n", s.Topic, s.Partition, s.TopicID, s.Bytes, s.Since.Format(time.RFC3339), s.Path)
			}
			return w.Flush()
		},
	}
	list.Flags().StringVarP(&listFile, "config", "c", "", "the broker's server.properties")
	list.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	list.MarkFlagRequired("config")

	var deleteFile string
	var paths []string
	var all bool
	del := &cobra.Command{
		Use:   "delete -c server.properties (--path DIR ... | --all)",
		Short: "Delete stray logs, named by path or all of them",
		Example: `  kbridge log-dirs strays delete -c server.properties --path /var/lib/kafka/orders-0.0f3c…-stray
  kbridge log-dirs strays delete -c server.properties --all`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if all == (len(paths) > 0) {
				return fmt.Errorf("name the strays to delete with --path, or pass --all")
			}
			found, err := strayLogs(deleteFile)
			if err != nil {
				return err
			}
			var known []string
			for _, s := range found {
				known = append(known, s.Path)
			}
			targets := known
			if !all {
				for _, p := range paths {
					if !slices.Contains(known, p) {
						return fmt.Errorf("%s is not a stray log in the log.dirs of %s (kbridge log-dirs strays list shows them)", p, deleteFile)
					}
				}
				targets = paths
			}
			for _, p := range targets {
				if err := broker.DeleteStrayLog(p); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "Deleted %s\n", p)
			}
			return nil
		},
	}
	del.Flags().StringVarP(&deleteFile, "config", "c", "", "the broker's server.properties")
	del.Flags().StringArrayVar(&paths, "path", nil, "a stray log directory, as list shows it (repeatable)")
	del.Flags().BoolVar(&all, "all", false, "delete every stray log")
	del.MarkFlagRequired("config")

	strays.AddCommand(list, del)
	logDirs.AddCommand(strays)
	rootCmd.AddCommand(logDirs)
}

// strayLogs lists the stray logs in the log.dirs of a broker's config file.
func strayLogs(cfgFile string) ([]broker.StrayLog, error) {
	cfg, err := config.Load(cfgFile, nil)
	if err != nil {
		return nil, err
	}
	return broker.ListStrayLogs(cfg.LogDirs)
}
