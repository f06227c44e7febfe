package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/kbridge/kbridge/migrate"
)

// migrateCmd groups the ZooKeeper → KRaft migration commands (KIP-866). It is a
// package-level variable, not built in init, so that each subcommand's file can add
// itself in its own init whatever order the inits run in.
var migrateCmd = &cobra.Command{
	Use:   "migrate",
	Short: "Migrate a ZooKeeper-mode cluster to KRaft in place (KIP-866)",
	Long: `Take a live ZooKeeper-mode cluster to a KRaft controller quorum: check it first (dry-run),
copy its metadata into the metadata log, keep ZooKeeper in step while a rollback is still
possible, and finalize.

Start the migration controllers (process.roles=controller, zookeeper.metadata.migration.enable=true,
formatted with ZooKeeper's /cluster/id) before running the commands that take --controller.`,
	Example: `  kbridge migrate dry-run --zookeeper zk1:2181,zk2:2181/kafka
  kbridge migrate dry-run --zookeeper zk1:2181/kafka --controller controller1:9093 --output json`,
}

func init() {
	migrateCmd.AddCommand(migrateDryRunCmd())
	rootCmd.AddCommand(migrateCmd)
}

// exitError ends the process with a status that means something to scripts (see
// exitCode in main.go).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// ExitCode is the process exit status.
func (e *exitError) ExitCode() int { return e.code }

// unreadable marks an error that kept the dry-run from checking anything.
func unreadable(err error) error { return &exitError{code: migrate.ExitUnreadable, err: err} }

