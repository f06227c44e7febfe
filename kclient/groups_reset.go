package kclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

// ResetDryRunWarning is what kafka-consumer-groups prints to stderr when
// --reset-offsets has neither --dry-run nor --execute.
const ResetDryRunWarning = "WARN: No action will be performed as the --execute option is missing. " +
	"In a future major release, the default behavior of this command will be to prompt the user before executing the reset rather than doing a dry run. " +
	"You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting."

// ResetOffsetsOptions are kafka-consumer-groups --reset-offsets' flags:
// groups, a scope (Topics or AllTopics), exactly one scenario, and Execute
// to commit; without it the plan is only printed (--dry-run).
type ResetOffsetsOptions struct {
	Conn
	Groups    []string
	AllGroups bool
	Topics    []string // "orders" (all partitions) or "orders:0,1"
	AllTopics bool     // every partition the group has committed

	ToEarliest bool
	ToLatest   bool
	ToCurrent  bool
	ToOffset   *int64
	ShiftBy    *int64
	ToDatetime string // YYYY-MM-DDTHH:mm:SS.sss, local time unless a zone is given
	ByDuration string // PnDTnHnMnS before now

	Execute bool
	JSON    bool
}

// OffsetReset is one partition's new offset; it is also the --output json form.
type OffsetReset struct {
	Group     string `json:"group"`
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	NewOffset int64  `json:"new_offset"`
}

