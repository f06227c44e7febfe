package metadata

import (
	"maps"
	"slices"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
)

// TopicDefaults are the broker defaults a CreateTopics request with -1 falls back to.
type TopicDefaults struct {
	NumPartitions     int32 // num.partitions
	ReplicationFactor int16 // default.replication.factor
}

// TopicPlanner turns topic specs into the records that create them, against one image,
// with Kafka's ReplicationControlManager rules; it remembers the names planned earlier
// in the same request so that two of them cannot collide. Both modes plan with it: the
// KRaft controller appends the records, ZooKeeper mode writes them as znodes, so a
// topic is validated and placed the same way whichever mode creates it.
type TopicPlanner struct {
	img      *Image
	defaults TopicDefaults
	validate func(name, value string) error
	usable   []*Broker
	// normalized maps a topic name with '.' replaced by '_' to the name that holds it:
	// Kafka forbids such pairs because their metric names would be the same.
	normalized map[string]string
}

// NewTopicPlanner plans against img; validate checks one topic config key and value
// (nil accepts all) and its error becomes INVALID_CONFIG.
func NewTopicPlanner(img *Image, defaults TopicDefaults, validate func(name, value string) error) *TopicPlanner {
	tp := &TopicPlanner{img: img, defaults: defaults, validate: validate, usable: UsableBrokers(img), normalized: make(map[string]string, len(img.Topics))}
	for name := range img.Topics {
		tp.normalized[strings.ReplaceAll(name, ".", "_")] = name
	}
	return tp
}

// PlanTopics plans every topic of one CreateTopics request, in request order: a name
// the request gives more than once fails every time (Kafka fails them all), any other
// invalid topic fails alone. recs[i] holds topic i's records, nil where results[i].Err
// is set.
func (tp *TopicPlanner) PlanTopics(specs []TopicSpec) (recs [][]Record, results []CreateTopicResult) {
	seen := make(map[string]int, len(specs))
	for _, s := range specs {
		seen[s.Name]++
	}
	recs = make([][]Record, len(specs))
	results = make([]CreateTopicResult, len(specs))
	for i, s := range specs {
		results[i].Name = s.Name
		if seen[s.Name] > 1 {
			results[i].Err = Errorf(kerr.InvalidRequest, "Duplicate topic name.")
			continue
		}
		r, res, err := tp.CreateTopic(s)
		if err != nil {
			results[i].Err = err
			continue
		}
		recs[i], results[i] = r, res
	}
	return recs, results
}

// CreateTopic returns the records that create s (TopicRecord, its ConfigRecords, its
// PartitionRecords) and the result to report, or the Kafka error that refuses it.
func (tp *TopicPlanner) CreateTopic(s TopicSpec) ([]Record, CreateTopicResult, error) {
	var res CreateTopicResult
	if err := ValidateTopicName(s.Name); err != nil {
		return nil, res, Errorf(kerr.InvalidTopicException, "%s", err.Error())
	}
	if _, ok := tp.img.Topics[s.Name]; ok {
		return nil, res, Errorf(kerr.TopicAlreadyExists, "Topic '%s' already exists.", s.Name)
	}
	norm := strings.ReplaceAll(s.Name, ".", "_")
	if other, ok := tp.normalized[norm]; ok {
		return nil, res, Errorf(kerr.InvalidTopicException, "Topic '%s' collides with existing topic: %s", s.Name, other)
	}
	assignment, err := tp.assignment(s)
	if err != nil {
		return nil, res, err
	}
	configs, err := TopicConfigRecords(s.Name, s.Configs, tp.validate)
	if err != nil {
		return nil, res, err
	}

	id := RandomUuid()
	recs := make([]Record, 0, 1+len(configs)+len(assignment))
	recs = append(recs, &TopicRecord{Name: s.Name, TopicID: id})
	recs = append(recs, configs...)
	for p, replicas := range assignment {
		recs = append(recs, NewActivePartitionRecord(tp.img, id, int32(p), replicas))
	}
	tp.normalized[norm] = s.Name
	res = CreateTopicResult{
		Name:              s.Name,
		ID:                id,
		NumPartitions:     int32(len(assignment)),
		ReplicationFactor: int16(len(assignment[0])),
	}
	return recs, res, nil
}

