package kclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

// DeleteGroupOffsetsOptions are kafka-consumer-groups --delete-offsets' flags.
type DeleteGroupOffsetsOptions struct {
	Conn
	Group  string
	Topics []string // "orders" (all partitions) or "orders:0,1"
}

// DeleteGroupOffsets removes committed offsets with OffsetDelete (KIP-496)
// and prints Kafka 3.9's summary line and TOPIC PARTITION STATUS table. The
// broker refuses while members are subscribed to a topic, so a running group
// cannot lose its position underneath itself; any failure is also returned.
func DeleteGroupOffsets(ctx context.Context, out io.Writer, o DeleteGroupOffsetsOptions) error {
	if o.Group == "" || len(o.Topics) == 0 {
		return errors.New("--group and --topic are required")
	}
	cl, meta, err := openAdmin(ctx, o.Conn, "delete offsets")
	if err != nil {
		return err
	}
	defer cl.Close()
	status := make(map[topicPartition]error)
	set := make(kadm.TopicsSet)
	for _, arg := range o.Topics {
		spec, err := parseTopicSpec(arg)
		if err != nil {
			return err
		}
		if spec.Partitions == nil {
			t, ok := meta.Topics[spec.Topic]
			if !ok {
				status[topicPartition{Topic: spec.Topic, Partition: -1}] = kerr.UnknownTopicOrPartition
				continue
			}
			for _, p := range t.Partitions {
				spec.Partitions = append(spec.Partitions, p.Partition)
			}
		}
		set.Add(spec.Topic, spec.Partitions...)
	}
	resps, err := kadm.NewClient(cl).DeleteOffsets(ctx, o.Group, set)
	var top *kerr.Error
	if err != nil && !errors.As(err, &top) {
		return fmt.Errorf("delete offsets of group %s: %w", o.Group, err)
	}
	for _, tp := range set.Sorted() {
		for _, p := range tp.Partitions {
			key := topicPartition{Topic: tp.Topic, Partition: p}
			status[key] = err
			if err == nil {
				status[key], _ = resps.Lookup(tp.Topic, p)
			}
		}
	}
	tps := make([]topicPartition, 0, len(status))
	for tp := range status {
		tps = append(tps, tp)
	}
	sortPartitions(tps)
	var firstErr error
	for _, tp := range tps {
		if firstErr = status[tp]; firstErr != nil {
			break
		}
	}
	var b strings.Builder
	switch {
	case top != nil:
		b.WriteString("\nError: " + deleteOffsetsTopError(top, o.Group) + "\n")
	case firstErr != nil:
		b.WriteString("\nError: Encounter some partition level error, see the follow-up details:\n")
	default:
		fmt.Fprintf(&b, "Request succeed for deleting offsets with topic %s group %s\n", strings.Join(o.Topics, ", "), o.Group)
	}
	writeDeleteOffsetsTable(&b, tps, status)
	if _, err := io.WriteString(out, b.String()); err != nil {
		return fmt.Errorf("write delete offsets result: %w", err)
	}
	if firstErr != nil {
		return fmt.Errorf("delete offsets of group %s: %w", o.Group, firstErr)
	}
	return nil
}

// deleteOffsetsTopError words a group-level failure as Kafka 3.9 does.
func deleteOffsetsTopError(err *kerr.Error, group string) string {
	switch err {
	case kerr.InvalidGroupID:
		return "'" + group + "' is not valid."
	case kerr.GroupIDNotFound:
		return "'" + group + "' does not exist."
	case kerr.GroupAuthorizationFailed:
		return "Access to '" + group + "' is not authorized."
	case kerr.NonEmptyGroup:
		return "Deleting offsets of a consumer group '" + group + "' is forbidden if the group is not empty."
	}
	return "Encounter some unknown error: " + err.Message
}

func writeDeleteOffsetsTable(b *strings.Builder, tps []topicPartition, status map[topicPartition]error) {
	const format = "%-30s %-15s %-15s\n"
	b.WriteString("\n")
	fmt.Fprintf(b, format, "TOPIC", "PARTITION", "STATUS")
	for _, tp := range tps {
		partition, result := "Not Provided", "Successful"
		if tp.Partition >= 0 {
			partition = strconv.Itoa(int(tp.Partition))
		}
		if e := status[tp]; e != nil {
			result = "Error: " + e.Error()
		}
		fmt.Fprintf(b, format, tp.Topic, partition, result)
	}
}
