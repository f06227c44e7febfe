package kraftmode

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/kwire"
)

// controllerChannel sends a broker's requests to the active controller, finding it
// among the voters: the leader its metadata feed knows first, then the controller that
// last answered, then every voter in turn, until one answers without NOT_CONTROLLER or
// the context ends. It is Kafka's NodeToControllerChannelManager in small.
type controllerChannel struct {
	voters  []Voter
	clients map[int32]*kwire.Client
	hint    func() int32
	last    atomic.Int32
}

func newControllerChannel(voters []Voter, clientID string, hint func() int32) *controllerChannel {
	ch := &controllerChannel{voters: voters, clients: make(map[int32]*kwire.Client), hint: hint}
	ch.last.Store(-1)
	for _, v := range voters {
		ch.clients[v.ID] = kwire.NewClient(net.JoinHostPort(v.Host, strconv.Itoa(v.Port)), clientID)
	}
	return ch
}

// request sends req to the active controller and returns its answer.
func (ch *controllerChannel) request(ctx context.Context, req kmsg.Request) (kmsg.Response, error) {
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

// candidates orders the voters: the hinted leader, the last to answer, then the rest.
func (ch *controllerChannel) candidates() []int32 {
	out := make([]int32, 0, len(ch.voters)+2)
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
	for _, v := range ch.voters {
		add(v.ID)
	}
	return out
}

func (ch *controllerChannel) close() {
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
