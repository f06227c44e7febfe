// Command netfault is the developer's hand on internal/netfault: make a layout of
// network namespaces, break and mend its links by name while something runs in it,
// and clean up. It is not part of kbridge's command tree, which is for users:
//
//	go run ./internal/netfault/cmd/netfault --help
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"

	"github.com/spf13/cobra"

	"github.com/kbridge/kbridge/internal/netfault"
)

// rootCmd is the top of the tree; each file adds its commands in an init function.
var rootCmd = &cobra.Command{
	Use:   "netfault",
	Short: "Put hosts in network namespaces and cut, slow or drop the links between them",
	Long: `netfault makes a layout: one network namespace per member on a bridge of its own,
the clients being the root namespace. Its commands then cut, heal, isolate, delay and
drop packets between members by name, on a layout made here (create) or on a running
test's (its prefix is in "netfault list"). Every command needs root.`,
	SilenceUsage:  true,
	SilenceErrors: true,
	Example: `  netfault create --prefix nfdemo zk:zookeeper broker1:broker broker2:broker
  netfault cut --prefix nfdemo broker1 zk
  netfault clean --prefix nfdemo`,
}

// prefix is the layout every command but list and sweep acts on.
var prefix string

// requirePrefix adds the --prefix flag to a command.
func requirePrefix(cmd *cobra.Command) *cobra.Command {
	cmd.Flags().StringVarP(&prefix, "prefix", "p", "", "the layout's prefix (nf followed by letters and digits)")
	cmd.MarkFlagRequired("prefix")
	return cmd
}

// onLayout runs fn on the --prefix layout and closes it.
func onLayout(fn func(*netfault.Layout) error) error {
	l, err := netfault.Open(prefix)
	if err != nil {
		return err
	}
	return errors.Join(fn(l), l.Close())
}

func main() {
	if err := rootCmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "netfault:", err)
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			os.Exit(exit.ExitCode())
		}
		os.Exit(1)
	}
}
