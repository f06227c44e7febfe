package txn

import "time"

// Config is the transaction coordinator's share of the broker config; a zero field
// takes Kafka's default.
type Config struct {
	NumPartitions         int32         // transaction.state.log.num.partitions (50)
	MaxTimeout            time.Duration // transaction.max.timeout.ms (15 min)
	IDExpiration          time.Duration // transactional.id.expiration.ms (7 days)
	AbortTimedOutInterval time.Duration // transaction.abort.timed.out.transaction.cleanup.interval.ms (10 s)
	RemoveExpiredInterval time.Duration // transaction.remove.expired.transaction.cleanup.interval.ms (1 h)
}

// Kafka 3.9's defaults (TransactionLogConfigs, TransactionStateManagerConfigs).
const (
	defaultNumPartitions         = 50
	defaultMaxTimeout            = 15 * time.Minute
	defaultIDExpiration          = 7 * 24 * time.Hour
	defaultAbortTimedOutInterval = 10 * time.Second
	defaultRemoveExpiredInterval = time.Hour
)

func (cfg Config) withDefaults() Config {
	if cfg.NumPartitions <= 0 {
		cfg.NumPartitions = defaultNumPartitions
	}
	if cfg.MaxTimeout <= 0 {
		cfg.MaxTimeout = defaultMaxTimeout
	}
	if cfg.IDExpiration <= 0 {
		cfg.IDExpiration = defaultIDExpiration
	}
	if cfg.AbortTimedOutInterval <= 0 {
		cfg.AbortTimedOutInterval = defaultAbortTimedOutInterval
	}
	if cfg.RemoveExpiredInterval <= 0 {
		cfg.RemoveExpiredInterval = defaultRemoveExpiredInterval
	}
	return cfg
}
