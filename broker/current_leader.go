package broker

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// currentLeader is KIP-951's hint that goes with NOT_LEADER_OR_FOLLOWER (and, for
// fetches, FENCED_LEADER_EPOCH): the leader and leader epoch this broker's image names,
// so a client can go there without first refreshing its metadata. (-1, -1) when the
// image names none.
func currentLeader(img *metadata.Image, topic string, partition int32) (int32, int32) {
	if part, ok := img.Partition(topic, partition); ok && part.Leader >= 0 {
		return part.Leader, part.LeaderEpoch
	}
	return -1, -1
}

// leaderNodes returns, in id order, the endpoints on listener of the live brokers
// among ids: the NodeEndpoints a response lists for the leaders it names.
func leaderNodes(img *metadata.Image, listener string, ids map[int32]bool) []kmsg.MetadataResponseBroker {
	var out []kmsg.MetadataResponseBroker
	for _, br := range metadataBrokers(img, listener) {
		if ids[br.NodeID] {
			out = append(out, br)
		}
	}
	return out
}

// fillProduceLeaders adds the current leader to every partition answered with
// NOT_LEADER_OR_FOLLOWER, and the leaders' endpoints to the response (Produce v10+).
func (b *Broker) fillProduceLeaders(resp *kmsg.ProduceResponse, listener string) {
	img := b.Image()
	ids := make(map[int32]bool)
	for ti := range resp.Topics {
		rt := &resp.Topics[ti]
		for pi := range rt.Partitions {
			sp := &rt.Partitions[pi]
			if sp.ErrorCode != kerr.NotLeaderForPartition.Code {
				continue
			}
			sp.CurrentLeader.LeaderID, sp.CurrentLeader.LeaderEpoch = currentLeader(img, rt.Topic, sp.Partition)
			if sp.CurrentLeader.LeaderID >= 0 {
				ids[sp.CurrentLeader.LeaderID] = true
			}
		}
	}
	for _, n := range leaderNodes(img, listener, ids) {
		resp.Brokers = append(resp.Brokers, kmsg.ProduceResponseBroker{NodeID: n.NodeID, Host: n.Host, Port: n.Port, Rack: n.Rack})
	}
}

// fillFetchLeaders does the same for a fetch response: CurrentLeader from v12, the
// leaders' endpoints from v16.
func (b *Broker) fillFetchLeaders(img *metadata.Image, resp *kmsg.FetchResponse, names []string, listener string) {
	ids := make(map[int32]bool)
	for ti := range resp.Topics {
		rt := &resp.Topics[ti]
		for pi := range rt.Partitions {
			sp := &rt.Partitions[pi]
			if sp.ErrorCode != kerr.NotLeaderForPartition.Code && sp.ErrorCode != kerr.FencedLeaderEpoch.Code {
				continue
			}
			sp.CurrentLeader.LeaderID, sp.CurrentLeader.LeaderEpoch = currentLeader(img, names[ti], sp.Partition)
			if sp.CurrentLeader.LeaderID >= 0 {
				ids[sp.CurrentLeader.LeaderID] = true
			}
		}
	}
	if resp.Version < 16 {
		return
	}
	for _, n := range leaderNodes(img, listener, ids) {
		resp.Brokers = append(resp.Brokers, kmsg.FetchResponseBroker{NodeID: n.NodeID, Host: n.Host, Port: n.Port, Rack: n.Rack})
	}
}
