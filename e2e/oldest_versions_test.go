package e2e

import (
	"bufio"
	"context"
	"encoding/binary"
	"io"
	"net"
	"reflect"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kbin"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/kwire"
)

// TestEveryAPIAtItsOldestVersion sends every API the broker advertises at the oldest
// version it advertises, as the oldest client allowed to would, on one connection: each
// is answered (the connection is never closed on it), the answer decodes at that
// version, and no answer carries UNKNOWN_SERVER_ERROR. The advertised ranges are Kafka
// 3.9's.
func TestEveryAPIAtItsOldestVersion(t *testing.T) {
	n := StartSingleNode(t)
	createTopic(t, n.BrokerAddr, "oldest", 1, nil)
	conn, err := net.DialTimeout("tcp", n.BrokerAddr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rt := rawConn{conn: conn, r: bufio.NewReader(conn)}
	av := rt.roundTrip(t, kmsg.NewPtrApiVersionsRequest(), 0).(*kmsg.ApiVersionsResponse)
	want := map[int16][2]int16{0: {0, 11}, 1: {0, 17}, 2: {0, 9}, 3: {0, 12}, 10: {0, 6}, 22: {0, 5}, 55: {0, 2}}
	for _, k := range av.ApiKeys {
		if w, ok := want[k.ApiKey]; ok && (k.MinVersion != w[0] || k.MaxVersion != w[1]) {
			t.Errorf("%s advertised %d-%d, Kafka 3.9 serves %d-%d", kmsg.NameForKey(k.ApiKey), k.MinVersion, k.MaxVersion, w[0], w[1])
		}
		req := kmsg.RequestForKey(k.ApiKey)
		oldestRequest(req)
		resp := rt.roundTrip(t, req, k.MinVersion)
		if code, ok := errorCodeOf(resp); ok && code == kerr.UnknownServerError.Code {
			t.Errorf("%s v%d answered UNKNOWN_SERVER_ERROR: %+v", kmsg.NameForKey(k.ApiKey), k.MinVersion, resp)
		}
	}
}

// oldestRequest fills in what a minimal valid request of its kind needs: a topic to
// name, a group, a fetch that does not wait.
func oldestRequest(req kmsg.Request) {
	switch r := req.(type) {
	case *kmsg.ProduceRequest:
		r.Acks, r.TimeoutMillis = 1, 5000
	case *kmsg.FetchRequest:
		r.MaxWaitMillis, r.MinBytes, r.ReplicaID = 0, 0, -1
		t := kmsg.NewFetchRequestTopic()
		t.Topic = "oldest"
		p := kmsg.NewFetchRequestTopicPartition()
		p.PartitionMaxBytes = 1 << 20
		t.Partitions = append(t.Partitions, p)
		r.Topics = append(r.Topics, t)
	case *kmsg.ListOffsetsRequest:
		t := kmsg.NewListOffsetsRequestTopic()
		t.Topic = "oldest"
		p := kmsg.NewListOffsetsRequestTopicPartition()
		p.Timestamp = -1
		t.Partitions = append(t.Partitions, p)
		r.Topics = append(r.Topics, t)
	case *kmsg.FindCoordinatorRequest:
		r.CoordinatorKey = "oldest-group"
	case *kmsg.OffsetFetchRequest:
		r.Group = "oldest-group"
	case *kmsg.DescribeGroupsRequest:
		r.Groups = []string{"oldest-group"}
	case *kmsg.DescribeQuorumRequest:
		t := kmsg.NewDescribeQuorumRequestTopic()
		t.Topic = "__cluster_metadata"
		t.Partitions = append(t.Partitions, kmsg.NewDescribeQuorumRequestTopicPartition())
		r.Topics = append(r.Topics, t)
	case *kmsg.DescribeConfigsRequest:
		res := kmsg.NewDescribeConfigsRequestResource()
		res.ResourceType, res.ResourceName = kmsg.ConfigResourceTypeTopic, "oldest"
		r.Resources = append(r.Resources, res)
	}
}

// errorCodeOf is a response's top-level ErrorCode, when it has one.
func errorCodeOf(resp kmsg.Response) (int16, bool) {
	f := reflect.ValueOf(resp).Elem().FieldByName("ErrorCode")
	if !f.IsValid() {
		return 0, false
	}
	return int16(f.Int()), true
}

// rawConn speaks Kafka's framing by hand, so a request goes out at exactly the version
// asked for, with nothing negotiated.
type rawConn struct {
	conn net.Conn
	r    *bufio.Reader
	corr int32
}

func (c *rawConn) roundTrip(t *testing.T, req kmsg.Request, version int16) kmsg.Response {
	t.Helper()
	c.corr++
	req.SetVersion(version)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	dl, _ := ctx.Deadline()
	c.conn.SetDeadline(dl)
	if _, err := c.conn.Write(kwire.AppendRequest(nil, c.corr, "oldest", req)); err != nil {
		t.Fatalf("%s v%d: write: %v", kmsg.NameForKey(req.Key()), version, err)
	}
	var size [4]byte
	if _, err := io.ReadFull(c.r, size[:]); err != nil {
		t.Fatalf("%s v%d: the broker closed the connection instead of answering: %v", kmsg.NameForKey(req.Key()), version, err)
	}
	body := make([]byte, binary.BigEndian.Uint32(size[:]))
	if _, err := io.ReadFull(c.r, body); err != nil {
		t.Fatalf("%s v%d: read: %v", kmsg.NameForKey(req.Key()), version, err)
	}
	rd := kbin.Reader{Src: body}
	if corr := rd.Int32(); corr != c.corr {
		t.Fatalf("%s v%d: correlation id %d, want %d", kmsg.NameForKey(req.Key()), version, corr, c.corr)
	}
	resp := req.ResponseKind()
	resp.SetVersion(version)
	if resp.IsFlexible() && req.Key() != 18 {
		for n := rd.Uvarint(); n > 0; n-- {
			rd.Uvarint()
			rd.Span(int(rd.Uvarint()))
		}
	}
	if err := resp.ReadFrom(rd.Src); err != nil {
		t.Fatalf("%s v%d: answer does not decode: %v", kmsg.NameForKey(req.Key()), version, err)
	}
	return resp
}
