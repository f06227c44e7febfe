package zkmode

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// LeaderElections runs the ElectLeaders admin request: this broker's ZooKeeper
// controller, which carries it out while it holds /controller and answers
// NOT_CONTROLLER otherwise.
type LeaderElections interface {
	ElectLeaders(ctx context.Context, unclean bool, partitions map[string][]int32) ([]metadata.ElectionResult, error)
}

// SetLeaderElections hands ElectLeaders requests to e, the controller that runs in
// the same broker. Without one the broker can never be the controller, and answers
// NOT_CONTROLLER.
func (s *Source) SetLeaderElections(e LeaderElections) {
	s.regMu.Lock()
	defer s.regMu.Unlock()
	s.elections = e
}

// ElectLeaders is carried out by this broker's controller when it is the active one.
// Any other broker answers NOT_CONTROLLER, as a ZooKeeper-mode Kafka broker does, and
// the client sends the request again to the broker Metadata names as controller.
func (s *Source) ElectLeaders(ctx context.Context, unclean bool, partitions map[string][]int32) ([]metadata.ElectionResult, error) {
	s.regMu.Lock()
	e := s.elections
	s.regMu.Unlock()
	if e == nil {
		return nil, metadata.Errorf(kerr.NotController, "This is not the correct controller for this cluster.")
	}
	return e.ElectLeaders(ctx, unclean, partitions)
}

// ControllerID is the broker that holds /controller, which clients must send
// controller requests to. While a KRaft controller holds it for a migration, no
// broker is the controller, and this broker names itself as Kafka's brokers name a
// live broker then. While the session is presumed expired this broker cannot know
// who holds it (another broker has most likely been elected), and names none.
func (s *Source) ControllerID() int32 {
	c := s.Tree().Controller
	switch {
	case c == nil, s.SessionLost():
		return metadata.NoLeader
	case c.IsKRaftController():
		return s.opts.BrokerID
	}
	return c.BrokerID
}

// shutdownPollInterval is how often ControlledShutdown looks at the image while it
// waits for the controller to move this broker's leaderships.
const shutdownPollInterval = 20 * time.Millisecond

// ControlledShutdown takes this broker out of the cluster before it stops: it deletes
// its own /brokers/ids/<id> and waits until the image shows that it leads nothing.
// The controller treats the deletion as Kafka's controller treats a
// ControlledShutdownRequest — every leadership moves to another ISR member and the
// broker leaves every ISR — while this broker still serves, so its followers and
// clients move to the new leaders without waiting for a session timeout. The broker
// does not register again afterwards, even on a new session.
func (s *Source) ControlledShutdown(ctx context.Context, brokerID int32, brokerEpoch int64) error {
	if brokerID != s.opts.BrokerID || brokerEpoch != s.epoch.Load() {
		return metadata.Errorf(kerr.StaleBrokerEpoch, "Broker %d epoch %d is not this broker's registration.", brokerID, brokerEpoch)
	}
	if s.ControllerID() == metadata.NoLeader {
		return errors.New("controlled shutdown: no controller to move the leaderships")
	}
	s.regMu.Lock()
	s.reg = nil
	s.regMu.Unlock()
	path := znode.BrokerPath(brokerID)
	ok, stat, err := s.conn.Exists(ctx, path)
	if err != nil {
		return fmt.Errorf("controlled shutdown: read %s: %w", path, err)
	}
	if ok && stat.Czxid == brokerEpoch {
		if err := s.conn.Delete(ctx, path, stat.Version); err != nil && !errors.Is(err, zk.ErrNoNode) {
			return fmt.Errorf("controlled shutdown: delete %s: %w", path, err)
		}
	}
	s.log.Info("controlled shutdown: registration deleted; waiting for the controller to move this broker's leaderships")
	t := time.NewTicker(shutdownPollInterval)
	defer t.Stop()
	for {
		img := s.Image()
		if _, registered := img.Brokers[brokerID]; !registered && leadCount(img, brokerID) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("controlled shutdown: still leading %d partitions: %w", leadCount(s.Image(), brokerID), ctx.Err())
		case <-t.C:
		}
	}
}

// leadCount is how many partitions broker id leads in img.
func leadCount(img *metadata.Image, id int32) int {
	n := 0
	for _, t := range img.Topics {
		for _, p := range t.Partitions {
			if p.Leader == id {
				n++
			}
		}
	}
	return n
}
