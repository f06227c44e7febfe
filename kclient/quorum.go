package kclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// metadataTopic is the KRaft metadata log's name in Kafka's protocol.
const metadataTopic = "__cluster_metadata"

// DescribeQuorumOptions are kafka-metadata-quorum describe's flags. Either
// Conn.BootstrapServers names brokers, which forward DescribeQuorum to the quorum, or
// BootstrapControllers names controllers, which answer it themselves; Conn.Properties
// applies to both.
type DescribeQuorumOptions struct {
	Conn
	BootstrapControllers string // comma-separated host:port list of controller listeners
	Replication          bool   // --replication's table; false is --status's summary
	HumanReadable        bool   // --replication's timestamps as "N ms ago" (text only)
	JSON                 bool
}

// DescribeQuorum prints the metadata quorum as kafka-metadata-quorum describe does.
// Only the quorum leader answers DescribeQuorum, and Kafka's admin client finds it
// through the metadata the brokers serve; a controller list has no such metadata, so
// each address is asked in turn until one answers without error: the leader, or a
// broker that forwards to it.
func DescribeQuorum(ctx context.Context, out io.Writer, o DescribeQuorumOptions) error {
	conn, controllers := o.Conn, o.BootstrapControllers != ""
	if controllers {
		conn.BootstrapServers = o.BootstrapControllers
	}
	addrs := splitList(conn.BootstrapServers)
	if len(addrs) == 0 {
		return errors.New("one of --bootstrap-server or --bootstrap-controller is required")
	}
	cl, err := conn.newClient(roleAdmin)
	if err != nil {
		return fmt.Errorf("describe metadata quorum: %w", err)
	}
	defer cl.Close()
	// Seed brokers are addressed directly, in the order given, without the Metadata
	// request a controller listener does not serve.
	seeds := cl.SeedBrokers()
	var errs []error
	for i, b := range seeds {
		q, err := describeQuorumAt(ctx, b, addrs[i], controllers, !o.Replication)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", addrs[i], err))
			if ctx.Err() != nil {
				break
			}
			continue
		}
		if o.Replication {
			return writeQuorumReplication(out, q, time.Now(), o.HumanReadable, o.JSON)
		}
		return writeQuorumStatus(out, q, o.JSON)
	}
	return fmt.Errorf("describe metadata quorum: %w", errors.Join(errs...))
}

// describeQuorumAt asks one listener. --status also needs the cluster id, which
// DescribeQuorum does not carry; it comes from DescribeCluster on the same listener,
// and when that fails the quorum is still printed, without it.
func describeQuorumAt(ctx context.Context, b *kgo.Broker, addr string, controllers, withClusterID bool) (QuorumDescription, error) {
	req := kmsg.NewPtrDescribeQuorumRequest()
	topic := kmsg.NewDescribeQuorumRequestTopic()
	topic.Topic = metadataTopic
	topic.Partitions = []kmsg.DescribeQuorumRequestTopicPartition{kmsg.NewDescribeQuorumRequestTopicPartition()}
	req.Topics = append(req.Topics, topic)
	resp, err := b.Request(ctx, req)
	if err != nil {
		return QuorumDescription{}, fmt.Errorf("DescribeQuorum: %w", err)
	}
	q, err := quorumFromResponse(resp.(*kmsg.DescribeQuorumResponse))
	if err != nil {
		return QuorumDescription{}, err
	}
	if withClusterID {
		if q.ClusterID, err = describeClusterID(ctx, b, controllers); err != nil {
			slog.Warn("printing the quorum without its cluster id", "address", addr, "err", err)
		}
	}
	return q, nil
}

// describeClusterID asks DescribeCluster for the cluster id. A controller answers it
// only for its own endpoint type (KIP-919), so controllers are asked for type 2.
func describeClusterID(ctx context.Context, b *kgo.Broker, controllers bool) (string, error) {
	req := kmsg.NewPtrDescribeClusterRequest()
	if controllers {
		req.EndpointType = 2
	}
	kresp, err := b.Request(ctx, req)
	if err != nil {
		return "", fmt.Errorf("DescribeCluster: %w", err)
	}
	resp := kresp.(*kmsg.DescribeClusterResponse)
	if err := kafkaErr(resp.ErrorCode, resp.ErrorMessage); err != nil {
		return "", fmt.Errorf("DescribeCluster: %w", err)
	}
	return resp.ClusterID, nil
}

// QuorumDescription is one DescribeQuorum answer for __cluster_metadata-0, plus the
// cluster id from DescribeCluster ("" when it could not be learned).
type QuorumDescription struct {
	ClusterID     string
	LeaderID      int32
	LeaderEpoch   int32
	HighWatermark int64
	Voters        []QuorumReplica
	Observers     []QuorumReplica
}

// QuorumReplica is one voter or observer. Timestamps are Unix milliseconds, -1 when
// unknown, as on the wire.
type QuorumReplica struct {
	ID                    int32
	DirectoryID           [16]byte // all zero before KIP-853 (DescribeQuorum v2)
	LogEndOffset          int64
	LastFetchTimestamp    int64
	LastCaughtUpTimestamp int64
	Endpoints             []string // LISTENER://host:port from DescribeQuorum v2's Nodes
}

// quorumFromResponse reads the metadata partition out of a DescribeQuorum response.
// A voter that is not the leader answers NOT_LEADER_OR_FOLLOWER with the leader it
// knows, which the error names so that the operator knows where to go.
func quorumFromResponse(resp *kmsg.DescribeQuorumResponse) (QuorumDescription, error) {
	if err := kafkaErr(resp.ErrorCode, resp.ErrorMessage); err != nil {
		return QuorumDescription{}, fmt.Errorf("DescribeQuorum: %w", err)
	}
	endpoints := make(map[int32][]string)
	for _, n := range resp.Nodes {
		for _, l := range n.Listeners {
			host := l.Host
			if strings.Contains(host, ":") {
				host = "[" + host + "]"
			}
			endpoints[n.NodeID] = append(endpoints[n.NodeID], fmt.Sprintf("%s://%s:%d", l.Name, host, l.Port))
		}
	}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if t.Topic != metadataTopic || p.Partition != 0 {
				continue
			}
			if err := kafkaErr(p.ErrorCode, p.ErrorMessage); err != nil {
				if p.LeaderID >= 0 {
					return QuorumDescription{}, fmt.Errorf("DescribeQuorum: %w (the quorum leader is %d)", err, p.LeaderID)
				}
				return QuorumDescription{}, fmt.Errorf("DescribeQuorum: %w", err)
			}
			return QuorumDescription{
				LeaderID:      p.LeaderID,
				LeaderEpoch:   p.LeaderEpoch,
				HighWatermark: p.HighWatermark,
				Voters:        replicasFrom(p.CurrentVoters, endpoints),
				Observers:     replicasFrom(p.Observers, endpoints),
			}, nil
		}
	}
	return QuorumDescription{}, fmt.Errorf("DescribeQuorum: the response has no %s-0", metadataTopic)
}

func replicasFrom(states []kmsg.DescribeQuorumResponseTopicPartitionReplicaState, endpoints map[int32][]string) []QuorumReplica {
	out := make([]QuorumReplica, 0, len(states))
	for _, s := range states {
		out = append(out, QuorumReplica{
			ID:                    s.ReplicaID,
			DirectoryID:           s.ReplicaDirectoryID,
			LogEndOffset:          s.LogEndOffset,
			LastFetchTimestamp:    s.LastFetchTimestamp,
			LastCaughtUpTimestamp: s.LastCaughtUpTimestamp,
			Endpoints:             endpoints[s.ReplicaID],
		})
	}
	return out
}
