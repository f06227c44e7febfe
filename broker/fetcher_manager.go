package broker

import (
	"log/slog"
	"sync"

	"github.com/kbridge/kbridge/config"
	"github.com/kbridge/kbridge/kwire"
)

// fetcherManager runs one replica fetcher per leader broker this broker follows
// (num.replica.fetchers=1, Kafka's ReplicaFetcherManager) and moves partitions between
// them as leadership changes.
type fetcherManager struct {
	cfg         *config.Config
	id          int32
	brokerEpoch func() int64
	// dial connects to a leader's inter-broker listener (interBrokerDialer).
	dial kwire.Dialer
	log  *slog.Logger

	mu       sync.Mutex
	closed   bool
	fetchers map[int32]*replicaFetcher          // by leader id
	owner    map[topicPartition]*replicaFetcher // which fetcher has a partition
}

func newFetcherManager(cfg *config.Config, id int32, brokerEpoch func() int64, dial kwire.Dialer, logger *slog.Logger) *fetcherManager {
	return &fetcherManager{
		cfg:         cfg,
		id:          id,
		brokerEpoch: brokerEpoch,
		dial:        dial,
		log:         logger,
		fetchers:    make(map[int32]*replicaFetcher),
		owner:       make(map[topicPartition]*replicaFetcher),
	}
}

// add makes the fetcher for leader at addr fetch p, which starts by truncating, unless
// it already fetches p in leaderEpoch. A leader whose address changed (it restarted on
// another port) gets a new fetcher; the image that told of it re-adds its partitions.
func (m *fetcherManager) add(leader int32, addr string, p *Partition, leaderEpoch int32) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	f := m.fetchers[leader]
	if f != nil && f.addr != addr {
		m.log.Info("leader moved, restarting its fetcher", "leader", leader, "old_addr", f.addr, "addr", addr)
		for tp := range f.stop() {
			delete(m.owner, tp)
		}
		delete(m.fetchers, leader)
		f = nil
	}
	if f == nil {
		f = newReplicaFetcher(m, leader, addr)
		m.fetchers[leader] = f
		go f.run()
	}
	if prev := m.owner[p.tp]; prev != nil && prev != f {
		m.removeLocked(p.tp)
	}
	m.owner[p.tp] = f
	f.add(p, leaderEpoch)
}

// remove stops fetching tp. When it returns, no fetcher touches tp's log any more.
func (m *fetcherManager) remove(tp topicPartition) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.removeLocked(tp)
}

func (m *fetcherManager) removeLocked(tp topicPartition) {
	f := m.owner[tp]
	if f == nil {
		return
	}
	delete(m.owner, tp)
	if f.remove(tp) == 0 {
		// An idle fetcher holds a connection to a broker we no longer follow.
		f.stop()
		delete(m.fetchers, f.leader)
	}
}

// close stops every fetcher and waits until none runs, so the logs can be closed.
func (m *fetcherManager) close() {
	m.mu.Lock()
	m.closed = true
	fetchers := m.fetchers
	m.fetchers, m.owner = nil, nil
	m.mu.Unlock()
	for _, f := range fetchers {
		f.stop()
	}
	for _, f := range fetchers {
		<-f.done
	}
}
