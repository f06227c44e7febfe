package zkmode

// suspendLeadership publishes an image in which this broker leads nothing. It runs
// when the session expires: the registration is gone, the controller is electing
// other leaders, and until the new session's tree is loaded this broker cannot know
// which partitions are still its own — so it serves none as leader rather than accept
// writes a new leader will never have (a stale leader).
func (s *Source) suspendLeadership() {
	cur := s.Image()
	next, suspended := cur.WithoutLeader(s.opts.BrokerID)
	if suspended == 0 {
		return
	}
	next.SetPosition(s.loads.Add(1), cur.Epoch)
	s.log.Warn("ZooKeeper session expired: not leading any partition until the tree is reloaded", "partitions", suspended)
	s.publish(next)
}
