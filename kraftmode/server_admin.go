package kraftmode

import (
	"context"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// CreateTopics: v0-7, DeleteTopics: v0-6, CreatePartitions: v0-3, AlterConfigs: v0-2,
// IncrementalAlterConfigs: v0-1, AllocateProducerIds: v0
//
// Behavior:
// * The admin writes a broker forwards to the active controller (and an admin client
//   may send directly); each maps one to one onto the controller's metadata.Source
//   method, so validation and errors are the controller's, as in Kafka.
// * Errors carry the controller's message in ErrorMessage where the version has it.

func init() {
	serve(19, 0, 7, handleCreateTopics)
	serve(20, 0, 6, handleDeleteTopics)
	serve(37, 0, 3, handleCreatePartitions)
	serve(33, 0, 2, handleAlterConfigs)
	serve(44, 0, 1, handleIncrementalAlterConfigs)
	serve(67, 0, 0, handleAllocateProducerIDs)
}

func handleCreateTopics(ctx context.Context, s *ControllerServer, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.CreateTopicsRequest)
	resp := req.ResponseKind().(*kmsg.CreateTopicsResponse)
	specs := make([]metadata.TopicSpec, 0, len(req.Topics))
	for _, rt := range req.Topics {
		specs = append(specs, metadata.TopicSpecFromRequest(rt))
	}
	for _, r := range s.c.CreateTopics(ctx, specs, req.ValidateOnly) {
		st := kmsg.NewCreateTopicsResponseTopic()
		st.Topic = r.Name
		st.NumPartitions, st.ReplicationFactor = -1, -1
		if r.Err != nil {
			st.ErrorCode, st.ErrorMessage = errorCode(r.Err), errorMessage(r.Err)
		} else {
			st.TopicID, st.NumPartitions, st.ReplicationFactor = r.ID, r.NumPartitions, r.ReplicationFactor
		}
		resp.Topics = append(resp.Topics, st)
	}
	return resp, nil
}

func handleDeleteTopics(ctx context.Context, s *ControllerServer, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.DeleteTopicsRequest)
	resp := req.ResponseKind().(*kmsg.DeleteTopicsResponse)
	img := s.c.Image()
	names := append([]string(nil), req.TopicNames...)
	for _, t := range req.Topics {
		switch {
		case t.Topic != nil:
			names = append(names, *t.Topic)
		default:
			if topic, ok := img.TopicsByID[metadata.Uuid(t.TopicID)]; ok {
				names = append(names, topic.Name)
			} else {
				st := kmsg.NewDeleteTopicsResponseTopic()
				st.TopicID = t.TopicID
				st.ErrorCode = kerr.UnknownTopicID.Code
				resp.Topics = append(resp.Topics, st)
			}
		}
	}
	for i, err := range s.c.DeleteTopics(ctx, names) {
		st := kmsg.NewDeleteTopicsResponseTopic()
		name := names[i]
		st.Topic = &name
		if t, ok := img.Topics[name]; ok {
			st.TopicID = t.ID
		}
		st.ErrorCode, st.ErrorMessage = errorCode(err), errorMessage(err)
		resp.Topics = append(resp.Topics, st)
	}
	return resp, nil
}

func handleCreatePartitions(ctx context.Context, s *ControllerServer, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.CreatePartitionsRequest)
	resp := req.ResponseKind().(*kmsg.CreatePartitionsResponse)
	for _, rt := range req.Topics {
		var assignment [][]int32
		for _, a := range rt.Assignment {
			assignment = append(assignment, a.Replicas)
		}
		err := s.c.CreatePartitions(ctx, rt.Topic, rt.Count, assignment, req.ValidateOnly)
		st := kmsg.NewCreatePartitionsResponseTopic()
		st.Topic = rt.Topic
		st.ErrorCode, st.ErrorMessage = errorCode(err), errorMessage(err)
		resp.Topics = append(resp.Topics, st)
	}
	return resp, nil
}

func handleAlterConfigs(ctx context.Context, s *ControllerServer, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.AlterConfigsRequest)
	resp := req.ResponseKind().(*kmsg.AlterConfigsResponse)
	for _, rr := range req.Resources {
		changes := make([]metadata.ConfigChange, 0, len(rr.Configs))
		for _, c := range rr.Configs {
			changes = append(changes, metadata.ConfigChange{Name: c.Name, Op: metadata.ConfigOpSet, Value: c.Value})
		}
		res := metadata.ConfigResource{Type: int8(rr.ResourceType), Name: rr.ResourceName}
		err := s.c.AlterConfigs(ctx, res, changes, false, req.ValidateOnly)
		sr := kmsg.NewAlterConfigsResponseResource()
		sr.ResourceType, sr.ResourceName = rr.ResourceType, rr.ResourceName
		sr.ErrorCode, sr.ErrorMessage = errorCode(err), errorMessage(err)
		resp.Resources = append(resp.Resources, sr)
	}
	return resp, nil
}

func handleIncrementalAlterConfigs(ctx context.Context, s *ControllerServer, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.IncrementalAlterConfigsRequest)
	resp := req.ResponseKind().(*kmsg.IncrementalAlterConfigsResponse)
	for _, rr := range req.Resources {
		changes := make([]metadata.ConfigChange, 0, len(rr.Configs))
		for _, c := range rr.Configs {
			changes = append(changes, metadata.ConfigChange{Name: c.Name, Op: metadata.ConfigOp(c.Op), Value: c.Value})
		}
		res := metadata.ConfigResource{Type: int8(rr.ResourceType), Name: rr.ResourceName}
		err := s.c.AlterConfigs(ctx, res, changes, true, req.ValidateOnly)
		sr := kmsg.NewIncrementalAlterConfigsResponseResource()
		sr.ResourceType, sr.ResourceName = rr.ResourceType, rr.ResourceName
		sr.ErrorCode, sr.ErrorMessage = errorCode(err), errorMessage(err)
		resp.Resources = append(resp.Resources, sr)
	}
	return resp, nil
}

func handleAllocateProducerIDs(ctx context.Context, s *ControllerServer, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.AllocateProducerIDsRequest)
	resp := req.ResponseKind().(*kmsg.AllocateProducerIDsResponse)
	first, n, err := s.c.AllocateProducerIDs(ctx, req.BrokerID, req.BrokerEpoch)
	if err != nil {
		resp.ErrorCode = errorCode(err)
		return resp, nil
	}
	resp.ProducerIDStart, resp.ProducerIDLen = first, n
	return resp, nil
}
