package zkmode

import (
	"context"

	"github.com/kbridge/kbridge/metadata"
)

// A broker cut off from ZooKeeper but not from its peers and clients (a partition,
// not a crash) never learns while cut that its session expired: the expiry reaches a
// client only when it reaches a server again. Meanwhile the controller has moved its
// leaderships, and a broker that went on believing in its image would go on taking
// writes as a stale leader — acks=1 writes that the new leaders never see, and acks=all
// writes that wait out their timeout, its clients coming back to it for as long as the
// cut lasts. So once its Conn
// presumes the session expired (conn_heard.go) the broker says so (SessionLost: it
// acknowledges no write), leads nothing (suspendLeadership) and names no controller,
// until a session is back: the same session, and the tree is loaded again to lead what
// it still leads; or a new one, and the broker registers again as after any expiry.

// SessionLost tells whether the ZooKeeper session must be presumed expired
// (metadata.SessionLiveness): the broker acknowledges no write while it is.
func (s *Source) SessionLost() bool { return s.conn.SessionPresumedExpired() }

var _ metadata.SessionLiveness = (*Source)(nil)

// loadContext is the context of a reload: it ends after reloadTimeout, or when the
// session is presumed expired, so that the reload goroutine, whose requests would
// wait for a connection, is free to suspend leadership.
func (s *Source) loadContext() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), reloadTimeout)
	presumed := s.conn.presumedExpired()
	go func() {
		select {
		case <-presumed:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}
