package kraftbroker

import (
	"context"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/kraftmode"
	"github.com/kbridge/kbridge/metadata"
)

// freshWait bounds how long a write waits for this broker's image to show it.
const freshWait = 5 * time.Second

// waitFresh waits until the feed has applied everything the leader had committed when
// the write returned, so the broker answers from an image that holds its own write (a
// created topic is in the next Metadata response). Kafka's brokers do not wait and
// clients retry; waiting here costs one round trip and spares them that.
func (s *BrokerSource) waitFresh(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, freshWait)
	defer cancel()
	info, err := s.DescribeQuorum(ctx)
	if err != nil {
		return
	}
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for s.feed.AppliedOffset() < info.HighWatermark {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// CreateTopics forwards to the active controller.
func (s *BrokerSource) CreateTopics(ctx context.Context, specs []metadata.TopicSpec, validateOnly bool) []metadata.CreateTopicResult {
	req := kmsg.NewPtrCreateTopicsRequest()
	req.TimeoutMillis = timeoutMillis(ctx)
	req.ValidateOnly = validateOnly
	for _, spec := range specs {
		req.Topics = append(req.Topics, spec.RequestTopic())
	}
	results := make([]metadata.CreateTopicResult, len(specs))
	kresp, err := s.rpcCh.Request(ctx, req)
	if err != nil {
		for i, spec := range specs {
			results[i] = metadata.CreateTopicResult{Name: spec.Name, Err: metadata.Errorf(kerr.RequestTimedOut, "%v", err)}
		}
		return results
	}
	byName := map[string]kmsg.CreateTopicsResponseTopic{}
	for _, t := range kresp.(*kmsg.CreateTopicsResponse).Topics {
		byName[t.Topic] = t
	}
	for i, spec := range specs {
		t, ok := byName[spec.Name]
		if !ok {
			results[i] = metadata.CreateTopicResult{Name: spec.Name, Err: metadata.Errorf(kerr.UnknownServerError, "the controller did not answer for topic %s", spec.Name)}
			continue
		}
		results[i] = metadata.CreateTopicResult{
			Name: spec.Name, ID: metadata.Uuid(t.TopicID), NumPartitions: t.NumPartitions,
			ReplicationFactor: t.ReplicationFactor, Err: remoteErr(t.ErrorCode, t.ErrorMessage),
		}
	}
	if !validateOnly {
		s.waitFresh(ctx)
	}
	return results
}

// DeleteTopics forwards to the active controller.
func (s *BrokerSource) DeleteTopics(ctx context.Context, names []string) []error {
	req := kmsg.NewPtrDeleteTopicsRequest()
	req.TimeoutMillis = timeoutMillis(ctx)
	for _, n := range names {
		t := kmsg.NewDeleteTopicsRequestTopic()
		name := n
		t.Topic = &name
		req.Topics = append(req.Topics, t)
		req.TopicNames = append(req.TopicNames, n)
	}
	errs := make([]error, len(names))
	kresp, err := s.rpcCh.Request(ctx, req)
	if err != nil {
		for i := range errs {
			errs[i] = metadata.Errorf(kerr.RequestTimedOut, "%v", err)
		}
		return errs
	}
	byName := map[string]kmsg.DeleteTopicsResponseTopic{}
	for _, t := range kresp.(*kmsg.DeleteTopicsResponse).Topics {
		if t.Topic != nil {
			byName[*t.Topic] = t
		}
	}
	for i, n := range names {
		if t, ok := byName[n]; ok {
			errs[i] = remoteErr(t.ErrorCode, t.ErrorMessage)
		} else {
			errs[i] = metadata.Errorf(kerr.UnknownServerError, "the controller did not answer for topic %s", n)
		}
	}
	s.waitFresh(ctx)
	return errs
}

// CreatePartitions forwards to the active controller.
func (s *BrokerSource) CreatePartitions(ctx context.Context, topic string, total int32, assignment [][]int32, validateOnly bool) error {
	req := kmsg.NewPtrCreatePartitionsRequest()
	req.TimeoutMillis = timeoutMillis(ctx)
	req.ValidateOnly = validateOnly
	rt := kmsg.NewCreatePartitionsRequestTopic()
	rt.Topic, rt.Count = topic, total
	for _, replicas := range assignment {
		a := kmsg.NewCreatePartitionsRequestTopicAssignment()
		a.Replicas = replicas
		rt.Assignment = append(rt.Assignment, a)
	}
	req.Topics = append(req.Topics, rt)
	kresp, err := s.rpcCh.Request(ctx, req)
	if err != nil {
		return metadata.Errorf(kerr.RequestTimedOut, "%v", err)
	}
	resp := kresp.(*kmsg.CreatePartitionsResponse)
	if len(resp.Topics) != 1 {
		return metadata.Errorf(kerr.UnknownServerError, "the controller did not answer for topic %s", topic)
	}
	if err := remoteErr(resp.Topics[0].ErrorCode, resp.Topics[0].ErrorMessage); err != nil {
		return err
	}
	if !validateOnly {
		s.waitFresh(ctx)
	}
	return nil
}

// AlterConfigs forwards to the active controller, as IncrementalAlterConfigs or the
// legacy whole-set AlterConfigs.
func (s *BrokerSource) AlterConfigs(ctx context.Context, res metadata.ConfigResource, changes []metadata.ConfigChange, incremental, validateOnly bool) error {
	var code int16
	var msg *string
	if incremental {
		req := kmsg.NewPtrIncrementalAlterConfigsRequest()
		req.ValidateOnly = validateOnly
		rr := kmsg.NewIncrementalAlterConfigsRequestResource()
		rr.ResourceType, rr.ResourceName = kmsg.ConfigResourceType(res.Type), res.Name
		for _, ch := range changes {
			c := kmsg.NewIncrementalAlterConfigsRequestResourceConfig()
			c.Name, c.Op, c.Value = ch.Name, kmsg.IncrementalAlterConfigOp(ch.Op), ch.Value
			rr.Configs = append(rr.Configs, c)
		}
		req.Resources = append(req.Resources, rr)
		kresp, err := s.rpcCh.Request(ctx, req)
		if err != nil {
			return metadata.Errorf(kerr.RequestTimedOut, "%v", err)
		}
		resp := kresp.(*kmsg.IncrementalAlterConfigsResponse)
		if len(resp.Resources) != 1 {
			return metadata.Errorf(kerr.UnknownServerError, "the controller did not answer for %s", res.Name)
		}
		code, msg = resp.Resources[0].ErrorCode, resp.Resources[0].ErrorMessage
	} else {
		req := kmsg.NewPtrAlterConfigsRequest()
		req.ValidateOnly = validateOnly
		rr := kmsg.NewAlterConfigsRequestResource()
		rr.ResourceType, rr.ResourceName = kmsg.ConfigResourceType(res.Type), res.Name
		for _, ch := range changes {
			c := kmsg.NewAlterConfigsRequestResourceConfig()
			c.Name, c.Value = ch.Name, ch.Value
			rr.Configs = append(rr.Configs, c)
		}
		req.Resources = append(req.Resources, rr)
		kresp, err := s.rpcCh.Request(ctx, req)
		if err != nil {
			return metadata.Errorf(kerr.RequestTimedOut, "%v", err)
		}
		resp := kresp.(*kmsg.AlterConfigsResponse)
		if len(resp.Resources) != 1 {
			return metadata.Errorf(kerr.UnknownServerError, "the controller did not answer for %s", res.Name)
		}
		code, msg = resp.Resources[0].ErrorCode, resp.Resources[0].ErrorMessage
	}
	if err := remoteErr(code, msg); err != nil {
		return err
	}
	if !validateOnly {
		s.waitFresh(ctx)
	}
	return nil
}

// AllocateProducerIDs forwards to the active controller with this broker's current
// epoch.
func (s *BrokerSource) AllocateProducerIDs(ctx context.Context, brokerID int32, _ int64) (int64, int32, error) {
	req := kmsg.NewPtrAllocateProducerIDsRequest()
	req.BrokerID, req.BrokerEpoch = brokerID, s.epoch.Load()
	kresp, err := s.rpcCh.Request(ctx, req)
	if err != nil {
		return 0, 0, metadata.Errorf(kerr.RequestTimedOut, "%v", err)
	}
	resp := kresp.(*kmsg.AllocateProducerIDsResponse)
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		return 0, 0, err
	}
	return resp.ProducerIDStart, resp.ProducerIDLen, nil
}

