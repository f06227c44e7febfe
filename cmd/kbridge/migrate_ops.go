package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/kbridge/kbridge/migrate"
)

func init() {
	migrateCmd.AddCommand(migrateCommitCmd(), migrateStatusCmd(), migrateFinalizeCmd(), migrateRollbackCmd())
}

// adminTimeout bounds the status and finalize calls; a commit waits for its copy.
const adminTimeout = 30 * time.Second

func migrateCommitCmd() *cobra.Command {
	var f adminFlags
	cmd := &cobra.Command{
		Use:   "commit --controller HOST:PORT [--command-config FILE]",
		Short: "Copy ZooKeeper into the metadata log and start dual-writes (asks the active controller)",
		Long: `Ask the active migration controller to run the migration: after the dry-run's preflight
finds no blocker it fences the ZooKeeper controller, copies every topic, partition, config,
quota, SCRAM credential, ACL and the producer-id block into the metadata log in one
transaction, and from then on writes every metadata change to the log and then to
ZooKeeper. The brokers move to the quorum in place once the copy reaches them.

Re-running commit is safe: on a log that already holds the copy it writes nothing. A
copy cut short by a controller failover is aborted by the next leader; commit again.
Progress is shown as a bar on a terminal, as log lines otherwise.`,
		Example: `  kbridge migrate commit --controller localhost:19091`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.controller == "" {
				return errors.New("--controller is required")
			}
			admin, err := f.client()
			if err != nil {
				return err
			}
			ctx := interruptContext(cmd)
			done := make(chan struct{})
			go showCopyProgress(ctx, cmd.ErrOrStderr(), admin, f.controller, done)
			res, err := admin.CommitMigration(ctx, f.controller)
			close(done)
			if err != nil {
				return describeAdminError(err)
			}
			out := cmd.OutOrStdout()
			if res.AlreadyCommitted {
				fmt.Fprintf(out, "The metadata log already holds the migration (offset %d); nothing was written.\n", res.Offset)
				return nil
			}
			fmt.Fprintf(out, "Copied %d records from ZooKeeper into the metadata log in %v (offset %d, epoch %d).\n",
				res.Records, res.Took.Round(time.Millisecond), res.Offset, res.Epoch)
			fmt.Fprintln(out, "Dual-write is on; follow the brokers' switch with `kbridge migrate status`.")
			return nil
		},
	}
	f.add(cmd, "host:port of a migration controller's listener (required)")
	return cmd
}

