package kraftmode

import (
	"maps"
	"slices"

	"github.com/kbridge/kbridge/metadata"
)

// rebalanceLeaders is auto.leader.rebalance.enable's periodic task
// (maybeBalancePartitionLeaders): a preferred election on every partition whose
// leader is not its first replica. Leadership moves back only where the preferred
// replica is in the ISR and active, so a broker that returns from a failure gets its
// share of leaders back once it has caught up. Like Kafka's KRaft controller it
// ignores leader.imbalance.per.broker.percentage.
func (c *Controller) rebalanceLeaders(at *activeTerm) {
	if err := c.lockGatedWriter(); err != nil {
		return
	}
	defer c.writeMu.Unlock()
	if c.activeTerm() != at {
		return
	}
	img := c.Image()
	mv := img.MetadataVersion()
	mayLead := func(id int32) bool { return img.IsActiveBroker(id) }
	var recs []metadata.Record
	for _, name := range slices.Sorted(maps.Keys(img.Topics)) {
		t := img.Topics[name]
		for _, id := range slices.Sorted(maps.Keys(t.Partitions)) {
			p := t.Partitions[id]
			if len(p.Replicas) == 0 || p.Leader == p.Replicas[0] {
				continue
			}
			pc := metadata.NewPartitionChange(mv, t.ID, p, mayLead)
			pc.Election = metadata.ElectPreferred
			if rec := pc.Build(); rec != nil {
				recs = append(recs, rec)
			}
		}
	}
	if len(recs) == 0 {
		return
	}
	_, written, err := c.appendChunks(recs)
	if err != nil {
		c.log.Warn("preferred leader rebalance failed", "elected", written, "planned", len(recs), "err", err)
		return
	}
	c.log.Info("preferred leader rebalance elected leaders", "partitions", written)
}