// assignment returns the replicas of every partition of a new topic: the request's
// manual assignment, checked, or a placement over the usable brokers.
func (tp *TopicPlanner) assignment(s TopicSpec) ([][]int32, error) {
	if len(s.Assignment) > 0 {
		if s.NumPartitions != -1 {
			return nil, Errorf(kerr.InvalidRequest, "A manual partition assignment was specified, but numPartitions was not set to -1.")
		}
		if s.ReplicationFactor != -1 {
			return nil, Errorf(kerr.InvalidRequest, "A manual partition assignment was specified, but replicationFactor was not set to -1.")
		}
		out := make([][]int32, len(s.Assignment))
		for p := range int32(len(s.Assignment)) {
			replicas, ok := s.Assignment[p]
			if !ok {
				return nil, Errorf(kerr.InvalidReplicaAssignment, "Partitions must be numbered consecutively from 0, but partition %d is missing from the manual partition assignment.", p)
			}
			if err := ValidateReplicas(tp.img, p, replicas); err != nil {
				return nil, err
			}
			if p > 0 && len(replicas) != len(out[0]) {
				return nil, Errorf(kerr.InvalidReplicaAssignment, "All partitions in the manual partition assignment must have the same number of replicas.")
			}
			out[p] = slices.Clone(replicas)
		}
		return out, nil
	}

	partitions := s.NumPartitions
	if partitions == -1 {
		partitions = tp.defaults.NumPartitions
	}
	if partitions < 1 {
		return nil, Errorf(kerr.InvalidPartitions, "Number of partitions was set to an invalid non-positive value.")
	}
	rf := s.ReplicationFactor
	if rf == -1 {
		rf = tp.defaults.ReplicationFactor
	}
	if rf < 1 {
		return nil, Errorf(kerr.InvalidReplicationFactor, "Replication factor must be larger than 0, or -1 to use the default value.")
	}
	if err := CheckReplicationFactor(rf, len(tp.usable)); err != nil {
		return nil, err
	}
	return PlacePartitions(tp.usable, 0, partitions, rf)
}

// CheckReplicationFactor refuses a replication factor the usable brokers cannot hold,
// with the message of Kafka's StripedReplicaPlacer.
func CheckReplicationFactor(rf int16, usable int) error {
	if int(rf) > usable {
		return Errorf(kerr.InvalidReplicationFactor,
			"Unable to replicate the partition %d time(s): The target replication factor of %d cannot be reached because only %d broker(s) are registered.",
			rf, rf, usable)
	}
	return nil
}

// ValidateReplicas applies Kafka's checks on one manually assigned partition.
func ValidateReplicas(img *Image, p int32, replicas []int32) error {
	if len(replicas) == 0 {
		return Errorf(kerr.InvalidReplicaAssignment, "The manual partition assignment includes an empty replica list.")
	}
	seen := make(map[int32]bool, len(replicas))
	anyActive := false
	for _, id := range replicas {
		if seen[id] {
			return Errorf(kerr.InvalidReplicaAssignment, "The manual partition assignment includes the broker %d more than once.", id)
		}
		seen[id] = true
		if _, ok := img.Brokers[id]; !ok {
			return Errorf(kerr.InvalidReplicaAssignment, "The manual partition assignment includes broker %d, but no broker with that ID is registered.", id)
		}
		anyActive = anyActive || img.IsActiveBroker(id)
	}
	if !anyActive {
		return Errorf(kerr.InvalidReplicaAssignment, "All brokers specified in the manual partition assignment for partition %d are fenced or in controlled shutdown.", p)
	}
	return nil
}

// NewActivePartitionRecord is a new partition of img's cluster: its ISR is the
// replicas that are active (all of them for a placed partition; a manual assignment
// may name fenced brokers), and the first of those leads. The caller has checked that
// some replica is active.
func NewActivePartitionRecord(img *Image, topicID Uuid, p int32, replicas []int32) *PartitionRecord {
	rec := NewTopicPartitionRecord(topicID, p, replicas, img.MetadataVersion())
	rec.ISR = slices.DeleteFunc(rec.ISR, func(id int32) bool { return !img.IsActiveBroker(id) })
	rec.Leader = rec.ISR[0]
	return rec
}

// NewTopicPartitionRecord is a new partition as Kafka's controller writes it: the first
// replica leads, every replica is in the ISR, both epochs start at 0, and from
// 3.7-IV2 every replica's directory is DirectoryId.UNASSIGNED (the zero Uuid, KIP-858).
func NewTopicPartitionRecord(topicID Uuid, p int32, replicas []int32, mv int16) *PartitionRecord {
	rec := NewPartitionRecord()
	rec.Version = RecordVersionFor(APIKeyPartition, mv)
	rec.PartitionID = p
	rec.TopicID = topicID
	rec.Replicas = replicas
	rec.ISR = slices.Clone(replicas)
	rec.RemovingReplicas = []int32{}
	rec.AddingReplicas = []int32{}
	rec.Leader = replicas[0]
	rec.LeaderRecoveryState = LeaderRecoveryStateRecovered
	rec.LeaderEpoch = 0
	rec.PartitionEpoch = 0
	if rec.Version >= 1 {
		rec.Directories = make([]Uuid, len(replicas))
	}
	return rec
}

// TopicConfigRecords validates the configs of a new topic with validate (nil accepts
// all) and returns their records in key order, so the log is the same whatever the
// map order.
func TopicConfigRecords(topic string, configs map[string]*string, validate func(name, value string) error) ([]Record, error) {
	var recs []Record
	for _, k := range slices.Sorted(maps.Keys(configs)) {
		v := configs[k]
		if v == nil {
			return nil, Errorf(kerr.InvalidConfig, "Null value not supported for topic configs: %s", k)
		}
		if validate != nil {
			if err := validate(k, *v); err != nil {
				return nil, Errorf(kerr.InvalidConfig, "%s", err.Error())
			}
		}
		recs = append(recs, &ConfigRecord{
			ResourceType: ConfigResourceTopic,
			ResourceName: topic,
			Name:         k,
			Value:        v,
		})
	}
	return recs, nil
}
