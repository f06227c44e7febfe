package broker

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// ListOffsets: v1-7
//
// Behavior:
// * -1 latest (the high watermark), -2 earliest (the log start offset), -3 the offset
//   of the largest timestamp (KIP-734), otherwise the first offset whose timestamp is at
//   or after the one asked for (-1/-1 when there is none).
// * A follower (replica id >= 0) sees the whole log: latest is the log end offset and
//   timestamps are looked up beyond the high watermark, as Kafka answers replicas.
// * read_committed answers like read_uncommitted: there are no transactions.
// Version notes:
// * v2: isolation level
// * v4: current leader epoch (fencing) and leader epoch in the answer
// * v6: flexible
// * v7: max timestamp

func init() { regKey(2, 1, 7, handleListOffsets) }

const (
	listOffsetsLatest       = -1
	listOffsetsEarliest     = -2
	listOffsetsMaxTimestamp = -3
)

func handleListOffsets(b *Broker, _ *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.ListOffsetsRequest)
	resp := req.ResponseKind().(*kmsg.ListOffsetsResponse)
	img := b.Image()
	for _, rt := range req.Topics {
		st := kmsg.NewListOffsetsResponseTopic()
		st.Topic = rt.Topic
		for _, rp := range rt.Partitions {
			sp := kmsg.NewListOffsetsResponseTopicPartition()
			sp.Partition = rp.Partition
			sp.Timestamp = -1
			sp.Offset = -1
			sp.LeaderEpoch = -1
			t, ok := img.Topics[rt.Topic]
			if !ok || t.Partitions[rp.Partition] == nil {
				sp.ErrorCode = kerr.UnknownTopicOrPartition.Code
				st.Partitions = append(st.Partitions, sp)
				continue
			}
			p, ok := b.replicas.Get(rt.Topic, rp.Partition)
			state := partitionState{leader: -1}
			if ok {
				state = p.state()
			}
			switch {
			case state.leader != b.id:
				sp.ErrorCode = kerr.NotLeaderForPartition.Code
			case rp.CurrentLeaderEpoch >= 0 && rp.CurrentLeaderEpoch < state.leaderEpoch:
				sp.ErrorCode = kerr.FencedLeaderEpoch.Code
			case rp.CurrentLeaderEpoch > state.leaderEpoch:
				sp.ErrorCode = kerr.UnknownLeaderEpoch.Code
			default:
				sp.LeaderEpoch = state.leaderEpoch
				visible := state.hw
				if req.ReplicaID >= 0 {
					visible = p.log.LogEndOffset()
				}
				switch rp.Timestamp {
				case listOffsetsLatest:
					sp.Offset = visible
				case listOffsetsEarliest:
					sp.Offset = p.log.LogStartOffset()
				case listOffsetsMaxTimestamp:
					sp.Offset, sp.Timestamp = p.log.MaxTimestamp()
				default:
					if off, ts, found := p.log.OffsetForTimestamp(rp.Timestamp); found && off < visible {
						sp.Offset, sp.Timestamp = off, ts
					}
				}
			}
			st.Partitions = append(st.Partitions, sp)
		}
		resp.Topics = append(resp.Topics, st)
	}
	return resp, nil
}