// AlterPartition forwards a leader's ISR changes with this broker's current epoch
// (the source owns the registration, so the broker's copy may be older).
func (s *BrokerSource) AlterPartition(ctx context.Context, brokerID int32, _ int64, changes []metadata.ISRChange) ([]metadata.ISRChangeResult, error) {
	req := kmsg.NewPtrAlterPartitionRequest()
	req.BrokerID, req.BrokerEpoch = brokerID, s.epoch.Load()
	img := s.Image()
	index := map[metadata.Uuid]int{}
	for _, ch := range changes {
		i, ok := index[ch.TopicID]
		if !ok {
			i = len(req.Topics)
			index[ch.TopicID] = i
			rt := kmsg.NewAlterPartitionRequestTopic()
			rt.TopicID = ch.TopicID
			if t, ok := img.TopicsByID[ch.TopicID]; ok {
				rt.Topic = t.Name
			}
			req.Topics = append(req.Topics, rt)
		}
		rp := kmsg.NewAlterPartitionRequestTopicPartition()
		rp.Partition, rp.LeaderEpoch, rp.PartitionEpoch = ch.Partition, ch.LeaderEpoch, ch.PartitionEpoch
		rp.NewISR, rp.LeaderRecoveryState = ch.NewISR, ch.LeaderRecoveryState
		for _, id := range ch.NewISR {
			e := kmsg.NewAlterPartitionRequestTopicPartitionNewEpochISR()
			e.BrokerID, e.BrokerEpoch = id, -1
			if b, ok := img.Brokers[id]; ok {
				e.BrokerEpoch = b.Epoch
			}
			rp.NewEpochISR = append(rp.NewEpochISR, e)
		}
		req.Topics[i].Partitions = append(req.Topics[i].Partitions, rp)
	}
	kresp, err := s.rpcCh.Request(ctx, req)
	if err != nil {
		return nil, metadata.Errorf(kerr.RequestTimedOut, "%v", err)
	}
	resp := kresp.(*kmsg.AlterPartitionResponse)
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		return nil, err
	}
	var out []metadata.ISRChangeResult
	for _, rt := range resp.Topics {
		id := metadata.Uuid(rt.TopidID)
		if t, ok := img.Topics[rt.Topic]; ok && rt.Topic != "" {
			id = t.ID
		}
		for _, rp := range rt.Partitions {
			r := metadata.ISRChangeResult{TopicID: id, Partition: rp.Partition, Err: kerr.ErrorForCode(rp.ErrorCode)}
			if rp.ErrorCode == 0 || rp.LeaderEpoch >= 0 {
				r.State = &metadata.Partition{
					ID: rp.Partition, Leader: rp.LeaderID, LeaderEpoch: rp.LeaderEpoch, ISR: rp.ISR,
					LeaderRecoveryState: rp.LeaderRecoveryState, PartitionEpoch: rp.PartitionEpoch,
				}
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// ElectLeaders forwards to the active controller.
func (s *BrokerSource) ElectLeaders(ctx context.Context, unclean bool, partitions map[string][]int32) ([]metadata.ElectionResult, error) {
	req := kmsg.NewPtrElectLeadersRequest()
	req.TimeoutMillis = timeoutMillis(ctx)
	if unclean {
		req.ElectionType = 1
	}
	req.Topics = metadata.ElectionRequestTopics(partitions)
	kresp, err := s.rpcCh.Request(ctx, req)
	if err != nil {
		return nil, metadata.Errorf(kerr.RequestTimedOut, "%v", err)
	}
	resp := kresp.(*kmsg.ElectLeadersResponse)
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		return nil, err
	}
	var out []metadata.ElectionResult
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			out = append(out, metadata.ElectionResult{Topic: t.Topic, Partition: p.Partition, Err: remoteErr(p.ErrorCode, p.ErrorMessage)})
		}
	}
	s.waitFresh(ctx)
	return out, nil
}

