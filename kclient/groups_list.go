package kclient

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
)

// ListGroupsOptions are kafka-consumer-groups --list's flags.
type ListGroupsOptions struct {
	Conn
	// States, when non-nil, switches to Kafka's GROUP STATE table; a non-empty
	// list also filters on those states (comma-separated, any case).
	States []string
	JSON   bool
}

// GroupListing is one listed consumer group; it is also the --output json form.
type GroupListing struct {
	Group string `json:"group"`
	State string `json:"state"`
}

// consumerGroupStates are the states Kafka 3.9's --state accepts, in the
// order its error message lists them.
var consumerGroupStates = []string{"PreparingRebalance", "CompletingRebalance", "Stable", "Dead", "Empty", "Assigning", "Reconciling"}

// ListGroups prints the consumer group ids one per line, or with States the
// GROUP STATE table kafka-consumer-groups prints for --list --state.
func ListGroups(ctx context.Context, out io.Writer, o ListGroupsOptions) error {
	states, err := parseGroupStates(o.States)
	if err != nil {
		return err
	}
	cl, err := o.newClient(roleAdmin)
	if err != nil {
		return err
	}
	defer cl.Close()
	groups, err := listConsumerGroups(ctx, kadm.NewClient(cl), states...)
	if err != nil {
		return err
	}
	if o.JSON {
		return writeJSON(out, groups)
	}
	var b strings.Builder
	if o.States == nil {
		for _, g := range groups {
			b.WriteString(g.Group + "\n")
		}
	} else {
		writeGroupStates(&b, groups)
	}
	if _, err := io.WriteString(out, b.String()); err != nil {
		return fmt.Errorf("write group list: %w", err)
	}
	return nil
}

// writeGroupStates is Kafka 3.9's printGroupInfo: the id column is ten wider
// than the longest id (at least 15), the state column padded to 20.
func writeGroupStates(b *strings.Builder, groups []GroupListing) {
	width := 15
	for _, g := range groups {
		width = max(width, len(g.Group))
	}
	width += 10
	fmt.Fprintf(b, "%-*s %-20s\n", width, "GROUP", "STATE")
	for _, g := range groups {
		fmt.Fprintf(b, "%-*s %-20s\n", width, g.Group, g.State)
	}
}

// listConsumerGroups lists the groups Kafka's admin counts as consumer groups
// (protocol type "consumer", or none yet), sorted by id; Connect workers'
// groups are left out as listConsumerGroups leaves them out.
func listConsumerGroups(ctx context.Context, adm *kadm.Client, states ...string) ([]GroupListing, error) {
	listed, err := adm.ListGroups(ctx, states...)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	groups := []GroupListing{}
	for _, g := range listed.Sorted() {
		if g.ProtocolType == "consumer" || g.ProtocolType == "" {
			groups = append(groups, GroupListing{Group: g.Group, State: g.State})
		}
	}
	return groups, nil
}

// consumerGroupIDs resolves --group/--all-groups into the ids to act on.
func consumerGroupIDs(ctx context.Context, adm *kadm.Client, groups []string, all bool) ([]string, error) {
	if all == (len(groups) > 0) {
		return nil, fmt.Errorf("exactly one of --group or --all-groups is required")
	}
	if !all {
		return groups, nil
	}
	listed, err := listConsumerGroups(ctx, adm)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(listed))
	for i, g := range listed {
		ids[i] = g.Group
	}
	return ids, nil
}

// parseGroupStates accepts comma-separated states in any case, as Kafka's
// ConsumerGroupState.parse does, and returns their canonical spelling, which
// is what brokers compare ListGroups' StatesFilter against.
func parseGroupStates(lists []string) ([]string, error) {
	var out []string
	for _, list := range lists {
		for _, s := range splitList(list) {
			i := -1
			for j, known := range consumerGroupStates {
				if strings.EqualFold(s, known) {
					i = j
				}
			}
			if i < 0 {
				return nil, fmt.Errorf("invalid state list '%s'. Valid states are: %s", strings.Join(lists, ","), strings.Join(consumerGroupStates, ", "))
			}
			out = append(out, consumerGroupStates[i])
		}
	}
	sort.Strings(out)
	return out, nil
}
