package kclient

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
)

// topicPartition names one partition, printed as Kafka's TopicPartition
// prints it ("orders-0").
type topicPartition struct {
	Topic     string
	Partition int32
}

func (tp topicPartition) String() string { return fmt.Sprintf("%s-%d", tp.Topic, tp.Partition) }

// topicsOf returns the distinct topics of tps, sorted.
func topicsOf(tps []topicPartition) []string {
	set := make(map[string]bool)
	for _, tp := range tps {
		set[tp.Topic] = true
	}
	return sortedTopics(set)
}

func sortedTopics(set map[string]bool) []string {
	names := make([]string, 0, len(set))
	for t := range set {
		names = append(names, t)
	}
	sort.Strings(names)
	return names
}

func sortPartitions(tps []topicPartition) {
	sort.Slice(tps, func(i, j int) bool {
		return tps[i].Topic < tps[j].Topic || tps[i].Topic == tps[j].Topic && tps[i].Partition < tps[j].Partition
	})
}

// resetTarget is the one reset scenario chosen on the command line.
type resetTarget struct {
	earliest, latest, current bool
	toOffset, shiftBy         *int64
	timestamp                 *time.Time // --to-datetime, or now minus --by-duration
}

// offsetRange holds the log start and log end offsets of the partitions
// being reset, which bound every new offset.
type offsetRange struct {
	starts, ends kadm.ListedOffsets
}

func listOffsetRange(ctx context.Context, adm *kadm.Client, tps []topicPartition) (offsetRange, error) {
	names := topicsOf(tps)
	ends, err := listEndOffsets(ctx, adm, names)
	if err != nil {
		return offsetRange{}, err
	}
	starts := kadm.ListedOffsets{}
	if len(names) > 0 {
		if starts, err = adm.ListStartOffsets(ctx, names...); err != nil {
			return offsetRange{}, fmt.Errorf("list log start offsets: %w", err)
		}
	}
	return offsetRange{starts: starts, ends: ends}, nil
}

// lookup returns a partition's offset from a ListOffsets answer.
func lookup(l kadm.ListedOffsets, tp topicPartition, what string) (int64, error) {
	o, ok := l.Lookup(tp.Topic, tp.Partition)
	if !ok {
		return 0, fmt.Errorf("list %s offset of %s: no answer for the partition", what, tp)
	}
	if o.Err != nil {
		return 0, fmt.Errorf("list %s offset of %s: %w", what, tp, o.Err)
	}
	return o.Offset, nil
}

// clamp keeps an offset inside [log start, log end] with Kafka's warnings
// (GroupOffsetsResetter.checkOffsetsRange), so a commit never points outside
// the log, where the next consumer would fall back to auto.offset.reset.
func (r offsetRange) clamp(tp topicPartition, offset int64) (int64, error) {
	end, err := lookup(r.ends, tp, "log end")
	if err != nil {
		return 0, err
	}
	if offset > end {
		slog.Warn(fmt.Sprintf("New offset (%d) is higher than latest offset for topic partition %s. Value will be set to %d", offset, tp, end))
		return end, nil
	}
	start, err := lookup(r.starts, tp, "log start")
	if err != nil {
		return 0, err
	}
	if offset < start {
		slog.Warn(fmt.Sprintf("New offset (%d) is lower than earliest offset for topic partition %s. Value will be set to %d", offset, tp, start))
		return start, nil
	}
	return offset, nil
}

// planReset computes each partition's new offset for one group, as Kafka's
// GroupOffsetsResetter does for the chosen scenario.
func planReset(ctx context.Context, adm *kadm.Client, t resetTarget, tps []topicPartition, committed kadm.OffsetResponses) (map[topicPartition]int64, error) {
	r, err := listOffsetRange(ctx, adm, tps)
	if err != nil {
		return nil, err
	}
	var byTime kadm.ListedOffsets
	if t.timestamp != nil && len(tps) > 0 {
		// A partition with nothing at or after the time gets its log end,
		// as in Kafka.
		if byTime, err = adm.ListOffsetsAfterMilli(ctx, t.timestamp.UnixMilli(), topicsOf(tps)...); err != nil {
			return nil, fmt.Errorf("list offsets by time: %w", err)
		}
	}
	plan := make(map[topicPartition]int64, len(tps))
	for _, tp := range tps {
		current, hasCurrent := committed.Lookup(tp.Topic, tp.Partition)
		hasCurrent = hasCurrent && current.Err == nil && current.At >= 0
		var n int64
		switch {
		case t.earliest:
			n, err = lookup(r.starts, tp, "log start")
		case t.latest:
			n, err = lookup(r.ends, tp, "log end")
		case t.toOffset != nil:
			n, err = r.clamp(tp, *t.toOffset)
		case t.shiftBy != nil:
			if !hasCurrent {
				return nil, fmt.Errorf("cannot shift offset for partition %s since there is no current committed offset", tp)
			}
			n, err = r.clamp(tp, current.At+*t.shiftBy)
		case t.timestamp != nil:
			if n, err = lookup(byTime, tp, "by-time"); err == nil && n < 0 {
				n, err = lookup(r.ends, tp, "log end")
			}
		case t.current:
			// Kafka moves a partition without a commit to its log end.
			if n = current.At; !hasCurrent {
				n, err = lookup(r.ends, tp, "log end")
			}
		}
		if err != nil {
			return nil, err
		}
		plan[tp] = n
	}
	return plan, nil
}