// ResetOffsets computes new committed offsets for inactive groups and, with
// Execute, commits them (OffsetCommit with no generation, as Kafka's
// alterConsumerGroupOffsets does); it prints Kafka's GROUP TOPIC PARTITION
// NEW-OFFSET table. Every group is checked and planned before anything is
// committed, so a refusal for one group leaves all of them unchanged.
func ResetOffsets(ctx context.Context, out io.Writer, o ResetOffsetsOptions) error {
	target, err := o.target(time.Now())
	if err != nil {
		return err
	}
	if o.AllTopics == (len(o.Topics) > 0) {
		return errors.New("one of the reset scopes should be defined: --all-topics, --topic")
	}
	cl, meta, err := openAdmin(ctx, o.Conn, "reset offsets")
	if err != nil {
		return err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	ids, err := consumerGroupIDs(ctx, adm, o.Groups, o.AllGroups)
	if err != nil {
		return err
	}
	var named []topicPartition
	if !o.AllTopics {
		if named, err = partitionsToReset(meta, o.Topics); err != nil {
			return err
		}
	}
	committed, err := inactiveGroupOffsets(ctx, adm, ids)
	if err != nil {
		return err
	}
	var resets []OffsetReset
	plans := make(map[string]kadm.Offsets, len(ids))
	for _, id := range ids {
		tps := named
		if o.AllTopics {
			tps = committedPartitions(committed[id])
		}
		plan, err := planReset(ctx, adm, target, tps, committed[id])
		if err != nil {
			return fmt.Errorf("reset offsets of group %s: %w", id, err)
		}
		var offsets kadm.Offsets
		for _, tp := range tps {
			offsets.AddOffset(tp.Topic, tp.Partition, plan[tp], -1)
			resets = append(resets, OffsetReset{Group: id, Topic: tp.Topic, Partition: tp.Partition, NewOffset: plan[tp]})
		}
		plans[id] = offsets
	}
	if o.Execute {
		for _, id := range ids {
			if len(plans[id]) == 0 {
				continue
			}
			if err := adm.CommitAllOffsets(ctx, id, plans[id]); err != nil {
				return fmt.Errorf("commit reset offsets of group %s: %w", id, err)
			}
		}
	}
	return writeResets(out, resets, len(ids) > 0, o.JSON)
}

// target checks that exactly one scenario is given and resolves times.
func (o ResetOffsetsOptions) target(now time.Time) (resetTarget, error) {
	t := resetTarget{earliest: o.ToEarliest, latest: o.ToLatest, current: o.ToCurrent, toOffset: o.ToOffset, shiftBy: o.ShiftBy}
	n := 0
	for _, set := range []bool{o.ToEarliest, o.ToLatest, o.ToCurrent, o.ToOffset != nil, o.ShiftBy != nil, o.ToDatetime != "", o.ByDuration != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		return t, errors.New("exactly one of --to-earliest, --to-latest, --to-current, --to-offset, --shift-by, --to-datetime or --by-duration is required")
	}
	switch {
	case o.ToDatetime != "":
		ts, err := parseDatetime(o.ToDatetime)
		if err != nil {
			return t, err
		}
		t.timestamp = &ts
	case o.ByDuration != "":
		d, err := parseISODuration(o.ByDuration)
		if err != nil {
			return t, err
		}
		ts := now.Add(-d)
		t.timestamp = &ts
	}
	return t, nil
}

// inactiveGroupOffsets refuses, as Kafka does, groups that still have members
// (their next commit would overwrite the reset), and returns the committed
// offsets of the others. A group that does not exist yet (Dead) may be reset:
// that is how offsets are prepared for a consumer not started yet.
func inactiveGroupOffsets(ctx context.Context, adm *kadm.Client, ids []string) (map[string]kadm.OffsetResponses, error) {
	committed := make(map[string]kadm.OffsetResponses, len(ids))
	if len(ids) == 0 {
		return committed, nil
	}
	described, err := adm.DescribeGroups(ctx, ids...)
	if err != nil {
		return nil, fmt.Errorf("describe groups: %w", err)
	}
	for _, id := range ids {
		dg := described[id]
		state := dg.State
		switch {
		case errors.Is(dg.Err, kerr.GroupIDNotFound):
			state = "Dead"
		case dg.Err != nil:
			return nil, fmt.Errorf("describe group %s: %w %s", id, dg.Err, dg.ErrMessage)
		}
		switch state {
		case "Dead":
			committed[id] = kadm.OffsetResponses{}
			continue
		case "Empty":
		default:
			return nil, fmt.Errorf("assignments can only be reset if the group '%s' is inactive, but the current state is %s", id, state)
		}
		if committed[id], err = adm.FetchOffsets(ctx, id); err != nil {
			return nil, fmt.Errorf("fetch committed offsets of group %s: %w", id, err)
		}
	}
	return committed, nil
}

// partitionsToReset expands --topic values against the cluster's metadata;
// like Kafka it refuses partitions that do not exist.
func partitionsToReset(meta clusterMeta, topics []string) ([]topicPartition, error) {
	var tps, missing []topicPartition
	seen := make(map[topicPartition]bool)
	for _, arg := range topics {
		spec, err := parseTopicSpec(arg)
		if err != nil {
			return nil, err
		}
		t, ok := meta.Topics[spec.Topic]
		if !ok {
			return nil, fmt.Errorf("topic '%s': %w", spec.Topic, kerr.UnknownTopicOrPartition)
		}
		all := spec.Partitions == nil
		exists := make(map[int32]bool, len(t.Partitions))
		for _, p := range t.Partitions {
			exists[p.Partition] = true
			if all {
				spec.Partitions = append(spec.Partitions, p.Partition)
			}
		}
		for _, p := range spec.Partitions {
			tp := topicPartition{Topic: spec.Topic, Partition: p}
			switch {
			case !exists[p]:
				missing = append(missing, tp)
			case !seen[tp]:
				seen[tp] = true
				tps = append(tps, tp)
			}
		}
	}
	if len(missing) > 0 {
		names := make([]string, len(missing))
		for i, tp := range missing {
			names[i] = tp.String()
		}
		return nil, fmt.Errorf("the partitions \"%s\" do not exist: %w", strings.Join(names, ","), kerr.UnknownTopicOrPartition)
	}
	sortPartitions(tps)
	return tps, nil
}

// committedPartitions is --all-topics' scope: what the group has committed.
func committedPartitions(committed kadm.OffsetResponses) []topicPartition {
	var tps []topicPartition
	for _, c := range committed.Sorted() {
		if c.Err == nil && c.At >= 0 {
			tps = append(tps, topicPartition{Topic: c.Topic, Partition: c.Partition})
		}
	}
	return tps
}

// writeResets prints Kafka's printOffsetsToReset table: an empty line, the
// header whenever a group was asked about, then one padded row per partition.
func writeResets(out io.Writer, resets []OffsetReset, header, asJSON bool) error {
	if asJSON {
		if resets == nil {
			resets = []OffsetReset{}
		}
		return writeJSON(out, resets)
	}
	const format = "%-30s %-30s %-10s %-15s\n"
	var b strings.Builder
	if header {
		b.WriteString("\n")
		fmt.Fprintf(&b, format, "GROUP", "TOPIC", "PARTITION", "NEW-OFFSET")
	}
	for _, r := range resets {
		fmt.Fprintf(&b, format, r.Group, r.Topic, fmt.Sprint(r.Partition), fmt.Sprint(r.NewOffset))
	}
	if _, err := io.WriteString(out, b.String()); err != nil {
		return fmt.Errorf("write reset offsets: %w", err)
	}
	return nil
}