// DescribeQuorum asks the quorum leader.
func (s *BrokerSource) DescribeQuorum(ctx context.Context) (metadata.QuorumInfo, error) {
	req := kmsg.NewPtrDescribeQuorumRequest()
	rt := kmsg.NewDescribeQuorumRequestTopic()
	rt.Topic = kraftmode.MetadataTopic
	rp := kmsg.NewDescribeQuorumRequestTopicPartition()
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	kresp, err := s.rpcCh.Request(ctx, req)
	if err != nil {
		return metadata.QuorumInfo{}, metadata.Errorf(kerr.RequestTimedOut, "%v", err)
	}
	resp := kresp.(*kmsg.DescribeQuorumResponse)
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		return metadata.QuorumInfo{}, err
	}
	if len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 1 {
		return metadata.QuorumInfo{}, metadata.Errorf(kerr.UnknownServerError, "DescribeQuorum response has no __cluster_metadata-0")
	}
	p := resp.Topics[0].Partitions[0]
	if err := remoteErr(p.ErrorCode, p.ErrorMessage); err != nil {
		return metadata.QuorumInfo{}, err
	}
	return metadata.QuorumInfoFromResponse(p, resp.Nodes), nil
}

// timeoutMillis is the time left on ctx, for requests that carry their own timeout.
func timeoutMillis(ctx context.Context) int32 {
	if dl, ok := ctx.Deadline(); ok {
		return int32(max(time.Until(dl).Milliseconds(), 1))
	}
	return 30000
}
