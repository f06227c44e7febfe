package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/zkmode"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// readState reads one partition's state znode without failing the test: a scenario
// waits on states that may not exist yet.
func readState(conn *zkmode.Conn, topic string, p int32) (znode.PartitionState, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	data, _, err := conn.Get(ctx, znode.TopicPartitionStatePath(topic, p))
	if err != nil {
		return znode.PartitionState{}, err
	}
	s, err := znode.DecodePartitionState(data)
	if err != nil {
		return znode.PartitionState{}, fmt.Errorf("decode the state of %s-%d: %w", topic, p, err)
	}
	return s, nil
}

// allStates tells whether every partition of topic has a state znode that ok accepts.
func allStates(conn *zkmode.Conn, topic string, partitions int32, ok func(znode.PartitionState) bool) bool {
	for p := range partitions {
		s, err := readState(conn, topic, p)
		if err != nil || !ok(s) {
			return false
		}
	}
	return true
}

// ledBy lists the partitions of a scenario topic whose state names broker as leader.
func ledBy(t *testing.T, conn *zkmode.Conn, topic string, broker int32) []int32 {
	t.Helper()
	var out []int32
	for p := range int32(zkFaultPartitions) {
		s, err := readState(conn, topic, p)
		if err != nil {
			t.Fatal(err)
		}
		if s.Leader == broker {
			out = append(out, p)
		}
	}
	return out
}

// registration reads a broker's /brokers/ids znode: whether it exists and its czxid,
// the broker epoch of that registration.
func registration(conn *zkmode.Conn, id int32) (bool, int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ok, stat, err := conn.Exists(ctx, znode.BrokerPath(id))
	if err != nil || !ok {
		return false, 0
	}
	return true, stat.Czxid
}

// controllerZNode reads /controller's broker id and czxid, -1 and 0 when there is none.
func controllerZNode(conn *zkmode.Conn) (int32, int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	data, stat, err := conn.Get(ctx, znode.ControllerPath)
	if err != nil {
		return -1, 0
	}
	c, err := znode.DecodeController(data)
	if err != nil {
		return -1, 0
	}
	return c.BrokerID, stat.Czxid
}

// rawRequest sends one request to the broker at addr, and no other: a franz-go client
// would route it by its metadata.
func rawRequest(addr string, timeout time.Duration, req kmsg.Request) (kmsg.Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	conn, err := kwire.Dial(ctx, addr, "e2e")
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	defer conn.Close()
	resp, err := conn.Request(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("%s to %s: %w", kmsg.NameForKey(req.Key()), addr, err)
	}
	return resp, nil
}

// electPreferredAt asks the broker at addr for a preferred election of one partition
// and returns the partition's error code in its answer.
func electPreferredAt(addr, topic string, p int32, timeout time.Duration) (int16, error) {
	req := kmsg.NewPtrElectLeadersRequest()
	req.TimeoutMillis = int32(timeout / time.Millisecond)
	rt := kmsg.NewElectLeadersRequestTopic()
	rt.Topic, rt.Partitions = topic, []int32{p}
	req.Topics = append(req.Topics, rt)
	resp, err := rawRequest(addr, timeout+5*time.Second, req)
	if err != nil {
		return 0, err
	}
	r := resp.(*kmsg.ElectLeadersResponse)
	if r.ErrorCode != 0 {
		return r.ErrorCode, nil
	}
	for _, st := range r.Topics {
		for _, sp := range st.Partitions {
			if st.Topic == topic && sp.Partition == p {
				return sp.ErrorCode, nil
			}
		}
	}
	return 0, fmt.Errorf("ElectLeaders to %s answered nothing for %s-%d", addr, topic, p)
}

// describedController is the controller the broker at addr names in DescribeCluster.
func describedController(addr string) (int32, error) {
	resp, err := rawRequest(addr, 5*time.Second, kmsg.NewPtrDescribeClusterRequest())
	if err != nil {
		return 0, err
	}
	return resp.(*kmsg.DescribeClusterResponse).ControllerID, nil
}

// createTopicAt asks the broker at addr, and no other, to create a topic.
func createTopicAt(addr, topic string, partitions int32, rf int16) error {
	req := kmsg.NewPtrCreateTopicsRequest()
	req.TimeoutMillis = 10000
	rt := kmsg.NewCreateTopicsRequestTopic()
	rt.Topic, rt.NumPartitions, rt.ReplicationFactor = topic, partitions, rf
	req.Topics = append(req.Topics, rt)
	resp, err := rawRequest(addr, 15*time.Second, req)
	if err != nil {
		return err
	}
	if code := resp.(*kmsg.CreateTopicsResponse).Topics[0].ErrorCode; code != 0 {
		return fmt.Errorf("create topic %s at %s: %w", topic, addr, kerr.ErrorForCode(code))
	}
	return nil
}

// logCount counts a line's occurrences in a broker's log.
func logCount(n *Node, line string) int { return strings.Count(n.Log(), line) }
