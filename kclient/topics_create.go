package kclient

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// CreateTopicOptions are kafka-topics --create's flags.
type CreateTopicOptions struct {
	Conn
	Topic             string
	Partitions        int32             // -1: the broker's num.partitions
	ReplicationFactor int16             // -1: the broker's default.replication.factor
	ReplicaAssignment string            // "1:2,2:3": partition 0 on brokers 1,2; partition 1 on 2,3
	Configs           map[string]string // topic configs (--config)
	IfNotExists       bool              // an existing topic is not an error
}

// CreateTopic creates one topic with CreateTopics and prints "Created topic t."
// as kafka-topics does; it sends the request itself because kadm has no way to
// pass a replica assignment.
func CreateTopic(ctx context.Context, out io.Writer, o CreateTopicOptions) error {
	if o.Topic == "" {
		return fmt.Errorf("--topic is required")
	}
	assignment, err := parseReplicaAssignment(o.ReplicaAssignment)
	if err != nil {
		return err
	}
	if assignment != nil && (o.Partitions > 0 || o.ReplicationFactor > 0) {
		return fmt.Errorf("--replica-assignment cannot be used with --partitions or --replication-factor")
	}
	cl, err := o.newClient(roleAdmin)
	if err != nil {
		return err
	}
	defer cl.Close()

	t := kmsg.NewCreateTopicsRequestTopic()
	t.Topic = o.Topic
	t.NumPartitions, t.ReplicationFactor = o.Partitions, o.ReplicationFactor
	if assignment != nil {
		t.NumPartitions, t.ReplicationFactor = -1, -1
		for p, replicas := range assignment {
			a := kmsg.NewCreateTopicsRequestTopicReplicaAssignment()
			a.Partition, a.Replicas = int32(p), replicas
			t.ReplicaAssignment = append(t.ReplicaAssignment, a)
		}
	}
	keys := make([]string, 0, len(o.Configs))
	for k := range o.Configs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		c := kmsg.NewCreateTopicsRequestTopicConfig()
		c.Name, c.Value = k, kmsg.StringPtr(o.Configs[k])
		t.Configs = append(t.Configs, c)
	}
	req := kmsg.NewPtrCreateTopicsRequest()
	req.TimeoutMillis = 30000
	req.Topics = append(req.Topics, t)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return fmt.Errorf("create topic %s: %w", o.Topic, err)
	}
	if len(resp.Topics) != 1 {
		return fmt.Errorf("create topic %s: broker answered for %d topics", o.Topic, len(resp.Topics))
	}
	rt := resp.Topics[0]
	if rt.ErrorCode == kerr.TopicAlreadyExists.Code && o.IfNotExists {
		return nil
	}
	if err := kafkaErr(rt.ErrorCode, rt.ErrorMessage); err != nil {
		return fmt.Errorf("create topic %s: %w", o.Topic, err)
	}
	if strings.ContainsAny(o.Topic, "._") {
		fmt.Fprintln(out, "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.")
	}
	_, err = fmt.Fprintf(out, "Created topic %s.\n", o.Topic)
	return err
}

// parseReplicaAssignment reads kafka-topics' "1:2,2:3" form: partitions by
// comma, broker ids by colon; every partition needs the same replica count.
func parseReplicaAssignment(s string) ([][]int32, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out [][]int32
	for p, part := range strings.Split(s, ",") {
		seen := make(map[int32]bool)
		var replicas []int32
		for _, id := range strings.Split(strings.TrimSpace(part), ":") {
			n, err := strconv.ParseInt(strings.TrimSpace(id), 10, 32)
			if err != nil {
				return nil, fmt.Errorf("--replica-assignment %q: partition %d: %q is not a broker id", s, p, id)
			}
			if seen[int32(n)] {
				return nil, fmt.Errorf("--replica-assignment %q: partition %d has broker %d twice", s, p, n)
			}
			seen[int32(n)] = true
			replicas = append(replicas, int32(n))
		}
		if len(out) > 0 && len(replicas) != len(out[0]) {
			return nil, fmt.Errorf("--replica-assignment %q: partition %d has %d replicas, partition 0 has %d", s, p, len(replicas), len(out[0]))
		}
		out = append(out, replicas)
	}
	return out, nil
}
