package kraftmode

import (
	"context"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// AlterPartition: v0-3, ElectLeaders: v0-2
//
// Behavior:
// * AlterPartition comes from partition leaders shrinking or expanding an ISR; the
//   answer carries each partition's state after the change so the leader need not wait
//   for the metadata log.
// * ElectLeaders with no topics elects every partition, as Kafka's admin tool does.
// Version notes:
// * AlterPartition v1: LeaderRecoveryState; v2: topic ids; v3: ISR with broker epochs
// * ElectLeaders v1: ElectionType, top-level ErrorCode; v2: flexible

func init() {
	serve(56, 0, 3, handleAlterPartition)
	serve(43, 0, 2, handleElectLeaders)
}

func handleAlterPartition(ctx context.Context, s *ControllerServer, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.AlterPartitionRequest)
	resp := req.ResponseKind().(*kmsg.AlterPartitionResponse)
	img := s.c.Image()
	var changes []metadata.ISRChange
	unknownNames := map[string]bool{}
	for _, rt := range req.Topics {
		id := metadata.Uuid(rt.TopicID)
		if req.Version < 2 {
			t, ok := img.Topics[rt.Topic]
			if !ok {
				unknownNames[rt.Topic] = true
				continue
			}
			id = t.ID
		}
		for _, rp := range rt.Partitions {
			ch := metadata.ISRChange{
				TopicID: id, Partition: rp.Partition, LeaderEpoch: rp.LeaderEpoch,
				PartitionEpoch: rp.PartitionEpoch, NewISR: rp.NewISR, LeaderRecoveryState: rp.LeaderRecoveryState,
			}
			if req.Version < 1 {
				ch.LeaderRecoveryState = metadata.LeaderRecoveryStateRecovered
			}
			if req.Version >= 3 {
				ch.NewISR = ch.NewISR[:0]
				for _, e := range rp.NewEpochISR {
					ch.NewISR = append(ch.NewISR, e.BrokerID)
				}
			}
			changes = append(changes, ch)
		}
	}
	results, err := s.c.AlterPartition(ctx, req.BrokerID, req.BrokerEpoch, changes)
	if err != nil {
		resp.ErrorCode = errorCode(err)
		return resp, nil
	}
	byTopic := map[metadata.Uuid]int{}
	for _, r := range results {
		i, ok := byTopic[r.TopicID]
		if !ok {
			i = len(resp.Topics)
			byTopic[r.TopicID] = i
			st := kmsg.NewAlterPartitionResponseTopic()
			st.TopidID = r.TopicID
			if t, ok := img.TopicsByID[r.TopicID]; ok {
				st.Topic = t.Name
			}
			resp.Topics = append(resp.Topics, st)
		}
		sp := kmsg.NewAlterPartitionResponseTopicPartition()
		sp.Partition = r.Partition
		sp.ErrorCode = errorCode(r.Err)
		if r.State != nil {
			sp.LeaderID, sp.LeaderEpoch, sp.ISR = r.State.Leader, r.State.LeaderEpoch, r.State.ISR
			sp.LeaderRecoveryState, sp.PartitionEpoch = r.State.LeaderRecoveryState, r.State.PartitionEpoch
		}
		resp.Topics[i].Partitions = append(resp.Topics[i].Partitions, sp)
	}
	for _, rt := range req.Topics {
		if !unknownNames[rt.Topic] {
			continue
		}
		st := kmsg.NewAlterPartitionResponseTopic()
		st.Topic = rt.Topic
		for _, rp := range rt.Partitions {
			sp := kmsg.NewAlterPartitionResponseTopicPartition()
			sp.Partition = rp.Partition
			sp.ErrorCode = kerr.UnknownTopicOrPartition.Code
			st.Partitions = append(st.Partitions, sp)
		}
		resp.Topics = append(resp.Topics, st)
	}
	return resp, nil
}

func handleElectLeaders(ctx context.Context, s *ControllerServer, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.ElectLeadersRequest)
	resp := req.ResponseKind().(*kmsg.ElectLeadersResponse)
	results, err := s.c.ElectLeaders(ctx, req.ElectionType == 1, metadata.ElectionPartitions(req))
	if err != nil {
		resp.ErrorCode = errorCode(err)
		return resp, nil
	}
	resp.Topics = metadata.ElectionResponseTopics(results, errorCode)
	return resp, nil
}
