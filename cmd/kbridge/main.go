// Command kbridge is a Kafka-compatible broker that runs in ZooKeeper or KRaft mode and
// migrates a live cluster from one to the other, plus the client commands operators use.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// rootCmd is the top of the command tree; each file of this package adds its commands
// in an init function so that a command and its flags live together.
var rootCmd = &cobra.Command{
	Use:           "kbridge",
	Short:         "A Kafka-compatible broker for ZooKeeper and KRaft mode, and the migration between them",
	SilenceUsage:  true,
	SilenceErrors: true,
	Example: `  kbridge server start examples/kraft/server.properties
  kbridge topics create --bootstrap-server localhost:9092 --topic test-topic --partitions 3`,
}

func main() {
	if err := rootCmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "kbridge:", err)
		os.Exit(exitCode(err))
	}
}

// exitCode is the process status for a command's error: the one it carries (an
// ExitCode method, as migrate dry-run's blocker and unreadable errors have), 1 otherwise.
func exitCode(err error) int {
	var coded interface{ ExitCode() int }
	if errors.As(err, &coded) {
		return coded.ExitCode()
	}
	return 1
}
