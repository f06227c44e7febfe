package kraftmode

// BrokerHeartbeat is one BrokerHeartbeat request (API 63) as the controller logic sees
// it: the broker's liveness, how far it has read the metadata log, and whether it wants
// to be fenced or to shut down.
type BrokerHeartbeat struct {
	BrokerID              int32
	BrokerEpoch           int64
	CurrentMetadataOffset int64
	WantFence             bool
	WantShutdown          bool
}

// HeartbeatReply is the controller's answer: whether the broker has caught up with the
// log, whether it is fenced, and whether its controlled shutdown may complete.
type HeartbeatReply struct {
	IsCaughtUp     bool
	IsFenced       bool
	ShouldShutdown bool
}
