package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/kbridge/kbridge/internal/netfault"
)

func init() {
	rootCmd.AddCommand(requirePrefix(execCmd()))
}

func execCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "exec NAME -- COMMAND [ARGS...]",
		Short: "Run a command in a member's namespace, with this terminal",
		Long: `Run COMMAND in member NAME's network namespace (for "clients", in the root
namespace), attached to this command's standard input and output; its exit status is
this command's.`,
		Example: `  netfault exec -p nfdemo b1 -- kbridge server start b1.properties
  netfault exec -p nfdemo b1 -- ip addr`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(_ *cobra.Command, args []string) error {
			return onLayout(func(l *netfault.Layout) error {
				c, err := l.Command(args[0], args[1], args[2:]...)
				if err != nil {
					return err
				}
				c.Stdin, c.Stdout, c.Stderr = os.Stdin, os.Stdout, os.Stderr
				return c.Run()
			})
		},
	}
}
