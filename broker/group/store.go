package group

import (
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/broker/coordlog"
)

// appendLock serialises the writes of one __consumer_offsets partition together with
// the in-memory update that follows each, so the cache applies them in log order.
// It is always taken before mu, never while holding it.
func (c *Coordinator) appendLock(partition int32) *sync.Mutex {
	return &c.appendMu[partition]
}

// metadataValue is the group's GroupMetadataValue with the given assignment (the
// current one when nil).
func (g *group) metadataValue(assignment map[string][]byte, now time.Time) []byte {
	v := kmsg.NewGroupMetadataValue()
	v.ProtocolType = g.protocolType
	v.Generation = g.generation
	if g.protocol != "" {
		p := g.protocol
		v.Protocol = &p
	}
	if g.leader != "" && len(g.members) > 0 {
		l := g.leader
		v.Leader = &l
	}
	v.CurrentStateTimestamp = now.UnixMilli()
	for _, m := range g.sortedMembers() {
		vm := kmsg.NewGroupMetadataValueMember()
		vm.MemberID = m.id
		vm.InstanceID = m.instanceID
		vm.ClientID = m.clientID
		vm.ClientHost = m.clientHost
		vm.RebalanceTimeoutMillis = int32(m.rebalanceTimeout / time.Millisecond)
		vm.SessionTimeoutMillis = int32(m.sessionTimeout / time.Millisecond)
		vm.Subscription = m.metadataFor(g.protocol)
		if vm.Subscription == nil {
			vm.Subscription = []byte{}
		}
		vm.Assignment = m.assignment
		if assignment != nil {
			vm.Assignment = assignment[m.id]
		}
		if vm.Assignment == nil {
			vm.Assignment = []byte{}
		}
		v.Members = append(v.Members, vm)
	}
	return EncodeGroupMetadataValue(&v)
}

// storeGroupAsync writes the group's current metadata in the background; it is used
// where Kafka answers without waiting for the write (an emptied group, a replaced
// static member). A write overtaken by a newer generation's is skipped.
func (c *Coordinator) storeGroupAsync(g *group) {
	gen := g.generation
	c.bg.Add(1)
	go func() {
		defer c.bg.Done()
		mu := c.appendLock(g.partition)
		mu.Lock()
		defer mu.Unlock()
		c.mu.Lock()
		if c.groups[g.id] != g || g.generation != gen || g.storedGeneration > gen {
			c.mu.Unlock()
			return
		}
		rec := coordlog.Record{Key: EncodeGroupMetadataKey(g.id), Value: g.metadataValue(nil, c.clock.Now())}
		c.mu.Unlock()
		if err := c.appendRecords(g.partition, []coordlog.Record{rec}); err != nil {
			c.slog.Warn("failed to store group metadata", "group", g.id, "generation", gen, "err", err)
			return
		}
		c.mu.Lock()
		g.storedGeneration = max(g.storedGeneration, gen)
		c.mu.Unlock()
	}()
}
