package kclient

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
)

// ListTopicsOptions are kafka-topics --list's flags.
type ListTopicsOptions struct {
	Conn
	Topic           string // regular expression over whole names; empty lists all
	ExcludeInternal bool
	JSON            bool // a JSON array of names instead of one name per line
}

// ListTopics prints the topic names, sorted, one per line as kafka-topics does
// (or as a JSON array), so that scripts can loop over them.
func ListTopics(ctx context.Context, out io.Writer, o ListTopicsOptions) error {
	cl, m, err := openAdmin(ctx, o.Conn, "list topics")
	if err != nil {
		return err
	}
	defer cl.Close()
	names, err := selectTopics(m, o.Topic, o.ExcludeInternal, false, false)
	if err != nil {
		return err
	}
	if o.JSON {
		if names == nil {
			names = []string{}
		}
		return writeJSON(out, names)
	}
	for _, n := range names {
		if _, err := fmt.Fprintln(out, n); err != nil {
			return fmt.Errorf("write topic list: %w", err)
		}
	}
	return nil
}

// writeJSON writes v as indented JSON followed by a newline.
func writeJSON(out io.Writer, v any) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}
