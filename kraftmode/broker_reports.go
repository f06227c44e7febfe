package kraftmode

import "time"

// BrokerReport is what the active controller last heard from one broker in its
// term: the metadata offset of its last heartbeat (-1 before the first) and when it
// was last heard from. A page shows from it how far each broker follows the log.
type BrokerReport struct {
	MetadataOffset int64
	LastContact    time.Time
}

// BrokerReports is what this controller heard from each registered broker in its
// current term; nil unless it is the active controller, since only the active one
// receives heartbeats.
func (c *Controller) BrokerReports() map[int32]BrokerReport {
	at := c.activeTerm()
	if at == nil {
		return nil
	}
	return at.sessions.reports()
}

// reports copies every session's last heartbeat offset and contact time.
func (s *brokerSessions) reports() map[int32]BrokerReport {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[int32]BrokerReport, len(s.byID))
	for id, ss := range s.byID {
		out[id] = BrokerReport{MetadataOffset: ss.metadataOffset, LastContact: ss.lastContact}
	}
	return out
}
