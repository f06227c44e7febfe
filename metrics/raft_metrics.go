package metrics

import "github.com/prometheus/client_golang/prometheus"

// RaftStats are a KRaft controller's kafka.server:type=raft-metrics values for the
// metadata log. Offsets are those `kbridge metadata-quorum describe` shows.
type RaftStats struct {
	// CurrentState is one of Kafka's names: leader, candidate, voted, follower,
	// unattached, resigned.
	CurrentState  string
	CurrentLeader int32 // -1: unknown
	CurrentVote   int32 // -1: no vote in this epoch
	CurrentEpoch  int64
	HighWatermark int64
	LogEndOffset  int64
	LogEndEpoch   int64
	// CommitLatencyAvg and CommitLatencyMax are in ms over the last windows, NaN
	// without a commit in them; likewise the election latencies.
	CommitLatencyAvg, CommitLatencyMax     float64
	ElectionLatencyAvg, ElectionLatencyMax float64
	// AppendRecordsRate and FetchRecordsRate are records per second.
	AppendRecordsRate, FetchRecordsRate float64
	NumberUnknownVoterConnections       int
}

// raftCollector reports RaftStats as Strimzi's JMX exporter rules for raft-metrics name
// them (kafka_server_raftmetrics_<name with '-' as '_'>). current-state is a string
// MBean attribute; the rule turns it into one series with the state as its
// current_state label and the value 1.
type raftCollector struct {
	numbers statsCollector[RaftStats]
	state   *prometheus.Desc
}

// RaftCollector reports RaftStats.
func RaftCollector(read func() RaftStats) prometheus.Collector {
	const p = "kafka_server_raftmetrics_"
	return &raftCollector{
		state: prometheus.NewDesc(p+"current_state", "The current state of this member: leader, candidate, voted, follower, unattached or resigned, as the label (raft-metrics current-state).", []string{"current_state"}, nil),
		numbers: statsCollector[RaftStats]{read: always(read), gauges: []gaugeDesc[RaftStats]{
			gauge(p+"current_leader", "The current quorum leader's id; -1 when unknown (raft-metrics current-leader).", func(s *RaftStats) float64 { return float64(s.CurrentLeader) }),
			gauge(p+"current_vote", "The id this member voted for in the current epoch; -1 when none (raft-metrics current-vote).", func(s *RaftStats) float64 { return float64(s.CurrentVote) }),
			gauge(p+"current_epoch", "The current quorum epoch (raft-metrics current-epoch).", func(s *RaftStats) float64 { return float64(s.CurrentEpoch) }),
			gauge(p+"high_watermark", "The committed offset of the metadata log on this member (raft-metrics high-watermark).", func(s *RaftStats) float64 { return float64(s.HighWatermark) }),
			gauge(p+"log_end_offset", "The last offset of this member's metadata log (raft-metrics log-end-offset).", func(s *RaftStats) float64 { return float64(s.LogEndOffset) }),
			gauge(p+"log_end_epoch", "The epoch of the last entry of this member's metadata log (raft-metrics log-end-epoch).", func(s *RaftStats) float64 { return float64(s.LogEndEpoch) }),
			gauge(p+"commit_latency_avg", "Average ms from append to commit of a metadata batch on the leader (raft-metrics commit-latency-avg).", func(s *RaftStats) float64 { return s.CommitLatencyAvg }),
			gauge(p+"commit_latency_max", "Maximum ms from append to commit of a metadata batch on the leader (raft-metrics commit-latency-max).", func(s *RaftStats) float64 { return s.CommitLatencyMax }),
			gauge(p+"election_latency_avg", "Average ms this member took from becoming a candidate to knowing a leader (raft-metrics election-latency-avg).", func(s *RaftStats) float64 { return s.ElectionLatencyAvg }),
			gauge(p+"election_latency_max", "Maximum ms this member took from becoming a candidate to knowing a leader (raft-metrics election-latency-max).", func(s *RaftStats) float64 { return s.ElectionLatencyMax }),
			gauge(p+"append_records_rate", "Metadata records appended per second as the leader (raft-metrics append-records-rate).", func(s *RaftStats) float64 { return s.AppendRecordsRate }),
			gauge(p+"fetch_records_rate", "Metadata records replicated from the leader per second (raft-metrics fetch-records-rate).", func(s *RaftStats) float64 { return s.FetchRecordsRate }),
			gauge(p+"number_unknown_voter_connections", "Voters whose address this member does not know (raft-metrics number-unknown-voter-connections).", func(s *RaftStats) float64 { return float64(s.NumberUnknownVoterConnections) }),
		}},
	}
}

func (c *raftCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.state
	c.numbers.Describe(ch)
}

func (c *raftCollector) Collect(ch chan<- prometheus.Metric) {
	s, ok := c.numbers.read()
	if !ok {
		return
	}
	ch <- prometheus.MustNewConstMetric(c.state, prometheus.UntypedValue, 1, s.CurrentState)
	c.numbers.emit(&s, ch)
}
