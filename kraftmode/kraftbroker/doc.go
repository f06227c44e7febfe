// Package kraftbroker is what a KRaft-mode broker runs to take part in the cluster: a
// MetadataFollower that fetches the committed __cluster_metadata log (and, when it is
// behind a snapshot, the leader's snapshot) from the controller quorum, and a
// BrokerSource, the broker's metadata.Source, which owns its registration and
// heartbeats and forwards its writes (topics, configs, ISR changes, producer ids,
// elections) to the active controller.
//
// It is apart from kraftmode because a broker and a controller share no memory: the
// broker follows the quorum's log and talks to the active controller over Kafka's
// protocol, through the controller listener, exactly as it would to a controller in
// another process. Keeping it in its own package makes that boundary one the compiler
// sees: nothing here can reach into a Controller's Raft state, FSM or stores, and a
// broker-only node builds no Controller and holds none of its state. On a combined
// node the local Controller is only the BrokerSource's ImageFeed, read through the
// same narrow interface a MetadataFollower offers.
//
// kraftbroker imports kraftmode for what the two sides must agree on: Voter, the
// HeartbeatReply, the metadata log's name and the functions that apply records and
// snapshots to an image (ApplyRecords, ApplySnapshot), so a broker's image is built by
// the very code that builds a voter's. kraftmode never imports kraftbroker. The channel
// to the active controller (kwire.ControllerChannel) is in kwire, since a controller
// uses it too, to register with the active one.
package kraftbroker
