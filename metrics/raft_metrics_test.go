package metrics

import (
	"math"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestRaftCollector: every raft-metrics value is served under Strimzi's name, the state
// as one series labelled with it, and a latency without samples as NaN, as Kafka
// reports it; the exposition passes Prometheus' lint.
func TestRaftCollector(t *testing.T) {
	c := RaftCollector(func() RaftStats {
		return RaftStats{
			CurrentState: "follower", CurrentLeader: 2, CurrentVote: -1, CurrentEpoch: 7,
			HighWatermark: 120, LogEndOffset: 121, LogEndEpoch: 7,
			CommitLatencyAvg: 2.5, CommitLatencyMax: 4,
			ElectionLatencyAvg: math.NaN(), ElectionLatencyMax: math.NaN(),
			AppendRecordsRate: 0.4, FetchRecordsRate: 1.5,
		}
	})
	const p = "kafka_server_raftmetrics_"
	want := `
# HELP kafka_server_raftmetrics_current_state The current state of this member: leader, candidate, voted, follower, unattached or resigned, as the label (raft-metrics current-state).
# TYPE kafka_server_raftmetrics_current_state untyped
kafka_server_raftmetrics_current_state{current_state="follower"} 1
# HELP kafka_server_raftmetrics_current_leader The current quorum leader's id; -1 when unknown (raft-metrics current-leader).
# TYPE kafka_server_raftmetrics_current_leader gauge
kafka_server_raftmetrics_current_leader 2
# HELP kafka_server_raftmetrics_current_vote The id this member voted for in the current epoch; -1 when none (raft-metrics current-vote).
# TYPE kafka_server_raftmetrics_current_vote gauge
kafka_server_raftmetrics_current_vote -1
# HELP kafka_server_raftmetrics_current_epoch The current quorum epoch (raft-metrics current-epoch).
# TYPE kafka_server_raftmetrics_current_epoch gauge
kafka_server_raftmetrics_current_epoch 7
# HELP kafka_server_raftmetrics_high_watermark The committed offset of the metadata log on this member (raft-metrics high-watermark).
# TYPE kafka_server_raftmetrics_high_watermark gauge
kafka_server_raftmetrics_high_watermark 120
# HELP kafka_server_raftmetrics_log_end_offset The last offset of this member's metadata log (raft-metrics log-end-offset).
# TYPE kafka_server_raftmetrics_log_end_offset gauge
kafka_server_raftmetrics_log_end_offset 121
# HELP kafka_server_raftmetrics_commit_latency_max Maximum ms from append to commit of a metadata batch on the leader (raft-metrics commit-latency-max).
# TYPE kafka_server_raftmetrics_commit_latency_max gauge
kafka_server_raftmetrics_commit_latency_max 4
# HELP kafka_server_raftmetrics_election_latency_avg Average ms this member took from becoming a candidate to knowing a leader (raft-metrics election-latency-avg).
# TYPE kafka_server_raftmetrics_election_latency_avg gauge
kafka_server_raftmetrics_election_latency_avg NaN
# HELP kafka_server_raftmetrics_append_records_rate Metadata records appended per second as the leader (raft-metrics append-records-rate).
# TYPE kafka_server_raftmetrics_append_records_rate gauge
kafka_server_raftmetrics_append_records_rate 0.4
# HELP kafka_server_raftmetrics_fetch_records_rate Metadata records replicated from the leader per second (raft-metrics fetch-records-rate).
# TYPE kafka_server_raftmetrics_fetch_records_rate gauge
kafka_server_raftmetrics_fetch_records_rate 1.5
`
	names := []string{"current_state", "current_leader", "current_vote", "current_epoch", "high_watermark", "log_end_offset", "commit_latency_max", "election_latency_avg", "append_records_rate", "fetch_records_rate"}
	for i := range names {
		names[i] = p + names[i]
	}
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), names...); err != nil {
		t.Fatal(err)
	}
	if n := testutil.CollectAndCount(c); n != 14 {
		t.Fatalf("%d raft-metrics series, want 14", n)
	}
	problems, err := testutil.CollectAndLint(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Fatalf("lint: %v", problems)
	}
}
