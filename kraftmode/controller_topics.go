package kraftmode

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

// CreateTopics validates every topic against the current image with Kafka's
// ReplicationControlManager rules and writes all valid topics of the request in one
// batch; an invalid topic fails alone. With validateOnly nothing is written.
func (c *Controller) CreateTopics(_ context.Context, specs []metadata.TopicSpec, validateOnly bool) []metadata.CreateTopicResult {
	results := make([]metadata.CreateTopicResult, len(specs))
	for i, s := range specs {
		results[i].Name = s.Name
	}
	if err := c.lockWriter(); err != nil {
		for i := range results {
			results[i].Err = err
		}
		return results
	}
	defer c.writeMu.Unlock()

	img := c.Image()
	tp := newTopicPlanner(c, img)
	seen := make(map[string]int, len(specs))
	for _, s := range specs {
		seen[s.Name]++
	}
	var recs []metadata.Record
	var planned []int
	for i, s := range specs {
		if seen[s.Name] > 1 {
			results[i].Err = kafkaErr(kerr.InvalidRequest, "Duplicate topic name.")
			continue
		}
		topicRecs, res, err := tp.createTopic(s)
		if err != nil {
			results[i].Err = err
			continue
		}
		results[i] = res
		recs = append(recs, topicRecs...)
		planned = append(planned, i)
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

// topicPlanner turns topic specs into records against one image, remembering the
// names planned earlier in the same request so that two of them cannot collide.
type topicPlanner struct {
	c      *Controller
	img    *metadata.Image
	usable []*metadata.Broker
	// normalized maps a topic name with '.' replaced by '_' to the name that holds it:
	// Kafka forbids such pairs because their metric names would be the same.
	normalized map[string]string
}

func newTopicPlanner(c *Controller, img *metadata.Image) *topicPlanner {
	tp := &topicPlanner{c: c, img: img, usable: usableBrokers(img), normalized: make(map[string]string, len(img.Topics))}
	for name := range img.Topics {
		tp.normalized[strings.ReplaceAll(name, ".", "_")] = name
	}
	return tp
}

func (tp *topicPlanner) createTopic(s metadata.TopicSpec) ([]metadata.Record, metadata.CreateTopicResult, error) {
	var res metadata.CreateTopicResult
	if err := metadata.ValidateTopicName(s.Name); err != nil {
		return nil, res, kafkaErr(kerr.InvalidTopicException, "%s", err.Error())
	}
	if _, ok := tp.img.Topics[s.Name]; ok {
		return nil, res, kafkaErr(kerr.TopicAlreadyExists, "Topic '%s' already exists.", s.Name)
	}
	norm := strings.ReplaceAll(s.Name, ".", "_")
	if other, ok := tp.normalized[norm]; ok {
		return nil, res, kafkaErr(kerr.InvalidTopicException, "Topic '%s' collides with existing topic: %s", s.Name, other)
	}
	assignment, err := tp.assignment(s)
	if err != nil {
		return nil, res, err
	}
	configs, err := tp.c.topicConfigRecords(s.Name, s.Configs)
	if err != nil {
		return nil, res, err
	}

	id := metadata.RandomUuid()
	recs := make([]metadata.Record, 0, 1+len(configs)+len(assignment))
	recs = append(recs, &metadata.TopicRecord{Name: s.Name, TopicID: id})
	recs = append(recs, configs...)
	for p, replicas := range assignment {
		recs = append(recs, newActivePartitionRecord(tp.img, id, int32(p), replicas))
	}
	tp.normalized[norm] = s.Name
	res = metadata.CreateTopicResult{
		Name:              s.Name,
		ID:                id,
		NumPartitions:     int32(len(assignment)),
		ReplicationFactor: int16(len(assignment[0])),
	}
	return recs, res, nil
}

// assignment returns the replicas of every partition of a new topic: the request's
// manual assignment, checked, or a placement over the usable brokers.
func (tp *topicPlanner) assignment(s metadata.TopicSpec) ([][]int32, error) {
	if len(s.Assignment) > 0 {
		if s.NumPartitions != -1 {
			return nil, kafkaErr(kerr.InvalidRequest, "A manual partition assignment was specified, but numPartitions was not set to -1.")
		}
		if s.ReplicationFactor != -1 {
			return nil, kafkaErr(kerr.InvalidRequest, "A manual partition assignment was specified, but replicationFactor was not set to -1.")
		}
		out := make([][]int32, len(s.Assignment))
		for p := range int32(len(s.Assignment)) {
			replicas, ok := s.Assignment[p]
			if !ok {
				return nil, kafkaErr(kerr.InvalidReplicaAssignment, "Partitions must be numbered consecutively from 0, but partition %d is missing from the manual partition assignment.", p)
			}
			if err := validateReplicas(tp.img, p, replicas); err != nil {
				return nil, err
			}
			if p > 0 && len(replicas) != len(out[0]) {
				return nil, kafkaErr(kerr.InvalidReplicaAssignment, "All partitions in the manual partition assignment must have the same number of replicas.")
			}
			out[p] = slices.Clone(replicas)
		}
		return out, nil
	}

	partitions := s.NumPartitions
	if partitions == -1 {
		partitions = tp.c.opts.Defaults.NumPartitions
	}
	if partitions < 1 {
		return nil, kafkaErr(kerr.InvalidPartitions, "Number of partitions was set to an invalid non-positive value.")
	}
	rf := s.ReplicationFactor
	if rf == -1 {
		rf = tp.c.opts.Defaults.ReplicationFactor
	}
	if rf < 1 {
		return nil, kafkaErr(kerr.InvalidReplicationFactor, "Replication factor must be larger than 0, or -1 to use the default value.")
	}
	if err := checkReplicationFactor(rf, len(tp.usable)); err != nil {
		return nil, err
	}
	return placePartitions(tp.usable, 0, partitions, rf)
}

// checkReplicationFactor refuses a replication factor the usable brokers cannot hold,
// with the message of Kafka's StripedReplicaPlacer.
func checkReplicationFactor(rf int16, usable int) error {
	if int(rf) > usable {
		return kafkaErr(kerr.InvalidReplicationFactor,
			"Unable to replicate the partition %d time(s): The target replication factor of %d cannot be reached because only %d broker(s) are registered.",
			rf, rf, usable)
	}
	return nil
}

// validateReplicas applies Kafka's checks on one manually assigned partition.
func validateReplicas(img *metadata.Image, p int32, replicas []int32) error {
	if len(replicas) == 0 {
		return kafkaErr(kerr.InvalidReplicaAssignment, "The manual partition assignment includes an empty replica list.")
	}
	seen := make(map[int32]bool, len(replicas))
	anyActive := false
	for _, id := range replicas {
		if seen[id] {
			return kafkaErr(kerr.InvalidReplicaAssignment, "The manual partition assignment includes the broker %d more than once.", id)
		}
		seen[id] = true
		if _, ok := img.Brokers[id]; !ok {
			return kafkaErr(kerr.InvalidReplicaAssignment, "The manual partition assignment includes broker %d, but no broker with that ID is registered.", id)
		}
		anyActive = anyActive || activeBroker(img, id)
	}
	if !anyActive {
		return kafkaErr(kerr.InvalidReplicaAssignment, "All brokers specified in the manual partition assignment for partition %d are fenced or in controlled shutdown.", p)
	}
	return nil
}

// newActivePartitionRecord is a new partition of img's cluster: its ISR is the
// replicas that are active (all of them for a placed partition; a manual assignment
// may name fenced brokers), and the first of those leads. The caller has checked that
// some replica is active.
func newActivePartitionRecord(img *metadata.Image, topicID metadata.Uuid, p int32, replicas []int32) *metadata.PartitionRecord {
	rec := newPartitionRecord(topicID, p, replicas, img.MetadataVersion())
	rec.ISR = slices.DeleteFunc(rec.ISR, func(id int32) bool { return !activeBroker(img, id) })
	rec.Leader = rec.ISR[0]
	return rec
}

// newPartitionRecord is a new partition as Kafka's controller writes it: the first
// replica leads, every replica is in the ISR, both epochs start at 0, and from
// 3.7-IV2 every replica's directory is DirectoryId.UNASSIGNED (the zero Uuid, KIP-858).
func newPartitionRecord(topicID metadata.Uuid, p int32, replicas []int32, mv int16) *metadata.PartitionRecord {
	rec := metadata.NewPartitionRecord()
	rec.Version = metadata.RecordVersionFor(metadata.APIKeyPartition, mv)
	rec.PartitionID = p
	rec.TopicID = topicID
	rec.Replicas = replicas
	rec.ISR = slices.Clone(replicas)
	rec.RemovingReplicas = []int32{}
	rec.AddingReplicas = []int32{}
	rec.Leader = replicas[0]
	rec.LeaderRecoveryState = metadata.LeaderRecoveryStateRecovered
	rec.LeaderEpoch = 0
	rec.PartitionEpoch = 0
	if rec.Version >= 1 {
		rec.Directories = make([]metadata.Uuid, len(replicas))
	}
	return rec
}

// topicConfigRecords validates the configs of a new topic and returns their records in
// key order, so the log is the same whatever the map order.
func (c *Controller) topicConfigRecords(topic string, configs map[string]*string) ([]metadata.Record, error) {
	var recs []metadata.Record
	for _, k := range slices.Sorted(maps.Keys(configs)) {
		v := configs[k]
		if v == nil {
			return nil, kafkaErr(kerr.InvalidConfig, "Null value not supported for topic configs: %s", k)
		}
		if err := c.validateTopicConfig(k, *v); err != nil {
			return nil, err
		}
		recs = append(recs, &metadata.ConfigRecord{
			ResourceType: metadata.ConfigResourceTopic,
			ResourceName: topic,
			Name:         k,
			Value:        v,
		})
	}
	return recs, nil
}

func (c *Controller) validateTopicConfig(name, value string) error {
	if c.opts.ValidateTopicConfig == nil {
		return nil
	}
	if err := c.opts.ValidateTopicConfig(name, value); err != nil {
		return kafkaErr(kerr.InvalidConfig, "%s", err.Error())
	}
	return nil
}

// DeleteTopics removes topics (RemoveTopicRecord takes their partitions and configs
// with them). All deletions of one request are one batch.
func (c *Controller) DeleteTopics(_ context.Context, names []string) []error {
	errs := make([]error, len(names))
	if err := c.lockWriter(); err != nil {
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

// CreatePartitions adds partitions to a topic, placed like a new topic's with the
// replication factor of its partition 0, unless an assignment for the new partitions
// is given.
func (c *Controller) CreatePartitions(_ context.Context, topic string, total int32, assignment [][]int32, validateOnly bool) error {
	if err := c.lockWriter(); err != nil {
		return err
	}
	defer c.writeMu.Unlock()

	img := c.Image()
	t, ok := img.Topics[topic]
	if !ok {
		return kafkaErr(kerr.UnknownTopicOrPartition, "Topic '%s' does not exist.", topic)
	}
	current := int32(len(t.Partitions))
	switch {
	case total < current:
		return kafkaErr(kerr.InvalidPartitions, "Topic currently has %d partitions, which is higher than the requested %d.", current, total)
	case total == current:
		return kafkaErr(kerr.InvalidPartitions, "Topic already has %d partitions.", current)
	}
	add := total - current
	var replicas [][]int32
	if assignment != nil {
		if int32(len(assignment)) != add {
			return kafkaErr(kerr.InvalidReplicaAssignment, "Attempted to add %d additional partition(s), but only %d assignment(s) were specified.", add, len(assignment))
		}
		for i, r := range assignment {
			if err := validateReplicas(img, current+int32(i), r); err != nil {
				return err
			}
			replicas = append(replicas, slices.Clone(r))
		}
	} else {
		rf := int16(1)
		if p0, ok := t.Partitions[0]; ok {
			rf = int16(len(p0.Replicas))
		}
		usable := usableBrokers(img)
		if err := checkReplicationFactor(rf, len(usable)); err != nil {
			return err
		}
		var err error
		if replicas, err = placePartitions(usable, current, add, rf); err != nil {
			return err
		}
	}
	if validateOnly {
		return nil
	}
	recs := make([]metadata.Record, 0, add)
	for i, r := range replicas {
		recs = append(recs, newActivePartitionRecord(img, t.ID, current+int32(i), r))
	}
	_, err := c.appendLocked(recs)
	return err
}
