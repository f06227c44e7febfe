package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/kbridge/kbridge/kclient"
)

// groupsFlags holds the kafka-consumer-groups flags the subcommands share.
type groupsFlags struct {
	bootstrap, output string
	config            clientConfigFlags
	groups            []string
	allGroups         bool
}

// allStates is what a bare --state means to groups list: show every state.
const allStates = "all"

func init() {
	groups := &cobra.Command{
		Use:   "groups",
		Short: "List, describe, delete and reset the offsets of consumer groups on any Kafka cluster (like kafka-consumer-groups.sh)",
		Example: `  kbridge groups list --bootstrap-server localhost:9092
  kbridge groups describe --bootstrap-server localhost:9092 --group orders-app`,
	}
	groups.AddCommand(groupsListCmd(), groupsDescribeCmd(), groupsDeleteCmd(), groupsResetOffsetsCmd(), groupsDeleteOffsetsCmd())
	rootCmd.AddCommand(groups)
}

func groupsListCmd() *cobra.Command {
	f := &groupsFlags{}
	var state string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List consumer group ids, one per line; with --state, a GROUP STATE table",
		Example: `  kbridge groups list --bootstrap-server localhost:9092
  kbridge groups list --bootstrap-server localhost:9092 --state
  kbridge groups list --bootstrap-server localhost:9092 --state Stable,Empty`,
		// --state takes an optional value, so pflag leaves "--state Stable"'s
		// value as an argument; it is taken back here.
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o := kclient.ListGroupsOptions{}
			if cmd.Flags().Changed("state") {
				if len(args) == 1 && state == allStates {
					state = args[0]
					args = nil
				}
				o.States = []string{}
				if !strings.EqualFold(state, allStates) {
					o.States = append(o.States, state)
				}
			}
			if len(args) > 0 {
				return fmt.Errorf("unexpected argument %q", args[0])
			}
			var err error
			if o.Conn, o.JSON, err = f.connAndOutput(); err != nil {
				return err
			}
			return kclient.ListGroups(interruptContext(cmd), cmd.OutOrStdout(), o)
		},
	}
	f.addConn(cmd.Flags())
	f.addOutput(cmd.Flags())
	cmd.Flags().StringVar(&state, "state", "", "show each group's state; with a comma-separated list, only groups in those states")
	cmd.Flags().Lookup("state").NoOptDefVal = allStates
	return cmd
}

