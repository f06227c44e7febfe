package kclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

// DescribeGroupsOptions are kafka-consumer-groups --describe's flags. The
// views are exclusive as in Kafka: Offsets (also the default) wins over
// Members, which wins over State. JSON output always carries all three.
type DescribeGroupsOptions struct {
	Conn
	Groups    []string
	AllGroups bool
	Offsets   bool
	Members   bool
	State     bool
	Verbose   bool // with Members: add each member's ASSIGNMENT
	JSON      bool
}

// GroupDescription is one described consumer group; it is also the
// --output json form. A group that does not exist has State "Dead".
type GroupDescription struct {
	Group              string                 `json:"group"`
	State              string                 `json:"state"`
	Coordinator        GroupCoordinator       `json:"coordinator"`
	AssignmentStrategy string                 `json:"assignment_strategy"`
	Members            []GroupMember          `json:"members"`
	Offsets            []GroupPartitionOffset `json:"offsets"`
}

// GroupCoordinator is the broker that coordinates a group.
type GroupCoordinator struct {
	ID   int32  `json:"id"`
	Host string `json:"host"`
	Port int32  `json:"port"`
}

// GroupMember is one member of a group and the partitions it was assigned.
type GroupMember struct {
	ConsumerID      string            `json:"consumer_id"`
	GroupInstanceID string            `json:"group_instance_id,omitempty"` // static membership (KIP-345)
	Host            string            `json:"host"`
	ClientID        string            `json:"client_id"`
	Assignment      []TopicPartitions `json:"assignment"`
}

// TopicPartitions is a topic and some of its partitions, sorted.
type TopicPartitions struct {
	Topic      string  `json:"topic"`
	Partitions []int32 `json:"partitions"`
}

// GroupPartitionOffset is one row of Kafka's offsets view. CurrentOffset is
// nil when the group committed nothing for the partition, LogEndOffset when
// the partition has no leader, Lag when either is nil. The member fields are
// empty for a partition that is committed but assigned to no member.
type GroupPartitionOffset struct {
	Topic         string `json:"topic"`
	Partition     int32  `json:"partition"`
	CurrentOffset *int64 `json:"current_offset"`
	LogEndOffset  *int64 `json:"log_end_offset"`
	Lag           *int64 `json:"lag"`
	ConsumerID    string `json:"consumer_id"`
	Host          string `json:"host"`
	ClientID      string `json:"client_id"`
}

