package kclient

import (
	"context"
	"fmt"
	"io"

	"github.com/twmb/franz-go/pkg/kadm"
)

// DeleteTopicsOptions are kafka-topics --delete's flags.
type DeleteTopicsOptions struct {
	Conn
	Topic    string // regular expression over whole names
	IfExists bool
}

// DeleteTopics deletes every selected topic. Internal topics are refused, as
// kafka-topics refuses them, because deleting __consumer_offsets or
// __transaction_state loses every group's or transaction's state.
func DeleteTopics(ctx context.Context, _ io.Writer, o DeleteTopicsOptions) error {
	if o.Topic == "" {
		return fmt.Errorf("--topic is required")
	}
	cl, m, err := openAdmin(ctx, o.Conn, "delete topics")
	if err != nil {
		return err
	}
	defer cl.Close()
	names, err := selectTopics(m, o.Topic, false, true, o.IfExists)
	if err != nil || len(names) == 0 {
		return err
	}
	for _, n := range names {
		if m.Topics[n].IsInternal {
			return fmt.Errorf("topic %s is a kafka internal topic and is not allowed to be marked for deletion", n)
		}
	}
	resps, err := kadm.NewClient(cl).DeleteTopics(ctx, names...)
	if err != nil {
		return fmt.Errorf("delete topics: %w", err)
	}
	for _, r := range resps.Sorted() {
		if r.Err != nil {
			return fmt.Errorf("delete topic %s: %w %s", r.Topic, r.Err, r.ErrMessage)
		}
	}
	return nil
}
