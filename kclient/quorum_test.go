package kclient

import (
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func replicaState(id int32, leo, lastFetch, lastCaughtUp int64) kmsg.DescribeQuorumResponseTopicPartitionReplicaState {
	s := kmsg.NewDescribeQuorumResponseTopicPartitionReplicaState()
	s.ReplicaID, s.LogEndOffset, s.LastFetchTimestamp, s.LastCaughtUpTimestamp = id, leo, lastFetch, lastCaughtUp
	return s
}

// quorumResponse is a DescribeQuorum response with one partition, __cluster_metadata-0.
func quorumResponse(version int16, p kmsg.DescribeQuorumResponseTopicPartition, nodes ...kmsg.DescribeQuorumResponseNode) *kmsg.DescribeQuorumResponse {
	resp := kmsg.NewPtrDescribeQuorumResponse()
	resp.Version = version
	t := kmsg.NewDescribeQuorumResponseTopic()
	t.Topic = metadataTopic
	t.Partitions = append(t.Partitions, p)
	resp.Topics = append(resp.Topics, t)
	resp.Nodes = nodes
	return resp
}

func quorumPartition(leader, epoch int32, hw int64, voters, observers []kmsg.DescribeQuorumResponseTopicPartitionReplicaState) kmsg.DescribeQuorumResponseTopicPartition {
	p := kmsg.NewDescribeQuorumResponseTopicPartition()
	p.LeaderID, p.LeaderEpoch, p.HighWatermark = leader, epoch, hw
	p.CurrentVoters, p.Observers = voters, observers
	return p
}

func controllerNode(id int32, host string, port uint16) kmsg.DescribeQuorumResponseNode {
	n := kmsg.NewDescribeQuorumResponseNode()
	n.NodeID = id
	l := kmsg.NewDescribeQuorumResponseNodeListener()
	l.Name, l.Host, l.Port = "CONTROLLER", host, port
	n.Listeners = append(n.Listeners, l)
	return n
}

func TestQuorumFormatting(t *testing.T) {
	now := time.UnixMilli(1_700_000_001_000)

	// A v1 answer: no directory ids, no endpoints; follower 3 is five entries behind.
	lagging := quorumResponse(1, quorumPartition(2, 5, 120,
		[]kmsg.DescribeQuorumResponseTopicPartitionReplicaState{
			replicaState(1, 120, 1_700_000_000_100, 1_700_000_000_050),
			replicaState(2, 120, 1_700_000_000_200, 1_700_000_000_200),
			replicaState(3, 115, 1_700_000_000_150, 1_699_999_999_000),
		},
		[]kmsg.DescribeQuorumResponseTopicPartitionReplicaState{replicaState(4, 120, 1_700_000_000_180, 1_700_000_000_180)},
	))

	// A v2 answer with KIP-853 directory ids and endpoints, every voter in sync.
	inSync := quorumResponse(2, quorumPartition(1, 7, 50,
		[]kmsg.DescribeQuorumResponseTopicPartitionReplicaState{
			replicaState(1, 50, 1_700_000_000_900, 1_700_000_000_900),
			replicaState(2, 50, 1_700_000_000_800, 1_700_000_000_800),
			replicaState(3, 50, 1_700_000_000_700, 1_700_000_000_700),
		}, nil),
		controllerNode(1, "localhost", 9093), controllerNode(2, "::1", 9094))
	inSync.Topics[0].Partitions[0].CurrentVoters[0].ReplicaDirectoryID = [16]byte{0: 1, 15: 0xff}
	inSync.Topics[0].Partitions[0].CurrentVoters[1].ReplicaDirectoryID = [16]byte{0: 2}

	// A voter the leader never heard from, and a fetch time ahead of this host's clock.
	unknown := quorumResponse(1, quorumPartition(3, 2, 10,
		[]kmsg.DescribeQuorumResponseTopicPartitionReplicaState{
			replicaState(1, -1, -1, -1),
			replicaState(3, 10, 1_700_000_001_250, 1_700_000_000_600),
		}, nil))

	for _, tc := range []struct {
		name        string
		resp        *kmsg.DescribeQuorumResponse
		clusterID   string
		status      string
		replication string
		human       string // --replication --human-readable; "" when not checked
	}{{
		name:      "lagging follower",
		resp:      lagging,
		clusterID: "fMCL8kv1SWm87L_Md-I2hg",
		status: "" +
			"ClusterId:              fMCL8kv1SWm87L_Md-I2hg\n" +
			"LeaderId:               2\n" +
			"LeaderEpoch:            5\n" +
			"HighWatermark:          120\n" +
			"MaxFollowerLag:         5\n" +
			"MaxFollowerLagTimeMs:   1200\n" +
			"CurrentVoters:          [{\"id\": 1}, {\"id\": 2}, {\"id\": 3}]\n" +
			"CurrentObservers:       [{\"id\": 4}]\n",
		replication: "" +
			"NodeId\tDirectoryId           \tLogEndOffset\tLag\tLastFetchTimestamp\tLastCaughtUpTimestamp\tStatus  \t\n" +
			"2     \tAAAAAAAAAAAAAAAAAAAAAA\t120         \t0  \t1700000000200     \t1700000000200        \tLeader  \t\n" +
			"1     \tAAAAAAAAAAAAAAAAAAAAAA\t120         \t0  \t1700000000100     \t1700000000050        \tFollower\t\n" +
			"3     \tAAAAAAAAAAAAAAAAAAAAAA\t115         \t5  \t1700000000150     \t1699999999000        \tFollower\t\n" +
			"4     \tAAAAAAAAAAAAAAAAAAAAAA\t120         \t0  \t1700000000180     \t1700000000180        \tObserver\t\n",
		human: "" +
			"NodeId\tDirectoryId           \tLogEndOffset\tLag\tLastFetchTimestamp\tLastCaughtUpTimestamp\tStatus  \t\n" +
			"2     \tAAAAAAAAAAAAAAAAAAAAAA\t120         \t0  \t800 ms ago        \t800 ms ago           \tLeader  \t\n" +
			"1     \tAAAAAAAAAAAAAAAAAAAAAA\t120         \t0  \t900 ms ago        \t950 ms ago           \tFollower\t\n" +
			"3     \tAAAAAAAAAAAAAAAAAAAAAA\t115         \t5  \t850 ms ago        \t2000 ms ago          \tFollower\t\n" +
			"4     \tAAAAAAAAAAAAAAAAAAAAAA\t120         \t0  \t820 ms ago        \t820 ms ago           \tObserver\t\n",
	}, {
		name: "in sync with directory ids and endpoints",
		resp: inSync,
		status: "" +
			"ClusterId:              unknown\n" +
			"LeaderId:               1\n" +
			"LeaderEpoch:            7\n" +
			"HighWatermark:          50\n" +
			"MaxFollowerLag:         0\n" +
			"MaxFollowerLagTimeMs:   0\n" +
			"CurrentVoters:          [{\"id\": 1, \"directoryId\": \"AQAAAAAAAAAAAAAAAAAA_w\", \"endpoints\": [\"CONTROLLER://localhost:9093\"]}, " +
			"{\"id\": 2, \"directoryId\": \"AgAAAAAAAAAAAAAAAAAAAA\", \"endpoints\": [\"CONTROLLER://[::1]:9094\"]}, {\"id\": 3}]\n" +
			"CurrentObservers:       []\n",
		replication: "" +
			"NodeId\tDirectoryId           \tLogEndOffset\tLag\tLastFetchTimestamp\tLastCaughtUpTimestamp\tStatus  \t\n" +
			"1     \tAQAAAAAAAAAAAAAAAAAA_w\t50          \t0  \t1700000000900     \t1700000000900        \tLeader  \t\n" +
			"2     \tAgAAAAAAAAAAAAAAAAAAAA\t50          \t0  \t1700000000800     \t1700000000800        \tFollower\t\n" +
			"3     \tAAAAAAAAAAAAAAAAAAAAAA\t50          \t0  \t1700000000700     \t1700000000700        \tFollower\t\n",
	}, {
		name:      "voter never heard from",
		resp:      unknown,
		clusterID: "c1",
		status: "" +
			"ClusterId:              c1\n" +
			"LeaderId:               3\n" +
			"LeaderEpoch:            2\n" +
			"HighWatermark:          10\n" +
			"MaxFollowerLag:         11\n" +
			"MaxFollowerLagTimeMs:   -1\n" +
			"CurrentVoters:          [{\"id\": 1}, {\"id\": 3}]\n" +
			"CurrentObservers:       []\n",
		replication: "" +
			"NodeId\tDirectoryId           \tLogEndOffset\tLag\tLastFetchTimestamp\tLastCaughtUpTimestamp\tStatus  \t\n" +
			"3     \tAAAAAAAAAAAAAAAAAAAAAA\t10          \t0  \t1700000001250     \t1700000000600        \tLeader  \t\n" +
			"1     \tAAAAAAAAAAAAAAAAAAAAAA\t-1          \t11 \t-1                \t-1                   \tFollower\t\n",
		human: "" +
			"NodeId\tDirectoryId           \tLogEndOffset\tLag\tLastFetchTimestamp\tLastCaughtUpTimestamp\tStatus  \t\n" +
			"3     \tAAAAAAAAAAAAAAAAAAAAAA\t10          \t0  \t0 ms ago          \t400 ms ago           \tLeader  \t\n" +
			"1     \tAAAAAAAAAAAAAAAAAAAAAA\t-1          \t11 \t-1                \t-1                   \tFollower\t\n",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := quorumFromResponse(tc.resp)
			if err != nil {
				t.Fatalf("read response: %v", err)
			}
			q.ClusterID = tc.clusterID
			var status, replication, human strings.Builder
			if err := writeQuorumStatus(&status, q, false); err != nil {
				t.Fatalf("status: %v", err)
			}
			if status.String() != tc.status {
				t.Errorf("status\n%s\nwant\n%s", status.String(), tc.status)
			}
			if err := writeQuorumReplication(&replication, q, now, false, false); err != nil {
				t.Fatalf("replication: %v", err)
			}
			if replication.String() != tc.replication {
				t.Errorf("replication\n%q\nwant\n%q", replication.String(), tc.replication)
			}
			if tc.human == "" {
				return
			}
			if err := writeQuorumReplication(&human, q, now, true, false); err != nil {
				t.Fatalf("human-readable replication: %v", err)
			}
			if human.String() != tc.human {
				t.Errorf("human-readable replication\n%q\nwant\n%q", human.String(), tc.human)
			}
		})
	}
}

