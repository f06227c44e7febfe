package group

import (
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/broker/coordlog"
)

// loadedPartition is what reading one __consumer_offsets partition yields: the last
// value of every key, tombstoned keys removed, and the transactional commits whose
// producer's marker has not come yet.
type loadedPartition struct {
	offsets map[OffsetKey]loggedOffset
	// pending are the transactional commits of each producer since its last marker,
	// as Kafka's loader keeps them.
	pending map[int64]map[OffsetKey]loggedOffset
	groups  map[string]*kmsg.GroupMetadataValue
	records int
	end     int64 // the offset after the last record read
}

// load reads a partition and installs its groups, retrying while the log cannot be
// read and this broker still owns the partition.
func (c *Coordinator) load(partition int32, op *ownedPartition) {
	started := time.Now()
	for {
		lp, err := c.readPartition(partition)
		if err == nil {
			n := c.install(partition, op, lp)
			if n >= 0 {
				c.slog.Info("loaded __consumer_offsets partition", "partition", partition, "epoch", op.epoch,
					"records", lp.records, "groups", n, "took", time.Since(started).Round(time.Millisecond))
			}
			return
		}
		c.slog.Error("cannot load __consumer_offsets partition; retrying", "partition", partition, "err", err)
		c.mu.Lock()
		owned := c.parts[partition] == op
		c.mu.Unlock()
		if !owned {
			return
		}
		time.Sleep(loadRetryBackoff)
	}
}

func (c *Coordinator) readPartition(partition int32) (*loadedPartition, error) {
	lp := &loadedPartition{
		offsets: map[OffsetKey]loggedOffset{},
		pending: map[int64]map[OffsetKey]loggedOffset{},
		groups:  map[string]*kmsg.GroupMetadataValue{},
	}
	n, err := coordlog.Replay(c.log, partition, func(b *coordlog.Batch, offset int64, key, value []byte) error {
		lp.end = max(lp.end, offset+1)
		if b.Control {
			commit, _ := coordlog.MarkerType(key)
			lp.endTxn(b.ProducerID, commit)
			return nil
		}
		rec, err := decodeRecord(key, value)
		if err != nil {
			// Kafka fails the load here; skipping one record we cannot read keeps
			// every other group's offsets available.
			c.slog.Warn("skipping unreadable __consumer_offsets record", "partition", partition, "offset", offset, "err", err)
			return nil
		}
		lp.apply(b, rec)
		return nil
	})
	lp.records = n
	if err != nil {
		return nil, fmt.Errorf("load __consumer_offsets: %w", err)
	}
	return lp, nil
}

// apply replays one record of batch b: an offset record of a transactional batch is
// pending for the batch's producer, any other record takes effect at once.
func (lp *loadedPartition) apply(b *coordlog.Batch, rec logRecord) {
	switch {
	case rec.offsetKey != nil && b.Transactional:
		pending := lp.pending[b.ProducerID]
		if pending == nil {
			pending = map[OffsetKey]loggedOffset{}
			lp.pending[b.ProducerID] = pending
		}
		if rec.offset == nil {
			delete(pending, *rec.offsetKey)
		} else {
			pending[*rec.offsetKey] = loggedOffset{*rec.offset, b.BaseOffset}
		}
	case rec.offsetKey != nil && rec.offset == nil:
		delete(lp.offsets, *rec.offsetKey)
	case rec.offsetKey != nil:
		lp.offsets[*rec.offsetKey] = loggedOffset{*rec.offset, b.BaseOffset}
	case rec.group == nil:
		delete(lp.groups, rec.groupKey)
	default:
		lp.groups[rec.groupKey] = rec.group
	}
}

// endTxn replays a transaction marker. As in Kafka's loader, only a commit marker
// commits (an abort or any other control record ends the transaction without), and
// a committed offset does not replace one written after it.
func (lp *loadedPartition) endTxn(producerID int64, commit bool) {
	if commit {
		for k, o := range lp.pending[producerID] {
			if cur, ok := lp.offsets[k]; !ok || cur.olderThan(o) {
				lp.offsets[k] = o
			}
		}
	}
	delete(lp.pending, producerID)
}

// install turns a read partition into groups, unless ownership moved on meanwhile
// (then it returns -1). A group with members comes back Stable with its generation,
// as in Kafka, so its consumers carry on; members that do not heartbeat within
// their session timeout are removed as usual.
func (c *Coordinator) install(partition int32, op *ownedPartition, lp *loadedPartition) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.parts[partition] != op {
		return -1
	}
	for id, v := range lp.groups {
		g := c.restoreGroup(id, partition, v)
		c.groups[id] = g
	}
	for k, o := range lp.offsets {
		g := c.getOrCreate(k.Group, true)
		g.offsets[topicPartition{k.Topic, k.Partition}] = o
	}
	// Transactions still open at the log end stay pending for their markers; a group
	// with nothing else is created Empty to hold them, as Kafka does.
	for producerID, pending := range lp.pending {
		for k, o := range pending {
			g := c.getOrCreate(k.Group, true)
			g.addTxnOffset(producerID, topicPartition{k.Topic, k.Partition}, o)
			op.addOpenTxn(producerID, g.id)
		}
	}
	op.nextPosition = lp.end
	for _, end := range op.endedWhileLoading {
		c.endTxnLocked(op, end)
	}
	op.endedWhileLoading = nil
	op.loading = false
	n := 0
	for _, g := range c.groups {
		if g.partition == partition {
			n++
		}
	}
	return n
}

func (c *Coordinator) restoreGroup(id string, partition int32, v *kmsg.GroupMetadataValue) *group {
	g := newGroup(id, partition, time.Time{})
	if v.CurrentStateTimestamp > 0 {
		g.stateTime = time.UnixMilli(v.CurrentStateTimestamp)
	}
	g.protocolType, g.generation, g.storedGeneration = v.ProtocolType, v.Generation, v.Generation
	if v.Protocol != nil {
		g.protocol = *v.Protocol
	}
	for _, vm := range v.Members {
		m := &member{
			id: vm.MemberID, instanceID: vm.InstanceID, clientID: vm.ClientID, clientHost: vm.ClientHost,
			protocolType:     v.ProtocolType,
			rebalanceTimeout: time.Duration(vm.RebalanceTimeoutMillis) * time.Millisecond,
			sessionTimeout:   time.Duration(vm.SessionTimeoutMillis) * time.Millisecond,
			protocols:        []protocol{{name: g.protocol, metadata: vm.Subscription}},
			assignment:       vm.Assignment,
			syncedThisRound:  true,
		}
		if v.Version < 1 {
			m.rebalanceTimeout = m.sessionTimeout
		}
		g.add(m)
		c.scheduleHeartbeat(g, m)
	}
	if v.Leader != nil {
		g.leader = *v.Leader
	}
	if len(g.members) > 0 {
		g.state = Stable
	}
	return g
}