func groupsDescribeCmd() *cobra.Command {
	f := &groupsFlags{}
	var o kclient.DescribeGroupsOptions
	cmd := &cobra.Command{
		Use:   "describe",
		Short: "Show a group's offsets and lag per partition, its members, or its state",
		Long: `Prints kafka-consumer-groups' views: per partition the committed offset, the log end offset
(high watermark) and the lag, with the member that owns the partition (the default, or
--offsets); the members and how many partitions each has (--members, with --verbose their
partitions); or the coordinator, assignment strategy, state and member count (--state).`,
		Example: `  kbridge groups describe --bootstrap-server localhost:9092 --group orders-app
  kbridge groups describe --bootstrap-server localhost:9092 --all-groups --members --verbose
  kbridge groups describe --bootstrap-server localhost:9092 --group orders-app --state --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if o.Conn, o.JSON, err = f.connAndOutput(); err != nil {
				return err
			}
			o.Groups, o.AllGroups = f.groups, f.allGroups
			return kclient.DescribeGroups(interruptContext(cmd), cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
		},
	}
	fs := cmd.Flags()
	f.addConn(fs)
	f.addGroups(fs, "describe")
	f.addOutput(fs)
	fs.BoolVar(&o.Offsets, "offsets", false, "per-partition offsets and lag (the default view)")
	fs.BoolVar(&o.Members, "members", false, "the group's members")
	fs.BoolVar(&o.Verbose, "verbose", false, "with --members: each member's assigned partitions")
	fs.BoolVar(&o.State, "state", false, "the group's coordinator, assignment strategy, state and member count")
	return cmd
}

func groupsDeleteCmd() *cobra.Command {
	f := &groupsFlags{}
	cmd := &cobra.Command{
		Use:     "delete",
		Short:   "Delete consumer groups that have no members, with their committed offsets",
		Example: `  kbridge groups delete --bootstrap-server localhost:9092 --group orders-app --group billing-app`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			conn, err := f.conn()
			if err != nil {
				return err
			}
			return kclient.DeleteGroups(interruptContext(cmd), cmd.OutOrStdout(),
				kclient.DeleteGroupsOptions{Conn: conn, Groups: f.groups, AllGroups: f.allGroups})
		},
	}
	f.addConn(cmd.Flags())
	f.addGroups(cmd.Flags(), "delete")
	return cmd
}

func groupsResetOffsetsCmd() *cobra.Command {
	f := &groupsFlags{}
	var (
		o                 kclient.ResetOffsetsOptions
		toOffset, shiftBy int64
		dryRun            bool
	)
	cmd := &cobra.Command{
		Use:   "reset-offsets",
		Short: "Move an inactive group's committed offsets (a dry run unless --execute)",
		Long: `Computes new committed offsets for the partitions given by --topic (topic or
topic:0,1; repeatable) or --all-topics (everything the group has committed), with exactly one
scenario, and prints them. Only with --execute are they committed. New offsets are kept
between the log start and the log end. Groups with members are refused: stop the
consumers first.`,
		Example: `  kbridge groups reset-offsets --bootstrap-server localhost:9092 --group orders-app --topic orders --to-earliest --execute
  kbridge groups reset-offsets --bootstrap-server localhost:9092 --group orders-app --topic orders:0,1 --shift-by -100
  kbridge groups reset-offsets --bootstrap-server localhost:9092 --group orders-app --all-topics --to-datetime 2024-05-01T00:00:00.000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if o.Conn, o.JSON, err = f.connAndOutput(); err != nil {
				return err
			}
			o.Groups, o.AllGroups = f.groups, f.allGroups
			if cmd.Flags().Changed("to-offset") {
				o.ToOffset = &toOffset
			}
			if cmd.Flags().Changed("shift-by") {
				o.ShiftBy = &shiftBy
			}
			if !o.Execute && !dryRun {
				fmt.Fprintln(cmd.ErrOrStderr(), kclient.ResetDryRunWarning)
			}
			return kclient.ResetOffsets(interruptContext(cmd), cmd.OutOrStdout(), o)
		},
	}
	fs := cmd.Flags()
	f.addConn(fs)
	f.addGroups(fs, "reset")
	f.addOutput(fs)
	fs.StringArrayVar(&o.Topics, "topic", nil, "topic, or topic:partition,partition, to reset (repeatable)")
	fs.BoolVar(&o.AllTopics, "all-topics", false, "reset every partition the group has committed")
	fs.BoolVar(&o.ToEarliest, "to-earliest", false, "reset to the log start offset")
	fs.BoolVar(&o.ToLatest, "to-latest", false, "reset to the log end offset")
	fs.BoolVar(&o.ToCurrent, "to-current", false, "reset to the committed offset (log end where none is committed)")
	fs.Int64Var(&toOffset, "to-offset", 0, "reset to this offset")
	fs.Int64Var(&shiftBy, "shift-by", 0, "move the committed offset by this many records (negative: back)")
	fs.StringVar(&o.ToDatetime, "to-datetime", "", "reset to the first offset at or after YYYY-MM-DDTHH:mm:SS.sss (local time unless a zone such as Z follows)")
	fs.StringVar(&o.ByDuration, "by-duration", "", "reset to the first offset at or after this long ago, as PnDTnHnMnS (e.g. PT1H)")
	fs.BoolVar(&dryRun, "dry-run", false, "only print the new offsets (the default)")
	fs.BoolVar(&o.Execute, "execute", false, "commit the new offsets")
	cmd.MarkFlagsMutuallyExclusive("dry-run", "execute")
	cmd.MarkFlagsMutuallyExclusive("topic", "all-topics")
	return cmd
}

func groupsDeleteOffsetsCmd() *cobra.Command {
	f := &groupsFlags{}
	var o kclient.DeleteGroupOffsetsOptions
	cmd := &cobra.Command{
		Use:     "delete-offsets",
		Short:   "Delete a group's committed offsets for topics it no longer consumes",
		Example: `  kbridge groups delete-offsets --bootstrap-server localhost:9092 --group orders-app --topic retired-topic`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if o.Conn, err = f.conn(); err != nil {
				return err
			}
			return kclient.DeleteGroupOffsets(interruptContext(cmd), cmd.OutOrStdout(), o)
		},
	}
	f.addConn(cmd.Flags())
	cmd.Flags().StringVar(&o.Group, "group", "", "the consumer group (required)")
	cmd.Flags().StringArrayVar(&o.Topics, "topic", nil, "topic, or topic:partition,partition (repeatable)")
	return cmd
}

func (f *groupsFlags) addConn(fs *pflag.FlagSet) {
	addConnFlags(fs, &f.bootstrap)
	f.config.register(fs, "")
}

func (f *groupsFlags) addGroups(fs *pflag.FlagSet, verb string) {
	fs.StringArrayVar(&f.groups, "group", nil, "consumer group to "+verb+" (repeatable)")
	fs.BoolVar(&f.allGroups, "all-groups", false, "every consumer group")
}

func (f *groupsFlags) addOutput(fs *pflag.FlagSet) {
	fs.StringVarP(&f.output, "output", "o", "text", "output format: text or json")
}

func (f *groupsFlags) conn() (kclient.Conn, error) {
	return f.config.conn(f.bootstrap, "", nil)
}

func (f *groupsFlags) connAndOutput() (kclient.Conn, bool, error) {
	conn, err := f.conn()
	if err != nil {
		return conn, false, err
	}
	json, err := outputJSON(f.output)
	return conn, json, err
}
