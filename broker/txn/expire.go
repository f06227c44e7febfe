package txn

import (
	"time"

	"github.com/kbridge/kbridge/broker/coordlog"
)

// Tombstones are written in batches of at most tombstoneBatchBytes of keys, as
// Kafka fills a batch up to the partition's max.message.bytes (1 MiB by default),
// each write bounded by Kafka's request.timeout.ms.
const (
	tombstoneBatchBytes = 1 << 20
	tombstoneOverhead   = 16 // a record's own bytes beside its key, at most
	tombstoneTimeout    = 30 * time.Second
)

// expireTransactionalIDs removes the transactional ids idle for
// transactional.id.expiration.ms with no transaction open, writing a tombstone for
// each (Kafka's removeExpiredTransactionalIds). An id being removed is Dead while
// its tombstone is written: a request for it meanwhile gets
// CONCURRENT_TRANSACTIONS, and one that comes after starts afresh.
func (c *Coordinator) expireTransactionalIDs() {
	c.mu.Lock()
	cutoff := c.clock.Now().Add(-c.cfg.IDExpiration).UnixMilli()
	expiring := map[*ownedPartition][]*txnMetadata{}
	for _, op := range c.parts {
		for _, m := range op.txns {
			if m.pending == noState && expirationAllowed(m.state) && m.lastUpdateMs <= cutoff {
				m.pending = stateDead
				expiring[op] = append(expiring[op], m)
			}
		}
	}
	c.mu.Unlock()
	for op, ms := range expiring {
		for len(ms) > 0 {
			n, size := 0, 0
			for n < len(ms) && (n == 0 || size+len(ms[n].id)+tombstoneOverhead <= tombstoneBatchBytes) {
				size += len(ms[n].id) + tombstoneOverhead
				n++
			}
			c.writeTombstones(op, ms[:n])
			ms = ms[n:]
		}
	}
}

// writeTombstones writes one batch of tombstones and drops the ids from the cache
// once it is committed; when it fails, they stay as they were.
func (c *Coordinator) writeTombstones(op *ownedPartition, ms []*txnMetadata) {
	recs := make([]coordlog.Record, len(ms))
	for i, m := range ms {
		recs[i] = coordlog.Record{Key: encodeKey(m.id)}
	}
	err := c.appendRecords(op.id, tombstoneTimeout, recs)
	c.mu.Lock()
	defer c.mu.Unlock()
	owned := c.parts[op.id] == op
	for _, m := range ms {
		if err == nil && owned && m.pending == stateDead {
			delete(op.txns, m.id)
			continue
		}
		m.pending = noState
	}
	if err != nil {
		c.slog.Warn("cannot write tombstones of expired transactional ids", "partition", op.id, "ids", len(ms), "err", err)
		return
	}
	c.slog.Info("expired transactional ids", "partition", op.id, "ids", len(ms))
}
