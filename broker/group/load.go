package group

import (
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/broker/coordlog"
)

// loadedPartition is what reading one __consumer_offsets partition yields: the last
// value of every key, tombstoned keys removed.
type loadedPartition struct {
	offsets map[OffsetKey]CommittedOffset
	groups  map[string]*kmsg.GroupMetadataValue
	records int
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
	lp := &loadedPartition{offsets: map[OffsetKey]CommittedOffset{}, groups: map[string]*kmsg.GroupMetadataValue{}}
	n, err := coordlog.Replay(c.log, partition, func(b *coordlog.Batch, offset int64, key, value []byte) error {
		if b.Control {
			return nil
		}
		rec, err := decodeRecord(key, value)
		if err != nil {
			// Kafka fails the load here; skipping one record we cannot read keeps
			// every other group's offsets available.
			c.slog.Warn("skipping unreadable __consumer_offsets record", "partition", partition, "offset", offset, "err", err)
			return nil
		}
		lp.apply(rec)
		return nil
	})
	lp.records = n
	if err != nil {
		return nil, fmt.Errorf("load __consumer_offsets: %w", err)
	}
	return lp, nil
}

func (lp *loadedPartition) apply(rec logRecord) {
	switch {
	case rec.offsetKey != nil && rec.offset == nil:
		delete(lp.offsets, *rec.offsetKey)
	case rec.offsetKey != nil:
		lp.offsets[*rec.offsetKey] = *rec.offset
	case rec.group == nil:
		delete(lp.groups, rec.groupKey)
	default:
		lp.groups[rec.groupKey] = rec.group
	}
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
