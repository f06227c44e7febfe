package broker

import (
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// ListOffsets: v0-9
//
// Behavior:
// * -1 latest (the high watermark), -2 earliest (the log start offset), -3 the offset
//   of the largest timestamp (KIP-734), -4 earliest local (KIP-405: the log start
//   offset, there being no remote tier), -5 latest tiered (KIP-1005: -1, nothing is
//   tiered), otherwise the first offset whose timestamp is at or after the one asked
//   for (-1/-1 when there is none).
// * v0 answers Kafka's old way (legacyFetchOffsetsBefore): up to MaxNumOffsets
//   segment boundaries modified at or before the timestamp, newest first, with the
//   high watermark in place of any offset above it for a consumer; a timestamp below
//   -2 is UNSUPPORTED_VERSION.
// * A follower (replica id >= 0) sees the whole log: latest is the log end offset and
//   timestamps are looked up beyond the high watermark, as Kafka answers replicas.
// * Authorization: Describe on each topic, else TOPIC_AUTHORIZATION_FAILED.
// * read_committed (v2+) sees up to the last stable offset: latest is the LSO and a
//   timestamp lookup finds only offsets below it, as Kafka's lastFetchableOffset.
// Version notes:
// * v1: one offset and its timestamp instead of MaxNumOffsets and OldStyleOffsets
// * v2: isolation level
// * v4: current leader epoch (fencing) and leader epoch in the answer
// * v6: flexible
// * v7: max timestamp
// * v8: earliest local timestamp (-4)
// * v9: latest tiered timestamp (-5)

func init() { regKey(2, 0, 9, handleListOffsets) }

const (
	listOffsetsLatest        = -1
	listOffsetsEarliest      = -2
	listOffsetsMaxTimestamp  = -3
	listOffsetsEarliestLocal = -4
	listOffsetsLatestTiered  = -5
)

// listOffsetsDebugReplica is DEBUGGING_REPLICA_ID: a v0 request from it may be
// answered by any replica, not only the leader.
const listOffsetsDebugReplica = -2

func handleListOffsets(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.ListOffsetsRequest)
	resp := req.ResponseKind().(*kmsg.ListOffsetsResponse)
	img := b.Image()
	describable := c.authorizedTopics(img, metadata.ACLOperationDescribe, namesOf(req.Topics, func(t *kmsg.ListOffsetsRequestTopic) string { return t.Topic }))
	for _, rt := range req.Topics {
		st := kmsg.NewListOffsetsResponseTopic()
		st.Topic = rt.Topic
		for _, rp := range rt.Partitions {
			sp := kmsg.NewListOffsetsResponseTopicPartition()
			sp.Partition = rp.Partition
			sp.Timestamp = -1
			sp.Offset = -1
			sp.LeaderEpoch = -1
			if !describable.allows(rt.Topic) {
				sp.ErrorCode = kerr.TopicAuthorizationFailed.Code
				st.Partitions = append(st.Partitions, sp)
				continue
			}
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
			case state.leader != b.id && !(req.Version == 0 && req.ReplicaID == listOffsetsDebugReplica && ok):
				sp.ErrorCode = kerr.NotLeaderForPartition.Code
			case req.Version == 0:
				sp.OldStyleOffsets, sp.ErrorCode = listOffsetsV0(p, state, rp, req.ReplicaID == -1)
			case rp.CurrentLeaderEpoch >= 0 && rp.CurrentLeaderEpoch < state.leaderEpoch:
				sp.ErrorCode = kerr.FencedLeaderEpoch.Code
			case rp.CurrentLeaderEpoch > state.leaderEpoch:
				sp.ErrorCode = kerr.UnknownLeaderEpoch.Code
			default:
				sp.LeaderEpoch = state.leaderEpoch
				visible := state.hw
				switch {
				case req.ReplicaID >= 0:
					visible = p.log.LogEndOffset()
				case req.IsolationLevel == isolationReadCommitted:
					visible = p.log.LastStableOffset(state.hw)
				}
				switch rp.Timestamp {
				case listOffsetsLatest:
					sp.Offset = visible
				case listOffsetsEarliest, listOffsetsEarliestLocal:
					sp.Offset = p.log.LogStartOffset()
				case listOffsetsLatestTiered:
					sp.Offset, sp.LeaderEpoch = -1, -1
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

// listOffsetsV0 is a v0 answer for one partition: Kafka's legacyFetchOffsetsBefore,
// and for a consumer the high watermark in place of the offsets above it (Partition.
// legacyFetchOffsetsForTimestamp).
func listOffsetsV0(p *Partition, state partitionState, rp kmsg.ListOffsetsRequestTopicPartition, consumer bool) ([]int64, int16) {
	if rp.Timestamp < listOffsetsEarliest {
		return nil, kerr.UnsupportedVersion.Code
	}
	offsets, err := p.log.OffsetsBefore(rp.Timestamp, rp.MaxNumOffsets, time.Now())
	if err != nil {
		return nil, errorCode(err)
	}
	if consumer && len(offsets) > 0 && offsets[0] > state.hw {
		i := 0
		for i < len(offsets) && offsets[i] > state.hw {
			i++
		}
		offsets = append([]int64{state.hw}, offsets[i:]...)
	}
	return offsets, 0
}