func TestQuorumJSON(t *testing.T) {
	resp := quorumResponse(1, quorumPartition(1, 3, 8,
		[]kmsg.DescribeQuorumResponseTopicPartitionReplicaState{
			replicaState(1, 8, 1_700_000_000_000, 1_700_000_000_000),
			replicaState(2, 6, 1_699_999_999_900, 1_699_999_999_500),
		},
		[]kmsg.DescribeQuorumResponseTopicPartitionReplicaState{replicaState(5, 8, 1_699_999_999_950, 1_699_999_999_950)},
	))
	q, err := quorumFromResponse(resp)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	q.ClusterID = "c1"
	var status, replication strings.Builder
	if err := writeQuorumStatus(&status, q, true); err != nil {
		t.Fatalf("status: %v", err)
	}
	wantStatus := `{
  "cluster_id": "c1",
  "leader_id": 1,
  "leader_epoch": 3,
  "high_watermark": 8,
  "max_follower_lag": 2,
  "max_follower_lag_time_ms": 500,
  "current_voters": [
    {
      "id": 1
    },
    {
      "id": 2
    }
  ],
  "current_observers": [
    {
      "id": 5
    }
  ]
}
`
	if status.String() != wantStatus {
		t.Errorf("status JSON\n%s\nwant\n%s", status.String(), wantStatus)
	}
	if err := writeQuorumReplication(&replication, q, time.Now(), true, true); err != nil {
		t.Fatalf("replication: %v", err)
	}
	// --human-readable changes only the text table; JSON keeps the timestamps.
	for _, want := range []string{`"node_id": 2`, `"lag": 2`, `"last_caught_up_timestamp": 1699999999500`, `"status": "Observer"`, `"directory_id": "AAAAAAAAAAAAAAAAAAAAAA"`} {
		if !strings.Contains(replication.String(), want) {
			t.Errorf("replication JSON lacks %s:\n%s", want, replication.String())
		}
	}
}

