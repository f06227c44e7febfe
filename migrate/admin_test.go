package migrate

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/kbridge/kbridge/metadata"
)

// fixedMember is a QuorumMember with a fixed image and leader.
type fixedMember struct {
	img    *metadata.Image
	leader int32
}

func (m fixedMember) Image() *metadata.Image { return m.img }
func (m fixedMember) LeaderID() int32        { return m.leader }

// serveAdmin runs an AdminServer for m on a loopback listener and returns its address.
func serveAdmin(t *testing.T, m QuorumMember, nodeID int32, voters func(self string) []Voter) string {
	t.Helper()
	return serveAdminWith(t, m, nodeID, voters, AdminAccess{}, Peer{})
}

// serveAdminWith is serveAdmin with access, every connection coming from peer.
func serveAdminWith(t *testing.T, m QuorumMember, nodeID int32, voters func(self string) []Voter, access AdminAccess, peer Peer) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	s := NewAdminServer(m, nodeID, voters(addr.String()), access, slog.New(slog.DiscardHandler))
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.ServeConn(c, peer)
		}
	}()
	t.Cleanup(func() { ln.Close(); s.Close() })
	return addr.String()
}

func testImage(t *testing.T) *metadata.Image {
	t.Helper()
	img := metadata.NewImage()
	img.ClusterID = "fMCL8kv1SWm87L_Md-I2hg"
	id := metadata.RandomUuid()
	p := metadata.NewPartitionRecord()
	p.PartitionID, p.TopicID, p.Replicas, p.ISR, p.Leader = 0, id, []int32{1, 2}, []int32{1, 2}, 1
	for _, r := range []metadata.Record{
		&metadata.FeatureLevelRecord{Name: metadata.FeatureMetadataVersion, FeatureLevel: 21},
		&metadata.ZkMigrationStateRecord{ZkMigrationState: metadata.ZkMigrationPreMigration},
		&metadata.TopicRecord{Name: "orders", TopicID: id},
		p,
	} {
		if err := img.Apply(r); err != nil {
			t.Fatal(err)
		}
	}
	img.SetPosition(42, 3)
	return img
}

// TestFetchControllerViewFollowsTheLeader: a follower's endpoint names the active
// controller, and the view is the leader's image, rebuilt from its records.
func TestFetchControllerViewFollowsTheLeader(t *testing.T) {
	leaderImg := testImage(t)
	leaderAddr := serveAdmin(t, fixedMember{img: leaderImg, leader: 2}, 2, func(string) []Voter { return nil })
	leaderTCP, err := net.ResolveTCPAddr("tcp", leaderAddr)
	if err != nil {
		t.Fatal(err)
	}
	followerAddr := serveAdmin(t, fixedMember{img: metadata.NewImage(), leader: 2}, 1, func(string) []Voter {
		return []Voter{{ID: 2, Host: leaderTCP.IP.String(), Port: leaderTCP.Port}}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := (&AdminClient{}).FetchControllerView(ctx, followerAddr)
	if err != nil {
		t.Fatal(err)
	}
	if v.NodeID != 2 || v.LeaderID != 2 {
		t.Fatalf("view from node %d (leader %d), want the leader 2", v.NodeID, v.LeaderID)
	}
	img := v.Image
	if img.ClusterID != leaderImg.ClusterID || img.Offset != 42 || img.Epoch != 3 {
		t.Fatalf("image %s at %d/%d, want %s at 42/3", img.ClusterID, img.Offset, img.Epoch, leaderImg.ClusterID)
	}
	if img.ZkMigrationState != metadata.ZkMigrationPreMigration || img.MetadataVersion() != 21 {
		t.Fatalf("state %s mv %d", img.ZkMigrationState.String(), img.MetadataVersion())
	}
	if tp := img.Topics["orders"]; tp == nil || tp.Partitions[0] == nil || tp.Partitions[0].Leader != 1 {
		t.Fatalf("topic orders not rebuilt: %+v", img.Topics)
	}
}

// TestFetchControllerViewUnreachable: no endpoint is an error naming the address.
func TestFetchControllerViewUnreachable(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := (&AdminClient{}).FetchControllerView(ctx, addr); err == nil {
		t.Fatal("no error from an unreachable controller")
	}
}

// TestRecordsHoldNoScramSecrets: GET /v1/records carries a SCRAM credential's name,
// mechanism and iterations but none of its salt or keys, and the view built from it
// still tells the credential apart from another.
func TestRecordsHoldNoScramSecrets(t *testing.T) {
	img := testImage(t)
	cred := &metadata.UserScramCredentialRecord{Name: "alice", Mechanism: metadata.ScramSHA256, Salt: []byte("alice-salt-bytes"),
		StoredKey: []byte("alice-stored-key-0123456789abcdef"), ServerKey: []byte("alice-server-key-0123456789abcdef"), Iterations: 4096}
	apply(t, img, cred)
	addr := serveAdmin(t, fixedMember{img: img, leader: 1}, 1, func(string) []Voter { return nil })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	body, err := (&AdminClient{}).get(ctx, addr, "/v1/records")
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range [][]byte{cred.Salt, cred.StoredKey, cred.ServerKey} {
		if bytes.Contains(body, secret) {
			t.Fatalf("GET /v1/records holds %q", secret)
		}
	}
	v, err := (&AdminClient{}).FetchControllerView(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	got := v.Image.Scram[metadata.ScramKey{Name: "alice", Mechanism: metadata.ScramSHA256}]
	if got == nil || got.Iterations != 4096 || !metadata.SameScram(got, cred) {
		t.Fatalf("the view's credential %+v does not match alice's", got)
	}
	other := *cred
	other.StoredKey = []byte("another-stored-key-0123456789abcd")
	if metadata.SameScram(got, &other) {
		t.Fatal("the redacted credential matches a different one")
	}
}
