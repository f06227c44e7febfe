package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/kbridge/kbridge/internal/netfault"
)

func init() {
	rootCmd.AddCommand(
		faultCmd("cut A B", "Drop every packet between A and B, both ways",
			"  netfault cut -p nfdemo b1 b2\n  netfault cut -p nfdemo b1 clients", 2,
			func(l *netfault.Layout, a []string) error { return l.Cut(a[0], a[1]) }),
		faultCmd("cut-one-way FROM TO", "Drop the packets from FROM to TO; TO's packets to FROM still arrive",
			"  netfault cut-one-way -p nfdemo b1 c1", 2,
			func(l *netfault.Layout, a []string) error { return l.CutOneWay(a[0], a[1]) }),
		faultCmd("isolate NAME", "Cut NAME from every other member, the clients included",
			"  netfault isolate -p nfdemo c1", 1,
			func(l *netfault.Layout, a []string) error { return l.Isolate(a[0]) }),
		faultCmd("cut-from NAME ROLES", "Cut NAME from every member with one of the roles (zookeeper, controller, broker, clients)",
			"  netfault cut-from -p nfdemo b1 zookeeper\n  netfault cut-from -p nfdemo b1 controller+clients", 2,
			func(l *netfault.Layout, a []string) error {
				r, err := netfault.ParseRole(a[1])
				if err != nil {
					return err
				}
				return l.CutFrom(a[0], r)
			}),
		faultCmd("loss A B PERCENT", "Drop PERCENT of the packets between A and B at random, each way (0 removes it)",
			"  netfault loss -p nfdemo b1 b2 5\n  netfault loss -p nfdemo b1 b2 0", 3,
			func(l *netfault.Layout, a []string) error {
				pct, err := strconv.ParseFloat(a[2], 64)
				if err != nil {
					return fmt.Errorf("percent %q: %w", a[2], err)
				}
				return l.Loss(a[0], a[1], pct)
			}),
		faultCmd("heal A B", "Remove every fault between A and B: cuts, loss and delay",
			"  netfault heal -p nfdemo b1 b2", 2,
			func(l *netfault.Layout, a []string) error { return l.Heal(a[0], a[1]) }),
		faultCmd("heal-all", "Remove every fault of the layout",
			"  netfault heal-all -p nfdemo", 0,
			func(l *netfault.Layout, _ []string) error { return l.HealAll() }),
	)
}

// faultCmd makes a command that opens the --prefix layout, applies one fault with its
// arguments and exits; the fault stays in the hub's rules.
func faultCmd(use, short, example string, nargs int, apply func(*netfault.Layout, []string) error) *cobra.Command {
	return requirePrefix(&cobra.Command{
		Use:     use,
		Short:   short,
		Example: example,
		Args:    cobra.ExactArgs(nargs),
		RunE: func(_ *cobra.Command, args []string) error {
			return onLayout(func(l *netfault.Layout) error { return apply(l, args) })
		},
	})
}
