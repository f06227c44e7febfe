package node

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/config"
	"github.com/kbridge/kbridge/kraftmode"
	"github.com/kbridge/kbridge/kwire"
)

// configuredVoters is controller.quorum.voters as kraftmode takes it.
func configuredVoters(cfg *config.Config) []kraftmode.Voter {
	voters := make([]kraftmode.Voter, 0, len(cfg.ControllerQuorumVoters))
	for _, v := range cfg.ControllerQuorumVoters {
		voters = append(voters, kraftmode.Voter{ID: v.ID, Host: v.Host, Port: v.Port})
	}
	return voters
}

// quorumVoters are the controllers a broker talks to: controller.quorum.voters, or,
// when only controller.quorum.bootstrap.servers is set, the controllers one of those
// servers lists in DescribeCluster (KIP-919), since the broker needs each voter's id
// to follow the leader.
func (n *Node) quorumVoters(ctx context.Context) ([]kraftmode.Voter, error) {
	if voters := configuredVoters(n.cfg); len(voters) > 0 {
		return voters, nil
	}
	servers := n.cfg.ControllerQuorumBootstrapServers
	if len(servers) == 0 {
		return nil, fmt.Errorf("%s: a broker needs controller.quorum.voters or controller.quorum.bootstrap.servers", n.cfg.Source)
	}
	for {
		for _, addr := range servers {
			voters, err := describeControllers(ctx, addr, n.ctlSec.client)
			if err == nil {
				return voters, nil
			}
			n.log.Warn("cannot learn the controllers from a bootstrap server", "server", addr, "err", err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("learn the controllers from controller.quorum.bootstrap.servers %v: %w", servers, ctx.Err())
		case <-time.After(time.Second):
		}
	}
}

// describeControllers asks the controller at addr for the quorum's controllers, over
// the controller listener's security sec.
func describeControllers(ctx context.Context, addr string, sec kwire.Security) ([]kraftmode.Voter, error) {
	dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := kwire.DialWith(dctx, addr, "kbridge-bootstrap", sec.Dialer())
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	req := kmsg.NewPtrDescribeClusterRequest()
	req.EndpointType = 2
	kresp, err := conn.Request(dctx, req)
	if err != nil {
		return nil, err
	}
	resp := kresp.(*kmsg.DescribeClusterResponse)
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		return nil, err
	}
	var voters []kraftmode.Voter
	for _, b := range resp.Brokers {
		voters = append(voters, kraftmode.Voter{ID: b.NodeID, Host: b.Host, Port: int(b.Port)})
	}
	if len(voters) == 0 {
		return nil, fmt.Errorf("%s lists no controllers", addr)
	}
	return voters, nil
}
