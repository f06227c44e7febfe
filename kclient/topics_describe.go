package kclient

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// DescribeTopicsOptions are kafka-topics --describe's flags. The partition
// filters are OR-ed and, as in Kafka, suppress the topic summary line;
// TopicsWithOverrides prints only the summary of topics with non-default configs.
type DescribeTopicsOptions struct {
	Conn
	Topic                         string // regular expression over whole names; empty describes all
	IfExists                      bool
	ExcludeInternal               bool
	UnderReplicatedPartitions     bool
	UnavailablePartitions         bool
	UnderMinISRPartitions         bool
	AtMinISRPartitions            bool
	TopicsWithOverrides           bool
	PartitionSizeLimitPerResponse int32 // DescribeTopicPartitions page size; 0 lets the broker choose
	JSON                          bool
}

// TopicDescription is one described topic; it is also the --output json form.
type TopicDescription struct {
	Topic             string                 `json:"topic"`
	TopicID           string                 `json:"topic_id,omitempty"`
	IsInternal        bool                   `json:"is_internal"`
	PartitionCount    int                    `json:"partition_count"`
	ReplicationFactor int                    `json:"replication_factor"`
	Configs           []ConfigEntry          `json:"configs"`
	Partitions        []PartitionDescription `json:"partitions"`
}

// ConfigEntry is a topic config that differs from the broker's built-in default.
type ConfigEntry struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Source string `json:"source"`
}

// PartitionDescription is one partition's leadership; ELR and LastKnownELR are
// nil when the broker predates DescribeTopicPartitions (KIP-966), printed "N/A".
type PartitionDescription struct {
	Partition    int32   `json:"partition"`
	Leader       int32   `json:"leader"` // -1: none
	Replicas     []int32 `json:"replicas"`
	ISR          []int32 `json:"isr"`
	ELR          []int32 `json:"elr"`
	LastKnownELR []int32 `json:"last_known_elr"`
}

// DescribeTopics prints topics in kafka-topics 3.9's format, or JSON.
func DescribeTopics(ctx context.Context, out io.Writer, o DescribeTopicsOptions) error {
	cl, m, err := openAdmin(ctx, o.Conn, "describe topics")
	if err != nil {
		return err
	}
	defer cl.Close()
	names, err := selectTopics(m, o.Topic, o.ExcludeInternal, true, o.IfExists)
	if err != nil || len(names) == 0 {
		return err
	}
	configs, err := kadm.NewClient(cl).DescribeTopicConfigs(ctx, names...)
	if err != nil {
		return fmt.Errorf("describe topic configs: %w", err)
	}
	elr := fetchELR(ctx, cl, names, o.PartitionSizeLimitPerResponse)

	partitionFilter := o.UnderReplicatedPartitions || o.UnavailablePartitions || o.UnderMinISRPartitions || o.AtMinISRPartitions
	var descs []TopicDescription
	for _, name := range names {
		rc, err := configs.On(name, nil)
		if err != nil {
			return fmt.Errorf("describe configs of topic %s: %w", name, err)
		}
		if rc.Err != nil {
			return fmt.Errorf("describe configs of topic %s: %w %s", name, rc.Err, rc.ErrMessage)
		}
		d, minISR := describeTopic(m.Topics[name], rc.Configs, elr[name])
		if o.TopicsWithOverrides && len(d.Configs) == 0 {
			continue
		}
		if partitionFilter {
			d.Partitions = filterPartitions(d.Partitions, o, m.Brokers, minISR)
			if len(d.Partitions) == 0 {
				continue
			}
		}
		if o.TopicsWithOverrides {
			d.Partitions = nil
		}
		descs = append(descs, d)
	}
	if o.JSON {
		if descs == nil {
			descs = []TopicDescription{}
		}
		return writeJSON(out, descs)
	}
	for _, d := range descs {
		if err := writeTopicDescription(out, d, !partitionFilter, !o.TopicsWithOverrides); err != nil {
			return err
		}
	}
	return nil
}

// describeTopic joins metadata, configs and ELRs; it returns min.insync.replicas
// (0 if unknown) for the ISR filters.
func describeTopic(t topicMeta, configs []kadm.Config, elr map[int32][2][]int32) (TopicDescription, int) {
	d := TopicDescription{Topic: t.Name, IsInternal: t.IsInternal, PartitionCount: len(t.Partitions)}
	if t.ID != [16]byte{} {
		d.TopicID = topicIDString(t.ID)
	}
	if len(t.Partitions) > 0 {
		d.ReplicationFactor = len(t.Partitions[0].Replicas)
	}
	minISR := 0
	for _, c := range configs {
		if c.Key == "min.insync.replicas" && c.Value != nil {
			minISR, _ = strconv.Atoi(*c.Value)
		}
		// Kafka's ConfigEntry.isDefault is source == DEFAULT_CONFIG; static
		// broker settings count as overrides and are shown.
		if c.Source == kmsg.ConfigSourceDefaultConfig {
			continue
		}
		v := "null"
		if c.Value != nil {
			v = *c.Value
		}
		d.Configs = append(d.Configs, ConfigEntry{Name: c.Key, Value: v, Source: c.Source.String()})
	}
	sort.Slice(d.Configs, func(i, j int) bool { return d.Configs[i].Name < d.Configs[j].Name })
	for _, p := range t.Partitions {
		pd := PartitionDescription{Partition: p.Partition, Leader: p.Leader, Replicas: p.Replicas, ISR: p.ISR}
		if e, ok := elr[p.Partition]; ok {
			pd.ELR, pd.LastKnownELR = nonNil(e[0]), nonNil(e[1])
		}
		d.Partitions = append(d.Partitions, pd)
	}
	return d, minISR
}

