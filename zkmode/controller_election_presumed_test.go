package zkmode

import (
	"slices"
	"testing"
	"time"

	"github.com/kbridge/kbridge/zkmode/znode"
)

// TestElectorResignsWhenSessionPresumedExpired: a controller that hears nothing from
// ZooKeeper for the session timeout must presume its session, and with it /controller,
// gone, and another broker elected: it resigns rather than go on as a controller whose
// term is most likely over (issue 16: the controller cut from ZooKeeper went on
// answering as controller). Here the server still hears it, so /controller stays its
// own; when the server is heard again it takes the same term up again, with no new
// election.
func TestElectorResignsWhenSessionPresumedExpired(t *testing.T) {
	srv, r, conn := relayedSession(t, 2*time.Second)
	b := runElector(t, conn, 1)
	waitFor(t, failoverWithin, "broker 1 elected", func() bool { return b.rec.current() != nil })
	epoch := b.rec.current().Epoch()
	observer := dial(t, srv.Addr()+"/kafka")

	r.Silence(true)
	waitFor(t, 15*time.Second, "broker 1 resigned, cut off", func() bool { return b.rec.current() == nil })
	if !conn.SessionPresumedExpired() {
		t.Fatal("resigned without the session presumed expired")
	}
	if holder, _ := controllerHolder(t, observer); holder != 1 {
		t.Fatalf("/controller is broker %d's while broker 1's session lives on", holder)
	}

	r.Silence(false)
	waitFor(t, 15*time.Second, "broker 1's term taken up again", func() bool { return b.rec.current() != nil })
	epochs, resigns := b.rec.history()
	if !slices.Equal(epochs, []int32{epoch, epoch}) || resigns != 1 {
		t.Fatalf("terms %v with %d resignations, want epoch %d twice and one resignation", epochs, resigns, epoch)
	}
}

// controllerHolder reads /controller's broker id, -1 without one.
func controllerHolder(t *testing.T, c *Conn) (int32, error) {
	t.Helper()
	data, _, err := c.Get(t.Context(), znode.ControllerPath)
	if err != nil {
		return -1, err
	}
	holder, err := znode.DecodeController(data)
	if err != nil {
		return -1, err
	}
	return holder.BrokerID, nil
}
