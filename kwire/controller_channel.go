package kwire

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Peer is one controller a ControllerChannel may send to: a voter's node id and the
// host:port of its controller listener. It is kwire's own type so that kwire stays a
// leaf: kraftmode turns its voters into Peers (kraftmode.Peers).
type Peer struct {
	ID   int32
	Addr string
}

// ControllerChannel sends requests to the active controller, finding it among the
// voters: the leader the hint names first, then the controller that last answered,
// then every voter in turn, until one answers without NOT_CONTROLLER or the context
// ends. It is Kafka's NodeToControllerChannelManager in small. It lives in kwire, not
// with the broker side of KRaft mode, because controllers use it too: a controller
// that is not the active one registers with the active one through it (KIP-919).
type ControllerChannel struct {
	peers   []Peer
	clients map[int32]*Client
	hint    func() int32
	last    atomic.Int32
}

// NewControllerChannel returns a channel to peers whose connections identify as
// clientID and are opened as sec says (the controller listener's security); hint,
// when not nil, names the controller believed active (-1: none known), so that
// requests go there first. Nothing is dialed yet.
func NewControllerChannel(peers []Peer, clientID string, hint func() int32, sec Security) *ControllerChannel {
	ch := &ControllerChannel{peers: peers, clients: make(map[int32]*Client), hint: hint}
	ch.last.Store(-1)
	for _, p := range peers {
		ch.clients[p.ID] = NewClientWith(p.Addr, clientID, sec.Dialer())
	}
	return ch
}

// Request sends req to the active controller and returns its answer, retrying with
// backoff until one answers or ctx ends.
func (ch *ControllerChannel) Request(ctx context.Context, req kmsg.Request) (kmsg.Response, error) {
	backoff := 25 * time.Millisecond
	var lastErr error
	for {
		for _, id := range ch.candidates() {
			resp, err := ch.clients[id].Request(ctx, req)
			if err != nil {
				lastErr = err
				continue
			}
			if notController(resp) {
				lastErr = fmt.Errorf("controller %d: %w", id, kerr.NotController)
				continue
			}
			ch.last.Store(id)
			return resp, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("no active controller answered %s: %w (last error: %v)", kmsg.NameForKey(req.Key()), ctx.Err(), lastErr)
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 500*time.Millisecond)
	}
}

// candidates orders the peers: the hinted leader, the last to answer, then the rest.
func (ch *ControllerChannel) candidates() []int32 {
	out := make([]int32, 0, len(ch.peers)+2)
	seen := map[int32]bool{}
	add := func(id int32) {
		if _, ok := ch.clients[id]; ok && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	if ch.hint != nil {
		add(ch.hint())
	}
	add(ch.last.Load())
	for _, p := range ch.peers {
		add(p.ID)
	}
	return out
}

// Close closes every connection the channel holds.
func (ch *ControllerChannel) Close() {
	for _, c := range ch.clients {
		c.Close()
	}
}

// notController reports whether a controller answered that it is not the active one,
// which every API says in its own place.
func notController(resp kmsg.Response) bool {
	nc := kerr.NotController.Code
	switch r := resp.(type) {
	case *kmsg.BrokerRegistrationResponse:
		return r.ErrorCode == nc
	case *kmsg.BrokerHeartbeatResponse:
		return r.ErrorCode == nc
	case *kmsg.UnregisterBrokerResponse:
		return r.ErrorCode == nc
	case *kmsg.AlterPartitionResponse:
		return r.ErrorCode == nc
	case *kmsg.AllocateProducerIDsResponse:
		return r.ErrorCode == nc
	case *kmsg.ElectLeadersResponse:
		return r.ErrorCode == nc
	case *kmsg.ControllerRegistrationResponse:
		return r.ErrorCode == nc
	case *kmsg.CreateTopicsResponse:
		for _, t := range r.Topics {
			if t.ErrorCode == nc {
				return true
			}
		}
	case *kmsg.DeleteTopicsResponse:
		for _, t := range r.Topics {
			if t.ErrorCode == nc {
				return true
			}
		}
	case *kmsg.CreatePartitionsResponse:
		for _, t := range r.Topics {
			if t.ErrorCode == nc {
				return true
			}
		}
	case *kmsg.AlterConfigsResponse:
		for _, res := range r.Resources {
			if res.ErrorCode == nc {
				return true
			}
		}
	case *kmsg.IncrementalAlterConfigsResponse:
		for _, res := range r.Resources {
			if res.ErrorCode == nc {
				return true
			}
		}
	case *kmsg.DescribeQuorumResponse:
		for _, t := range r.Topics {
			for _, p := range t.Partitions {
				if p.ErrorCode == kerr.NotLeaderForPartition.Code {
					return true
				}
			}
		}
	}
	return false
}