// showCopyProgress polls the status while a commit runs: a bar on a terminal, a
// line every few seconds otherwise.
func showCopyProgress(ctx context.Context, w io.Writer, admin *migrate.AdminClient, controller string, done <-chan struct{}) {
	tty := isTerminal(w)
	interval := 2 * time.Second
	if tty {
		interval = 200 * time.Millisecond
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	shown := false
	for {
		select {
		case <-done:
			if shown && tty {
				fmt.Fprintln(w)
			}
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		sctx, cancel := context.WithTimeout(ctx, interval)
		st, err := admin.MigrationStatus(sctx, controller)
		cancel()
		if err != nil || st.CopyRecordsTotal == 0 || st.Phase != migrate.PhaseMigrating {
			continue
		}
		shown = true
		if tty {
			const width = 40
			filled := width * st.CopyRecordsDone / st.CopyRecordsTotal
			fmt.Fprintf(w, "\rcopying [%s%s] %d/%d records", strings.Repeat("#", filled), strings.Repeat(".", width-filled), st.CopyRecordsDone, st.CopyRecordsTotal)
		} else {
			fmt.Fprintf(w, "copying: %d/%d records\n", st.CopyRecordsDone, st.CopyRecordsTotal)
		}
	}
}

// isTerminal tells whether w is a character device, where a redrawn bar makes sense.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func migrateStatusCmd() *cobra.Command {
	var f adminFlags
	var output string
	var watch bool
	var interval time.Duration
	cmd := &cobra.Command{
		Use:   "status --controller HOST:PORT [--command-config FILE] [--output text|json|html] [--watch [--interval 2s]]",
		Short: "Show the migration's phase, the brokers' modes, the ZooKeeper write lag and whether rollback is possible",
		Long: `Show the migration as the active controller sees it: the phase (ZK, PRE_MIGRATION,
MIGRATING, DUAL_WRITE, BROKERS_ON_KRAFT, FINALIZED) with a sub-state and its reason, the
brokers still led through ZooKeeper, those on the quorum and those not registered with it,
how far ZooKeeper is behind the metadata log, the last full reconcile, and whether a
rollback is still possible. --output html writes the controller's status page (the one
served at /migration), fetched with --command-config's credentials.

With --watch the status is shown again every --interval until Ctrl-C, which ends with
exit status 0: on a terminal the table is redrawn in place; otherwise each refresh
follows a "--- <time>" line; with --output json each refresh is one JSON object on a
line of its own. A status that cannot be read (a controller restarting) is reported and
read again at the next refresh.`,
		Example: `  kbridge migrate status --controller localhost:19091
  kbridge migrate status --controller localhost:19091 --output json
  kbridge migrate status --controller localhost:19091 --watch --interval 5s
  kbridge migrate status --controller localhost:19091 --command-config admin.properties --output html > migration.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.controller == "" {
				return errors.New("--controller is required")
			}
			switch {
			case output != "text" && output != "json" && output != "html":
				return fmt.Errorf("--output %q: want text, json or html", output)
			case output == "html" && watch:
				return errors.New("--output html writes the status page once; open /migration in a browser to watch it")
			}
			if interval <= 0 {
				return fmt.Errorf("--interval %v: want a positive duration", interval)
			}
			admin, err := f.client()
			if err != nil {
				return err
			}
			read := func(ctx context.Context) (migrate.Status, error) {
				return admin.MigrationStatus(ctx, f.controller)
			}
			if watch {
				return statusWatch{
					read: read, interval: interval, output: output, tty: isTerminal(cmd.OutOrStdout()),
					title: "kbridge migrate status --controller " + f.controller, now: time.Now,
				}.run(interruptContext(cmd), cmd.OutOrStdout(), cmd.ErrOrStderr())
			}
			ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
			defer cancel()
			if output == "html" {
				page, err := admin.MigrationStatusPage(ctx, f.controller)
				if err != nil {
					return err
				}
				_, err = cmd.OutOrStdout().Write(page)
				return err
			}
			st, err := read(ctx)
			if err != nil {
				return describeAdminError(err)
			}
			return printStatus(cmd.OutOrStdout(), st, output)
		},
	}
	f.add(cmd, "host:port of a migration controller's listener (required)")
	cmd.Flags().StringVar(&output, "output", "text", "text, json or html (the status page; not with --watch)")
	cmd.Flags().BoolVar(&watch, "watch", false, "show the status again every --interval until interrupted")
	cmd.Flags().DurationVar(&interval, "interval", defaultWatchInterval, "how often --watch refreshes")
	return cmd
}

func migrateFinalizeCmd() *cobra.Command {
	var f adminFlags
	var minSoak time.Duration
	var yes bool
	cmd := &cobra.Command{
		Use:   "finalize --controller HOST:PORT [--command-config FILE] [--min-soak DURATION] [--yes]",
		Short: "End the migration: ZooKeeper is never written again (no rollback after this)",
		Long: `Finalize the migration (POST_MIGRATION). Refused, with every reason, unless every broker
is on the quorum, no partition is under-replicated, ZooKeeper reflects the whole metadata log
and every broker has been on the quorum for --min-soak (10m unless set). When it would be
accepted, it asks you to type "yes" first (or pass --yes). After it, ZooKeeper is not
written again and the migration cannot be rolled back.`,
		Example: `  kbridge migrate finalize --controller localhost:19091
  kbridge migrate finalize --controller localhost:19091 --min-soak 1h --yes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.controller == "" {
				return errors.New("--controller is required")
			}
			admin, err := f.client()
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
			defer cancel()
			if !yes {
				if _, err := admin.FinalizeMigration(ctx, f.controller, minSoak, true); err != nil {
					return describeAdminError(err)
				}
				if err := confirmFinalize(cmd); err != nil {
					return err
				}
			}
			st, err := admin.FinalizeMigration(ctx, f.controller, minSoak, false)
			if err != nil {
				return describeAdminError(err)
			}
			return printStatus(cmd.OutOrStdout(), st, "text")
		},
	}
	f.add(cmd, "host:port of a migration controller's listener (required)")
	cmd.Flags().DurationVar(&minSoak, "min-soak", migrate.DefaultMinSoak, "how long every broker must have been on the quorum")
	cmd.Flags().BoolVar(&yes, "yes", false, "do not ask for confirmation")
	return cmd
}

// confirmFinalize asks the operator to type "yes"; anything else, or no answer (no
// terminal, end of input), cancels.
func confirmFinalize(cmd *cobra.Command) error {
	fmt.Fprint(cmd.ErrOrStderr(), "Finalizing ends the migration: ZooKeeper is never written again and the cluster cannot be rolled back.\n"+
		"Type \"yes\" to finalize: ")
	line, _ := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
	if strings.TrimSpace(line) != "yes" {
		cmd.SilenceUsage = true
		return errors.New("finalize not confirmed: nothing changed (type yes, or pass --yes)")
	}
	return nil
}

