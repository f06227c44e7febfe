package group

import (
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// State is a classic group's state, named as Kafka names it in DescribeGroups and
// ListGroups.
type State int8

// Kafka's classic group states (GroupState.scala / ClassicGroupState.java).
const (
	Empty State = iota
	PreparingRebalance
	CompletingRebalance
	Stable
	Dead
)

func (s State) String() string {
	switch s {
	case Empty:
		return "Empty"
	case PreparingRebalance:
		return "PreparingRebalance"
	case CompletingRebalance:
		return "CompletingRebalance"
	case Stable:
		return "Stable"
	default:
		return "Dead"
	}
}

// protocol is one assignor a member supports, with its subscription metadata.
type protocol struct {
	name     string
	metadata []byte
}

// member is one group member (MemberMetadata in Kafka).
type member struct {
	id               string
	instanceID       *string // static membership (KIP-345)
	clientID         string
	clientHost       string
	protocolType     string
	rebalanceTimeout time.Duration
	sessionTimeout   time.Duration
	protocols        []protocol
	assignment       []byte
	joinSeq          uint64 // order of joining, for picking a leader deterministically

	// awaitingJoin and awaitingSync receive the response of a JoinGroup or SyncGroup
	// parked until the rebalance reaches the next phase.
	awaitingJoin    chan *kmsg.JoinGroupResponse
	joinVersion     int16
	awaitingSync    chan *kmsg.SyncGroupResponse
	syncVersion     int16
	heartbeat       Timer
	heartbeatSeq    uint64 // bumped on every reschedule, so a stale expiry does nothing
	syncedThisRound bool   // sent SyncGroup since the last join completed (pending sync)
}

func (m *member) matches(ps []protocol) bool {
	return slices.EqualFunc(m.protocols, ps, func(a, b protocol) bool {
		return a.name == b.name && string(a.metadata) == string(b.metadata)
	})
}

func (m *member) metadataFor(name string) []byte {
	for _, p := range m.protocols {
		if p.name == name {
			return p.metadata
		}
	}
	return nil
}

// group is one classic group with its committed offsets.
type group struct {
	id             string
	partition      int32
	state          State
	stateTime      time.Time // currentStateTimestamp
	protocolType   string    // "" until the first member joins (or for simple commit groups)
	protocol       string
	generation     int32
	leader         string
	members        map[string]*member
	instances      map[string]string // group.instance.id -> member id
	pending        map[string]Timer  // member ids handed out with MEMBER_ID_REQUIRED
	nextJoinSeq    uint64
	initialJoin    bool // this rebalance started from Empty and waits the initial delay
	newMemberAdded bool // a member joined during the initial rebalance delay

	rebalanceTimer Timer
	rebalanceSeq   uint64
	syncTimer      Timer

	// storedGeneration is the newest generation written to the log, so a delayed
	// write of an older generation is dropped rather than overwrite a newer one.
	storedGeneration int32

	offsets map[topicPartition]loggedOffset
	// writing holds the partitions whose commit is being written, so a RequireStable
	// fetch answers UNSTABLE_OFFSET_COMMIT meanwhile (Kafka's pendingOffsetCommits).
	writing map[topicPartition]struct{}
	// txnOffsets are the transactional commits written but not yet ended by their
	// producer's marker, per producer id (Kafka's pendingTransactionalOffsetCommits).
	txnOffsets map[int64]map[topicPartition]loggedOffset
}

type topicPartition struct {
	topic     string
	partition int32
}

func newGroup(id string, partition int32, now time.Time) *group {
	return &group{
		id:         id,
		partition:  partition,
		state:      Empty,
		stateTime:  now,
		members:    make(map[string]*member),
		instances:  make(map[string]string),
		pending:    make(map[string]Timer),
		offsets:    make(map[topicPartition]loggedOffset),
		writing:    make(map[topicPartition]struct{}),
		txnOffsets: make(map[int64]map[topicPartition]loggedOffset),
	}
}

func (g *group) transition(s State, now time.Time) {
	g.state = s
	g.stateTime = now
}

// supportsProtocols is Kafka's GroupMetadata.supportsProtocols: an empty group takes
// any non-empty protocol list; otherwise the type must match and at least one protocol
// must be supported by every member already in the group.
func (g *group) supportsProtocols(protocolType string, ps []protocol) bool {
	if len(g.members) == 0 {
		return protocolType != "" && len(ps) > 0
	}
	if protocolType != g.protocolType {
		return false
	}
	candidates := g.candidateProtocols()
	for _, p := range ps {
		if candidates[p.name] {
			return true
		}
	}
	return false
}

// candidateProtocols are the protocols every member supports.
func (g *group) candidateProtocols() map[string]bool {
	counts := map[string]int{}
	for _, m := range g.members {
		for _, p := range m.protocols {
			counts[p.name]++
		}
	}
	out := map[string]bool{}
	for name, n := range counts {
		if n == len(g.members) {
			out[name] = true
		}
	}
	return out
}

// selectProtocol is Kafka's vote: each member votes for its most preferred candidate
// and the protocol with the most votes wins; ties go to the protocol the earliest
// member prefers, so the choice is deterministic.
func (g *group) selectProtocol() string {
	candidates := g.candidateProtocols()
	votes := map[string]int{}
	for _, m := range g.sortedMembers() {
		for _, p := range m.protocols {
			if candidates[p.name] {
				votes[p.name]++
				break
			}
		}
	}
	best := ""
	for _, m := range g.sortedMembers() {
		for _, p := range m.protocols {
			if candidates[p.name] && (best == "" || votes[p.name] > votes[best]) {
				best = p.name
			}
		}
	}
	return best
}

// sortedMembers lists members in the order they joined.
func (g *group) sortedMembers() []*member {
	out := make([]*member, 0, len(g.members))
	for _, m := range g.members {
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b *member) int {
		switch {
		case a.joinSeq < b.joinSeq:
			return -1
		case a.joinSeq > b.joinSeq:
			return 1
		}
		return 0
	})
	return out
}

func (g *group) add(m *member) {
	g.nextJoinSeq++
	m.joinSeq = g.nextJoinSeq
	if len(g.members) == 0 {
		g.protocolType = m.protocolType
	}
	g.members[m.id] = m
	if m.instanceID != nil {
		g.instances[*m.instanceID] = m.id
	}
	if g.leader == "" {
		g.leader = m.id
	}
}

// hasAllMembersJoined is the DelayedJoin completion test: every member has rejoined
// and no member id handed out with MEMBER_ID_REQUIRED is still expected.
func (g *group) hasAllMembersJoined() bool {
	for _, m := range g.members {
		if m.awaitingJoin == nil {
			return false
		}
	}
	return len(g.pending) == 0
}

func (g *group) maxRebalanceTimeout() time.Duration {
	var d time.Duration
	for _, m := range g.members {
		d = max(d, m.rebalanceTimeout)
	}
	return d
}

// subscribedTopics decodes the consumer protocol subscriptions of the members; ok is
// false when the group does not use the consumer protocol or a subscription does not
// decode, in which case Kafka does not know the topics either.
func (g *group) subscribedTopics() (map[string]bool, bool) {
	if g.protocolType != "consumer" || g.protocol == "" {
		return nil, false
	}
	topics := map[string]bool{}
	for _, m := range g.members {
		var sub kmsg.ConsumerMemberMetadata
		if err := sub.ReadFrom(m.metadataFor(g.protocol)); err != nil {
			return nil, false
		}
		for _, t := range sub.Topics {
			topics[t] = true
		}
	}
	return topics, true
}
