package main

import (
	"io"
	"testing"
)

// TestTransactionsFlagsReachTheirChecks runs kbridge transactions command
// lines that fail Kafka's flag checks before anything is dialed: the
// connection flags work before the subcommand (Kafka's spelling) and after
// it, and each optional flag given on the command line reaches the options
// as given, unset ones as absent.
func TestTransactionsFlagsReachTheirChecks(t *testing.T) {
	const bootstrap = "127.0.0.1:1"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--bootstrap-server", bootstrap, "abort", "--topic", "t"}, "argument --partition is required"},
		{[]string{"abort", "--bootstrap-server", bootstrap, "--partition", "0"}, "argument --topic is required"},
		{[]string{"abort", "--bootstrap-server", bootstrap, "--topic", "t", "--partition", "0", "--producer-epoch", "1"},
			"The transaction to abort must be identified either with --start-offset (for brokers on 3.0 or above) or with --producer-id, --producer-epoch, and --coordinator-epoch (for older brokers)"},
		{[]string{"abort", "--bootstrap-server", bootstrap, "--topic", "t", "--partition", "0", "--producer-id", "0"},
			"Missing required argument --producer-epoch"},
		{[]string{"abort", "--bootstrap-server", bootstrap, "--topic", "t", "--partition", "0", "--producer-id", "7", "--producer-epoch", "0"},
			"Missing required argument --coordinator-epoch"},
		{[]string{"--bootstrap-server", bootstrap, "find-hanging"},
			"The `find-hanging` command requires either --topic or --broker-id to limit the scope of the search"},
		{[]string{"--bootstrap-server", bootstrap, "find-hanging", "--broker-id", "0", "--partition", "0"},
			"The --partition argument requires --topic to be provided"},
		{[]string{"--bootstrap-server", bootstrap, "describe-producers", "--topic", "t"}, "argument --partition is required"},
		{[]string{"--bootstrap-server", bootstrap, "describe"}, "argument --transactional-id is required"},
		{[]string{"--bootstrap-server", bootstrap, "list", "--output", "yaml"}, `--output "yaml": want text or json`},
	} {
		cmd := transactionsCmd()
		cmd.SetArgs(tc.args)
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		cmd.SilenceUsage = true
		err := cmd.Execute()
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q: error %v, want %q", tc.args, err, tc.want)
		}
	}
}

// TestFindHangingDefaultTimeout: --max-transaction-timeout is in minutes
// and defaults to Kafka's 15.
func TestFindHangingDefaultTimeout(t *testing.T) {
	for _, sub := range transactionsCmd().Commands() {
		if sub.Name() == "find-hanging" {
			if got := sub.Flags().Lookup("max-transaction-timeout").DefValue; got != "15" {
				t.Fatalf("--max-transaction-timeout defaults to %s, want 15", got)
			}
			return
		}
	}
	t.Fatal("no find-hanging command")
}
