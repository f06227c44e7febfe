package kclient

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
)

// DeleteGroupsOptions are kafka-consumer-groups --delete's flags.
type DeleteGroupsOptions struct {
	Conn
	Groups    []string
	AllGroups bool
}

// DeleteGroups deletes groups with DeleteGroups and prints Kafka's summary.
// Unlike Kafka, which exits 0 either way, a group that could not be deleted
// (NON_EMPTY_GROUP while it has members, GROUP_ID_NOT_FOUND) also makes the
// returned error, wrapping the first failure's Kafka error.
func DeleteGroups(ctx context.Context, out io.Writer, o DeleteGroupsOptions) error {
	cl, err := o.newClient(roleAdmin)
	if err != nil {
		return err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	ids, err := consumerGroupIDs(ctx, adm, o.Groups, o.AllGroups)
	if err != nil || len(ids) == 0 {
		return err
	}
	resps, err := adm.DeleteGroups(ctx, ids...)
	if err != nil {
		return fmt.Errorf("delete groups: %w", err)
	}
	var deleted []string
	var b strings.Builder
	var firstErr error
	for _, r := range resps.Sorted() {
		if r.Err == nil {
			deleted = append(deleted, "'"+r.Group+"'")
			continue
		}
		if firstErr == nil {
			b.WriteString("\nError: Deletion of some consumer groups failed:\n")
			firstErr = fmt.Errorf("delete group %s: %w", r.Group, kafkaErrText(r.Err, r.ErrMessage))
		}
		fmt.Fprintf(&b, "* Group '%s' could not be deleted due to: %v\n", r.Group, kafkaErrText(r.Err, r.ErrMessage))
	}
	switch {
	case firstErr == nil:
		fmt.Fprintf(&b, "Deletion of requested consumer groups (%s) was successful.\n", strings.Join(deleted, ", "))
	case len(deleted) > 0:
		fmt.Fprintf(&b, "\nThese consumer groups were deleted successfully: %s\n", strings.Join(deleted, ", "))
	}
	if _, err := io.WriteString(out, b.String()); err != nil {
		return fmt.Errorf("write delete result: %w", err)
	}
	return firstErr
}

// kafkaErrText adds a broker's error message to a kerr error, keeping it
// matchable with errors.Is; kerr's own description is used when there is none.
func kafkaErrText(err error, msg string) error {
	if msg == "" {
		return err
	}
	return fmt.Errorf("%w %s", err, msg)
}
