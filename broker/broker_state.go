package broker

// Kafka's BrokerState numbers (kafka.server:type=KafkaServer,name=BrokerState), the
// ones a kbridge broker passes through.
const (
	brokerStarting                  = 1 // not registered with its metadata source yet
	brokerRecovery                  = 2 // registered, fenced until it catches up
	brokerRunning                   = 3
	brokerPendingControlledShutdown = 6
	brokerShuttingDown              = 7
)

// BrokerState is Kafka's BrokerState of this broker, which dashboards show per broker
// (3 is RUNNING).
func (b *Broker) BrokerState() int {
	switch {
	case b.isClosed():
		return brokerShuttingDown
	case b.shuttingDown.Load():
		return brokerPendingControlledShutdown
	}
	br, ok := b.Image().Brokers[b.id]
	switch {
	case !ok:
		return brokerStarting
	case br.Fenced:
		return brokerRecovery
	}
	return brokerRunning
}
