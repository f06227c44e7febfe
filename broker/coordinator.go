package broker

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/broker/group"
	"github.com/kbridge/kbridge/broker/storage"
	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/metadata"
)

// offsetsTopic is Kafka's internal topic of committed offsets and group metadata.
const offsetsTopic = "__consumer_offsets"

// groupCoordinator wires the group package to this broker: the __consumer_offsets
// partition logs, leadership changes, the lazy creation of the topic, and the
// periodic offset expiry.
type groupCoordinator struct {
	*group.Coordinator
	createMu sync.Mutex // one creation of __consumer_offsets at a time
	// highWatermarks are the consumed partitions' for the consumer lag metrics.
	highWatermarks *highWatermarks
}

// startGroupCoordinator builds the coordinator; it must run before the first image is
// applied, so partitions this broker already leads at startup are loaded
// (coordinatorLeadershipChanged). dial reaches the other brokers, whose high
// watermarks the consumer lag metrics ask for.
func (b *Broker) startGroupCoordinator(dial kwire.Dialer) {
	cfg := group.Config{
		NumPartitions:         b.cfg.OffsetsTopicNumPartitions,
		MinSessionTimeout:     time.Duration(b.cfg.GroupMinSessionTimeoutMs) * time.Millisecond,
		MaxSessionTimeout:     time.Duration(b.cfg.GroupMaxSessionTimeoutMs) * time.Millisecond,
		InitialRebalanceDelay: time.Duration(b.cfg.GroupInitialRebalanceDelayMs) * time.Millisecond,
		MaxSize:               int(b.cfg.GroupMaxSize),
		OffsetsRetention:      time.Duration(b.cfg.OffsetsRetentionMinutes) * time.Minute,
	}
	peers := newPeerClients(dial, b.cfg.InterBrokerListenerName, "broker-"+strconv.Itoa(int(b.id))+"-group")
	b.groups = &groupCoordinator{
		Coordinator:    group.New(cfg, coordinatorLog{b, offsetsTopic}, group.SystemClock{}, b.log),
		highWatermarks: newHighWatermarks(peers),
	}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		tick := time.NewTicker(group.RetentionCheckInterval)
		defer tick.Stop()
		for {
			select {
			case <-b.stop:
				b.groups.Close()
				peers.close()
				return
			case <-tick.C:
				b.groups.ExpireOffsets()
			}
		}
	}()
}

// coordinatorLeadershipChanged hands the internal topics' partitions this broker comes
// to lead, or stops leading, to their coordinator, which loads or unloads them.
func (b *Broker) coordinatorLeadershipChanged(topic string, partition int32, leader bool, epoch int32) {
	switch {
	case topic == offsetsTopic && leader:
		b.groups.BecomeLeader(partition, epoch)
	case topic == offsetsTopic:
		b.groups.Resign(partition)
	case topic == txnTopic && leader:
		b.txns.BecomeLeader(partition, epoch)
	case topic == txnTopic:
		b.txns.Resign(partition)
	}
}

// stopContext is done when the broker shuts down, releasing requests parked in a
// rebalance.
func (b *Broker) stopContext() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		select {
		case <-b.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// coordinatorLog is a coordinator's view of the local logs of its internal topic
// (__consumer_offsets, __transaction_state).
type coordinatorLog struct {
	b     *Broker
	topic string
}

// Append writes through the produce path with acks=all, as a coordinator's write
// (no sequence checks: Kafka's AppendOrigin.COORDINATOR), and waits, like Kafka's
// coordinators, until the high watermark covers the batch. A refused append returns
// the Kafka error the log's error maps to.
func (l coordinatorLog) Append(ctx context.Context, partition int32, batch []byte) error {
	p, res, term, err := l.b.appendProduced(l.topic, partition, batch, -1, false, storage.AppendOptions{Origin: storage.OriginCoordinator})
	if err != nil {
		var ke *kerr.Error
		if !errors.As(err, &ke) {
			err = fmt.Errorf("%w: %v", kerr.ErrorForCode(errorCode(err)), err)
		}
		return err
	}
	p.appendedAsLeader()
	timeout := appendWait
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
	}
	sp := kmsg.NewProduceResponseTopicPartition()
	waitReplicated([]producedPartition{{p: p, resp: &sp, lastOffset: res.LastOffset, term: term}}, timeout, l.b.stop, l.b.lostSession())
	if sp.ErrorCode != 0 {
		return fmt.Errorf("wait for replication of %s-%d: %w", l.topic, partition, kerr.ErrorForCode(sp.ErrorCode))
	}
	return nil
}

// appendWait bounds a coordinator write without a deadline.
const appendWait = 5 * time.Second

// loadBufferSize is Kafka's offsets.load.buffer.size default.
const loadBufferSize = 5 << 20