func TestQuorumResponseErrors(t *testing.T) {
	notLeader := quorumPartition(2, 4, -1, nil, nil)
	notLeader.ErrorCode = kerr.NotLeaderForPartition.Code
	noLeaderKnown := quorumPartition(-1, 4, -1, nil, nil)
	noLeaderKnown.ErrorCode = kerr.NotLeaderForPartition.Code
	topLevel := quorumResponse(1, quorumPartition(1, 1, 1, nil, nil))
	topLevel.ErrorCode = kerr.ClusterAuthorizationFailed.Code
	otherPartition := quorumPartition(1, 1, 1, nil, nil)
	otherPartition.Partition = 1
	leaderMissing := quorumResponse(1, quorumPartition(9, 1, 1, []kmsg.DescribeQuorumResponseTopicPartitionReplicaState{replicaState(1, 1, 1, 1)}, nil))

	for _, tc := range []struct {
		name, want, notWant string
		resp                *kmsg.DescribeQuorumResponse
	}{
		{name: "follower names the leader", resp: quorumResponse(1, notLeader), want: "DescribeQuorum: NOT_LEADER_FOR_PARTITION: This server is not the leader for that topic-partition. (the quorum leader is 2)"},
		{name: "no leader known", resp: quorumResponse(1, noLeaderKnown), want: "NOT_LEADER_FOR_PARTITION", notWant: "quorum leader is"},
		{name: "top-level error", resp: topLevel, want: "DescribeQuorum: CLUSTER_AUTHORIZATION_FAILED"},
		{name: "no metadata partition", resp: quorumResponse(1, otherPartition), want: "the response has no __cluster_metadata-0"},
		{name: "leader not a voter", resp: leaderMissing, want: "the quorum leader 9 is not among the voters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := quorumFromResponse(tc.resp)
			if err == nil {
				var out strings.Builder
				err = writeQuorumStatus(&out, q, false)
				if err == nil {
					err = writeQuorumReplication(&out, q, time.Now(), false, false)
				}
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if tc.notWant != "" && strings.Contains(err.Error(), tc.notWant) {
				t.Errorf("error %v contains %q", err, tc.notWant)
			}
		})
	}
}
