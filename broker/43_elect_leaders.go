package broker

import (
	"sort"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// ElectLeaders: v0-2
//
// Behavior:
// * Preferred or unclean election, handed to the metadata source; no topics means
//   every partition, as `kafka-leader-election --all-topic-partitions` sends it.
// * Per-partition errors: ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE,
//   ELIGIBLE_LEADERS_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION.
// Version notes:
// * v1: ElectionType and a top-level ErrorCode
// * v2: flexible

func init() { regKey(43, 0, 2, handleElectLeaders) }

func handleElectLeaders(b *Broker, _ *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.ElectLeadersRequest)
	resp := req.ResponseKind().(*kmsg.ElectLeadersResponse)
	var parts map[string][]int32
	if req.Topics != nil {
		parts = make(map[string][]int32, len(req.Topics))
		for _, t := range req.Topics {
			parts[t.Topic] = append(parts[t.Topic], t.Partitions...)
		}
	}
	ctx, cancel := requestContext(req.TimeoutMillis)
	defer cancel()
	results, err := b.Source().ElectLeaders(ctx, req.ElectionType == 1, parts)
	if err != nil {
		resp.ErrorCode = errorCode(err)
		return resp, nil
	}
	byTopic := map[string]int{}
	for _, r := range results {
		i, ok := byTopic[r.Topic]
		if !ok {
			i = len(resp.Topics)
			byTopic[r.Topic] = i
			t := kmsg.NewElectLeadersResponseTopic()
			t.Topic = r.Topic
			resp.Topics = append(resp.Topics, t)
		}
		p := kmsg.NewElectLeadersResponseTopicPartition()
		p.Partition = r.Partition
		if r.Err != nil {
			p.ErrorCode = errorCode(r.Err)
			msg := r.Err.Error()
			p.ErrorMessage = &msg
		}
		resp.Topics[i].Partitions = append(resp.Topics[i].Partitions, p)
	}
	sort.Slice(resp.Topics, func(i, j int) bool { return resp.Topics[i].Topic < resp.Topics[j].Topic })
	return resp, nil
}
