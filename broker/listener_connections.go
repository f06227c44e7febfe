package broker

import (
	"maps"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/kbridge/kbridge/metrics"
)

// connectionCounts are one listener's connections accepted and closed.
type connectionCounts struct{ created, closed atomic.Uint64 }

// listenerConnections count each listener's connections for Kafka's
// socket-server-metrics; a connection finds its listener's counts once, when accepted.
type listenerConnections struct {
	mu         sync.Mutex
	byListener map[string]*connectionCounts
}

// of is listener's counts, made on first use.
func (l *listenerConnections) of(listener string) *connectionCounts {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byListener == nil {
		l.byListener = map[string]*connectionCounts{}
	}
	c, ok := l.byListener[listener]
	if !ok {
		c = &connectionCounts{}
		l.byListener[listener] = c
	}
	return c
}

// ListenerConnections are each listener's connection counts, by listener name, for
// the metrics endpoint.
func (b *Broker) ListenerConnections() []metrics.ListenerConnections {
	l := &b.connections
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]metrics.ListenerConnections, 0, len(l.byListener))
	for _, name := range slices.Sorted(maps.Keys(l.byListener)) {
		c := l.byListener[name]
		closed := c.closed.Load() // before created, so that Active is never negative
		created := c.created.Load()
		out = append(out, metrics.ListenerConnections{Listener: name, Active: int(created - closed), Created: created, Closed: closed})
	}
	return out
}

// RequestMetrics are the broker's Kafka RequestMetrics, for the metrics endpoint.
func (b *Broker) RequestMetrics() *metrics.RequestMetrics { return b.requests }
