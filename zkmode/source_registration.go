package zkmode

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// RegisterBroker writes this broker's ephemeral /brokers/ids/<id> (v5 JSON) and
// returns its czxid, the broker epoch in ZooKeeper mode. A previous incarnation's
// znode (a killed broker whose session has not expired yet) is waited out, as Kafka
// retries its registration. The znode is written again, with a new epoch, on every new
// session: an expired session took it away.
func (s *Source) RegisterBroker(ctx context.Context, reg metadata.BrokerRegistration) (int64, error) {
	info := znode.BrokerZNode{
		Version:   5,
		JmxPort:   -1,
		Timestamp: time.Now().UnixMilli(),
		Endpoints: slices.Clone(reg.Endpoints),
		Rack:      reg.Rack,
		Features:  slices.Clone(reg.Features),
	}
	slices.SortFunc(info.Features, func(a, b metadata.FeatureRange) int {
		if a.Name < b.Name {
			return -1
		}
		if a.Name > b.Name {
			return 1
		}
		return 0
	})
	s.regMu.Lock()
	s.reg = &info
	s.regMu.Unlock()
	return s.register(ctx)
}

func (s *Source) register(ctx context.Context) (int64, error) {
	s.regMu.Lock()
	info := *s.reg
	s.regMu.Unlock()
	waited := false
	for {
		epoch, err := RegisterBroker(ctx, s.conn, info, s.opts.BrokerID)
		if err == nil {
			s.epoch.Store(epoch)
			s.log.Info("registered in ZooKeeper", "path", znode.BrokerPath(s.opts.BrokerID), "broker.epoch", epoch)
			return epoch, nil
		}
		if !errors.Is(err, zk.ErrNodeExists) {
			return 0, err
		}
		if !waited {
			s.log.Info("waiting for the previous registration's session to expire", "path", znode.BrokerPath(s.opts.BrokerID))
			waited = true
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("register broker %d: %w", s.opts.BrokerID, err)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// reregister runs after a new session is established: the old ephemeral is gone.
func (s *Source) reregister() {
	s.regMu.Lock()
	registered := s.reg != nil
	s.regMu.Unlock()
	if !registered {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := s.register(ctx); err != nil {
		s.log.Error("re-registration after a new ZooKeeper session failed", "err", err)
	}
}

// Epoch is the broker epoch of the current registration (-1 before the first).
func (s *Source) Epoch() int64 { return s.epoch.Load() }