// filterPartitions keeps the partitions any requested filter matches, with
// Kafka's definitions (TopicCommand.PartitionDescription).
func filterPartitions(ps []PartitionDescription, o DescribeTopicsOptions, live map[int32]bool, minISR int) []PartitionDescription {
	var out []PartitionDescription
	for _, p := range ps {
		hasLeader := p.Leader >= 0
		keep := (o.UnderReplicatedPartitions && len(p.ISR) < len(p.Replicas)) ||
			(o.UnavailablePartitions && (!hasLeader || !live[p.Leader])) ||
			(o.UnderMinISRPartitions && (!hasLeader || (minISR > 0 && len(p.ISR) < minISR))) ||
			(o.AtMinISRPartitions && minISR > 0 && len(p.ISR) == minISR)
		if keep {
			out = append(out, p)
		}
	}
	return out
}

func writeTopicDescription(out io.Writer, d TopicDescription, summary, partitions bool) error {
	var b strings.Builder
	if summary {
		b.WriteString("Topic: " + d.Topic)
		if d.TopicID != "" {
			b.WriteString("\tTopicId: " + d.TopicID)
		}
		cfgs := make([]string, len(d.Configs))
		for i, c := range d.Configs {
			cfgs[i] = c.Name + "=" + c.Value
		}
		fmt.Fprintf(&b, "\tPartitionCount: %d\tReplicationFactor: %d\tConfigs: %s\n", d.PartitionCount, d.ReplicationFactor, strings.Join(cfgs, ","))
	}
	for _, p := range d.Partitions {
		if !partitions {
			break
		}
		leader := "none"
		if p.Leader >= 0 {
			leader = strconv.Itoa(int(p.Leader))
		}
		fmt.Fprintf(&b, "\tTopic: %s\tPartition: %d\tLeader: %s\tReplicas: %s\tIsr: %s\tElr: %s\tLastKnownElr: %s\n",
			d.Topic, p.Partition, leader, joinIDs(p.Replicas), joinIDs(p.ISR), joinELR(p.ELR), joinELR(p.LastKnownELR))
	}
	if _, err := io.WriteString(out, b.String()); err != nil {
		return fmt.Errorf("write topic description: %w", err)
	}
	return nil
}

func joinIDs(ids []int32) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.Itoa(int(id))
	}
	return strings.Join(s, ",")
}

func joinELR(ids []int32) string {
	if ids == nil {
		return "N/A"
	}
	return joinIDs(ids)
}

func nonNil(ids []int32) []int32 {
	if ids == nil {
		return []int32{}
	}
	return ids
}

// fetchELR asks DescribeTopicPartitions (KIP-966) for eligible leader replicas,
// paging with its cursor. A broker that does not know the API yields nil and
// the description shows N/A, as kafka-topics falls back to Metadata.
func fetchELR(ctx context.Context, cl *kgo.Client, names []string, limit int32) map[string]map[int32][2][]int32 {
	out := make(map[string]map[int32][2][]int32)
	req := kmsg.NewPtrDescribeTopicPartitionsRequest()
	if limit > 0 {
		req.ResponsePartitionLimit = limit
	}
	for _, n := range names {
		t := kmsg.NewDescribeTopicPartitionsRequestTopic()
		t.Topic = n
		req.Topics = append(req.Topics, t)
	}
	for {
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			return nil
		}
		for _, t := range resp.Topics {
			if t.Topic == nil || t.ErrorCode != 0 {
				continue
			}
			if out[*t.Topic] == nil {
				out[*t.Topic] = make(map[int32][2][]int32)
			}
			for _, p := range t.Partitions {
				out[*t.Topic][p.Partition] = [2][]int32{p.EligibleLeaderReplicas, p.LastKnownELR}
			}
		}
		if resp.NextCursor == nil {
			return out
		}
		c := kmsg.NewDescribeTopicPartitionsRequestCursor()
		c.Topic, c.Partition = resp.NextCursor.Topic, resp.NextCursor.Partition
		req.Cursor = &c
	}
}
