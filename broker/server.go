// Package broker is the Kafka protocol server: connections, one handler per API, the
// replica manager that owns partition logs, replication (follower fetchers, the high
// watermark, ISR changes) and fetch long-polling. It is handed a metadata.Source and
// never knows whether ZooKeeper or the Raft quorum stands behind it.
//
// Besides metadata, storage and kmsg (docs/architecture.md, "Packages") it imports config: the node's
// typed server.properties, whose Kafka defaults DescribeConfigs reports and topic
// settings fall back to. config is a leaf package (stdlib and viper), so this adds no
// path to either mode. It also imports kwire, the Kafka framing it shares with
// kraftmode, whose client the follower fetchers use to fetch from partition leaders.
package broker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kbridge/kbridge/authz"
	"github.com/kbridge/kbridge/config"
	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/metrics"
	"github.com/kbridge/kbridge/saslserver"
	"github.com/kbridge/kbridge/tlsconf"
)

// Broker serves the Kafka protocol for one node.
type Broker struct {
	cfg *config.Config
	id  int32
	log *slog.Logger

	source atomic.Pointer[sourceBox]
	// applyMu orders the images the replica manager applies: a source's images in
	// their order, none of an old source's after a new one took over.
	applyMu  sync.Mutex
	applied  int64 // the offset of the last image applied from the current source
	epoch    atomic.Int64
	replicas *ReplicaManager
	pids     *producerIDBlock
	groups   *groupCoordinator
	txns     *transactionCoordinator
	sessions *fetchSessions

	// authz decides ACL checks; nil without authorizer.class.name (everything allowed).
	authz *authz.Authorizer

	// listenerTLS are the TLS listeners' configs, which a per-broker AlterConfigs of
	// their store keys reloads (listener_tls_reload.go); appliedTLS the dynamic TLS
	// configs they were last built with.
	tlsMu       sync.Mutex
	listenerTLS map[string]*tlsconf.Reloadable
	appliedTLS  map[string]string

	// sasl holds the mechanisms of each SASL listener (listenerSASL).
	sasl map[string][]saslserver.Mechanism

	mu        sync.Mutex
	listeners []net.Listener
	clients   kwire.ConnSet
	closed    bool
	wg        sync.WaitGroup
	stop      chan struct{}
	// sessionLostCh holds a channel closed while the source's session is lost
	// (session_loss.go).
	sessionLostCh atomic.Pointer[chan struct{}]
	// expansions batches the ISR expansions the fetch path finds (isr.go).
	expansions isrQueue
	// isrCounts count the ISR changes this broker made as a leader, for metrics.
	isrCounts struct{ shrinks, expands, failed atomic.Uint64 }
	// requests are Kafka's RequestMetrics of this broker's listeners, connections
	// their socket-server-metrics.
	requests    *metrics.RequestMetrics
	connections listenerConnections
	// shuttingDown is set once a controlled shutdown begins (BrokerState).
	shuttingDown atomic.Bool
}

// sourceBox lets the source be swapped atomically (the in-place migration switch).
type sourceBox struct{ metadata.Source }

// New builds a broker for the node described by cfg, reading cluster state from src.
// Partition logs are opened as the image assigns replicas to this broker.
func New(cfg *config.Config, src metadata.Source, logger *slog.Logger) (*Broker, error) {
	if logger == nil {
		logger = slog.Default()
	}
	b := &Broker{
		cfg:      cfg,
		id:       cfg.NodeID,
		log:      logger.With("component", "broker", "broker", cfg.NodeID),
		stop:     make(chan struct{}),
		sessions: newFetchSessions(cfg.MaxIncrementalFetchSessionCacheSlots),
		authz:    authz.New(cfg),
		requests: metrics.NewRequestMetrics(),
	}
	sasl, err := listenerSASL(cfg, b.Image)
	if err != nil {
		return nil, fmt.Errorf("SASL: %w", err)
	}
	b.sasl = sasl
	rm, err := NewReplicaManager(cfg, b.id, b.brokerEpoch, logger)
	if err != nil {
		return nil, fmt.Errorf("start replica manager: %w", err)
	}
	b.replicas = rm
	b.pids = &producerIDBlock{}
	dial, err := interBrokerDialer(cfg)
	if err != nil {
		return nil, err
	}
	b.startGroupCoordinator(dial)
	b.startTxnCoordinator(dial)
	b.replicas.onLeadershipChange = b.coordinatorLeadershipChanged
	b.SetSource(src)
	open := make(chan struct{})
	b.sessionLostCh.Store(&open)
	b.wg.Add(3)
	go b.maintenanceLoop()
	go b.isrExpirationLoop()
	go b.sessionWatchLoop()
	return b, nil
}

