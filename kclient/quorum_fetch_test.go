package kclient

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/kwire"
)

// fakeController is one controller listener that answers ApiVersions, DescribeQuorum
// with a fixed response, and DescribeCluster with a cluster id, over the real wire.
type fakeController struct {
	addr         string
	quorum       *kmsg.DescribeQuorumResponse
	clusterID    string
	endpointType atomic.Int32 // of the last DescribeCluster request
}

func startFakeController(t *testing.T, quorum *kmsg.DescribeQuorumResponse, clusterID string) *fakeController {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	fc := &fakeController{addr: ln.Addr().String(), quorum: quorum, clusterID: clusterID}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go fc.serve(conn)
		}
	}()
	return fc
}

// serve answers until the client hangs up.
func (fc *fakeController) serve(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	var size [4]byte
	for {
		if _, err := io.ReadFull(r, size[:]); err != nil {
			return
		}
		frame := make([]byte, binary.BigEndian.Uint32(size[:]))
		if _, err := io.ReadFull(r, frame); err != nil {
			return
		}
		hdr, req, body, err := kwire.ParseRequest(frame)
		if err != nil || req.ReadFrom(body) != nil {
			return
		}
		var resp kmsg.Response
		switch req := req.(type) {
		case *kmsg.ApiVersionsRequest:
			av := req.ResponseKind().(*kmsg.ApiVersionsResponse)
			for _, k := range [][3]int16{{18, 0, 3}, {55, 0, 2}, {60, 0, 1}} {
				key := kmsg.NewApiVersionsResponseApiKey()
				key.ApiKey, key.MinVersion, key.MaxVersion = k[0], k[1], k[2]
				av.ApiKeys = append(av.ApiKeys, key)
			}
			resp = av
		case *kmsg.DescribeQuorumRequest:
			dup := *fc.quorum
			resp = &dup
		case *kmsg.DescribeClusterRequest:
			fc.endpointType.Store(int32(req.EndpointType))
			dc := req.ResponseKind().(*kmsg.DescribeClusterResponse)
			dc.ClusterID, dc.ControllerID = fc.clusterID, 2
			resp = dc
		default:
			return
		}
		resp.SetVersion(hdr.Version)
		if _, err := conn.Write(kwire.AppendResponse(nil, hdr, resp)); err != nil {
			return
		}
	}
}

func TestDescribeQuorumAsksEachControllerUntilTheLeader(t *testing.T) {
	notLeader := quorumPartition(2, 4, -1, nil, nil)
	notLeader.ErrorCode = kerr.NotLeaderForPartition.Code
	follower := startFakeController(t, quorumResponse(0, notLeader), "fMCL8kv1SWm87L_Md-I2hg")
	leader := startFakeController(t, quorumResponse(0, quorumPartition(2, 4, 30,
		[]kmsg.DescribeQuorumResponseTopicPartitionReplicaState{
			replicaState(1, 30, 1_700_000_000_000, 1_700_000_000_000),
			replicaState(2, 30, 1_700_000_000_100, 1_700_000_000_100),
		}, nil)), "fMCL8kv1SWm87L_Md-I2hg")

	var out strings.Builder
	err := DescribeQuorum(testContext(t), &out, DescribeQuorumOptions{BootstrapControllers: follower.addr + "," + leader.addr})
	if err != nil {
		t.Fatalf("describe quorum: %v", err)
	}
	for _, want := range []string{"ClusterId:              fMCL8kv1SWm87L_Md-I2hg\n", "LeaderId:               2\n", "HighWatermark:          30\n", "MaxFollowerLagTimeMs:   100\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("status lacks %q:\n%s", want, out.String())
		}
	}
	if got := leader.endpointType.Load(); got != 2 {
		t.Errorf("DescribeCluster asked controllers for endpoint type %d, want 2 (KIP-919)", got)
	}

	out.Reset()
	err = DescribeQuorum(testContext(t), &out, DescribeQuorumOptions{BootstrapControllers: follower.addr, Replication: true})
	if err == nil || !strings.Contains(err.Error(), follower.addr) || !strings.Contains(err.Error(), "the quorum leader is 2") {
		t.Fatalf("asking only a follower: error %v, want it to name %s and the leader", err, follower.addr)
	}
	if out.Len() != 0 {
		t.Errorf("printed %q on failure", out.String())
	}
}
