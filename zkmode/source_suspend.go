package zkmode

import "github.com/kbridge/kbridge/metadata"

// suspendLeadership publishes an image in which this broker leads nothing. It runs
// when the session expires: the registration is gone, the controller is electing
// other leaders, and until the new session's tree is loaded this broker cannot know
// which partitions are still its own — so it serves none as leader rather than accept
// writes a new leader will never have (a stale leader).
func (s *Source) suspendLeadership() {
	cur := s.Image()
	next := cur.Clone()
	suspended := 0
	for _, t := range next.Topics {
		for id, p := range t.Partitions {
			if p.Leader != s.opts.BrokerID {
				continue
			}
			np := *p
			np.Leader = metadata.NoLeader
			t.Partitions[id] = &np
			suspended++
		}
	}
	if suspended == 0 {
		return
	}
	next.SetPosition(s.loads.Add(1), cur.Epoch)
	s.log.Warn("ZooKeeper session expired: not leading any partition until the tree is reloaded", "partitions", suspended)
	s.publish(next)
}
