package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kbridge/kbridge/internal/netfault"
)

func init() {
	rootCmd.AddCommand(requirePrefix(createCmd()), listCmd(), requirePrefix(cleanCmd()), sweepCmd())
}

func createCmd() *cobra.Command {
	var owner int
	cmd := &cobra.Command{
		Use:   "create --prefix P NAME:ROLES...",
		Short: "Make a layout that stays until clean removes it",
		Long: `Make a namespace "<prefix>-NAME" for each member, joined to a bridge with the clients
(the root namespace), and print each member's address. ROLES are broker, controller
and zookeeper, joined by + for a combined node; the role cuts (cut-from) use them.
The layout stays until clean removes it, or, with --owner, until a sweep finds that
process gone.`,
		Example: `  netfault create --prefix nfdemo zk:zookeeper c1:controller b1:broker b2:broker
  netfault create -p nfone node1:broker+controller
  netfault create -p nfshell --owner $$ a:broker b:broker`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var members []netfault.Member
			for _, arg := range args {
				name, roles, ok := strings.Cut(arg, ":")
				if !ok {
					return fmt.Errorf("member %q: want NAME:ROLES, e.g. b1:broker", arg)
				}
				r, err := netfault.ParseRole(roles)
				if err != nil {
					return fmt.Errorf("member %q: %w", arg, err)
				}
				members = append(members, netfault.Member{Name: name, Roles: r})
			}
			l, err := netfault.NewNamed(prefix, owner, members...)
			if err != nil {
				return err
			}
			return describe(cmd.OutOrStdout(), l)
		},
	}
	cmd.Flags().IntVar(&owner, "owner", 0, "pid of a process whose end makes the layout stale, for a sweep to remove (0: none)")
	return cmd
}

func listCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "Show every layout on this machine: owner, subnet, members and addresses",
		Example: `  netfault list
  sudo go run ./internal/netfault/cmd/netfault list`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			prefixes, err := netfault.Prefixes()
			if err != nil {
				return err
			}
			for _, p := range prefixes {
				l, err := netfault.Open(p)
				if err != nil {
					fmt.Fprintf(cmd.OutOrStdout(), "%s: %v (netfault sweep removes it)\n", p, err)
					continue
				}
				if err := describe(cmd.OutOrStdout(), l); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// describe prints a layout: its prefix and owner, then a line per member.
func describe(w io.Writer, l *netfault.Layout) error {
	owner := "none (made by netfault create)"
	if l.Owner() != 0 {
		owner = fmt.Sprintf("pid %d", l.Owner())
	}
	fmt.Fprintf(w, "%s  subnet %s  owner %s\n", l.Prefix(), l.Subnet(), owner)
	for _, m := range l.Members() {
		addr, err := l.Addr(m.Name)
		if err != nil {
			return err
		}
		ns, err := l.Namespace(m.Name)
		if err != nil {
			return err
		}
		if ns == "" {
			ns = "(root namespace)"
		}
		fmt.Fprintf(w, "  %-12s %-15s %-20s %s\n", m.Name, addr, m.Roles, ns)
	}
	return nil
}

func cleanCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "clean --prefix P",
		Short: "Remove a layout: kill what runs in it, delete its namespaces, link and rules",
		Example: `  netfault clean --prefix nfdemo
  for p in $(netfault list | awk '/^nf/ {print $1}'); do netfault clean -p "$p"; done`,
		Args: cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			return netfault.Remove(prefix)
		},
	}
}

func sweepCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "sweep",
		Short:   "Remove the layouts of test runs that died, as every new test layout does first",
		Example: `  netfault sweep`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			removed, err := netfault.Sweep()
			for _, p := range removed {
				fmt.Fprintln(cmd.OutOrStdout(), "removed", p)
			}
			return err
		},
	}
}
