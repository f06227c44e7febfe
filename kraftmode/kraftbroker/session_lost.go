package kraftbroker

import "time"

// SessionLost tells whether no controller has answered a heartbeat sent within the
// session timeout (metadata.SessionLiveness). The active controller fences a broker
// whose heartbeats it has not received for broker.session.timeout.ms, so by then the
// broker must assume it is fenced and its leaderships handed to other replicas:
// measuring from the send of the last answered heartbeat, not from its answer, makes
// the broker stop acknowledging no later than the controller could have moved them.
func (s *BrokerSource) SessionLost() bool {
	last := s.answered.Load()
	return s.opts.SessionTimeout > 0 && last != 0 && time.Since(time.Unix(0, last)) > s.opts.SessionTimeout
}
