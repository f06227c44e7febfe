package kraftmode

import (
	"context"
	"testing"

	"github.com/kbridge/kbridge/metadata"
)

// TestBrokerReports: the active controller reports each broker's last heartbeat
// offset, -1 for one registered that has not heartbeated yet; a controller that is not
// active reports nothing.
func TestBrokerReports(t *testing.T) {
	c := startSingleVoter(t, nil)
	epoch := registerFenced(t, c, metadata.BrokerRegistration{BrokerID: 1})
	registerFenced(t, c, metadata.BrokerRegistration{BrokerID: 2})
	if _, err := c.Heartbeat(context.Background(), BrokerHeartbeat{BrokerID: 1, BrokerEpoch: epoch, CurrentMetadataOffset: 3}); err != nil {
		t.Fatal(err)
	}
	r := c.BrokerReports()
	if r[1].MetadataOffset != 3 || r[1].LastContact.IsZero() || r[2].MetadataOffset != -1 {
		t.Fatalf("reports %+v, want broker 1 at offset 3 and broker 2 without a heartbeat", r)
	}
	c.endActiveTerm()
	if r := c.BrokerReports(); r != nil {
		t.Fatalf("a controller that is not active reports %+v", r)
	}
}
