package broker

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

// errNotInFakeSource answers the source writes the replication tests never make.
var errNotInFakeSource = errors.New("not implemented by the test metadata source")

// fakeSource is a metadata.Source that plays the controller for the replication
// tests: it holds one image, registers brokers, applies AlterPartition and controlled
// shutdown the way Kafka's controller does, and lets a test move leadership. Images
// reach subscribers from one goroutine, after the write returns, as from a real source;
// each delivery carries the newest image, so a subscriber never sees one go backwards.
type fakeSource struct {
	mu        sync.Mutex
	img       *metadata.Image
	subs      []func(*metadata.Image)
	nextEpoch int64
	nextPID   int64
	shutdowns []int32     // brokers that asked for a controlled shutdown
	lost      atomic.Bool // what SessionLost reports
	// alterCalls counts AlterPartition calls, each taking alterDelay nanoseconds (a
	// controller's commit) before it is answered.
	alterCalls atomic.Int64
	alterDelay atomic.Int64

	publish chan struct{}
	stopped chan struct{}
}

func newFakeSource(t testing.TB) *fakeSource {
	img := metadata.NewImage()
	img.ClusterID = "kbridge-replication-t"
	s := &fakeSource{img: img, nextEpoch: 100, nextPID: 1000, publish: make(chan struct{}, 1), stopped: make(chan struct{})}
	s.apply(t, &metadata.FeatureLevelRecord{Name: metadata.FeatureMetadataVersion, FeatureLevel: metadata.MetadataVersionLatest})
	go s.deliver()
	t.Cleanup(func() { close(s.stopped) })
	return s
}

func (s *fakeSource) deliver() {
	for {
		select {
		case <-s.stopped:
			return
		case <-s.publish:
		}
		s.mu.Lock()
		img, subs := s.img, slices.Clone(s.subs)
		s.mu.Unlock()
		for _, fn := range subs {
			fn(img)
		}
	}
}

// applyLocked applies records to a clone of the image and publishes it.
func (s *fakeSource) applyLocked(recs ...metadata.Record) error {
	next := s.img.Clone()
	for _, r := range recs {
		if err := next.Apply(r); err != nil {
			return err
		}
	}
	s.img = next
	select {
	case s.publish <- struct{}{}:
	default:
	}
	return nil
}

func (s *fakeSource) apply(t testing.TB, recs ...metadata.Record) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.applyLocked(recs...); err != nil {
		t.Fatal(err)
	}
}

func (s *fakeSource) Image() *metadata.Image {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.img
}

func (s *fakeSource) Subscribe(fn func(*metadata.Image)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subs = append(s.subs, fn)
}

func (s *fakeSource) RegisterBroker(_ context.Context, reg metadata.BrokerRegistration) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextEpoch++
	rec := metadata.NewRegisterBrokerRecord()
	rec.BrokerID, rec.BrokerEpoch, rec.IncarnationID = reg.BrokerID, s.nextEpoch, reg.IncarnationID
	rec.EndPoints, rec.Features, rec.Fenced = reg.Endpoints, reg.Features, false
	return s.nextEpoch, s.applyLocked(rec)
}

func (s *fakeSource) AllocateProducerIDs(context.Context, int32, int64) (int64, int32, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	first := s.nextPID
	s.nextPID += 1000
	return first, 1000, nil
}

// AlterPartition checks a leader's ISR change as Kafka's controller does: the sender's
// broker epoch, its leadership, the leader and partition epochs it saw, and that every
// new member is an eligible broker; then writes the change.
func (s *fakeSource) AlterPartition(_ context.Context, brokerID int32, brokerEpoch int64, changes []metadata.ISRChange) ([]metadata.ISRChangeResult, error) {
	s.alterCalls.Add(1)
	time.Sleep(time.Duration(s.alterDelay.Load()))
	s.mu.Lock()
	defer s.mu.Unlock()
	if br, ok := s.img.Brokers[brokerID]; !ok || br.Epoch != brokerEpoch {
		return nil, kerr.StaleBrokerEpoch
	}
	var recs []metadata.Record
	results := make([]metadata.ISRChangeResult, len(changes))
	next := s.img.Clone()
	for i, c := range changes {
		res := &results[i]
		res.TopicID, res.Partition = c.TopicID, c.Partition
		t, ok := next.TopicsByID[c.TopicID]
		if !ok || t.Partitions[c.Partition] == nil {
			res.Err = kerr.UnknownTopicID
			continue
		}
		part := t.Partitions[c.Partition]
		switch {
		case part.Leader != brokerID:
			res.Err = kerr.NotLeaderForPartition
		case c.LeaderEpoch != part.LeaderEpoch:
			res.Err = kerr.FencedLeaderEpoch
		case c.PartitionEpoch != part.PartitionEpoch:
			res.Err = kerr.InvalidUpdateVersion
		}
		for _, id := range c.NewISR {
			if br, ok := next.Brokers[id]; res.Err == nil && !slices.Contains(part.ISR, id) && (!ok || br.Fenced || br.InControlledShutdown) {
				res.Err = kerr.IneligibleReplica
			}
		}
		if res.Err != nil {
			res.State = part
			continue
		}
		rec := metadata.NewPartitionChangeRecord()
		rec.TopicID, rec.PartitionID, rec.ISR = c.TopicID, c.Partition, slices.Clone(c.NewISR)
		if err := next.Apply(rec); err != nil {
			return nil, err
		}
		recs = append(recs, rec)
		res.State = next.TopicsByID[c.TopicID].Partitions[c.Partition]
	}
	return results, s.applyLocked(recs...)
}