// SetSource installs (or replaces) the metadata source and applies its current image,
// as the first image of a new source (partitions it lacks become strays); its later
// images follow in order, and the old source's are ignored from then on.
func (b *Broker) SetSource(src metadata.Source) {
	b.applyMu.Lock()
	defer b.applyMu.Unlock()
	b.source.Store(&sourceBox{src})
	src.Subscribe(func(img *metadata.Image) {
		b.applyMu.Lock()
		defer b.applyMu.Unlock()
		if b.source.Load().Source == src && img != nil && img.Offset >= b.applied {
			b.applied = img.Offset
			b.replicas.ApplyImage(img)
			b.applyDynamicTLS(img)
		}
	})
	img := src.Image()
	b.applied = -1
	if img != nil {
		b.applied = img.Offset
	}
	b.replicas.ApplySourceImage(img)
}

// Source is the metadata source in use now.
func (b *Broker) Source() metadata.Source { return b.source.Load().Source }

// Image is the newest metadata image of the current source.
func (b *Broker) Image() *metadata.Image { return b.Source().Image() }

// ID is this broker's node id.
func (b *Broker) ID() int32 { return b.id }

// controllerID is the controller Metadata and DescribeCluster name: the source's
// controller broker when it has one (ZooKeeper mode), else this broker, which forwards
// controller requests itself.
func (b *Broker) controllerID() int32 {
	if l, ok := b.Source().(metadata.ControllerLocator); ok {
		return l.ControllerID()
	}
	return b.id
}

// Serve accepts Kafka connections on ln until Close. listenerName is the Kafka listener
// name (PLAINTEXT, CONTROLLER, ...) used to choose the endpoints Metadata returns.
func (b *Broker) Serve(ln net.Listener, listenerName string) error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return errors.New("broker closed")
	}
	b.listeners = append(b.listeners, ln)
	b.mu.Unlock()
	b.connections.of(listenerName) // reported from the start, with no connection yet
	b.log.Info("listening", "listener", listenerName, "addr", ln.Addr().String())
	for {
		conn, err := ln.Accept()
		if err != nil {
			if b.isClosed() {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			return fmt.Errorf("accept on %s: %w", listenerName, err)
		}
		b.ServeConn(conn, listenerName)
	}
}

// ServeConn serves one accepted connection in its own goroutine; the node's controller
// listener uses it for the Kafka connections it demultiplexes from Raft traffic.
func (b *Broker) ServeConn(conn net.Conn, listenerName string) {
	counts := b.connections.of(listenerName)
	b.clients.Go(conn, func() {
		counts.created.Add(1)
		defer counts.closed.Add(1)
		newClientConn(b, conn, listenerName).serve()
	})
}

func (b *Broker) isClosed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closed
}

// Close shuts the broker down. With controlled.shutdown.enable it first asks the
// metadata source to move its leaderships to other in-sync replicas, while it still
// serves (see controlledShutdown); then it stops accepting, closes every connection,
// stops its replica fetchers and closes the partition logs cleanly so the next start
// needs no recovery.
func (b *Broker) Close() error {
	if b.isClosed() {
		return nil
	}
	b.controlledShutdown()
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	close(b.stop)
	for _, ln := range b.listeners {
		ln.Close()
	}
	b.mu.Unlock()
	b.clients.Close()
	b.wg.Wait()
	return b.replicas.Close()
}

// maintenanceLoop runs retention, time-based rolls and flushes.
func (b *Broker) maintenanceLoop() {
	defer b.wg.Done()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	retention := time.Duration(b.cfg.LogRetentionCheckIntervalMs) * time.Millisecond
	lastRetention := time.Now()
	for {
		select {
		case <-b.stop:
			return
		case now := <-tick.C:
			b.replicas.Maintain(now)
			if now.Sub(lastRetention) >= retention {
				lastRetention = now
				b.replicas.EnforceRetention(now)
			}
		}
	}
}

// requestContext bounds admin calls into the source by the request's own timeout.
func requestContext(timeoutMs int32) (context.Context, context.CancelFunc) {
	d := time.Duration(timeoutMs) * time.Millisecond
	if d <= 0 {
		d = 30 * time.Second
	}
	return context.WithTimeout(context.Background(), d)
}
