package kraftmode

import (
	"context"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

// CreateTopics validates every topic against the current image with Kafka's
// ReplicationControlManager rules and writes all valid topics of the request in one
// batch; an invalid topic fails alone. With validateOnly nothing is written.
func (c *Controller) CreateTopics(_ context.Context, specs []metadata.TopicSpec, validateOnly bool) []metadata.CreateTopicResult {
	if err := c.lockGatedWriter(); err != nil {
		results := make([]metadata.CreateTopicResult, len(specs))
		for i, s := range specs {
			results[i] = metadata.CreateTopicResult{Name: s.Name, Err: err}
		}
		return results
	}
	defer c.writeMu.Unlock()

	tp := metadata.NewTopicPlanner(c.Image(), c.opts.Defaults, c.opts.ValidateTopicConfig)
	bySpec, results := tp.PlanTopics(specs)
	var recs []metadata.Record
	var planned []int
	for i, r := range bySpec {
		if r != nil {
			recs = append(recs, r...)
			planned = append(planned, i)
		}
	}
	if validateOnly {
		return results
	}
	if _, err := c.appendLocked(recs); err != nil {
		for _, i := range planned {
			results[i] = metadata.CreateTopicResult{Name: specs[i].Name, Err: err}
		}
	}
	return results
}

// DeleteTopics removes topics (RemoveTopicRecord takes their partitions and configs
// with them). All deletions of one request are one batch.
func (c *Controller) DeleteTopics(_ context.Context, names []string) []error {
	errs := make([]error, len(names))
	if err := c.lockGatedWriter(); err != nil {
		for i := range errs {
			errs[i] = err
		}
		return errs
	}
	defer c.writeMu.Unlock()

	img := c.Image()
	seen := make(map[string]int, len(names))
	for _, n := range names {
		seen[n]++
	}
	var recs []metadata.Record
	var planned []int
	for i, name := range names {
		t, ok := img.Topics[name]
		switch {
		case seen[name] > 1:
			errs[i] = kafkaErr(kerr.InvalidRequest, "Duplicate topic name.")
		case !ok:
			errs[i] = kafkaErr(kerr.UnknownTopicOrPartition, "Topic '%s' does not exist.", name)
		default:
			recs = append(recs, &metadata.RemoveTopicRecord{TopicID: t.ID})
			planned = append(planned, i)
		}
	}
	if _, err := c.appendLocked(recs); err != nil {
		for _, i := range planned {
			errs[i] = err
		}
	}
	return errs
}

// CreatePartitions adds partitions to a topic as metadata.PlanNewPartitions plans
// them: placed like a new topic's with the replication factor of its partition 0,
// unless an assignment for the new partitions is given.
func (c *Controller) CreatePartitions(_ context.Context, topic string, total int32, assignment [][]int32, validateOnly bool) error {
	if err := c.lockGatedWriter(); err != nil {
		return err
	}
	defer c.writeMu.Unlock()

	img := c.Image()
	t, replicas, err := metadata.PlanNewPartitions(img, topic, total, assignment)
	if err != nil {
		return err
	}
	if validateOnly {
		return nil
	}
	current := int32(len(t.Partitions))
	recs := make([]metadata.Record, 0, len(replicas))
	for i, r := range replicas {
		recs = append(recs, metadata.NewActivePartitionRecord(img, t.ID, current+int32(i), r))
	}
	_, err = c.appendLocked(recs)
	return err
}