// DescribeGroups prints groups in kafka-consumer-groups 3.9's views, sorted by
// id. As in Kafka, a missing group is reported ("Error: Consumer group 'G'
// does not exist.") rather than failed, so that the other groups still print;
// notes about empty or rebalancing groups go to errOut, as Kafka's go to stderr.
func DescribeGroups(ctx context.Context, out, errOut io.Writer, o DescribeGroupsOptions) error {
	cl, err := o.newClient(roleAdmin)
	if err != nil {
		return err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	ids, err := consumerGroupIDs(ctx, adm, o.Groups, o.AllGroups)
	if err != nil {
		return err
	}
	descs, err := describeConsumerGroups(ctx, adm, ids)
	if err != nil {
		return err
	}
	if o.JSON {
		return writeJSON(out, descs)
	}
	w := describeWriter{out: out, errOut: errOut}
	for _, d := range descs {
		switch {
		case o.Offsets || (!o.Members && !o.State):
			w.offsets(d)
		case o.Members:
			w.members(d, o.Verbose)
		default:
			w.state(d)
		}
	}
	return w.err
}

// describeConsumerGroups gathers members, committed offsets and high
// watermarks for each group, in id order as Kafka's TreeMap prints them.
func describeConsumerGroups(ctx context.Context, adm *kadm.Client, ids []string) ([]GroupDescription, error) {
	if len(ids) == 0 {
		return []GroupDescription{}, nil
	}
	described, err := adm.DescribeGroups(ctx, ids...)
	if err != nil {
		return nil, fmt.Errorf("describe groups: %w", err)
	}
	descs := make([]GroupDescription, 0, len(ids))
	committed := make(map[string]kadm.OffsetResponses)
	topics := make(map[string]bool)
	for _, dg := range described.Sorted() {
		d, err := groupDescription(dg)
		if err != nil {
			return nil, err
		}
		if d.State != "Dead" {
			offs, err := adm.FetchOffsets(ctx, d.Group)
			if err != nil {
				return nil, fmt.Errorf("fetch committed offsets of group %s: %w", d.Group, err)
			}
			committed[d.Group] = offs
			for _, o := range offs.Sorted() {
				topics[o.Topic] = true
			}
		}
		for _, m := range d.Members {
			for _, tp := range m.Assignment {
				topics[tp.Topic] = true
			}
		}
		descs = append(descs, d)
	}
	ends, err := listEndOffsets(ctx, adm, sortedTopics(topics))
	if err != nil {
		return nil, err
	}
	for i := range descs {
		descs[i].Offsets = partitionOffsets(descs[i].Members, committed[descs[i].Group], ends)
	}
	return descs, nil
}

// groupDescription converts a DescribeGroups entry. Brokers answer a group
// they do not know with state Dead, or since DescribeGroups v6 (Kafka 4.0)
// with GROUP_ID_NOT_FOUND; both mean the group does not exist.
func groupDescription(dg kadm.DescribedGroup) (GroupDescription, error) {
	d := GroupDescription{Group: dg.Group, State: dg.State, AssignmentStrategy: dg.Protocol,
		Coordinator: GroupCoordinator{ID: dg.Coordinator.NodeID, Host: dg.Coordinator.Host, Port: dg.Coordinator.Port},
		Members:     []GroupMember{}}
	if errors.Is(dg.Err, kerr.GroupIDNotFound) {
		d.State = "Dead"
	} else if dg.Err != nil {
		return d, fmt.Errorf("describe group %s: %w %s", dg.Group, dg.Err, dg.ErrMessage)
	}
	for _, m := range dg.Members {
		gm := GroupMember{ConsumerID: m.MemberID, Host: m.ClientHost, ClientID: m.ClientID, Assignment: []TopicPartitions{}}
		if m.InstanceID != nil {
			gm.GroupInstanceID = *m.InstanceID
		}
		if a, ok := m.Assigned.AsConsumer(); ok {
			for _, t := range a.Topics {
				ps := append([]int32(nil), t.Partitions...)
				sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
				gm.Assignment = append(gm.Assignment, TopicPartitions{Topic: t.Topic, Partitions: ps})
			}
			sort.Slice(gm.Assignment, func(i, j int) bool { return gm.Assignment[i].Topic < gm.Assignment[j].Topic })
		}
		d.Members = append(d.Members, gm)
	}
	return d, nil
}

// listEndOffsets asks for the high watermarks (ListOffsets latest, read
// uncommitted), which is Kafka's LOG-END-OFFSET column.
func listEndOffsets(ctx context.Context, adm *kadm.Client, names []string) (kadm.ListedOffsets, error) {
	if len(names) == 0 {
		return kadm.ListedOffsets{}, nil
	}
	ends, err := adm.ListEndOffsets(ctx, names...)
	if err != nil {
		return nil, fmt.Errorf("list log end offsets: %w", err)
	}
	return ends, nil
}

// partitionOffsets builds the offsets view's rows as Kafka's
// collectGroupsOffsets does: members with partitions, most partitions first,
// each member's partitions in topic/partition order, then the committed
// partitions no member holds.
func partitionOffsets(members []GroupMember, committed kadm.OffsetResponses, ends kadm.ListedOffsets) []GroupPartitionOffset {
	byCount := make([]GroupMember, 0, len(members))
	for _, m := range members {
		if assignedCount(m) > 0 {
			byCount = append(byCount, m)
		}
	}
	sort.SliceStable(byCount, func(i, j int) bool { return assignedCount(byCount[i]) > assignedCount(byCount[j]) })

	rows := []GroupPartitionOffset{}
	assigned := make(map[string]map[int32]bool)
	row := func(topic string, p int32, m GroupMember) GroupPartitionOffset {
		r := GroupPartitionOffset{Topic: topic, Partition: p, ConsumerID: m.ConsumerID, Host: m.Host, ClientID: m.ClientID}
		if c, ok := committed.Lookup(topic, p); ok && c.Err == nil && c.At >= 0 {
			r.CurrentOffset = &c.At
		}
		if e, ok := ends.Lookup(topic, p); ok && e.Err == nil && e.Offset >= 0 {
			r.LogEndOffset = &e.Offset
		}
		if r.CurrentOffset != nil && r.LogEndOffset != nil {
			lag := *r.LogEndOffset - *r.CurrentOffset
			r.Lag = &lag
		}
		return r
	}
	for _, m := range byCount {
		for _, tp := range m.Assignment {
			if assigned[tp.Topic] == nil {
				assigned[tp.Topic] = make(map[int32]bool)
			}
			for _, p := range tp.Partitions {
				assigned[tp.Topic][p] = true
				rows = append(rows, row(tp.Topic, p, m))
			}
		}
	}
	for _, c := range committed.Sorted() {
		if c.Err == nil && c.At >= 0 && !assigned[c.Topic][c.Partition] {
			rows = append(rows, row(c.Topic, c.Partition, GroupMember{}))
		}
	}
	return rows
}

func assignedCount(m GroupMember) int {
	n := 0
	for _, tp := range m.Assignment {
		n += len(tp.Partitions)
	}
	return n
}
