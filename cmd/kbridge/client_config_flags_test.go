package main

import (
	"testing"

	"github.com/spf13/cobra"
)

// TestClientCommandsTakeCommandConfig: every command that connects to a
// cluster (it has --bootstrap-server, its own or inherited) takes
// --command-config as well.
func TestClientCommandsTakeCommandConfig(t *testing.T) {
	var walk func(c *cobra.Command)
	n := 0
	walk = func(c *cobra.Command) {
		if c.Runnable() && c.Flag("bootstrap-server") != nil {
			n++
			if c.Flag("command-config") == nil {
				t.Errorf("%s has --bootstrap-server but no --command-config", c.CommandPath())
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(rootCmd)
	if n == 0 {
		t.Fatal("no client commands found")
	}
}
