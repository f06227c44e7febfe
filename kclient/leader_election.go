package kclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

// LeaderElectionOptions are kafka-leader-election.sh's flags.
type LeaderElectionOptions struct {
	Conn
	// ElectionType is PREFERRED or UNCLEAN (case-insensitive).
	ElectionType string
	// Topic and Partition name one partition; AllTopicPartitions names every one.
	Topic              string
	Partition          int32
	AllTopicPartitions bool
}

// ElectLeaders runs a leader election and prints what happened per partition in
// kafka-leader-election.sh's words. A partition that needed no election is not an
// error; any other failure makes the command fail after printing every result.
func ElectLeaders(ctx context.Context, w io.Writer, o LeaderElectionOptions) error {
	var how kadm.ElectLeadersHow
	switch strings.ToUpper(o.ElectionType) {
	case "PREFERRED":
		how = kadm.ElectPreferredReplica
	case "UNCLEAN":
		how = kadm.ElectLiveReplica
	default:
		return fmt.Errorf("--election-type must be PREFERRED or UNCLEAN, not %q", o.ElectionType)
	}
	if o.AllTopicPartitions == (o.Topic != "") {
		return errors.New("give either --topic with --partition, or --all-topic-partitions")
	}
	var set kadm.TopicsSet
	if !o.AllTopicPartitions {
		set = kadm.TopicsSet{}
		set.Add(o.Topic, o.Partition)
	}
	cl, err := o.newClient(roleAdmin)
	if err != nil {
		return err
	}
	defer cl.Close()
	results, err := kadm.NewClient(cl).ElectLeaders(ctx, how, set)
	if err != nil {
		return fmt.Errorf("elect leaders: %w", err)
	}
	var done, notNeeded []string
	failed := map[string]string{}
	for topic, parts := range results {
		for p, r := range parts {
			tp := fmt.Sprintf("%s-%d", topic, p)
			switch {
			case r.Err == nil:
				done = append(done, tp)
			case errors.Is(r.Err, kerr.ElectionNotNeeded):
				notNeeded = append(notNeeded, tp)
			default:
				msg := r.Err.Error()
				if r.ErrMessage != "" {
					msg = r.ErrMessage
				}
				failed[tp] = msg
			}
		}
	}
	sort.Strings(done)
	sort.Strings(notNeeded)
	if len(done) > 0 {
		fmt.Fprintf(w, "Successfully completed leader election (%s) for partitions %s\n", strings.ToUpper(o.ElectionType), strings.Join(done, ", "))
	}
	if len(notNeeded) > 0 {
		fmt.Fprintf(w, "Valid replica already elected for partitions %s\n", strings.Join(notNeeded, ", "))
	}
	if len(failed) > 0 {
		names := make([]string, 0, len(failed))
		for tp := range failed {
			names = append(names, tp)
		}
		sort.Strings(names)
		fmt.Fprintf(w, "Election failed for partitions %s\n", strings.Join(names, ", "))
		for _, tp := range names {
			fmt.Fprintf(w, "  %s: %s\n", tp, failed[tp])
		}
		return fmt.Errorf("leader election failed for %d partition(s)", len(failed))
	}
	return nil
}