func (l coordinatorLog) partition(partition int32) (*Partition, error) {
	p, ok := l.b.replicas.Get(l.topic, partition)
	if !ok || p.state().leader != l.b.id {
		return nil, fmt.Errorf("%s-%d: %w", l.topic, partition, kerr.NotLeaderForPartition)
	}
	return p, nil
}

// Read returns whole batches from offset up to the log end offset: a new leader
// loads everything it has, as Kafka's loader reads to the log end.
func (l coordinatorLog) Read(partition int32, offset int64) ([]byte, error) {
	p, err := l.partition(partition)
	if err != nil {
		return nil, err
	}
	return p.log.Read(offset, loadBufferSize, p.log.LogEndOffset())
}

// Bounds returns the log start and end offsets.
func (l coordinatorLog) Bounds(partition int32) (int64, int64, error) {
	p, err := l.partition(partition)
	if err != nil {
		return 0, 0, err
	}
	return p.log.LogStartOffset(), p.log.LogEndOffset(), nil
}

// coordinatorError is a FindCoordinator error with the message v1+ responses carry.
type coordinatorError struct {
	err *kerr.Error
	msg string
}

// findGroupCoordinator answers FindCoordinator for a group: the leader of the
// group's __consumer_offsets partition, creating the topic on first use as Kafka does.
func (b *Broker) findGroupCoordinator(groupID, listener string) (int32, metadata.Endpoint, *coordinatorError) {
	img, cerr := b.ensureOffsetsTopic()
	if cerr != nil {
		return -1, metadata.Endpoint{}, cerr
	}
	t := img.Topics[offsetsTopic]
	part := t.Partitions[b.groups.PartitionFor(groupID)]
	if part == nil || part.Leader < 0 {
		return -1, metadata.Endpoint{}, &coordinatorError{kerr.CoordinatorNotAvailable, "the group's __consumer_offsets partition has no leader"}
	}
	br, ok := img.Brokers[part.Leader]
	if !ok || br.Fenced {
		return -1, metadata.Endpoint{}, &coordinatorError{kerr.CoordinatorNotAvailable, "the coordinator broker is not alive"}
	}
	ep, ok := brokerEndpoint(br, listener)
	if !ok {
		return -1, metadata.Endpoint{}, &coordinatorError{kerr.CoordinatorNotAvailable, "the coordinator broker has no endpoint"}
	}
	return part.Leader, ep, nil
}

// ensureOffsetsTopic creates __consumer_offsets with offsets.topic.num.partitions and
// offsets.topic.replication.factor on first use, as Kafka does.
func (b *Broker) ensureOffsetsTopic() (*metadata.Image, *coordinatorError) {
	return b.ensureInternalTopic(&b.groups.createMu, offsetsTopic, b.cfg.OffsetsTopicNumPartitions, b.cfg.OffsetsTopicReplicationFactor, map[string]string{
		"cleanup.policy":   "compact",
		"compression.type": "producer",
		"segment.bytes":    "104857600",
	})
}

// ensureInternalTopic creates a coordinator's internal topic. Like Kafka, it refuses
// while fewer brokers are alive than the replication factor rather than create an
// under-replicated topic; mu serialises the creations of one topic.
func (b *Broker) ensureInternalTopic(mu *sync.Mutex, name string, partitions int32, rf int16, configs map[string]string) (*metadata.Image, *coordinatorError) {
	img := b.Image()
	if _, ok := img.Topics[name]; ok {
		return img, nil
	}
	mu.Lock()
	defer mu.Unlock()
	if img = b.Image(); img.Topics[name] != nil {
		return img, nil
	}
	if live := len(img.LiveBrokers()); live < int(rf) {
		msg := fmt.Sprintf("%d live brokers are fewer than the replication factor %d of %s", live, rf, name)
		b.log.Error("cannot create "+name, "reason", msg)
		return nil, &coordinatorError{kerr.CoordinatorNotAvailable, msg}
	}
	specConfigs := make(map[string]*string, len(configs))
	for k, v := range configs {
		specConfigs[k] = &v
	}
	ctx, cancel := requestContext(0)
	defer cancel()
	res := b.Source().CreateTopics(ctx, []metadata.TopicSpec{{
		Name:              name,
		NumPartitions:     partitions,
		ReplicationFactor: rf,
		Configs:           specConfigs,
	}}, false)
	if err := res[0].Err; err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
		b.log.Error("cannot create "+name, "err", err)
		return nil, &coordinatorError{kerr.CoordinatorNotAvailable, "creating " + name + ": " + err.Error()}
	}
	b.log.Info("created "+name, "partitions", partitions, "replication_factor", rf)
	if img = b.Image(); img.Topics[name] == nil {
		return nil, &coordinatorError{kerr.CoordinatorNotAvailable, name + " is being created"}
	}
	return img, nil
}