func migrateDryRunCmd() *cobra.Command {
	var opts migrate.DryRunOptions
	var f adminFlags
	var output string
	var verbose bool
	cmd := &cobra.Command{
		Use:   "dry-run --zookeeper HOST:PORT[/chroot] [--controller HOST:PORT [--command-config FILE]] [--output text|json]",
		Short: "Read-only preflight: what a migration would copy, and what stands in its way",
		Long: `Read the cluster's ZooKeeper tree and, with --controller, the migration quorum's metadata log,
and print:

  - the plan: brokers, topics, partitions, topic and broker configs, client quotas, SCRAM
    users, ACLs, delegation tokens, the producer-id block and pending deletions, each
    counted, and the metadata records, controller writes (batches) and transactions
    the copy takes;
  - findings, each with a stable code, a severity (blocker, warning, info), the entities
    concerned and a fix: topics without a topic_id, controller ids colliding with broker
    ids, a cluster id mismatch, a leftover or malformed /migration, a metadata log that
    is not empty or not in PRE_MIGRATION, brokers not registered with the quorum, log
    dirs, IBP and metadata.version, pending deletions, an interrupted copy.

Once the metadata log says the migration already ran (MIGRATION or POST_MIGRATION),
ZooKeeper is compared with the log entity by entity instead, and each difference is a
ZK_KRAFT_DIFF finding.

Nothing is written, to ZooKeeper or to the quorum. Exit status: 0 ready (no blocker),
1 at least one blocker, 2 the check could not run (ZooKeeper or the controller
unreachable, a znode that does not decode, bad arguments).`,
		Example: `  kbridge migrate dry-run --zookeeper localhost:2181/kafka
  kbridge migrate dry-run --zookeeper zk1:2181,zk2:2181,zk3:2181/kafka --controller controller1:9093
  kbridge migrate dry-run --zookeeper localhost:2181 --controller localhost:9093 --output json | jq '.findings[] | select(.severity == "blocker")'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.ZooKeeper == "" {
				return unreadable(errors.New("--zookeeper is required"))
			}
			if output != "text" && output != "json" {
				return unreadable(fmt.Errorf("--output %q: want text or json", output))
			}
			level := slog.LevelWarn
			if verbose {
				level = slog.LevelInfo
			}
			opts.Logger = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
			admin, err := f.client()
			if err != nil {
				return unreadable(err)
			}
			opts.Controller, opts.Admin = f.controller, admin
			report, err := migrate.DryRun(interruptContext(cmd), opts)
			if err != nil {
				return unreadable(err)
			}
			if output == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				if err := enc.Encode(report); err != nil {
					return err
				}
			} else if err := writeDryRunText(cmd.OutOrStdout(), report); err != nil {
				return err
			}
			if !report.Ready {
				return &exitError{code: report.ExitCode(), err: fmt.Errorf("%s: the cluster is not ready to migrate", plural(report.Blockers(), "blocker"))}
			}
			return nil
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return unreadable(err) })
	fs := cmd.Flags()
	fs.StringVar(&opts.ZooKeeper, "zookeeper", "", "the brokers' zookeeper.connect: host:port[,host:port...][/chroot]")
	f.add(cmd, "host:port of a migration controller's listener, to check the quorum and its metadata log")
	fs.StringVarP(&output, "output", "o", "text", "output format: text or json")
	fs.DurationVar(&opts.ConnectTimeout, "timeout", 18*time.Second, "how long to wait for a ZooKeeper session and for the controller's answer")
	fs.BoolVarP(&verbose, "verbose", "v", false, "log progress to stderr")
	return cmd
}

// writeDryRunText prints the report for a human: where it looked, the plan as a
// table, the findings most serious first with their fixes, and the verdict.
func writeDryRunText(out io.Writer, r *migrate.Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "ZooKeeper  %s  cluster id %s\n", r.ZooKeeper, orDash(r.ClusterID))
	if q := r.Quorum; q != nil {
		offset := "empty"
		if q.MetadataOffset >= 0 {
			offset = "offset " + strconv.FormatInt(q.MetadataOffset, 10)
		}
		fmt.Fprintf(&b, "Quorum     %s  controller %d, leader %d, voters %s; metadata log %s, %s, metadata.version %d, cluster id %s\n",
			q.Controller, q.NodeID, q.LeaderID, joinInt32(q.VoterIDs), offset, *r.MigrationState, q.MetadataVersion, orDash(q.ClusterID))
	} else {
		b.WriteString("Quorum     not checked (no --controller)\n")
	}

	b.WriteString("\nPlan\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	p := r.Plan
	row := func(name string, n any, detail string) { fmt.Fprintf(tw, "  %s\t%v\t%s\n", name, n, detail) }
	row("Brokers (/brokers/ids)", p.Brokers, joinInt32(p.BrokerIDs))
	row("Topics", p.Topics, "")
	row("Partitions", p.Partitions, "")
	row("Topic configs", p.TopicConfigs, "topics with overrides")
	row("Broker configs", p.BrokerConfigs, "entities, <default> included")
	row("Client quotas", p.ClientQuotas, "entities")
	row("SCRAM users", p.ScramUsers, plural(p.ScramCredentials, "credential"))
	row("ACLs", p.ACLs, "entries")
	row("Delegation tokens", p.DelegationTokens, "")
	if blk := p.ProducerIDBlock; blk != nil {
		row("Producer-id block", "yes", fmt.Sprintf("next id %d, last block to broker %d", blk.NextProducerID, blk.BrokerID))
	} else {
		row("Producer-id block", "no", "")
	}
	row("Pending deletions", len(p.PendingDeletions), strings.Join(p.PendingDeletions, ", "))
	if p.Records != nil && p.Batches != nil {
		row("Metadata records", *p.Records, "")
		row("Controller writes", *p.Batches, "batches")
	} else {
		row("Metadata records", "-", "unknown until every topic has a topic_id")
		row("Controller writes", "-", "")
	}
	row("Transactions", p.Transactions, "")
	if err := tw.Flush(); err != nil {
		return err
	}

	if d := r.Diff; d != nil {
		fmt.Fprintf(&b, "\nZooKeeper vs metadata log: %s (topics %d, partitions %d, configs %d, quotas %d, SCRAM %d, ACLs %d, producer ids %d)\n",
			plural(d.Total, "difference"), d.Topics, d.Partitions, d.Configs, d.Quotas, d.Scram, d.ACLs, d.ProducerIDs)
	}

	counts := map[migrate.Severity]int{}
	for _, f := range r.Findings {
		counts[f.Severity]++
	}
	fmt.Fprintf(&b, "\nFindings: %s, %s, %d info\n", plural(counts[migrate.SeverityBlocker], "blocker"),
		plural(counts[migrate.SeverityWarning], "warning"), counts[migrate.SeverityInfo])
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "  %-7s  %s\n           %s\n", strings.ToUpper(string(f.Severity)), f.Code, f.Message)
		if f.Fix != "" {
			fmt.Fprintf(&b, "           Fix: %s\n", f.Fix)
		}
	}

	if r.Ready {
		b.WriteString("\nReady: yes, no blocker\n")
	} else {
		fmt.Fprintf(&b, "\nReady: no, %s\n", plural(r.Blockers(), "blocker"))
	}
	_, err := io.WriteString(out, b.String())
	return err
}

// plural is "1 blocker", "2 blockers".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func joinInt32(ids []int32) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.Itoa(int(id))
	}
	return strings.Join(parts, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
