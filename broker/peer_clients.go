package broker

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/metadata"
)

// peerClients are this broker's connections to other brokers' inter-broker listeners
// for coordinator traffic (transaction markers to partition leaders, transaction
// verification to coordinators), one per broker address, as Kafka's
// TransactionMarkerChannelManager and AddPartitionsToTxnManager keep one per node.
type peerClients struct {
	dial     kwire.Dialer
	listener string
	clientID string

	mu      sync.Mutex
	clients map[string]*kwire.Client
	closed  bool
}

func newPeerClients(dial kwire.Dialer, listener, clientID string) *peerClients {
	return &peerClients{dial: dial, listener: listener, clientID: clientID, clients: map[string]*kwire.Client{}}
}

// request sends req to broker id at the address the image gives its inter-broker
// listener.
func (pc *peerClients) request(ctx context.Context, img *metadata.Image, id int32, req kmsg.Request) (kmsg.Response, error) {
	br, ok := img.Brokers[id]
	if !ok {
		return nil, fmt.Errorf("broker %d is not registered", id)
	}
	ep, ok := br.Endpoint(pc.listener)
	if !ok {
		return nil, fmt.Errorf("broker %d has no %s listener", id, pc.listener)
	}
	addr := net.JoinHostPort(ep.Host, strconv.Itoa(int(ep.Port)))
	pc.mu.Lock()
	if pc.closed {
		pc.mu.Unlock()
		return nil, fmt.Errorf("send to broker %d: %w", id, net.ErrClosed)
	}
	c, ok := pc.clients[addr]
	if !ok {
		c = kwire.NewClientWith(addr, pc.clientID, pc.dial)
		pc.clients[addr] = c
	}
	pc.mu.Unlock()
	resp, err := c.Request(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("send %s to broker %d at %s: %w", kmsg.NameForKey(req.Key()), id, addr, err)
	}
	return resp, nil
}

// close closes every connection; requests after it fail.
func (pc *peerClients) close() {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	pc.closed = true
	for _, c := range pc.clients {
		c.Close()
	}
	clear(pc.clients)
}
