package zkmode

import (
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
)

// TestConnPresumesExpiryAfterSilence: a client hears of its session's expiry only from
// a server, so one that hears nothing must presume it once more than the session
// timeout (with room for the server's tick and the election) has passed since it heard
// anything (issue 16: a broker cut from ZooKeeper went on as if its session lived).
// The server here still hears the client, so the session does live on: when the
// server is heard again the same session is back, and the presumption ends.
func TestConnPresumesExpiryAfterSilence(t *testing.T) {
	const sessionTimeout = 2 * time.Second
	_, r, c := relayedSession(t, sessionTimeout)
	events := c.SessionEvents()
	session := waitSession(t, events, zk.StateHasSession).SessionID
	if c.SessionPresumedExpired() {
		t.Fatal("session presumed expired while the server answers")
	}

	r.Silence(true)
	ev := waitSession(t, events, StatePresumedExpired)
	if silent := time.Since(c.LastHeard()); silent < c.presumeAfter() {
		t.Fatalf("session presumed expired after %v of silence, before %v (session timeout %v)", silent, c.presumeAfter(), sessionTimeout)
	}
	if ev.SessionID != session || !c.SessionPresumedExpired() {
		t.Fatalf("presumed expired: session 0x%x (want 0x%x), SessionPresumedExpired %v", ev.SessionID, session, c.SessionPresumedExpired())
	}
	select {
	case <-c.presumedExpired():
	default:
		t.Fatal("the presumption's channel is open")
	}

	r.Silence(false)
	if back := waitSession(t, events, zk.StateHasSession); back.SessionID != session {
		t.Fatalf("session 0x%x after the silence, want the same 0x%x", back.SessionID, session)
	}
	if c.SessionPresumedExpired() {
		t.Fatal("still presumed expired with the session back")
	}
	select {
	case <-c.presumedExpired():
		t.Fatal("the presumption's channel is closed with the session back")
	default:
	}
}

// TestConnShortSilencePresumesNothing: a connection lost and found again within the
// session timeout is a reconnect, not an expiry; the session events go from lost to
// established with no presumption between.
func TestConnShortSilencePresumesNothing(t *testing.T) {
	// Long enough for go-zookeeper's reconnect (a second's pause after a failed round)
	// to come well inside it.
	const sessionTimeout = 6 * time.Second
	_, r, c := relayedSession(t, sessionTimeout)
	events := c.SessionEvents()
	session := waitSession(t, events, zk.StateHasSession).SessionID

	r.Silence(true)
	waitSession(t, events, zk.StateDisconnected)
	r.Silence(false)
	for {
		ev := nextSession(t, events)
		if ev.State == StatePresumedExpired {
			t.Fatalf("session presumed expired after %v of silence, within the session timeout %v", time.Since(c.LastHeard()), sessionTimeout)
		}
		if ev.State == zk.StateHasSession {
			if ev.SessionID != session {
				t.Fatalf("session 0x%x after the reconnect, want the same 0x%x", ev.SessionID, session)
			}
			return
		}
	}
}

// nextSession reads the next session event.
func nextSession(t *testing.T, events <-chan SessionEvent) SessionEvent {
	t.Helper()
	var ev SessionEvent
	select {
	case next, ok := <-events:
		if !ok {
			t.Fatal("session events closed")
		}
		ev = next
	case <-time.After(30 * time.Second):
		t.Fatal("no session event within 30s")
	}
	return ev
}