func migrateRollbackCmd() *cobra.Command {
	var f adminFlags
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "rollback --controller HOST:PORT [--command-config FILE] [--dry-run]",
		Short: "Return the cluster to ZooKeeper (until finalize): brokers back in place, /controller and /migration removed",
		Long: `Roll the migration back, as one ordered operation guarded by the controller's epochs:
ZooKeeper is brought up to the whole metadata log, /migration and the KRaft controller's
/controller are deleted in one fenced multi, the ZooKeeper brokers elect a controller of
their own, and the brokers that moved to the quorum move back to ZooKeeper in place.
Refused after finalize. --dry-run prints the steps and changes nothing.`,
		Example: `  kbridge migrate rollback --controller localhost:19091 --dry-run
  kbridge migrate rollback --controller localhost:19091`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.controller == "" {
				return errors.New("--controller is required")
			}
			admin, err := f.client()
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*adminTimeout)
			defer cancel()
			res, err := admin.RollbackMigration(ctx, f.controller, dryRun)
			if err != nil {
				return describeAdminError(err)
			}
			out := cmd.OutOrStdout()
			if !res.Done {
				fmt.Fprintln(out, "Rollback would:")
			}
			for i, step := range res.Steps {
				fmt.Fprintf(out, "  %d. %s\n", i+1, step)
			}
			if res.Done {
				fmt.Fprintf(out, "Rolled back. The quorum took no metadata writes after offset %d. ZooKeeper controller: %s.\n",
					res.FrozenAt, brokerOrNone(res.ZooKeeperController))
			}
			return nil
		},
	}
	f.add(cmd, "host:port of a migration controller's listener (required)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print the steps without taking them")
	return cmd
}

func brokerOrNone(id int32) string {
	if id < 0 {
		return "not elected yet"
	}
	return fmt.Sprintf("broker %d", id)
}

// printStatus writes a Status as text or JSON.
func printStatus(w io.Writer, st migrate.Status, output string) error {
	switch output {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	case "text":
	default:
		return fmt.Errorf("--output %q: want text or json", output)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	rollback := "no"
	if st.RollbackPossible {
		rollback = "yes"
	}
	reconcile := "never"
	if st.LastFullReconcile != nil {
		reconcile = st.LastFullReconcile.Format(time.RFC3339)
	}
	rows := [][2]string{
		{"Phase:", st.Phase},
		{"Sub-state:", st.SubState + " — " + st.Reason},
		{"Controller:", fmt.Sprintf("%d (epoch %d), driver %s", st.ControllerID, st.ControllerEpoch, st.DriverState)},
		{"Metadata log:", fmt.Sprintf("offset %d, %s", st.MetadataOffset, st.ZkMigrationState)},
		{"ZooKeeper:", zooKeeperReachable(st)},
		{"Brokers on ZooKeeper:", idList(st.BrokersOnZooKeeper)},
		{"Brokers on the quorum:", idList(st.BrokersOnQuorum)},
		{"Brokers not registered:", idList(st.BrokersNotRegistered)},
		{"ZooKeeper write lag:", fmt.Sprintf("%d offsets, %d ms (ZooKeeper at offset %d)", st.ZkWriteLagOffsets, st.ZkWriteLagMs, st.ZooKeeperOffset)},
		{"Last full reconcile:", reconcile},
		{"Under-replicated:", fmt.Sprint(st.UnderReplicated)},
		{"Rollback possible:", rollback},
	}
	if st.CopyRecordsTotal > 0 {
		rows = append(rows, [2]string{"Copy:", fmt.Sprintf("%d/%d records", st.CopyRecordsDone, st.CopyRecordsTotal)})
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\n", r[0], r[1])
	}
	return tw.Flush()
}

func idList(ids []int32) string {
	if len(ids) == 0 {
		return "none"
	}
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	return strings.Join(s, ", ")
}

// describeAdminError spells out a refusal's blockers or reasons, one per line, and
// exits 1 as a dry-run with a blocker does.
func describeAdminError(err error) error {
	var ae *migrate.AdminError
	if !errors.As(err, &ae) || (len(ae.Blockers) == 0 && len(ae.Reasons) == 0) {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "controller %s refused:", ae.Controller)
	for _, f := range ae.Blockers {
		fmt.Fprintf(&b, "\n  [%s] %s\n    fix: %s", f.Code, f.Message, f.Fix)
	}
	for _, r := range ae.Reasons {
		fmt.Fprintf(&b, "\n  - %s", r)
	}
	return &exitError{code: migrate.ExitBlocked, err: errors.New(b.String())}
}

// zooKeeperReachable says whether the status could read ZooKeeper, and why not.
func zooKeeperReachable(st migrate.Status) string {
	if st.ZooKeeperError == "" {
		return "reachable"
	}
	return "unreachable, showing what was last read: " + st.ZooKeeperError
}
