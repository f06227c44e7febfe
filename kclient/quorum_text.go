package kclient

import (
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// leader is the voter that leads; Kafka's tool cannot describe a quorum without it.
func (q QuorumDescription) leader() (int, error) {
	for i, v := range q.Voters {
		if v.ID == q.LeaderID {
			return i, nil
		}
	}
	return 0, fmt.Errorf("the quorum leader %d is not among the voters of the answer", q.LeaderID)
}

// QuorumStatus is --status: kafka-metadata-quorum's summary, and its --output json form.
type QuorumStatus struct {
	ClusterID            string       `json:"cluster_id,omitempty"`
	LeaderID             int32        `json:"leader_id"`
	LeaderEpoch          int32        `json:"leader_epoch"`
	HighWatermark        int64        `json:"high_watermark"`
	MaxFollowerLag       int64        `json:"max_follower_lag"`
	MaxFollowerLagTimeMs int64        `json:"max_follower_lag_time_ms"`
	CurrentVoters        []QuorumNode `json:"current_voters"`
	CurrentObservers     []QuorumNode `json:"current_observers"`
}

// QuorumNode is a voter or observer as --status lists it.
type QuorumNode struct {
	ID          int32    `json:"id"`
	DirectoryID string   `json:"directory_id,omitempty"`
	Endpoints   []string `json:"endpoints,omitempty"`
}

// String is Kafka's rendering: {"id": 1, "directoryId": "...", "endpoints": ["..."]},
// the directory id and endpoints only when known.
func (n QuorumNode) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"id": %d`, n.ID)
	if n.DirectoryID != "" {
		fmt.Fprintf(&b, `, "directoryId": "%s"`, n.DirectoryID)
	}
	if len(n.Endpoints) > 0 {
		b.WriteString(`, "endpoints": ["` + strings.Join(n.Endpoints, `", "`) + `"]`)
	}
	b.WriteString("}")
	return b.String()
}

// quorumStatus computes --status as Kafka 3.9 does: the follower with the smallest log
// end offset (the first of equals, the leader included) is the most lagging one, and
// its lag time is how much earlier than the leader it was last caught up.
func quorumStatus(q QuorumDescription) (QuorumStatus, error) {
	li, err := q.leader()
	if err != nil {
		return QuorumStatus{}, err
	}
	leader := q.Voters[li]
	mi := 0
	for i, v := range q.Voters {
		if v.LogEndOffset < q.Voters[mi].LogEndOffset {
			mi = i
		}
	}
	lagging := q.Voters[mi]
	lagTime := int64(-1)
	switch {
	case mi == li:
		lagTime = 0
	case leader.LastCaughtUpTimestamp != -1 && lagging.LastCaughtUpTimestamp != -1:
		lagTime = leader.LastCaughtUpTimestamp - lagging.LastCaughtUpTimestamp
	}
	return QuorumStatus{
		ClusterID:            q.ClusterID,
		LeaderID:             q.LeaderID,
		LeaderEpoch:          q.LeaderEpoch,
		HighWatermark:        q.HighWatermark,
		MaxFollowerLag:       leader.LogEndOffset - lagging.LogEndOffset,
		MaxFollowerLagTimeMs: lagTime,
		CurrentVoters:        quorumNodes(q.Voters),
		CurrentObservers:     quorumNodes(q.Observers),
	}, nil
}

func quorumNodes(rs []QuorumReplica) []QuorumNode {
	out := make([]QuorumNode, 0, len(rs))
	for _, r := range rs {
		n := QuorumNode{ID: r.ID, Endpoints: r.Endpoints}
		if r.DirectoryID != [16]byte{} {
			n.DirectoryID = directoryID(r.DirectoryID)
		}
		out = append(out, n)
	}
	return out
}

// directoryID renders a Kafka Uuid as Kafka does: URL-safe base64 without padding.
func directoryID(id [16]byte) string { return base64.RawURLEncoding.EncodeToString(id[:]) }

// writeQuorumStatus prints --status. Kafka pads each label to 24 columns.
func writeQuorumStatus(out io.Writer, q QuorumDescription, asJSON bool) error {
	s, err := quorumStatus(q)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(out, s)
	}
	clusterID := s.ClusterID
	if clusterID == "" {
		clusterID = "unknown"
	}
	lines := [][2]string{
		{"ClusterId:", clusterID},
		{"LeaderId:", strconv.Itoa(int(s.LeaderID))},
		{"LeaderEpoch:", strconv.Itoa(int(s.LeaderEpoch))},
		{"HighWatermark:", strconv.FormatInt(s.HighWatermark, 10)},
		{"MaxFollowerLag:", strconv.FormatInt(s.MaxFollowerLag, 10)},
		{"MaxFollowerLagTimeMs:", strconv.FormatInt(s.MaxFollowerLagTimeMs, 10)},
		{"CurrentVoters:", nodeList(s.CurrentVoters)},
		{"CurrentObservers:", nodeList(s.CurrentObservers)},
	}
	var b strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&b, "%-24s%s\n", l[0], l[1])
	}
	if _, err := io.WriteString(out, b.String()); err != nil {
		return fmt.Errorf("write quorum status: %w", err)
	}
	return nil
}

func nodeList(ns []QuorumNode) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = n.String()
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// QuorumReplicationRow is one line of --replication, and its --output json form.
type QuorumReplicationRow struct {
	NodeID                int32  `json:"node_id"`
	DirectoryID           string `json:"directory_id"`
	LogEndOffset          int64  `json:"log_end_offset"`
	Lag                   int64  `json:"lag"`
	LastFetchTimestamp    int64  `json:"last_fetch_timestamp"`
	LastCaughtUpTimestamp int64  `json:"last_caught_up_timestamp"`
	Status                string `json:"status"` // Leader, Follower or Observer
}

// quorumReplication lists the leader, then the other voters, then the observers, each
// with its lag behind the leader's log end offset, as Kafka's tool does.
func quorumReplication(q QuorumDescription) ([]QuorumReplicationRow, error) {
	li, err := q.leader()
	if err != nil {
		return nil, err
	}
	leaderEnd := q.Voters[li].LogEndOffset
	row := func(r QuorumReplica, status string) QuorumReplicationRow {
		return QuorumReplicationRow{
			NodeID:                r.ID,
			DirectoryID:           directoryID(r.DirectoryID),
			LogEndOffset:          r.LogEndOffset,
			Lag:                   leaderEnd - r.LogEndOffset,
			LastFetchTimestamp:    r.LastFetchTimestamp,
			LastCaughtUpTimestamp: r.LastCaughtUpTimestamp,
			Status:                status,
		}
	}
	rows := []QuorumReplicationRow{row(q.Voters[li], "Leader")}
	for i, v := range q.Voters {
		if i != li {
			rows = append(rows, row(v, "Follower"))
		}
	}
	for _, o := range q.Observers {
		rows = append(rows, row(o, "Observer"))
	}
	return rows, nil
}

// writeQuorumReplication prints --replication as Kafka's ToolsUtils.prettyPrintTable
// does: every cell padded to its column's width and followed by a tab. With
// humanReadable, timestamps are printed relative to now; one ahead of this host's clock
// (skew between hosts) is printed as 0 ms ago rather than failing the command.
func writeQuorumReplication(out io.Writer, q QuorumDescription, now time.Time, humanReadable, asJSON bool) error {
	rows, err := quorumReplication(q)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(out, rows)
	}
	timestamp := func(ms int64) string {
		if ms == -1 || !humanReadable {
			return strconv.FormatInt(ms, 10)
		}
		return fmt.Sprintf("%d ms ago", max(now.UnixMilli()-ms, 0))
	}
	table := [][]string{{"NodeId", "DirectoryId", "LogEndOffset", "Lag", "LastFetchTimestamp", "LastCaughtUpTimestamp", "Status"}}
	for _, r := range rows {
		table = append(table, []string{
			strconv.Itoa(int(r.NodeID)), r.DirectoryID, strconv.FormatInt(r.LogEndOffset, 10), strconv.FormatInt(r.Lag, 10),
			timestamp(r.LastFetchTimestamp), timestamp(r.LastCaughtUpTimestamp), r.Status,
		})
	}
	widths := make([]int, len(table[0]))
	for _, cells := range table {
		for i, c := range cells {
			widths[i] = max(widths[i], len(c))
		}
	}
	var b strings.Builder
	for _, cells := range table {
		for i, c := range cells {
			fmt.Fprintf(&b, "%-*s\t", widths[i], c)
		}
		b.WriteString("\n")
	}
	if _, err := io.WriteString(out, b.String()); err != nil {
		return fmt.Errorf("write quorum replication: %w", err)
	}
	return nil
}
