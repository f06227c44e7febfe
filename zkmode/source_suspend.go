package zkmode

import "github.com/kbridge/kbridge/metadata"

// suspendLeadership publishes an image in which this broker leads nothing and is not
// registered. It runs when the session expires, or must be presumed expired
// (source_session_loss.go): the registration is gone with the session, the controller
// is electing other leaders, and until the new session's tree is loaded this broker
// cannot know which partitions are still its own — so it serves none as leader rather
// than accept writes a new leader will never have (a stale leader), and its Metadata
// answers no longer name it, as the other brokers' do not: a client that asked it
// leaves it for those. why says which it was.
func (s *Source) suspendLeadership(why string) {
	cur := s.Image()
	next, led := s.withoutThisBroker(cur)
	if next == cur {
		return
	}
	next.SetPosition(s.loads.Add(1), cur.Epoch)
	s.log.Warn(why+": not leading any partition until the tree is reloaded", "partitions", led)
	s.publish(next)
}

// withoutThisBroker returns a copy of img without this broker's registration and in
// which it leads nothing, and how many partitions it led; img itself when it shows
// neither. img, which may be the tree's own, is not changed.
func (s *Source) withoutThisBroker(img *metadata.Image) (*metadata.Image, int) {
	next, led := img.WithoutLeader(s.opts.BrokerID)
	if _, registered := next.Brokers[s.opts.BrokerID]; registered {
		if next == img {
			next = img.Clone()
		}
		delete(next.Brokers, s.opts.BrokerID)
	}
	return next, led
}