// ControlledShutdown does what Kafka's KRaft controller does for a broker that asks to
// shut down: marks it, takes it out of every ISR it is not alone in, and moves its
// leaderships to the first other live ISR member.
func (s *fakeSource) ControlledShutdown(_ context.Context, brokerID int32, brokerEpoch int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shutdowns = append(s.shutdowns, brokerID)
	if br, ok := s.img.Brokers[brokerID]; !ok || br.Epoch != brokerEpoch {
		return kerr.StaleBrokerEpoch
	}
	recs := []metadata.Record{&metadata.BrokerRegistrationChangeRecord{
		BrokerID: brokerID, BrokerEpoch: brokerEpoch, Fenced: metadata.BrokerFencingNone,
		InControlledShutdown: metadata.BrokerControlledShutdownActive,
	}}
	for _, t := range s.img.Topics {
		for _, part := range t.Partitions {
			if !part.InISR(brokerID) || len(part.ISR) == 1 {
				continue
			}
			rec := metadata.NewPartitionChangeRecord()
			rec.TopicID, rec.PartitionID = t.ID, part.ID
			rec.ISR = slices.DeleteFunc(slices.Clone(part.ISR), func(id int32) bool { return id == brokerID })
			if part.Leader == brokerID {
				rec.Leader = rec.ISR[0]
			}
			recs = append(recs, rec)
		}
	}
	return s.applyLocked(recs...)
}

func (s *fakeSource) CreateTopics(_ context.Context, specs []metadata.TopicSpec, _ bool) []metadata.CreateTopicResult {
	out := make([]metadata.CreateTopicResult, len(specs))
	for i, spec := range specs {
		out[i] = metadata.CreateTopicResult{Name: spec.Name, Err: errNotInFakeSource}
	}
	return out
}

func (s *fakeSource) DeleteTopics(_ context.Context, names []string) []error {
	out := make([]error, len(names))
	for i := range out {
		out[i] = errNotInFakeSource
	}
	return out
}

func (s *fakeSource) CreatePartitions(context.Context, string, int32, [][]int32, bool) error {
	return errNotInFakeSource
}

func (s *fakeSource) AlterConfigs(context.Context, metadata.ConfigResource, []metadata.ConfigChange, bool, bool) error {
	return errNotInFakeSource
}

func (s *fakeSource) ElectLeaders(context.Context, bool, map[string][]int32) ([]metadata.ElectionResult, error) {
	return nil, errNotInFakeSource
}

// createTopic adds a one-partition topic with its replica assignment, leader and ISR,
// and topic configs.
func (s *fakeSource) createTopic(t testing.TB, name string, replicas []int32, leader int32, isr []int32, configs map[string]string) metadata.Uuid {
	t.Helper()
	id := metadata.RandomUuid()
	recs := []metadata.Record{&metadata.TopicRecord{Name: name, TopicID: id}}
	part := metadata.NewPartitionRecord()
	part.TopicID, part.PartitionID, part.Replicas, part.ISR, part.Leader = id, 0, replicas, isr, leader
	part.LeaderEpoch, part.PartitionEpoch = 0, 0
	recs = append(recs, part)
	for k, v := range configs {
		recs = append(recs, &metadata.ConfigRecord{ResourceType: metadata.ConfigResourceTopic, ResourceName: name, Name: k, Value: &v})
	}
	s.apply(t, recs...)
	return id
}

// electLeader moves a partition's leadership, as an election by the controller: a new
// leader epoch, and the ISR given.
func (s *fakeSource) electLeader(t testing.TB, topic string, leader int32, isr []int32) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := metadata.NewPartitionChangeRecord()
	rec.TopicID, rec.PartitionID, rec.Leader, rec.ISR = s.img.Topics[topic].ID, 0, leader, slices.Clone(isr)
	if err := s.applyLocked(rec); err != nil {
		t.Fatal(err)
	}
}

// partition is the image's view of a topic's partition 0.
func (s *fakeSource) partition(topic string) metadata.Partition {
	p, _ := s.Image().Partition(topic, 0)
	return *p
}

func (s *fakeSource) controlledShutdowns() []int32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.shutdowns)
}
