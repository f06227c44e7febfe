package kclient

import (
	"context"
	"fmt"
	"io"
	"sort"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// AlterTopicOptions are kafka-topics --alter's flags plus config changes, which
// kafka-topics moved to kafka-configs but operators still reach for here.
type AlterTopicOptions struct {
	Conn
	Topic             string            // regular expression over whole names
	Partitions        int32             // new total partition count; <= 0 leaves it
	ReplicaAssignment string            // all partitions, as for create; only the new ones are sent
	Configs           map[string]string // set with IncrementalAlterConfigs
	DeleteConfigs     []string          // reset to default with IncrementalAlterConfigs
	IfExists          bool
}

// AlterTopic increases partition counts (CreatePartitions) and sets or deletes
// topic configs (IncrementalAlterConfigs) for every selected topic. Like
// kafka-topics it prints nothing on success.
func AlterTopic(ctx context.Context, _ io.Writer, o AlterTopicOptions) error {
	if o.Topic == "" {
		return fmt.Errorf("--topic is required")
	}
	if o.Partitions <= 0 && o.ReplicaAssignment == "" && len(o.Configs) == 0 && len(o.DeleteConfigs) == 0 {
		return fmt.Errorf("nothing to alter: give --partitions, --config or --delete-config")
	}
	assignment, err := parseReplicaAssignment(o.ReplicaAssignment)
	if err != nil {
		return err
	}
	cl, m, err := openAdmin(ctx, o.Conn, "alter topic")
	if err != nil {
		return err
	}
	defer cl.Close()
	names, err := selectTopics(m, o.Topic, false, true, o.IfExists)
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := alterPartitions(ctx, cl, m.Topics[name], o.Partitions, assignment); err != nil {
			return err
		}
	}
	return alterConfigs(ctx, kadm.NewClient(cl), names, o.Configs, o.DeleteConfigs)
}

// alterPartitions grows one topic to count partitions; with an assignment the
// count defaults to its length and the replicas of the new partitions are taken
// from its tail, as kafka-topics does.
func alterPartitions(ctx context.Context, cl *kgo.Client, t topicMeta, count int32, assignment [][]int32) error {
	if count <= 0 && assignment == nil {
		return nil
	}
	existing := int32(len(t.Partitions))
	if count <= 0 {
		count = int32(len(assignment))
	}
	if count <= existing {
		return fmt.Errorf("the number of partitions for a topic can only be increased: topic %s currently has %d partitions, %d would not be an increase", t.Name, existing, count)
	}
	rt := kmsg.NewCreatePartitionsRequestTopic()
	rt.Topic, rt.Count = t.Name, count
	if assignment != nil {
		if int32(len(assignment)) != count {
			return fmt.Errorf("--replica-assignment lists %d partitions, --partitions says %d", len(assignment), count)
		}
		for _, replicas := range assignment[existing:] {
			a := kmsg.NewCreatePartitionsRequestTopicAssignment()
			a.Replicas = replicas
			rt.Assignment = append(rt.Assignment, a)
		}
	}
	req := kmsg.NewPtrCreatePartitionsRequest()
	req.TimeoutMillis = 30000
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return fmt.Errorf("create partitions of topic %s: %w", t.Name, err)
	}
	for _, r := range resp.Topics {
		if err := kafkaErr(r.ErrorCode, r.ErrorMessage); err != nil {
			return fmt.Errorf("create partitions of topic %s: %w", t.Name, err)
		}
	}
	return nil
}

func alterConfigs(ctx context.Context, adm *kadm.Client, names []string, set map[string]string, del []string) error {
	if len(names) == 0 || (len(set) == 0 && len(del) == 0) {
		return nil
	}
	resps, err := adm.AlterTopicConfigs(ctx, configChanges(set, del), names...)
	return alterResult("topic", resps, err)
}

// configChanges are the IncrementalAlterConfigs operations that set set's
// configs (in key order) and delete del's, which then take their defaults.
func configChanges(set map[string]string, del []string) []kadm.AlterConfig {
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var changes []kadm.AlterConfig
	for _, k := range keys {
		changes = append(changes, kadm.AlterConfig{Op: kadm.SetConfig, Name: k, Value: kmsg.StringPtr(set[k])})
	}
	for _, k := range del {
		changes = append(changes, kadm.AlterConfig{Op: kadm.DeleteConfig, Name: k})
	}
	return changes
}

// alterResult is the first failure of an IncrementalAlterConfigs of
// resources of kind (topic, broker), naming the resource.
func alterResult(kind string, resps kadm.AlterConfigsResponses, err error) error {
	if err != nil {
		return fmt.Errorf("alter %s configs: %w", kind, err)
	}
	for _, r := range resps {
		if r.Err != nil {
			return fmt.Errorf("alter configs of %s %s: %w %s", kind, r.Name, r.Err, r.ErrMessage)
		}
	}
	return nil
}
