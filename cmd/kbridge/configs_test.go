package main

import (
	"slices"
	"testing"

	"github.com/spf13/pflag"
)

// TestEntityNamesKeepTheirOrder: --entity-name and --entity-default land in
// one list in command-line order ("" for the default), which ConfigCommand
// pairs with the --entity-type flags.
func TestEntityNamesKeepTheirOrder(t *testing.T) {
	var names []string
	fs := pflag.NewFlagSet("configs", pflag.ContinueOnError)
	fs.Var(entityNameValue{names: &names}, "entity-name", "")
	fs.Var(entityNameValue{names: &names, isDefault: true}, "entity-default", "")
	fs.Lookup("entity-default").NoOptDefVal = "true"
	if err := fs.Parse([]string{"--entity-default", "--entity-name", "app-1"}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"", "app-1"}; !slices.Equal(names, want) {
		t.Fatalf("names %q, want %q", names, want)
	}
}
