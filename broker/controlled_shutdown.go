package broker

import (
	"context"
	"time"
)

// controlledShutdownTimeout bounds the controlled shutdown: a source that cannot move
// the leaderships in this time is given up on and the broker stops anyway, as Kafka
// does once its controlled.shutdown.max.retries are spent.
const controlledShutdownTimeout = 30 * time.Second

// controlledShutdown asks the metadata source to move every leadership of this broker
// to another in-sync replica before it stops (controlled.shutdown.enable). It runs
// while the broker still serves, so the new leaders' fetchers and the clients that
// follow them find this broker answering until it is told it leads nothing, and
// nobody waits for a session timeout to notice it is gone.
func (b *Broker) controlledShutdown() {
	if !b.cfg.ControlledShutdownEnable {
		return
	}
	b.shuttingDown.Store(true)
	ctx, cancel := context.WithTimeout(context.Background(), controlledShutdownTimeout)
	defer cancel()
	start := time.Now()
	if err := b.Source().ControlledShutdown(ctx, b.id, b.brokerEpoch()); err != nil {
		b.log.Warn("controlled shutdown failed; stopping anyway", "err", err)
		return
	}
	b.log.Info("controlled shutdown complete", "took", time.Since(start).Round(time.Millisecond))
}
