package broker

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/broker/group"
	"github.com/kbridge/kbridge/broker/txn"
	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/metadata"
)

// txnTopic is Kafka's internal topic of transaction coordinator state.
const txnTopic = "__transaction_state"

// transactionCoordinator wires the txn package to this broker: the
// __transaction_state partition logs, the producer-id blocks, the marker channel to
// partition leaders and the lazy creation of the topic. The coordinator stores its
// state in that topic in ZooKeeper mode too, as Kafka's does, so the migration moves
// it with the brokers' logs and no transaction is lost at the switch.
type transactionCoordinator struct {
	*txn.Coordinator
	createMu sync.Mutex // one creation of __transaction_state at a time
	peers    *peerClients
}

// startTxnCoordinator builds the transaction coordinator; like the group
// coordinator's, it must exist before the first image is applied.
func (b *Broker) startTxnCoordinator(dial kwire.Dialer) {
	ms := func(v int32) time.Duration { return time.Duration(v) * time.Millisecond }
	cfg := txn.Config{
		NumPartitions:         b.cfg.TransactionStateLogNumPartitions,
		MaxTimeout:            ms(b.cfg.TransactionMaxTimeoutMs),
		IDExpiration:          ms(b.cfg.TransactionalIDExpirationMs),
		AbortTimedOutInterval: ms(b.cfg.TransactionAbortTimedOutIntervalMs),
		RemoveExpiredInterval: ms(b.cfg.TransactionRemoveExpiredIntervalMs),
	}
	peers := newPeerClients(dial, b.cfg.InterBrokerListenerName, "broker-"+strconv.Itoa(int(b.id))+"-txn")
	b.txns = &transactionCoordinator{
		Coordinator: txn.New(cfg, coordinatorLog{b, txnTopic}, producerIDSource{b}, markerChannel{b, peers}, group.SystemClock{}, b.log),
		peers:       peers,
	}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		<-b.stop
		b.txns.Close()
		peers.close()
	}()
}

// producerIDSource gives the transaction coordinator producer ids from this broker's
// blocks, the ones idempotent producers get too: one sequence, never an id twice.
type producerIDSource struct{ b *Broker }

// NextProducerID implements txn.ProducerIDs.
func (s producerIDSource) NextProducerID(ctx context.Context) (int64, error) {
	return s.b.pids.nextID(ctx, s.b)
}

// ensureTxnTopic creates __transaction_state on first use with Kafka's settings
// (TransactionStateManager.transactionTopicConfigs): compacted, uncompressed, never
// an unclean leader, transaction.state.log.min.isr and .segment.bytes.
func (b *Broker) ensureTxnTopic() (*metadata.Image, *coordinatorError) {
	return b.ensureInternalTopic(&b.txns.createMu, txnTopic, b.cfg.TransactionStateLogNumPartitions, b.cfg.TransactionStateLogReplicationFactor, map[string]string{
		"cleanup.policy":                 "compact",
		"compression.type":               "uncompressed",
		"unclean.leader.election.enable": "false",
		"min.insync.replicas":            strconv.Itoa(int(b.cfg.TransactionStateLogMinIsr)),
		"segment.bytes":                  strconv.Itoa(int(b.cfg.TransactionStateLogSegmentBytes)),
	})
}

// txnCoordinatorNode is the broker leading the transactional id's __transaction_state
// partition in img.
func (b *Broker) txnCoordinatorNode(img *metadata.Image, txnID string) (int32, *coordinatorError) {
	t := img.Topics[txnTopic]
	if t == nil {
		return -1, &coordinatorError{kerr.CoordinatorNotAvailable, txnTopic + " does not exist yet"}
	}
	part := t.Partitions[b.txns.PartitionFor(txnID)]
	if part == nil || part.Leader < 0 {
		return -1, &coordinatorError{kerr.CoordinatorNotAvailable, "the transactional id's " + txnTopic + " partition has no leader"}
	}
	if br, ok := img.Brokers[part.Leader]; !ok || br.Fenced {
		return -1, &coordinatorError{kerr.CoordinatorNotAvailable, "the coordinator broker is not alive"}
	}
	return part.Leader, nil
}

// findTxnCoordinator answers FindCoordinator for a transactional id, creating
// __transaction_state on first use as Kafka does.
func (b *Broker) findTxnCoordinator(txnID, listener string) (int32, metadata.Endpoint, *coordinatorError) {
	img, cerr := b.ensureTxnTopic()
	if cerr != nil {
		return -1, metadata.Endpoint{}, cerr
	}
	node, cerr := b.txnCoordinatorNode(img, txnID)
	if cerr != nil {
		return -1, metadata.Endpoint{}, cerr
	}
	ep, ok := brokerEndpoint(img.Brokers[node], listener)
	if !ok {
		return -1, metadata.Endpoint{}, &coordinatorError{kerr.CoordinatorNotAvailable, "the coordinator broker has no endpoint"}
	}
	return node, ep, nil
}

// askTxnCoordinator sends a broker-to-coordinator request about txnID (a verify-only
// AddPartitionsToTxn) to the coordinator the image names: answered here when this
// broker is it, else over the inter-broker listener. A coordinator that cannot be
// found answers as Kafka's AddPartitionsToTxnManager does: COORDINATOR_NOT_AVAILABLE.
func (b *Broker) askTxnCoordinator(ctx context.Context, txnID string, req *kmsg.AddPartitionsToTxnRequest) (*kmsg.AddPartitionsToTxnResponse, error) {
	img := b.Image()
	node, cerr := b.txnCoordinatorNode(img, txnID)
	if cerr != nil {
		return nil, fmt.Errorf("%w: %s", cerr.err, cerr.msg)
	}
	if node == b.id {
		return b.txns.AddPartitionsToTxn(req, nil), nil
	}
	resp, err := b.txns.peers.request(ctx, img, node, req)
	if err != nil {
		return nil, err
	}
	return resp.(*kmsg.AddPartitionsToTxnResponse), nil
}
