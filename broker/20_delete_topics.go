package broker

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// DeleteTopics: v0-6
//
// Behavior:
// * Authorization: Delete on each topic, else TOPIC_AUTHORIZATION_FAILED.
// * Topics are removed through the metadata source; every replica deletes its log when
//   the image no longer holds the topic.
// * delete.topic.enable=false answers TOPIC_DELETION_DISABLED.
// Version notes:
// * v4: flexible
// * v5: error messages
// * v6: topics by name or id

func init() { regKey(20, 0, 6, handleDeleteTopics) }

func handleDeleteTopics(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.DeleteTopicsRequest)
	resp := req.ResponseKind().(*kmsg.DeleteTopicsResponse)
	img := b.Image()
	type target struct {
		name string
		id   [16]byte
		err  error
	}
	var targets []target
	if req.Version >= 6 {
		for _, rt := range req.Topics {
			t := target{id: rt.TopicID}
			switch {
			case rt.Topic != nil:
				t.name = *rt.Topic
			case rt.TopicID != [16]byte{}:
				if found, ok := img.TopicsByID[metadata.Uuid(rt.TopicID)]; ok {
					t.name = found.Name
				} else {
					t.err = kerr.UnknownTopicID
				}
			default:
				t.err = kerr.InvalidRequest
			}
			targets = append(targets, t)
		}
	} else {
		for _, name := range req.TopicNames {
			targets = append(targets, target{name: name})
		}
	}
	var names []string
	var idx []int
	for i, t := range targets {
		switch {
		case t.err != nil:
		case !c.authorized(img, metadata.ACLOperationDelete, metadata.ACLResourceTopic, t.name):
			targets[i].err = kerr.TopicAuthorizationFailed
		case !b.cfg.DeleteTopicEnable:
			targets[i].err = kerr.TopicDeletionDisabled
		default:
			names = append(names, t.name)
			idx = append(idx, i)
		}
	}
	if len(names) > 0 {
		ctx, cancel := requestContext(req.TimeoutMillis)
		defer cancel()
		for j, err := range b.Source().DeleteTopics(ctx, names) {
			targets[idx[j]].err = err
		}
	}
	for _, t := range targets {
		st := kmsg.NewDeleteTopicsResponseTopic()
		if t.name != "" {
			name := t.name
			st.Topic = &name
		}
		st.TopicID = t.id
		if found, ok := img.Topics[t.name]; ok {
			st.TopicID = found.ID
		}
		if t.err != nil {
			st.ErrorCode = errorCode(t.err)
			msg := t.err.Error()
			st.ErrorMessage = &msg
		}
		resp.Topics = append(resp.Topics, st)
	}
	return resp, nil
}
