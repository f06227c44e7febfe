package main

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"github.com/kbridge/kbridge/kraftmode"
)

// metadataCmd groups the KRaft metadata tools. It is a package-level variable, not
// built in init, so that other files' init functions can add subcommands to it
// whatever order the inits run in.
var metadataCmd = &cobra.Command{
	Use:   "metadata",
	Short: "Inspect KRaft metadata: the controller quorum's log and snapshots",
	Example: `  kbridge metadata dump --dir /var/lib/kbridge/__cluster_metadata-0
  kbridge metadata dump --dir /var/lib/kbridge/__cluster_metadata-0 --image`,
}

func init() {
	metadataCmd.AddCommand(metadataDumpCmd())
	rootCmd.AddCommand(metadataCmd)
}

func metadataDumpCmd() *cobra.Command {
	var dir, output string
	var image bool
	var lastIndex uint64
	cmd := &cobra.Command{
		Use:   "dump --dir DIR [--output text|json] [--image]",
		Short: "Decode a stopped controller's metadata snapshots and log offline",
		Long: `Decode a controller's __cluster_metadata-0 directory (under metadata.log.dir) offline
and read-only, like kafka-dump-log --cluster-metadata-decoder: every snapshot, newest
first, then every Raft log entry in index order, one line per metadata record. A
record's offset is the Raft index of the entry (or snapshot) holding it.

The node must be stopped: a running node locks raft.db. To inspect a running node,
copy the directory and dump the copy.

--image prints instead the metadata image a restart would rebuild (newest loadable
snapshot plus the later log entries) as one JSON record per line, in snapshot order
and without indices, terms or timestamps, so the output of two controllers that agree
is byte-for-byte identical. --last-index stops the image at a Raft index, to compare
controllers whose logs end at different places (the first line of the records dump
says where each log ends).`,
		Example: `  kbridge metadata dump --dir /tmp/kraft-combined-logs/__cluster_metadata-0
  kbridge metadata dump --dir /tmp/kraft-combined-logs/__cluster_metadata-0 --output json | jq .record.type
  diff <(kbridge metadata dump --dir c1/__cluster_metadata-0 --image) \
       <(kbridge metadata dump --dir c2/__cluster_metadata-0 --image)`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts := kraftmode.DumpOptions{
				Image:     image,
				LastIndex: lastIndex,
				Logger:    slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
			}
			switch output {
			case "text":
				opts.Format = kraftmode.DumpText
			case "json":
				opts.Format = kraftmode.DumpJSON
			default:
				return fmt.Errorf("--output %q: want text or json", output)
			}
			if err := kraftmode.Dump(dir, cmd.OutOrStdout(), opts); err != nil {
				return fmt.Errorf("metadata dump: %w", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "the node's metadata directory: <metadata.log.dir>/__cluster_metadata-0")
	cmd.Flags().StringVar(&output, "output", "text", "record format: text (kafka-dump-log style) or json (one object per line); --image is always json")
	cmd.Flags().BoolVar(&image, "image", false, "print the rebuilt metadata image as JSON records instead of the stored records")
	cmd.Flags().Uint64Var(&lastIndex, "last-index", 0, "with --image: rebuild the image as of this Raft index (0: the whole log)")
	cmd.MarkFlagRequired("dir")
	return cmd
}
