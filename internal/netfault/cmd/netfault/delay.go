package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/kbridge/kbridge/internal/netfault"
)

func init() {
	rootCmd.AddCommand(requirePrefix(delayCmd()))
}

func delayCmd() *cobra.Command {
	var jitter, duration time.Duration
	cmd := &cobra.Command{
		Use:   "delay A B DELAY [--jitter J] [--for D]",
		Short: "Delay every packet between A and B, each way, while this command runs",
		Long: `Hold every packet between A and B for DELAY (plus a uniform draw from [-J, +J], which
reorders packets) each way. The packets wait in the kernel's NFQUEUE and this process
lets each go when its time comes, so the delay lasts while the command runs: until
Ctrl-C, SIGTERM or --for has passed; then it removes the delay and lets every held
packet go. Should the process die, packets pass undelayed.`,
		Example: `  netfault delay -p nfdemo b1 b2 200ms
  netfault delay -p nfdemo b1 b2 100ms --jitter 50ms --for 2m`,
		Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			delay, err := time.ParseDuration(args[2])
			if err != nil {
				return fmt.Errorf("delay %q: %w", args[2], err)
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if duration > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, duration)
				defer cancel()
			}
			return onLayout(func(l *netfault.Layout) error {
				if err := l.Delay(args[0], args[1], delay, jitter); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "delaying %s<->%s by %v±%v; Ctrl-C ends it\n", args[0], args[1], delay, jitter)
				<-ctx.Done()
				return l.Delay(args[0], args[1], 0, 0)
			})
		},
	}
	cmd.Flags().DurationVar(&jitter, "jitter", 0, "a uniform random part added to each packet's delay, in [-jitter, +jitter]")
	cmd.Flags().DurationVar(&duration, "for", 0, "end the delay after this long (0: at Ctrl-C or SIGTERM)")
	return cmd
}
