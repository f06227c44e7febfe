package zkmode

import (
	"context"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/internal/zktest"
	"github.com/kbridge/kbridge/metadata"
)

func testRegistration() metadata.BrokerRegistration {
	return metadata.BrokerRegistration{
		BrokerID:  1,
		Endpoints: []metadata.Endpoint{{Name: "PLAINTEXT", Host: "localhost", Port: 9092}},
		Features:  []metadata.FeatureRange{{Name: metadata.FeatureMetadataVersion, MinVersion: 1, MaxVersion: 21}},
		Rack:      "r1",
	}
}

// TestSourceRegistersAndReregisters: the registration appears in the image with the
// czxid as broker epoch; after the session expires the source registers again, with
// a higher epoch; a second broker with the same id waits until the first is gone.
func TestSourceRegistersAndReregisters(t *testing.T) {
	srv := zktest.Start(t)
	conn := dial(t, srv.Addr())
	s := startSource(t, conn, "")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	epoch, err := s.RegisterBroker(ctx, testRegistration())
	if err != nil {
		t.Fatal(err)
	}
	_, stat, err := conn.Get(ctx, BrokerPath(1))
	if err != nil || stat.Czxid != epoch || stat.EphemeralOwner != conn.SessionID() {
		t.Fatalf("registration znode %+v (err %v), epoch %d", stat, err, epoch)
	}
	waitImage(t, s, "broker 1 registered with its epoch", func(img *metadata.Image) bool {
		b := img.Brokers[1]
		return b != nil && b.Epoch == epoch && b.Rack == "r1" && !b.Fenced
	})

	events := conn.SessionEvents()
	srv.ExpireSession(conn.SessionID())
	waitSession(t, events, zk.StateExpired)
	waitSession(t, events, zk.StateHasSession)
	waitImage(t, s, "broker 1 registered again with a higher epoch", func(img *metadata.Image) bool {
		b := img.Brokers[1]
		return b != nil && b.Epoch > epoch && s.Epoch() == b.Epoch
	})

	other := dial(t, srv.Addr())
	s2 := startSource(t, other, "")
	done := make(chan error, 1)
	go func() {
		_, err := s2.RegisterBroker(ctx, testRegistration())
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("a second broker 1 registered while the first is alive (err %v)", err)
	case <-time.After(time.Second):
	}
	s.Close()
	conn.Close()
	if err := <-done; err != nil {
		t.Fatalf("second broker 1 after the first left: %v", err)
	}
}
